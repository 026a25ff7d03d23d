/**
 * ARC Region switch API (2022-07-26), the operations this project calls.
 *
 * Protocol: AWS JSON 1.0, `X-Amz-Target: ArcRegionSwitch.<Operation>`, signed as
 * `arc-region-switch`. Endpoints (AWS General Reference, "Amazon Application Recovery
 * Controller (ARC) endpoints and quotas", Region switch): the data plane in every Region,
 * `arc-region-switch.<region>.api.aws`; the control plane only in us-east-1,
 * `arc-region-switch-control-plane.us-east-1.api.aws`. Executions run on the data plane of the
 * Region being activated (ARC Developer Guide, "Data and control planes for Region switch").
 *
 * @see https://docs.aws.amazon.com/arc-region-switch/latest/api/Welcome.html
 */
import type { MetadataBearer } from '@smithy/types';
import { ARC_CONTROL_PLANE_REGION } from '../contract/names';
import {
  JsonCommand,
  type JsonRequest,
  SignedJsonClient,
  type SignedJsonClientConfig,
} from './signed-json-client';

export { ARC_CONTROL_PLANE_REGION };

export type ExecutionAction = 'activate' | 'deactivate' | 'postRecovery';
export type ExecutionMode = 'graceful' | 'ungraceful';
export type ExecutionState =
  | 'inProgress'
  | 'pausedByFailedStep'
  | 'pausedByOperator'
  | 'completed'
  | 'completedWithExceptions'
  | 'canceled'
  | 'planExecutionTimedOut'
  | 'pendingManualApproval'
  | 'failed'
  | 'pending'
  | 'completedMonitoringApplicationHealth';
export type StepStatus =
  'notStarted' | 'running' | 'failed' | 'completed' | 'canceled' | 'skipped' | 'pendingApproval';

/** One step of an execution (`StepState`). */
export interface StepState {
  readonly name?: string;
  readonly status?: StepStatus;
  readonly startTime?: number | string;
  readonly endTime?: number | string;
  readonly stepMode?: ExecutionMode;
}

/** One execution event (`ExecutionEvent`). */
export interface ExecutionEvent {
  readonly eventId: string;
  readonly timestamp?: number | string;
  readonly type?: string;
  readonly stepName?: string;
  readonly executionBlockType?: string;
  readonly resources?: readonly string[];
  readonly error?: string;
  readonly description?: string;
  readonly previousEventId?: string;
}

/** One Route 53 health check ARC manages for a plan (`Route53HealthCheck`). */
export interface ArcRoute53HealthCheck {
  readonly hostedZoneId: string;
  readonly recordName: string;
  readonly region: string;
  readonly healthCheckId?: string;
  readonly status?: 'healthy' | 'unhealthy' | 'unknown';
}

/** One warning of a plan evaluation (`ResourceWarning`). */
export interface ResourceWarning {
  readonly workflow?: {
    readonly workflowTargetAction?: string;
    readonly workflowTargetRegion?: string;
  };
  readonly stepName?: string;
  readonly resourceArn?: string;
  readonly version?: string;
  readonly actualValue?: string;
  readonly expectedValue?: string;
  readonly warningStatus?: 'active' | 'resolved';
  readonly warningUpdatedTime?: number | string;
  readonly warningMessage?: string;
}

export interface StartPlanExecutionInput {
  readonly planArn: string;
  readonly targetRegion: string;
  readonly action: ExecutionAction;
  readonly mode?: ExecutionMode;
  readonly comment?: string;
  readonly latestVersion?: string;
  readonly recoveryExecutionId?: string;
}
export interface StartPlanExecutionOutput extends MetadataBearer {
  readonly executionId?: string;
  readonly plan?: string;
  readonly planVersion?: string;
  readonly activateRegion?: string;
  readonly deactivateRegion?: string;
}

export interface GetPlanExecutionInput {
  readonly planArn: string;
  readonly executionId: string;
  readonly maxResults?: number;
  readonly nextToken?: string;
}
export interface GetPlanExecutionOutput extends MetadataBearer {
  readonly executionId?: string;
  readonly planArn?: string;
  readonly version?: string;
  readonly comment?: string;
  readonly executionState?: ExecutionState;
  readonly executionAction?: ExecutionAction;
  readonly executionMode?: ExecutionMode;
  readonly executionRegion?: string;
  readonly startTime?: number | string;
  readonly endTime?: number | string;
  readonly stepStates?: readonly StepState[];
  readonly nextToken?: string;
}

export interface ListPlanExecutionEventsInput {
  readonly planArn: string;
  readonly executionId: string;
  readonly name?: string;
  readonly maxResults?: number;
  readonly nextToken?: string;
}
export interface ListPlanExecutionEventsOutput extends MetadataBearer {
  readonly items?: readonly ExecutionEvent[];
  readonly nextToken?: string;
}

export interface ApprovePlanExecutionStepInput {
  readonly planArn: string;
  readonly executionId: string;
  readonly stepName: string;
  readonly approval: 'approve' | 'decline';
  readonly comment?: string;
}
export type ApprovePlanExecutionStepOutput = MetadataBearer;

export interface UpdatePlanExecutionInput {
  readonly planArn: string;
  readonly executionId: string;
  readonly action: 'switchToGraceful' | 'switchToUngraceful' | 'pause' | 'resume';
  readonly comment?: string;
}
export type UpdatePlanExecutionOutput = MetadataBearer;

export interface CancelPlanExecutionInput {
  readonly planArn: string;
  readonly executionId: string;
  readonly comment?: string;
}
export type CancelPlanExecutionOutput = MetadataBearer;

export interface GetPlanInRegionInput {
  readonly arn: string;
}
export interface GetPlanInRegionOutput extends MetadataBearer {
  readonly plan?: Readonly<Record<string, unknown>>;
}

export interface GetPlanEvaluationStatusInput {
  readonly planArn: string;
  readonly maxResults?: number;
  readonly nextToken?: string;
}
export interface GetPlanEvaluationStatusOutput extends MetadataBearer {
  readonly planArn?: string;
  readonly lastEvaluationTime?: number | string;
  readonly lastEvaluatedVersion?: string;
  readonly region?: string;
  readonly evaluationState?: 'passed' | 'actionRequired' | 'pendingEvaluation' | 'unknown';
  readonly warnings?: readonly ResourceWarning[];
  readonly nextToken?: string;
}

export interface ListRoute53HealthChecksInput {
  readonly arn: string;
  readonly hostedZoneId?: string;
  readonly recordName?: string;
  readonly maxResults?: number;
  readonly nextToken?: string;
}
export interface ListRoute53HealthChecksOutput extends MetadataBearer {
  readonly healthChecks?: readonly ArcRoute53HealthCheck[];
  readonly nextToken?: string;
}

type ArcInput =
  | StartPlanExecutionInput
  | GetPlanExecutionInput
  | ListPlanExecutionEventsInput
  | ApprovePlanExecutionStepInput
  | UpdatePlanExecutionInput
  | CancelPlanExecutionInput
  | GetPlanInRegionInput
  | GetPlanEvaluationStatusInput
  | ListRoute53HealthChecksInput;
type ArcOutput = MetadataBearer;

/** Settings of an ARC Region switch client. */
export interface ArcRegionSwitchClientConfig extends SignedJsonClientConfig {
  /**
   * Send control-plane operations (`ListRoute53HealthChecks`) to the control plane in
   * us-east-1. Data-plane operations always go to `region`.
   *
   * @default false
   */
  readonly controlPlane?: boolean;
}

/** ARC Region switch: data plane in `region`, control plane in us-east-1. */
export class ArcRegionSwitchClient extends SignedJsonClient<ArcInput, ArcOutput> {
  constructor(config: ArcRegionSwitchClientConfig) {
    super(
      config,
      { clientName: 'ArcRegionSwitchClient', signingName: 'arc-region-switch' },
      '2022-07-26',
      (region, plane) =>
        plane === 'control'
          ? {
              hostname: `arc-region-switch-control-plane.${ARC_CONTROL_PLANE_REGION}.api.aws`,
              signingRegion: ARC_CONTROL_PLANE_REGION,
            }
          : { hostname: `arc-region-switch.${region}.api.aws`, signingRegion: region },
    );
  }
}

/** An AWS JSON 1.0 operation of ARC Region switch. */
abstract class ArcCommand<I extends object, O extends MetadataBearer> extends JsonCommand<I, O> {
  protected readonly plane: 'data' | 'control' = 'data';

  protected request(input: I): JsonRequest {
    return {
      method: 'POST',
      path: '/',
      plane: this.plane,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `ArcRegionSwitch.${this.operation}`,
      },
      body: input,
    };
  }
}

export class StartPlanExecutionCommand extends ArcCommand<
  StartPlanExecutionInput,
  StartPlanExecutionOutput
> {
  readonly operation = 'StartPlanExecution';
}
export class GetPlanExecutionCommand extends ArcCommand<
  GetPlanExecutionInput,
  GetPlanExecutionOutput
> {
  readonly operation = 'GetPlanExecution';
}
export class ListPlanExecutionEventsCommand extends ArcCommand<
  ListPlanExecutionEventsInput,
  ListPlanExecutionEventsOutput
> {
  readonly operation = 'ListPlanExecutionEvents';
}
export class ApprovePlanExecutionStepCommand extends ArcCommand<
  ApprovePlanExecutionStepInput,
  ApprovePlanExecutionStepOutput
> {
  readonly operation = 'ApprovePlanExecutionStep';
}
export class UpdatePlanExecutionCommand extends ArcCommand<
  UpdatePlanExecutionInput,
  UpdatePlanExecutionOutput
> {
  readonly operation = 'UpdatePlanExecution';
}
export class CancelPlanExecutionCommand extends ArcCommand<
  CancelPlanExecutionInput,
  CancelPlanExecutionOutput
> {
  readonly operation = 'CancelPlanExecution';
}
export class GetPlanInRegionCommand extends ArcCommand<
  GetPlanInRegionInput,
  GetPlanInRegionOutput
> {
  readonly operation = 'GetPlanInRegion';
}
export class GetPlanEvaluationStatusCommand extends ArcCommand<
  GetPlanEvaluationStatusInput,
  GetPlanEvaluationStatusOutput
> {
  readonly operation = 'GetPlanEvaluationStatus';
}
/** Data plane: the health checks ARC created for a plan, with their status. */
export class ListRoute53HealthChecksInRegionCommand extends ArcCommand<
  ListRoute53HealthChecksInput,
  ListRoute53HealthChecksOutput
> {
  readonly operation = 'ListRoute53HealthChecksInRegion';
}
/** Control plane (us-east-1): the health checks ARC created for a plan. */
export class ListRoute53HealthChecksCommand extends ArcCommand<
  ListRoute53HealthChecksInput,
  ListRoute53HealthChecksOutput
> {
  readonly operation = 'ListRoute53HealthChecks';
  protected readonly plane = 'control' as const;
}
