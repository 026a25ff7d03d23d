import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuroraGlobalSecondary,
  managedRpoParameters,
  RegionalDataKey,
  RegionalNetwork,
  ReplicationLagAlarms,
  ReplicationLagAlarmsProps,
} from '../../constructs';
import { testStack } from '../util';

function alarms(extra: Partial<ReplicationLagAlarmsProps> = {}): Stack {
  const stack = testStack('eu-west-1');
  const key = new RegionalDataKey(stack, 'Key');
  const network = new RegionalNetwork(stack, 'Network', { encryptionKey: key.key });
  const cluster = new AuroraGlobalSecondary(stack, 'Db', {
    vpc: network.vpc,
    encryptionKey: key.key,
    globalClusterIdentifier: 'orders-global',
    engineVersion: rds.AuroraPostgresEngineVersion.of('16.6', '16'),
    rpo: Duration.seconds(30),
  });
  new ReplicationLagAlarms(stack, 'Lag', {
    cluster,
    rpo: Duration.seconds(30),
    alarmTopic: new sns.Topic(stack, 'Topic'),
    ...extra,
  });
  return stack;
}

function thresholds(stack: Stack, metricName: string): number[] {
  const found = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm', {
    Properties: { MetricName: metricName },
  });
  return Object.values(found)
    .map((a) => a.Properties.Threshold as number)
    .sort((a, b) => a - b);
}

describe('ReplicationLagAlarms', () => {
  test.each([
    [30, 15_000, 30_000],
    [60, 30_000, 60_000],
    [300, 150_000, 300_000],
  ])(
    'GIVEN an RPO of %s s THEN warning and critical thresholds are %s and %s ms',
    (rpo, warning, critical) => {
      const stack = alarms({ rpo: Duration.seconds(rpo) });
      for (const metric of [
        'AuroraGlobalDBReplicationLag',
        'AuroraGlobalDBRPOLag',
        'AuroraGlobalDBProgressLag',
      ]) {
        expect(thresholds(stack, metric)).toEqual([warning, critical]);
      }
    },
  );

  test('THEN each alarm reads the one-minute maximum of this cluster in this region and fires on one datapoint', () => {
    const template = Template.fromStack(alarms());
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/RDS',
      Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'orders-global-eu-west-1' }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Topic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Topic') }],
    });
  });

  test('THEN a secondary that stops reporting replication or RPO lag is in alarm; missing progress lag is not', () => {
    const template = Template.fromStack(alarms());
    for (const metric of ['AuroraGlobalDBReplicationLag', 'AuroraGlobalDBRPOLag']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        TreatMissingData: 'breaching',
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'AuroraGlobalDBProgressLag',
      TreatMissingData: 'notBreaching',
    });
  });

  test('GIVEN progressLag off THEN only replication and RPO lag are alarmed', () => {
    Template.fromStack(alarms({ progressLag: false })).resourceCountIs('AWS::CloudWatch::Alarm', 4);
  });

  test.each<[string, Partial<ReplicationLagAlarmsProps>, string]>([
    [
      'an RPO the engine cannot enforce',
      { rpo: Duration.seconds(10) },
      "rpo must be at least 20 seconds, the least Aurora's managed RPO can enforce, got: 10 seconds",
    ],
    [
      'a warning threshold above the critical one',
      { warningThreshold: Duration.seconds(25), criticalThreshold: Duration.seconds(20) },
      'warningThreshold (25 seconds) must be below criticalThreshold (20 seconds)',
    ],
    [
      'a critical threshold beyond the RPO',
      { criticalThreshold: Duration.minutes(1) },
      'criticalThreshold (1 minute) must not exceed the rpo (30 seconds): the alarm would fire only after the objective is already missed',
    ],
  ])('rejects %s', (_name, extra, message) => {
    expect(() => alarms(extra)).toThrow(`ReplicationLagAlarms Test-eu-west-1/Lag: ${message}`);
  });
});

describe('managed RPO', () => {
  const postgres = rds.DatabaseClusterEngine.auroraPostgres({
    version: rds.AuroraPostgresEngineVersion.of('16.6', '16'),
  });

  test('GIVEN Aurora PostgreSQL and 45 s THEN rds.global_db_rpo is 45', () => {
    expect(managedRpoParameters(postgres, Duration.seconds(45))).toEqual({
      'rds.global_db_rpo': '45',
    });
  });

  test.each<[string, rds.IClusterEngine, Duration, string]>([
    [
      'Aurora MySQL',
      rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_08_0 }),
      Duration.seconds(30),
      'managed RPO (rds.global_db_rpo) exists only for Aurora PostgreSQL, got engine: aurora-mysql; leave rpo unset and rely on the lag alarms',
    ],
    [
      'an RPO under 20 s',
      postgres,
      Duration.seconds(5),
      'rpo must be at least 20 seconds (the least rds.global_db_rpo accepts), got: 5 seconds',
    ],
    [
      'a fractional RPO',
      postgres,
      Duration.millis(20_500),
      'rpo must be a whole number of seconds, got: 20 seconds 500 millis',
    ],
  ])('rejects %s', (_name, engine, rpo, message) => {
    expect(() => managedRpoParameters(engine, rpo)).toThrow(message);
  });

  test('GIVEN a secondary with an RPO THEN its cluster parameter group leaves rds.global_db_rpo at the default (role-aware); a bad one fails the construct', () => {
    const template = Template.fromStack(alarms());
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Parameters: Match.objectEquals({ 'rds.force_ssl': '1' }),
    });
    const stack = testStack('eu-west-1');
    const key = new RegionalDataKey(stack, 'Key');
    const network = new RegionalNetwork(stack, 'Network', { encryptionKey: key.key });
    expect(
      () =>
        new AuroraGlobalSecondary(stack, 'Db', {
          vpc: network.vpc,
          encryptionKey: key.key,
          globalClusterIdentifier: 'orders-global',
          engineVersion: rds.AuroraPostgresEngineVersion.of('16.6', '16'),
          rpo: Duration.seconds(10),
        }),
    ).toThrow(
      'AuroraGlobalSecondary Test-eu-west-1/Db: rpo must be at least 20 seconds (the least rds.global_db_rpo accepts), got: 10 seconds',
    );
  });
});
