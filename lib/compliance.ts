import { App, Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NIST80053R5Checks,
  PCIDSS321Checks,
} from 'cdk-nag';
import { MultiRegionChecks } from '../constructs';
import { Topology } from './topology';

/** Registers every compliance pack the project answers to: four stock packs and its own. */
export function registerNagPacks(app: App, topology: Topology): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
    new MultiRegionChecks(app, { allowedRegions: topology.allowedRegions, rto: topology.rto }),
  );
}
