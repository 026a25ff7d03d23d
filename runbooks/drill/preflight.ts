import { LAG_METRICS } from '../../constructs/contract';
import type { AlarmView, HealthView } from './aws/adapters';
import { regionOfTarget, type DrillTopology } from './discovery';
import type { DnsChain, Observed, RegionSnapshot, Snapshot } from './observe';
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

const LAG_METRIC_NAMES = new Set<string>(Object.values(LAG_METRICS));
const GOOD_STATUS = 'available';

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

  // In an unplanned failover the writer's region is the outage: its state is not a gate.
  const down = kind === 'failover' ? snapshot.writerRegion : undefined;
  const waived = (what: string) =>
    down ? `; waived for an unplanned failover: ${down} (the failed writer region) ${what}` : '';
  const judged = snapshot.regions.filter((r) => r.region !== down);

  // 2. Every member is healthy and on one engine version.
  const notAvailable = judged.filter(
    (r) => !r.cluster.ok || r.cluster.value.status !== GOOD_STATUS,
  );
  results.push(
    check(
      'members-available',
      `every member cluster is ${GOOD_STATUS}`,
      notAvailable.length === 0,
      (notAvailable.length === 0
        ? `${judged.length} members available`
        : notAvailable
            .map((r) => `${r.region}: ${describe(r.cluster, (c) => c.status)}`)
            .join('; ')) + waived('may be unavailable'),
    ),
  );
  // A managed switchover or failover needs every member on the same engine version (Aurora
  // User Guide, aurora-global-database-disaster-recovery, "Switchovers" prerequisites).
  // The failed writer may not answer: then the global cluster's version stands in for it.
  const standIn = down ? snapshot.globalCluster.engineVersion : undefined;
  const memberVersions = snapshot.regions.map((r) =>
    r.cluster.ok ? r.cluster.value.engineVersion : r.region === down ? standIn : undefined,
  );
  const versions = new Set(memberVersions);
  const versionsOk = versions.size === 1 && !versions.has(undefined);
  results.push(
    check(
      'engine-versions',
      'engine versions are equal across members',
      versionsOk,
      versionsOk
        ? `all on ${memberVersions[0]}`
        : memberVersions.every((v) => v === undefined)
          ? 'no engine version could be read'
          : snapshot.regions
              .map((r) => `${r.region}: ${describe(r.cluster, (c) => c.engineVersion ?? '?')}`)
              .concat(
                down && snapshot.globalCluster.engineVersion
                  ? [`global cluster: ${snapshot.globalCluster.engineVersion}`]
                  : [],
              )
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

  // 4. Every secondary (in a failover: the target) is within the RPO at its last datapoint.
  const rpoMs = topology.rpoSeconds * 1000;
  const secondaries = snapshot.regions.filter(
    (r) => r.isMember && !r.isWriter && (!down || r.region === targetRegion),
  );
  const lagProblems: string[] = [];
  const lagReadings: string[] = [];
  for (const r of secondaries) {
    if (!r.lag) lagProblems.push(`${r.region}: no lag read`);
    else if (!r.lag.ok) lagProblems.push(`${r.region}: ${r.lag.error}`);
    else if (r.lag.value.rpoMs === null)
      lagProblems.push(`${r.region}: AuroraGlobalDBRPOLag not reported in the last 5 minutes`);
    else if (r.lag.value.rpoMs >= rpoMs)
      lagProblems.push(`${r.region}: RPO lag ${r.lag.value.rpoMs} ms >= ${rpoMs} ms`);
    else lagReadings.push(`${r.region}: ${r.lag.value.rpoMs} ms`);
  }
  results.push(
    check(
      'lag-under-rpo',
      `RPO lag of every secondary is under the RPO (${topology.rpoSeconds} s)`,
      lagProblems.length === 0 && secondaries.length > 0,
      lagProblems.length > 0
        ? lagProblems.join('; ')
        : secondaries.length === 0
          ? 'no secondary members'
          : lagReadings.join('; '),
    ),
  );

  // 5. Health checks: each as expected for the current writer. A check expected unhealthy
  // that passes means a health function that fails open, which would send writes to a reader.
  const expectedUnhealthy = expectedUnhealthyChecks(snapshot, topology, { kind, targetRegion });
  const healthProblems: string[] = [];
  for (const r of judged) {
    const ids = topology.regions.find((t) => t.region === r.region)!.healthChecks;
    for (const [name, observedCheck, id] of [
      ['serving', r.servingCheck, ids.serving],
      ['writer', r.writerCheck, ids.writer],
    ] as const) {
      // A headless secondary has no serving check to judge.
      if (observedCheck === undefined || id === undefined) continue;
      const wantHealthy = !expectedUnhealthy.has(id);
      if (!observedCheck.ok)
        healthProblems.push(`${r.region} ${name} (${id}): ${observedCheck.error}`);
      else if (observedCheck.value.healthy !== wantHealthy) {
        healthProblems.push(
          wantHealthy
            ? `${r.region} ${name} (${id}): unhealthy, ${checkers(observedCheck.value)}`
            : `${r.region} ${name} (${id}): healthy (${checkers(observedCheck.value)}) but expected unhealthy: ${
                name === 'writer'
                  ? `${r.region} does not hold the writer, so its /health/writer fails open`
                  : `${r.region} is drained, so its /health ignores the drain switch`
              }`,
        );
      }
    }
  }
  results.push(
    check(
      'health-checks',
      'health checks as expected: healthy, except writer checks of non-writer regions (must be unhealthy)',
      healthProblems.length === 0,
      (healthProblems.length === 0 ? 'all as expected' : healthProblems.join('; ')) +
        waived('is not probed'),
    ),
  );

  // 6. DNS answers now what the records and checks say: the write name the writer's target,
  // the app name a serving region's target.
  results.push(dnsCheck(snapshot, topology, down));

  // 7. Records that move traffic have short TTLs: at most the TTL the stacks published.
  const maxTtlSeconds = topology.ttlSeconds;
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
            : rec.ttl === undefined || rec.ttl > maxTtlSeconds
              ? [`${rec.name} ${rec.setIdentifier ?? ''} TTL ${rec.ttl ?? 'none'} s`]
              : [],
        );
  results.push(
    check(
      'record-ttls',
      `TTL of every ${topology.appHostname} and ${topology.writeHostname} record <= ${maxTtlSeconds} s`,
      ttlProblems.length === 0,
      ttlProblems.length === 0
        ? `${records.ok ? records.value.length : 0} records checked`
        : ttlProblems.join('; '),
    ),
  );

  // 8. No alarm is firing, apart from those the current topology explains.
  const writerCluster = snapshot.regions.find((r) => r.isWriter)?.clusterIdentifier;
  const alarmProblems: string[] = [];
  let expectedAlarms = 0;
  const downChecks = down
    ? new Set(Object.values(topology.regions.find((t) => t.region === down)?.healthChecks ?? {}))
    : new Set<string>();
  for (const { region, alarms } of snapshot.alarms) {
    if (region === down) continue;
    if (!alarms.ok) {
      alarmProblems.push(`${region}: ${alarms.error}`);
      continue;
    }
    for (const alarm of alarms.value) {
      if (isExpectedAlarm(alarm, writerCluster, new Set([...expectedUnhealthy, ...downChecks])))
        expectedAlarms++;
      else alarmProblems.push(`${region}: ${alarm.name}`);
    }
  }
  results.push(
    check(
      'no-alarms',
      `no alarm named ${topology.alarmNamePrefix ? `${topology.alarmNamePrefix}*` : '(any)'} in ALARM`,
      alarmProblems.length === 0,
      (alarmProblems.length > 0
        ? alarmProblems.join('; ')
        : expectedAlarms > 0
          ? `none unexpected (${expectedAlarms} expected: lag of the writer, or checks expected unhealthy)`
          : 'none in ALARM') + waived('alarms are not read'),
    ),
  );

  // 9. Drain switches are off (a failback target may still be drained: the drill returns it first).
  const drainedTarget =
    kind === 'failback' ? judged.find((r) => r.region === targetRegion && isDrained(r)) : undefined;
  const drainProblems = judged.flatMap((r) => {
    if (!r.drain.ok) return [`${r.region}: ${r.drain.error}`];
    if (r.drain.value === 'false' || r === drainedTarget) return [];
    return [`${r.region}: '${r.drain.value ?? ''}'`];
  });
  results.push(
    check(
      'drains-off',
      "every region's drain switch is 'false'",
      drainProblems.length === 0,
      (drainProblems.length === 0
        ? drainedTarget
          ? `all 'false' except ${targetRegion}, which the failback returns to service first`
          : "all 'false'"
        : drainProblems.join('; ')) + waived('is fenced by the drill, if it answers'),
    ),
  );
  return results;
}

function dnsCheck(
  snapshot: Snapshot,
  topology: DrillTopology,
  down: string | undefined,
): CheckResult {
  const byRegion = new Map(snapshot.regions.map((r) => [r.region, r]));
  const answered = (chain: DnsChain): string | undefined =>
    chain.answers.ok ? chain.answers.value.at(-1) : undefined;
  const shownChain = (chain: DnsChain) =>
    chain.answers.ok
      ? `${chain.name} -> ${chain.answers.value.length ? chain.answers.value.join(' -> ') : 'no answer'}`
      : `${chain.name}: ${chain.answers.error}`;
  const problems: string[] = [];

  const writer = topology.regions.find((r) => r.region === snapshot.writerRegion);
  const write = answered(snapshot.dns.write);
  let writeNote = '';
  if (down) {
    // With every writer check unhealthy Route 53 answers the PRIMARY record (Route 53 Developer
    // Guide, "How health checks work in complex Amazon Route 53 configurations"): the failed
    // region may stay the answer until the new writer's check passes; verify-traffic checks it.
    writeNote = '; write name not judged (unplanned failover: it follows the new writer)';
  } else if (!writer || write !== writer.writeTarget) {
    problems.push(
      `${shownChain(snapshot.dns.write)}, expected the write target of the writer ${snapshot.writerRegion ?? '(none)'}` +
        (writer ? ` (${writer.writeTarget})` : ''),
    );
  }

  const app = answered(snapshot.dns.app);
  const appRegion = app ? regionOfTarget(topology, app) : undefined;
  const appRegionSnapshot = appRegion && byRegion.get(appRegion.region);
  const serving =
    appRegionSnapshot &&
    appRegion.appTarget === app &&
    appRegionSnapshot.servingCheck?.ok === true &&
    appRegionSnapshot.servingCheck.value.healthy &&
    !isDrained(appRegionSnapshot);
  if (!serving) {
    problems.push(
      `${shownChain(snapshot.dns.app)}, expected the app target of a serving region` +
        (appRegion ? ` (${appRegion.region} is not serving)` : ''),
    );
  }
  return {
    id: 'dns-answers',
    title: `${topology.writeHostname} answers the writer's target, ${topology.appHostname} a serving region's`,
    ok: problems.length === 0,
    reason:
      problems.length > 0
        ? problems.join('; ')
        : `${shownChain(snapshot.dns.write)} (${snapshot.writerRegion}); ${shownChain(snapshot.dns.app)} (${appRegion!.region})${writeNote}`,
  };
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
    if (kind === 'failback' && r.region === targetRegion && isDrained(r) && checks.serving)
      ids.add(checks.serving);
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

/** The preflight checks that gate a promotion: what must still hold when a drill resumes. */
export const PROMOTION_GATE: readonly string[] = [
  'target-secondary',
  'target-available',
  'target-not-headless',
  'members-available',
  'engine-versions',
  'no-operation-in-progress',
  'lag-under-rpo',
];

export interface ResumeGateTarget extends PreflightTarget {
  /** The writer region when the drill started. */
  readonly fromRegion: string;
}

/**
 * What a resumed drill must pass before it continues. Before the promotion the promotion gate
 * holds again (lag may have grown while the drill was stopped); the drill's own changes (the
 * fenced region, its failing checks) are not held against it. Once the promotion was requested
 * (the target is the writer, or a move to it is in progress) the later steps check their state
 * themselves and nothing else gates.
 */
export function evaluateResumeGate(
  snapshot: Snapshot,
  topology: DrillTopology,
  { kind, targetRegion, fromRegion }: ResumeGateTarget,
  remainingSteps: readonly string[],
): CheckResult[] {
  const writer = snapshot.writerRegion;
  const targetArn = topology.regions.find((r) => r.region === targetRegion)?.clusterArn;
  const movingToTarget =
    targetArn !== undefined && snapshot.globalCluster.failoverState?.toArn === targetArn;
  const writerCheck: CheckResult = {
    id: 'writer-unchanged',
    title: `the writer is still in ${fromRegion} (or already in ${targetRegion})`,
    ok: writer === fromRegion || writer === targetRegion,
    reason: `writer in ${writer ?? 'no region'}`,
  };
  if (!remainingSteps.includes('promote') || writer === targetRegion || movingToTarget) {
    return [
      writerCheck,
      {
        id: 'promotion-gate',
        title: 'promotion gate (lag, target, members) before the promotion',
        ok: true,
        reason: remainingSteps.includes('promote')
          ? `not needed: ${movingToTarget ? `a move to ${targetRegion} is in progress` : `${targetRegion} holds the writer`}`
          : 'not needed: the promotion step has completed',
      },
    ];
  }
  const gate = new Set(PROMOTION_GATE);
  return [
    writerCheck,
    ...evaluatePreflight(snapshot, topology, { kind, targetRegion }).filter((c) => gate.has(c.id)),
  ];
}
