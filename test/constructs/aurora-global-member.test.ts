import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import {
  AuroraGlobalMember,
  AuroraGlobalMemberProps,
  AuroraGlobalSecondary,
  RegionalDataKey,
  RegionalNetwork,
} from '../../constructs';
import { importedMember, testStack } from '../util';

const ENGINE = rds.AuroraPostgresEngineVersion.of('16.6', '16');

function memberProps(stack: Stack): AuroraGlobalMemberProps {
  const key = new RegionalDataKey(stack, 'DataKey').key;
  const network = new RegionalNetwork(stack, 'Network', { encryptionKey: key });
  return {
    vpc: network.vpc,
    encryptionKey: key,
    globalClusterIdentifier: 'orders',
    engineVersion: ENGINE,
    rpo: Duration.seconds(30),
  };
}

function secondaryWithRole(): { stack: Stack; db: AuroraGlobalSecondary; role: iam.Role } {
  const stack = testStack('us-west-2');
  const db = new AuroraGlobalSecondary(stack, 'Db', memberProps(stack));
  const role = new iam.Role(stack, 'Client', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  return { stack, db, role };
}

/** The statements of the client role's default policy. */
function clientStatements(stack: Stack): unknown[] {
  const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
  return policy.Properties.PolicyDocument.Statement;
}

describe('lag metrics of a member', () => {
  test.each([
    ['metricReplicationLag', 'AuroraGlobalDBReplicationLag'],
    ['metricRpoLag', 'AuroraGlobalDBRPOLag'],
    ['metricProgressLag', 'AuroraGlobalDBProgressLag'],
  ] as const)(
    'GIVEN a secondary WHEN %s THEN it reads %s of its cluster in its region, one-minute maximum',
    (method, metricName) => {
      const { db } = secondaryWithRole();
      const metric = db[method]();
      expect({
        namespace: metric.namespace,
        metricName: metric.metricName,
        dimensions: metric.dimensions,
        statistic: metric.statistic,
        period: metric.period.toSeconds(),
        region: metric.region,
      }).toEqual({
        namespace: 'AWS/RDS',
        metricName,
        dimensions: { DBClusterIdentifier: 'orders-us-west-2' },
        statistic: 'Maximum',
        period: 60,
        region: 'us-west-2',
      });
    },
  );

  test('GIVEN metric options THEN they apply over the defaults', () => {
    const { db } = secondaryWithRole();
    expect(db.metricRpoLag({ period: Duration.minutes(5), label: 'rpo' })).toMatchObject({
      label: 'rpo',
      period: Duration.minutes(5),
      metricName: 'AuroraGlobalDBRPOLag',
    });
  });
});

describe('grants of a member', () => {
  test('GIVEN grantConnect THEN the grantee may connect as that user on this cluster by its resource id', () => {
    const { stack, db, role } = secondaryWithRole();
    db.grantConnect(role, 'health_probe');
    const [cluster] = Object.keys(Template.fromStack(stack).findResources('AWS::RDS::DBCluster'));
    expect(clientStatements(stack)).toEqual([
      {
        Action: 'rds-db:connect',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:aws:rds-db:us-west-2:123456789012:dbuser:',
              { 'Fn::GetAtt': [cluster, 'DBClusterResourceId'] },
              '/health_probe',
            ],
          ],
        },
      },
    ]);
  });

  test('GIVEN grantDataApiAccess THEN the grantee may run Data API statements on this cluster only', () => {
    const { stack, db, role } = secondaryWithRole();
    db.grantDataApiAccess(role);
    const [cluster] = Object.keys(Template.fromStack(stack).findResources('AWS::RDS::DBCluster'));
    expect(clientStatements(stack)).toEqual([
      {
        Action: [
          'rds-data:BatchExecuteStatement',
          'rds-data:BeginTransaction',
          'rds-data:CommitTransaction',
          'rds-data:ExecuteStatement',
          'rds-data:RollbackTransaction',
        ],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [cluster, 'DBClusterArn'] },
      },
    ]);
  });
});

describe('a member imported by its attributes', () => {
  test('GIVEN attributes from another app THEN identifiers, ARN, port and parameter group follow them', () => {
    const stack = testStack('us-east-1');
    const group = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-12345678');
    const member = importedMember(stack, 'us-west-2', { securityGroups: [group] });
    expect({
      region: member.env.region,
      clusterArn: member.clusterArn,
      port: member.port,
      clusterParameterGroupName: member.clusterParameterGroupName,
      securityGroup: member.connections.securityGroups[0].securityGroupId,
    }).toEqual({
      region: 'us-west-2',
      clusterArn: 'arn:aws:rds:us-west-2:123456789012:cluster:orders-us-west-2',
      port: 5432,
      clusterParameterGroupName: 'orders-us-west-2-params',
      securityGroup: 'sg-12345678',
    });
    expect(member.metricReplicationLag().region).toBe('us-west-2');
  });

  test('GIVEN an imported member WHEN grantConnect THEN the user ARN is in its region with its resource id', () => {
    const stack = testStack('us-east-1');
    const member = importedMember(stack, 'us-west-2');
    const role = new iam.Role(stack, 'Client', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    member.grantConnect(role, 'app');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'rds-db:connect',
            Resource: 'arn:aws:rds-db:us-west-2:123456789012:dbuser:cluster-ORDERS-US-WEST-2/app',
          }),
        ],
      },
    });
  });
});

describe('a subclass of AuroraGlobalMember', () => {
  class Early extends AuroraGlobalMember {
    constructor(scope: Construct, id: string, props: AuroraGlobalMemberProps) {
      super(scope, id, props, {
        constructName: 'Early',
        readers: 1,
        instanceCount: 1,
        enforceRpoByDefault: false,
      });
      void this.clusterArn;
    }
  }

  test('GIVEN it reads the cluster before attaching it THEN the error says what to call', () => {
    const stack = testStack('us-west-2');
    expect(() => new Early(stack, 'Early', memberProps(stack))).toThrow(
      'AuroraGlobalMember Test-us-west-2/Early: its cluster was read before the subclass attached it; call attachCluster() right after creating the cluster',
    );
  });

  test('GIVEN bad shared props THEN the subclass name and path lead the one error', () => {
    const stack = testStack('us-west-2');
    expect(
      () =>
        new Early(stack, 'Early', {
          ...memberProps(stack),
          backupRetention: Duration.days(40),
        }),
    ).toThrow(
      'Early Test-us-west-2/Early: backupRetention must be a whole number of days from 1 to 35, got: 40 days',
    );
  });
});
