import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IAuroraGlobalMember } from './aurora-global-member';
import { GlobalDatabaseMetrics, LAG_METRICS, LagKind } from './global-database-metrics';
import { MIN_MANAGED_RPO } from './managed-rpo';
import { AlarmFactory } from './monitoring';
import { throwIfProblems } from './invalid-props-error';

/** Properties of {@link ReplicationLagAlarms}. */
export interface ReplicationLagAlarmsProps {
  /**
   * This region's member of the global database, whatever its role today:
   * lag is watched while it is a secondary, protection while it holds the writer.
   */
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
  /**
   * How long a region that its health function reports as a secondary may go
   * without lag data before the not-reported alarms fire. Covers the minutes
   * after a switchover in which Aurora starts publishing lag for the old
   * primary, and metrics that arrive late.
   *
   * @default Duration.minutes(5)
   */
  readonly notReportedAfter?: Duration;
  /**
   * Namespace of the service's own metrics (`IsWriter`, `SecondariesWithinRpo`).
   *
   * @default SERVICE_METRIC_NAMESPACE ('MultiRegion/Service')
   */
  readonly serviceNamespace?: string;
}

const DEFAULT_NOT_REPORTED_AFTER = Duration.minutes(5);

/**
 * Role-following alarms of one region's global-database member, created in
 * every region (primary included) so they hold after any switchover without
 * a redeploy.
 *
 * - `<metric>-warning` / `-critical`: the cluster's lag (one-minute maximum)
 *   is over RPO/2 / the RPO on one datapoint. Aurora publishes lag only for a
 *   secondary, in its own region, so only a current secondary can breach; a
 *   missing datapoint is not a breach (the writer has none).
 * - `<metric>-not-reported` (replication and RPO lag): the region's health
 *   function reports `IsWriter` 0 and the cluster has reported no lag for
 *   `notReportedAfter`. A region whose role is unknown (no `IsWriter` yet, or
 *   its health function stopped) does not fire it.
 * - `protected`: while this region holds the writer, at least one secondary is
 *   within the RPO as the writer's `aurora_global_db_status()` shows it
 *   (`SecondariesWithinRpo`). Only the writer region's copy can fire.
 *
 * A new alarm starts in INSUFFICIENT_DATA and is then evaluated (PutMetricAlarm);
 * none of these evaluates to ALARM on a healthy deployment before the health
 * function first reports.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html#metric-math-syntax
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
export class ReplicationLagAlarms extends Construct {
  /** Every alarm, by name: `<metric>-<warning|critical|not-reported>`, and `protected`. */
  readonly alarms: Record<string, cloudwatch.Alarm> = {};
  /** The metrics the alarms read (the dashboard reads the same factory). */
  readonly metrics: GlobalDatabaseMetrics;

  constructor(scope: Construct, id: string, props: ReplicationLagAlarmsProps) {
    super(scope, id);
    const warning = props.warningThreshold ?? Duration.millis(props.rpo.toMilliseconds() / 2);
    const critical = props.criticalThreshold ?? props.rpo;
    const notReportedAfter = props.notReportedAfter ?? DEFAULT_NOT_REPORTED_AFTER;
    validate(props.rpo, warning, critical, notReportedAfter, this);

    const cluster = props.cluster.clusterIdentifier;
    // The member's own factory: its region and cluster, the names Aurora publishes.
    this.metrics = GlobalDatabaseMetrics.of(props.cluster, props.serviceNamespace);
    const region = this.metrics.region;
    // <stack>-<metric>-<level>: the stack name holds prefix and region, and the
    // drill selects the project's alarms by that prefix.
    const alarms = new AlarmFactory(this, { alarmTopic: props.alarmTopic });
    const add = (name: string, alarmProps: cloudwatch.AlarmProps) => {
      this.alarms[name] = alarms.addAlarm(name, { ...alarmProps, name: [name] });
    };

    const kinds: LagKind[] = ['replication', 'rpo'];
    if (props.progressLag ?? true) kinds.push('progress');
    for (const kind of kinds) {
      const metricName = LAG_METRICS[kind];
      for (const [level, threshold] of [
        ['warning', warning],
        ['critical', critical],
      ] as const) {
        add(`${metricName}-${level}`, {
          alarmDescription:
            `${level.toUpperCase()}: ${metricName} of ${cluster} in ${region} is over ` +
            `${threshold.toHumanString()} (RPO ${props.rpo.toHumanString()}). ` +
            'Only a secondary reports lag; no data is not a breach.',
          metric: this.metrics.lag(kind),
          threshold: threshold.toMilliseconds(),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          datapointsToAlarm: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      }
      // Progress lag exists only on recent engine versions: its absence is no symptom.
      if (kind === 'progress') continue;
      const minutes = notReportedAfter.toMinutes();
      add(`${metricName}-not-reported`, {
        alarmDescription:
          `${metricName} of ${cluster} in ${region} not reported for ${notReportedAfter.toHumanString()} ` +
          'while the health function reports this region as a secondary (IsWriter 0): its lag cannot be shown within the RPO.',
        metric: this.metrics.lagNotReported(kind),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // M of N: FILL makes a late last datapoint look missing; only a run of them alarms.
        evaluationPeriods: minutes,
        datapointsToAlarm: minutes,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    add('protected', {
      alarmDescription:
        `No secondary is within the RPO (${props.rpo.toHumanString()}) while ${region} holds the writer ` +
        '(SecondariesWithinRpo from aurora_global_db_status(), or not reported): a loss of this region ' +
        'would lose more than the RPO, and managed RPO may block commits.',
      metric: this.metrics.protectedWhileWriter(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}

function validate(
  rpo: Duration,
  warning: Duration,
  critical: Duration,
  notReportedAfter: Duration,
  scope: Construct,
): void {
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
  const minutes = notReportedAfter.toMinutes({ integral: false });
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60) {
    problems.push(
      `notReportedAfter must be a whole number of minutes from 1 to 60 (lag is published once a minute), got: ${notReportedAfter.toHumanString()}`,
    );
  }
  throwIfProblems('ReplicationLagAlarms', scope, problems);
}
