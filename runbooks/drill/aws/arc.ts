import {
  ApprovePlanExecutionStepCommand,
  GetPlanEvaluationStatusCommand,
  GetPlanExecutionCommand,
  ListPlanExecutionEventsCommand,
  ListRoute53HealthChecksInRegionCommand,
  StartPlanExecutionCommand,
  UpdatePlanExecutionCommand,
  type ExecutionEvent,
  type GetPlanExecutionOutput,
  type StepState,
} from '../../../constructs/aws-api/arc-region-switch';
import type { AwsCaller } from './caller';
import type { AwsClients } from './clients';
import { ARC_OPERATIONS as ops } from './operations';
import type { ArcApi, ArcEventView, ArcHealthCheckView, ArcStepView } from './ports';

/**
 * A timestamp of the AWS JSON 1.0 protocol: epoch seconds as a number (the protocol's default
 * timestamp format: Smithy, AWS JSON 1.0 protocol, timestamp serialization), or a date string;
 * ms since epoch, undefined when absent.
 */
export function arcTime(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return Math.round(value * 1000);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function stepView(s: StepState): ArcStepView {
  return {
    name: s.name ?? '?',
    status: s.status ?? 'notStarted',
    ...(arcTime(s.startTime) !== undefined ? { startedAt: arcTime(s.startTime) } : {}),
    ...(arcTime(s.endTime) !== undefined ? { endedAt: arcTime(s.endTime) } : {}),
    ...(s.stepMode ? { mode: s.stepMode } : {}),
  };
}

function eventView(e: ExecutionEvent): ArcEventView {
  const at = arcTime(e.timestamp);
  return {
    eventId: e.eventId,
    type: e.type ?? 'unknown',
    ...(at !== undefined ? { at } : {}),
    ...(e.stepName ? { stepName: e.stepName } : {}),
    ...(e.executionBlockType ? { blockType: e.executionBlockType } : {}),
    ...(e.resources?.length ? { resources: [...e.resources] } : {}),
    ...(e.error ? { error: e.error } : {}),
    ...(e.description ? { description: e.description } : {}),
  };
}

/** ARC Region switch on the in-house client, each call on the data plane of its region. */
export function arcRegionSwitch(clients: AwsClients, caller: AwsCaller): ArcApi {
  return {
    async startExecution(region, input) {
      const operation =
        input.mode === 'ungraceful' ? ops.startUngracefulPlanExecution : ops.startPlanExecution;
      const out = await caller.call(operation, region, () =>
        clients.arc(region).send(new StartPlanExecutionCommand({ ...input })),
      );
      return out.executionId ?? '';
    },
    execution: (region, planArn, executionId) =>
      caller.call(ops.getPlanExecution, region, async () => {
        const steps: ArcStepView[] = [];
        let nextToken: string | undefined;
        let first: GetPlanExecutionOutput | undefined;
        do {
          const page = await clients.arc(region).send(
            new GetPlanExecutionCommand({
              planArn,
              executionId,
              ...(nextToken ? { nextToken } : {}),
            }),
          );
          first ??= page;
          steps.push(...(page.stepStates ?? []).map(stepView));
          nextToken = page.nextToken;
        } while (nextToken);
        const head = first!;
        return {
          executionId: head.executionId ?? executionId,
          state: head.executionState ?? 'pending',
          ...(head.executionMode ? { mode: head.executionMode } : {}),
          ...(head.executionAction ? { action: head.executionAction } : {}),
          ...(head.executionRegion ? { region: head.executionRegion } : {}),
          ...(arcTime(head.startTime) !== undefined ? { startedAt: arcTime(head.startTime) } : {}),
          ...(arcTime(head.endTime) !== undefined ? { endedAt: arcTime(head.endTime) } : {}),
          steps,
        };
      }),
    events: (region, planArn, executionId) =>
      caller.call(ops.listPlanExecutionEvents, region, async () => {
        const events: ArcEventView[] = [];
        let nextToken: string | undefined;
        do {
          const page = await clients.arc(region).send(
            new ListPlanExecutionEventsCommand({
              planArn,
              executionId,
              ...(nextToken ? { nextToken } : {}),
            }),
          );
          events.push(...(page.items ?? []).map(eventView));
          nextToken = page.nextToken;
        } while (nextToken);
        return events;
      }),
    async approve(region, planArn, executionId, stepName, comment) {
      await caller.call(ops.approvePlanExecutionStep, region, () =>
        clients.arc(region).send(
          new ApprovePlanExecutionStepCommand({
            planArn,
            executionId,
            stepName,
            approval: 'approve',
            comment,
          }),
        ),
      );
    },
    async switchToUngraceful(region, planArn, executionId, comment) {
      await caller.call(ops.updatePlanExecution, region, () =>
        clients.arc(region).send(
          new UpdatePlanExecutionCommand({
            planArn,
            executionId,
            action: 'switchToUngraceful',
            comment,
          }),
        ),
      );
    },
    healthChecks: (region, planArn) =>
      caller.call(ops.listRoute53HealthChecksInRegion, region, async () => {
        const found: ArcHealthCheckView[] = [];
        let nextToken: string | undefined;
        do {
          const page = await clients.arc(region).send(
            new ListRoute53HealthChecksInRegionCommand({
              arn: planArn,
              ...(nextToken ? { nextToken } : {}),
            }),
          );
          for (const c of page.healthChecks ?? []) {
            found.push({
              region: c.region,
              recordName: c.recordName,
              ...(c.healthCheckId ? { healthCheckId: c.healthCheckId } : {}),
              status: c.status ?? 'unknown',
            });
          }
          nextToken = page.nextToken;
        } while (nextToken);
        return found;
      }),
    evaluation: (region, planArn) =>
      caller.call(ops.getPlanEvaluationStatus, region, async () => {
        const warnings: {
          stepName?: string;
          resourceArn?: string;
          status?: string;
          message: string;
        }[] = [];
        let nextToken: string | undefined;
        let state = 'unknown';
        let lastEvaluatedAt: number | undefined;
        do {
          const page = await clients
            .arc(region)
            .send(
              new GetPlanEvaluationStatusCommand({ planArn, ...(nextToken ? { nextToken } : {}) }),
            );
          state = page.evaluationState ?? state;
          lastEvaluatedAt = arcTime(page.lastEvaluationTime) ?? lastEvaluatedAt;
          for (const w of page.warnings ?? []) {
            warnings.push({
              ...(w.stepName ? { stepName: w.stepName } : {}),
              ...(w.resourceArn ? { resourceArn: w.resourceArn } : {}),
              ...(w.warningStatus ? { status: w.warningStatus } : {}),
              message: w.warningMessage ?? 'no message',
            });
          }
          nextToken = page.nextToken;
        } while (nextToken);
        return { state, ...(lastEvaluatedAt !== undefined ? { lastEvaluatedAt } : {}), warnings };
      }),
  };
}
