import { Duration } from 'aws-cdk-lib';

/**
 * Estimated time for Aurora to promote a secondary cluster in a managed
 * switchover or failover. AWS describes cross-region recovery as typically
 * under a minute; the default budgets twice that.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 */
export const DEFAULT_PROMOTION_ESTIMATE = Duration.minutes(2);

/** The settings that bound how fast traffic can move to another region. */
export interface RtoFloorInputs {
  /** Route 53 health check request interval. */
  readonly healthCheckInterval: Duration;
  /** Consecutive failed checks before Route 53 calls an endpoint unhealthy. */
  readonly failureThreshold: number;
  /** How long the health endpoint may serve a cached signal. */
  readonly healthSignalCacheTtl: Duration;
  /** TTL of the records that move traffic (resolvers keep the old answer this long). */
  readonly recordTtl: Duration;
  /** Time for the database to promote a secondary. */
  readonly promotionEstimate: Duration;
}

/** The computed lower bound of the recovery time, with its parts. */
export interface RtoFloor {
  readonly detection: Duration;
  readonly signalStaleness: Duration;
  readonly dnsTtl: Duration;
  readonly promotion: Duration;
  readonly total: Duration;
  /** One line a reviewer can read: the parts and the sum. */
  readonly explanation: string;
}

/**
 * RTO floor = interval x failure threshold (detection) + health signal cache
 * + record TTL + promotion estimate. No recovery can be faster than this with
 * these settings; a real one adds the operator's decision time.
 */
export function computeRtoFloor(inputs: RtoFloorInputs): RtoFloor {
  const detection = Duration.seconds(
    inputs.healthCheckInterval.toSeconds() * inputs.failureThreshold,
  );
  const signalStaleness = Duration.millis(inputs.healthSignalCacheTtl.toMilliseconds());
  const parts = [detection, signalStaleness, inputs.recordTtl, inputs.promotionEstimate];
  const total = Duration.millis(parts.reduce((sum, d) => sum + d.toMilliseconds(), 0));
  const s = (d: Duration) => `${d.toMilliseconds() / 1000}s`;
  return {
    detection,
    signalStaleness,
    dnsTtl: inputs.recordTtl,
    promotion: inputs.promotionEstimate,
    total,
    explanation:
      `detection ${inputs.healthCheckInterval.toSeconds()}s x ${inputs.failureThreshold} = ${s(detection)}` +
      ` + health signal cache ${s(signalStaleness)} + DNS TTL ${s(inputs.recordTtl)}` +
      ` + promotion estimate ${s(inputs.promotionEstimate)} = ${s(total)}`,
  };
}
