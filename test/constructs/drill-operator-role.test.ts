import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { DrillOperatorRole } from '../../constructs';
import { DRILL_IAM_ACTIONS } from '../../runbooks/drill/aws/operations';
import { testStack } from '../util';

function role(): Stack {
  const stack = testStack('us-east-1');
  new DrillOperatorRole(stack, 'Operator', {
    globalClusterIdentifier: 'orders',
    regions: [
      { region: 'us-east-1', clusterIdentifier: 'orders-us-east-1' },
      { region: 'us-west-2', clusterIdentifier: 'orders-us-west-2' },
    ],
    drainParameterName: '/multi-region-ref/drain',
    secretName: 'orders/master',
    keyAliasName: 'alias/multi-region-ref/data',
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
      hostedZoneId: 'Z0000000000EXAMPLE',
      zoneName: 'example.com',
    }),
    healthChecks: ['hc-1', 'hc-2'].map((id) =>
      route53.HealthCheck.fromHealthCheckId(stack, id, id),
    ),
  });
  return stack;
}

function statements(stack: Stack): { Sid: string; Action: string | string[]; Resource: unknown }[] {
  const [policy] = Object.values(
    Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'),
  );
  return policy.Properties.PolicyDocument.Statement;
}

describe('DrillOperatorRole', () => {
  test('THEN it grants exactly the actions the drill CLI calls (derived from its operation table)', () => {
    const granted = statements(role()).flatMap((s) => [s.Action].flat());
    expect([...new Set(granted)].sort()).toEqual([...DRILL_IAM_ACTIONS].sort());
  });

  test("THEN mutating actions are scoped to the project's resources", () => {
    const byAction = (action: string) =>
      statements(role()).find((s) => [s.Action].flat().includes(action))!;
    expect(byAction('rds:SwitchoverGlobalCluster').Resource).toEqual([
      'arn:aws:rds::123456789012:global-cluster:orders',
      'arn:aws:rds:us-east-1:123456789012:cluster:orders-us-east-1',
      'arn:aws:rds:us-west-2:123456789012:cluster:orders-us-west-2',
    ]);
    expect(byAction('ssm:PutParameter').Resource).toEqual([
      'arn:aws:ssm:us-east-1:123456789012:parameter/multi-region-ref/drain',
      'arn:aws:ssm:us-west-2:123456789012:parameter/multi-region-ref/drain',
    ]);
    expect(byAction('ssm:DeleteParameter').Resource).toEqual([
      'arn:aws:ssm:us-east-1:123456789012:parameter/multi-region-ref/drill-lock',
      'arn:aws:ssm:us-west-2:123456789012:parameter/multi-region-ref/drill-lock',
    ]);
    expect(
      statements(role())
        .filter((s) => [s.Action].flat().includes('ssm:PutParameter'))
        .map((s) => s.Sid),
    ).toEqual(['DrainSwitches', 'DrillLock']);
    expect(byAction('rds-data:ExecuteStatement').Resource).toEqual([
      'arn:aws:rds:us-east-1:123456789012:cluster:orders-us-east-1',
      'arn:aws:rds:us-west-2:123456789012:cluster:orders-us-west-2',
    ]);
    expect(byAction('secretsmanager:GetSecretValue').Resource).toEqual([
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/master-??????',
      'arn:aws:secretsmanager:us-west-2:123456789012:secret:orders/master-??????',
    ]);
    // Only the actions IAM cannot scope get '*'.
    const wildcard = statements(role())
      .filter((s) => s.Resource === '*')
      .flatMap((s) => [s.Action].flat());
    expect(wildcard.sort()).toEqual([
      'cloudwatch:DescribeAlarms',
      'cloudwatch:GetMetricData',
      'kms:Decrypt',
      'route53:TestDNSAnswer',
    ]);
  });

  test('THEN kms:Decrypt works only on the regional keys and only through Secrets Manager', () => {
    Template.fromStack(role()).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'kms:Decrypt',
            Condition: {
              'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/multi-region-ref/data' },
              StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' },
            },
          }),
        ]),
      },
    });
  });

  test('THEN the role is assumable by this account for up to 4 hours', () => {
    Template.fromStack(role()).hasResourceProperties('AWS::IAM::Role', {
      MaxSessionDuration: 14400,
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { AWS: 'arn:aws:iam::123456789012:root' } })],
      },
    });
  });

  test('rejects an empty region list', () => {
    expect(
      () =>
        new DrillOperatorRole(testStack(), 'Operator', {
          globalClusterIdentifier: 'orders',
          regions: [],
          drainParameterName: '/d',
          secretName: 's',
          keyAliasName: 'alias/k',
          hostedZone: route53.HostedZone.fromHostedZoneId(testStack('us-west-2'), 'Z', 'Z1'),
          healthChecks: [],
        }),
    ).toThrow('DrillOperatorRole needs at least one region, got none');
  });
});
