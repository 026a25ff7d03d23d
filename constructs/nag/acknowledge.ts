import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges the given cdk-nag findings on one resource (and its children),
 * with one reason a reviewer can read in the validation report.
 *
 * Always call it on the narrowest construct that carries the finding, never on
 * a stack or the app.
 */
export function acknowledgeFindings(
  resource: IConstruct,
  ruleIds: readonly string[],
  reason: string,
): void {
  // An L2's CloudFormation resource, not its whole subtree (permissions, policies).
  const target = resource.node.defaultChild ?? resource;
  for (const id of ruleIds) {
    Validations.of(target).acknowledge({ id, reason });
  }
}

/** The same rule in every stock pack that has it. */
export function inPacks(rule: string, packs: readonly StockPack[]): string[] {
  return packs.map((pack) => `${pack}-${rule}`);
}

export type StockPack = 'AwsSolutions' | 'NIST.800.53.R5' | 'HIPAA.Security' | 'PCI.DSS.321';
/** NIST 800-53 R5, HIPAA and PCI DSS 3.2.1: the packs that share most rule names. */
export const REGULATORY_PACKS: readonly StockPack[] = [
  'NIST.800.53.R5',
  'HIPAA.Security',
  'PCI.DSS.321',
];
