import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import {
  AuroraGlobalMemberProps,
  AuroraGlobalPrimary,
  AuroraGlobalSecondary,
  managedRpoPolicy,
  RegionalDataKey,
  RegionalNetwork,
} from '../../constructs';
import { clusterParameterGroupNameOf } from '../../constructs/managed-rpo';
import { testStack } from '../util';

const [A, B, C] = ['us-east-1', 'us-west-2', 'eu-west-1'];

describe('managedRpoPolicy: a group enforces the RPO when a failover to its cluster would leave a healthy secondary', () => {
  test('GIVEN two regions THEN only the writer enforces; the secondary would be left without one', () => {
    expect(managedRpoPolicy({ regions: [A, B], writer: A })).toEqual([
      { region: A, enforce: true, reason: 'the writer, and us-west-2 can satisfy the RPO' },
      {
        region: B,
        enforce: false,
        reason:
          'a failover to it after losing us-east-1 would leave no healthy secondary, and commits would block',
      },
    ]);
  });

  test('GIVEN two regions after a switchover THEN the enforcement moves with the writer', () => {
    expect(managedRpoPolicy({ regions: [A, B], writer: B }).map((d) => d.enforce)).toEqual([
      false,
      true,
    ]);
  });

  test('GIVEN three regions THEN every member enforces: after a failover another secondary remains', () => {
    expect(managedRpoPolicy({ regions: [A, B, C], writer: A })).toEqual([
      {
        region: A,
        enforce: true,
        reason: 'the writer, and us-west-2, eu-west-1 can satisfy the RPO',
      },
      {
        region: B,
        enforce: true,
        reason: 'a failover to it after losing us-east-1 would leave eu-west-1 to satisfy the RPO',
      },
      {
        region: C,
        enforce: true,
        reason: 'a failover to it after losing us-east-1 would leave us-west-2 to satisfy the RPO',
      },
    ]);
  });

  test('GIVEN no healthy secondary THEN nothing enforces: the writer would block every commit', () => {
    expect(managedRpoPolicy({ regions: [A, B, C], writer: B, healthySecondaries: [] })).toEqual([
      {
        region: A,
        enforce: false,
        reason:
          'a failover to it after losing us-west-2 would leave no healthy secondary, and commits would block',
      },
      {
        region: B,
        enforce: false,
        reason: 'the writer has no healthy secondary, and enforcing would block every commit',
      },
      {
        region: C,
        enforce: false,
        reason:
          'a failover to it after losing us-west-2 would leave no healthy secondary, and commits would block',
      },
    ]);
  });

  test('GIVEN three regions with one healthy secondary THEN the writer and the other secondary enforce, the healthy one does not', () => {
    // The writer itself listed as healthy counts for nothing.
    expect(
      managedRpoPolicy({ regions: [A, B, C], writer: A, healthySecondaries: [A, C] }).map((d) => [
        d.region,
        d.enforce,
      ]),
    ).toEqual([
      [A, true],
      [B, true],
      [C, false],
    ]);
  });
});

function member(
  kind: 'primary' | 'secondary',
  extra: Partial<AuroraGlobalMemberProps> = {},
): Stack {
  const stack = testStack(kind === 'primary' ? A : B);
  const dataKey = new RegionalDataKey(stack, 'DataKey');
  const network = new RegionalNetwork(stack, 'Network', { encryptionKey: dataKey.key });
  const props = {
    vpc: network.vpc,
    encryptionKey: dataKey.key,
    globalClusterIdentifier: 'orders-global',
    engineVersion: rds.AuroraPostgresEngineVersion.of('16.6', '16'),
    rpo: Duration.seconds(30),
    ...extra,
  };
  if (kind === 'primary') {
    new AuroraGlobalPrimary(stack, 'Db', {
      ...props,
      secretReplicaRegions: [
        {
          region: B,
          encryptionKey: kms.Key.fromKeyArn(stack, 'K', RegionalDataKey.aliasArnIn(stack, B)),
        },
      ],
    });
  } else {
    new AuroraGlobalSecondary(stack, 'Db', props);
  }
  return stack;
}

function groupParameters(stack: Stack): Record<string, string> {
  const groups = Object.values(
    Template.fromStack(stack).findResources('AWS::RDS::DBClusterParameterGroup'),
  );
  expect(groups).toHaveLength(1);
  return groups[0].Properties.Parameters;
}

describe('enforceRpo on the members', () => {
  test.each<[string, 'primary' | 'secondary', Partial<AuroraGlobalMemberProps>, boolean]>([
    ['a primary by default', 'primary', {}, true],
    ['a primary with enforceRpo false', 'primary', { enforceRpo: false }, false],
    ['a secondary by default', 'secondary', {}, false],
    ['a secondary with enforceRpo true', 'secondary', { enforceRpo: true }, true],
  ])(
    'GIVEN %s THEN its group sets rds.global_db_rpo only when it enforces',
    (_name, kind, extra, enforces) => {
      expect(groupParameters(member(kind, extra))).toEqual({
        'rds.force_ssl': '1',
        ...(enforces ? { 'rds.global_db_rpo': '30' } : {}),
      });
    },
  );

  test.each<['primary' | 'secondary', string]>([
    ['primary', 'orders-global-us-east-1'],
    ['secondary', 'orders-global-us-west-2'],
  ])(
    'GIVEN a %s THEN its group has the fixed name the drill and its role use, and the cluster uses it',
    (kind, cluster) => {
      const template = Template.fromStack(member(kind));
      const name = clusterParameterGroupNameOf(cluster);
      expect(name).toBe(`${cluster}-params`);
      const [[logicalId]] = Object.entries(
        template.findResources('AWS::RDS::DBClusterParameterGroup', {
          Properties: { DBClusterParameterGroupName: name },
        }),
      );
      // The construct id is unchanged: the logical id is the one the group always had.
      expect(logicalId).toMatch(/^DbClusterParameters[0-9A-F]{8}$/);
      template.hasResourceProperties('AWS::RDS::DBCluster', {
        DBClusterIdentifier: cluster,
        DBClusterParameterGroupName: { Ref: logicalId },
      });
    },
  );

  test('GIVEN enforceRpo without an rpo THEN the construct is refused with the fix', () => {
    expect(() => member('secondary', { rpo: undefined, enforceRpo: true })).toThrow(
      'AuroraGlobalSecondary Test-us-west-2/Db: enforceRpo is true but rpo is not set: give the rpo the parameter group enforces',
    );
  });

  test('GIVEN no rpo THEN even the primary’s group does not enforce one', () => {
    expect(groupParameters(member('primary', { rpo: undefined }))).toEqual({
      'rds.force_ssl': '1',
    });
  });
});
