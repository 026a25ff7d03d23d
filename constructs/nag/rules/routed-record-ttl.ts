import { CfnResource, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { MAX_ROUTED_TTL_SECONDS } from '../../contract';

/** The most a record that moves traffic may be cached (the deployment contract's). */
export { MAX_ROUTED_TTL_SECONDS };

/**
 * A record with a failover or latency routing policy is a plain record (not an
 * alias, whose TTL is not ours), with a TTL of at most 60 s and a health check.
 */
export function routedRecordTtlAndHealthCheck(node: CfnResource): NagRuleResult {
  if (!(node instanceof route53.CfnRecordSet)) return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  const failover = stack.resolve(node.failover);
  const region = stack.resolve(node.region);
  if (failover === undefined && region === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const findings: string[] = [];
  if (node.aliasTarget !== undefined) findings.push('alias record: TTL cannot be set, use a CNAME');
  const ttl = Number(stack.resolve(node.ttl));
  if (node.aliasTarget === undefined && !(ttl <= MAX_ROUTED_TTL_SECONDS)) {
    findings.push(
      `TTL ${stack.resolve(node.ttl) ?? 'unset'}: set at most ${MAX_ROUTED_TTL_SECONDS}`,
    );
  }
  if (stack.resolve(node.healthCheckId) === undefined) findings.push('no health check');
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}
