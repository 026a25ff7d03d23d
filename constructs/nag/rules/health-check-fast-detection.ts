import { CfnResource, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';

/** Endpoint check types; calculated and metric checks have no interval of their own. */
const ENDPOINT_TYPES = ['HTTP', 'HTTPS', 'HTTP_STR_MATCH', 'HTTPS_STR_MATCH', 'TCP'];

/**
 * An endpoint health check polls every 10 s (fast interval) and fails after at
 * most 3 misses, so detection takes at most 30 s.
 */
export function healthCheckFastDetection(node: CfnResource): NagRuleResult {
  if (!(node instanceof route53.CfnHealthCheck)) return NagRuleCompliance.NOT_APPLICABLE;
  // L1 properties resolve in camelCase, not in CloudFormation's casing.
  const config = Stack.of(node).resolve(node.healthCheckConfig) as {
    type?: string;
    requestInterval?: number;
    failureThreshold?: number;
  };
  if (!ENDPOINT_TYPES.includes(config.type ?? '')) return NagRuleCompliance.NOT_APPLICABLE;
  const findings: string[] = [];
  // Route 53 defaults: 30 s interval, threshold 3.
  const interval = config.requestInterval ?? 30;
  const threshold = config.failureThreshold ?? 3;
  if (interval !== 10) findings.push(`RequestInterval ${interval}: set 10`);
  if (threshold > 3) findings.push(`FailureThreshold ${threshold}: set at most 3`);
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}
