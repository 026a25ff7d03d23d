import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { GameDayExperiment, RegionalDataKey, RegionalNetwork } from '../../constructs';
import { deployedApp } from '../deployed-app';
import { testApp, testStack } from '../util';

function experimentIn(
  region = 'eu-west-1',
  props: Partial<{ duration: Duration; alarms: number; alarmRegion: string }> = {},
) {
  const app = testApp();
  const stack = testStack(region, app);
  const key = new RegionalDataKey(stack, 'DataKey');
  const network = new RegionalNetwork(stack, 'Network', { encryptionKey: key.key });
  const alarmStack = props.alarmRegion ? testStack(props.alarmRegion, app) : stack;
  const alarms = Array.from(
    { length: props.alarms ?? 1 },
    (_, i) =>
      new cloudwatch.Alarm(alarmStack, `Alarm${i}`, {
        alarmName: `app-protected-${i}`,
        metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }),
        threshold: 1,
        evaluationPeriods: 1,
      }),
  );
  const build = () =>
    new GameDayExperiment(stack, 'GameDay', {
      vpc: network.vpc,
      subnets: network.appSubnets,
      stopConditions: alarms,
      encryptionKey: key.key,
      ...(props.duration ? { duration: props.duration } : {}),
    });
  return { stack, network, build };
}

describe('GameDayExperiment', () => {
  test('GIVEN defaults WHEN synthesized THEN one template isolates exactly the application subnets for 30 minutes, stops on the alarm and logs to an encrypted group', () => {
    const { stack, build } = experimentIn();
    build();
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::FIS::ExperimentTemplate', 1);
    const appSubnets = Object.keys(template.findResources('AWS::EC2::Subnet')).filter((id) =>
      id.includes('AppSubnet'),
    );
    expect(appSubnets).toHaveLength(2);
    template.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: {
        IsolateAppSubnets: {
          ActionId: 'aws:network:disrupt-connectivity',
          Parameters: { scope: 'all', duration: 'PT30M' },
          Targets: { Subnets: 'AppSubnets' },
        },
      },
      Targets: {
        AppSubnets: {
          ResourceType: 'aws:ec2:subnet',
          SelectionMode: 'ALL',
          ResourceArns: appSubnets.map((id) => ({
            'Fn::Join': ['', Match.arrayWith([{ Ref: id }])],
          })),
        },
      },
      StopConditions: [
        {
          Source: 'aws:cloudwatch:alarm',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Alarm0'), 'Arn'] },
        },
      ],
      ExperimentOptions: { AccountTargeting: 'single-account', EmptyTargetResolutionMode: 'fail' },
      LogConfiguration: {
        LogSchemaVersion: 2,
        CloudWatchLogsConfiguration: {
          LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GameDayLog'), 'Arn'] },
        },
      },
      Tags: {
        'multi-region-ref:game-day-template': 'true',
        Name: Match.stringLikeRegexp('-game-day$'),
      },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
        RetentionInDays: 365,
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('GIVEN defaults THEN the FIS role trusts only FIS for this account and region, and holds exactly the action and logging permissions', () => {
    const { stack, build } = experimentIn();
    build();
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'fis.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: {
              StringEquals: { 'aws:SourceAccount': '123456789012' },
              ArnLike: { 'aws:SourceArn': 'arn:aws:fis:eu-west-1:123456789012:experiment/*' },
            },
          },
        ],
      },
    });
    const policies = template.findResources('AWS::IAM::ManagedPolicy', {
      Properties: { Description: Match.stringLikeRegexp('^aws:network:disrupt-connectivity') },
    });
    const [policy] = Object.values(policies) as {
      Properties: {
        PolicyDocument: {
          Statement: { Sid: string; Action: string | string[]; Condition?: unknown }[];
        };
      };
    }[];
    const bySid = Object.fromEntries(
      policy.Properties.PolicyDocument.Statement.map((s) => [s.Sid, [s.Action].flat().sort()]),
    );
    expect(bySid).toEqual({
      CreateNetworkAcl: ['ec2:CreateNetworkAcl'],
      CreateNetworkAclInVpc: ['ec2:CreateNetworkAcl'],
      TagNetworkAclOnCreate: ['ec2:CreateTags'],
      ManageFisNetworkAcl: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAcl'],
      SwapTargetSubnetsAcl: ['ec2:ReplaceNetworkAclAssociation'],
      ReadNetwork: [
        'ec2:DescribeManagedPrefixLists',
        'ec2:DescribeNetworkAcls',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
        'ec2:GetManagedPrefixListEntries',
      ],
      DeliverExperimentLog: [
        'logs:CreateLogDelivery',
        'logs:DescribeLogGroups',
        'logs:DescribeResourcePolicies',
        'logs:PutResourcePolicy',
      ],
    });
    const conditionOf = (sid: string) =>
      policy.Properties.PolicyDocument.Statement.find((s) => s.Sid === sid)?.Condition;
    expect(conditionOf('CreateNetworkAcl')).toEqual({
      StringEquals: { 'aws:RequestTag/managedByFIS': 'true' },
    });
    expect(conditionOf('ManageFisNetworkAcl')).toEqual({
      StringEquals: { 'ec2:ResourceTag/managedByFIS': 'true' },
    });
    expect(conditionOf('TagNetworkAclOnCreate')).toEqual({
      StringEquals: {
        'ec2:CreateAction': 'CreateNetworkAcl',
        'aws:RequestTag/managedByFIS': 'true',
      },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('GIVEN a duration of 2 hours THEN the action lasts PT2H', () => {
    const { stack, build } = experimentIn('eu-west-1', { duration: Duration.hours(2) });
    build();
    Template.fromStack(stack).hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: { IsolateAppSubnets: { Parameters: { scope: 'all', duration: 'PT2H' } } },
    });
  });

  test.each<[string, Parameters<typeof experimentIn>[1], string]>([
    [
      '30 seconds',
      { duration: Duration.seconds(30) },
      "duration must be from 1 minute to 12 hours (the FIS action's limits), got: 30 seconds",
    ],
    [
      '13 hours',
      { duration: Duration.hours(13) },
      "duration must be from 1 minute to 12 hours (the FIS action's limits), got: 13 hours",
    ],
    [
      'no stop condition',
      { alarms: 0 },
      'stopConditions must name 1 to 5 alarms (a game day without one cannot be stopped by what it breaks), got: 0',
    ],
    [
      'six stop conditions',
      { alarms: 6 },
      'stopConditions must name 1 to 5 alarms (a game day without one cannot be stopped by what it breaks), got: 6',
    ],
    [
      'an alarm in another region',
      { alarmRegion: 'us-west-2' },
      "stopConditions must be alarms in eu-west-1, the experiment's region, got alarms in: us-west-2",
    ],
  ])('GIVEN %s THEN it refuses with the exact message', (_name, props, message) => {
    const { build } = experimentIn('eu-west-1', props);
    expect(build).toThrow(`GameDayExperiment Test-eu-west-1/GameDay: ${message}`);
  });
});

describe('game-day templates of the app', () => {
  test.each([[['us-east-1', 'us-west-2']], [['us-east-1', 'us-west-2', 'us-east-2']]])(
    'GIVEN regions %j THEN each region has one template on its own application subnets, stopping on its own protected alarm',
    (regions) => {
      const deployment = deployedApp(regions);
      const templates = deployment.resources('AWS::FIS::ExperimentTemplate');
      expect(templates.map((t) => t.region).sort()).toEqual([...regions].sort());
      const outputs = deployment.outputsFile();
      for (const t of templates) {
        const service = Object.values(outputs).find(
          (o) => o.DrillService && JSON.parse(o.DrillService).region === t.region,
        )!;
        const gameDay = JSON.parse(service.DrillService).gameDay;
        expect(gameDay).toEqual({
          experimentTemplateId: t.physicalId,
          actionId: 'aws:network:disrupt-connectivity',
          durationSeconds: 1800,
          stopConditionAlarmNames: [`MultiRegion-Database-${t.region}-protected`],
          subnetGroupName: 'App',
          logGroupName: expect.any(String),
        });
        expect(t.stack).toBe(`MultiRegion-Service-${t.region}`);
        const targets = t.properties.Targets as { AppSubnets: { ResourceArns: string[] } };
        // Exactly the application subnets of the region's foundation, not its database subnets.
        const subnets = deployment
          .resources('AWS::EC2::Subnet')
          .filter((s) => s.stack === `MultiRegion-Foundation-${t.region}`);
        const app = subnets.filter((s) => s.logicalId.startsWith('NetworkVpcAppSubnet'));
        expect(app).toHaveLength(2);
        expect(subnets.length).toBeGreaterThan(app.length);
        expect(targets.AppSubnets.ResourceArns).toEqual(
          app.map((s) => `arn:aws:ec2:${t.region}:123456789012:subnet/${s.physicalId}`),
        );
        expect(t.properties.StopConditions).toEqual([
          {
            Source: 'aws:cloudwatch:alarm',
            Value: `arn:aws:cloudwatch:${t.region}:123456789012:alarm:MultiRegion-Database-${t.region}-protected`,
          },
        ]);
      }
    },
  );
});
