import { Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  DrillOperatorRole,
  DrillOperatorRoleProps,
  DrillRegion,
  RegionalDataKey,
} from '../../constructs';
import {
  DRILL_FAILOVER_ONLY_IAM_ACTIONS,
  DRILL_IAM_ACTIONS,
} from '../../runbooks/drill/aws/operations';
import { importedMember, testApp, testStack } from '../util';

const SSO = 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com';

/** A region of the `orders` global database with its drain switch, both imported by name. */
function drillRegion(
  scope: Construct,
  region: string,
  drainParameterName = '/multi-region-ref/drain',
  clusterParameterGroupName?: string,
): DrillRegion {
  return {
    member: importedMember(scope, region, { clusterParameterGroupName }),
    drainSwitch: ssm.StringParameter.fromStringParameterName(
      scope,
      `Drain-${region}`,
      drainParameterName,
    ),
  };
}

function role(
  extra: Partial<DrillOperatorRoleProps> | ((stack: Stack) => Partial<DrillOperatorRoleProps>) = {},
): Stack {
  const stack = testStack('us-east-1');
  const given = typeof extra === 'function' ? extra(stack) : extra;
  new DrillOperatorRole(stack, 'Operator', {
    regions: given.regions ?? [drillRegion(stack, 'us-east-1'), drillRegion(stack, 'us-west-2')],
    masterSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'orders/master'),
    keyAlias: kms.Alias.fromAliasName(stack, 'KeyAlias', 'alias/multi-region-ref/data'),
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
      hostedZoneId: 'Z0000000000EXAMPLE',
      zoneName: 'example.com',
    }),
    healthChecks: ['hc-1', 'hc-2'].map((id) =>
      route53.HealthCheck.fromHealthCheckId(stack, id, id),
    ),
    ...given,
  });
  return stack;
}

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: { AWS: string | string[] };
  Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of the managed policies attached to one role (`Role` or `FailoverRole`). */
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

function actionsOf(statements: Statement[]): string[] {
  return [...new Set(statements.flatMap((s) => [s.Action].flat()))].sort();
}

/** The message of the error `build` throws (fails the test when it throws none). */
function messageOf(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the props to be rejected');
}

/** The trust policy statements of one role. */
function trustOf(stack: Stack, roleId: 'Role' | 'FailoverRole'): Statement[] {
  const [roleResource] = Object.entries(
    Template.fromStack(stack).findResources('AWS::IAM::Role'),
  ).filter(([id]) => id.startsWith(`Operator${roleId}`));
  return roleResource[1].Properties.AssumeRolePolicyDocument.Statement;
}

describe('permissions, derived from the operation table', () => {
  test('THEN the operator role grants every action the drill calls except the failover-only ones', () => {
    expect(actionsOf(grantedTo(role(), 'Role'))).toEqual(
      DRILL_IAM_ACTIONS.filter((a) => !DRILL_FAILOVER_ONLY_IAM_ACTIONS.includes(a)),
    );
    expect(actionsOf(grantedTo(role(), 'Role'))).not.toContain('rds:FailoverGlobalCluster');
  });

  test('THEN the failover role grants every action the drill calls, FailoverGlobalCluster included', () => {
    expect(actionsOf(grantedTo(role(), 'FailoverRole'))).toEqual([...DRILL_IAM_ACTIONS]);
    expect(actionsOf(grantedTo(role(), 'FailoverRole'))).toContain('rds:FailoverGlobalCluster');
  });

  test('THEN the failover-only actions sit in a policy of their own, attached to the failover role only', () => {
    const template = Template.fromStack(role());
    const failoverPolicies = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter(([, p]) =>
        p.Properties.PolicyDocument.Statement.some((s: Statement) =>
          [s.Action].flat().includes('rds:FailoverGlobalCluster'),
        ),
      )
      .map(([id, p]) => ({ id, actions: actionsOf(p.Properties.PolicyDocument.Statement) }));
    expect(failoverPolicies).toEqual([
      {
        id: expect.stringMatching(/^OperatorFailoverPolicy/),
        actions: ['fis:StartExperiment', 'rds:FailoverGlobalCluster'],
      },
    ]);
    const attachedTo = Object.entries(template.findResources('AWS::IAM::Role'))
      .filter(([, r]) =>
        (r.Properties.ManagedPolicyArns as { Ref: string }[]).some(
          ({ Ref }) => Ref === failoverPolicies[0].id,
        ),
      )
      .map(([id]) => id);
    expect(attachedTo).toEqual([expect.stringMatching(/^OperatorFailoverRole/)]);
  });

  test("THEN mutating actions are scoped to the project's resources", () => {
    const byAction = (action: string) =>
      grantedTo(role(), 'FailoverRole').find((s) => [s.Action].flat().includes(action))!;
    const writerMove = [
      'arn:aws:rds::123456789012:global-cluster:orders',
      'arn:aws:rds:us-east-1:123456789012:cluster:orders-us-east-1',
      'arn:aws:rds:us-west-2:123456789012:cluster:orders-us-west-2',
    ];
    expect(byAction('rds:SwitchoverGlobalCluster').Resource).toEqual(writerMove);
    expect(byAction('rds:FailoverGlobalCluster').Resource).toEqual(writerMove);
    expect(byAction('ssm:PutParameter').Resource).toEqual([
      'arn:aws:ssm:us-east-1:123456789012:parameter/multi-region-ref/drain',
      'arn:aws:ssm:us-west-2:123456789012:parameter/multi-region-ref/drain',
    ]);
    expect(byAction('ssm:DeleteParameter').Resource).toEqual([
      'arn:aws:ssm:us-east-1:123456789012:parameter/multi-region-ref/drill-lock',
      'arn:aws:ssm:us-west-2:123456789012:parameter/multi-region-ref/drill-lock',
    ]);
    expect(
      grantedTo(role(), 'Role')
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
    const wildcard = grantedTo(role(), 'FailoverRole')
      .filter((s) => s.Resource === '*')
      .flatMap((s) => [s.Action].flat());
    expect(wildcard.sort()).toEqual([
      'cloudwatch:DescribeAlarms',
      'cloudwatch:GetMetricData',
      'kms:CreateGrant',
      'kms:Decrypt',
      'kms:DescribeKey',
      'rds:DescribeOrderableDBInstanceOptions',
      'route53:TestDNSAnswer',
    ]);
  });

  test("THEN the failover snapshot actions apply to the members' clusters, Aurora's point-of-failure snapshots and the drill's copies only", () => {
    const statements = grantedTo(role(), 'Role').filter((s) =>
      [s.Action].flat().some((a) => a.includes('ClusterSnapshot')),
    );
    expect(statements).toEqual([
      {
        Sid: 'KeepFailoverSnapshot',
        Effect: 'Allow',
        Action: ['rds:CopyDBClusterSnapshot', 'rds:DescribeDBClusterSnapshots'],
        Resource: [
          'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:drill-*-point-of-failure',
          'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:rds:unplanned-global-failover-*',
          'arn:aws:rds:us-east-1:123456789012:cluster:orders-us-east-1',
          'arn:aws:rds:us-west-2:123456789012:cluster-snapshot:drill-*-point-of-failure',
          'arn:aws:rds:us-west-2:123456789012:cluster-snapshot:rds:unplanned-global-failover-*',
          'arn:aws:rds:us-west-2:123456789012:cluster:orders-us-west-2',
        ],
      },
    ]);
  });

  test('THEN the encrypted copy may use only the regional keys, and only through RDS', () => {
    const statements = grantedTo(role(), 'Role').filter(
      (s) => s.Sid === 'EncryptSnapshotCopyThroughRds',
    );
    expect(statements).toEqual([
      {
        Sid: 'EncryptSnapshotCopyThroughRds',
        Effect: 'Allow',
        Action: ['kms:CreateGrant', 'kms:DescribeKey'],
        Resource: '*',
        Condition: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/multi-region-ref/data' },
          StringLike: { 'kms:ViaService': 'rds.*.amazonaws.com' },
        },
      },
    ]);
  });

  test("THEN the managed-RPO actions apply to the members' cluster parameter groups only (derived or given names)", () => {
    const stack = role((s) => ({
      regions: [
        drillRegion(s, 'us-east-1'),
        drillRegion(s, 'us-west-2', undefined, 'custom-group'),
      ],
    }));
    const statements = grantedTo(stack, 'Role').filter((s) =>
      [s.Action].flat().some((a) => a.includes('DBClusterParameter')),
    );
    expect(statements).toEqual([
      {
        Sid: 'ManagedRpo',
        Effect: 'Allow',
        Action: [
          'rds:DescribeDBClusterParameters',
          'rds:ModifyDBClusterParameterGroup',
          'rds:ResetDBClusterParameterGroup',
        ],
        Resource: [
          'arn:aws:rds:us-east-1:123456789012:cluster-pg:orders-us-east-1-params',
          'arn:aws:rds:us-west-2:123456789012:cluster-pg:custom-group',
        ],
      },
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

  test('THEN both roles allow sessions of up to 4 hours', () => {
    const roles = Template.fromStack(role()).findResources('AWS::IAM::Role');
    expect(Object.values(roles).map((r) => r.Properties.MaxSessionDuration)).toEqual([
      14400, 14400,
    ]);
  });
});

describe('who may assume the roles', () => {
  test('GIVEN no principals WHEN synthesized THEN only the DrillOperator and DrillFailover permission sets of the account may assume the roles', () => {
    const stack = role();
    expect(trustOf(stack, 'Role')).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123456789012:root' },
        Condition: {
          ArnLike: {
            'aws:PrincipalArn': [
              `${SSO}/AWSReservedSSO_DrillOperator_*`,
              `${SSO}/*/AWSReservedSSO_DrillOperator_*`,
            ],
          },
        },
      },
    ]);
    expect(trustOf(stack, 'FailoverRole')).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123456789012:root' },
        Condition: {
          ArnLike: {
            'aws:PrincipalArn': [
              `${SSO}/AWSReservedSSO_DrillFailover_*`,
              `${SSO}/*/AWSReservedSSO_DrillFailover_*`,
            ],
          },
        },
      },
    ]);
  });

  test('GIVEN an Identity Center permission set, an IAM user and an IAM role WHEN synthesized THEN the user and the role must present MFA and the permission set need not', () => {
    const stack = role({
      operatorPrincipals: [
        `${SSO}/*/AWSReservedSSO_SRE_*`,
        'arn:aws:iam::123456789012:user/sre/alice',
        'arn:aws:iam::123456789012:role/BreakGlass',
      ],
    });
    expect(trustOf(stack, 'Role')).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123456789012:root' },
        Condition: { ArnLike: { 'aws:PrincipalArn': [`${SSO}/*/AWSReservedSSO_SRE_*`] } },
      },
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123456789012:root' },
        Condition: {
          ArnLike: {
            'aws:PrincipalArn': [
              'arn:aws:iam::123456789012:user/sre/alice',
              'arn:aws:iam::123456789012:role/BreakGlass',
            ],
          },
          Bool: { 'aws:MultiFactorAuthPresent': 'true' },
        },
      },
    ]);
  });

  test('GIVEN a user of another account WHEN synthesized THEN the principal is that account, narrowed to the user, with MFA', () => {
    const stack = role({ failoverPrincipals: ['arn:aws:iam::210987654321:user/oncall'] });
    expect(trustOf(stack, 'FailoverRole')).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::210987654321:root' },
        Condition: {
          ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::210987654321:user/oncall'] },
          Bool: { 'aws:MultiFactorAuthPresent': 'true' },
        },
      },
    ]);
  });

  test('GIVEN separate lists WHEN synthesized THEN the failover principals cannot assume the operator role and the reverse', () => {
    const stack = role({
      operatorPrincipals: ['arn:aws:iam::123456789012:user/bob'],
      failoverPrincipals: ['arn:aws:iam::123456789012:user/alice'],
    });
    const patterns = (id: 'Role' | 'FailoverRole') =>
      trustOf(stack, id).flatMap((s) => s.Condition!.ArnLike['aws:PrincipalArn'] as string[]);
    expect(patterns('Role')).toEqual(['arn:aws:iam::123456789012:user/bob']);
    expect(patterns('FailoverRole')).toEqual(['arn:aws:iam::123456789012:user/alice']);
  });

  test('GIVEN an environment-agnostic stack WHEN synthesized THEN the default principals are the deploying account and partition', () => {
    const stack = new Stack(testApp(), 'Agnostic');
    new DrillOperatorRole(stack, 'Operator', {
      regions: [drillRegion(stack, 'us-east-1', '/d')],
      masterSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'orders/master'),
      keyAlias: kms.Alias.fromAliasName(stack, 'KeyAlias', 'alias/k'),
      hostedZone: route53.HostedZone.fromHostedZoneId(stack, 'Zone', 'Z1'),
      healthChecks: [route53.HealthCheck.fromHealthCheckId(stack, 'hc', 'hc-1')],
    });
    const [first] = trustOf(stack, 'Role');
    expect(JSON.stringify(first.Principal)).toContain('{"Ref":"AWS::AccountId"}');
    expect(JSON.stringify(first.Condition)).toContain('{"Ref":"AWS::Partition"}');
    expect(JSON.stringify(first.Condition)).toContain(
      ':role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_DrillOperator_*',
    );
  });

  test('THEN no trust statement of either role lets a principal in without an aws:PrincipalArn condition', () => {
    for (const stack of [
      role(),
      role({ operatorPrincipals: ['arn:aws:iam::123456789012:user/a'] }),
    ]) {
      for (const statement of [...trustOf(stack, 'Role'), ...trustOf(stack, 'FailoverRole')]) {
        expect(statement.Condition?.ArnLike?.['aws:PrincipalArn']).toEqual(expect.any(Array));
      }
    }
  });
});

describe('validation', () => {
  test.each<[string, Partial<DrillOperatorRoleProps>, string]>([
    [
      'the account root',
      { operatorPrincipals: ['arn:aws:iam::123456789012:root'] },
      "operatorPrincipals[0]: the account root would let every principal of the account that may call sts:AssumeRole assume the role; name roles or users, got: 'arn:aws:iam::123456789012:root'",
    ],
    [
      'a value that is not an IAM ARN',
      { operatorPrincipals: ['AWSReservedSSO_DrillOperator'] },
      "operatorPrincipals[0]: must be the ARN (or ArnLike pattern) of an IAM role or user, such as 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_DrillOperator_*', got: 'AWSReservedSSO_DrillOperator'",
    ],
    [
      'an assumed-role session ARN',
      { operatorPrincipals: ['arn:aws:sts::123456789012:assumed-role/Ops/alice'] },
      "operatorPrincipals[0]: must be the ARN (or ArnLike pattern) of an IAM role or user, such as 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_DrillOperator_*', got: 'arn:aws:sts::123456789012:assumed-role/Ops/alice'",
    ],
    [
      'a wildcard account',
      { failoverPrincipals: ['arn:aws:iam::*:role/Ops'] },
      "failoverPrincipals[0]: must name a 12-digit account id, without wildcards, got: 'arn:aws:iam::*:role/Ops'",
    ],
    [
      'another partition',
      { failoverPrincipals: ['arn:aws-cn:iam::123456789012:role/Ops'] },
      "failoverPrincipals[0]: must be in the partition of the regions ('aws'), got: 'arn:aws-cn:iam::123456789012:role/Ops'",
    ],
    [
      'every role of the account',
      { operatorPrincipals: ['arn:aws:iam::123456789012:role/*'] },
      "operatorPrincipals[0]: matches every role of its path; name the role, got: 'arn:aws:iam::123456789012:role/*'",
    ],
    [
      'every permission set',
      { operatorPrincipals: [`${SSO}/*/AWSReservedSSO_*`] },
      `operatorPrincipals[0]: must end in 'AWSReservedSSO_<permission set name>_*' with the permission set spelled out, because Identity Center appends a changing suffix, got: '${SSO}/*/AWSReservedSSO_*'`,
    ],
    [
      'a permission set role without the suffix wildcard',
      { operatorPrincipals: [`${SSO}/eu-west-1/AWSReservedSSO_DrillOperator`] },
      `operatorPrincipals[0]: must end in 'AWSReservedSSO_<permission set name>_*' with the permission set spelled out, because Identity Center appends a changing suffix, got: '${SSO}/eu-west-1/AWSReservedSSO_DrillOperator'`,
    ],
    [
      'a group',
      { operatorPrincipals: ['arn:aws:iam::123456789012:group/sre'] },
      "operatorPrincipals[0]: must name 'role/<path/name>' or 'user/<path/name>' (letters, digits, +=,.@_- and / with * or ? wildcards), got: 'arn:aws:iam::123456789012:group/sre'",
    ],
    [
      'an empty list',
      { failoverPrincipals: [] },
      'failoverPrincipals: must name at least one principal; leave it out to trust the DrillFailover Identity Center permission set',
    ],
    ['no region', { regions: [] }, 'regions must name at least one region, got none'],
  ])('rejects %s', (_name, extra, message) => {
    expect(messageOf(() => role(extra))).toBe(
      `DrillOperatorRole Test-us-east-1/Operator: ${message}`,
    );
  });

  test('GIVEN several bad principals WHEN built THEN one error names every one of them', () => {
    expect(
      messageOf(() =>
        role({
          operatorPrincipals: [
            'arn:aws:iam::123456789012:root',
            'arn:aws:iam::123456789012:user/ok',
          ],
          failoverPrincipals: ['arn:aws:iam::1234:user/x'],
        }),
      ),
    ).toBe(
      "DrillOperatorRole Test-us-east-1/Operator: operatorPrincipals[0]: the account root would let every principal of the account that may call sts:AssumeRole assume the role; name roles or users, got: 'arn:aws:iam::123456789012:root'; " +
        "failoverPrincipals[0]: must name a 12-digit account id, without wildcards, got: 'arn:aws:iam::1234:user/x'",
    );
  });
});

describe('resources, not names', () => {
  const drainOf = (stack: Stack) =>
    grantedTo(stack, 'Role').find((s) => s.Sid === 'DrainSwitches')!.Resource;

  test("GIVEN regions with their own drain switches THEN each region's switch and lock are granted in that region", () => {
    const stack = role((s) => ({
      regions: [
        drillRegion(s, 'us-east-1', '/east/drain'),
        drillRegion(s, 'us-west-2', '/west/drain'),
      ],
    }));
    expect(drainOf(stack)).toEqual([
      'arn:aws:ssm:us-east-1:123456789012:parameter/east/drain',
      'arn:aws:ssm:us-west-2:123456789012:parameter/west/drain',
    ]);
    expect(grantedTo(stack, 'Role').find((s) => s.Sid === 'DrillLock')!.Resource).toEqual([
      'arn:aws:ssm:us-east-1:123456789012:parameter/east/drill-lock',
      'arn:aws:ssm:us-west-2:123456789012:parameter/west/drill-lock',
    ]);
  });

  test('GIVEN a drain switch, secret and key alias owned by other stacks with fixed names THEN the role names them without a cross-stack reference', () => {
    const app = testApp();
    const service = new Stack(app, 'Service', {
      env: { account: '123456789012', region: 'us-east-1' },
    });
    const owned = new ssm.StringParameter(service, 'Drain', {
      parameterName: '/owned/drain',
      stringValue: 'false',
    });
    const secret = new secretsmanager.Secret(service, 'Secret', { secretName: 'owned/master' });
    const key = new RegionalDataKey(service, 'DataKey', { aliasName: 'alias/owned/data' });
    const stack = new Stack(app, 'Routing', {
      env: { account: '123456789012', region: 'us-east-1' },
    });
    new DrillOperatorRole(stack, 'Operator', {
      regions: [{ member: importedMember(stack, 'us-east-1'), drainSwitch: owned }],
      masterSecret: secret,
      keyAlias: key.alias,
      hostedZone: route53.HostedZone.fromHostedZoneId(stack, 'Zone', 'Z1'),
      healthChecks: [route53.HealthCheck.fromHealthCheckId(stack, 'hc', 'hc-1')],
    });
    expect(drainOf(stack)).toEqual('arn:aws:ssm:us-east-1:123456789012:parameter/owned/drain');
    expect(grantedTo(stack, 'Role').find((s) => s.Sid === 'ReadDatabaseSecret')!.Resource).toEqual(
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:owned/master-??????',
    );
    expect(
      grantedTo(stack, 'Role').find((s) => s.Sid === 'DecryptSecretThroughSecretsManager')!
        .Condition,
    ).toEqual({
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/owned/data' },
      StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' },
    });
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('Fn::ImportValue');
  });

  test('GIVEN a drain switch with a generated name THEN the role refuses it, naming the switch', () => {
    expect(
      messageOf(() =>
        role((s) => ({
          regions: [
            {
              member: importedMember(s, 'us-east-1'),
              drainSwitch: new ssm.StringParameter(s, 'Unnamed', { stringValue: 'false' }),
            },
          ],
        })),
      ),
    ).toBe(
      'DrillOperatorRole Test-us-east-1/Operator: drainSwitch must have a fixed name (the role names it in every region without a cross-region reference), got the generated name of Test-us-east-1/Unnamed',
    );
  });

  test('GIVEN a key alias with a generated name THEN the role refuses it, naming the alias', () => {
    expect(
      messageOf(() =>
        role((s) => ({
          keyAlias: new kms.Alias(s, 'Unnamed', {
            aliasName: Lazy.string({ produce: () => 'alias/late' }),
            targetKey: new kms.Key(s, 'Key'),
          }),
        })),
      ),
    ).toBe(
      'DrillOperatorRole Test-us-east-1/Operator: keyAlias must have a fixed name (the role names it in every region without a cross-region reference), got the generated name of Test-us-east-1/Unnamed',
    );
  });

  test('GIVEN members of two global clusters THEN the role refuses them, naming both', () => {
    expect(
      messageOf(() =>
        role((s) => ({
          regions: [
            drillRegion(s, 'us-east-1'),
            {
              member: importedMember(s, 'us-west-2', {
                clusterIdentifier: 'billing-us-west-2',
                globalClusterIdentifier: 'billing',
              }),
              drainSwitch: ssm.StringParameter.fromStringParameterName(s, 'Billing', '/d'),
            },
          ],
        })),
      ),
    ).toBe(
      'DrillOperatorRole Test-us-east-1/Operator: regions must be members of one global cluster, got: orders, billing',
    );
  });
});
