import { CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { readPathFloor, writePathFloor } from '../../recovery-objectives';
import { HEALTH_PATHS } from '../../regional-service';
import { allInStack, logicalIdOf } from './cfn-facts';

/** What the RTO rule needs beyond the resources. */
export interface RtoFacts {
  readonly rto?: Duration;
  readonly promotionEstimate: Duration;
  /** The regional service's health signal cache (`RegionalService.healthSignalCacheTtl`). */
  readonly healthSignalCacheTtl: Duration;
}

/** A health check's config as L1 properties resolve (camelCase). */
interface CheckConfig {
  type?: string;
  resourcePath?: string;
  requestInterval?: number;
  failureThreshold?: number;
  childHealthChecks?: ({ Ref?: string } | string)[];
}

const bare = (name: string) => name.replace(/\.$/, '').toLowerCase();

/**
 * For each routed record, the RTO floor of its path is within the RTO
 * objective. A record whose health check probes the writer route (itself, or
 * any child of a calculated check) is on the write path: promotion + the new
 * writer's checks passing + cache + TTL per hop. Any other routed record is on
 * the read path: the failed region's checks failing + cache + TTL per hop.
 * Hops count the routed records a client follows from this one (a SECONDARY
 * that names `standby.write.` adds that latency set's hop).
 */
export function rtoFloorWithinObjective(node: CfnResource, facts: RtoFacts): NagRuleResult {
  if (facts.rto === undefined || !(node instanceof route53.CfnRecordSet))
    return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  const checkRef = (stack.resolve(node.healthCheckId) as { Ref?: string } | undefined)?.Ref;
  const ttl = Number(stack.resolve(node.ttl));
  if (checkRef === undefined || !Number.isFinite(ttl)) return NagRuleCompliance.NOT_APPLICABLE;

  const checks = new Map(
    allInStack(node, route53.CfnHealthCheck).map((c) => [
      logicalIdOf(c),
      stack.resolve(c.healthCheckConfig) as CheckConfig,
    ]),
  );
  const childrenOf = (config: CheckConfig) =>
    (config.childHealthChecks ?? []).map((c) => (typeof c === 'string' ? undefined : c.Ref));
  // The slowest endpoint check behind `id` (for a calculated check, its slowest child).
  const detection = (id: string | undefined): { seconds: number; writer: boolean } => {
    const config = id === undefined ? undefined : checks.get(id);
    if (config === undefined) return { seconds: 0, writer: false };
    if (config.type === 'CALCULATED') {
      const children = childrenOf(config).map(detection);
      return {
        seconds: Math.max(0, ...children.map((c) => c.seconds)),
        writer: children.some((c) => c.writer),
      };
    }
    return {
      seconds: (config.requestInterval ?? 30) * (config.failureThreshold ?? 3),
      writer: config.resourcePath === HEALTH_PATHS.writer,
    };
  };

  const routed = allInStack(node, route53.CfnRecordSet).filter(
    (r) => stack.resolve(r.healthCheckId) !== undefined,
  );
  const values = (r: route53.CfnRecordSet) =>
    ((stack.resolve(r.resourceRecords) as unknown[] | undefined) ?? []).filter(
      (v): v is string => typeof v === 'string',
    );
  const hops = (r: route53.CfnRecordSet, seen: Set<string>): number => {
    const next = routed.filter(
      (n) =>
        values(r).some((v) => bare(v) === bare(String(stack.resolve(n.name)))) &&
        !seen.has(logicalIdOf(n)),
    );
    const nextSeen = new Set([...seen, ...next.map(logicalIdOf)]);
    return 1 + Math.max(0, ...next.map((n) => hops(n, nextSeen)));
  };

  const check = detection(checkRef);
  const hopCount = hops(node, new Set([logicalIdOf(node)]));
  const inputs = {
    healthCheckInterval: Duration.seconds(check.seconds),
    failureThreshold: 1,
    healthSignalCacheTtl: facts.healthSignalCacheTtl,
    recordTtl: Duration.seconds(ttl),
    promotionEstimate: facts.promotionEstimate,
    readHops: hopCount,
    writeHops: hopCount,
  };
  const floor = check.writer ? writePathFloor(inputs) : readPathFloor(inputs);
  if (floor.total.toMilliseconds() <= facts.rto.toMilliseconds())
    return NagRuleCompliance.COMPLIANT;
  return [
    `${floor.path}-path RTO floor ${floor.total.toSeconds({ integral: false })}s (${hopCount} hop${hopCount === 1 ? '' : 's'}) exceeds the objective ${facts.rto.toSeconds()}s`,
  ];
}
