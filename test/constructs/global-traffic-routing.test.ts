import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  GlobalTrafficRouting,
  GlobalTrafficRoutingProps,
  RoutedRegion,
  serviceHostnames,
  writeRecordSetIdentifier,
} from '../../constructs';
import { testApp } from '../util';

const HOSTNAMES = serviceHostnames('example.com');

function routedRegions(...names: string[]): RoutedRegion[] {
  return names.map((region) => ({
    region,
    appTarget: `d-app-${region}.execute-api.${region}.amazonaws.com`,
    writeTarget: `d-write-${region}.execute-api.${region}.amazonaws.com`,
  }));
}

function routing(
  extra: Partial<GlobalTrafficRoutingProps> = {},
  region = 'us-east-1',
): { stack: Stack; routing: GlobalTrafficRouting } {
  const app: App = testApp();
  const stack = new Stack(app, 'Routing', { env: { account: '123456789012', region } });
  const routing = new GlobalTrafficRouting(stack, 'Routing', {
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
      hostedZoneId: 'Z0000000000EXAMPLE',
      zoneName: 'example.com',
    }),
    regions: routedRegions('us-east-1', 'us-west-2'),
    hostnames: HOSTNAMES,
    rto: Duration.minutes(15),
    alarmTopic: new sns.Topic(stack, 'Topic'),
    ...extra,
  });
  return { stack, routing };
}

/** Logical id of the health check a record set uses. */
function healthCheckOf(template: Template, name: string, failover: string): string {
  const records = template.findResources('AWS::Route53::RecordSet', {
    Properties: { Name: `${name}.`, Failover: failover },
  });
  const [record] = Object.values(records);
  return record.Properties.HealthCheckId.Ref;
}

function healthCheckId(template: Template, fqdn: string, path: string): string {
  const checks = template.findResources('AWS::Route53::HealthCheck', {
    Properties: { HealthCheckConfig: { FullyQualifiedDomainName: fqdn, ResourcePath: path } },
  });
  expect(Object.keys(checks)).toHaveLength(1);
  return Object.keys(checks)[0];
}

describe('health checks', () => {
  test('GIVEN two regions WHEN synthesized THEN each has a serving and a writer HTTPS check, 10 s x 3', () => {
    const template = Template.fromStack(routing().stack);
    template.resourceCountIs('AWS::Route53::HealthCheck', 4);
    for (const region of ['us-east-1', 'us-west-2']) {
      for (const path of ['/health', '/health/writer']) {
        template.hasResourceProperties('AWS::Route53::HealthCheck', {
          HealthCheckConfig: {
            Type: 'HTTPS',
            FullyQualifiedDomainName: `${region}.app.example.com`,
            Port: 443,
            ResourcePath: path,
            RequestInterval: 10,
            FailureThreshold: 3,
            EnableSNI: true,
            Inverted: false,
          },
        });
      }
    }
  });
});

/** The latency record of `name` for `region`, with its health check's logical id. */
function latencyRecord(template: Template, name: string, region: string) {
  const records = template.findResources('AWS::Route53::RecordSet', {
    Properties: { Name: `${name}.`, Region: region },
  });
  expect(Object.keys(records)).toHaveLength(1);
  return Object.values(records)[0].Properties;
}

describe.each<[string, Partial<GlobalTrafficRoutingProps>]>([
  ['active-passive (the default)', {}],
  ['active-active', { mode: 'active-active' }],
])('%s records', (_name, extra) => {
  const template = Template.fromStack(routing(extra).stack);

  test('THEN the read name has one latency record per region with its serving check, TTL 60', () => {
    for (const region of ['us-east-1', 'us-west-2']) {
      const record = latencyRecord(template, 'app.example.com', region);
      expect(record).toMatchObject({
        TTL: '60',
        SetIdentifier: region,
        Type: 'CNAME',
        ResourceRecords: [`d-app-${region}.execute-api.${region}.amazonaws.com`],
      });
      expect(record.Failover).toBeUndefined();
      expect(record.HealthCheckId.Ref).toBe(
        healthCheckId(template, `${region}.app.example.com`, '/health'),
      );
    }
  });

  test('THEN the write name fails over from the primary to the secondary on the writer checks', () => {
    expect(healthCheckOf(template, 'write.example.com', 'PRIMARY')).toBe(
      healthCheckId(template, 'us-east-1.app.example.com', '/health/writer'),
    );
    expect(healthCheckOf(template, 'write.example.com', 'SECONDARY')).toBe(
      healthCheckId(template, 'us-west-2.app.example.com', '/health/writer'),
    );
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'write.example.com.',
      Type: 'CNAME',
      TTL: '60',
      Failover: 'PRIMARY',
      SetIdentifier: 'us-east-1-primary',
      ResourceRecords: ['d-write-us-east-1.execute-api.us-east-1.amazonaws.com'],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'write.example.com.',
      TTL: '60',
      Failover: 'SECONDARY',
      SetIdentifier: 'us-west-2-secondary',
      ResourceRecords: ['d-write-us-west-2.execute-api.us-west-2.amazonaws.com'],
    });
  });

  test('THEN the read name has no failover record, and there are exactly 4 records', () => {
    template.resourceCountIs('AWS::Route53::RecordSet', 4);
    expect(
      template.findResources('AWS::Route53::RecordSet', {
        Properties: { Name: 'app.example.com.', Failover: Match.anyValue() },
      }),
    ).toEqual({});
  });

  test('THEN no record is an alias (an alias TTL is not ours to set)', () => {
    for (const record of Object.values(template.findResources('AWS::Route53::RecordSet'))) {
      expect(record.Properties.AliasTarget).toBeUndefined();
      expect(record.Properties.TTL).toBe('60');
    }
  });
});

describe('a headless secondary', () => {
  const headless = (...names: string[]) =>
    routedRegions(...names).map((r, i) => (i === names.length - 1 ? { ...r, headless: true } : r));

  describe('GIVEN two regions, the secondary headless', () => {
    const { stack, routing: r } = routing({ regions: headless('us-east-1', 'us-west-2') });
    const template = Template.fromStack(stack);

    test('THEN it has a writer check but no serving check', () => {
      healthCheckId(template, 'us-west-2.app.example.com', '/health/writer');
      expect(
        template.findResources('AWS::Route53::HealthCheck', {
          Properties: {
            HealthCheckConfig: {
              FullyQualifiedDomainName: 'us-west-2.app.example.com',
              ResourcePath: '/health',
            },
          },
        }),
      ).toEqual({});
      expect(r.servingChecks['us-west-2']).toBeUndefined();
      expect(r.servingRegions).toEqual(['us-east-1']);
    });

    test('THEN it is not in the read latency set', () => {
      const reads = template.findResources('AWS::Route53::RecordSet', {
        Properties: { Name: 'app.example.com.' },
      });
      expect(Object.values(reads).map((x) => x.Properties.Region)).toEqual(['us-east-1']);
    });

    test('THEN it stays the write SECONDARY on its writer check (DNS follows it once it holds the writer)', () => {
      expect(healthCheckOf(template, 'write.example.com', 'SECONDARY')).toBe(
        healthCheckId(template, 'us-west-2.app.example.com', '/health/writer'),
      );
    });

    test('THEN only the serving region has a serving alarm (plus the no-writer alarm)', () => {
      template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      expect(
        Object.keys(template.findResources('AWS::CloudWatch::Alarm')).filter((id) =>
          id.includes('ServingAlarm'),
        ),
      ).toEqual([expect.stringMatching(/ServingAlarmuseast1/)]);
    });

    test('THEN a warning says what headless means and that promotion first needs an instance', () => {
      Annotations.fromStack(stack).hasWarning(
        '/Routing/Routing',
        'us-west-2 is a headless secondary (no DB instance): it serves no reads, so it has no serving check or alarm ' +
          'and is not in the app.example.com latency set. It stays in the write.example.com failover chain, ' +
          'but promoting it first needs a DB instance in its cluster (until then its writer check cannot pass and writes stay where they are); ' +
          'deploy it with readers to serve reads [ack: multi-region:headless-secondary]',
      );
    });
  });

  test('GIVEN three regions, the last headless THEN the write standby set keeps it and the read set does not', () => {
    const template = Template.fromStack(
      routing({ regions: headless('us-east-1', 'us-west-2', 'us-east-2') }).stack,
    );
    const standby = template.findResources('AWS::Route53::RecordSet', {
      Properties: { Name: 'standby.write.example.com.' },
    });
    expect(Object.values(standby).map((x) => x.Properties.Region)).toEqual([
      'us-west-2',
      'us-east-2',
    ]);
    const reads = template.findResources('AWS::Route53::RecordSet', {
      Properties: { Name: 'app.example.com.' },
    });
    expect(Object.values(reads).map((x) => x.Properties.Region)).toEqual([
      'us-east-1',
      'us-west-2',
    ]);
  });

  test('GIVEN only secondaries with readers THEN there is no headless warning', () => {
    Annotations.fromStack(routing().stack).hasNoWarning(
      '/Routing/Routing',
      Match.stringLikeRegexp('headless'),
    );
  });
});

describe('three regions', () => {
  const template = Template.fromStack(
    routing({ regions: routedRegions('us-east-1', 'us-west-2', 'us-east-2') }).stack,
  );

  test('THEN SECONDARY points at a latency set over both secondaries, guarded by a calculated check', () => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'write.example.com.',
      Failover: 'SECONDARY',
      TTL: '60',
      ResourceRecords: ['standby.write.example.com'],
    });
    const calculatedId = healthCheckOf(template, 'write.example.com', 'SECONDARY');
    const calculated = template.toJSON().Resources[calculatedId];
    expect(calculated.Properties.HealthCheckConfig).toMatchObject({
      Type: 'CALCULATED',
      HealthThreshold: 1,
      ChildHealthChecks: [
        { Ref: healthCheckId(template, 'us-west-2.app.example.com', '/health/writer') },
        { Ref: healthCheckId(template, 'us-east-2.app.example.com', '/health/writer') },
      ],
    });
    for (const region of ['us-west-2', 'us-east-2']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'standby.write.example.com.',
        Region: region,
        SetIdentifier: region,
        TTL: '60',
        HealthCheckId: {
          Ref: healthCheckId(template, `${region}.app.example.com`, '/health/writer'),
        },
      });
    }
  });

  test('THEN the read name is one latency set over all three regions (no standby name)', () => {
    const reads = template.findResources('AWS::Route53::RecordSet', {
      Properties: { Name: 'app.example.com.' },
    });
    expect(Object.values(reads).map((x) => x.Properties.Region)).toEqual([
      'us-east-1',
      'us-west-2',
      'us-east-2',
    ]);
    expect(
      template.findResources('AWS::Route53::RecordSet', {
        Properties: { Name: 'standby.app.example.com.' },
      }),
    ).toEqual({});
  });

  test('THEN every HTTPS check still polls every 10 s with threshold 3', () => {
    const https = template.findResources('AWS::Route53::HealthCheck', {
      Properties: { HealthCheckConfig: { Type: 'HTTPS' } },
    });
    expect(Object.keys(https)).toHaveLength(6);
    for (const check of Object.values(https)) {
      expect(check.Properties.HealthCheckConfig).toMatchObject({
        RequestInterval: 10,
        FailureThreshold: 3,
      });
    }
  });
});

describe('alarms', () => {
  test('GIVEN two regions THEN each serving check and the no-writer condition alarm to the topic on ALARM and OK', () => {
    const template = Template.fromStack(routing().stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    const topicRef = { Ref: Match.stringLikeRegexp('^Topic') };
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [topicRef],
      OKActions: [topicRef],
      TreatMissingData: 'breaching',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Route53',
      MetricName: 'HealthCheckStatus',
      Statistic: 'Minimum',
      Period: 60,
      Dimensions: [
        {
          Name: 'HealthCheckId',
          Value: { Ref: Match.stringLikeRegexp('ServingQuswest2|Servinguswest2') },
        },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'MAX([w0,w1])' })]),
    });
  });
});

describe('recovery time objective', () => {
  test('GIVEN the defaults THEN the read floor is 95 s, the write floor 215 s, both published as outputs', () => {
    const { stack, routing: r } = routing();
    expect(r.rtoFloors.read.total.toSeconds()).toBe(95);
    expect(r.rtoFloors.write.total.toSeconds()).toBe(215);
    const template = Template.fromStack(stack);
    template.hasOutput('*', {
      Value: '95',
      Description:
        "Computed RTO floor, read path: failed region's checks 10s x 3 = 30s + health signal cache 5s + DNS TTL 60s x 1 hop = 95s",
    });
    template.hasOutput('*', {
      Value: '215',
      Description:
        "Computed RTO floor, write path: promotion estimate 120s + new writer's checks passing 10s x 3 = 30s + health signal cache 5s + DNS TTL 60s x 1 hop = 215s",
    });
  });

  test('GIVEN three regions THEN the write name is two CNAME hops and its floor adds both TTLs', () => {
    const { routing: r } = routing({
      regions: routedRegions('us-east-1', 'us-west-2', 'us-east-2'),
    });
    expect(r.rtoFloors.write.hops).toBe(2);
    expect(r.rtoFloors.write.total.toSeconds()).toBe(275);
    expect(r.rtoFloors.read.hops).toBe(1);
  });

  test("GIVEN the service's signal cache THEN both floors use it", () => {
    const { routing: r } = routing({ healthSignalCacheTtl: Duration.seconds(20) });
    expect(r.rtoFloors.read.total.toSeconds()).toBe(110);
    expect(r.rtoFloors.write.total.toSeconds()).toBe(230);
  });

  test('GIVEN an objective within 20% of the write floor THEN a warning names the path', () => {
    const { stack } = routing({ rto: Duration.seconds(250) });
    Annotations.fromStack(stack).hasWarning(
      '/Routing/Routing',
      'the computed write-path RTO floor 3 minutes 35 seconds is within 20% of the objective 4 minutes 10 seconds: ' +
        'an operator has almost no time to decide [ack: multi-region:rto-margin]',
    );
  });

  test('GIVEN a comfortable objective THEN there is no RTO warning', () => {
    const { stack } = routing();
    Annotations.fromStack(stack).hasNoWarning(
      '/Routing/Routing',
      Match.stringLikeRegexp('RTO floor'),
    );
  });

  test('GIVEN a threshold above 3 THEN a warning names the detection time', () => {
    const { stack } = routing({ failureThreshold: 5 });
    Annotations.fromStack(stack).hasWarning(
      '/Routing/Routing',
      Match.stringLikeRegexp('failureThreshold 5 is above 3: detection takes 50 seconds'),
    );
  });
});

describe('bad props', () => {
  test.each<[string, Partial<GlobalTrafficRoutingProps>, string]>([
    [
      'a TTL over 60 s for failover records',
      { ttl: Duration.seconds(300) },
      'ttl must be at most 60 seconds for failover and latency records, got: 5 minutes',
    ],
    [
      'an interval other than 10 or 30 s',
      { healthCheckInterval: Duration.seconds(20) },
      'healthCheckInterval must be 10 or 30 seconds (the intervals Route 53 offers), got: 20 seconds',
    ],
    [
      'a threshold of 0',
      { failureThreshold: 0 },
      'failureThreshold must be a whole number from 1 to 10, got: 0',
    ],
    [
      'a threshold of 11',
      { failureThreshold: 11 },
      'failureThreshold must be a whole number from 1 to 10, got: 11',
    ],
    [
      'an RTO objective below the write floor',
      { rto: Duration.minutes(3) },
      "rto 3 minutes is below the computed write-path RTO floor of 3 minutes 35 seconds (write path: promotion estimate 120s + new writer's checks passing 10s x 3 = 30s + health signal cache 5s + DNS TTL 60s x 1 hop = 215s); raise the objective, or shorten the interval, threshold, TTL, cache or promotion estimate",
    ],
    [
      'an RTO objective below both floors',
      { rto: Duration.seconds(90) },
      "rto 1 minute 30 seconds is below the computed read-path RTO floor of 1 minute 35 seconds (read path: failed region's checks 10s x 3 = 30s + health signal cache 5s + DNS TTL 60s x 1 hop = 95s); raise the objective, or shorten the interval, threshold, TTL or cache; " +
        "rto 1 minute 30 seconds is below the computed write-path RTO floor of 3 minutes 35 seconds (write path: promotion estimate 120s + new writer's checks passing 10s x 3 = 30s + health signal cache 5s + DNS TTL 60s x 1 hop = 215s); raise the objective, or shorten the interval, threshold, TTL, cache or promotion estimate",
    ],
    [
      'a headless primary',
      {
        regions: [
          { ...routedRegions('us-east-1')[0], headless: true },
          ...routedRegions('us-west-2'),
        ],
      },
      'regions[0] (us-east-1) is the primary and holds the writer instance, so it cannot be headless; set headless only on secondaries',
    ],
    [
      'a single region',
      { regions: routedRegions('us-east-1') },
      'regions must list at least two regions, got: ["us-east-1"]',
    ],
    [
      'a region twice',
      { regions: routedRegions('us-east-1', 'us-east-1') },
      'regions must be distinct, got us-east-1 more than once',
    ],
  ])('rejects %s', (_name, extra, message) => {
    expect(() => routing(extra)).toThrow(`GlobalTrafficRouting Routing/Routing: ${message}`);
  });

  test('rejects a stack outside us-east-1', () => {
    expect(() => routing({}, 'eu-west-1')).toThrow(
      'GlobalTrafficRouting Routing/Routing: GlobalTrafficRouting must be in a us-east-1 stack, where Route 53 publishes health-check metrics, got: eu-west-1',
    );
  });
});

describe('write gates (ARC Region switch health checks)', () => {
  test('GIVEN no writeGates THEN the write records carry the writer checks and no calculated gate exists', () => {
    const { stack } = routing();
    const template = Template.fromStack(stack);
    expect(healthCheckOf(template, HOSTNAMES.write, 'PRIMARY')).toBe(
      healthCheckId(template, 'us-east-1.app.example.com', '/health/writer'),
    );
    expect(healthCheckOf(template, HOSTNAMES.write, 'SECONDARY')).toBe(
      healthCheckId(template, 'us-west-2.app.example.com', '/health/writer'),
    );
    template.resourcePropertiesCountIs(
      'AWS::Route53::HealthCheck',
      { HealthCheckConfig: { Type: 'CALCULATED' } },
      0,
    );
  });

  test('GIVEN gates per region THEN each write record requires its writer check AND every gate of its region', () => {
    // GIVEN ARC's checks: the primary is in two plans, the secondary in one
    const app = testApp();
    const stack = new Stack(app, 'Gated', {
      env: { account: '123456789012', region: 'us-east-1' },
    });
    const arc = (id: string) => route53.HealthCheck.fromHealthCheckId(stack, id, id);
    new GlobalTrafficRouting(stack, 'Routing', {
      hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
        hostedZoneId: 'Z0000000000EXAMPLE',
        zoneName: 'example.com',
      }),
      regions: routedRegions('us-east-1', 'us-west-2'),
      hostnames: HOSTNAMES,
      rto: Duration.minutes(15),
      alarmTopic: new sns.Topic(stack, 'Topic'),
      writeGates: {
        'us-east-1': [arc('arc-east-plan-a'), arc('arc-east-plan-b')],
        'us-west-2': [arc('arc-west')],
      },
    });
    const template = Template.fromStack(stack);
    const resources = template.toJSON().Resources;
    const gateOf = (failover: string) =>
      resources[healthCheckOf(template, HOSTNAMES.write, failover)].Properties.HealthCheckConfig;

    // THEN a calculated check that is healthy only when all its children are
    expect(gateOf('PRIMARY')).toEqual({
      Type: 'CALCULATED',
      ChildHealthChecks: [
        { Ref: healthCheckId(template, 'us-east-1.app.example.com', '/health/writer') },
        'arc-east-plan-a',
        'arc-east-plan-b',
      ],
      HealthThreshold: 3,
      Inverted: false,
    });
    expect(gateOf('SECONDARY')).toEqual({
      Type: 'CALCULATED',
      ChildHealthChecks: [
        { Ref: healthCheckId(template, 'us-west-2.app.example.com', '/health/writer') },
        'arc-west',
      ],
      HealthThreshold: 2,
      Inverted: false,
    });
  });

  test('GIVEN gates for a region that is not routed THEN it names it and the routed regions', () => {
    expect(() =>
      routing({
        writeGates: { 'eu-west-1': [] },
      }),
    ).toThrow(
      'writeGates must be keyed by the routed regions (us-east-1, us-west-2), got: eu-west-1',
    );
  });

  test.each([
    [['us-east-1', 'us-west-2'], 'us-east-1', 'us-east-1-primary'],
    [['us-east-1', 'us-west-2'], 'us-west-2', 'us-west-2-secondary'],
    [['us-east-1', 'us-west-2', 'us-east-2'], 'us-east-2', 'standby-secondary'],
  ])('GIVEN regions %j THEN the write record of %s is %s', (regions, region, id) => {
    expect(writeRecordSetIdentifier(regions, region)).toBe(id);
  });
});
