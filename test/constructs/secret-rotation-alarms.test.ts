import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AuroraGlobalPrimary, SecretRotationAlarms } from '../../constructs';
import { buildMultiRegionApp } from '../../lib/multi-region-app';
import { loadTopology } from '../../lib/topology';
import { testApp, testStack } from '../util';

describe.each([
  ['two regions', {}],
  ['three regions', { 'topology.secondaryRegions': 'us-west-2,us-east-2' }],
])('rotation alarms in the app with %s', (_name, overrides) => {
  const app = testApp(overrides);
  const stacks = buildMultiRegionApp(
    app,
    loadTopology((key) => app.node.tryGetContext(key)),
  );
  const [primary, ...secondaries] = stacks.regions;
  const template = Template.fromStack(primary.database);
  const member = primary.database.member as AuroraGlobalPrimary;
  const ruleId = Object.keys(template.findResources('AWS::Events::Rule'))[0];
  const topic = primary.database.resolve(primary.foundation.alarms.topic.topicArn);

  test('THEN one rule in the primary region matches Secrets Manager RotationFailed events', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.secretsmanager'],
        'detail-type': ['AWS Service Event via CloudTrail', 'AWS API Call via CloudTrail'],
        detail: { eventSource: ['secretsmanager.amazonaws.com'], eventName: ['RotationFailed'] },
      },
      State: 'ENABLED',
    });
    for (const { database } of secondaries) {
      Template.fromStack(database).resourceCountIs('AWS::Events::Rule', 0);
    }
  });

  test("THEN an alarm on the rule's matched events notifies the region's alarm topic", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${primary.database.stackName}-SecretRotation-failed`,
      Namespace: 'AWS/Events',
      MetricName: 'MatchedEvents',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: ruleId } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });

  test("THEN an alarm on the rotation function's errors names the function SecretRotation deploys", () => {
    const applications = Object.values(template.findResources('AWS::Serverless::Application'));
    expect(applications).toHaveLength(1);
    const deployedName = applications[0].Properties.Parameters.functionName;
    expect(member.rotationFunctionName).toBe(deployedName);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${primary.database.stackName}-SecretRotationFunction-errors`,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: deployedName }],
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });
});

describe('SecretRotationAlarms', () => {
  test('GIVEN a period THEN both alarms evaluate over it and say what failed', () => {
    const stack = testStack('eu-west-1');
    new SecretRotationAlarms(stack, 'Alarms', {
      rotationFunctionName: 'rotator',
      alarmTopic: new sns.Topic(stack, 'Topic'),
      period: Duration.minutes(10),
    });
    const template = Template.fromStack(stack);
    for (const description of [
      "CRITICAL: a secret failed to rotate in eu-west-1 (Secrets Manager RotationFailed); read the rotation function's log rotator",
      'CRITICAL: the rotation function rotator in eu-west-1 failed; the master secret may not rotate',
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: description,
        Period: 600,
      });
    }
  });
});
