import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IAuroraGlobalMember } from './aurora-global-member';
import { MIN_MANAGED_RPO } from './managed-rpo';
import { throwIfProblems } from './invalid-props-error';

/** Properties of {@link ReplicationLagAlarms}. */
export interface ReplicationLagAlarmsProps {
  /** The secondary cluster whose lag is watched (the metrics exist only in its region). */
  readonly cluster: IAuroraGlobalMember;
  /** The recovery point objective; the thresholds derive from it. */
  readonly rpo: Duration;
  /** Topic notified on ALARM and on OK. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Lag that raises the warning alarms.
   *
   * @default - half the RPO
   */
  readonly warningThreshold?: Duration;
  /**
   * Lag that raises the critical alarms.
   *
   * @default - the RPO
   */
  readonly criticalThreshold?: Duration;
  /**
   * Also alarm on `AuroraGlobalDBProgressLag` (Aurora PostgreSQL 16.6, 15.10,
   * 14.15, 13.18, 12.22 and later): it keeps growing during cross-region
   * disruptions while the secondary's readers stay available.
   *
   * @default true
   */
  readonly progressLag?: boolean;
}

/** The lag metrics alarmed on, as Aurora publishes them (milliseconds, per secondary cluster). */
export const LAG_METRICS = {
  replication: 'AuroraGlobalDBReplicationLag',
  rpo: 'AuroraGlobalDBRPOLag',
  progress: 'AuroraGlobalDBProgressLag',
} as const;

/**
 * Warning and critical alarms on a secondary cluster's global-database lag,
 * with thresholds derived from one RPO.
 *
 * Aurora publishes these cluster metrics once a minute, so each alarm looks at
 * the one-minute maximum and fires on the first datapoint over the threshold:
 * a breach is seen within a minute. Missing data counts as breaching: a
 * secondary that stops reporting lag cannot be shown to be within the RPO.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
 */
export class ReplicationLagAlarms extends Construct {
  /** Every alarm, by name: `<metric>-<warning|critical>`. */
  readonly alarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: ReplicationLagAlarmsProps) {
    super(scope, id);
    const warning = props.warningThreshold ?? Duration.millis(props.rpo.toMilliseconds() / 2);
    const critical = props.criticalThreshold ?? props.rpo;
    validate(props.rpo, warning, critical, this);

    const region = Stack.of(this).region;
    const action = new actions.SnsAction(props.alarmTopic);
    const metricNames: (keyof typeof LAG_METRICS)[] = ['replication', 'rpo'];
    if (props.progressLag ?? true) metricNames.push('progress');

    for (const key of metricNames) {
      const metric = lagMetric(LAG_METRICS[key], props.cluster.clusterIdentifier, region);
      for (const [level, threshold] of [
        ['warning', warning],
        ['critical', critical],
      ] as const) {
        const alarm = new cloudwatch.Alarm(this, `${LAG_METRICS[key]}-${level}`, {
          alarmDescription:
            `${level.toUpperCase()}: ${LAG_METRICS[key]} of ${props.cluster.clusterIdentifier} in ${region} ` +
            `is over ${threshold.toHumanString()} (RPO ${props.rpo.toHumanString()}), or is not reported`,
          metric,
          threshold: threshold.toMilliseconds(),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          datapointsToAlarm: 1,
          // Progress lag exists only on recent engine versions: absent data there
          // is not a symptom. The other two must always be reported by a secondary.
          treatMissingData:
            key === 'progress'
              ? cloudwatch.TreatMissingData.NOT_BREACHING
              : cloudwatch.TreatMissingData.BREACHING,
        });
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
        this.alarms[`${LAG_METRICS[key]}-${level}`] = alarm;
      }
    }
  }
}

/** A global-database lag metric of one cluster, one-minute maximum, in that cluster's region. */
export function lagMetric(
  metricName: string,
  clusterIdentifier: string,
  region: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/RDS',
    metricName,
    dimensionsMap: { DBClusterIdentifier: clusterIdentifier },
    statistic: cloudwatch.Stats.MAXIMUM,
    period: Duration.minutes(1),
    region,
  });
}

function validate(rpo: Duration, warning: Duration, critical: Duration, scope: Construct): void {
  const problems: string[] = [];
  if (rpo.toSeconds({ integral: false }) < MIN_MANAGED_RPO.toSeconds()) {
    problems.push(
      `rpo must be at least ${MIN_MANAGED_RPO.toSeconds()} seconds, the least Aurora's managed RPO can enforce, got: ${rpo.toHumanString()}`,
    );
  }
  if (warning.toMilliseconds() >= critical.toMilliseconds()) {
    problems.push(
      `warningThreshold (${warning.toHumanString()}) must be below criticalThreshold (${critical.toHumanString()})`,
    );
  }
  if (critical.toMilliseconds() > rpo.toMilliseconds()) {
    problems.push(
      `criticalThreshold (${critical.toHumanString()}) must not exceed the rpo (${rpo.toHumanString()}): the alarm would fire only after the objective is already missed`,
    );
  }
  throwIfProblems('ReplicationLagAlarms', scope, problems);
}
