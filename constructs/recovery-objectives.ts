import { Duration } from 'aws-cdk-lib';
import { DEFAULT_TIMING_POLICY } from './timing-policy';

/**
 * Estimated time for Aurora to promote a secondary cluster in a managed
 * switchover or failover. AWS's wording is that a global database's RTO "can
 * be in the order of minutes"; the default budgets two.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 */
export const DEFAULT_PROMOTION_ESTIMATE = DEFAULT_TIMING_POLICY.promotionEstimate;

/**
 * How long the regional health endpoint reuses a signal by default. The
 * timing policy holds the value; the service, the routing construct and the
 * nag pack take it from there.
 */
export const DEFAULT_HEALTH_SIGNAL_CACHE_TTL = DEFAULT_TIMING_POLICY.healthSignalCacheTtl;

/** The settings that bound how fast traffic can move to another region. */
export interface RtoFloorInputs {
  /** Route 53 health check request interval. */
  readonly healthCheckInterval: Duration;
  /** Consecutive checks before Route 53 changes an endpoint's status, either way. */
  readonly failureThreshold: number;
  /** How long the health endpoint may serve a cached signal. */
  readonly healthSignalCacheTtl: Duration;
  /** TTL of each record that moves traffic (resolvers keep the old answer this long). */
  readonly recordTtl: Duration;
  /** Time for the database to promote a secondary. */
  readonly promotionEstimate: Duration;
  /**
   * CNAME hops a client follows on the read name before it reaches a region.
   *
   * @default 1
   */
  readonly readHops?: number;
  /**
   * CNAME hops a client follows on the write name (2 with more than one
   * secondary: `write.` -> `standby.write.` -> a region).
   *
   * @default 1
   */
  readonly writeHops?: number;
}

/** The computed lower bound of one path's recovery time, with its parts. */
export interface PathRtoFloor {
  /** `read`: the read name leaves a failed region; `write`: the write name follows a promotion. */
  readonly path: 'read' | 'write';
  /** Promotion estimate (write path only; zero on the read path). */
  readonly promotion: Duration;
  /** Interval x threshold of the checks whose status must change. */
  readonly detection: Duration;
  /** The health endpoint's signal cache, which delays that change. */
  readonly signalStaleness: Duration;
  /** TTL x hops: how long resolvers may keep the old answers. */
  readonly dnsTtl: Duration;
  readonly hops: number;
  readonly total: Duration;
  /** One line a reviewer can read: the parts and the sum. */
  readonly explanation: string;
}

/** Both paths' floors. */
export interface RtoFloors {
  readonly read: PathRtoFloor;
  readonly write: PathRtoFloor;
  /** The slower of the two: no full recovery (reads and writes) is faster. */
  readonly slowest: PathRtoFloor;
}

const s = (d: Duration) => `${d.toMilliseconds() / 1000}s`;
const sum = (...parts: Duration[]) =>
  Duration.millis(parts.reduce((total, d) => total + d.toMilliseconds(), 0));

/** What both paths wait for once DNS must move: checks, the cached signal, each hop's TTL. */
function dnsMoveParts(inputs: RtoFloorInputs, hops: number) {
  return {
    detection: Duration.seconds(inputs.healthCheckInterval.toSeconds() * inputs.failureThreshold),
    signalStaleness: Duration.millis(inputs.healthSignalCacheTtl.toMilliseconds()),
    dnsTtl: Duration.millis(inputs.recordTtl.toMilliseconds() * hops),
  };
}

/** The end both explanations share: the cached signal, each hop's TTL and the total. */
function dnsMoveText(
  inputs: RtoFloorInputs,
  signalStaleness: Duration,
  hops: number,
  total: Duration,
): string {
  return ` + health signal cache ${s(signalStaleness)} + DNS TTL ${s(inputs.recordTtl)} x ${hops} hop${hops === 1 ? '' : 's'} = ${s(total)}`;
}

/**
 * Read path: the failed region's serving check must fail `failureThreshold`
 * times (after its cached signal expires), then resolvers drop the old answer
 * within the TTL of each hop. The other serving regions are already healthy,
 * so nothing has to turn healthy.
 */
export function readPathFloor(inputs: RtoFloorInputs): PathRtoFloor {
  const hops = inputs.readHops ?? 1;
  const { detection, signalStaleness, dnsTtl } = dnsMoveParts(inputs, hops);
  const total = sum(detection, signalStaleness, dnsTtl);
  return {
    path: 'read',
    promotion: Duration.seconds(0),
    detection,
    signalStaleness,
    dnsTtl,
    hops,
    total,
    explanation:
      `read path: failed region's checks ${inputs.healthCheckInterval.toSeconds()}s x ${inputs.failureThreshold} = ${s(detection)}` +
      dnsMoveText(inputs, signalStaleness, hops, total),
  };
}

/**
 * Write path: the database promotes, then the *new* writer region's writer
 * check must pass `failureThreshold` times (after its cached "not the writer"
 * signal expires) before DNS moves, then resolvers drop the old answer within
 * the TTL of each hop. The old writer's check fails during the promotion.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 */
export function writePathFloor(inputs: RtoFloorInputs): PathRtoFloor {
  const hops = inputs.writeHops ?? 1;
  const { detection, signalStaleness, dnsTtl } = dnsMoveParts(inputs, hops);
  const promotion = inputs.promotionEstimate;
  const total = sum(promotion, detection, signalStaleness, dnsTtl);
  return {
    path: 'write',
    promotion,
    detection,
    signalStaleness,
    dnsTtl,
    hops,
    total,
    explanation:
      `write path: promotion estimate ${s(promotion)}` +
      ` + new writer's checks passing ${inputs.healthCheckInterval.toSeconds()}s x ${inputs.failureThreshold} = ${s(detection)}` +
      dnsMoveText(inputs, signalStaleness, hops, total),
  };
}

/**
 * The RTO floors of both paths. No recovery can be faster than these with
 * these settings; a real one adds detection by a person and the decision to
 * promote.
 */
export function computeRtoFloors(inputs: RtoFloorInputs): RtoFloors {
  const read = readPathFloor(inputs);
  const write = writePathFloor(inputs);
  return {
    read,
    write,
    slowest: write.total.toMilliseconds() >= read.total.toMilliseconds() ? write : read,
  };
}
