import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildMultiRegionApp, MultiRegionStacks } from '../../lib/multi-region-app';
import { loadTopology } from '../../lib/topology';
import { testApp } from '../util';

function build(overrides: Record<string, unknown> = {}): { app: App; stacks: MultiRegionStacks } {
  const app = testApp(overrides);
  const topology = loadTopology((key) => app.node.tryGetContext(key));
  return { app, stacks: buildMultiRegionApp(app, topology) };
}

interface TrustStatement {
  Principal: { AWS?: unknown; Service?: unknown };
  Condition?: Record<string, Record<string, unknown>>;
}

/** Every role of the app with its trust statements, by construct path. */
function rolesOf(app: App): { path: string; trust: TrustStatement[] }[] {
  return app.node.children
    .filter((c): c is Stack => c instanceof Stack)
    .flatMap((stack) =>
      Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Role')).map(([id, r]) => ({
        path: `${stack.stackName}/${id}`,
        trust: r.Properties.AssumeRolePolicyDocument.Statement as TrustStatement[],
      })),
    );
}

/** The trust statements of the routing stack's role whose logical id starts with `prefix`. */
function trustOf(stacks: MultiRegionStacks, prefix: string): TrustStatement[] {
  const roles = Template.fromStack(stacks.routing).findResources('AWS::IAM::Role');
  const [match] = Object.entries(roles).filter(([id]) => id.startsWith(prefix));
  return match[1].Properties.AssumeRolePolicyDocument.Statement;
}

describe('who may run a drill, in the whole app', () => {
  test('GIVEN the default topology WHEN synthesized THEN no role of the app trusts an AWS principal without an aws:PrincipalArn condition', () => {
    const { app } = build();
    const awsTrust = rolesOf(app).flatMap(({ path, trust }) =>
      trust.filter((s) => s.Principal.AWS !== undefined).map((s) => ({ path, s })),
    );
    expect(awsTrust.map(({ path }) => path.replace(/[0-9A-F]{8}$/, ''))).toEqual([
      'MultiRegion-Routing/DrillOperatorRole',
      'MultiRegion-Routing/DrillOperatorFailoverRole',
    ]);
    for (const { s } of awsTrust) {
      expect(s.Condition?.ArnLike?.['aws:PrincipalArn']).toEqual(expect.any(Array));
    }
  });

  test('GIVEN drill principals in the topology WHEN synthesized THEN each role trusts its own list, the IAM user with MFA', () => {
    const { stacks } = build({
      'topology.drillOperatorPrincipals':
        'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_SRE_*',
      'topology.drillFailoverPrincipals': 'arn:aws:iam::123456789012:user/incident-lead',
    });
    expect(trustOf(stacks, 'DrillOperatorRole')).toEqual([
      expect.objectContaining({
        Condition: {
          ArnLike: {
            'aws:PrincipalArn': [
              'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_SRE_*',
            ],
          },
        },
      }),
    ]);
    expect(trustOf(stacks, 'DrillOperatorFailoverRole')).toEqual([
      expect.objectContaining({
        Condition: {
          ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::123456789012:user/incident-lead'] },
          Bool: { 'aws:MultiFactorAuthPresent': 'true' },
        },
      }),
    ]);
  });

  test('THEN the routing stack outputs the failover role ARN next to the operator role ARN', () => {
    const { stacks } = build();
    const outputs = Template.fromStack(stacks.routing).findOutputs('*');
    const roleRef = (output: string) =>
      (outputs[output].Value as { 'Fn::GetAtt': string[] })['Fn::GetAtt'];
    expect(roleRef('DrillOperatorRoleArn')).toEqual([
      expect.stringMatching(/^DrillOperatorRole[0-9A-F]{8}$/),
      'Arn',
    ]);
    expect(roleRef('DrillFailoverRoleArn')).toEqual([
      expect.stringMatching(/^DrillOperatorFailoverRole[0-9A-F]{8}$/),
      'Arn',
    ]);
  });
});
