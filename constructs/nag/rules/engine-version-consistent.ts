import { CfnResource, Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { globalClusterOf, membersOf } from './cfn-facts';

/** Every member of a global cluster states the same engine version. */
export function engineVersionConsistent(node: CfnResource): NagRuleResult {
  if (!(node instanceof rds.CfnDBCluster)) return NagRuleCompliance.NOT_APPLICABLE;
  const global = globalClusterOf(node);
  if (global === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const version = (c: rds.CfnDBCluster) =>
    Stack.of(c).resolve(c.engineVersion) as string | undefined;
  const own = version(node);
  if (own === undefined)
    return ['EngineVersion is not set: pin it so every region runs the same one'];
  const others = membersOf(node, global)
    .filter((c) => c !== node && version(c) !== own)
    .map(
      (c) =>
        `${Stack.of(c).region} runs ${version(c) ?? 'an unpinned version'}, this member ${own}`,
    );
  return others.length > 0 ? others : NagRuleCompliance.COMPLIANT;
}
