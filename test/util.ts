import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NagPack,
  NIST80053R5Checks,
  PCIDSS321Checks,
} from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import {
  AuroraGlobalMember,
  AuroraGlobalMemberAttributes,
  IAuroraGlobalMember,
} from '../constructs/aurora-global-member';

const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8'));

/** The context `cdk.json` gives the CLI: feature flags and the default topology. */
export const CDK_CONTEXT: Record<string, unknown> = cdkJson.context;

/**
 * An App with the same feature flags the CLI uses, plus extra context.
 * Lambda bundling is skipped (no esbuild run per test); CI's synth bundles.
 */
export function testApp(extraContext: Record<string, unknown> = {}): App {
  return new App({
    context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [], ...extraContext },
  });
}

/** A stack pinned to an account and region, the way the app's stacks are. */
export function testStack(region = 'us-east-1', app: App = testApp()): Stack {
  return new Stack(app, `Test-${region}`, { env: { account: '123456789012', region } });
}

/**
 * A member of the `orders` global database in `region`, imported by its identifiers (cluster
 * `orders-<region>` unless `attrs` says otherwise), for constructs that take a member.
 */
export function importedMember(
  scope: Construct,
  region: string,
  attrs: Partial<AuroraGlobalMemberAttributes> = {},
): IAuroraGlobalMember {
  const clusterIdentifier = attrs.clusterIdentifier ?? `orders-${region}`;
  return AuroraGlobalMember.fromAuroraGlobalMemberAttributes(scope, `Member-${clusterIdentifier}`, {
    clusterIdentifier,
    globalClusterIdentifier: 'orders',
    region,
    clusterResourceIdentifier: `cluster-${clusterIdentifier.toUpperCase()}`,
    clusterEndpointAddress: `${clusterIdentifier}.cluster-x.${region}.rds.amazonaws.com`,
    readerEndpointAddress: `${clusterIdentifier}.cluster-ro-x.${region}.rds.amazonaws.com`,
    securityGroups: [],
    instanceCount: 2,
    ...attrs,
  });
}

/**
 * Every unacknowledged finding of one pack, as `rule @ construct path`, on the synthesized app.
 * `cdk synth` runs validation plugins after it has resolved cross-stack references; on a tree
 * nothing synthesized yet, a reference to another stack is still a bare logical id, so the
 * result would depend on whether an earlier test happened to synthesize the same app.
 */
export function nagFindings(pack: NagPack, scope: IConstruct): string[] {
  const root = scope.node.root;
  // force: a construct added since the last synth (a test's offending resource) is prepared too.
  if (Stage.isStage(root)) root.synth({ force: true });
  const report = pack.validateScope(scope);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => {
      // cdk-nag v3 names the construct path, not the logical id.
      const where = (r as { constructPath?: string }).constructPath ?? r.resourceLogicalId;
      return `${v.ruleName} @ ${where}`;
    }),
  );
}

/** Fresh instances of the four stock packs the app registers. */
export function stockPacks(): NagPack[] {
  return [
    new AwsSolutionsChecks(),
    new NIST80053R5Checks(),
    new HIPAASecurityChecks(),
    new PCIDSS321Checks(),
  ];
}

/** Eleven secondary regions of the aws partition besides us-east-1: one more than Aurora allows. */
export const ELEVEN_SECONDARIES: readonly string[] = [
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-northeast-1',
  'ap-southeast-1',
];
