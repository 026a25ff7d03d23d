import type { AlarmView, HealthView } from './aws/adapters';
import type { DrillTopology } from './discovery';
import type { Observed, RegionSnapshot, Snapshot } from './observe';
import type { DrillKind } from './model';

/** One preflight check's verdict. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly ok: boolean;
  readonly reason: string;
}

export interface PreflightTarget {
  readonly kind: DrillKind;
  readonly targetRegion: string;
}

const LAG_METRIC_NAMES = new Set([
  'AuroraGlobalDBReplicationLag',
  'AuroraGlobalDBRPOLag',
  'AuroraGlobalDBProgressLag',
]);
const GOOD_STATUS = 'available';
const MAX_TTL_SECONDS = 60;

/** Every check that must pass before a drill, as a pure function of one snapshot. */
export function evaluatePreflight(
  snapshot: Snapshot,
  topology: DrillTopology,
  { kind, targetRegion }: PreflightTarget,
): CheckResult[] {
  const target = snapshot.regions.find((r) => r.region === targetRegion);
  const check = (id: string, title: string, ok: boolean, reason: string): CheckResult => ({
    id,
    title,
    ok,
    reason,
  });
  const results: CheckResult[] = [];

  // 1. The target can take the writer.
  results.push(
    check(
      'target-secondary',
      `target ${targetRegion} is a secondary member of ${topology.globalClusterIdentifier}`,
      !!target && target.isMember && !target.isWriter,
      !target
        ? `${targetRegion} is not in the outputs`
        : !target.isMember
          ? `${target.clusterIdentifier} is not a member of the global cluster`
          : target.isWriter
            ? `${targetRegion} already holds the writer`
            : `${target.clusterIdentifier} is a secondary`,
    ),
  );
  const targetCluster = target?.cluster;
  results.push(
    check(
      'target-available',
      `target cluster is ${GOOD_STATUS}`,
      targetCluster?.ok === true && targetCluster.value.status === GOOD_STATUS,
      targetCluster ? describe(targetCluster, (c) => `status ${c.status}`) : 'no target',
    ),
  );
  results.push(
    check(
      'target-not-headless',
      'target cluster has at least one instance (not headless)',
      targetCluster?.ok === true && targetCluster.value.instanceCount >= 1,
      targetCluster
        ? describe(targetCluster, (c) =>
            c.instanceCount >= 1
              ? `${c.instanceCount} instance(s)`
              : 'headless: add an instance before it can take the writer',
          )
        : 'no target',
    ),
  );

  // 2. Every member is healthy and on one engine version.
  const notAvailable = snapshot.regions.filter(
    (r) => !r.cluster.ok || r.cluster.value.status !== GOOD_STATUS,
  );
  results.push(
    check(
      'members-available',
      `every member cluster is ${GOOD_STATUS}`,
      notAvailable.length === 0,
      notAvailable.length === 0
        ? `${snapshot.regions.length} members available`
        : notAvailable
            .map((r) => `${r.region}: ${describe(r.cluster, (c) => c.status)}`)
            .join('; '),
    ),
  );
  const versions = new Set(
    snapshot.regions.flatMap((r) =>
      r.cluster.ok && r.cluster.value.engineVersion ? [r.cluster.value.engineVersion] : [],
    ),
  );
  results.push(
    check(
      'engine-versions',
      'engine versions are equal across members',
      versions.size === 1,
      versions.size === 1
        ? `all on ${[...versions][0]}`
        : versions.size === 0
          ? 'no engine version could be read'
          : snapshot.regions
              .map((r) => `${r.region}: ${describe(r.cluster, (c) => c.engineVersion ?? '?')}`)
              .join('; '),
    ),
  );

  // 3. Nothing is moving already.
  const failover = snapshot.globalCluster.failoverState;
  results.push(
    check(
      'no-operation-in-progress',
      'no failover or switchover in progress',
      !failover && snapshot.globalCluster.status === GOOD_STATUS,
      failover
        ? `${failover.status} from ${failover.fromArn ?? '?'} to ${failover.toArn ?? '?'}`
        : `global cluster status ${snapshot.globalCluster.status}`,
    ),
  );

  // 4. Every secondary is within the RPO.
  const rpoMs = topology.rpoSeconds * 1000;
  const secondaries = snapshot.regions.filter((r) => r.isMember && !r.isWriter);
  const lagProblems = secondaries.flatMap((r) => {
    if (!r.lag) return [`${r.region}: no lag read`];
    if (!r.lag.ok) return [`${r.region}: ${r.lag.error}`];
    if (r.lag.value.rpoMs === null)
      return [`${r.region}: AuroraGlobalDBRPOLag not reported in the last 5 minutes`];
    return r.lag.value.rpoMs >= rpoMs
      ? [`${r.region}: RPO lag ${r.lag.value.rpoMs} ms >= ${rpoMs} ms`]
      : [];
  });
  results.push(
    check(
      'lag-under-rpo',
      `RPO lag of every secondary is under the RPO (${topology.rpoSeconds} s)`,
      lagProblems.length === 0 && secondaries.length > 0,
      lagProblems.length > 0
        ? lagProblems.join('; ')
        : secondaries.length === 0
          ? 'no secondary members'
          : secondaries
              .map((r) => `${r.region}: ${r.lag?.ok ? `${r.lag.value.rpoMs} ms` : '?'}`)
              .join('; '),
    ),
  );

  // 5. Health checks: each as expected for the current writer.
  const expectedUnhealthy = expectedUnhealthyChecks(snapshot, topology, { kind, targetRegion });
  const healthProblems: string[] = [];
  for (const r of snapshot.regions) {
    const ids = topology.regions.find((t) => t.region === r.region)!.healthChecks;
    for (const [name, observedCheck, id] of [
      ['serving', r.servingCheck, ids.serving],
      ['writer', r.writerCheck, ids.writer],
    ] as const) {
      if (expectedUnhealthy.has(id)) continue;
      if (!observedCheck.ok)
        healthProblems.push(`${r.region} ${name} (${id}): ${observedCheck.error}`);
      else if (!observedCheck.value.healthy) {
        healthProblems.push(
          `${r.region} ${name} (${id}): unhealthy, ${checkers(observedCheck.value)}`,
        );
      }
    }
  }
  results.push(
    check(
      'health-checks',
      'health checks healthy (writer checks of non-writer regions are expected unhealthy)',
      healthProblems.length === 0,
      healthProblems.length === 0 ? 'all healthy as expected' : healthProblems.join('; '),
    ),
  );

  // 6. Records that move traffic have short TTLs.
  const records = snapshot.records;
  const ttlProblems = !records.ok
    ? [records.error]
    : records.value.length === 0
      ? [`no records found for ${topology.appHostname} or ${topology.writeHostname}`]
      : records.value.flatMap((rec) =>
          rec.alias
            ? [
                `${rec.name} ${rec.setIdentifier ?? ''} is an alias record (its TTL is not ours to set)`,
              ]
            : rec.ttl === undefined || rec.ttl > MAX_TTL_SECONDS
              ? [`${rec.name} ${rec.setIdentifier ?? ''} TTL ${rec.ttl ?? 'none'} s`]
              : [],
        );
  results.push(
    check(
      'record-ttls',
      `TTL of every ${topology.appHostname} and ${topology.writeHostname} record <= ${MAX_TTL_SECONDS} s`,
      ttlProblems.length === 0,
      ttlProblems.length === 0
        ? `${records.ok ? records.value.length : 0} records checked`
        : ttlProblems.join('; '),
    ),
  );

  // 7. No alarm is firing, apart from those the current topology explains.
  const writerCluster = snapshot.regions.find((r) => r.isWriter)?.clusterIdentifier;
  const alarmProblems: string[] = [];
  let expectedAlarms = 0;
  for (const { region, alarms } of snapshot.alarms) {
    if (!alarms.ok) {
      alarmProblems.push(`${region}: ${alarms.error}`);
      continue;
    }
    for (const alarm of alarms.value) {
      if (isExpectedAlarm(alarm, writerCluster, expectedUnhealthy)) expectedAlarms++;
      else alarmProblems.push(`${region}: ${alarm.name}`);
    }
  }
  results.push(
    check(
      'no-alarms',
      `no alarm named ${topology.alarmNamePrefix ? `${topology.alarmNamePrefix}*` : '(any)'} in ALARM`,
      alarmProblems.length === 0,
      alarmProblems.length > 0
        ? alarmProblems.join('; ')
        : expectedAlarms > 0
          ? `none unexpected (${expectedAlarms} expected: lag of the writer, or checks expected unhealthy)`
          : 'none in ALARM',
    ),
  );

  // 8. Drain switches are off (a failback target may still be drained: the drill returns it first).
  const drainProblems = snapshot.regions.flatMap((r) => {
    if (!r.drain.ok) return [`${r.region}: ${r.drain.error}`];
    if (r.drain.value === 'false') return [];
    if (kind === 'failback' && r.region === targetRegion && r.drain.value === 'true') return [];
    return [`${r.region}: '${r.drain.value ?? ''}'`];
  });
  results.push(
    check(
      'drains-off',
      "every region's drain switch is 'false'",
      drainProblems.length === 0,
      drainProblems.length === 0
        ? kind === 'failback' &&
          snapshot.regions.some(
            (r) => r.region === targetRegion && r.drain.ok && r.drain.value === 'true',
          )
          ? `all 'false' except ${targetRegion}, which the failback returns to service first`
          : "all 'false'"
        : drainProblems.join('; '),
    ),
  );
  return results;
}

/**
 * Health check ids that are expected to be unhealthy now: every non-writer's writer check,
 * and a drained failback target's serving check.
 */
export function expectedUnhealthyChecks(
  snapshot: Snapshot,
  topology: DrillTopology,
  { kind, targetRegion }: PreflightTarget,
): Set<string> {
  const ids = new Set<string>();
  for (const r of snapshot.regions) {
    const checks = topology.regions.find((t) => t.region === r.region)!.healthChecks;
    if (!r.isWriter) ids.add(checks.writer);
    if (kind === 'failback' && r.region === targetRegion && isDrained(r)) ids.add(checks.serving);
  }
  return ids;
}

function isDrained(region: RegionSnapshot): boolean {
  return region.drain.ok && region.drain.value === 'true';
}

/** Lag alarms of the writer (it publishes no lag) and alarms on expected-unhealthy checks. */
function isExpectedAlarm(
  alarm: AlarmView,
  writerCluster: string | undefined,
  expectedUnhealthy: ReadonlySet<string>,
): boolean {
  return (
    alarm.metrics.length > 0 &&
    alarm.metrics.every(
      (m) =>
        (m.namespace === 'AWS/RDS' &&
          LAG_METRIC_NAMES.has(m.metricName ?? '') &&
          m.dimensions.DBClusterIdentifier === writerCluster) ||
        (m.namespace === 'AWS/Route53' && expectedUnhealthy.has(m.dimensions.HealthCheckId ?? '')),
    )
  );
}

export function checkers(health: HealthView): string {
  return `${health.succeeding}/${health.reporting} checkers report success`;
}

function describe<T>(value: Observed<T>, ok: (v: T) => string): string {
  return value.ok ? ok(value.value) : `error: ${value.error}`;
}
