import { LAG_METRICS } from '../../../constructs/contract';
import { statusCommand } from '../commands';
import type { RegionTopology } from '../discovery';
import { memberOf } from '../observe';
import { checkers } from '../preflight';
import { waitFor } from '../wait';
import { globalCluster, globalClusterCall, ops } from './shared';
import { call, type PlanView, type PlannedCall, type StepContext, type StepResult } from './types';

/** Waits until `region` is a healthy secondary, sets its drain switch to false, waits until it serves. */
export async function returnToService(
  ctx: StepContext<'ready-target' | 'return-old-writer'>,
  stepId: 'ready-target' | 'return-old-writer',
  region: RegionTopology,
): Promise<StepResult<'ready-target' | 'return-old-writer'>> {
  const rpoMs = ctx.plan.rpoSeconds * 1000;
  const wait = <T>(
    what: string,
    poll: () => Promise<T>,
    done: (v: T) => boolean,
    describe: (v: T) => string,
  ) =>
    waitFor({
      stepId,
      what,
      clock: ctx.clock,
      timeoutMs: ctx.timeoutMs,
      pollIntervalMs: ctx.timing.pollIntervalMs,
      poll,
      done,
      describe,
      progress: (m) => ctx.progress(m),
      onTimeout:
        `${region.region} stays drained (safe: it takes no traffic). Check it with \`${statusCommand()}\`; ` +
        `when it is a healthy secondary, the resume command below finishes, or set ${region.drainParameterName} ` +
        `to false in ${region.region} by hand`,
    });

  await wait(
    `${region.region} to be a healthy secondary (available, RPO lag under ${ctx.plan.rpoLabel})`,
    async () => {
      const [g, cluster, lag] = await Promise.all([
        globalCluster(ctx),
        ctx.aws.database.describeCluster(region.region, region.clusterIdentifier),
        ctx.aws.metrics.lag(region.region, region.clusterIdentifier, new Date(ctx.clock.now())),
      ]);
      return { member: memberOf(g, region.clusterArn), moving: g.failoverState, cluster, lag };
    },
    (s) =>
      !!s.member &&
      !s.member.isWriter &&
      !s.moving &&
      s.cluster.status === 'available' &&
      s.lag.rpoMs !== null &&
      s.lag.rpoMs < rpoMs,
    (s) =>
      `${s.member ? (s.member.isWriter ? 'writer' : 'secondary') : 'not a member'}, cluster ${s.cluster.status}, ` +
      `RPO lag ${s.lag.rpoMs ?? 'not reported'}${s.lag.rpoMs === null ? '' : ' ms'}`,
  );

  const drain = await ctx.aws.switches.get(region.region, region.drainParameterName);
  const alreadyOn = drain === 'false';
  if (!alreadyOn) await ctx.aws.switches.put(region.region, region.drainParameterName, 'false');

  const servingCheck = region.healthChecks.serving;
  if (servingCheck === undefined) {
    // Deployed headless: no serving check and no read records until it is redeployed with readers.
    return {
      status: alreadyOn ? 'skipped' : 'completed',
      summary: `${region.region} undrained (drain ${alreadyOn ? 'was already' : 'set to'} 'false'); it was deployed headless, so it has no serving check and takes reads only after a deploy with readers`,
    };
  }
  const health = await wait(
    `the serving health check of ${region.region} to be healthy`,
    () => ctx.aws.routing.healthCheckStatus(servingCheck),
    (h) => h.healthy,
    (h) => `${h.healthy ? 'healthy' : 'unhealthy'}, ${checkers(h)}`,
  );
  return {
    status: alreadyOn ? 'skipped' : 'completed',
    summary: `${region.region} serves again (drain ${alreadyOn ? 'was already' : 'set to'} 'false', ${checkers(health)})`,
  };
}

export function healthySecondaryCalls(r: RegionTopology, plan: PlanView): PlannedCall[] {
  return [
    globalClusterCall(plan, 'polled'),
    call(ops.describeDbClusters, r.region, { DBClusterIdentifier: r.clusterIdentifier }, 'polled'),
    call(
      ops.getMetricData,
      r.region,
      { MetricName: LAG_METRICS.rpo, DBClusterIdentifier: r.clusterIdentifier },
      'polled',
    ),
    call(ops.getParameter, r.region, { Name: r.drainParameterName }),
    call(
      ops.putParameter,
      r.region,
      { Name: r.drainParameterName, Value: 'false', Overwrite: 'true' },
      "unless already 'false'",
    ),
    ...(r.healthChecks.serving === undefined
      ? []
      : [
          call(
            ops.getHealthCheckStatus,
            plan.homeRegion,
            { HealthCheckId: r.healthChecks.serving },
            'polled',
          ),
        ]),
  ];
}
