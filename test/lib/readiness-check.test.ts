// Continuous readiness as the app synthesizes it: in every region a schedule, the function, its
// least-privilege role, the metric namespace and the alarm; the Drill* outputs it reads mirrored
// in SSM with the outputs' own JSON.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ReadinessCheck } from '../../constructs';
import {
  READINESS_DIMENSIONS,
  READINESS_ENV,
  READINESS_METRIC_NAMESPACE,
  READINESS_METRICS,
} from '../../constructs/contract';
import type { OutputParameter } from '../../constructs/handlers/readiness-run';
import { PREFLIGHT_ARC_OPERATIONS, PREFLIGHT_OPERATIONS } from '../../runbooks/drill/preflight';
import { preflightStep } from '../../runbooks/drill/steps/preflight';
import type { PlanView } from '../../runbooks/drill/steps';
import { operationKey } from '../../runbooks/drill/step-scope';
import { FAKE_ACCOUNT, type DeployedResource } from '../../runbooks/simulation/deployment';
import { deployedApp } from '../deployed-app';

const TOPOLOGIES = [
  ['the default topology', ['us-east-1', 'us-west-2']],
  ['three regions', ['us-east-1', 'us-west-2', 'us-east-2']],
] as const;

const inRegion = (resources: DeployedResource[], region: string) =>
  resources.filter((r) => r.region === region && r.stack.includes('-Service-'));

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

describe.each(TOPOLOGIES)('continuous readiness, %s', (_name, regions) => {
  const app = deployedApp(regions);
  const functionIn = (region: string) => {
    const fns = inRegion(app.resources('AWS::Lambda::Function'), region).filter(
      (f) =>
        (f.properties.Environment as { Variables?: Record<string, string> } | undefined)
          ?.Variables?.[READINESS_ENV.outputParameters] !== undefined,
    );
    expect(fns).toHaveLength(1);
    return fns[0];
  };

  test.each(regions)(
    'GIVEN %s THEN a schedule invokes the readiness function every 5 minutes, without retries',
    (region) => {
      const fn = functionIn(region);
      const schedules = inRegion(app.resources('AWS::Scheduler::Schedule'), region);

      expect(schedules).toHaveLength(1);
      expect(schedules[0].properties).toMatchObject({
        ScheduleExpression: 'rate(5 minutes)',
        State: 'ENABLED',
        Target: { RetryPolicy: { MaximumRetryAttempts: 0 } },
      });
      // The function's ARN (Fn::GetAtt Arn), as the simulated deployment spells it.
      const target = (schedules[0].properties.Target as { Arn: string }).Arn;
      expect(target.startsWith(`arn:aws:lambda:${region}:`)).toBe(true);
      expect(target.endsWith(`/${fn.physicalId}`)).toBe(true);
    },
  );

  test.each(regions)(
    "GIVEN %s THEN the function reads every stack's mirrored Drill* output, and each mirror holds that output's JSON",
    (region) => {
      const fn = functionIn(region);
      const env = (fn.properties.Environment as { Variables: Record<string, string> }).Variables;
      const parameters = JSON.parse(env[READINESS_ENV.outputParameters]) as OutputParameter[];
      const outputs = app.outputsFile();
      const deployedParameters = app.resources('AWS::SSM::Parameter');

      expect(env[READINESS_ENV.homeRegion]).toBe('us-east-1');
      // Every stack with a Drill* output the drill's discovery reads, and no other.
      expect(parameters.map((p) => `${p.stackName} ${p.key}`).sort()).toEqual(
        Object.entries(outputs)
          .flatMap(([stack, o]) =>
            ['DrillDatabase', 'DrillService', 'DrillRouting', 'DrillRegionSwitch']
              .filter((k) => o[k] !== undefined)
              .map((k) => `${stack} ${k}`),
          )
          .sort(),
      );
      for (const p of parameters) {
        const mirror = deployedParameters.filter(
          (d) => d.region === p.region && d.properties.Name === p.name,
        );
        expect(mirror.map((m) => m.properties.Value)).toEqual([outputs[p.stackName][p.key]]);
      }
    },
  );

  test.each(regions)(
    'GIVEN %s THEN its role allows the preflight operations, the mirrors and PutMetricData in the readiness namespace only',
    (region) => {
      const fn = functionIn(region);
      const policies = inRegion(app.resources('AWS::IAM::ManagedPolicy'), region).filter((p) =>
        (p.properties.Roles as string[]).includes(String(fn.properties.Role).split('/').pop()!),
      );
      const statements = policies.flatMap(
        (p) => (p.properties.PolicyDocument as { Statement: Statement[] }).Statement,
      );
      const actions = statements.flatMap((s) => [s.Action].flat()).sort();

      expect(actions).toEqual(
        [
          ...new Set([
            ...PREFLIGHT_OPERATIONS.flatMap((o) => o.iamActions),
            // The app always has plans (one per secondary): preflight reads their checks.
            ...PREFLIGHT_ARC_OPERATIONS.flatMap((o) => o.iamActions),
            'cloudwatch:PutMetricData',
            'logs:CreateLogStream',
            'logs:PutLogEvents',
          ]),
        ].sort(),
      );
      expect(
        statements.find((s) => [s.Action].flat().includes('cloudwatch:PutMetricData')),
      ).toEqual(
        expect.objectContaining({
          Resource: '*',
          Condition: { StringEquals: { 'cloudwatch:namespace': READINESS_METRIC_NAMESPACE } },
        }),
      );
      const getParameter = statements.find((s) => [s.Action].flat().includes('ssm:GetParameter'))!;
      // Each drain switch, each region's two mirrors, the routing stack's two.
      expect([getParameter.Resource].flat()).toHaveLength(regions.length + 2 * regions.length + 2);
      // The plans by name; ARC adds a suffix at creation.
      const arc = statements.find((s) =>
        [s.Action].flat().includes('arc-region-switch:ListRoute53HealthChecksInRegion'),
      )!;
      expect([arc.Resource].flat().sort()).toEqual(
        regions
          .slice(1)
          .map((r) => `arn:aws:arc-region-switch::${FAKE_ACCOUNT}:plan/MultiRegion-${r}:*`)
          .sort(),
      );
    },
  );

  test.each(regions)(
    "GIVEN %s THEN an alarm on StandbyReady < 1 for 2 runs, missing data breaching, notifies the region's topic",
    (region) => {
      const alarms = inRegion(app.resources('AWS::CloudWatch::Alarm'), region).filter(
        (a) => a.properties.Namespace === READINESS_METRIC_NAMESPACE,
      );
      const [topic] = app
        .resources('AWS::SNS::Topic')
        .filter((t) => t.region === region && t.stack.includes('-Foundation-'));

      expect(alarms).toHaveLength(1);
      expect(alarms[0].properties).toMatchObject({
        AlarmName: `MultiRegion-Service-${region}-${READINESS_METRICS.ready}-critical`,
        MetricName: READINESS_METRICS.ready,
        Dimensions: [{ Name: READINESS_DIMENSIONS.region, Value: region }],
        Statistic: 'Minimum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 2,
        TreatMissingData: 'breaching',
        AlarmActions: [topic.physicalId],
        OKActions: [topic.physicalId],
      });
    },
  );
});

describe('the readiness role and the preflight step declare the same operations', () => {
  test("GIVEN the preflight step's calls() WHEN listed THEN they are exactly PREFLIGHT_OPERATIONS", () => {
    const plan = {
      homeRegion: 'us-east-1',
      hostedZoneId: 'Z0000000000EXAMPLE',
      target: { region: 'us-west-2' },
      globalClusterIdentifier: 'g',
      kind: 'switchover',
      rpoLabel: '30 s',
      writeHostname: 'write.example.com',
    } as unknown as PlanView;

    const declared = [...new Set(preflightStep.calls(plan).map((c) => operationKey(c.operation)))];

    expect(declared.sort()).toEqual(PREFLIGHT_OPERATIONS.map(operationKey).sort());
  });
});

describe('ReadinessCheck props', () => {
  const REGION = {
    region: 'us-west-2',
    clusterIdentifier: 'c',
    clusterParameterGroupName: 'c-params',
    drainParameterName: '/d',
  };
  const build = (props: { interval?: Duration; evaluationPeriods?: number; none?: boolean }) => {
    const stack = new Stack(new App(), 'S', {
      env: { account: '123456789012', region: 'us-west-2' },
    });
    return () =>
      new ReadinessCheck(stack, 'Readiness', {
        outputStacks: props.none
          ? []
          : [{ stackName: 'S', region: 'us-west-2', keys: ['DrillService'] }],
        regions: props.none ? [] : [REGION],
        globalClusterIdentifier: 'g',
        hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Z', {
          hostedZoneId: 'Z1',
          zoneName: 'example.com',
        }),
        alarmTopic: new sns.Topic(stack, 'T'),
        encryptionKey: new kms.Key(stack, 'K'),
        ...(props.interval ? { interval: props.interval } : {}),
        ...(props.evaluationPeriods !== undefined
          ? { evaluationPeriods: props.evaluationPeriods }
          : {}),
      });
  };

  test.each([
    [
      { interval: Duration.seconds(90), evaluationPeriods: 0, none: true },
      'interval must be a whole number of minutes, at least 1 (a CloudWatch period), got: 1 minute 30 seconds; evaluationPeriods must be a whole number of at least 1, got: 0; outputStacks must name the stacks with Drill* outputs, got none; regions must name every member region, got none',
    ],
    [{ evaluationPeriods: 0 }, 'evaluationPeriods must be a whole number of at least 1, got: 0'],
    [
      { none: true },
      'outputStacks must name the stacks with Drill* outputs, got none; regions must name every member region, got none',
    ],
  ])('GIVEN %j THEN it refuses naming the prop', (props, message) => {
    expect(build(props)).toThrow(message);
  });

  test('GIVEN interval 15 minutes WHEN synthesized THEN the schedule and the alarm period follow', () => {
    const stack = new Stack(new App(), 'S', {
      env: { account: '123456789012', region: 'us-west-2' },
    });
    new ReadinessCheck(stack, 'Readiness', {
      outputStacks: [{ stackName: 'S', region: 'us-west-2', keys: ['DrillService'] }],
      regions: [REGION],
      globalClusterIdentifier: 'g',
      hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Z', {
        hostedZoneId: 'Z1',
        zoneName: 'example.com',
      }),
      alarmTopic: new sns.Topic(stack, 'T'),
      encryptionKey: new kms.Key(stack, 'K'),
      interval: Duration.minutes(15),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Period: 900 });
  });
});
