import type { ClientLogEntry, ClientPath, HealthObservation } from './client-model';
import type { DrillKind, Timing } from './model';
import type { CheckResult } from './preflight';
import type { RehearsalFindings, RehearsalMarker } from './record-rehearsal';
import type { AnyStepDetails, FailoverSnapshot } from './steps/outcomes';
import type { AbandonedEntry, JournalHeader, OperatorIdentity } from './store';

// The shape of record.json (version 2): what a drill leaves for auditors and reports.
/** How one run of a step ended; `running` only when the caller saw the drill's process alive. */
export type RunStatus = 'completed' | 'skipped' | 'failed' | 'interrupted' | 'running';

export type StepStatus = RunStatus | 'pending';

/** One run of a step: a drill runs a step again on resume after it failed or was interrupted. */
export interface StepRun {
  /** The attempt (1: the start, 2 and on: each resume) the run belongs to. */
  readonly attempt: number;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly summary?: string;
  readonly error?: { readonly code: string; readonly message: string };
  /** A failed run the drill ran again after this pause (a transient AWS error, time left). */
  readonly retryInMs?: number;
}

export interface StepRecord {
  readonly id: string;
  readonly title: string;
  /** The status of the last run. */
  readonly status: StepStatus;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  /** Runs of the step: more than one after a failure or crash and a resume. */
  readonly attempts: number;
  /** Every run, oldest first, the failed and interrupted ones included. */
  readonly runs: readonly StepRun[];
  readonly summary?: string;
  readonly details?: AnyStepDetails;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface StopError {
  readonly code: string;
  readonly message: string;
  /** "State: ..." and what to do next, as the CLI printed it. */
  readonly hint?: string;
}

/**
 * How an attempt ended. `step`: the step that failed or was in progress; `afterStep`: the last
 * step that ended, when no step was in progress.
 */
export type AttemptEnd =
  | { readonly how: 'finished'; readonly at: string }
  | {
      readonly how: 'stopped';
      readonly at: string;
      readonly step?: string;
      readonly afterStep?: string;
      readonly error: StopError;
    }
  | { readonly how: 'interrupted'; readonly step?: string; readonly afterStep?: string }
  | {
      readonly how: 'running';
      readonly step?: string;
      readonly afterStep?: string;
      readonly runningIn: RunningProcess;
    };

/** One process's run of the drill: the start, then one per `drill resume`. */
export interface AttemptRecord {
  readonly attempt: number;
  readonly began: 'started' | 'resumed';
  readonly at: string;
  readonly pid: number;
  readonly host: string;
  /** The STS caller identity, when the journal recorded it. */
  readonly operator?: OperatorIdentity;
  /** The attempt's last journal entry: the last sign of life of an interrupted process. */
  readonly lastEntryAt: string;
  readonly ended: AttemptEnd;
}

/**
 * The promote step as it happened. `accepted`: AWS accepted this drill's request (the step
 * completed, or a later run found Aurora already moving, or done moving, to the target after an
 * earlier run had sent it). `failed`: its last run failed. `interrupted`: the process stopped
 * inside the step, so whether the request reached AWS is unknown. `not-requested`: skipped with
 * no request from this drill (the target was already the writer or being promoted).
 * `pending`: the step has not run.
 */
export interface PromotionRecord {
  readonly status: 'accepted' | 'failed' | 'interrupted' | 'running' | 'not-requested' | 'pending';
  /** When this drill sent the request; only when accepted. */
  readonly requestedAt?: string;
  /** When the drill was about to send a request that was not accepted (failed or unknown). */
  readonly requestAttemptedAt?: string;
  /** `LAG_METRICS.rpo` of the target read just before the request: null if not reported, absent if never read. */
  readonly rpoLagMsBeforeRequest?: number | null;
  /** The last run's summary (for a skip: what it found). */
  readonly summary?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface DrillMeasures {
  /**
   * Longest window from a failed canary write to the next acknowledged one. Null without a
   * failed write, and when not measured: the new writer has not taken a write (verify-writes did
   * not complete) or writes were still failing when the canary stopped.
   */
  readonly clientRtoMs: number | null;
  readonly outageWindows: readonly {
    readonly startedAt: string;
    readonly endedAt?: string;
    readonly durationMs?: number;
    readonly failedWrites: number;
  }[];
  readonly canaryWrites: number;
  readonly canaryFailures: number;
  /** Canary rows acknowledged but missing on the new writer; null until verify-writes completed. */
  readonly lostRows: readonly number[] | null;
  /**
   * Unplanned failover only: Aurora's point-of-failure snapshot of the old primary and the
   * drill's manual copy, or why there is none; null until step keep-failover-snapshot ended;
   * absent when the drill's plan has no such step.
   */
  readonly failoverSnapshot?: FailoverSnapshot | null;
  /** Only when the promotion was accepted; see `promotion` for a failed one. */
  readonly rpoLagMsAtPromotion: number | null;
  /** Only when the promotion was accepted. */
  readonly promotedAt?: string;
  /** Absent for a drill without a promote step. */
  readonly promotion?: PromotionRecord;
  /** What the client canary lived (`client.jsonl`); absent for a drill without a client log. */
  readonly client?: ClientMeasures;
  /**
   * Why there are no client-level figures when the operator ran the drill (its last run) with
   * `--no-client-canary`; absent otherwise.
   */
  readonly clientNotMeasured?: string;
}

/** A window in which a client path failed, closed by the next success. */
export interface ClientOutage {
  readonly startedAt: string;
  /** The first success after it; absent when the canary stopped while it was still failing. */
  readonly endedAt?: string;
  readonly durationMs?: number;
  readonly failed: number;
}

/**
 * A client RTO: the longest outage. Null with `reason`: `no-failure` (nothing failed),
 * `still-failing` (the canary stopped inside an outage: it never recovered), `no-requests`
 * (the canary sent none on this path: not measured).
 */
export interface ClientRto {
  readonly ms: number | null;
  readonly reason?: 'no-failure' | 'still-failing' | 'no-requests';
  readonly outages: readonly ClientOutage[];
}

/** Reads whose cached answer named `region` failed, until the next successful read (any region). */
export interface ClientReadRto extends ClientRto {
  readonly region: string;
}

/** One acknowledged client write the new writer does not have. */
export interface LostClientWrite {
  readonly seq: number;
  readonly itemId?: string;
  /** When it was sent; absent when the client log has no request of that seq. */
  readonly at?: string;
  /** The region that acknowledged it. */
  readonly region?: string;
}

/**
 * The last client write acknowledged before the promotion was requested. In a planned drill the
 * fence stops acknowledged writes well before the promotion, so a zero loss says the drill's
 * order held, not that the database cannot lose writes.
 */
export interface LastAcknowledgedWrite {
  readonly seq: number;
  /** When the response came (sent + latency). */
  readonly acknowledgedAt: string;
  /** The promotion request minus the acknowledgement. */
  readonly beforePromotionMs: number;
  /** The region that acknowledged it (the service's answer), else the one DNS named. */
  readonly region?: string;
}

/** Measured RPO: the acknowledged client writes missing after the move. */
export interface ClientDataLoss {
  readonly count: number;
  readonly writes: readonly LostClientWrite[];
  /** First and last `at` of the missing writes. */
  readonly firstAt?: string;
  readonly lastAt?: string;
  /** The newest acknowledged write the new writer still has, sent before the last one lost. */
  readonly keptAt?: string;
  /**
   * The time of data lost: from `keptAt` (the replication point as the client saw it) to the
   * last lost write; without a kept write, from the first lost to the last (a lower bound).
   */
  readonly windowMs?: number;
  /** Client writes the service had acknowledged when verify-writes looked. */
  readonly acknowledged?: number;
}

/** One change of a name's answer in the canary's cache, next to the health flip before it. */
export interface DnsAnswerChange {
  readonly at: string;
  readonly fromRegion?: string;
  readonly toRegion?: string;
  readonly fromTarget?: string;
  readonly toTarget?: string;
  /** The TTL the old answer had when the cache took it: the most a cache may add. */
  readonly previousTtlSeconds: number;
  /** The last health check flip of the regions involved before the change, if any. */
  readonly healthFlip?: HealthFlip;
  /** The change minus that flip: what the caches (at most one TTL) and Route 53 added. */
  readonly delayMs?: number;
}

/** One public name's answers over the drill. */
export interface DnsCutover {
  readonly path: ClientPath;
  readonly name: string;
  readonly changes: readonly DnsAnswerChange[];
  readonly failedQueries: number;
  /** The largest TTL any answer of the name carried: the record's TTL, as far as the canary saw. */
  readonly ttlSeconds: number;
}

/** A Route 53 health check that changed state (not its first reading). */
export interface HealthFlip {
  readonly at: string;
  readonly healthCheckId: string;
  readonly region: string;
  readonly check: HealthObservation['check'];
  readonly healthy: boolean;
  readonly succeeding: number;
  readonly reporting: number;
}

/** One client request as a mark on the timeline. */
export interface ClientRequestMark {
  readonly at: string;
  readonly path: ClientPath;
  readonly ok: boolean;
  readonly status?: number;
  readonly targetRegion?: string;
}

export interface ClientRequestCounts {
  readonly writes: number;
  readonly writeFailures: number;
  readonly reads: number;
  readonly readFailures: number;
  /** Responses by HTTP status; `none` for requests that got no response (DNS, connect, timeout). */
  readonly statuses: Readonly<Record<string, number>>;
}

/** The client-level measures, from the client canary's log and the journal's moments. */
export interface ClientMeasures {
  readonly requests: ClientRequestCounts;
  /** First failed client write to the first acknowledged one after (the longest such window). */
  readonly writeRto: ClientRto;
  /** One per region that lost read service (a failed read answered to it). */
  readonly readRto: readonly ClientReadRto[];
  /** Null until verify-writes completed and counted the client writes on the new writer. */
  readonly dataLoss: ClientDataLoss | null;
  readonly rpoLagMsAtPromotion: number | null;
  readonly promotedAt?: string;
  /** Only when a promotion was accepted; null when no client write was acknowledged before it. */
  readonly lastAcknowledgedBeforePromotion?: LastAcknowledgedWrite | null;
  /** When the drill saw the target hold the writer (step wait-writer ended). */
  readonly writerMovedAt?: string;
  readonly dns: readonly DnsCutover[];
  readonly healthFlips: readonly HealthFlip[];
  readonly marks: readonly ClientRequestMark[];
}

/** The auditable record of one drill, derived from its journal and canary log only. */
export interface DrillRecord {
  readonly version: 2;
  readonly drillId: string;
  readonly kind: DrillKind;
  readonly globalClusterIdentifier: string;
  readonly fromRegion: string;
  readonly targetRegion: string;
  readonly homeRegion: string;
  /**
   * `stopped`: the drill wrote why it stopped; `interrupted`: the journal ends mid-drill and no
   * process runs it (it died, or its host went away); `running`: only when the caller saw the
   * process that runs it alive.
   */
  readonly outcome: 'succeeded' | 'stopped' | 'interrupted' | 'running' | 'abandoned';
  /** `drill abandon`: who gave the drill up, why, and the state it was left in. */
  readonly abandoned?: Omit<AbandonedEntry, 'type' | 'at'> & { readonly at: string };
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly totalMs?: number;
  readonly forceReason?: string;
  /** Why the last attempt stopped. */
  readonly error?: StopError;
  /** What to do with an interrupted drill (a stopped one has it in `error.hint`). */
  readonly next?: string;
  readonly resumedAt: readonly string[];
  /** Every attempt, oldest first: the start and each resume. */
  readonly attempts: readonly AttemptRecord[];
  readonly timing: Timing;
  readonly objectives: JournalHeader['objectives'];
  readonly preflight?: readonly CheckResult[];
  readonly steps: readonly StepRecord[];
  readonly measures: DrillMeasures;
  /** A rehearsal's drill (journal header): the scenario and its assumptions; absent for AWS. */
  readonly rehearsal?: RehearsalMarker;
}

/** A live process that runs the drill now, e.g. the holder of its lock. */
export interface RunningProcess {
  readonly pid: number;
  readonly host: string;
}

export interface RecordOptions {
  /**
   * Set only by a caller that saw the drill's process alive now. The journal cannot tell a
   * running drill from a dead one: without this, a journal that ends mid-drill is interrupted.
   */
  readonly runningIn?: RunningProcess;
  /** The client canary's log (`DrillStore.client`); empty or absent: no client measures. */
  readonly client?: readonly ClientLogEntry[];
  /** A rehearsal's findings (`DrillStore.rehearsalFindings`), put on the record's rehearsal. */
  readonly rehearsalFindings?: RehearsalFindings;
}
