import { MANAGED_RPO_PARAMETER } from '../../../constructs/managed-rpo-policy';
import type { GlobalClusterView, SqlTarget } from '../aws/ports';
import { AWS_OPERATIONS } from '../aws/operations';
import type { DrillTopology, RegionTopology } from '../discovery';
import { isDrillError } from '../errors';
import { DRILL_KINDS } from '../model';
import { describeGlobalCluster, writerRegionOf } from '../observe';
import { call, type PlannedCall, type PlanView, type StepContext } from './types';

export const ALL = DRILL_KINDS;

/**
 * How long an unplanned failover waits for the old writer's check to turn unhealthy: two
 * detection windows of a Route 53 check at the app's settings (10 s interval x 3 failures).
 */
export const FAILOVER_FENCE_WAIT_MS = 60_000;
export const ops = AWS_OPERATIONS;
export const MANAGED_RPO = MANAGED_RPO_PARAMETER;

export function sqlTarget(region: RegionTopology, databaseName: string): SqlTarget {
  return {
    region: region.region,
    clusterArn: region.clusterArn,
    secretArn: region.secretArn,
    database: databaseName,
  };
}

/** ExecuteStatement of `sql` on `member`'s cluster (in `region`, its own unless said). */
export function sqlCall(
  plan: PlanView,
  member: RegionTopology,
  sql: string,
  options: { readonly when?: string; readonly region?: string } = {},
): PlannedCall {
  return call(
    ops.executeStatement,
    options.region ?? member.region,
    {
      resourceArn: member.clusterArn,
      secretArn: member.secretArn,
      database: plan.databaseName,
      sql,
    },
    options.when,
  );
}

/** DescribeGlobalClusters, asked of the target's region first (see globalCluster). */
export function globalClusterCall(plan: PlanView, when?: string): PlannedCall {
  return call(
    ops.describeGlobalClusters,
    plan.target.region,
    { GlobalClusterIdentifier: plan.globalClusterIdentifier },
    when,
  );
}

/** Fencing and canary failures are tolerated only in an unplanned failover. */
export function tolerated(ctx: StepContext, err: unknown): boolean {
  return (
    ctx.params.kind === 'failover' && ctx.params.allowDataLoss && isDrillError(err, 'AWS_ERROR')
  );
}

export function globalCluster(ctx: StepContext): Promise<GlobalClusterView> {
  // The target's region first: it must answer for the drill to succeed at all.
  return describeGlobalCluster(ctx.aws, ctx.topology, [ctx.plan.target.region]);
}

export function describeGlobal(g: GlobalClusterView, topology: DrillTopology): string {
  const regionOfArn = (arn: string | undefined) =>
    topology.regions.find((r) => r.clusterArn === arn)?.region ?? arn ?? '?';
  const writer = writerRegionOf(g, topology) ?? 'none';
  const moving = g.failoverState
    ? `, ${g.failoverState.status} to ${regionOfArn(g.failoverState.toArn)}`
    : '';
  return `writer ${writer}, status ${g.status}${moving}`;
}
