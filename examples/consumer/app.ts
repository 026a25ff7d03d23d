// A platform team's CDK app that installs this package: it imports only the package's public
// entry point. CI packs the package, installs the tarball with production dependencies only,
// compiles this file against the installed type declarations and synthesizes it
// (test/package/packed-package.test.ts).
import { App, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import {
  AuroraGlobalPrimary,
  RegionalDataKey,
  RegionalNetwork,
  RegionalService,
  serviceHostnames,
} from 'multi-region-reference';

/** Availability zones from `Fn::GetAZs`, so that synth needs no context lookup. */
class RegionStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
  }

  override get availabilityZones(): string[] {
    return [0, 1].map((i) => Fn.select(i, Fn.getAzs()));
  }
}

const app = new App();
const stack = new RegionStack(app, 'Orders-us-east-1', {
  env: { account: '123456789012', region: 'us-east-1' },
});

const key = new RegionalDataKey(stack, 'DataKey', { aliasName: 'alias/orders/data' });
const network = new RegionalNetwork(stack, 'Network', { encryptionKey: key.key });
const database = new AuroraGlobalPrimary(stack, 'Db', {
  vpc: network.vpc,
  encryptionKey: key.key,
  globalClusterIdentifier: 'orders-global',
  engineVersion: rds.AuroraPostgresEngineVersion.of('16.6', '16'),
  rpo: Duration.minutes(1),
});
new RegionalService(stack, 'Service', {
  vpc: network.vpc,
  database,
  hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
    hostedZoneId: 'Z0123456789EXAMPLE',
    zoneName: 'example.com',
  }),
  hostnames: serviceHostnames('example.com'),
  encryptionKey: key.key,
  rpo: Duration.minutes(1),
});

app.synth();
