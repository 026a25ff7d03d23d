import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmFactory, HealthCheckMetrics, RegionalServiceMetrics } from '../../constructs';
import { testStack } from '../util';

function factoryIn(stack: Stack, namePrefix?: string): AlarmFactory {
  const topic = new sns.Topic(stack, 'Topic');
  return new AlarmFactory(stack, { alarmTopic: topic, namePrefix });
}

const metric = () =>
  new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors', period: Duration.minutes(1) });

const alarmProps = { metric: metric(), threshold: 1, evaluationPeriods: 1 };

/** The one alarm of `type` in the stack, as synthesized. */
function onlyAlarm(stack: Stack, type = 'AWS::CloudWatch::Alarm'): Record<string, unknown> {
  const alarms = Object.values(Template.fromStack(stack).findResources(type));
  expect(alarms).toHaveLength(1);
  return alarms[0].Properties;
}

describe('the naming strategy', () => {
  test('GIVEN name parts THEN the alarm is named <stack>-<metric>-<level>', () => {
    const stack = testStack('us-west-2');
    factoryIn(stack).addAlarm('Lag', { ...alarmProps, name: ['AuroraGlobalDBRPOLag', 'critical'] });
    expect(onlyAlarm(stack).AlarmName).toBe('Test-us-west-2-AuroraGlobalDBRPOLag-critical');
  });

  test('GIVEN a prefix THEN it replaces the stack name', () => {
    const stack = testStack('us-west-2');
    factoryIn(stack, 'orders-us-west-2').addAlarm('Lag', {
      ...alarmProps,
      name: ['Lag', 'warning'],
    });
    expect(onlyAlarm(stack).AlarmName).toBe('orders-us-west-2-Lag-warning');
  });

  test('GIVEN no name THEN CloudFormation names the alarm (alarms first deployed so keep their names)', () => {
    const stack = testStack();
    factoryIn(stack).addAlarm('Unnamed', alarmProps);
    expect(onlyAlarm(stack).AlarmName).toBeUndefined();
  });

  test('GIVEN a composite alarm with name parts THEN it is named the same way', () => {
    const stack = testStack();
    const alarms = factoryIn(stack);
    const part = alarms.addAlarm('Part', { ...alarmProps, notify: false });
    alarms.addCompositeAlarm('All', {
      name: ['NoWriter', 'critical'],
      alarmRule: cloudwatch.AlarmRule.allOf(part),
    });
    expect(onlyAlarm(stack, 'AWS::CloudWatch::CompositeAlarm').AlarmName).toBe(
      'Test-us-east-1-NoWriter-critical',
    );
  });
});

describe('the action strategy', () => {
  test("GIVEN an alarm THEN it notifies the region's topic on ALARM and on OK", () => {
    const stack = testStack();
    factoryIn(stack).addAlarm('Lag', alarmProps);
    const [topic] = Object.keys(Template.fromStack(stack).findResources('AWS::SNS::Topic'));
    expect(onlyAlarm(stack)).toMatchObject({
      AlarmActions: [{ Ref: topic }],
      OKActions: [{ Ref: topic }],
    });
  });

  test('GIVEN notify false (a part of a composite alarm) THEN the alarm has no actions', () => {
    const stack = testStack();
    factoryIn(stack).addAlarm('Part', { ...alarmProps, notify: false });
    expect(onlyAlarm(stack)).not.toHaveProperty('AlarmActions');
    expect(onlyAlarm(stack)).not.toHaveProperty('OKActions');
  });
});

describe('metric factories', () => {
  test('GIVEN a health check in any stack THEN its status metric is read in us-east-1, where Route 53 publishes it', () => {
    const stack = testStack('eu-west-1');
    const check = route53.HealthCheck.fromHealthCheckId(stack, 'Check', 'hc-1');
    const status = HealthCheckMetrics.status(check, 'eu-west-1');
    expect([
      status.namespace,
      status.metricName,
      status.dimensions,
      status.statistic,
      status.period.toSeconds(),
      status.region,
      status.label,
    ]).toEqual([
      'AWS/Route53',
      'HealthCheckStatus',
      { HealthCheckId: 'hc-1' },
      'Minimum',
      60,
      'us-east-1',
      'eu-west-1',
    ]);
  });

  test('GIVEN a region THEN the service metrics carry its Region dimension in the service namespace', () => {
    const m = new RegionalServiceMetrics('us-west-2');
    expect(
      [m.isWriter(), m.serving(), m.drained(), m.secondariesWithinRpo()].map((x) => [
        x.namespace,
        x.metricName,
        x.statistic,
        x.dimensions,
        x.region,
      ]),
    ).toEqual([
      ['MultiRegion/Service', 'IsWriter', 'Maximum', { Region: 'us-west-2' }, 'us-west-2'],
      ['MultiRegion/Service', 'Serving', 'Minimum', { Region: 'us-west-2' }, 'us-west-2'],
      ['MultiRegion/Service', 'Drained', 'Maximum', { Region: 'us-west-2' }, 'us-west-2'],
      [
        'MultiRegion/Service',
        'SecondariesWithinRpo',
        'Minimum',
        { Region: 'us-west-2' },
        'us-west-2',
      ],
    ]);
  });
});
