/**
 * The defaults of the timing policy behind the RTO floor, in plain numbers so the drill and
 * the README can read them; `constructs/timing-policy.ts` turns them into Durations for the
 * constructs, and the topology builds the one policy every stack uses.
 */
import { CACHE_TTL_MS } from '../handlers/health-contract';
import { ROUTE53_HOME_REGION } from './names';

/** The timing policy's defaults. */
export const TIMING_DEFAULTS = {
  /**
   * TTL of every record that moves traffic, and its most: a resolver keeps an answer this long.
   * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-basic.html (TTL)
   */
  ttlSeconds: 60,
  /**
   * Route 53 health check request interval: 10 (fast) or 30 seconds.
   * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html (Request interval)
   */
  healthCheckIntervalSeconds: 10,
  /** Consecutive checks before Route 53 changes an endpoint's status (1 to 10). */
  failureThreshold: 3,
  /** How long the regional health endpoint reuses a signal. */
  healthSignalCacheMs: CACHE_TTL_MS.default,
  /**
   * Estimated time for Aurora to promote a secondary cluster in a managed switchover or
   * failover; AWS's wording is that a global database's RTO "can be in the order of minutes".
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
   */
  promotionEstimateSeconds: 120,
  /** Where the routing stack lives: Route 53 publishes health-check metrics only there. */
  homeRegion: ROUTE53_HOME_REGION,
} as const;

/** The most TTL a record that moves traffic may have (the routing construct refuses more). */
export const MAX_ROUTED_TTL_SECONDS = 60;

/**
 * One path's RTO floor with its parts, in seconds (constructs/recovery-objectives.ts
 * `PathRtoFloor`), as the routing stack publishes it in `ComplianceFacts.rtoFloors`.
 */
export interface PathRtoFloorBreakdown {
  /** `read`: the read name leaves a failed region; `write`: the write name follows a promotion. */
  readonly path: 'read' | 'write';
  /** The promotion estimate (write path; 0 on the read path). */
  readonly promotionSeconds: number;
  /** Health check interval x failure threshold. */
  readonly detectionSeconds: number;
  readonly healthCheckIntervalSeconds: number;
  readonly failureThreshold: number;
  /** How long the health endpoint may serve a cached signal. */
  readonly signalStalenessSeconds: number;
  /** Record TTL x hops: how long resolvers may keep the old answers. */
  readonly dnsTtlSeconds: number;
  readonly ttlSeconds: number;
  /** CNAME hops a client follows on the path's name. */
  readonly hops: number;
  readonly totalSeconds: number;
  /** The parts and the sum on one line. */
  readonly explanation: string;
}

/** Both paths' RTO floors with their parts. */
export interface RtoFloorBreakdown {
  readonly read: PathRtoFloorBreakdown;
  readonly write: PathRtoFloorBreakdown;
}
