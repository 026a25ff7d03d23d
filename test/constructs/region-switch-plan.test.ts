import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  REGION_SWITCH_STEP_NAMES,
  RegionSwitchPlan,
  RegionSwitchPlanProps,
  RegionSwitchReportBucket,
} from '../../constructs';
import { buildMultiRegionApp, MultiRegionStacks } from '../../lib/multi-region-app';
import { loadTopology } from '../../lib/topology';
import { NO_CUSTOMER_DATA_METADATA } from '../../constructs/nag/report';
import { importedMember, testApp } from '../util';

function build(overrides: Record<string, unknown> = {}): { app: App; stacks: MultiRegionStacks } {
  const app = testApp(overrides);
  const topology = loadTopology((key) => app.node.tryGetContext(key));
  return { app, stacks: buildMultiRegionApp(app, topology) };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function plansOf(stacks: MultiRegionStacks): Json[] {
  return Object.values(
    Template.fromStack(stacks.routing).findResources('AWS::ARCRegionSwitch::Plan'),
  ).map((p) => p.Properties as Json);
}

describe('the default app (two regions)', () => {
  const { stacks } = build();
  const template = Template.fromStack(stacks.routing);
  const plans = plansOf(stacks);
  const [plan] = plans;
  const stepsOf = (activating: string): Json[] =>
    plan.Workflows.find((w: Json) => w.WorkflowTargetRegion === activating).Steps;

  test('THEN the routing stack holds exactly one plan: the primary and its one secondary, active/passive', () => {
    expect(plans).toHaveLength(1);
    expect(plan).toMatchObject({
      Name: 'MultiRegion-us-west-2',
      RecoveryApproach: 'activePassive',
      PrimaryRegion: 'us-east-1',
      Regions: ['us-east-1', 'us-west-2'],
      RecoveryTimeObjectiveMinutes: 15,
    });
  });

  test('THEN it activates either region (switch to the secondary, fail back to the primary) with the same steps in order', () => {
    expect(
      plan.Workflows.map((w: Json) => [w.WorkflowTargetAction, w.WorkflowTargetRegion]),
    ).toEqual([
      ['activate', 'us-west-2'],
      ['activate', 'us-east-1'],
    ]);
    for (const region of ['us-west-2', 'us-east-1']) {
      expect(stepsOf(region).map((s) => [s.Name, s.ExecutionBlockType])).toEqual([
        [REGION_SWITCH_STEP_NAMES.approval, 'ManualApproval'],
        [REGION_SWITCH_STEP_NAMES.fence, 'CustomActionLambda'],
        [REGION_SWITCH_STEP_NAMES.aurora, 'AuroraGlobalDatabase'],
        [REGION_SWITCH_STEP_NAMES.healthChecks, 'Route53HealthCheck'],
      ]);
    }
  });

  test('THEN the Aurora block names the global cluster and both member clusters: switchover when graceful, failover only when ungraceful', () => {
    expect(stepsOf('us-west-2')[2].ExecutionBlockConfiguration.GlobalAuroraConfig).toEqual({
      Behavior: 'switchoverOnly',
      Ungraceful: { Ungraceful: 'failover' },
      GlobalClusterIdentifier: 'multi-region-ref-global',
      DatabaseClusterArns: [
        'arn:aws:rds:us-east-1:123456789012:cluster:multi-region-ref-global-us-east-1',
        'arn:aws:rds:us-west-2:123456789012:cluster:multi-region-ref-global-us-west-2',
      ],
      TimeoutMinutes: 60,
    });
  });

  test("THEN the fence runs the deactivating region's function (one per region) and is skipped in ungraceful runs", () => {
    const fence = stepsOf('us-west-2')[1].ExecutionBlockConfiguration.CustomActionLambdaConfig;
    expect(fence).toMatchObject({
      RegionToRun: 'deactivatingRegion',
      Ungraceful: { Behavior: 'skip' },
      RetryIntervalMinutes: 1,
    });
    // This region's function strongly, the other region's weakly.
    expect(fence.Lambdas).toEqual([
      {
        Arn: {
          'Fn::ImportValue': expect.stringMatching(/^MultiRegion-Service-us-east-1:.*ArcFence/),
        },
      },
      {
        Arn: {
          'Fn::GetStackOutput': expect.objectContaining({
            StackName: 'MultiRegion-Service-us-west-2',
            Region: 'us-west-2',
          }),
        },
      },
    ]);
  });

  test("THEN the health check block maps each region's write failover record to its region", () => {
    expect(stepsOf('us-east-1')[3].ExecutionBlockConfiguration.Route53HealthCheckConfig).toEqual({
      HostedZoneId: 'Z0000000000EXAMPLE',
      RecordName: 'write.example.com',
      RecordSets: [
        { RecordSetIdentifier: 'us-east-1-primary', Region: 'us-east-1' },
        { RecordSetIdentifier: 'us-west-2-secondary', Region: 'us-west-2' },
      ],
    });
  });

  test('THEN the approval step is approved through the drill operator role', () => {
    expect(stepsOf('us-west-2')[0].ExecutionBlockConfiguration.ExecutionApprovalConfig).toEqual({
      ApprovalRole: { 'Fn::GetAtt': [expect.stringMatching(/^DrillOperatorRole/), 'Arn'] },
      TimeoutMinutes: 60,
    });
  });

  test('THEN the serving and no-healthy-writer alarms are its application-health alarms', () => {
    expect(
      Object.entries(plan.AssociatedAlarms as Record<string, Json>).map(([name, a]) => [
        name,
        a.AlarmType,
        a.ResourceIdentifier['Fn::GetAtt'][0],
      ]),
    ).toEqual([
      [
        'ServingAlarm-us-east-1',
        'applicationHealth',
        expect.stringMatching(/^RoutingServingAlarmuseast1/),
      ],
      [
        'ServingAlarm-us-west-2',
        'applicationHealth',
        expect.stringMatching(/^RoutingServingAlarmuswest2/),
      ],
      [
        'NoHealthyWriterAlarm',
        'applicationHealth',
        expect.stringMatching(/^RoutingNoHealthyWriterAlarm/),
      ],
    ]);
  });

  test("THEN reports go to an encrypted, versioned, private, TLS-only bucket with access logs in the target's service stack", () => {
    const target = Template.fromStack(stacks.regions[1].service);
    const [bucketId] = Object.keys(
      target.findResources('AWS::S3::Bucket', {
        Properties: { LoggingConfiguration: Match.anyValue() },
      }),
    );
    const path = plan.ReportConfiguration.ReportOutput[0].S3Configuration;
    expect(path.BucketOwner).toBe('123456789012');
    const [, [bucketRef, suffix]] = path.BucketPath['Fn::Join'];
    expect(suffix).toBe('/MultiRegion-us-west-2');
    expect(bucketRef['Fn::GetStackOutput']).toEqual({
      StackName: 'MultiRegion-Service-us-west-2',
      Region: 'us-west-2',
      OutputName: expect.stringContaining(`Ref${bucketId}`),
    });
    // The primary's service stack and the routing stack hold no report bucket.
    Template.fromStack(stacks.regions[0].service).resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    target.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }),
          }),
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
    });
    target.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('THEN ARC assumes the execution role, which may act only on this plan’s resources', () => {
    const [roleId] = Object.keys(
      template.findResources('AWS::IAM::Role', {
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [
              Match.objectLike({ Principal: { Service: 'arc-region-switch.amazonaws.com' } }),
            ],
          },
        },
      }),
    );
    expect(plan.ExecutionRole).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    const [policy] = Object.values(
      template.findResources('AWS::IAM::ManagedPolicy', {
        Properties: { Roles: [{ Ref: roleId }] },
      }),
    );
    const actions = (policy.Properties.PolicyDocument.Statement as Json[]).map((s) => s.Action);
    expect(actions).toEqual([
      ['rds:DescribeDBClusters', 'rds:DescribeGlobalClusters'],
      ['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster'],
      ['lambda:GetFunction', 'lambda:InvokeFunction'],
      'route53:ListResourceRecordSets',
      's3:PutObject',
      ['kms:Encrypt', 'kms:GenerateDataKey'],
      ['cloudwatch:DescribeAlarmHistory', 'cloudwatch:DescribeAlarms'],
    ]);
    const resources = (policy.Properties.PolicyDocument.Statement as Json[]).map((s) => s.Resource);
    expect(JSON.stringify(resources)).not.toContain('"*"');
  });

  test("THEN a custom resource reads ARC's health checks of the plan on the write name, after the plan exists", () => {
    template.hasResourceProperties('Custom::ArcHealthChecks', {
      PlanArn: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^RegionSwitchuswest2Plan'), 'Arn'],
      },
      // Every plan update is a new version: the ids are read again.
      PlanVersion: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^RegionSwitchuswest2Plan'), 'Version'],
      },
      HostedZoneId: 'Z0000000000EXAMPLE',
      RecordName: 'write.example.com',
      Regions: ['us-east-1', 'us-west-2'],
    });
  });

  test('THEN each service stack has a fence function that may only set its own drain switch', () => {
    for (const { region, service } of stacks.regions) {
      const t = Template.fromStack(service);
      // The fence reads only its drain switch's name (the health and items functions read more).
      const fence = Object.values(t.findResources('AWS::Lambda::Function')).filter(
        (f) =>
          JSON.stringify(Object.keys(f.Properties.Environment?.Variables ?? {})) ===
          '["DRAIN_PARAMETER_NAME"]',
      );
      expect({ region, fences: fence.length }).toEqual({ region, fences: 1 });
      const [policy] = Object.values(
        t.findResources('AWS::IAM::ManagedPolicy', {
          Properties: { Roles: [{ Ref: fence[0].Properties.Role['Fn::GetAtt'][0] }] },
        }),
      );
      const [drainSwitch] = Object.keys(
        t.findResources('AWS::SSM::Parameter', { Properties: { Name: '/multi-region-ref/drain' } }),
      );
      const statements = policy.Properties.PolicyDocument.Statement as Json[];
      expect(statements.map((st) => [st.Sid, st.Action])).toEqual([
        ['SetDrainSwitch', 'ssm:PutParameter'],
        ['WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents']],
      ]);
      expect(statements[0].Resource).toEqual({
        'Fn::Join': ['', [`arn:aws:ssm:${region}:123456789012:parameter`, { Ref: drainSwitch }]],
      });
    }
  });
});

describe('three regions', () => {
  const { stacks } = build({ 'topology.secondaryRegions': 'us-west-2,us-east-2' });
  const plans = plansOf(stacks);

  test('THEN one plan per target region, each holding the primary and that secondary', () => {
    expect(plans.map((p) => [p.Name, p.Regions, p.PrimaryRegion])).toEqual([
      ['MultiRegion-us-west-2', ['us-east-1', 'us-west-2'], 'us-east-1'],
      ['MultiRegion-us-east-2', ['us-east-1', 'us-east-2'], 'us-east-1'],
    ]);
  });

  test('THEN both secondaries map to the SECONDARY record of the write name (it points at their latency set)', () => {
    for (const plan of plans) {
      const step = plan.Workflows[0].Steps[3].ExecutionBlockConfiguration.Route53HealthCheckConfig;
      expect(step.RecordSets).toEqual([
        { RecordSetIdentifier: 'us-east-1-primary', Region: 'us-east-1' },
        { RecordSetIdentifier: 'standby-secondary', Region: plan.Regions[1] },
      ]);
    }
  });

  test("THEN the plans share one health-check provider, and each reports to its target's bucket", () => {
    const template = Template.fromStack(stacks.routing);
    template.resourceCountIs('Custom::ArcHealthChecks', 2);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    expect(
      plans.map((p) => [
        p.Regions[1],
        p.ReportConfiguration.ReportOutput[0].S3Configuration.BucketPath['Fn::Join'][1][0][
          'Fn::GetStackOutput'
        ].StackName,
      ]),
    ).toEqual([
      ['us-west-2', 'MultiRegion-Service-us-west-2'],
      ['us-east-2', 'MultiRegion-Service-us-east-2'],
    ]);
  });
});

describe('RegionSwitchPlan props', () => {
  function plan(
    extra: (stack: Stack) => Partial<RegionSwitchPlanProps> = () => ({}),
    targetRegion = 'us-west-2',
    targetGlobalCluster = 'orders',
  ) {
    const app = testApp();
    const stack = new Stack(app, 'Plans', {
      env: { account: '123456789012', region: 'us-east-1' },
    });
    const fence = (id: string, region: string) =>
      lambda.Function.fromFunctionArn(
        stack,
        `Fence-${id}`,
        `arn:aws:lambda:${region}:123456789012:function:fence`,
      );
    const props: RegionSwitchPlanProps = {
      primary: {
        member: importedMember(stack, 'us-east-1'),
        fenceFunction: fence('primary', 'us-east-1'),
        writeRecordSetIdentifier: 'p',
      },
      target: {
        member: importedMember(stack, targetRegion, {
          clusterIdentifier: `target-${targetRegion}`,
          globalClusterIdentifier: targetGlobalCluster,
        }),
        fenceFunction: fence('target', targetRegion),
        writeRecordSetIdentifier: 's',
      },
      hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
        hostedZoneId: 'Z0000000000EXAMPLE',
        zoneName: 'example.com',
      }),
      writeRecordName: 'write.example.com',
      reportBucket: new RegionSwitchReportBucket(stack, 'Reports'),
      logsEncryptionKey: new kms.Key(stack, 'LogsKey', { enableKeyRotation: true }),
      ...extra(stack),
    };
    const p = new RegionSwitchPlan(stack, 'Plan', props);
    const [cfn] = Object.values(
      Template.fromStack(stack).findResources('AWS::ARCRegionSwitch::Plan'),
    ).map((r) => r.Properties as Json);
    return { plan: p, cfn };
  }

  test('GIVEN no name, approval, alarms or RTO THEN the name is <global cluster>-<target> and the workflows start with the fence', () => {
    const { plan: p, cfn } = plan();
    expect(p.planName).toBe('orders-us-west-2');
    expect(p.approvalStepName).toBeUndefined();
    expect(cfn.Name).toBe('orders-us-west-2');
    expect(cfn.RecoveryTimeObjectiveMinutes).toBeUndefined();
    expect(cfn.AssociatedAlarms).toBeUndefined();
    expect(cfn.Workflows[0].Steps[0].Name).toBe(REGION_SWITCH_STEP_NAMES.fence);
  });

  test('GIVEN an approval with its role and timeout, and an RTO of 90 s THEN every workflow starts with it and the RTO rounds up to whole minutes', () => {
    const { plan: p, cfn } = plan((stack) => ({
      approval: {
        approvalRole: iam.Role.fromRoleArn(
          stack,
          'Approver',
          'arn:aws:iam::123456789012:role/approver',
        ),
        timeout: Duration.minutes(90),
      },
      recoveryTimeObjective: Duration.seconds(90),
    }));
    expect(p.approvalStepName).toBe('approve');
    expect(cfn.RecoveryTimeObjectiveMinutes).toBe(2);
    for (const workflow of cfn.Workflows) {
      expect(workflow.Steps[0]).toMatchObject({
        Name: 'approve',
        ExecutionBlockType: 'ManualApproval',
        ExecutionBlockConfiguration: {
          ExecutionApprovalConfig: {
            ApprovalRole: 'arn:aws:iam::123456789012:role/approver',
            TimeoutMinutes: 90,
          },
        },
      });
    }
  });

  test('GIVEN a long global cluster identifier THEN the default name is shortened to 32 characters', () => {
    const { plan: p } = plan(() => ({}), 'ap-southeast-2');
    expect(p.planName).toBe('orders-ap-southeast-2');
    expect(RegionSwitchPlan.name).toBe('RegionSwitchPlan');
  });

  test.each<[string, () => ReturnType<typeof plan>, string]>([
    [
      'a name ARC refuses',
      () => plan(() => ({ planName: 'my plan!' })),
      "planName must be 1 to 32 letters, digits and hyphens, starting and ending with a letter or digit, got: 'my plan!'",
    ],
    [
      'a target in the primary region',
      () => plan(() => ({}), 'us-east-1'),
      'target must be in another region than primary (a plan holds exactly two regions), got us-east-1 for both',
    ],
    [
      'members of two global clusters',
      () => plan(() => ({}), 'us-west-2', 'other'),
      'primary and target must be members of one global cluster, got: orders, other',
    ],
  ])('GIVEN %s THEN it names the prop and the value', (_n, build, message) => {
    expect(build).toThrow(`RegionSwitchPlan Plans/Plan: ${message}`);
  });
});

describe('RegionSwitchReportBucket residency', () => {
  test('GIVEN the report bucket and its access-log bucket THEN each says, with a reason, that it holds no customer data', () => {
    const stack = new Stack(testApp(), 'Reports', { env: { region: 'us-west-2' } });
    new RegionSwitchReportBucket(stack, 'Reports');
    const buckets = Object.values(Template.fromStack(stack).findResources('AWS::S3::Bucket'));
    expect(buckets).toHaveLength(2);
    for (const bucket of buckets) {
      expect(bucket.Metadata[NO_CUSTOMER_DATA_METADATA]).toMatch(/, no application data\.$/);
    }
  });
});
