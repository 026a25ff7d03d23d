import { CfnResource, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { STOCK_PACKS, type StockPack } from '../contract';

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

/** A stock cdk-nag pack's name (the deployment contract lists them). */
export type { StockPack };
/** NIST 800-53 R5, HIPAA and PCI DSS 3.2.1: the packs that share most rule names. */
export const REGULATORY_PACKS: readonly StockPack[] = STOCK_PACKS.filter(
  (pack) => pack !== 'AwsSolutions',
);

/**
 * Rule names of the AWS Guard Rules Registry (the NIST 800-53 R5, HIPAA and PCI DSS rule
 * sets run with `cfn-guard validate`) that this project explains on a resource.
 */
export type GuardRegistryRule =
  | 'IAM_NO_INLINE_POLICY_CHECK'
  | 'LAMBDA_CONCURRENCY_CHECK'
  | 'LAMBDA_DLQ_CHECK'
  | 'LAMBDA_INSIDE_VPC';

/**
 * Explains Guard registry findings on one CloudFormation resource, for the engines that
 * never see `Validations.of(x).acknowledge()`: the registry's rules skip a resource whose
 * `Metadata.guard.SuppressedRules` lists the rule (aws-guard-rules-registry, e.g.
 * rules/aws/lambda/lambda_dlq_check.guard, scenario "SKIP: when metadata includes the
 * suppression"). The reasons sit beside it in `Metadata.guard.Reasons`,
 * which the rules ignore, so a reviewer reads why in the template.
 */
export function explainGuardRules(
  resource: CfnResource,
  rules: readonly GuardRegistryRule[],
  reason: string,
): void {
  const guard = (resource.getMetadata('guard') ?? {}) as {
    SuppressedRules?: string[];
    Reasons?: Record<string, string>;
  };
  const suppressed = [...(guard.SuppressedRules ?? [])];
  const reasons = { ...(guard.Reasons ?? {}) };
  for (const rule of rules) {
    if (!suppressed.includes(rule)) suppressed.push(rule);
    reasons[rule] = reason;
  }
  resource.addMetadata('guard', { ...guard, SuppressedRules: suppressed, Reasons: reasons });
}

/**
 * Explains the Guard findings on a Lambda function that runs only while CloudFormation
 * deploys (a custom resource's provider): it needs no dead-letter queue or reserved
 * concurrency, and it runs outside the VPC for the reason given.
 *
 * @param runsWhen a sentence saying when the function runs, e.g. "This provider runs only
 *   when CloudFormation creates or updates ..."
 * @param outsideVpc why it is not in a VPC (appended to `runsWhen`)
 */
export function explainDeployTimeFunction(
  fn: CfnResource,
  runsWhen: string,
  outsideVpc: string,
): void {
  const vpcReason = `${runsWhen}; ${outsideVpc}`;
  acknowledgeFindings(fn, ['cdk-validator-cfnguard::lambda_inside_vpc_check'], vpcReason);
  explainGuardRules(fn, ['LAMBDA_INSIDE_VPC'], vpcReason);
  explainGuardRules(
    fn,
    ['LAMBDA_DLQ_CHECK'],
    `${runsWhen}; when it fails, the custom resource fails and CloudFormation rolls the deployment back and reports it, so a dead-letter queue would hold an event nobody acts on.`,
  );
  explainGuardRules(
    fn,
    ['LAMBDA_CONCURRENCY_CHECK'],
    `${runsWhen}; those few invocations cannot exhaust the account's concurrency, and a reservation would take from the unreserved pool.`,
  );
}

/**
 * One finding, one reason, for every engine: acknowledged in the given cdk-nag rules and
 * explained to the Guard registry's rule set on the resource's CloudFormation resource.
 */
export function acknowledgeEverywhere(
  resource: IConstruct,
  nagRules: readonly string[],
  guardRule: GuardRegistryRule,
  reason: string,
): void {
  acknowledgeFindings(resource, nagRules, reason);
  const cfn = resource.node.defaultChild ?? resource;
  if (cfn instanceof CfnResource) explainGuardRules(cfn, [guardRule], reason);
}
