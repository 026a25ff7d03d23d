import { LAG_METRICS } from '../../../constructs/contract';
import { managedRpoPolicy } from '../../../constructs/managed-rpo-policy';
import { startCommand, statusCommand } from '../commands';
import { regionOf, type RegionTopology } from '../discovery';
import { DrillError } from '../errors';
import { isFatal, memberOf, writerRegionOf } from '../observe';
import type { RpoAlignment } from './outcomes';
import { describeGlobal, globalCluster, globalClusterCall, MANAGED_RPO, ops } from './shared';
import { call, type PlanView, type PlannedCall, type StepContext, type StepResult } from './types';

export type { RpoAlignment };

/** The three steps that apply the managed-RPO policy. */
export type RpoStepId = 'rejoin-rpo' | 'align-rpo' | 'settle-rpo';

/** What enforces the RPO again once the lost writer of an unplanned failover is back. */
function whoSetsRpo(lost: RegionTopology, rpoLabel: string): string {
  return lost.role === 'primary'
    ? `when ${lost.region} is a healthy secondary again, \`${startCommand('failback', lost.region)}\` sets it (step rejoin-rpo)`
    : `when ${lost.region} is a healthy secondary again, set ${MANAGED_RPO} to ${rpoLabel.replace(/ s$/, '')} in the writer's group (\`${statusCommand()}\` says when)`;
}

function rpoText(seconds: number | null): string {
  return seconds === null ? 'not enforced' : `${seconds} s`;
}

/**
 * The managed-RPO decisions for a writer, assuming every member but `lost` is a healthy
 * secondary (what the plan shows; the step decides on the live state).
 */
function plannedRpo(plan: PlanView, writer: RegionTopology, lost?: RegionTopology) {
  const regions = plan.regions.filter((r) => r.region !== lost?.region);
  return managedRpoPolicy({ regions: regions.map((r) => r.region), writer: writer.region }).map(
    (d) => ({ ...d, member: regions.find((r) => r.region === d.region)! }),
  );
}

/** The calls of a managed-RPO step: read every group, then set or clear where the policy says. */
export function rpoCalls(
  plan: PlanView,
  writer: RegionTopology,
  lost?: RegionTopology,
): PlannedCall[] {
  const decisions = plannedRpo(plan, writer, lost);
  const calls: PlannedCall[] = [globalClusterCall(plan)];
  for (const { member } of decisions) {
    if (member.region !== writer.region) {
      calls.push(
        call(ops.describeDbClusters, member.region, {
          DBClusterIdentifier: member.clusterIdentifier,
        }),
        call(ops.getMetricData, member.region, {
          MetricName: LAG_METRICS.rpo,
          DBClusterIdentifier: member.clusterIdentifier,
        }),
      );
    }
    calls.push(
      call(ops.describeClusterParameters, member.region, {
        DBClusterParameterGroupName: member.clusterParameterGroupName,
        Source: 'user',
      }),
    );
  }
  const set = (member: RegionTopology, when: string) =>
    call(
      ops.setManagedRpo,
      member.region,
      {
        DBClusterParameterGroupName: member.clusterParameterGroupName,
        Parameters: `${MANAGED_RPO}=${Number.isNaN(plan.rpoSeconds) ? '{rpo-seconds}' : plan.rpoSeconds},ApplyMethod=immediate`,
      },
      when,
    );
  const clear = (member: RegionTopology, when: string) =>
    call(
      ops.clearManagedRpo,
      member.region,
      {
        DBClusterParameterGroupName: member.clusterParameterGroupName,
        Parameters: `${MANAGED_RPO},ApplyMethod=immediate`,
      },
      when,
    );
  // The writer first: a writer that enforces without a healthy secondary blocks every commit.
  const ordered = [...decisions].sort(
    (a, b) => Number(b.region === writer.region) - Number(a.region === writer.region),
  );
  for (const d of ordered) {
    const isWriter = d.region === writer.region;
    if (d.enforce) {
      calls.push(
        set(
          d.member,
          isWriter
            ? `unless it enforces ${plan.rpoLabel} already; only while ${d.reason.replace(/^the writer, and /, '')}, else it is reset`
            : `unless it enforces ${plan.rpoLabel} already: ${d.reason}`,
        ),
      );
    } else {
      calls.push(clear(d.member, `unless it enforces nothing already: ${d.reason}`));
      if (isWriter && lost) {
        calls.push(
          set(d.member, `once a healthy secondary exists: ${whoSetsRpo(lost, plan.rpoLabel)}`),
        );
      }
    }
  }
  return calls;
}

/**
 * Applies the managed-RPO policy to the live roles: reads the global cluster, which secondaries
 * can satisfy the RPO now, and what every group enforces; then sets or resets
 * `rds.global_db_rpo` where they differ, the writer first. `lost` (an unplanned failover's old
 * writer) is left out until it rejoins as a healthy secondary.
 */
export async function alignManagedRpo(
  ctx: StepContext<RpoStepId>,
  lost: RegionTopology | undefined,
): Promise<StepResult<RpoStepId>> {
  const g = await globalCluster(ctx);
  const writer = writerRegionOf(g, ctx.topology);
  if (!writer || g.failoverState) {
    throw new DrillError(
      'UNEXPECTED_STATE',
      `the managed RPO follows the writer, but the global cluster has ${describeGlobal(g, ctx.topology)}`,
      {
        hint: `Wait until the move is done (\`${statusCommand()}\`), then run the resume command below`,
      },
    );
  }
  const rpoMs = ctx.plan.rpoSeconds * 1000;
  const members = ctx.topology.regions.filter((r) => r.region !== lost?.region);
  const healthy = (
    await Promise.all(
      members
        .filter((r) => r.region !== writer)
        .map(async (r) => {
          if (!memberOf(g, r.clusterArn)) return undefined;
          try {
            const [cluster, lag] = await Promise.all([
              ctx.aws.database.describeCluster(r.region, r.clusterIdentifier),
              ctx.aws.metrics.lag(r.region, r.clusterIdentifier, new Date(ctx.clock.now())),
            ]);
            const ok = cluster.status === 'available' && lag.rpoMs !== null && lag.rpoMs < rpoMs;
            return ok ? r.region : undefined;
          } catch (err) {
            // A region that does not answer cannot satisfy the RPO.
            if (isFatal(err)) throw err;
            return undefined;
          }
        }),
    )
  ).filter((r): r is string => r !== undefined);
  const decisions = managedRpoPolicy({
    regions: members.map((r) => r.region),
    writer,
    healthySecondaries: healthy,
  }).sort((a, b) => Number(b.region === writer) - Number(a.region === writer));

  const alignments: RpoAlignment[] = [];
  for (const d of decisions) {
    const member = regionOf(ctx.topology, d.region);
    const group = member.clusterParameterGroupName;
    const before = await ctx.aws.database.managedRpo(d.region, group);
    let action: RpoAlignment['action'] = 'unchanged';
    if (d.enforce && before !== ctx.plan.rpoSeconds) {
      await ctx.aws.database.setManagedRpo(d.region, group, ctx.plan.rpoSeconds);
      action = 'set';
    } else if (!d.enforce && before !== null) {
      await ctx.aws.database.clearManagedRpo(d.region, group);
      action = 'cleared';
    }
    alignments.push({ ...d, parameterGroup: group, before, action });
    ctx.note({ rpo: alignments });
  }
  const parts = alignments.map(
    (a) =>
      `${a.region} ${a.enforce ? `enforces ${ctx.plan.rpoLabel}` : 'does not enforce'}` +
      (a.action === 'unchanged' ? '' : ` (${a.action}, was ${rpoText(a.before)})`),
  );
  const writerDecision = alignments.find((a) => a.region === writer)!;
  const notice = writerDecision.enforce
    ? ''
    : `; the writer ${writer} has no healthy secondary, so the RPO is not enforced` +
      (lost
        ? `: ${whoSetsRpo(lost, ctx.plan.rpoLabel)}`
        : `: it is set when a secondary is healthy again (run \`${statusCommand()}\`)`);
  if (notice) ctx.progress(notice.slice(2));
  return {
    status: alignments.some((a) => a.action !== 'unchanged') ? 'completed' : 'skipped',
    summary: `managed RPO: ${parts.join('; ')}${notice}`,
    details: { rpo: alignments, healthySecondaries: healthy },
  };
}

export function rpoChecks(plan: PlanView, lost?: RegionTopology): string[] {
  return [
    'reads the writer, which secondaries are healthy now (member, available, RPO lag under ' +
      `${plan.rpoLabel}) and what each group enforces (DescribeDBClusterParameters) before acting`,
    'a group enforces the RPO exactly when, with its cluster as the writer and the current writer lost, ' +
      'a healthy secondary would remain: the writer whenever one secondary is healthy; a secondary only ' +
      'with three or more regions',
    'changes only groups that differ (running it again changes nothing), the writer first',
    ...(lost
      ? [
          `${lost.region} (the lost writer) is left out until it rejoins; with two regions the new writer ` +
            'stays unenforced and the step says so',
        ]
      : []),
  ];
}
