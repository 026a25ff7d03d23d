import { CfnResource, Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { globalClusterOf, regionOfReference } from './cfn-facts';

/**
 * Every global-cluster member is storage-encrypted with a customer-managed key
 * in its own region (a key elsewhere would tie the region's data to another
 * region's availability).
 */
export function memberRegionalKey(node: CfnResource): NagRuleResult {
  if (!(node instanceof rds.CfnDBCluster) || globalClusterOf(node) === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const stack = Stack.of(node);
  if (stack.resolve(node.storageEncrypted) !== true) return ['StorageEncrypted is not true'];
  if (node.kmsKeyId === undefined)
    return ["no KmsKeyId: give it this region's customer-managed key"];
  const keyRegion = regionOfReference(node, node.kmsKeyId);
  if (keyRegion === undefined) return ['KmsKeyId region cannot be verified at synth'];
  if (keyRegion !== stack.region) return [`KmsKeyId is in ${keyRegion}, not ${stack.region}`];
  return NagRuleCompliance.COMPLIANT;
}
