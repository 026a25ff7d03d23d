// The simulation's time: discrete events on a virtual clock, so a rehearsal of a drill that
// takes minutes of AWS time runs in well under a second, and a test's timings are exact.
import type { Clock } from '../drill/clock';

export const START_TIME = Date.parse('2025-03-01T10:00:00Z');

/**
 * Discrete-event virtual time: `sleep` queues a waiter; when nothing else is runnable
 * (after the microtask queue drains) the earliest waiter wakes and time jumps to it.
 */
export class VirtualClock implements Clock {
  private current: number;
  private readonly sleepers: {
    wakeAt: number;
    order: number;
    resolve: () => void;
    background: boolean;
  }[] = [];
  private order = 0;
  private scheduled = false;
  private stopped = false;
  private readonly listeners: ((now: number) => void)[] = [];

  constructor(start = START_TIME) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.queue(ms, signal, false);
  }

  /**
   * A sleep of the simulation's own loops (health checkers): it wakes on the way to a
   * foreground sleeper's time, never moves time on its own, so an idle clock (only
   * background sleepers) stays put instead of spinning, and a wait on real I/O does not
   * let it run ahead.
   */
  sleepInBackground(ms: number, signal?: AbortSignal): Promise<void> {
    return this.queue(ms, signal, true);
  }

  private queue(ms: number, signal: AbortSignal | undefined, background: boolean): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return; // a "killed" process never wakes
      if (signal?.aborted) return resolve();
      const onAbort = () => {
        const i = this.sleepers.indexOf(sleeper);
        if (i >= 0) this.sleepers.splice(i, 1);
        resolve();
      };
      // Like the system clock, a sleeper that wakes stops listening (no listener piles up).
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const sleeper = {
        wakeAt: this.current + Math.max(0, ms),
        order: this.order++,
        resolve: wake,
        background,
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.schedule();
    });
  }

  /**
   * Calls `listener` each time virtual time moves on, before the sleepers due then wake (the
   * client network samples Route 53's answers with it, to know when each one changed).
   */
  onAdvance(listener: (now: number) => void): void {
    this.listeners.push(listener);
  }

  /** Simulates the process dying: nothing sleeping on this clock ever wakes. */
  stop(): void {
    this.stopped = true;
    this.sleepers.length = 0;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped || !this.sleepers.some((s) => !s.background)) return;
      this.sleepers.sort((a, b) => a.wakeAt - b.wakeAt || a.order - b.order);
      const next = this.sleepers.shift()!;
      if (next.wakeAt > this.current) {
        this.current = next.wakeAt;
        for (const listener of this.listeners) listener(this.current);
      }
      next.resolve();
      if (this.sleepers.length > 0) this.schedule();
    });
  }
}
