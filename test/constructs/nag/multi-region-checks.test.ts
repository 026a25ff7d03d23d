import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuroraGlobalPrimary,
  AuroraGlobalSecondary,
  AuroraGlobalSecondaryProps,
  ClusterBackup,
  GlobalTrafficRouting,
  MultiRegionChecks,
  MultiRegionChecksProps,
  RegionalDataKey,
  RegionalNetwork,
  ReplicationLagAlarms,
  serviceHostnames,
} from '../../../constructs';
import { importedMember, nagFindings, testApp } from '../../util';

const ENGINE = rds.AuroraPostgresEngineVersion.of('16.6', '16');
const ACCOUNT = '123456789012';

/** Findings of one MultiRegion rule, without the rule prefix: `[finding] @ path`. */
function findings(app: App, rule: string, props: MultiRegionChecksProps = {}): string[] {
  const prefix = `MultiRegion-${rule}`;
  return nagFindings(new MultiRegionChecks(undefined, props), app)
    .filter((f) => f.startsWith(prefix))
    .map((f) => f.slice(prefix.length));
}

function regionStack(app: App, region: string): { stack: Stack; vpc: ec2.IVpc; key: kms.IKey } {
  const stack = new Stack(app, `Db-${region}`, { env: { account: ACCOUNT, region } });
  const dataKey = new RegionalDataKey(stack, 'Key');
  const network = new RegionalNetwork(stack, 'Network', { encryptionKey: dataKey.key });
  return { stack, vpc: network.vpc, key: dataKey.key };
}

/** A two-region global database as the app builds it; options break one thing at a time. */
function globalDatabase(
  options: {
    replicateSecret?: boolean;
    secondary?: (stack: Stack) => Partial<AuroraGlobalSecondaryProps>;
    lagAlarms?: boolean;
  } = {},
): {
  app: App;
  primary: AuroraGlobalPrimary;
  secondary: AuroraGlobalSecondary;
  secondaryStack: Stack;
} {
  const app = testApp();
  const p = regionStack(app, 'us-east-1');
  const s = regionStack(app, 'us-west-2');
  const primary = new AuroraGlobalPrimary(p.stack, 'Db', {
    vpc: p.vpc,
    encryptionKey: p.key,
    globalClusterIdentifier: 'orders',
    engineVersion: ENGINE,
    rpo: Duration.seconds(30),
    secretReplicaRegions:
      options.replicateSecret === false
        ? []
        : [
            {
              region: 'us-west-2',
              encryptionKey: kms.Key.fromKeyArn(
                p.stack,
                'WestKey',
                RegionalDataKey.aliasArnIn(p.stack, 'us-west-2'),
              ),
            },
          ],
  });
  const secondary = new AuroraGlobalSecondary(s.stack, 'Db', {
    vpc: s.vpc,
    encryptionKey: s.key,
    globalClusterIdentifier: 'orders',
    engineVersion: ENGINE,
    rpo: Duration.seconds(30),
    ...options.secondary?.(s.stack),
  });
  if (options.lagAlarms !== false) {
    new ReplicationLagAlarms(s.stack, 'Lag', {
      cluster: secondary,
      rpo: Duration.seconds(30),
      alarmTopic: new sns.Topic(s.stack, 'Topic'),
    });
  }
  return { app, primary, secondary, secondaryStack: s.stack };
}

function routingApp(rto = Duration.minutes(15)): { app: App; stack: Stack } {
  const app = testApp();
  const stack = new Stack(app, 'Routing', { env: { account: ACCOUNT, region: 'us-east-1' } });
  new GlobalTrafficRouting(stack, 'Routing', {
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
      hostedZoneId: 'Z0000000000EXAMPLE',
      zoneName: 'example.com',
    }),
    regions: ['us-east-1', 'us-west-2', 'us-east-2'].map((region) => ({
      region,
      appTarget: `d-app.${region}.example`,
      writeTarget: `d-write.${region}.example`,
    })),
    hostnames: serviceHostnames('example.com'),
    rto,
    alarmTopic: new sns.Topic(stack, 'Topic'),
  });
  return { app, stack };
}

describe('the whole pack', () => {
  test('GIVEN the constructs as the app uses them THEN no rule fires', () => {
    const { app } = globalDatabase();
    expect(
      nagFindings(
        new MultiRegionChecks(undefined, {
          allowedRegions: ['us-east-1', 'us-west-2'],
          rto: Duration.minutes(15),
        }),
        app,
      ),
    ).toEqual([]);
    expect(
      nagFindings(
        new MultiRegionChecks(undefined, { rto: Duration.minutes(15) }),
        routingApp().app,
      ),
    ).toEqual([]);
  });

  test('lists its nine rules', () => {
    expect(MultiRegionChecks.RULE_IDS).toHaveLength(9);
  });
});

describe('MultiRegion-RoutedRecordTtlAndHealthCheck', () => {
  test('GIVEN GlobalTrafficRouting THEN compliant', () => {
    expect(findings(routingApp().app, 'RoutedRecordTtlAndHealthCheck')).toEqual([]);
  });

  test('GIVEN a latency record with TTL 300 and no health check THEN both are reported', () => {
    const app = testApp();
    const stack = new Stack(app, 'Records', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
      hostedZoneId: 'Z0000000000EXAMPLE',
      zoneName: 'example.com',
    });
    new route53.CnameRecord(stack, 'Slow', {
      zone,
      recordName: 'app',
      domainName: 'd-1.example',
      ttl: Duration.minutes(5),
      region: 'us-east-1',
      setIdentifier: 'us-east-1',
    });
    new route53.CnameRecord(stack, 'Plain', { zone, recordName: 'plain', domainName: 'x.example' });
    expect(findings(app, 'RoutedRecordTtlAndHealthCheck')).toEqual([
      '[TTL 300: set at most 60] @ Records/Slow/Resource',
      '[no health check] @ Records/Slow/Resource',
    ]);
  });
});

describe('MultiRegion-HealthCheckFastDetection', () => {
  test('GIVEN 10 s x 3 THEN compliant; GIVEN 30 s x 5 THEN both reported; calculated checks are not applicable', () => {
    const app = testApp();
    const stack = new Stack(app, 'Checks', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const fast = new route53.HealthCheck(stack, 'Fast', {
      type: route53.HealthCheckType.HTTPS,
      fqdn: 'a.example.com',
      requestInterval: Duration.seconds(10),
      failureThreshold: 3,
    });
    new route53.HealthCheck(stack, 'Slow', {
      type: route53.HealthCheckType.HTTPS,
      fqdn: 'b.example.com',
      requestInterval: Duration.seconds(30),
      failureThreshold: 5,
    });
    new route53.HealthCheck(stack, 'Any', {
      type: route53.HealthCheckType.CALCULATED,
      childHealthChecks: [fast],
      healthThreshold: 1,
    });
    expect(findings(app, 'HealthCheckFastDetection')).toEqual([
      '[RequestInterval 30: set 10] @ Checks/Slow/Resource',
      '[FailureThreshold 5: set at most 3] @ Checks/Slow/Resource',
    ]);
  });
});

describe('MultiRegion-MemberRegionalKey', () => {
  test("GIVEN each member on its own region's key THEN compliant", () => {
    expect(findings(globalDatabase().app, 'MemberRegionalKey')).toEqual([]);
  });

  test("GIVEN a secondary encrypted with the primary region's key THEN reported", () => {
    const { app } = globalDatabase({
      secondary: (stack) => ({
        encryptionKey: kms.Key.fromKeyArn(
          stack,
          'PrimaryRegionKey',
          `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`,
        ),
      }),
    });
    expect(findings(app, 'MemberRegionalKey')).toEqual([
      '[KmsKeyId is in us-east-1, not us-west-2] @ Db-us-west-2/Db/Cluster',
    ]);
  });
});

describe('MultiRegion-MemberProtected', () => {
  test('GIVEN the constructs THEN compliant', () => {
    expect(findings(globalDatabase().app, 'MemberProtected')).toEqual([]);
  });

  test('GIVEN a member with protection turned off by an escape hatch THEN reported', () => {
    const { app, secondary } = globalDatabase();
    secondary.cfnCluster.deletionProtection = false;
    secondary.cfnCluster.applyRemovalPolicy(RemovalPolicy.DESTROY);
    expect(findings(app, 'MemberProtected')).toEqual([
      '[DeletionProtection is not true] @ Db-us-west-2/Db/Cluster',
      '[DeletionPolicy Delete: use Snapshot or Retain] @ Db-us-west-2/Db/Cluster',
      '[UpdateReplacePolicy Delete: use Snapshot or Retain] @ Db-us-west-2/Db/Cluster',
    ]);
  });
});

describe('MultiRegion-SecondaryLagAlarms', () => {
  test('GIVEN ReplicationLagAlarms THEN compliant', () => {
    expect(findings(globalDatabase().app, 'SecondaryLagAlarms')).toEqual([]);
  });

  test('GIVEN no alarms, or an alarm without actions THEN each missing metric is reported', () => {
    const { app, secondary, secondaryStack } = globalDatabase({ lagAlarms: false });
    new cloudwatch.Alarm(secondaryStack, 'Silent', {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/RDS',
        metricName: 'AuroraGlobalDBRPOLag',
        dimensionsMap: { DBClusterIdentifier: secondary.clusterIdentifier },
      }),
      threshold: 30_000,
      evaluationPeriods: 1,
    });
    expect(findings(app, 'SecondaryLagAlarms')).toEqual([
      '[no AuroraGlobalDBReplicationLag alarm with actions] @ Db-us-west-2/Db/Cluster',
      '[no AuroraGlobalDBRPOLag alarm with actions] @ Db-us-west-2/Db/Cluster',
    ]);
  });
});

describe('MultiRegion-SecretReplicatedToMemberRegions', () => {
  test('GIVEN the secret replicated to the secondary region THEN compliant', () => {
    expect(findings(globalDatabase().app, 'SecretReplicatedToMemberRegions')).toEqual([]);
  });

  test('GIVEN no replica THEN the member region without it is reported', () => {
    expect(
      findings(globalDatabase({ replicateSecret: false }).app, 'SecretReplicatedToMemberRegions'),
    ).toEqual(['[not replicated to us-west-2] @ Db-us-east-1/Db/Cluster/Secret/Resource']);
  });
});

describe('MultiRegion-DataResidency', () => {
  test('GIVEN every placement inside the allow-list THEN compliant', () => {
    expect(
      findings(globalDatabase().app, 'DataResidency', {
        allowedRegions: ['us-east-1', 'us-west-2'],
      }),
    ).toEqual([]);
  });

  test('GIVEN an allow-list without the secondary region THEN its cluster and the secret replica are reported', () => {
    expect(
      findings(globalDatabase().app, 'DataResidency', { allowedRegions: ['us-east-1'] }),
    ).toEqual([
      '[secret replica in us-west-2 is outside the residency allow-list ["us-east-1"]] @ Db-us-east-1/Db/Cluster/Secret/Resource',
      '[database cluster in us-west-2 is outside the residency allow-list ["us-east-1"]] @ Db-us-west-2/Db/Cluster',
    ]);
  });

  test('GIVEN a backup plan copying to another region THEN the copy destination is checked', () => {
    const app = testApp();
    const { stack, key } = regionStack(app, 'eu-central-1');
    const plan = new ClusterBackup(stack, 'Backup', {
      cluster: importedMember(stack, 'eu-central-1', { clusterIdentifier: 'orders' }),
      encryptionKey: key,
    });
    plan.plan.addRule(
      new backup.BackupPlanRule({
        ruleName: 'CopyAbroad',
        copyActions: [
          {
            destinationBackupVault: backup.BackupVault.fromBackupVaultArn(
              stack,
              'Abroad',
              `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:dr`,
            ),
          },
        ],
      }),
    );
    expect(
      findings(app, 'DataResidency', { allowedRegions: ['eu-central-1', 'eu-west-1'] }),
    ).toEqual([
      '[backup copy in us-east-1 is outside the residency allow-list ["eu-central-1","eu-west-1"]] @ Db-eu-central-1/Backup/Plan/Resource',
    ]);
  });

  test('GIVEN no allow-list THEN the rule is not applied', () => {
    expect(findings(globalDatabase().app, 'DataResidency')).toEqual([]);
  });
});

describe('MultiRegion-RtoFloorWithinObjective', () => {
  // Three regions: app. is a latency set (read path, 1 hop, 95 s); write. PRIMARY is 1 hop
  // (215 s), write. SECONDARY names standby.write. (2 hops, 275 s), whose records are 1 hop.
  test('GIVEN the default settings and a 15 minute objective THEN compliant', () => {
    expect(
      findings(routingApp().app, 'RtoFloorWithinObjective', { rto: Duration.minutes(15) }),
    ).toEqual([]);
  });

  test('GIVEN a 4 minute objective THEN only the two-hop write SECONDARY is reported', () => {
    expect(
      findings(routingApp().app, 'RtoFloorWithinObjective', { rto: Duration.minutes(4) }),
    ).toEqual([
      '[write-path RTO floor 275s (2 hops) exceeds the objective 240s] @ Routing/Routing/WriteSecondary/Resource',
    ]);
  });

  test('GIVEN an objective below the 95 s read floor THEN every routed record is reported with its path', () => {
    const reported = findings(routingApp().app, 'RtoFloorWithinObjective', {
      rto: Duration.seconds(90),
    });
    expect(reported).toHaveLength(7);
    expect(reported).toContain(
      '[read-path RTO floor 95s (1 hop) exceeds the objective 90s] @ Routing/Routing/App-us-east-1/Resource',
    );
    expect(reported).toContain(
      '[write-path RTO floor 215s (1 hop) exceeds the objective 90s] @ Routing/Routing/WritePrimary/Resource',
    );
    // The standby set's records are one hop themselves; the SECONDARY that names them is two.
    expect(reported).toContain(
      '[write-path RTO floor 215s (1 hop) exceeds the objective 90s] @ Routing/Routing/WriteStandby-us-east-2/Resource',
    );
  });

  test("GIVEN the service's signal cache THEN the floor includes it", () => {
    const read = (cacheSeconds: number) =>
      findings(routingApp().app, 'RtoFloorWithinObjective', {
        rto: Duration.seconds(100),
        healthSignalCacheTtl: Duration.seconds(cacheSeconds),
      }).filter((f) => f.includes('/App-'));
    expect(read(10)).toEqual([]);
    expect(read(11)).toHaveLength(3);
  });
});

describe('MultiRegion-EngineVersionConsistent', () => {
  test('GIVEN one version everywhere THEN compliant', () => {
    expect(findings(globalDatabase().app, 'EngineVersionConsistent')).toEqual([]);
  });

  test('GIVEN a secondary on another version THEN both members are reported', () => {
    const { app } = globalDatabase({
      secondary: () => ({ engineVersion: rds.AuroraPostgresEngineVersion.of('16.4', '16') }),
    });
    expect(findings(app, 'EngineVersionConsistent')).toEqual([
      '[us-west-2 runs 16.4, this member 16.6] @ Db-us-east-1/Db/Cluster/Resource',
      '[us-east-1 runs 16.6, this member 16.4] @ Db-us-west-2/Db/Cluster',
    ]);
  });
});
