import { CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { computeRtoFloor } from '../../recovery-objectives';
import { allInStack, logicalIdOf } from './cfn-facts';

/** What the RTO rule needs beyond the resources. */
export interface RtoFacts {
  readonly rto?: Duration;
  readonly promotionEstimate: Duration;
  readonly healthSignalCacheTtl: Duration;
}

/** A health check's config as L1 properties resolve (camelCase). */
interface CheckConfig {
  type?: string;
  requestInterval?: number;
  failureThreshold?: number;
  childHealthChecks?: ({ Ref?: string } | string)[];
}

/**
 * For each routed record, the RTO floor computed from its real health check
 * (interval x threshold, the slowest child for a calculated check) and its TTL
 * is within the RTO objective.
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
  const detectionSeconds = (id: string | undefined): number => {
    const config = id === undefined ? undefined : checks.get(id);
    if (config === undefined) return 0;
    if (config.type === 'CALCULATED') {
      const children = (config.childHealthChecks ?? []).map((c) =>
        typeof c === 'string' ? undefined : c.Ref,
      );
      return Math.max(0, ...children.map(detectionSeconds));
    }
    return (config.requestInterval ?? 30) * (config.failureThreshold ?? 3);
  };
  const floor = computeRtoFloor({
    healthCheckInterval: Duration.seconds(detectionSeconds(checkRef)),
    failureThreshold: 1,
    healthSignalCacheTtl: facts.healthSignalCacheTtl,
    recordTtl: Duration.seconds(ttl),
    promotionEstimate: facts.promotionEstimate,
  });
  if (floor.total.toMilliseconds() <= facts.rto.toMilliseconds())
    return NagRuleCompliance.COMPLIANT;
  return [`RTO floor ${floor.total.toSeconds()}s exceeds the objective ${facts.rto.toSeconds()}s`];
}
