import { Duration } from 'aws-cdk-lib';
import { TIMING_DEFAULTS } from './contract';

/**
 * The settings that bound how fast traffic can move to another region: the inputs of the RTO
 * floors. Built once (the app builds it from its topology) and passed to the service (its
 * health signal cache), the routing construct (checks, records, floors), the nag pack (the RTO
 * rule) and the drill's outputs (the TTL its preflight checks the live records against).
 */
export interface TimingPolicy {
  /**
   * TTL of every record that moves traffic; at most 60 seconds.
   *
   * @default Duration.seconds(60)
   */
  readonly ttl: Duration;
  /**
   * Route 53 health check request interval: 10 (fast) or 30 seconds.
   *
   * @default Duration.seconds(10)
   */
  readonly healthCheckInterval: Duration;
  /**
   * Consecutive checks before Route 53 changes an endpoint's status, either way (1 to 10).
   *
   * @default 3
   */
  readonly failureThreshold: number;
  /**
   * How long the regional health endpoint reuses a signal.
   *
   * @default Duration.seconds(5)
   */
  readonly healthSignalCacheTtl: Duration;
  /**
   * Estimated time for the database to promote a secondary.
   *
   * @default Duration.minutes(2)
   */
  readonly promotionEstimate: Duration;
  /**
   * Where the routing stack, its health checks' metrics and alarms live.
   *
   * @default 'us-east-1'
   */
  readonly homeRegion: string;
}

/** The policy with every default (see {@link TIMING_DEFAULTS}). */
export const DEFAULT_TIMING_POLICY: TimingPolicy = {
  ttl: Duration.seconds(TIMING_DEFAULTS.ttlSeconds),
  healthCheckInterval: Duration.seconds(TIMING_DEFAULTS.healthCheckIntervalSeconds),
  failureThreshold: TIMING_DEFAULTS.failureThreshold,
  healthSignalCacheTtl: Duration.millis(TIMING_DEFAULTS.healthSignalCacheMs),
  promotionEstimate: Duration.seconds(TIMING_DEFAULTS.promotionEstimateSeconds),
  homeRegion: TIMING_DEFAULTS.homeRegion,
};

/** A timing policy: the defaults with any of them replaced. */
export function timingPolicy(overrides: Partial<TimingPolicy> = {}): TimingPolicy {
  return { ...DEFAULT_TIMING_POLICY, ...overrides };
}
