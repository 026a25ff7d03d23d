import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuroraGlobalSecondary,
  RegionalDataKey,
  RegionalNetwork,
  ReplicationLagAlarms,
  ReplicationLagAlarmsProps,
} from '../../constructs';
import { managedRpoParameters } from '../../constructs/managed-rpo';
import { buildMultiRegionApp, MultiRegionStacks } from '../../lib/multi-region-app';
import { loadTopology } from '../../lib/topology';
import { testApp, testStack } from '../util';
import { AlarmModel, evaluate, parse } from './alarm-evaluator';
import { alarmsFiring, alarmsOf, feedOf, run, World } from './role-following-alarms';

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

function alarmProps(stack: Stack, name: string): Record<string, unknown> {
  const found = Object.values(
    Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: `Test-eu-west-1-${name}` },
    }),
  );
  expect(found).toHaveLength(1);
  return found[0].Properties;
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

  test('THEN each lag alarm reads the one-minute maximum of this cluster in this region, fires on one datapoint, and missing lag is no breach', () => {
    const template = Template.fromStack(alarms());
    const lagAlarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { Namespace: 'AWS/RDS' },
    });
    expect(Object.keys(lagAlarms)).toHaveLength(6);
    for (const alarm of Object.values(lagAlarms)) {
      expect(alarm.Properties).toMatchObject({
        Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'orders-global-eu-west-1' }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Topic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Topic') }],
    });
  });

  test('THEN every alarm is named <stack>-<metric>-<level> and says what it means', () => {
    const stack = alarms();
    expect(alarmProps(stack, 'AuroraGlobalDBRPOLag-critical').AlarmDescription).toBe(
      'CRITICAL: AuroraGlobalDBRPOLag of orders-global-eu-west-1 in eu-west-1 is over 30 seconds (RPO 30 seconds). ' +
        'Only a secondary reports lag; no data is not a breach.',
    );
    expect(alarmProps(stack, 'AuroraGlobalDBReplicationLag-warning').AlarmDescription).toBe(
      'WARNING: AuroraGlobalDBReplicationLag of orders-global-eu-west-1 in eu-west-1 is over 15 seconds (RPO 30 seconds). ' +
        'Only a secondary reports lag; no data is not a breach.',
    );
    expect(alarmProps(stack, 'AuroraGlobalDBRPOLag-not-reported').AlarmDescription).toBe(
      'AuroraGlobalDBRPOLag of orders-global-eu-west-1 in eu-west-1 not reported for 5 minutes while the health ' +
        'function reports this region as a secondary (IsWriter 0): its lag cannot be shown within the RPO.',
    );
    expect(alarmProps(stack, 'protected').AlarmDescription).toBe(
      'No secondary is within the RPO (30 seconds) while eu-west-1 holds the writer (SecondariesWithinRpo from ' +
        'aurora_global_db_status(), or not reported): a loss of this region would lose more than the RPO, and ' +
        'managed RPO may block commits.',
    );
  });

  test('THEN not-reported alarms need notReportedAfter minutes in a row (M of N), and progress lag has none', () => {
    const stack = alarms({ notReportedAfter: Duration.minutes(3) });
    for (const metric of ['AuroraGlobalDBReplicationLag', 'AuroraGlobalDBRPOLag']) {
      expect(alarmProps(stack, `${metric}-not-reported`)).toMatchObject({
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
      });
    }
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 9);
  });

  test('GIVEN progressLag off THEN only replication and RPO lag are alarmed', () => {
    // 4 threshold alarms, 2 not-reported, 1 protected.
    Template.fromStack(alarms({ progressLag: false })).resourceCountIs('AWS::CloudWatch::Alarm', 7);
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
    [
      'a not-reported delay in seconds',
      { notReportedAfter: Duration.seconds(90) },
      'notReportedAfter must be a whole number of minutes from 1 to 60 (lag is published once a minute), got: 1 minute 30 seconds',
    ],
    [
      'a not-reported delay over an hour',
      { notReportedAfter: Duration.hours(2) },
      'notReportedAfter must be a whole number of minutes from 1 to 60 (lag is published once a minute), got: 2 hours',
    ],
  ])('rejects %s', (_name, extra, message) => {
    expect(() => alarms(extra)).toThrow(`ReplicationLagAlarms Test-eu-west-1/Lag: ${message}`);
  });
});

describe('the evaluator follows the metric math examples of the CloudWatch User Guide', () => {
  // using-metric-math.html, "Comparison and logical operators" and "Using IF expressions".
  const series: Record<string, (number | undefined)[]> = {
    metric1: [30, 20, 0, 0],
    metric2: [20, undefined, 20, undefined],
    if1: [1, 1, 0, 0, undefined],
    if2: [30, undefined, 0, 0, 30],
    if3: [0, 0, 20, undefined, 20],
  };
  const ev = (expression: string, length = 4) =>
    evaluate(parse(expression), (id) => series[id], length);

  test.each<[string, (number | undefined)[]]>([
    ['(metric1 < metric2)', [0, 0, 1, 0]],
    ['(metric1 >= 30)', [1, 0, 0, 0]],
    ['(metric1 > 15 AND metric2 > 15)', [1, 0, 0, 0]],
    ['IF(if1, if2, if3)', [30, 0, 20, undefined, undefined]],
    ['IF(if1, 5, if3)', [5, 5, 20, undefined, undefined]],
    ['IF(if1, if2, 5)', [30, 0, 5, 5, undefined]],
    ['FILL(metric2, -1)', [20, -1, 20, -1]],
  ])('%s gives %j', (expression, expected) => {
    expect(ev(expression)).toEqual(expected);
  });

  test('GIVEN DatapointsToAlarm 2 of 3 THEN one breaching minute is OK and two are ALARM', () => {
    const model = new AlarmModel({
      Namespace: 'N',
      MetricName: 'M',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
    const values = [1, 20, 1, 20, 20];
    const states = values.map((_, t) => model.evaluate((_q, m) => values[m], t));
    expect(states).toEqual(['OK', 'OK', 'OK', 'ALARM', 'ALARM']);
  });
});

// ---- the synthesized app, evaluated minute by minute ------------------------------------

const PRIMARY = 'us-east-1';
const SECONDARY = 'us-west-2';

function build(context: Record<string, unknown> = {}): { app: App; stacks: MultiRegionStacks } {
  const app = testApp(context);
  const topology = loadTopology((key) => app.node.tryGetContext(key));
  return { app, stacks: buildMultiRegionApp(app, topology) };
}

/** Cluster identifier -> region, from each database stack's own output. */
function clusterRegions(stacks: MultiRegionStacks): Record<string, string> {
  return Object.fromEntries(
    stacks.regions.map(({ region, database }) => {
      const outputs = Template.fromStack(database).findOutputs('ClusterIdentifier');
      return [outputs.ClusterIdentifier.Value as string, region];
    }),
  );
}

interface Scenario {
  /** Minute of a switchover to the secondary (none by default). */
  switchAt?: number;
  /** Minute each region's health function first reports (the service stacks deploy later). */
  healthFrom?: number;
  /** Minute a region's health function stops reporting. */
  healthUntil?: Record<string, number>;
  trueLag?: World['trueLag'];
  lagPublished?: World['lagPublished'];
}

function world({ switchAt = Infinity, healthFrom = 10, ...rest }: Scenario, rpoMs = 30_000): World {
  return {
    regions: [PRIMARY, SECONDARY],
    rpoMs,
    writer: (t) => (t < switchAt ? PRIMARY : SECONDARY),
    secondarySince: (region) => (region === SECONDARY ? 0 : switchAt),
    publishDelay: 2,
    healthReports: (region, t) => t >= healthFrom && t < (rest.healthUntil?.[region] ?? Infinity),
    trueLag: rest.trueLag,
    lagPublished: rest.lagPublished,
  };
}

const name = (region: string, alarm: string) => `MultiRegion-Database-${region}-${alarm}`;

describe('role-following alarms on the synthesized two-region app', () => {
  const { stacks } = build();
  const clusters = clusterRegions(stacks);
  const models = () => alarmsOf(stacks.regions.map((r) => r.database));
  const simulate = (scenario: Scenario, until: number) =>
    run(models(), feedOf(world(scenario), clusters), until);

  test('THEN every region, the primary too, has lag, RPO-lag, not-reported and protected alarms with actions', () => {
    for (const region of [PRIMARY, SECONDARY]) {
      const names = [
        ...alarmsOf([stacks.regions.find((r) => r.region === region)!.database]).keys(),
      ];
      expect(names.sort()).toEqual(
        [
          'AuroraGlobalDBProgressLag-critical',
          'AuroraGlobalDBProgressLag-warning',
          'AuroraGlobalDBRPOLag-critical',
          'AuroraGlobalDBRPOLag-not-reported',
          'AuroraGlobalDBRPOLag-warning',
          'AuroraGlobalDBReplicationLag-critical',
          'AuroraGlobalDBReplicationLag-not-reported',
          'AuroraGlobalDBReplicationLag-warning',
          'protected',
        ].map((a) => name(region, a)),
      );
    }
  });

  test('THEN every alarm reads only its own region: its Region dimension or its own cluster', () => {
    for (const { region, database } of stacks.regions) {
      const cluster = Object.entries(clusters).find(([, r]) => r === region)![0];
      for (const model of alarmsOf([database]).values()) {
        const dims = [
          ...(model.props.Dimensions ?? []),
          ...(model.props.Metrics ?? []).flatMap((m) => m.MetricStat?.Metric.Dimensions ?? []),
        ];
        expect(dims.length).toBeGreaterThan(0);
        for (const d of dims) expect(d.Value).toBe(d.Name === 'Region' ? region : cluster);
      }
    }
  });

  test('GIVEN a healthy first deploy (no lag yet, no health function for 10 minutes) THEN no alarm is ever in ALARM and all end OK', () => {
    const history = simulate({}, 30);
    expect(alarmsFiring(history, 0, 30)).toEqual([]);
    expect([...history.values()].map((states) => states[30])).toEqual(
      Array(history.size).fill('OK'),
    );
  });

  test('GIVEN a switchover (the writer moves, lag moves to the old primary 2 minutes later) THEN no alarm fires during or after it', () => {
    const history = simulate({ switchAt: 30 }, 50);
    expect(alarmsFiring(history, 0, 50)).toEqual([]);
    expect([...history.values()].map((states) => states[50])).toEqual(
      Array(history.size).fill('OK'),
    );
  });

  test('GIVEN a real breach in the new secondary after a switchover THEN its lag alarms and the new writer’s protected alarm fire, and clear with it', () => {
    const breach = (region: string, metric: string, t: number) =>
      region === PRIMARY && t >= 40 && t < 43
        ? { AuroraGlobalDBRPOLag: 45_000, AuroraGlobalDBReplicationLag: 20_000 }[metric]
        : undefined;
    const history = simulate({ switchAt: 30, trueLag: breach }, 50);
    expect(alarmsFiring(history, 40, 40).sort()).toEqual(
      [
        name(PRIMARY, 'AuroraGlobalDBRPOLag-critical@40'),
        name(PRIMARY, 'AuroraGlobalDBRPOLag-warning@40'),
        name(PRIMARY, 'AuroraGlobalDBReplicationLag-warning@40'),
        name(SECONDARY, 'protected@40'),
      ].sort(),
    );
    expect(alarmsFiring(history, 0, 39)).toEqual([]);
    expect(alarmsFiring(history, 43, 50)).toEqual([]);
  });

  test('GIVEN the same breach before the switchover THEN the deploy-time secondary alarms and the primary’s protected alarm fires', () => {
    const breach = (region: string, metric: string, t: number) =>
      region === SECONDARY && t >= 20 && t < 22 && metric === 'AuroraGlobalDBRPOLag'
        ? 45_000
        : undefined;
    const history = simulate({ trueLag: breach }, 30);
    expect(alarmsFiring(history, 20, 20).sort()).toEqual(
      [
        name(SECONDARY, 'AuroraGlobalDBRPOLag-critical@20'),
        name(SECONDARY, 'AuroraGlobalDBRPOLag-warning@20'),
        name(PRIMARY, 'protected@20'),
      ].sort(),
    );
  });

  test('GIVEN the new secondary stops publishing lag while its health function reports IsWriter 0 THEN not-reported fires after 5 minutes, not before', () => {
    const history = simulate(
      { switchAt: 30, lagPublished: (r, t) => !(r === PRIMARY && t >= 40) },
      50,
    );
    expect(alarmsFiring(history, 0, 43)).toEqual([]);
    expect(alarmsFiring(history, 44, 44).sort()).toEqual(
      [
        name(PRIMARY, 'AuroraGlobalDBRPOLag-not-reported@44'),
        name(PRIMARY, 'AuroraGlobalDBReplicationLag-not-reported@44'),
      ].sort(),
    );
  });

  test('GIVEN a secondary whose health function stopped reporting THEN its real lag is still alarmed on, and nothing else fires', () => {
    const breach = (region: string, metric: string, t: number) =>
      region === PRIMARY && t >= 45 && metric === 'AuroraGlobalDBRPOLag' ? 45_000 : undefined;
    const history = simulate({ switchAt: 30, healthUntil: { [PRIMARY]: 40 }, trueLag: breach }, 50);
    expect(alarmsFiring(history, 0, 44)).toEqual([]);
    expect(alarmsFiring(history, 45, 45).sort()).toEqual(
      [
        name(PRIMARY, 'AuroraGlobalDBRPOLag-critical@45'),
        name(PRIMARY, 'AuroraGlobalDBRPOLag-warning@45'),
        name(SECONDARY, 'protected@45'),
      ].sort(),
    );
  });

  test('GIVEN the writer region’s health function stopped reporting THEN its role is unknown: no lag alarm fires for it and its protected alarm stays OK', () => {
    // What covers this instead: the routing stack's alarm when no region passes its writer check.
    const history = simulate({ healthUntil: { [PRIMARY]: 20 } }, 40);
    expect(alarmsFiring(history, 0, 40)).toEqual([]);
  });
});

describe('role-following alarms on the synthesized three-region app', () => {
  const THIRD = 'us-east-2';
  const { stacks } = build({ 'topology.secondaryRegions': `${SECONDARY},${THIRD}` });
  const clusters = clusterRegions(stacks);
  const threeRegions = (scenario: Scenario): World => ({
    ...world(scenario),
    regions: [PRIMARY, SECONDARY, THIRD],
    secondarySince: (region) => (region === PRIMARY ? (scenario.switchAt ?? Infinity) : 0),
  });

  test('GIVEN one of two secondaries over the RPO after a switchover THEN its lag alarms fire and protected stays OK; both over it THEN protected fires', () => {
    const lag = (region: string, metric: string, t: number) =>
      metric === 'AuroraGlobalDBRPOLag' &&
      ((region === THIRD && t >= 40) || (region === PRIMARY && t >= 45))
        ? 45_000
        : undefined;
    const history = run(
      alarmsOf(stacks.regions.map((r) => r.database)),
      feedOf(threeRegions({ switchAt: 30, trueLag: lag }), clusters),
      50,
    );
    expect(alarmsFiring(history, 0, 39)).toEqual([]);
    expect(alarmsFiring(history, 40, 40).sort()).toEqual(
      [
        name(THIRD, 'AuroraGlobalDBRPOLag-critical@40'),
        name(THIRD, 'AuroraGlobalDBRPOLag-warning@40'),
      ].sort(),
    );
    expect(alarmsFiring(history, 45, 45).sort()).toEqual(
      [
        name(THIRD, 'AuroraGlobalDBRPOLag-critical@45'),
        name(THIRD, 'AuroraGlobalDBRPOLag-warning@45'),
        name(PRIMARY, 'AuroraGlobalDBRPOLag-critical@45'),
        name(PRIMARY, 'AuroraGlobalDBRPOLag-warning@45'),
        name(SECONDARY, 'protected@45'),
      ].sort(),
    );
  });
});

describe('thresholds follow topology.rpo', () => {
  const { stacks } = build({ 'topology.rpo': '60s' });
  const clusters = clusterRegions(stacks);

  test('GIVEN -c topology.rpo=60s THEN every region warns at 30 s and is critical at 60 s', () => {
    for (const { database } of stacks.regions) {
      for (const metric of ['AuroraGlobalDBReplicationLag', 'AuroraGlobalDBRPOLag']) {
        expect(thresholds(database, metric)).toEqual([30_000, 60_000]);
      }
    }
  });

  test('GIVEN -c topology.rpo=60s and 45 s of RPO lag in the secondary THEN only the warning fires', () => {
    const lag = (region: string, metric: string, t: number) =>
      region === SECONDARY && t >= 20 && metric === 'AuroraGlobalDBRPOLag' ? 45_000 : undefined;
    const history = run(
      alarmsOf(stacks.regions.map((r) => r.database)),
      feedOf(world({ trueLag: lag }, 60_000), clusters),
      25,
    );
    expect(alarmsFiring(history, 20, 20)).toEqual([
      name(SECONDARY, 'AuroraGlobalDBRPOLag-warning@20'),
    ]);
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
