import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IAuroraGlobalMember } from './aurora-global-member';
import { RegionalServiceMetrics } from './monitoring';
import { LAG_METRICS, type LagKind } from './contract';

// The lag metric names live in the deployment contract (the drill reads them too).
export { LAG_METRICS, type LagKind } from './contract';

/** Properties of {@link GlobalDatabaseMetrics}. */
export interface GlobalDatabaseMetricsProps {
  /** The region whose cluster and health function the metrics describe. */
  readonly region: string;
  /** Identifier of the region's Aurora cluster (a plain string, fixed at synth). */
  readonly clusterIdentifier: string;
  /**
   * Namespace of the service's own metrics.
   *
   * @default SERVICE_METRIC_NAMESPACE ('MultiRegion/Service')
   */
  readonly serviceNamespace?: string;
}

/** Every metric here is a one-minute statistic: Aurora publishes lag once a minute. */
const PERIOD = Duration.minutes(1);

/**
 * The one place that knows the namespaces, dimensions, names and statistics of
 * one region's global-database metrics: the alarms and the dashboard read the
 * same objects.
 *
 * Lag (`AWS/RDS`, dimension `DBClusterIdentifier`) is published only for a
 * secondary cluster, in that cluster's region, so it moves with every
 * switchover; `IsWriter` and `SecondariesWithinRpo` come from the region's
 * health function (data plane) in {@link SERVICE_METRIC_NAMESPACE}, dimension
 * `Region`.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
 */
export class GlobalDatabaseMetrics {
  readonly region: string;
  readonly clusterIdentifier: string;
  /** The region's service metrics (`IsWriter`, `SecondariesWithinRpo`, ...). */
  readonly service: RegionalServiceMetrics;

  /** The metrics of `member`'s cluster, in the member's region. */
  static of(member: IAuroraGlobalMember, serviceNamespace?: string): GlobalDatabaseMetrics {
    return new GlobalDatabaseMetrics({
      region: member.env.region,
      clusterIdentifier: member.clusterIdentifier,
      serviceNamespace,
    });
  }

  constructor(props: GlobalDatabaseMetricsProps) {
    this.region = props.region;
    this.clusterIdentifier = props.clusterIdentifier;
    this.service = new RegionalServiceMetrics(props.region, props.serviceNamespace);
  }

  /**
   * The one-minute maximum of a lag metric of this region's cluster (ms).
   * Unlabelled, so an alarm on it stays a plain metric alarm (MetricName, Dimensions).
   */
  lag(kind: LagKind): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/RDS',
      metricName: LAG_METRICS[kind],
      dimensionsMap: { DBClusterIdentifier: this.clusterIdentifier },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: PERIOD,
      region: this.region,
    });
  }

  /** {@link RegionalServiceMetrics.isWriter} of this region. */
  isWriter(): cloudwatch.Metric {
    return this.service.isWriter();
  }

  /** {@link RegionalServiceMetrics.serving} of this region. */
  serving(): cloudwatch.Metric {
    return this.service.serving();
  }

  /** {@link RegionalServiceMetrics.drained} of this region. */
  drained(): cloudwatch.Metric {
    return this.service.drained();
  }

  /** {@link RegionalServiceMetrics.secondariesWithinRpo} of this region. */
  secondariesWithinRpo(): cloudwatch.Metric {
    return this.service.secondariesWithinRpo();
  }

  /**
   * 1 for each minute in which this region is a reported secondary (`IsWriter`
   * 0) and its cluster reports no `kind` lag, else 0.
   *
   * A minute without `IsWriter` counts as the writer's (`FILL(writer, 1)`): the
   * role is unknown before the health function first reports, so missing lag
   * is no symptom then. A minute without lag is filled with -1, below any real
   * lag. FILL fills the missing values of a time series; comparisons and AND
   * between two time series give 0 or 1 per timestamp; IF(TS, S, S) yields a
   * value for every timestamp of its condition.
   *
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html#metric-math-syntax
   */
  lagNotReported(kind: LagKind): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'IF(FILL(writer, 1) == 0 AND FILL(lag, -1) < 0, 1, 0)',
      usingMetrics: { writer: this.isWriter(), lag: this.lag(kind) },
      period: PERIOD,
      label: `${this.region} ${LAG_METRICS[kind]} not reported while secondary`,
    });
  }

  /**
   * While this region holds the writer: the secondaries within the RPO as it
   * sees them (a minute without a count is 0: protection cannot be shown).
   * Elsewhere, and before the health function first reports: 1.
   *
   * Only the writer region's value can fall below 1, so exactly one region's
   * alarm speaks for the global database, and it follows the writer.
   *
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html#using-IF-expressions
   */
  protectedWhileWriter(): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'IF(FILL(writer, 0) == 1, FILL(within, 0), 1)',
      usingMetrics: { writer: this.isWriter(), within: this.secondariesWithinRpo() },
      period: PERIOD,
      label: `${this.region} secondaries within the RPO (while writer)`,
    });
  }
}
