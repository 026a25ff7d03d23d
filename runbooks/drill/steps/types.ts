import type { DrillAws } from '../aws/ports';
import type { AwsOperation } from '../aws/operations';
import type { CanaryControl } from '../canary';
import type { Clock } from '../clock';
import type { DrillTopology, RegionTopology } from '../discovery';
import type { DrillEngine, DrillKind, DrillParams, Timing } from '../model';
import type { StepDetails, StepId, StepOutcomes } from './outcomes';

export type { StepDetails, StepId };

/** The regions and names a plan acts on: real values, or placeholders for the runbooks. */
export interface PlanView {
  readonly kind: DrillKind;
  readonly from: RegionTopology;
  readonly target: RegionTopology;
  readonly globalClusterIdentifier: string;
  readonly hostedZoneId: string;
  readonly writeHostname: string;
  readonly databaseName: string;
  readonly rpoSeconds: number;
  /** The RPO as text: `30 s`, or a placeholder in the runbooks. */
  readonly rpoLabel: string;
  /** Region of the Route 53 calls. */
  readonly homeRegion: string;
  /** Every member region (the managed-RPO policy depends on how many there are). */
  readonly regions: readonly RegionTopology[];
  /** `--engine arc`: the ARC Region switch plan of the pair, and how it is run. */
  readonly arc?: ArcPlanView;
  /** The names of the ARC Region switch plans of the outputs (their health checks are read). */
  readonly regionSwitchPlans?: readonly string[];
}

/** The plan an ARC drill executes, from the `DrillRegionSwitch` output. */
export interface ArcPlanView {
  readonly planArn: string;
  readonly planName: string;
  /** Where the execution is started and polled: the data plane of the region being activated. */
  readonly region: string;
  readonly mode: 'graceful' | 'ungraceful';
  readonly approvalStepName?: string;
  readonly reportBucketName: string;
  /** The plan's key prefix in the bucket (DrillRegionSwitch `reportPrefix`). */
  readonly reportPrefix?: string;
}

/** One AWS call a step makes, as the dry run and the runbooks show it. */
export interface PlannedCall {
  readonly operation: AwsOperation;
  readonly region: string;
  readonly parameters: Readonly<Record<string, string>>;
  /** When the call is made, if not always. */
  readonly when?: string;
}

export interface StepResult<K extends StepId = StepId> {
  readonly status: 'completed' | 'skipped';
  /** One line for the progress output, the journal and the report. */
  readonly summary: string;
  /** The step's typed outcome, journaled with its end. */
  readonly details?: StepDetails<K>;
}

/** What a step may use. Steps are functions of this, never of SDK clients. */
export interface StepContext<K extends StepId = StepId> {
  readonly params: DrillParams;
  readonly plan: PlanView;
  readonly topology: DrillTopology;
  /** Only the operations the step declares in `calls` (tests fail any other: see step-scope.ts). */
  readonly aws: DrillAws;
  readonly clock: Clock;
  readonly timing: Timing;
  /**
   * Why this run (the start, or this resume) was forced past failed gates, if it was: the
   * gates a step applies itself (lag at promotion) are waived only with a recorded reason.
   */
  readonly forceReason?: string;
  /** This step's timeout. */
  readonly timeoutMs: number;
  readonly canary: CanaryControl;
  progress(message: string): void;
  /** The journaled outcome of an earlier step of this drill (notes and end merged), if any. */
  earlier<E extends keyof StepOutcomes>(id: E): Partial<StepOutcomes[E]> | undefined;
  /** When an earlier step of this drill completed (ms since epoch), if it did. */
  finishedAt?(id: StepId): number | undefined;
  /** Journals part of the outcome at once, before the step ends, so a crash does not lose it. */
  note(details: StepDetails<K>): void;
  /**
   * Asks the operator as the drill's start did (the target region typed, or `--yes`); throws
   * NOT_CONFIRMED when refused. Absent where nobody can be asked (tests of single steps).
   */
  confirm?(what: string): Promise<void>;
  /** `drill resume --ungraceful`: switch a running ARC execution to ungraceful. */
  readonly switchToUngraceful?: boolean;
}

/**
 * One step of a drill. The executor runs `run`; the dry run prints `calls`; the runbooks
 * are rendered from all of it, so the three never drift apart. `calls` is also the step's
 * declaration of the AWS operations it may make: tests fail a call outside it.
 */
export interface StepDefinition<K extends StepId = StepId> {
  readonly id: K;
  readonly kinds: readonly DrillKind[];
  /** The engines whose plans have this step; absent: both. */
  readonly engines?: readonly DrillEngine[];
  title(plan: PlanView): string;
  readonly purpose: string;
  calls(plan: PlanView): PlannedCall[];
  /** What the step verifies before and after acting (it is idempotent: see the first check). */
  checks(plan: PlanView): string[];
  /** The state the drill is left in if this step fails, and what to do. */
  ifItFails(plan: PlanView): string;
  /** Canary writes run during this step. */
  readonly underCanary: boolean;
  run(ctx: StepContext<K>): Promise<StepResult<K>>;
}

/** Any step, whatever its id (the plans are lists of these). */
export type AnyStep = { [K in StepId]: StepDefinition<K> }[StepId];

export function call(
  operation: AwsOperation,
  region: string,
  parameters: Record<string, string>,
  when?: string,
): PlannedCall {
  return { operation, region, parameters, ...(when ? { when } : {}) };
}
