import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  GlobalTrafficRouting,
  GlobalTrafficRoutingProps,
  RoutedRegion,
  serviceHostnames,
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
    mode: 'active-passive',
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

describe('active-passive records', () => {
  const template = Template.fromStack(routing().stack);

  test('THEN the user-facing name fails over from the primary to the secondary on the serving checks', () => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'app.example.com.',
      Type: 'CNAME',
      TTL: '60',
      Failover: 'PRIMARY',
      SetIdentifier: 'us-east-1-primary',
      ResourceRecords: ['d-app-us-east-1.execute-api.us-east-1.amazonaws.com'],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'app.example.com.',
      TTL: '60',
      Failover: 'SECONDARY',
      SetIdentifier: 'us-west-2-secondary',
      ResourceRecords: ['d-app-us-west-2.execute-api.us-west-2.amazonaws.com'],
    });
    expect(healthCheckOf(template, 'app.example.com', 'PRIMARY')).toBe(
      healthCheckId(template, 'us-east-1.app.example.com', '/health'),
    );
    expect(healthCheckOf(template, 'app.example.com', 'SECONDARY')).toBe(
      healthCheckId(template, 'us-west-2.app.example.com', '/health'),
    );
  });

  test("THEN the write path's PRIMARY uses the primary region's writer check", () => {
    expect(healthCheckOf(template, 'write.example.com', 'PRIMARY')).toBe(
      healthCheckId(template, 'us-east-1.app.example.com', '/health/writer'),
    );
    expect(healthCheckOf(template, 'write.example.com', 'SECONDARY')).toBe(
      healthCheckId(template, 'us-west-2.app.example.com', '/health/writer'),
    );
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'write.example.com.',
      Failover: 'PRIMARY',
      ResourceRecords: ['d-write-us-east-1.execute-api.us-east-1.amazonaws.com'],
    });
  });

  test('THEN no record is an alias (an alias TTL is not ours to set)', () => {
    for (const record of Object.values(template.findResources('AWS::Route53::RecordSet'))) {
      expect(record.Properties.AliasTarget).toBeUndefined();
      expect(record.Properties.TTL).toBe('60');
    }
  });
});

describe('active-active records', () => {
  const template = Template.fromStack(routing({ mode: 'active-active' }).stack);

  test('THEN the user-facing name has one latency record per region with its serving check', () => {
    for (const region of ['us-east-1', 'us-west-2']) {
      const records = template.findResources('AWS::Route53::RecordSet', {
        Properties: { Name: 'app.example.com.', Region: region },
      });
      const [record] = Object.values(records);
      expect(record.Properties).toMatchObject({
        TTL: '60',
        SetIdentifier: region,
        Type: 'CNAME',
        ResourceRecords: [`d-app-${region}.execute-api.${region}.amazonaws.com`],
      });
      expect(record.Properties.Failover).toBeUndefined();
      expect(record.Properties.HealthCheckId.Ref).toBe(
        healthCheckId(template, `${region}.app.example.com`, '/health'),
      );
    }
  });

  test('THEN the write path still fails over on the writer checks', () => {
    expect(healthCheckOf(template, 'write.example.com', 'PRIMARY')).toBe(
      healthCheckId(template, 'us-east-1.app.example.com', '/health/writer'),
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
  test('GIVEN the defaults THEN the floor is 215 s and is published as an output', () => {
    const { stack, routing: r } = routing();
    expect(r.rtoFloor.total.toSeconds()).toBe(215);
    Template.fromStack(stack).hasOutput('*', {
      Value: '215',
      Description:
        'Computed RTO floor: detection 10s x 3 = 30s + health signal cache 5s + DNS TTL 60s + promotion estimate 120s = 215s',
    });
  });

  test('GIVEN an objective within 20% of the floor THEN a warning says so', () => {
    const { stack } = routing({ rto: Duration.seconds(250) });
    Annotations.fromStack(stack).hasWarning(
      '/Routing/Routing',
      Match.stringLikeRegexp(
        'computed RTO floor 3 minutes 35 seconds is within 20% of the objective 4 minutes 10 seconds',
      ),
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
      'an RTO objective below the floor',
      { rto: Duration.minutes(3) },
      'rto 3 minutes is below the computed RTO floor of 3 minutes 35 seconds (detection 10s x 3 = 30s + health signal cache 5s + DNS TTL 60s + promotion estimate 120s = 215s); raise the objective, or shorten the interval, threshold, TTL or cache',
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
