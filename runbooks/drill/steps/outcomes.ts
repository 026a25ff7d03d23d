import type { CheckResult } from '../preflight';
import type { ArcEventView } from '../aws/ports';

export type StepId =
  | 'preflight'
  | 'prepare-canary'
  | 'ready-target'
  | 'rejoin-rpo'
  | 'fence'
  | 'promote'
  | 'arc-execution'
  | 'wait-writer'
  | 'verify-traffic'
  | 'verify-writes'
  | 'verify-client-writes'
  | 'keep-failover-snapshot'
  | 'align-rpo'
  | 'return-old-writer'
  | 'settle-rpo'
  | 'clean-canary';

/** What the drill did with one member's `rds.global_db_rpo`: journaled, reported. */
export interface RpoAlignment {
  readonly region: string;
  readonly parameterGroup: string;
  /** What the policy decided, and why. */
  readonly enforce: boolean;
  readonly reason: string;
  /** The RPO the group enforced before (seconds), or null when it did not. */
  readonly before: number | null;
  readonly action: 'set' | 'cleared' | 'unchanged';
}

/**
 * The point-of-failure snapshot after an unplanned failover: copied (source and copy ids), not
 * found (Aurora takes it best effort), or not copied, with the reason.
 */
export interface FailoverSnapshot {
  readonly status: 'copying' | 'copied' | 'not-found' | 'copy-failed';
  /** Aurora's `rds:unplanned-global-failover-*` snapshot of the old primary. */
  readonly source?: string;
  /** The drill's manual copy. */
  readonly copy?: string;
  readonly copyArn?: string;
  readonly reason?: string;
  /** What the operator does later. */
  readonly next?: string;
}

/** One step of the ARC execution as the drill last saw it. */
export interface ArcStepRecord {
  readonly name: string;
  readonly status: string;
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly mode?: string;
}

/** One event of the ARC execution (ListPlanExecutionEvents), journaled as the port reads it. */
export type ArcEventRecord = ArcEventView;

/** What the arc-execution step journals: the execution, its steps and events, the report. */
export interface ArcExecutionOutcome {
  readonly planArn?: string;
  readonly planName?: string;
  /** The data plane every call went to: the region being activated. */
  readonly arcRegion?: string;
  readonly mode?: 'graceful' | 'ungraceful';
  /** Noted right before StartPlanExecution: with no executionId after it, the id was lost. */
  readonly startRequestedAt?: number;
  readonly executionId?: string;
  /** The execution's state at the last poll. */
  readonly executionState?: string;
  readonly arcSteps?: readonly ArcStepRecord[];
  readonly arcEvents?: readonly ArcEventRecord[];
  /** Manual approval steps this drill approved, and when. */
  readonly approvals?: readonly { readonly step: string; readonly at: number }[];
  /** When `drill resume --ungraceful` switched the execution (UpdatePlanExecution). */
  readonly switchedToUngracefulAt?: number;
  /** The Aurora block's start and end (its events): the promotion as the record measures it. */
  readonly promotedAt?: number;
  readonly writerMovedAt?: number;
  /** `LAG_METRICS.rpo` of the target read right before StartPlanExecution; null when not reported. */
  readonly rpoLagMsAtPromotion?: number | null;
  /** Where ARC writes the execution report (the plan's report bucket). */
  readonly reportLocation?: string;
}

/** One delete of the cleanup that failed, and the command that runs it by hand. */
export interface CanaryLeftover {
  /** What is left: `canary rows`, `client idempotency records` or `client items`. */
  readonly what: string;
  readonly error: string;
  readonly command: string;
}

/** The managed-RPO steps: each group as aligned so far (notes), and the healthy secondaries (end). */
export interface RpoOutcome {
  readonly rpo?: readonly RpoAlignment[];
  readonly healthySecondaries?: readonly string[];
}

/**
 * The typed outcome of each step, as the journal holds it under `details` of the step's
 * entries (notes and end merged, in order). The JSON keys are those the drill has always
 * written, so journals of older drills read into the same types. Steps without an entry
 * journal no details.
 */
export interface StepOutcomes {
  readonly preflight: {
    readonly checks?: readonly CheckResult[];
    /** `--force --reason`: started although checks failed. */
    readonly forced?: string;
  };
  readonly fence: {
    /** Fencing failed and the failover went on (--allow-data-loss). */
    readonly fenceFailed?: string;
  };
  readonly promote: {
    /** Noted right before the request: kept in the record only when AWS accepted it. */
    readonly promotedAt?: number;
    /** `LAG_METRICS.rpo` of the target read just before; null when not reported. */
    readonly rpoLagMsAtPromotion?: number | null;
    /** The lag gate that `--force --reason` waived, and the reason. */
    readonly lagWaived?: string;
    readonly forceReason?: string;
  };
  readonly 'arc-execution': ArcExecutionOutcome;
  readonly 'verify-writes': {
    readonly verifiedSeq?: number;
    readonly acknowledgedRows?: number;
    /** Canary rows acknowledged before the move but missing on the new writer. */
    readonly lostRows?: readonly number[];
    /** Client canary writes (their `seq`) acknowledged by the service but missing on the new writer. */
    readonly lostClientWrites?: readonly number[];
    /** How many client canary writes the service had acknowledged when the step looked. */
    readonly acknowledgedClientWrites?: number;
  };
  readonly 'verify-client-writes': {
    /** When the first client write acknowledged by the target after the move was sent (ms since epoch). */
    readonly firstClientWriteAt?: number;
    /** The region that acknowledged it (the target). */
    readonly region?: string;
    /** From the writer moving (wait-writer's end) to that write. */
    readonly sinceWriterMovedMs?: number;
  };
  readonly 'keep-failover-snapshot': { readonly snapshot?: FailoverSnapshot };
  readonly 'clean-canary': {
    /** What the cleanup deleted (each DELETE that succeeded). */
    readonly cleaned?: readonly string[];
    /** What it could not delete; absent when everything was deleted. */
    readonly notCleaned?: readonly CanaryLeftover[];
  };
  readonly 'rejoin-rpo': RpoOutcome;
  readonly 'align-rpo': RpoOutcome;
  readonly 'settle-rpo': RpoOutcome;
}

/** The outcome of step `K`; steps without one journal nothing (`never`). */
export type StepDetails<K extends StepId> = K extends keyof StepOutcomes ? StepOutcomes[K] : never;

/**
 * Every outcome field of every step, optional: what a reader of a step of unknown id may
 * find (the record's `details`). The fields of different steps do not share names.
 */
export type AnyStepDetails = StepOutcomes['preflight'] &
  StepOutcomes['fence'] &
  StepOutcomes['promote'] &
  StepOutcomes['verify-writes'] &
  StepOutcomes['verify-client-writes'] &
  StepOutcomes['keep-failover-snapshot'] &
  Omit<ArcExecutionOutcome, 'promotedAt' | 'rpoLagMsAtPromotion'> &
  StepOutcomes['clean-canary'] &
  RpoOutcome;
