import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AlarmTopic, MultiRegionDashboard, RegionalDataKey } from '../../constructs';
import { buildMultiRegionApp } from '../../lib/multi-region-app';
import { loadTopology } from '../../lib/topology';
import { importedMember, testApp, testStack } from '../util';

describe('AlarmTopic', () => {
  test('GIVEN e-mails WHEN synthesized THEN the topic is KMS-encrypted, TLS-only, subscribed and CloudWatch may use the key', () => {
    const stack = testStack();
    const key = new RegionalDataKey(stack, 'Key');
    new AlarmTopic(stack, 'Alarms', { encryptionKey: key.key, emails: ['oncall@example.com'] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  test('rejects an address that is not an e-mail', () => {
    const stack = testStack();
    const key = new RegionalDataKey(stack, 'Key');
    expect(
      () => new AlarmTopic(stack, 'Alarms', { encryptionKey: key.key, emails: ['oncall'] }),
    ).toThrow("AlarmTopic Test-us-east-1/Alarms: emails must be e-mail addresses, got: 'oncall'");
  });
});

describe('MultiRegionDashboard', () => {
  function dashboardBody(stack: Stack): string {
    const [dashboard] = Object.values(
      Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'),
    );
    // Flatten the Fn::Join into text; the tokens are only the stack's own region.
    return (dashboard.Properties.DashboardBody['Fn::Join'][1] as unknown[])
      .map((part) => (typeof part === 'string' ? part : '<token>'))
      .join('');
  }

  test('GIVEN three regions THEN every metric is read in its own region, side by side', () => {
    const stack = testStack('us-east-1');
    const check = (id: string) => route53.HealthCheck.fromHealthCheckId(stack, id, id);
    new MultiRegionDashboard(stack, 'Dashboard', {
      rpo: Duration.seconds(30),
      regions: ['us-east-1', 'us-west-2', 'us-east-2'].map((region) => ({
        database: importedMember(stack, region),
        servingCheck: check(`serving-${region}`),
        writerCheck: check(`writer-${region}`),
      })),
    });
    const body = JSON.parse(dashboardBody(stack));
    const metrics = body.widgets
      .filter((w: { type: string }) => w.type === 'metric')
      .flatMap((w: { properties: { metrics: unknown[][] } }) => w.properties.metrics);
    const byName = (name: string) =>
      metrics
        .filter((m: unknown[]) => m[1] === name)
        .map((m: unknown[]) => [m[3], (m[4] as { region: string }).region]);

    for (const lag of ['AuroraGlobalDBReplicationLag', 'AuroraGlobalDBRPOLag']) {
      expect(byName(lag)).toEqual([
        ['orders-us-east-1', 'us-east-1'],
        ['orders-us-west-2', 'us-west-2'],
        ['orders-us-east-2', 'us-east-2'],
      ]);
    }
    expect(byName('HealthCheckStatus').map(([, region]: string[]) => region)).toEqual(
      Array(6).fill('us-east-1'),
    );
    for (const service of ['IsWriter', 'Serving', 'Drained', 'SecondariesWithinRpo']) {
      expect(byName(service)).toEqual([
        ['us-east-1', 'us-east-1'],
        ['us-west-2', 'us-west-2'],
        ['us-east-2', 'us-east-2'],
      ]);
    }
    const lagWidget = body.widgets.find((w: { properties: { title?: string } }) =>
      w.properties.title?.startsWith('RPO lag'),
    );
    expect(
      lagWidget.properties.annotations.horizontal.map((a: { value: number }) => a.value),
    ).toEqual([30_000, 15_000]);
  });

  test('GIVEN the app THEN the dashboard draws exactly the metrics the replication alarms read, region by region', () => {
    const app = testApp();
    const stacks = buildMultiRegionApp(
      app,
      loadTopology((key) => app.node.tryGetContext(key)),
    );
    const body = JSON.parse(dashboardBody(stacks.routing));
    // [namespace, name, dimension, value, { region, stat, period }] -> one comparable key.
    const drawn = new Set<string>(
      body.widgets
        .filter((w: { type: string }) => w.type === 'metric')
        .flatMap((w: { properties: { metrics: unknown[][] } }) => w.properties.metrics)
        .map((m: unknown[]) => {
          const o = m[4] as { region: string; stat: string; period: number };
          return [o.region, m[0], m[1], m[2], m[3], o.stat, o.period].join(' ');
        }),
    );
    for (const { region, database } of stacks.regions) {
      // The replication alarms; the secret's rotation alarms are not the dashboard's subject.
      const alarms = Object.entries(
        Template.fromStack(database).findResources('AWS::CloudWatch::Alarm'),
      )
        .filter(([logicalId]) => logicalId.startsWith('LagAlarms'))
        .map(([, alarm]) => alarm);
      const read = alarms.flatMap((a) => {
        const p = a.Properties;
        const stats = p.Metrics
          ? p.Metrics.flatMap((m: { MetricStat?: unknown }) => (m.MetricStat ? [m.MetricStat] : []))
          : [
              {
                Metric: {
                  Namespace: p.Namespace,
                  MetricName: p.MetricName,
                  Dimensions: p.Dimensions,
                },
                Stat: p.Statistic,
                Period: p.Period,
              },
            ];
        return stats.map(
          (s: {
            Metric: {
              Namespace: string;
              MetricName: string;
              Dimensions: { Name: string; Value: string }[];
            };
            Stat: string;
            Period: number;
          }) =>
            [
              region,
              s.Metric.Namespace,
              s.Metric.MetricName,
              s.Metric.Dimensions[0].Name,
              s.Metric.Dimensions[0].Value,
              s.Stat,
              s.Period,
            ].join(' '),
        );
      });
      // Progress lag is alarmed on but not drawn; everything else the alarms read is on the dashboard.
      const missing = [...new Set(read)].filter(
        (k) => !drawn.has(k) && !k.includes('AuroraGlobalDBProgressLag'),
      );
      expect(missing).toEqual([]);
      expect(read.some((k) => k.includes('SecondariesWithinRpo'))).toBe(true);
    }
  });

  test('rejects an empty region list', () => {
    expect(
      () => new MultiRegionDashboard(testStack(), 'D', { rpo: Duration.seconds(30), regions: [] }),
    ).toThrow('MultiRegionDashboard Test-us-east-1/D: needs at least one region, got none');
  });
});
