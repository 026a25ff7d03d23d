/** The three drills. */
export type DrillKind = 'switchover' | 'failover' | 'failback';

export const DRILL_KINDS: readonly DrillKind[] = ['switchover', 'failover', 'failback'];

/**
 * Who moves the writer: the drill's own steps (`native`) or an ARC Region switch plan execution
 * (`arc`), which the drill starts, watches and measures.
 */
export type DrillEngine = 'native' | 'arc';

export const DRILL_ENGINES: readonly DrillEngine[] = ['native', 'arc'];

/** What a drill was started with; journaled first, so `resume` continues the same drill. */
export interface DrillParams {
  readonly drillId: string;
  readonly kind: DrillKind;
  /** The writer region when the drill started. */
  readonly fromRegion: string;
  readonly targetRegion: string;
  readonly allowDataLoss: boolean;
  /** `arc` with `--engine arc`; absent: the native engine (and every journal older than it). */
  readonly engine?: 'arc';
  /** Set when the operator started despite failed preflight checks. */
  readonly forceReason?: string;
}

/** Per-run timing settings (not part of the drill's identity: resume may change them). */
export interface Timing {
  readonly pollIntervalMs: number;
  readonly stepTimeoutMs: number;
  /** Overrides of `stepTimeoutMs` by step id. */
  readonly stepTimeoutsMs: Readonly<Record<string, number>>;
  readonly canaryIntervalMs: number;
  /** false: the operator turned the client canary off (`--no-client-canary`); absent: on. */
  readonly clientCanary?: false;
}

export const DEFAULT_TIMING: Timing = {
  pollIntervalMs: 10_000,
  stepTimeoutMs: 15 * 60_000,
  stepTimeoutsMs: {},
  canaryIntervalMs: 1_000,
};

export function timeoutFor(timing: Timing, stepId: string): number {
  return timing.stepTimeoutsMs[stepId] ?? timing.stepTimeoutMs;
}

/** One canary write: acknowledged by a region, or failed. */
export interface CanarySample {
  readonly seq: number;
  /** When the write was attempted (ms since epoch). */
  readonly at: number;
  readonly ok: boolean;
  /** The region whose writer acknowledged it. */
  readonly region?: string;
  readonly error?: string;
  readonly source: 'loop' | 'verify';
}
