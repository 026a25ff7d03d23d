import { CfnResource, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { regionOfReference } from './cfn-facts';

/** Full id of this rule, for messages outside the pack (config validation). */
export const DATA_RESIDENCY_RULE_ID = 'MultiRegion-DataResidency';

/** The sentence both this rule and the topology validation use for one violation. */
export function residencyViolation(
  what: string,
  region: string,
  allowed: readonly string[],
): string {
  return `${what} in ${region} is outside the residency allow-list ${JSON.stringify(allowed)}`;
}

/**
 * No cluster member, secret (or secret replica) or backup copy destination
 * sits outside the data-residency allow-list.
 */
export function dataResidency(
  node: CfnResource,
  allowedRegions: readonly string[] | undefined,
): NagRuleResult {
  if (allowedRegions === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  const placements: [string, string | undefined][] = [];
  if (node instanceof rds.CfnDBCluster) {
    placements.push(['database cluster', stack.region]);
  } else if (node instanceof secretsmanager.CfnSecret) {
    placements.push(['secret', stack.region]);
    const replicas = (stack.resolve(node.replicaRegions) as { region: string }[] | undefined) ?? [];
    replicas.forEach((r) => placements.push(['secret replica', r.region]));
  } else if (node instanceof backup.CfnBackupPlan) {
    const plan = stack.resolve(node.backupPlan) as {
      backupPlanRule?: { copyActions?: { destinationBackupVaultArn: unknown }[] }[];
    };
    for (const rule of plan.backupPlanRule ?? []) {
      for (const copy of rule.copyActions ?? []) {
        placements.push(['backup copy', regionOfReference(node, copy.destinationBackupVaultArn)]);
      }
    }
    if (placements.length === 0) return NagRuleCompliance.COMPLIANT;
  } else {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings = placements
    .filter(([, region]) => region === undefined || !allowedRegions.includes(region))
    .map(([what, region]) =>
      region === undefined
        ? `${what} region cannot be verified at synth`
        : residencyViolation(what, region, allowedRegions),
    );
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}
