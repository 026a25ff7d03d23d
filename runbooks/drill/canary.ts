import type { SqlApi, SqlTarget } from './aws/adapters';
import type { ClientLogEntry } from './client-model';
import { BackgroundLoop } from './background-loop';
import type { Clock } from './clock';
import { errorText } from './errors';
import type { CanarySample } from './model';
import { isFatal } from './observe';

/** The canary table: one row per write, keyed by drill and sequence number. */
export const CANARY_SQL = {
  createTable:
    'CREATE TABLE IF NOT EXISTS drill_canary (drill_id text NOT NULL, seq bigint NOT NULL, ' +
    'region text NOT NULL, written_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (drill_id, seq))',
  insert: 'INSERT INTO drill_canary (drill_id, seq, region) VALUES (:drill_id, :seq, :region)',
  selectSeqs: 'SELECT seq FROM drill_canary WHERE drill_id = :drill_id',
  /** The cleanup at the end of the drill (steps/clean-canary.ts). */
  deleteRows: 'DELETE FROM drill_canary WHERE drill_id = :drill_id',
} as const;

/** What steps may ask of the canary. */
export interface CanaryControl {
  /** Writes one row now to `target` and records the result; used to prove the new writer. */
  writeOnce(target: SqlTarget, source: CanarySample['source']): Promise<CanarySample>;
  /** Every write so far, including those of an earlier process of this drill. */
  samples(): readonly CanarySample[];
  /** The client canary's log so far (this drill's, earlier processes included), when it runs. */
  clientEntries?(): readonly ClientLogEntry[];
  /**
   * Why the client canary cannot watch this drill, if it cannot: no network
   * (`ClientNetworkApi.unavailable`, tests of adapters), or it is not running.
   */
  clientUnavailable?(): string | undefined;
}

export interface CanaryOptions {
  readonly sql: SqlApi;
  readonly clock: Clock;
  readonly drillId: string;
  /** Tried in this order while nothing has succeeded; then the last one that acknowledged first. */
  readonly targets: readonly SqlTarget[];
  readonly intervalMs: number;
  /** Samples of an earlier process of this drill (resume). */
  readonly history: readonly CanarySample[];
  readonly persist: (sample: CanarySample) => void;
}

/**
 * Background canary writes through the RDS Data API, one every interval, to whichever cluster
 * last accepted one (falling over to the other): what a client sees as the write path.
 */
export class CanaryLoop implements CanaryControl {
  private readonly all: CanarySample[];
  private nextSeq: number;
  private preferred: SqlTarget;
  private readonly runner: BackgroundLoop;

  constructor(private readonly options: CanaryOptions) {
    this.all = [...options.history];
    this.runner = new BackgroundLoop(options.clock);
    this.nextSeq = options.history.reduce((max, s) => Math.max(max, s.seq), 0) + 1;
    const lastOk = [...options.history].reverse().find((s) => s.ok);
    this.preferred = options.targets.find((t) => t.region === lastOk?.region) ?? options.targets[0];
  }

  get isRunning(): boolean {
    return this.runner.isRunning;
  }

  start(): void {
    this.runner.start(() => this.loop());
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  samples(): readonly CanarySample[] {
    return this.all;
  }

  async writeOnce(target: SqlTarget, source: CanarySample['source']): Promise<CanarySample> {
    const seq = this.nextSeq++;
    const at = this.options.clock.now();
    try {
      await this.insert(target, seq);
      return this.record({ seq, at, ok: true, region: target.region, source });
    } catch (err) {
      this.record({ seq, at, ok: false, error: errorText(err), source });
      throw err;
    }
  }

  private async loop(): Promise<void> {
    while (this.runner.isRunning) {
      await this.tick();
      if (!this.runner.isRunning) break;
      await this.runner.sleep(this.options.intervalMs);
    }
  }

  private async tick(): Promise<void> {
    const seq = this.nextSeq++;
    const at = this.options.clock.now();
    const order = [this.preferred, ...this.options.targets.filter((t) => t !== this.preferred)];
    const errors: string[] = [];
    for (const target of order) {
      try {
        await this.insert(target, seq);
        this.preferred = target;
        this.record({ seq, at, ok: true, region: target.region, source: 'loop' });
        return;
      } catch (err) {
        // A canary never stops the drill; the steps report what matters.
        errors.push(`${target.region}: ${errorText(err)}`);
        if (isFatal(err)) break;
      }
    }
    this.record({ seq, at, ok: false, error: errors.join('; '), source: 'loop' });
  }

  private insert(target: SqlTarget, seq: number): Promise<unknown> {
    return this.options.sql.execute(target, CANARY_SQL.insert, {
      drill_id: this.options.drillId,
      seq,
      region: target.region,
    });
  }

  private record(sample: CanarySample): CanarySample {
    this.all.push(sample);
    this.options.persist(sample);
    return sample;
  }
}

/** A window of failed writes: from the first failure to the next acknowledged write. */
export interface OutageWindow {
  readonly startedAt: number;
  /** Undefined while writes are still failing. */
  readonly endedAt?: number;
  readonly failedWrites: number;
}

/** Windows of consecutive failed canary writes, in time order. */
export function outageWindows(samples: readonly CanarySample[]): OutageWindow[] {
  const windows: OutageWindow[] = [];
  let open: { startedAt: number; failedWrites: number } | undefined;
  for (const s of [...samples].sort((a, b) => a.at - b.at || a.seq - b.seq)) {
    if (!s.ok) {
      if (open) open.failedWrites++;
      else open = { startedAt: s.at, failedWrites: 1 };
    } else if (open) {
      windows.push({ ...open, endedAt: s.at });
      open = undefined;
    }
  }
  if (open) windows.push(open);
  return windows;
}
