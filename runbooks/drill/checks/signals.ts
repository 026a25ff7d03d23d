import { LAG_METRICS, READINESS_METRIC_NAMESPACE } from '../../../constructs/contract';
import type { AlarmView } from '../aws/adapters';
import { check, isDrained, type PreflightCheck } from './context';

const LAG_METRIC_NAMES = new Set<string>(Object.values(LAG_METRICS));

// 8. No alarm is firing, apart from those the current topology explains.
export const noAlarms: PreflightCheck = ({
  snapshot,
  topology,
  down,
  expectedUnhealthy,
  waived,
}) => {
  const writerCluster = snapshot.regions.find((r) => r.isWriter)?.clusterIdentifier;
  const alarmProblems: string[] = [];
  let expectedAlarms = 0;
  let readinessAlarms = 0;
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
      if (isReadinessAlarm(alarm)) readinessAlarms++;
      else if (
        isExpectedAlarm(alarm, writerCluster, new Set([...expectedUnhealthy, ...downChecks]))
      )
        expectedAlarms++;
      else alarmProblems.push(`${region}: ${alarm.name}`);
    }
  }
  return check(
    'no-alarms',
    `no alarm named ${topology.alarmNamePrefix ? `${topology.alarmNamePrefix}*` : '(any)'} in ALARM`,
    alarmProblems.length === 0,
    (alarmProblems.length > 0
      ? alarmProblems.join('; ')
      : expectedAlarms > 0
        ? `none unexpected (${expectedAlarms} expected: lag of the writer, or checks expected unhealthy)`
        : 'none in ALARM') +
      (readinessAlarms > 0
        ? `; ${readinessAlarms} readiness alarm(s) not counted (they restate these checks)`
        : '') +
      waived('alarms are not read'),
  );
};

// 9. Drain switches are off (a failback target may still be drained: the drill returns it first).
export const drainsOff: PreflightCheck = ({ kind, judged, targetRegion, waived }) => {
  const drainedTarget =
    kind === 'failback' ? judged.find((r) => r.region === targetRegion && isDrained(r)) : undefined;
  const drainProblems = judged.flatMap((r) => {
    if (!r.drain.ok) return [`${r.region}: ${r.drain.error}`];
    if (r.drain.value === 'false' || r === drainedTarget) return [];
    return [`${r.region}: '${r.drain.value ?? ''}'`];
  });
  return check(
    'drains-off',
    "every region's drain switch is 'false'",
    drainProblems.length === 0,
    (drainProblems.length === 0
      ? drainedTarget
        ? `all 'false' except ${targetRegion}, which the failback returns to service first`
        : "all 'false'"
      : drainProblems.join('; ')) + waived('is fenced by the drill, if it answers'),
  );
};

/**
 * The readiness alarms restate these checks' own verdicts: counting them would keep the
 * readiness function failing on its own alarm after the cause is gone.
 */
function isReadinessAlarm(alarm: AlarmView): boolean {
  return (
    alarm.metrics.length > 0 &&
    alarm.metrics.every((m) => m.namespace === READINESS_METRIC_NAMESPACE)
  );
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
