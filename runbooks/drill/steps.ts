import { MANAGED_RPO_PARAMETER, managedRpoPolicy } from '../../constructs/managed-rpo-policy';
import type { DrillAws, GlobalClusterView, SqlTarget } from './aws/adapters';
import { AWS_OPERATIONS, type AwsOperation } from './aws/operations';
import { CANARY_SQL, type CanaryControl } from './canary';
import type { Clock } from './clock';
import { startCommand, statusCommand } from './commands';
import { regionOf, type DrillTopology, type RegionTopology } from './discovery';
import { DrillError, errorText, isDrillError } from './errors';
import { DRILL_KINDS, type DrillKind, type DrillParams, type Timing } from './model';
import {
  describeGlobalCluster,
  isFatal,
  memberOf,
  observe,
  resolveChain,
  writerRegionOf,
} from './observe';
import { checkers, evaluatePreflight } from './preflight';
import { waitFor } from './wait';

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
}

/** One AWS call a step makes, as the dry run and the runbooks show it. */
export interface PlannedCall {
  readonly operation: AwsOperation;
  readonly region: string;
  readonly parameters: Readonly<Record<string, string>>;
  /** When the call is made, if not always. */
  readonly when?: string;
}

export type StepId =
  | 'preflight'
  | 'prepare-canary'
  | 'ready-target'
  | 'rejoin-rpo'
  | 'fence'
  | 'promote'
  | 'wait-writer'
  | 'verify-traffic'
  | 'verify-writes'
  | 'align-rpo'
  | 'return-old-writer'
  | 'settle-rpo';

export interface StepResult {
  readonly status: 'completed' | 'skipped';
  /** One line for the progress output, the journal and the report. */
  readonly summary: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** What a step may use. Steps are functions of this, never of SDK clients. */
export interface StepContext {
  readonly params: DrillParams;
  readonly plan: PlanView;
  readonly topology: DrillTopology;
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
  /** Journals details at once, before the step ends, so a crash does not lose them. */
  note(details: Record<string, unknown>): void;
}

/**
 * One step of a drill. The executor runs `run`; the dry run prints `calls`; the runbooks
 * are rendered from all of it, so the three never drift apart.
 */
export interface StepDefinition {
  readonly id: StepId;
  readonly kinds: readonly DrillKind[];
  title(plan: PlanView): string;
  readonly purpose: string;
  calls(plan: PlanView): PlannedCall[];
  /** What the step verifies before and after acting (it is idempotent: see the first check). */
  checks(plan: PlanView): string[];
  /** The state the drill is left in if this step fails, and what to do. */
  ifItFails(plan: PlanView): string;
  /** Canary writes run during this step. */
  readonly underCanary: boolean;
  run(ctx: StepContext): Promise<StepResult>;
}

const ALL = DRILL_KINDS;

/**
 * How long an unplanned failover waits for the old writer's check to turn unhealthy: two
 * detection windows of a Route 53 check at the app's settings (10 s interval x 3 failures).
 */
export const FAILOVER_FENCE_WAIT_MS = 60_000;
const ops = AWS_OPERATIONS;
const MANAGED_RPO = MANAGED_RPO_PARAMETER;

function call(
  operation: AwsOperation,
  region: string,
  parameters: Record<string, string>,
  when?: string,
): PlannedCall {
  return { operation, region, parameters, ...(when ? { when } : {}) };
}

export function sqlTarget(region: RegionTopology, databaseName: string): SqlTarget {
  return {
    region: region.region,
    clusterArn: region.clusterArn,
    secretArn: region.secretArn,
    database: databaseName,
  };
}

function sqlParams(r: RegionTopology, plan: PlanView, sql: string): Record<string, string> {
  return { resourceArn: r.clusterArn, secretArn: r.secretArn, database: plan.databaseName, sql };
}

/** Fencing and canary failures are tolerated only in an unplanned failover. */
function tolerated(ctx: StepContext, err: unknown): boolean {
  return (
    ctx.params.kind === 'failover' && ctx.params.allowDataLoss && isDrillError(err, 'AWS_ERROR')
  );
}

function globalCluster(ctx: StepContext): Promise<GlobalClusterView> {
  // The target's region first: it must answer for the drill to succeed at all.
  return describeGlobalCluster(ctx.aws, ctx.topology, [ctx.plan.target.region]);
}

function describeGlobal(g: GlobalClusterView, topology: DrillTopology): string {
  const regionOfArn = (arn: string | undefined) =>
    topology.regions.find((r) => r.clusterArn === arn)?.region ?? arn ?? '?';
  const writer = writerRegionOf(g, topology) ?? 'none';
  const moving = g.failoverState
    ? `, ${g.failoverState.status} to ${regionOfArn(g.failoverState.toArn)}`
    : '';
  return `writer ${writer}, status ${g.status}${moving}`;
}

/** Waits until `region` is a healthy secondary, sets its drain switch to false, waits until it serves. */
async function returnToService(
  ctx: StepContext,
  stepId: StepId,
  region: RegionTopology,
): Promise<StepResult> {
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

function healthySecondaryCalls(r: RegionTopology, plan: PlanView): PlannedCall[] {
  return [
    call(
      ops.describeGlobalClusters,
      plan.target.region,
      { GlobalClusterIdentifier: plan.globalClusterIdentifier },
      'polled',
    ),
    call(ops.describeDbClusters, r.region, { DBClusterIdentifier: r.clusterIdentifier }, 'polled'),
    call(
      ops.getMetricData,
      r.region,
      { MetricName: 'AuroraGlobalDBRPOLag', DBClusterIdentifier: r.clusterIdentifier },
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
function rpoCalls(plan: PlanView, writer: RegionTopology, lost?: RegionTopology): PlannedCall[] {
  const decisions = plannedRpo(plan, writer, lost);
  const calls: PlannedCall[] = [
    call(ops.describeGlobalClusters, plan.target.region, {
      GlobalClusterIdentifier: plan.globalClusterIdentifier,
    }),
  ];
  for (const { member } of decisions) {
    if (member.region !== writer.region) {
      calls.push(
        call(ops.describeDbClusters, member.region, {
          DBClusterIdentifier: member.clusterIdentifier,
        }),
        call(ops.getMetricData, member.region, {
          MetricName: 'AuroraGlobalDBRPOLag',
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
async function alignManagedRpo(
  ctx: StepContext,
  lost: RegionTopology | undefined,
): Promise<StepResult> {
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

function rpoChecks(plan: PlanView, lost?: RegionTopology): string[] {
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

export const STEPS: readonly StepDefinition[] = [
  {
    id: 'preflight',
    kinds: ALL,
    title: (p) => `Preflight checks for ${p.target.region}`,
    purpose:
      'Refuse to start unless the target can take the writer and nothing is already wrong: ' +
      'a drill must not be the second incident.',
    calls: (p) => [
      call(ops.describeGlobalClusters, p.target.region, {
        GlobalClusterIdentifier: p.globalClusterIdentifier,
      }),
      call(ops.describeDbClusters, '<each region>', { DBClusterIdentifier: '<its cluster>' }),
      call(ops.getMetricData, '<each secondary region>', {
        MetricName: 'AuroraGlobalDBReplicationLag, AuroraGlobalDBRPOLag',
        Stat: 'Maximum',
        Period: '60',
      }),
      call(ops.getHealthCheckStatus, p.homeRegion, {
        HealthCheckId: '<serving and writer check of each region>',
      }),
      call(ops.testDnsAnswer, p.homeRegion, {
        RecordName: '<app and write names, following CNAMEs>',
        RecordType: 'CNAME',
      }),
      call(ops.listResourceRecordSets, p.homeRegion, {
        HostedZoneId: p.hostedZoneId,
        StartRecordName: '<app and write names>',
      }),
      call(ops.describeAlarms, '<each region>', {
        StateValue: 'ALARM',
        AlarmNamePrefix: '<stack prefix>',
      }),
      call(ops.getParameter, '<each region>', { Name: '<its drain parameter>' }),
    ],
    checks: (p) => [
      `${p.target.region} is a secondary member, available, and not headless (at least one instance)`,
      'engine versions are equal across members; every member is available',
      'no failover or switchover in progress (FailoverState empty, status available)',
      `RPO lag of every secondary under the RPO (${p.rpoLabel})`,
      'health checks healthy, except writer checks of non-writer regions (expected unhealthy)',
      'TTL of every app and write record at most 60 s',
      'no alarm in ALARM, except lag alarms of the writer and alarms on checks expected unhealthy',
      p.kind === 'failback'
        ? `every drain switch 'false' (${p.target.region} may still be drained: the next step returns it)`
        : "every drain switch 'false'",
    ],
    ifItFails: () =>
      'Nothing has been changed. Fix what the failed checks name and rerun; to start anyway, ' +
      'add `--force --reason "<why>"` (the reason is recorded in the journal and the report).',
    underCanary: false,
    async run(ctx) {
      const snapshot = await observe(ctx.aws, ctx.topology, {
        clock: ctx.clock,
        homeRegion: ctx.plan.homeRegion,
        preferredRegions: [ctx.plan.target.region],
      });
      if (
        snapshot.writerRegion !== ctx.params.fromRegion &&
        snapshot.writerRegion !== ctx.params.targetRegion
      ) {
        throw new DrillError(
          'UNEXPECTED_STATE',
          `the writer is in ${snapshot.writerRegion ?? 'no region'}, not in ${ctx.params.fromRegion} as when the drill was planned`,
          {
            hint: `Run \`${statusCommand()}\`, then start a new drill: \`${startCommand(ctx.params.kind, ctx.params.targetRegion)}\``,
          },
        );
      }
      const checks = evaluatePreflight(snapshot, ctx.topology, {
        kind: ctx.params.kind,
        targetRegion: ctx.params.targetRegion,
      });
      const failed = checks.filter((c) => !c.ok);
      if (failed.length === 0) {
        return {
          status: 'completed',
          summary: `${checks.length} checks passed`,
          details: { checks },
        };
      }
      if (ctx.forceReason) {
        return {
          status: 'completed',
          summary: `${failed.length} of ${checks.length} checks failed; started anyway (--force): ${ctx.forceReason}`,
          details: { checks, forced: ctx.forceReason },
        };
      }
      throw new DrillError(
        'PREFLIGHT_FAILED',
        `${failed.length} of ${checks.length} preflight checks failed:\n` +
          failed.map((c) => `  - ${c.id}: ${c.title}: ${c.reason}`).join('\n'),
        { hint: this.ifItFails(ctx.plan) },
      );
    },
  },
  {
    id: 'prepare-canary',
    kinds: ALL,
    title: (p) => `Prepare canary writes on ${p.from.region}`,
    purpose:
      'Create the drill_canary table on the current writer (it replicates everywhere), then write ' +
      'a row every canary interval to whichever writer accepts it: the client-seen RTO is the first ' +
      'failed write to the next acknowledged one, and rows acknowledged but missing after the move are the RPO.',
    calls: (p) => [
      call(
        ops.executeStatement,
        p.from.region,
        sqlParams(p.from, p, 'CREATE TABLE IF NOT EXISTS drill_canary (...)'),
      ),
      call(
        ops.executeStatement,
        `${p.from.region}, then ${p.target.region}`,
        sqlParams(p.from, p, 'INSERT INTO drill_canary ...'),
        'every canary interval until the drill ends, to the writer that accepts it',
      ),
    ],
    checks: () => ['CREATE TABLE IF NOT EXISTS is idempotent: running it again changes nothing'],
    ifItFails: (p) =>
      p.kind === 'failover'
        ? `In a failover the old writer may be unreachable: the step is recorded as skipped and the table is created on ${p.target.region} in verify-writes (the measured RTO then ends no earlier than that step).`
        : `Nothing has been changed. Check the Data API is enabled on ${p.from.clusterIdentifier} and the drill role may read ${p.from.secretArn}, then run the resume command below.`,
    underCanary: false,
    async run(ctx) {
      try {
        await ctx.aws.sql.execute(
          sqlTarget(ctx.plan.from, ctx.plan.databaseName),
          CANARY_SQL.createTable,
        );
      } catch (err) {
        if (!tolerated(ctx, err)) throw err;
        return {
          status: 'skipped',
          summary: `could not create the canary table on ${ctx.plan.from.region} (${errorText(err)}); continuing because --allow-data-loss`,
        };
      }
      return {
        status: 'completed',
        summary: `drill_canary ready on ${ctx.plan.from.clusterIdentifier}`,
      };
    },
  },
  {
    id: 'ready-target',
    kinds: ['failback'],
    title: (p) => `Return ${p.target.region} to service before it takes the writer`,
    purpose:
      'After an unplanned failover the old primary region was left drained. Once it is a healthy ' +
      'secondary again it serves reads first, so that it is known good before it takes writes.',
    calls: (p) => healthySecondaryCalls(p.target, p),
    checks: (p) => [
      `${p.target.region} is a member, not the writer, available, RPO lag under ${p.rpoLabel} (polled)`,
      `skips the write when the drain switch is already 'false'`,
      `the serving health check of ${p.target.region} turns healthy (polled)`,
    ],
    ifItFails: (p) =>
      `The writer has not moved. ${p.target.region} may be serving reads again or still drained; both are safe. ` +
      `Check with \`${statusCommand()}\`, then run the resume command below.`,
    underCanary: true,
    run: (ctx) => returnToService(ctx, 'ready-target', ctx.plan.target),
  },
  {
    id: 'rejoin-rpo',
    kinds: ['failback'],
    title: (p) =>
      `Enforce the RPO on ${p.from.region} now that ${p.target.region} is a healthy secondary`,
    purpose:
      'After an unplanned failover the writer ran without managed RPO (no secondary could satisfy it). ' +
      'The old primary region is a healthy secondary again: apply the managed-RPO policy, so the writer ' +
      'enforces the RPO and a secondary only where another would remain after a failover to it.',
    calls: (p) => rpoCalls(p, p.from),
    checks: (p) => rpoChecks(p),
    ifItFails: (p) =>
      `The writer has not moved; ${p.target.region} serves reads. A group may be half aligned, which is safe ` +
      `while ${p.target.region} stays healthy. Check with \`${statusCommand()}\`, then run the resume command below.`,
    underCanary: true,
    run: (ctx) => alignManagedRpo(ctx, undefined),
  },
  {
    id: 'fence',
    kinds: ALL,
    title: (p) => `Fence writes in ${p.from.region}`,
    purpose:
      "Set the old writer region's drain switch to 'true' before the writer moves, so its service " +
      'refuses traffic and its health checks fail: no region serves writes it cannot keep (no split ' +
      'brain). DNS keeps answering it until another region passes its writer check: when every ' +
      'record of a failover pair is unhealthy, Route 53 answers the PRIMARY.',
    calls: (p) => [
      call(ops.getParameter, p.from.region, { Name: p.from.drainParameterName }),
      call(
        ops.putParameter,
        p.from.region,
        { Name: p.from.drainParameterName, Value: 'true', Overwrite: 'true' },
        "unless already 'true'",
      ),
      call(
        ops.getHealthCheckStatus,
        p.homeRegion,
        { HealthCheckId: p.from.healthChecks.writer },
        'polled until unhealthy',
      ),
    ],
    checks: (p) => [
      "skips the write when the drain switch is already 'true'",
      p.kind === 'failover'
        ? `the writer health check of ${p.from.region} turns unhealthy (polled for at most ${FAILOVER_FENCE_WAIT_MS / 1000} s: a failed region may never answer)`
        : `the writer health check of ${p.from.region} turns unhealthy (polled)`,
    ],
    ifItFails: (p) =>
      p.kind === 'failover'
        ? `The old region may be unreachable: the failure is recorded and the drill continues only because --allow-data-loss was given (its writes are lost anyway).`
        : `The writer has not moved. ${p.from.region} may be drained: its service refuses traffic, but ${p.writeHostname} ` +
          `still answers ${p.from.region} (Route 53 answers the PRIMARY while every writer check is unhealthy). ` +
          `To back out, set ${p.from.drainParameterName} to 'false' in ${p.from.region}; to go on, run the resume command below.`,
    underCanary: true,
    async run(ctx) {
      const { from } = ctx.plan;
      let alreadyFenced: boolean;
      try {
        alreadyFenced =
          (await ctx.aws.switches.get(from.region, from.drainParameterName)) === 'true';
        if (!alreadyFenced)
          await ctx.aws.switches.put(from.region, from.drainParameterName, 'true');
      } catch (err) {
        if (!tolerated(ctx, err)) throw err;
        ctx.note({ fenceFailed: errorText(err) });
        return {
          status: 'skipped',
          summary: `fencing ${from.region} failed (${errorText(err)}); continuing because --allow-data-loss`,
          details: { fenceFailed: errorText(err) },
        };
      }
      try {
        const health = await waitFor({
          stepId: 'fence',
          what: `the writer health check of ${from.region} to be unhealthy`,
          clock: ctx.clock,
          // A dead region's check may never turn; an unplanned failover does not wait for it
          // longer than a bounded wait (unless --timeout fence= says otherwise).
          timeoutMs:
            ctx.params.kind === 'failover' && ctx.timing.stepTimeoutsMs.fence === undefined
              ? Math.min(ctx.timeoutMs, FAILOVER_FENCE_WAIT_MS)
              : ctx.timeoutMs,
          pollIntervalMs: ctx.timing.pollIntervalMs,
          poll: () => ctx.aws.routing.healthCheckStatus(from.healthChecks.writer),
          done: (h) => !h.healthy,
          describe: (h) => `${h.healthy ? 'healthy' : 'unhealthy'}, ${checkers(h)}`,
          progress: (m) => ctx.progress(m),
          onTimeout: this.ifItFails(ctx.plan),
        });
        return {
          status: alreadyFenced ? 'skipped' : 'completed',
          summary: `${from.region} drained${alreadyFenced ? ' already' : ''}; its writer check is unhealthy (${checkers(health)})`,
        };
      } catch (err) {
        if (ctx.params.kind !== 'failover' || isFatal(err)) throw err;
        return {
          status: 'completed',
          summary: `${from.region} drained, but its writer check did not turn (${errorText(err)}); continuing because --allow-data-loss`,
        };
      }
    },
  },
  {
    id: 'promote',
    kinds: ALL,
    title: (p) =>
      `Promote ${p.target.region} (${p.kind === 'failover' ? 'FailoverGlobalCluster' : 'SwitchoverGlobalCluster'})`,
    purpose:
      'Ask Aurora to move the writer. A switchover synchronizes first and loses nothing; a failover ' +
      'promotes at once and loses what was not yet replicated. The RPO lag at this moment is recorded.',
    calls: (p) => [
      call(ops.describeGlobalClusters, p.target.region, {
        GlobalClusterIdentifier: p.globalClusterIdentifier,
      }),
      call(ops.getMetricData, p.target.region, {
        MetricName: 'AuroraGlobalDBRPOLag',
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
          lagProblem = `AuroraGlobalDBRPOLag of ${target.clusterIdentifier} was not reported in the last 5 minutes`;
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
  },
  {
    id: 'wait-writer',
    kinds: ALL,
    title: (p) => `Wait until ${p.target.region} holds the writer`,
    purpose:
      'Aurora promotes asynchronously: wait until the target is the writer and no failover state is left.',
    calls: (p) => [
      call(
        ops.describeGlobalClusters,
        p.target.region,
        { GlobalClusterIdentifier: p.globalClusterIdentifier },
        'polled',
      ),
      call(
        ops.describeDbClusters,
        p.target.region,
        { DBClusterIdentifier: p.target.clusterIdentifier },
        'polled',
      ),
    ],
    checks: (p) => [
      `${p.target.region} is the writer, FailoverState is gone, global status available, cluster available (polled)`,
      'stops (UNEXPECTED_STATE) when Aurora cancels the move, moves elsewhere, or the cluster fails',
    ],
    ifItFails: (p) =>
      `Aurora may still be moving the writer: check \`${statusCommand()}\`. ${p.from.region} stays fenced. ` +
      'If the move completes, the resume command below verifies and finishes; if Aurora cancelled it, set ' +
      `${p.from.drainParameterName} back to 'false' in ${p.from.region}.`,
    underCanary: true,
    async run(ctx) {
      const { target } = ctx.plan;
      let idlePolls = 0;
      const bad = new Set([
        'failed',
        'inaccessible-encryption-credentials',
        'stopped',
        'deleting',
        'incompatible-parameters',
      ]);
      const state = await waitFor({
        stepId: 'wait-writer',
        what: `${target.region} to hold the writer`,
        clock: ctx.clock,
        timeoutMs: ctx.timeoutMs,
        pollIntervalMs: ctx.timing.pollIntervalMs,
        poll: async () => {
          const [g, cluster] = await Promise.all([
            globalCluster(ctx),
            ctx.aws.database.describeCluster(target.region, target.clusterIdentifier),
          ]);
          return { g, cluster };
        },
        done: ({ g, cluster }) =>
          writerRegionOf(g, ctx.topology) === target.region &&
          !g.failoverState &&
          g.status === 'available' &&
          cluster.status === 'available',
        describe: ({ g, cluster }) =>
          `${describeGlobal(g, ctx.topology)}; ${target.clusterIdentifier} ${cluster.status}`,
        unexpected: ({ g, cluster }) => {
          if (g.failoverState?.status === 'cancelling')
            return 'Aurora is cancelling the move; the writer stays where it was';
          if (g.failoverState && g.failoverState.toArn !== target.clusterArn) {
            return `the move goes to ${g.failoverState.toArn ?? '?'}, not to ${target.clusterArn}`;
          }
          if (bad.has(cluster.status)) return `${target.clusterIdentifier} is ${cluster.status}`;
          if (!memberOf(g, target.clusterArn))
            return `${target.clusterIdentifier} left the global cluster`;
          // Nothing moving and the writer elsewhere, three polls in a row: the request did not take.
          idlePolls =
            !g.failoverState && writerRegionOf(g, ctx.topology) !== target.region
              ? idlePolls + 1
              : 0;
          return idlePolls >= 3
            ? `nothing is moving and the writer is still ${writerRegionOf(g, ctx.topology)}`
            : undefined;
        },
        progress: (m) => ctx.progress(m),
        onTimeout: this.ifItFails(ctx.plan),
      });
      return { status: 'completed', summary: describeGlobal(state.g, ctx.topology) };
    },
  },
  {
    id: 'align-rpo',
    kinds: ALL,
    title: (p) => `Align the managed RPO with the new writer ${p.target.region}`,
    purpose:
      "Aurora holds commits when no secondary has an RPO lag under rds.global_db_rpo of the writer's " +
      'cluster parameter group. Right after the move, before any write is verified: a new writer without ' +
      'a healthy secondary stops enforcing (so it never blocks every commit), and the RPO is set where a ' +
      'healthy secondary can satisfy it now; a secondary enforces only where another would remain after ' +
      'an unplanned failover to it.',
    calls: (p) => rpoCalls(p, p.target, p.kind === 'failover' ? p.from : undefined),
    checks: (p) => rpoChecks(p, p.kind === 'failover' ? p.from : undefined),
    ifItFails: (p) =>
      `The move is done. A group may be half aligned: check what each cluster enforces with \`${statusCommand()}\`; ` +
      `if ${p.target.region} enforces the RPO without a healthy secondary, its commits block: run the resume command below, ` +
      `or reset ${MANAGED_RPO} in ${p.target.clusterParameterGroupName} by hand.`,
    underCanary: true,
    run: (ctx) => alignManagedRpo(ctx, ctx.params.kind === 'failover' ? ctx.plan.from : undefined),
  },
  {
    id: 'verify-traffic',
    kinds: ALL,
    title: (p) => `Verify ${p.writeHostname} moved to ${p.target.region}`,
    purpose:
      "The target's writer health check must pass and Route 53 must answer the write name with the " +
      "target's write target (its API Gateway regional domain, as the DrillService output publishes it): " +
      'the write path follows the writer without any Route 53 change.',
    calls: (p) => [
      call(
        ops.getHealthCheckStatus,
        p.homeRegion,
        { HealthCheckId: p.target.healthChecks.writer },
        'polled',
      ),
      call(
        ops.testDnsAnswer,
        p.homeRegion,
        { HostedZoneId: p.hostedZoneId, RecordName: p.writeHostname, RecordType: 'CNAME' },
        'polled, following CNAMEs',
      ),
    ],
    checks: (p) => [
      `the writer health check of ${p.target.region} is healthy (most checkers report success)`,
      `${p.writeHostname} resolves (through the zone's CNAMEs) to the write target of ${p.target.region}, ${p.target.writeTarget}`,
    ],
    ifItFails: (p) =>
      `The writer has moved; writes through ${p.writeHostname} may fail until DNS follows. Check the ` +
      `/health/writer endpoint of ${p.target.regionalHostname} and the health check in Route 53, then run the resume command below.`,
    underCanary: true,
    async run(ctx) {
      const { target } = ctx.plan;
      const state = await waitFor({
        stepId: 'verify-traffic',
        what: `${ctx.plan.writeHostname} to answer ${target.writeTarget} (${target.region})`,
        clock: ctx.clock,
        timeoutMs: ctx.timeoutMs,
        pollIntervalMs: ctx.timing.pollIntervalMs,
        poll: async () => {
          const [health, chain] = await Promise.all([
            ctx.aws.routing.healthCheckStatus(target.healthChecks.writer),
            resolveChain(ctx.aws, ctx.topology, ctx.plan.writeHostname),
          ]);
          return { health, chain };
        },
        done: ({ health, chain }) => health.healthy && chain.at(-1) === target.writeTarget,
        describe: ({ health, chain }) =>
          `writer check of ${target.region} ${health.healthy ? 'healthy' : 'unhealthy'} (${checkers(health)}); ` +
          `${ctx.plan.writeHostname} -> ${chain.length ? chain.join(' -> ') : 'no answer'}`,
        progress: (m) => ctx.progress(m),
        onTimeout: this.ifItFails(ctx.plan),
      });
      return {
        status: 'completed',
        summary: `${ctx.plan.writeHostname} -> ${state.chain.join(' -> ')}; ${checkers(state.health)}`,
      };
    },
  },
  {
    id: 'verify-writes',
    kinds: ALL,
    title: (p) => `Verify ${p.target.region} takes writes`,
    purpose:
      'Write a canary row on the new writer through the RDS Data API (it only answers on a writer), ' +
      'then count the canary rows acknowledged earlier that it does not have: the measured data loss.',
    calls: (p) => [
      call(
        ops.executeStatement,
        p.target.region,
        sqlParams(p.target, p, 'CREATE TABLE IF NOT EXISTS drill_canary (...)'),
        'polled until the insert succeeds',
      ),
      call(
        ops.executeStatement,
        p.target.region,
        sqlParams(p.target, p, 'INSERT INTO drill_canary ...'),
        'polled until it succeeds',
      ),
      call(
        ops.executeStatement,
        p.target.region,
        sqlParams(p.target, p, 'SELECT seq FROM drill_canary WHERE drill_id = :drill_id'),
      ),
    ],
    checks: (p) => [
      `an INSERT on ${p.target.clusterIdentifier} succeeds`,
      `every canary row acknowledged before the move is on ${p.target.clusterIdentifier}` +
        (p.kind === 'failover' ? ' (missing rows are reported as data loss, not a failure)' : ''),
    ],
    ifItFails: (p) =>
      `The writer has moved but writes on ${p.target.clusterIdentifier} failed: check the Data API ` +
      `(enabled, secret ${p.target.secretArn} readable) and the cluster, then run the resume command below.`,
    underCanary: true,
    async run(ctx) {
      const target = sqlTarget(ctx.plan.target, ctx.plan.databaseName);
      const sample = await waitFor({
        stepId: 'verify-writes',
        what: `a canary write on ${ctx.plan.target.clusterIdentifier}`,
        clock: ctx.clock,
        timeoutMs: ctx.timeoutMs,
        pollIntervalMs: ctx.timing.pollIntervalMs,
        poll: async () => {
          await ctx.aws.sql.execute(target, CANARY_SQL.createTable);
          return ctx.canary.writeOnce(target, 'verify');
        },
        done: (s) => s.ok,
        describe: (s) => `row ${s.seq} ${s.ok ? 'written' : 'failed'}`,
        progress: (m) => ctx.progress(m),
        onTimeout: this.ifItFails(ctx.plan),
      });
      const rows = await ctx.aws.sql.execute(target, CANARY_SQL.selectSeqs, {
        drill_id: ctx.params.drillId,
      });
      const present = new Set(rows.map((r) => Number(r[0])));
      const acknowledged = ctx.canary.samples().filter((s) => s.ok);
      const lostRows = acknowledged.filter((s) => !present.has(s.seq)).map((s) => s.seq);
      if (lostRows.length > 0 && ctx.params.kind !== 'failover') {
        throw new DrillError(
          'UNEXPECTED_STATE',
          `${lostRows.length} acknowledged canary row(s) are missing on ${ctx.plan.target.clusterIdentifier} after a switchover (seq ${lostRows.join(', ')})`,
          {
            hint: 'A switchover must not lose data: keep the evidence (journal, record) and open a case with AWS',
          },
        );
      }
      return {
        status: 'completed',
        summary: `row ${sample.seq} written on ${ctx.plan.target.clusterIdentifier}; ${lostRows.length} of ${acknowledged.length} acknowledged canary rows missing`,
        details: { verifiedSeq: sample.seq, acknowledgedRows: acknowledged.length, lostRows },
      };
    },
  },
  {
    id: 'return-old-writer',
    kinds: ALL,
    title: (p) =>
      p.kind === 'failover'
        ? `Leave ${p.from.region} drained`
        : `Return ${p.from.region} to service as a secondary`,
    purpose:
      'After a planned move the old writer region serves reads again once it is a healthy secondary. ' +
      'After an unplanned failover it stays drained: it must rejoin and catch up first (drill failback).',
    calls: (p) => (p.kind === 'failover' ? [] : healthySecondaryCalls(p.from, p)),
    checks: (p) =>
      p.kind === 'failover'
        ? [`none: ${p.from.region} is left drained on purpose`]
        : [
            `${p.from.region} is a member, not the writer, available, RPO lag under ${p.rpoLabel} (polled)`,
            "skips the write when the drain switch is already 'false'",
            `the serving health check of ${p.from.region} turns healthy (polled)`,
          ],
    ifItFails: (p) =>
      `The drill's move is done; ${p.from.region} is still drained (safe: it takes no traffic). ` +
      `The resume command below finishes when it is a healthy secondary, or set ${p.from.drainParameterName} to 'false' by hand.`,
    underCanary: true,
    async run(ctx) {
      if (ctx.params.kind === 'failover') {
        const { from } = ctx.plan;
        return {
          status: 'skipped',
          summary:
            `${from.region} left drained after an unplanned failover; when it is a healthy secondary again, ` +
            (from.region === ctx.topology.primaryRegion
              ? `\`${startCommand('failback', from.region)}\` returns it to service and moves the writer back`
              : `set ${from.drainParameterName} to 'false' in ${from.region}`),
        };
      }
      return returnToService(ctx, 'return-old-writer', ctx.plan.from);
    },
  },
  {
    id: 'settle-rpo',
    kinds: ['switchover', 'failback'],
    title: (p) =>
      `Enforce the RPO on ${p.target.region} now that ${p.from.region} is a healthy secondary`,
    purpose:
      'The old writer region is a healthy secondary again (the step before waited for it): apply the ' +
      'managed-RPO policy once more, so the new writer enforces the RPO it can now satisfy.',
    calls: (p) => rpoCalls(p, p.target),
    checks: (p) => rpoChecks(p),
    ifItFails: (p) =>
      `The drill's move is done and ${p.from.region} serves again; the RPO may not be enforced yet (safe for ` +
      `commits, unbounded data loss). Check with \`${statusCommand()}\`, then run the resume command below.`,
    underCanary: true,
    run: (ctx) => alignManagedRpo(ctx, undefined),
  },
];

/**
 * Steps that change what serves or takes writes: a drill that started one of them has left
 * something to finish (resume) or to undo, so its lock is kept while it is stopped.
 */
export const STATE_CHANGING_STEPS: ReadonlySet<string> = new Set<StepId>([
  'ready-target',
  'rejoin-rpo',
  'fence',
  'promote',
  'align-rpo',
  'return-old-writer',
  'settle-rpo',
]);

/** The ordered steps of one kind of drill. */
export function stepsFor(kind: DrillKind): StepDefinition[] {
  return STEPS.filter((s) => s.kinds.includes(kind));
}

/** The plan view of a drill already in a journal (resume, reports). */
export function planOfJournal(
  topology: DrillTopology,
  header: {
    readonly params: { kind: DrillKind; fromRegion: string; targetRegion: string };
    readonly homeRegion: string;
  },
): PlanView {
  const { params } = header;
  return planView(topology, params.kind, params.fromRegion, params.targetRegion, header.homeRegion);
}

/** Builds a plan view from the outputs. */
export function planView(
  topology: DrillTopology,
  kind: DrillKind,
  fromRegion: string,
  targetRegion: string,
  homeRegion: string,
): PlanView {
  return {
    kind,
    // regionOf explains a region the outputs no longer name (e.g. resuming with another file).
    from: regionOf(topology, fromRegion),
    target: regionOf(topology, targetRegion),
    globalClusterIdentifier: topology.globalClusterIdentifier,
    hostedZoneId: topology.hostedZoneId,
    writeHostname: topology.writeHostname,
    databaseName: topology.databaseName,
    rpoSeconds: topology.rpoSeconds,
    rpoLabel: `${topology.rpoSeconds} s`,
    homeRegion,
    regions: topology.regions,
  };
}
