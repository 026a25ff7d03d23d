import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NIST80053R5Checks,
  PCIDSS321Checks,
} from 'cdk-nag';
import { MultiRegionChecks } from '../constructs';
import { EvidenceRecorder } from '../constructs/nag/evidence';
import { PACK_NAMES } from '../constructs/contract';
import type { MultiRegionStacks } from './multi-region-app';
import { Topology } from './topology';

/** Names of the packs `registerNagPacks` registers, as they appear in reports. */
export const REGISTERED_PACKS = PACK_NAMES;

/**
 * The project's own pack for this app: the residency allow-list, the objective and the timing
 * policy the routing stack computed its floors with, so the RTO rule sees the same floors.
 */
export function multiRegionPack(
  scope: App | undefined,
  topology: Topology,
  stacks: MultiRegionStacks,
): MultiRegionChecks {
  return new MultiRegionChecks(scope, {
    allowedRegions: topology.allowedRegions,
    rto: topology.rto,
    promotionEstimate: stacks.routing.routing.timing.promotionEstimate,
    healthSignalCacheTtl: stacks.routing.routing.timing.healthSignalCacheTtl,
  });
}

/** Context flag that adds the cfn-guard validator (Control Tower proactive controls). */
export const CFN_GUARD_CONTEXT_KEY = 'cfnGuard';

/**
 * Registers every compliance pack the project answers to: four stock packs and
 * its own, plus cfn-guard with `-c cfnGuard=true`.
 */
export function registerNagPacks(app: App, topology: Topology, stacks: MultiRegionStacks): void {
  // Each plugin records what it checked in the assembly (compliance-evidence.json).
  const evidence = new EvidenceRecorder(app.outdir, topology);
  const plugins = [
    // Writes every acknowledgement into its template, where the reports read them.
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
    multiRegionPack(app, topology, stacks),
  ].map((p) => evidence.wrap(p));
  const guard = app.node.tryGetContext(CFN_GUARD_CONTEXT_KEY);
  if (guard === true || guard === 'true') plugins.push(evidence.wrap(new CfnGuardValidator()));
  // The built-in validator runs unless turned off (`--no-validation` sets CDK_VALIDATION=false);
  // registering the recorded one in its place keeps it to one run.
  if (process.env.CDK_VALIDATION !== 'false') plugins.push(evidence.builtinValidator());
  Validations.of(app).addPlugins(...plugins);
}
