import { CfnResource, Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import {
  allInStack,
  globalClusterOf,
  logicalIdOf,
  membersOf,
  refersTo,
  resolvedJson,
} from './cfn-facts';

/**
 * The master secret of a global database is replicated to every region that
 * holds a member: a secret only in the primary region is lost with it.
 */
export function secretReplicatedToMemberRegions(node: CfnResource): NagRuleResult {
  if (!(node instanceof secretsmanager.CfnSecret)) return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  const secretId = logicalIdOf(node);
  const clusters = allInStack(node, rds.CfnDBCluster);
  const attachedTo = allInStack(node, secretsmanager.CfnSecretTargetAttachment)
    .filter((a) => refersTo(resolvedJson(a, a.secretId), secretId))
    .flatMap((a) => clusters.filter((c) => refersTo(resolvedJson(a, a.targetId), logicalIdOf(c))));
  const global = attachedTo.map(globalClusterOf).find((g) => g !== undefined);
  if (global === undefined) return NagRuleCompliance.NOT_APPLICABLE;

  const replicas = (
    (stack.resolve(node.replicaRegions) as { region: string }[] | undefined) ?? []
  ).map((r) => r.region);
  const missing = membersOf(node, global)
    .map((c) => Stack.of(c).region)
    .filter((region) => region !== stack.region && !replicas.includes(region));
  return missing.length > 0
    ? missing.map((r) => `not replicated to ${r}`)
    : NagRuleCompliance.COMPLIANT;
}
