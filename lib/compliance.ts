import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NIST80053R5Checks,
  PCIDSS321Checks,
} from 'cdk-nag';
import { MultiRegionChecks } from '../constructs';
import { Topology } from './topology';

/** Names of the packs `registerNagPacks` registers, as they appear in reports. */
export const REGISTERED_PACKS = [
  'AwsSolutions',
  'NIST.800.53.R5',
  'HIPAA.Security',
  'PCI.DSS.321',
  'MultiRegion',
] as const;

/** Context flag that adds the cfn-guard validator (Control Tower proactive controls). */
export const CFN_GUARD_CONTEXT_KEY = 'cfnGuard';

/**
 * Registers every compliance pack the project answers to: four stock packs and
 * its own, plus cfn-guard with `-c cfnGuard=true`.
 */
export function registerNagPacks(app: App, topology: Topology): void {
  Validations.of(app).addPlugins(
    // Writes every acknowledgement into its template, where the reports read them.
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
    new MultiRegionChecks(app, { allowedRegions: topology.allowedRegions, rto: topology.rto }),
  );
  const guard = app.node.tryGetContext(CFN_GUARD_CONTEXT_KEY);
  if (guard === true || guard === 'true') {
    Validations.of(app).addPlugins(new CfnGuardValidator());
  }
}
