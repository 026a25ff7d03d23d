// A rehearsal scenario: what the templates cannot say (how long Aurora takes, how replication
// lags, how clients resolve names) and what goes wrong (faults on a timeline). Regions are named
// by role, never by name, so one scenario rehearses any topology the assembly holds.
//
// SKELETON (issue 15): the types are the shared contract between the simulation (world.ts),
// the runner (rehearsal.ts), the built-in scenarios (scenarios.ts) and the scenario file
// (docs/rehearsal.md). Extend with optional fields; do not rename.
import { TIMING_DEFAULTS } from '../../constructs/contract/timing';

/** A region by its role at the start of the rehearsal. */
export type RegionRole =
  /** The region that holds the writer when the rehearsal starts. */
  | 'writer'
  /** The drill's target: the first secondary that has an instance (or the scenario's choice). */
  | 'target'
  /** Every secondary that is not the target. */
  | 'others';

/** What AWS does that the templates do not say, with the default each assumption takes. */
export interface SimulationAssumptions {
  /** Aurora: request to the promoted writer, for a managed switchover or failover (ms). */
  readonly promotionMs: number;
  /** Part of the promotion before writes stop (switchover: writes continue meanwhile). */
  readonly pendingMs: number;
  /**
   * After the promotion, how long the global writer endpoint's DNS keeps answering the old
   * writer (ms).
   */
  readonly writerEndpointDnsDelayMs: number;
  /** Steady cross-region replication lag of every secondary (ms): RPO lag and replication lag. */
  readonly replicationLagMs: number;
  /** Route 53 health checkers that probe each HTTPS check (the API reports one per checker). */
  readonly healthCheckers: number;
  /**
   * How the client canary's names resolve:
   * - `worst-case`: a shared recursive resolver that fetched each answer just before Route 53
   *   changed it, so every change reaches the client one full TTL late (the last client of a
   *   population; an objective must hold for it);
   * - `stub`: only the client's own cache (no shared resolver): changes arrive within one TTL,
   *   depending on when the client last asked;
   * - `min-ttl`: a resolver that keeps every answer at least `resolverMinTtlSeconds`, whatever
   *   its TTL (a stale resolver: `cache-min-ttl` in Unbound, `min-cache-ttl` in dnsmasq).
   */
  readonly resolver: 'worst-case' | 'stub' | 'min-ttl';
  /** For `resolver: min-ttl`. */
  readonly resolverMinTtlSeconds?: number;
}

/**
 * A fault or a change on the scenario's timeline, `atSeconds` after it starts (the drill
 * starts `drill.startsAtSeconds` into it: at once by default), or, with `afterClientWrites`,
 * `atSeconds` after the client canary's nth acknowledged write through the write name.
 */
export type ScenarioEvent = {
  readonly atSeconds: number;
  /**
   * Wait for the drill's client canary: the event fires `atSeconds` after its nth client write
   * acknowledged through the write name (counted from the rehearsed drill's start), so an
   * outage strikes a writer the client was using and lost writes measure replication as a
   * client lives it. Never fires when the canary gets fewer acknowledgements.
   * @default - on the scenario's timeline
   */
  readonly afterClientWrites?: number;
} & (
  | {
      /** Database, service, control plane and health endpoints of the region are gone. */
      readonly kind: 'region-outage';
      readonly region: RegionRole;
    }
  | {
      /** The region is back: its old primary is rebuilt as a secondary of the new writer. */
      readonly kind: 'region-returns';
      readonly region: RegionRole;
    }
  | {
      /** Replication to the region lags `lagMs` for `forSeconds`. */
      readonly kind: 'lag-spike';
      readonly region: RegionRole;
      readonly lagMs: number;
      readonly forSeconds: number;
    }
  | {
      /** Every RDS API call in the region is throttled for `forSeconds` (after SDK retries). */
      readonly kind: 'rds-throttling';
      readonly region: RegionRole | 'all';
      readonly forSeconds: number;
      /** 1 throttles every call; 0.5 every second one. */
      readonly share: number;
    }
  | {
      /** The two regions cannot reach each other (replication, the service's writes). */
      readonly kind: 'partition';
      readonly between: readonly [RegionRole, RegionRole];
      readonly forSeconds?: number;
    }
  | {
      /** The region's cluster has no instance (scaled to zero, or deployed headless). */
      readonly kind: 'headless';
      readonly region: RegionRole;
    }
  | {
      /**
       * The region's synthesized alarms whose names start with `namePrefix` (every one when
       * unset) go to ALARM and stay there.
       */
      readonly kind: 'alarm';
      readonly region: RegionRole;
      readonly namePrefix?: string;
    }
);

/** The drill a scenario runs, as an operator would type it. */
export interface ScenarioDrill {
  readonly kind: 'switchover' | 'failover' | 'failback';
  /**
   * Failback only: first move the writer to the target (a failover, so the old region must
   * return and be rebuilt), then rehearse the failback to the primary region.
   */
  readonly after?: 'failover' | 'switchover';
  /**
   * Start despite failed preflight checks (`--force --reason <this>`), as an operator does
   * when the writer region is failing and the target lags.
   */
  readonly forceReason?: string;
  /**
   * When the operator starts the drill on the scenario's timeline (s): a fault that builds up
   * (a lag spike) is already there when the drill and its client canary start.
   * @default 0
   */
  readonly startsAtSeconds?: number;
}

/**
 * What the scenario expects of the drill, when it is not a move that meets the objectives.
 * `refusal`: the drill must refuse at preflight on exactly this check (its id, as
 * `drill preflight` prints it) and on no other; that refusal is the scenario's one verdict.
 */
export interface ScenarioExpectation {
  readonly refusal?: { readonly check: string };
}

export interface Scenario {
  /** Kebab-case, as `--scenario` takes it. */
  readonly name: string;
  /** One line for `--list`. */
  readonly summary: string;
  /** What it shows, for the report (a sentence or two). */
  readonly description: string;
  readonly drill: ScenarioDrill;
  /** Overrides of the default assumptions. */
  readonly assumptions?: Partial<SimulationAssumptions>;
  readonly events: readonly ScenarioEvent[];
  /** @default - the drill moves the writer and every objective is judged */
  readonly expect?: ScenarioExpectation;
}

/**
 * The defaults every scenario starts from (each documented in docs/rehearsal.md). `drill
 * rehearse` replaces `promotionMs` with the promotion estimate the assembly publishes (the
 * stacks' timing policy, behind the write RTO floor); this is the contract's default.
 */
export const DEFAULT_ASSUMPTIONS: SimulationAssumptions = {
  promotionMs: TIMING_DEFAULTS.promotionEstimateSeconds * 1000,
  pendingMs: 5_000,
  writerEndpointDnsDelayMs: 5_000,
  replicationLagMs: 1_000,
  healthCheckers: 16,
  resolver: 'worst-case',
};

/** One objective's verdict. */
export interface ObjectiveVerdict {
  /** `client write RTO`, `client read RTO`, `database RTO`, `RPO`, `writes resume`. */
  readonly objective: string;
  /** Measured value (ms), or null when there is no figure (the reason says why). */
  readonly measuredMs: number | null;
  readonly objectiveMs: number | null;
  readonly met: boolean;
  /** One line, as printed: `client write RTO 128 s <= 300 s: met`. */
  readonly line: string;
}

/** What one rehearsal measured, as `--json` prints it. */
export interface RehearsalResult {
  readonly scenario: string;
  readonly assembly: string;
  readonly drillId: string;
  readonly drillExitCode: number;
  readonly fromRegion: string;
  readonly targetRegion: string;
  readonly assumptions: SimulationAssumptions;
  readonly events: readonly ScenarioEvent[];
  readonly measures: {
    readonly clientWriteRtoMs: number | null;
    readonly clientReadRtoMs: number | null;
    readonly databaseRtoMs: number | null;
    /** Window of acknowledged writes lost (ms), 0 when none: the RPO verdict's figure. */
    readonly rpoMs: number | null;
    /** The drill's client canary's acknowledged writes lost. */
    readonly lostClientWrites: number | null;
    readonly writesResumed: boolean;
    /**
     * The application's client (a write a second from the scenario's start until the drill
     * ended): writes sent, acknowledged, and acknowledged but missing on the writer after the
     * drill, with their window (ms). Absent when the drill left no record.
     */
    readonly application?: {
      readonly sent: number;
      readonly acknowledged: number;
      readonly lost: number;
      readonly lostWindowMs: number;
    };
  };
  readonly verdicts: readonly ObjectiveVerdict[];
  /**
   * The preflight checks that failed and the drill was forced past (the scenario's
   * `drill.forceReason`); absent when none failed.
   */
  readonly forcedPastChecks?: readonly string[];
  /**
   * The events that never fired, as the report prints them (the drill ended first, or the
   * canary got fewer acknowledged writes than `afterClientWrites`); absent when all fired.
   */
  readonly eventsNotFired?: readonly string[];
  /** Every verdict met. */
  readonly passed: boolean;
  /** The drill's state directory for this rehearsal (record, journal, report). */
  readonly stateDir: string;
}
