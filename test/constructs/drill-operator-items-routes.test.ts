import { Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DrillOperatorRole, RegionalDataKey } from '../../constructs';
import { CLIENT_CANARY_IAM_ACTIONS } from '../../runbooks/drill/aws/client-permissions';
import {
  DRILL_FAILOVER_ONLY_IAM_ACTIONS,
  DRILL_IAM_ACTIONS,
} from '../../runbooks/drill/aws/operations';
import { importedMember, nagFindings, testStack } from '../util';

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
}

/** A role over us-east-1 and us-west-2; `apis` gives each region's items API id, if any. */
function role(apis: Partial<Record<'us-east-1' | 'us-west-2', string>>): Stack {
  const stack = testStack('us-east-1');
  new DrillOperatorRole(stack, 'Operator', {
    regions: (['us-east-1', 'us-west-2'] as const).map((region) => ({
      member: importedMember(stack, region),
      drainSwitch: ssm.StringParameter.fromStringParameterName(
        stack,
        `Drain-${region}`,
        '/multi-region-ref/drain',
      ),
      ...(apis[region]
        ? {
            itemsApi: apigwv2.HttpApi.fromHttpApiAttributes(stack, `Api-${region}`, {
              httpApiId: apis[region],
            }),
          }
        : {}),
    })),
    masterSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'orders/master'),
    keyAlias: new RegionalDataKey(stack, 'Key').alias,
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
      hostedZoneId: 'Z0000000000000000000',
      zoneName: 'example.com',
    }),
    healthChecks: [
      route53.HealthCheck.fromHealthCheckId(stack, 'Check', 'abcdef01-0000-0000-0000-000000000000'),
    ],
  });
  return stack;
}

function grantedTo(stack: Stack, roleId: 'Role' | 'FailoverRole'): Statement[] {
  const template = Template.fromStack(stack);
  const [roleResource] = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) =>
    id.startsWith(`Operator${roleId}`),
  );
  const policies = template.findResources('AWS::IAM::ManagedPolicy');
  return (roleResource[1].Properties.ManagedPolicyArns as { Ref: string }[]).flatMap(
    ({ Ref }) => policies[Ref].Properties.PolicyDocument.Statement,
  );
}

const actionsOf = (statements: Statement[]) =>
  [...new Set(statements.flatMap((s) => [s.Action].flat()))].sort();

/** The resources of the statements that grant execute-api:Invoke, as plain strings. */
function invokable(stack: Stack, roleId: 'Role' | 'FailoverRole' = 'Role'): string[] {
  return grantedTo(stack, roleId)
    .filter((s) => [s.Action].flat().includes('execute-api:Invoke'))
    .flatMap((s) => [s.Resource].flat())
    .map((r) => {
      if (typeof r === 'string') return r;
      const join = (r as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      return join[1].map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(join[0]);
    });
}

describe("the client canary's items routes", () => {
  test('GIVEN each region with its items API THEN both roles may invoke PUT and GET /items/drill-*-* of that API in that region only', () => {
    const stack = role({ 'us-east-1': 'east111111', 'us-west-2': 'west222222' });
    const expected = [
      'arn:aws:execute-api:us-east-1:123456789012:east111111/*/GET/items/drill-*-*',
      'arn:aws:execute-api:us-east-1:123456789012:east111111/*/PUT/items/drill-*-*',
      'arn:aws:execute-api:us-west-2:123456789012:west222222/*/GET/items/drill-*-*',
      'arn:aws:execute-api:us-west-2:123456789012:west222222/*/PUT/items/drill-*-*',
    ];
    expect(invokable(stack).sort()).toEqual(expected);
    expect(invokable(stack, 'FailoverRole').sort()).toEqual(expected);
  });

  test('GIVEN items APIs THEN the roles hold the operation table actions plus execute-api:Invoke, nothing else', () => {
    const stack = role({ 'us-east-1': 'east111111', 'us-west-2': 'west222222' });
    expect(actionsOf(grantedTo(stack, 'Role'))).toEqual(
      [
        ...DRILL_IAM_ACTIONS.filter((a) => !DRILL_FAILOVER_ONLY_IAM_ACTIONS.includes(a)),
        ...CLIENT_CANARY_IAM_ACTIONS,
      ].sort(),
    );
    expect(actionsOf(grantedTo(stack, 'FailoverRole'))).toEqual(
      [...DRILL_IAM_ACTIONS, ...CLIENT_CANARY_IAM_ACTIONS].sort(),
    );
    expect(CLIENT_CANARY_IAM_ACTIONS).toEqual(['execute-api:Invoke']);
  });

  test('GIVEN an items API in one region only THEN the role may invoke nothing in the other', () => {
    const stack = role({ 'us-west-2': 'west222222' });
    expect(invokable(stack).every((arn) => arn.includes(':us-west-2:'))).toBe(true);
    expect(invokable(stack)).toHaveLength(2);
  });

  test('GIVEN no items API THEN no statement grants execute-api', () => {
    const stack = role({});
    expect(actionsOf(grantedTo(stack, 'Role'))).not.toContain('execute-api:Invoke');
    expect(grantedTo(stack, 'Role').filter((s) => s.Sid?.startsWith('InvokeItemsRoutes'))).toEqual(
      [],
    );
  });

  test('GIVEN items APIs THEN AwsSolutions finds nothing unacknowledged on the role (the route wildcards are explained)', () => {
    const stack = role({ 'us-east-1': 'east111111', 'us-west-2': 'west222222' });
    expect(nagFindings(new AwsSolutionsChecks(stack), stack)).toEqual([]);
  });
});
