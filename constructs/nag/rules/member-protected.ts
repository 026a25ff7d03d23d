import { CfnDeletionPolicy, CfnResource, Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { globalClusterOf } from './cfn-facts';

const KEEPING_POLICIES = [CfnDeletionPolicy.SNAPSHOT, CfnDeletionPolicy.RETAIN];

/**
 * Every global-cluster member has deletion protection and a Snapshot or Retain
 * deletion (and replacement) policy.
 */
export function memberProtected(node: CfnResource): NagRuleResult {
  if (!(node instanceof rds.CfnDBCluster) || globalClusterOf(node) === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings: string[] = [];
  if (Stack.of(node).resolve(node.deletionProtection) !== true)
    findings.push('DeletionProtection is not true');
  const { deletionPolicy, updateReplacePolicy } = node.cfnOptions;
  if (!deletionPolicy || !KEEPING_POLICIES.includes(deletionPolicy)) {
    findings.push(`DeletionPolicy ${deletionPolicy ?? 'Delete'}: use Snapshot or Retain`);
  }
  if (!updateReplacePolicy || !KEEPING_POLICIES.includes(updateReplacePolicy)) {
    findings.push(`UpdateReplacePolicy ${updateReplacePolicy ?? 'Delete'}: use Snapshot or Retain`);
  }
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}
