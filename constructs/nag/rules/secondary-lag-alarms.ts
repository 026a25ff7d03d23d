import { CfnResource, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as rds from 'aws-cdk-lib/aws-rds';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { LAG_METRICS } from '../../contract';
import { allInStack, logicalIdOf, refersTo, resolvedJson } from './cfn-facts';

/** The lag metrics every secondary must be alarmed on. */
export const REQUIRED_LAG_METRICS: readonly string[] = [LAG_METRICS.replication, LAG_METRICS.rpo];

/**
 * Every secondary cluster (one that joins a global cluster) has alarms with
 * actions on replication lag and RPO lag, in its own stack (the metrics exist
 * only in its region).
 */
export function secondaryLagAlarms(node: CfnResource): NagRuleResult {
  if (!(node instanceof rds.CfnDBCluster)) return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  if (typeof stack.resolve(node.globalClusterIdentifier) !== 'string')
    return NagRuleCompliance.NOT_APPLICABLE;
  const identifier = stack.resolve(node.dbClusterIdentifier);
  const clusterId = logicalIdOf(node);
  const watches = (alarm: cloudwatch.CfnAlarm) => {
    const dimensions = resolvedJson(alarm, alarm.dimensions);
    return (
      (typeof identifier === 'string' && dimensions.includes(`"${identifier}"`)) ||
      refersTo(dimensions, clusterId)
    );
  };
  const withActions = allInStack(node, cloudwatch.CfnAlarm).filter(
    (a) => watches(a) && (stack.resolve(a.alarmActions) as unknown[] | undefined)?.length,
  );
  const missing = REQUIRED_LAG_METRICS.filter(
    (metric) => !withActions.some((a) => stack.resolve(a.metricName) === metric),
  );
  return missing.length > 0
    ? missing.map((m) => `no ${m} alarm with actions`)
    : NagRuleCompliance.COMPLIANT;
}
