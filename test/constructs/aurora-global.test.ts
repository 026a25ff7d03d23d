import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import {
  AuroraGlobalPrimary,
  AuroraGlobalPrimaryProps,
  AuroraGlobalSecondary,
  AuroraGlobalSecondaryProps,
  RegionalDataKey,
  RegionalNetwork,
} from '../../constructs';
import { nagFindings, stockPacks, testStack } from '../util';

const ENGINE = rds.AuroraPostgresEngineVersion.of('16.6', '16');

function regionalBasics(stack: Stack): { vpc: ec2.IVpc; encryptionKey: kms.IKey } {
  const dataKey = new RegionalDataKey(stack, 'DataKey');
  const network = new RegionalNetwork(stack, 'Network', { encryptionKey: dataKey.key });
  return { vpc: network.vpc, encryptionKey: dataKey.key };
}

function primary(extra: Partial<AuroraGlobalPrimaryProps> = {}): {
  stack: Stack;
  db: AuroraGlobalPrimary;
} {
  const stack = testStack('us-east-1');
  const db = new AuroraGlobalPrimary(stack, 'Db', {
    ...regionalBasics(stack),
    globalClusterIdentifier: 'orders-global',
    engineVersion: ENGINE,
    rpo: Duration.seconds(30),
    secretReplicaRegions: ['us-west-2', 'eu-west-1'].map((region) => ({
      region,
      encryptionKey: kms.Key.fromKeyArn(
        stack,
        `Replica-${region}`,
        RegionalDataKey.aliasArnIn(stack, region),
      ),
    })),
    ...extra,
  });
  return { stack, db };
}

function secondary(extra: Partial<AuroraGlobalSecondaryProps> = {}): {
  stack: Stack;
  db: AuroraGlobalSecondary;
} {
  const stack = testStack('us-west-2');
  const db = new AuroraGlobalSecondary(stack, 'Db', {
    ...regionalBasics(stack),
    globalClusterIdentifier: 'orders-global',
    engineVersion: ENGINE,
    rpo: Duration.seconds(30),
    ...extra,
  });
  return { stack, db };
}

describe('AuroraGlobalPrimary', () => {
  test('GIVEN defaults WHEN synthesized THEN one global cluster is built from the writer cluster', () => {
    const { stack } = primary();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::RDS::GlobalCluster', 1);
    template.resourceCountIs('AWS::RDS::DBCluster', 1);
    template.hasResource('AWS::RDS::GlobalCluster', {
      Properties: {
        GlobalClusterIdentifier: 'orders-global',
        DeletionProtection: true,
        SourceDBClusterIdentifier: Match.anyValue(),
        Engine: Match.absent(),
        StorageEncrypted: Match.absent(),
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('GIVEN defaults WHEN synthesized THEN the writer cluster is protected, encrypted and observable', () => {
    const template = Template.fromStack(primary().stack);
    template.hasResource('AWS::RDS::DBCluster', {
      Properties: Match.objectLike({
        DBClusterIdentifier: 'orders-global-us-east-1',
        Engine: 'aurora-postgresql',
        EngineVersion: '16.6',
        DeletionProtection: true,
        StorageEncrypted: true,
        KmsKeyId: Match.anyValue(),
        EnableIAMDatabaseAuthentication: true,
        EnableCloudwatchLogsExports: ['postgresql'],
        BackupRetentionPeriod: 7,
        EnableHttpEndpoint: true,
        DatabaseName: 'app',
      }),
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    template.allResourcesProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.r6g.large',
      MonitoringInterval: 60,
      EnablePerformanceInsights: true,
      PubliclyAccessible: false,
      AutoMinorVersionUpgrade: false,
    });
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Family: 'aurora-postgresql16',
      Parameters: Match.objectEquals({ 'rds.force_ssl': '1', 'rds.global_db_rpo': '30' }),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/rds/cluster/orders-global-us-east-1/postgresql',
      KmsKeyId: Match.anyValue(),
      RetentionInDays: 365,
    });
  });

  test("GIVEN secondary regions WHEN synthesized THEN the secret is replicated to each with that region's key and kept on delete", () => {
    const template = Template.fromStack(primary().stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({
        Name: 'orders-global/master',
        GenerateSecretString: Match.objectLike({
          SecretStringTemplate: '{"username":"app_admin"}',
        }),
        ReplicaRegions: [
          {
            Region: 'us-west-2',
            KmsKeyId: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':kms:us-west-2:123456789012:alias/multi-region-ref/data',
                ],
              ],
            },
          },
          {
            Region: 'eu-west-1',
            KmsKeyId: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':kms:eu-west-1:123456789012:alias/multi-region-ref/data',
                ],
              ],
            },
          },
        ],
      }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
  });

  test('GIVEN no readers WHEN synthesized THEN only the writer instance runs', () => {
    Template.fromStack(primary({ readers: 0 }).stack).resourceCountIs('AWS::RDS::DBInstance', 1);
  });

  test('GIVEN no secret replicas WHEN synthesized THEN a warning says the secret is a single point of failure', () => {
    const { stack } = primary({ secretReplicaRegions: [] });
    Annotations.fromStack(stack).hasWarning(
      '/Test-us-east-1/Db',
      Match.stringLikeRegexp(
        'secretReplicaRegions is empty: the master secret lives only in the primary region',
      ),
    );
  });

  test('GIVEN no RPO WHEN synthesized THEN a warning says data loss is unbounded, and no managed RPO is set', () => {
    const { stack } = primary({ rpo: undefined });
    Annotations.fromStack(stack).hasWarning(
      '/Test-us-east-1/Db',
      Match.stringLikeRegexp('rpo is not set: Aurora will not hold commits'),
    );
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Parameters: Match.objectEquals({ 'rds.force_ssl': '1' }),
    });
  });

  test('GIVEN defaults WHEN every stock pack runs THEN nothing is left unacknowledged', () => {
    const { stack } = primary();
    for (const pack of stockPacks()) {
      expect(nagFindings(pack, stack)).toEqual([]);
    }
  });

  test.each<[string, Partial<AuroraGlobalPrimaryProps>, string]>([
    [
      'a T instance class',
      { instanceType: new ec2.InstanceType('t4g.medium') },
      'instanceType must not be a burstable T class (global databases do not support it), got: t4g.medium',
    ],
    ['too many readers', { readers: 16 }, 'readers must be a whole number from 0 to 15, got: 16'],
    [
      'an Enhanced Monitoring interval RDS does not offer',
      { monitoringInterval: Duration.seconds(45) },
      'monitoringInterval must be one of 1, 5, 10, 15, 30, 60 seconds, got: 45 seconds',
    ],
    [
      'a backup retention over 35 days',
      { backupRetention: Duration.days(40) },
      'backupRetention must be a whole number of days from 1 to 35, got: 40 days',
    ],
    [
      'DESTROY on delete',
      { removalPolicy: RemovalPolicy.DESTROY },
      'removalPolicy must be SNAPSHOT or RETAIN for a global database member, got: DESTROY; turn off deletion protection and delete the cluster by hand if you mean to lose the data',
    ],
    [
      'an identifier with underscores',
      { globalClusterIdentifier: 'orders_global' },
      "globalClusterIdentifier must be a fixed string of at most 63 letters, digits and single hyphens starting with a letter, got: 'orders_global'",
    ],
    [
      'an identifier with two hyphens in a row',
      { globalClusterIdentifier: 'orders--global' },
      "globalClusterIdentifier must be a fixed string of at most 63 letters, digits and single hyphens starting with a letter, got: 'orders--global'",
    ],
    [
      'an identifier ending with a hyphen',
      { globalClusterIdentifier: 'orders-' },
      "globalClusterIdentifier must be a fixed string of at most 63 letters, digits and single hyphens starting with a letter, got: 'orders-'",
    ],
    [
      'an identifier of 64 characters',
      { globalClusterIdentifier: `g${'a'.repeat(63)}` },
      `globalClusterIdentifier must be a fixed string of at most 63 letters, digits and single hyphens starting with a letter, got: 'g${'a'.repeat(63)}'`,
    ],
    [
      'a default master user name',
      { masterUsername: 'postgres' },
      "masterUsername must not be a default name such as admin or postgres, got: 'postgres'",
    ],
    [
      'a replica in its own region',
      { secretReplicaRegions: [{ region: 'us-east-1' }] },
      'secretReplicaRegions must not include the primary region itself, got: us-east-1',
    ],
  ])('rejects %s', (_name, extra, message) => {
    expect(() => primary(extra)).toThrow(`AuroraGlobalPrimary Test-us-east-1/Db: ${message}`);
  });
});

describe('AuroraGlobalSecondary', () => {
  test('GIVEN defaults WHEN synthesized THEN the cluster joins by identifier with no credentials of its own', () => {
    const template = Template.fromStack(secondary().stack);
    template.resourceCountIs('AWS::RDS::GlobalCluster', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResource('AWS::RDS::DBCluster', {
      Properties: {
        DBClusterIdentifier: 'orders-global-us-west-2',
        GlobalClusterIdentifier: 'orders-global',
        Engine: 'aurora-postgresql',
        EngineVersion: '16.6',
        StorageEncrypted: true,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
        DeletionProtection: true,
        EnableIAMDatabaseAuthentication: true,
        EnableCloudwatchLogsExports: ['postgresql'],
        EnableHttpEndpoint: true,
        BackupRetentionPeriod: 7,
        CopyTagsToSnapshot: true,
        Port: 5432,
        DBSubnetGroupName: Match.anyValue(),
        DBClusterParameterGroupName: Match.anyValue(),
        VpcSecurityGroupIds: Match.anyValue(),
        MasterUsername: Match.absent(),
        MasterUserPassword: Match.absent(),
        DatabaseName: Match.absent(),
      },
      DeletionPolicy: 'Snapshot',
    });
    template.resourceCountIs('AWS::RDS::DBInstance', 1);
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.r6g.large',
      MonitoringInterval: 60,
      MonitoringRoleArn: Match.anyValue(),
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: Match.anyValue(),
    });
  });

  test('GIVEN 0 readers WHEN synthesized THEN the secondary is headless', () => {
    const { stack, db } = secondary({ readers: 0 });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::RDS::DBCluster', 1);
    template.resourceCountIs('AWS::RDS::DBInstance', 0);
    expect(db.instanceCount).toBe(0);
  });

  test('GIVEN 3 readers WHEN synthesized THEN three instances join the cluster', () => {
    Template.fromStack(secondary({ readers: 3 }).stack).resourceCountIs('AWS::RDS::DBInstance', 3);
  });

  test('GIVEN defaults WHEN every stock pack runs THEN nothing is left unacknowledged', () => {
    const { stack } = secondary();
    for (const pack of stockPacks()) {
      expect(nagFindings(pack, stack)).toEqual([]);
    }
  });

  test('GIVEN several bad props WHEN constructed THEN one error names them all', () => {
    expect(() =>
      secondary({ readers: -1, instanceType: new ec2.InstanceType('t3.large') }),
    ).toThrow(
      'AuroraGlobalSecondary Test-us-west-2/Db: instanceType must not be a burstable T class (global databases do not support it), got: t3.large; readers must be a whole number from 0 to 15, got: -1',
    );
  });
});
