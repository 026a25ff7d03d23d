import { LAG_METRICS } from '../../../constructs/contract';
import type { ArcEventView, ArcExecutionView } from '../aws/ports';
import { ARC_OPERATIONS as arcOps } from '../aws/operations';
import { formatDuration } from '../duration';
import { DrillError, errorText } from '../errors';
import { isFatal } from '../observe';
import type { ArcEventRecord, ArcStepRecord } from './outcomes';
import { ALL, ops } from './shared';
import {
  call,
  type ArcPlanView,
  type PlanView,
  type StepContext,
  type StepDefinition,
} from './types';

/**
 * Execution states after which nothing more happens (ARC API Reference, GetPlanExecution,
 * executionState). `completedMonitoringApplicationHealth`: the steps are done and ARC watches
 * the plan's application health alarms; the writer has moved.
 */
const SUCCEEDED = new Set([
  'completed',
  'completedWithExceptions',
  'completedMonitoringApplicationHealth',
]);
const FAILED = new Set(['failed', 'canceled', 'planExecutionTimedOut', 'pausedByFailedStep']);

/** The Aurora Global Database block's type in execution events (ExecutionEvent, executionBlockType). */
const AURORA_BLOCK = 'AuroraGlobalDatabase';

function arcOf(plan: PlanView): ArcPlanView {
  if (!plan.arc) throw new DrillError('INTERNAL', 'arc-execution runs only with --engine arc');
  return plan.arc;
}

/**
 * `s3://<bucket>/<prefix>/`: ARC writes each execution's report under the plan's report
 * configuration's `bucketPath`, `<bucket>/<prefix>` (the key below it is ARC's own choice).
 */
export function reportLocation(
  arc: Pick<ArcPlanView, 'reportBucketName' | 'reportPrefix'>,
): string {
  return `s3://${arc.reportBucketName}/${arc.reportPrefix ? `${arc.reportPrefix}/` : ''}`;
}

function iso(ms: number | undefined): string {
  return ms === undefined ? '?' : new Date(ms).toISOString();
}

/** One ARC step's change as the progress output shows it. */
export function arcStepLine(step: ArcStepRecord): string {
  const took =
    step.startedAt !== undefined && step.endedAt !== undefined
      ? ` in ${formatDuration(step.endedAt - step.startedAt)}`
      : step.startedAt !== undefined
        ? ` since ${iso(step.startedAt)}`
        : '';
  return `ARC step ${step.name}: ${step.status}${took}${step.mode ? ` (${step.mode})` : ''}`;
}

/** One ARC event as the progress output shows it. */
export function arcEventLine(event: ArcEventRecord): string {
  return (
    `ARC event ${event.type}${event.stepName ? ` ${event.stepName}` : ''}` +
    `${event.blockType ? ` [${event.blockType}]` : ''} at ${iso(event.at)}` +
    `${event.error ? `: ${event.error}` : event.description ? `: ${event.description}` : ''}`
  );
}

function record(e: ArcEventView): ArcEventRecord {
  return { ...e };
}

/** The step ARC reports as failed, and its message from the events. */
export function failureOf(
  execution: ArcExecutionView,
  events: readonly ArcEventRecord[],
): { readonly step?: string; readonly message: string } {
  const failed = execution.steps.find((s) => s.status === 'failed');
  const event = [...events]
    .reverse()
    .find(
      (e) =>
        (e.type === 'stepFailed' ||
          e.type === 'stepPausedByError' ||
          e.type === 'executionFailed') &&
        (failed === undefined || e.stepName === undefined || e.stepName === failed.name),
    );
  const message = event?.error ?? event?.description ?? 'ARC gave no message';
  return {
    ...(failed ? { step: failed.name } : event?.stepName ? { step: event.stepName } : {}),
    message,
  };
}

export const arcExecutionStep: StepDefinition<'arc-execution'> = {
  id: 'arc-execution',
  kinds: ALL,
  engines: ['arc'],
  title: (p) =>
    `Run ARC Region switch plan ${arcOf(p).planName}: activate ${p.target.region} (${arcOf(p).mode})`,
  purpose:
    "AWS's own orchestrator moves the writer: the drill starts the plan's execution on the data plane " +
    'of the region being activated, shows each of its steps with its duration, approves a manual ' +
    'approval step after confirmation, and journals every state change and event. The plan fences ' +
    'the old region (custom action, skipped in ungraceful runs), moves the Aurora writer and flips ' +
    'the ARC-managed health checks the write records depend on.',
  calls: (p) => {
    const arc = arcOf(p);
    const execution = { planArn: arc.planArn, executionId: '<execution id>' };
    return [
      call(
        ops.getMetricData,
        p.target.region,
        {
          MetricName: LAG_METRICS.rpo,
          DBClusterIdentifier: p.target.clusterIdentifier,
        },
        'unless this drill started its execution already',
      ),
      call(
        arc.mode === 'ungraceful' ? arcOps.startUngracefulPlanExecution : arcOps.startPlanExecution,
        arc.region,
        {
          planArn: arc.planArn,
          targetRegion: p.target.region,
          action: 'activate',
          mode: arc.mode,
        },
        'unless this drill started its execution already (resume re-attaches to it)',
      ),
      call(arcOps.getPlanExecution, arc.region, execution, 'polled until the execution ends'),
      call(arcOps.listPlanExecutionEvents, arc.region, execution, 'polled with it'),
      call(
        arcOps.approvePlanExecutionStep,
        arc.region,
        {
          ...execution,
          stepName: arc.approvalStepName ?? '<the step waiting for approval>',
          approval: 'approve',
        },
        'when the execution waits for approval, after confirmation (or --yes)',
      ),
      call(
        arcOps.updatePlanExecution,
        arc.region,
        { ...execution, action: 'switchToUngraceful' },
        'only with `npx drill resume --ungraceful --allow-data-loss --execute`',
      ),
    ];
  },
  checks: (p) => [
    "skips StartPlanExecution when the journal holds this drill's execution id: a resume re-attaches, never starts a second execution",
    `refuses (PREFLIGHT_FAILED) unless the RPO lag of ${p.target.region}, read right before the start, is under ${p.rpoLabel} (--force --reason waives it, recorded)`,
    `stops (UNEXPECTED_STATE) when the execution fails, is canceled, times out or pauses on a failed step, naming the step and ARC's message`,
  ],
  ifItFails: (p) =>
    `The ARC execution stopped where the journal and its events say; the writer may or may not have moved. ` +
    `Read the execution's report in ${reportLocation(arcOf(p))} and \`npx drill status\`; fix the cause, ` +
    `then run the resume command below (it re-attaches to the same execution).`,
  underCanary: true,
  async run(ctx) {
    const arc = arcOf(ctx.plan);
    const { target } = ctx.plan;
    const earlier = ctx.earlier('arc-execution') ?? {};
    let executionId = earlier.executionId;
    if (!executionId && earlier.startRequestedAt !== undefined) {
      // The start was sent but its answer never journaled: a second start could run the plan twice.
      throw new DrillError(
        'UNEXPECTED_STATE',
        `StartPlanExecution of plan ${arc.planName} was sent at ${iso(earlier.startRequestedAt)} but its execution id was not journaled`,
        {
          hint:
            `Find the execution in the ARC console (Region switch, plan ${arc.planName}, ${arc.region}) or with ` +
            `\`aws arc-region-switch list-plan-executions --plan-arn ${arc.planArn} --region ${arc.region}\`; ` +
            'let it finish there, then give this drill up with `npx drill abandon`',
        },
      );
    }
    if (executionId) {
      ctx.progress(
        `re-attaching to ARC execution ${executionId} in ${arc.region} (no second StartPlanExecution)`,
      );
    } else {
      const rpoLagMsAtPromotion = await lagGate(ctx);
      const startRequestedAt = ctx.clock.now();
      ctx.note({
        planArn: arc.planArn,
        planName: arc.planName,
        arcRegion: arc.region,
        mode: arc.mode,
        startRequestedAt,
        rpoLagMsAtPromotion,
        reportLocation: reportLocation(arc),
      });
      executionId = await ctx.aws.arc.startExecution(arc.region, {
        planArn: arc.planArn,
        targetRegion: target.region,
        action: 'activate',
        mode: arc.mode,
        comment: `drill ${ctx.params.drillId}`,
      });
      ctx.note({ executionId });
      ctx.progress(`StartPlanExecution in ${arc.region}: execution ${executionId} (${arc.mode})`);
    }
    if (ctx.switchToUngraceful && earlier.switchedToUngracefulAt === undefined) {
      await ctx.aws.arc.switchToUngraceful(
        arc.region,
        arc.planArn,
        executionId,
        `drill ${ctx.params.drillId}: resume --ungraceful`,
      );
      const switchedToUngracefulAt = ctx.clock.now();
      ctx.note({ switchedToUngracefulAt, mode: 'ungraceful' });
      ctx.progress(`UpdatePlanExecution switchToUngraceful in ${arc.region}`);
    }

    const seen = new Map<string, ArcEventRecord>(
      (earlier.arcEvents ?? []).map((e) => [e.eventId, e]),
    );
    let steps: readonly ArcStepRecord[] = earlier.arcSteps ?? [];
    const approvals = [...(earlier.approvals ?? [])];
    let state = earlier.executionState;
    const deadline = ctx.clock.now() + ctx.timeoutMs;
    let execution: ArcExecutionView;
    for (;;) {
      execution = await ctx.aws.arc.execution(arc.region, arc.planArn, executionId);
      const events = await ctx.aws.arc.events(arc.region, arc.planArn, executionId);
      const fresh = events.filter((e) => !seen.has(e.eventId)).map(record);
      for (const e of fresh) {
        seen.set(e.eventId, e);
        ctx.progress(arcEventLine(e));
      }
      const changed = execution.steps.filter((s) => {
        const before = steps.find((b) => b.name === s.name);
        return !before || before.status !== s.status || before.endedAt !== s.endedAt;
      });
      for (const s of changed) if (s.status !== 'notStarted') ctx.progress(arcStepLine(s));
      const moved = auroraTimes([...seen.values()]);
      if (fresh.length || changed.length || execution.state !== state) {
        if (execution.state !== state)
          ctx.progress(`ARC execution ${executionId}: ${execution.state}`);
        steps = execution.steps.map((s) => ({ ...s }));
        state = execution.state;
        ctx.note({
          executionState: state,
          arcSteps: steps,
          arcEvents: [...seen.values()],
          ...moved,
        });
      }
      if (SUCCEEDED.has(execution.state)) break;
      if (FAILED.has(execution.state)) {
        const failure = failureOf(execution, [...seen.values()]);
        throw new DrillError(
          'UNEXPECTED_STATE',
          `ARC execution ${executionId} of plan ${arc.planName} ended ${execution.state}` +
            (failure.step
              ? `: step ${failure.step} failed: ${failure.message}`
              : `: ${failure.message}`),
          { hint: this.ifItFails(ctx.plan) },
        );
      }
      const waiting = execution.steps.find((s) => s.status === 'pendingApproval');
      if (waiting && !approvals.some((a) => a.step === waiting.name)) {
        ctx.progress(`ARC step ${waiting.name} waits for approval`);
        await ctx.confirm?.(
          `approval of ARC step ${waiting.name} (execution ${executionId}, activate ${target.region})`,
        );
        await ctx.aws.arc.approve(
          arc.region,
          arc.planArn,
          executionId,
          waiting.name,
          `drill ${ctx.params.drillId}`,
        );
        approvals.push({ step: waiting.name, at: ctx.clock.now() });
        ctx.note({ approvals: [...approvals] });
        ctx.progress(`ApprovePlanExecutionStep ${waiting.name} in ${arc.region}`);
        continue;
      }
      if (ctx.clock.now() >= deadline) {
        throw new DrillError(
          'STEP_TIMEOUT',
          `step arc-execution timed out after ${formatDuration(ctx.timeoutMs)} waiting for ARC execution ${executionId} (state ${execution.state})`,
          {
            hint:
              `The execution runs on in ARC. Resume with a longer wait (\`--timeout arc-execution=60m\`): ` +
              'it re-attaches to the same execution',
          },
        );
      }
      await ctx.clock.sleep(
        Math.min(ctx.timing.pollIntervalMs, Math.max(0, deadline - ctx.clock.now())),
      );
    }
    const all = [...seen.values()];
    const took =
      execution.startedAt !== undefined && execution.endedAt !== undefined
        ? ` in ${formatDuration(execution.endedAt - execution.startedAt)}`
        : '';
    return {
      status: 'completed',
      summary:
        `ARC execution ${executionId} ${execution.state}${took}: ${execution.steps.length} steps, ${all.length} events; ` +
        `report in ${reportLocation(arc)}`,
      details: {
        executionId,
        executionState: execution.state,
        arcSteps: steps,
        arcEvents: all,
        reportLocation: reportLocation(arc),
        ...auroraTimes(all),
      },
    };
  },
};

/** When the Aurora block started and succeeded, from its events. */
function auroraTimes(events: readonly ArcEventRecord[]): {
  promotedAt?: number;
  writerMovedAt?: number;
} {
  const aurora = events.filter((e) => e.blockType === AURORA_BLOCK);
  const started = aurora.find((e) => e.type === 'stepStarted')?.at;
  const ended = aurora.find((e) => e.type === 'stepSucceeded')?.at;
  return {
    ...(started !== undefined ? { promotedAt: started } : {}),
    ...(ended !== undefined ? { writerMovedAt: ended } : {}),
  };
}

/**
 * The promote step's lag gate, before the plan runs: the RPO lag of the target right before the
 * start, refused when it is not under the RPO unless forced. Returns the lag (null: not reported).
 */
async function lagGate(ctx: StepContext<'arc-execution'>): Promise<number | null> {
  const { target } = ctx.plan;
  let lagMs: number | null = null;
  let problem: string | undefined;
  try {
    const lag = await ctx.aws.metrics.lag(
      target.region,
      target.clusterIdentifier,
      new Date(ctx.clock.now()),
    );
    lagMs = lag.rpoMs;
    if (lag.rpoMs === null)
      problem = `${LAG_METRICS.rpo} of ${target.clusterIdentifier} was not reported in the last 5 minutes`;
    else if (lag.rpoMs >= ctx.plan.rpoSeconds * 1000)
      problem = `RPO lag of ${target.clusterIdentifier} is ${lag.rpoMs} ms, not under the RPO (${ctx.plan.rpoLabel})`;
  } catch (err) {
    if (isFatal(err)) throw err;
    problem = `the RPO lag of ${target.clusterIdentifier} could not be read: ${errorText(err)}`;
  }
  if (problem && !ctx.forceReason) {
    throw new DrillError('PREFLIGHT_FAILED', `ARC execution refused: ${problem}`, {
      hint:
        `Nothing was started. Wait until the lag is under the RPO (\`npx drill status\`), then ` +
        `\`npx drill resume --drill-id ${ctx.params.drillId} --execute\`; to run anyway, resume with --force --reason "<why>"`,
    });
  }
  if (problem) ctx.progress(`${problem}; starting anyway (--force): ${ctx.forceReason}`);
  return lagMs;
}
