// The start/stop of a loop that runs beside the drill's steps (the Data API canary and the
// client canary): one place for how it starts once, how stop() wakes it from its sleep, and
// that stop() returns only when the round in progress has ended.
import type { Clock } from './clock';

export class BackgroundLoop {
  private running = false;
  private done: Promise<void> = Promise.resolve();
  private wake = new AbortController();

  constructor(private readonly clock: Clock) {}

  get isRunning(): boolean {
    return this.running;
  }

  /** Runs `body` unless it runs already; `body` loops while `isRunning`. */
  start(body: () => Promise<void>): void {
    if (this.running) return;
    this.running = true;
    this.done = body();
  }

  /** Ends the loop: wakes it from `sleep` and waits for the round in progress. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake.abort();
    await this.done;
    this.wake = new AbortController();
  }

  /** Sleeps `ms` on the drill's clock; `stop()` ends the sleep at once. */
  sleep(ms: number): Promise<void> {
    return this.clock.sleep(ms, this.wake.signal);
  }
}
