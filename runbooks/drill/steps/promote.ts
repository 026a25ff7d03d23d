import { LAG_METRICS } from '../../../constructs/contract';
import { startCommand, statusCommand } from '../commands';
import { DrillError, errorText } from '../errors';
import { isFatal, memberOf, writerRegionOf } from '../observe';
import { ALL, globalCluster, globalClusterCall, ops } from './shared';
import { call, type StepDefinition } from './types';

export const promoteStep: StepDefinition<'promote'> = {
  id: 'promote',
  kinds: ALL,
  engines: ['native'],
  title: (p) =>
    `Promote ${p.target.region} (${p.kind === 'failover' ? 'FailoverGlobalCluster' : 'SwitchoverGlobalCluster'})`,
  purpose:
    'Ask Aurora to move the writer. A switchover synchronizes first and loses nothing; a failover ' +
    'promotes at once and loses what was not yet replicated. The RPO lag at this moment is recorded.',
  calls: (p) => [
    globalClusterCall(p),
    call(ops.getMetricData, p.target.region, {
      MetricName: LAG_METRICS.rpo,
      DBClusterIdentifier: p.target.clusterIdentifier,
    }),
    p.kind === 'failover'
      ? call(
          ops.failoverGlobalCluster,
          p.target.region,
          {
            GlobalClusterIdentifier: p.globalClusterIdentifier,
            TargetDbClusterIdentifier: p.target.clusterArn,
            AllowDataLoss: 'true',
          },
          'unless the target is already the writer or being promoted',
        )
      : call(
          ops.switchoverGlobalCluster,
          p.target.region,
          {
            GlobalClusterIdentifier: p.globalClusterIdentifier,
            TargetDbClusterIdentifier: p.target.clusterArn,
          },
          'unless the target is already the writer or being promoted',
        ),
  ],
  checks: (p) => [
    `skips when ${p.target.region} is already the writer, or a move to it is in progress`,
    `refuses (PREFLIGHT_FAILED) unless the RPO lag of ${p.target.region}, read right before the call, is under ${p.rpoLabel} (--force --reason waives it, recorded)`,
    'stops (UNEXPECTED_STATE) when a move to another cluster is in progress',
  ],
  ifItFails: (p) =>
    `The writer has not moved; ${p.from.region} is fenced (drained). To back out, set ` +
    `${p.from.drainParameterName} to 'false' in ${p.from.region}; to go on, run the resume command below.`,
  underCanary: true,
  async run(ctx) {
    const { target } = ctx.plan;
    const g = await globalCluster(ctx);
    const writerRegion = writerRegionOf(g, ctx.topology);
    if (g.failoverState) {
      if (g.failoverState.toArn === target.clusterArn) {
        return {
          status: 'skipped',
          summary: `already ${g.failoverState.status} to ${target.region}`,
        };
      }
      throw new DrillError(
        'UNEXPECTED_STATE',
        `a ${g.failoverState.status} to ${g.failoverState.toArn ?? '?'} is in progress, not to ${target.region}`,
        {
          hint: `Wait for it to finish (\`${statusCommand()}\`), then start a new drill: \`${startCommand(ctx.params.kind, target.region)}\``,
        },
      );
    }
    if (writerRegion === target.region) {
      return { status: 'skipped', summary: `${target.region} is already the writer` };
    }
    if (!memberOf(g, target.clusterArn)) {
      throw new DrillError(
        'UNEXPECTED_STATE',
        `${target.clusterArn} is no longer a member of ${g.identifier}`,
        {
          hint: `Run \`${statusCommand()}\`; re-add the cluster or choose another target`,
        },
      );
    }
    // Lag is read again right before the call: it may have grown since preflight (or while
    // a stopped drill waited to be resumed), and a failover loses what it has not replicated.
    let rpoLagMsAtPromotion: number | null = null;
    let lagProblem: string | undefined;
    try {
      const lag = await ctx.aws.metrics.lag(
        target.region,
        target.clusterIdentifier,
        new Date(ctx.clock.now()),
      );
      rpoLagMsAtPromotion = lag.rpoMs;
      if (lag.rpoMs === null)
        lagProblem = `${LAG_METRICS.rpo} of ${target.clusterIdentifier} was not reported in the last 5 minutes`;
      else if (lag.rpoMs >= ctx.plan.rpoSeconds * 1000)
        lagProblem = `RPO lag of ${target.clusterIdentifier} is ${lag.rpoMs} ms, not under the RPO (${ctx.plan.rpoLabel})`;
    } catch (err) {
      if (isFatal(err)) throw err;
      lagProblem = `the RPO lag of ${target.clusterIdentifier} could not be read: ${errorText(err)}`;
    }
    if (lagProblem && !ctx.forceReason) {
      throw new DrillError('PREFLIGHT_FAILED', `promotion refused: ${lagProblem}`, {
        hint:
          `Nothing was promoted. Wait until the lag is under the RPO (\`npx drill status\`), then ` +
          `\`npx drill resume --drill-id ${ctx.params.drillId} --execute\`; to promote anyway and accept ` +
          `the loss, resume with --force --reason "<why>"`,
      });
    }
    if (lagProblem) {
      ctx.progress(`${lagProblem}; promoting anyway (--force): ${ctx.forceReason}`);
      ctx.note({ lagWaived: lagProblem, forceReason: ctx.forceReason });
    }
    const promotedAt = ctx.clock.now();
    ctx.note({ promotedAt, rpoLagMsAtPromotion });
    if (ctx.params.kind === 'failover') {
      await ctx.aws.database.failover(
        target.region,
        ctx.plan.globalClusterIdentifier,
        target.clusterArn,
      );
    } else {
      await ctx.aws.database.switchover(
        target.region,
        ctx.plan.globalClusterIdentifier,
        target.clusterArn,
      );
    }
    return {
      status: 'completed',
      summary: `${ctx.params.kind === 'failover' ? 'FailoverGlobalCluster' : 'SwitchoverGlobalCluster'} to ${target.clusterIdentifier} accepted (RPO lag then: ${rpoLagMsAtPromotion ?? 'not reported'}${rpoLagMsAtPromotion === null ? '' : ' ms'})`,
      details: { promotedAt, rpoLagMsAtPromotion },
    };
  },
};
