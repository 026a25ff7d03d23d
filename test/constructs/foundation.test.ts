import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ClusterBackup, RegionalDataKey, RegionalNetwork } from '../../constructs';
import { collectAcknowledgements } from '../../constructs/nag';
import { RegionalStack } from '../../lib/regional-stack';
import { testApp, testStack } from '../util';

describe('RegionalDataKey', () => {
  test('GIVEN defaults WHEN synthesized THEN the key rotates, is retained and has the shared alias', () => {
    const stack = testStack('eu-west-1');
    new RegionalDataKey(stack, 'DataKey');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true, PendingWindowInDays: 30 }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/multi-region-ref/data' });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'DenyGrantsExceptForAwsServices',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'kms:CreateGrant',
            Resource: '*',
            Condition: {
              BoolIfExists: {
                'kms:GrantIsForAWSResource': 'false',
                'aws:PrincipalIsAWSService': 'false',
              },
            },
          },
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsInThisRegion',
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
          }),
        ]),
      },
    });
  });

  test('GIVEN another region WHEN its alias ARN is asked for THEN it names that region and this account', () => {
    const stack = testStack('us-east-1');
    expect(stack.resolve(RegionalDataKey.aliasArnIn(stack, 'us-west-2'))).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':kms:us-west-2:123456789012:alias/multi-region-ref/data',
        ],
      ],
    });
  });

  test.each(['multi-region/data', 'alias/aws/rds'])('rejects the alias %p', (aliasName) => {
    expect(() => new RegionalDataKey(testStack(), 'DataKey', { aliasName })).toThrow(
      `aliasName must start with 'alias/' and not 'alias/aws/', got: '${aliasName}'`,
    );
  });
});

describe('RegionalNetwork', () => {
  test('GIVEN defaults WHEN synthesized THEN subnets are isolated, flow logs capture all traffic encrypted', () => {
    const stack = testStack();
    const key = new RegionalDataKey(stack, 'DataKey');
    new RegionalNetwork(stack, 'Network', { encryptionKey: key.key, cidr: '10.20.0.0/16' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.20.0.0/16' });
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: Match.anyValue(),
      RetentionInDays: 365,
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.us-east-1.secretsmanager',
      PrivateDnsEnabled: true,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '10.20.0.0/16', FromPort: 443, ToPort: 443 }),
      ],
    });
    // The flow-log role gets a customer-managed policy, no inline one.
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
  });

  test('GIVEN the stack WHEN subnets are placed THEN a RegionalStack takes AZs from Fn::GetAZs, not a lookup', () => {
    const stack = new RegionalStack(testApp(), 'Regional', {
      env: { account: '123456789012', region: 'ap-southeast-2' },
    });
    const key = new RegionalDataKey(stack, 'DataKey');
    new RegionalNetwork(stack, 'Network', { encryptionKey: key.key, maxAzs: 2 });
    const subnets = Template.fromStack(stack).findResources('AWS::EC2::Subnet');
    for (const subnet of Object.values(subnets)) {
      expect(JSON.stringify(subnet.Properties.AvailabilityZone)).toContain('Fn::GetAZs');
    }
  });

  test('rejects a single AZ', () => {
    const stack = testStack();
    const key = new RegionalDataKey(stack, 'DataKey');
    expect(
      () => new RegionalNetwork(stack, 'Network', { encryptionKey: key.key, maxAzs: 1 }),
    ).toThrow(
      'maxAzs must be a whole number from 2 to 6 (Aurora needs subnets in at least two AZs), got: 1',
    );
  });
});

describe('RegionalNetwork flow-log permissions', () => {
  test('GIVEN defaults WHEN synthesized THEN the flow-log role may only write and list streams of its own group', () => {
    const stack = testStack();
    const key = new RegionalDataKey(stack, 'DataKey');
    new RegionalNetwork(stack, 'Network', { encryptionKey: key.key });
    const policies = Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy');
    const statements = Object.values(policies).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string[]; Resource: unknown }[],
    );
    // logs:DescribeLogGroups has no log-group resource type: on one group it was dead.
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^NetworkFlowLogs/), 'Arn'] },
      },
    ]);
  });
});

describe('RegionalNetwork default-security-group provider and the Guard registry', () => {
  const stack = testStack();
  const key = new RegionalDataKey(stack, 'DataKey');
  new RegionalNetwork(stack, 'Network', { encryptionKey: key.key });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Type: string; Metadata?: { guard?: unknown } }
  >;
  // aws-cdk-lib adds one provider per stack, outside the construct that asked for it.
  const provider = (type: string) => {
    const found = Object.entries(resources).filter(
      ([id, r]) =>
        id.startsWith('CustomVpcRestrictDefaultSGCustomResourceProvider') && r.Type === type,
    );
    expect(found).toHaveLength(1);
    return found[0][1].Metadata?.guard;
  };
  const runsOnce =
    "aws-cdk-lib's provider that removes the default security group's rules runs only when its custom resource is created, updated or deleted";
  const noEndpoint = `${runsOnce}; it calls only the EC2 API; inside this isolated VPC it would need an EC2 interface endpoint just for it.`;

  test('GIVEN the provider role THEN its inline policy is explained to IAM_NO_INLINE_POLICY_CHECK', () => {
    expect(provider('AWS::IAM::Role')).toEqual({
      SuppressedRules: ['IAM_NO_INLINE_POLICY_CHECK'],
      Reasons: {
        IAM_NO_INLINE_POLICY_CHECK:
          "aws-cdk-lib writes this provider role's inline policy: only Authorize/Revoke SecurityGroupIngress/Egress on this VPC's default security group, and it exists only for that provider.",
      },
    });
  });

  test('GIVEN the provider function THEN no VPC, no DLQ and no concurrency limit are explained', () => {
    expect(provider('AWS::Lambda::Function')).toEqual({
      SuppressedRules: ['LAMBDA_INSIDE_VPC', 'LAMBDA_DLQ_CHECK', 'LAMBDA_CONCURRENCY_CHECK'],
      Reasons: {
        LAMBDA_INSIDE_VPC: noEndpoint,
        LAMBDA_DLQ_CHECK: `${runsOnce}; when it fails, the custom resource fails and CloudFormation rolls the deployment back and reports it, so a dead-letter queue would hold an event nobody acts on.`,
        LAMBDA_CONCURRENCY_CHECK: `${runsOnce}; those few invocations cannot exhaust the account's concurrency, and a reservation would take from the unreserved pool.`,
      },
    });
  });

  test('GIVEN the provider function THEN cfn-guard (Control Tower) gets the same VPC reason', () => {
    const acks = collectAcknowledgements(stack).filter((a) =>
      a.path.includes('Custom::VpcRestrictDefaultSGCustomResourceProvider'),
    );
    expect(acks.map((a) => [a.path, a.id, a.reason])).toEqual([
      [
        'Test-us-east-1/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler',
        'cdk-validator-cfnguard::lambda_inside_vpc_check',
        noEndpoint,
      ],
    ]);
  });
});

describe('ClusterBackup', () => {
  test('GIVEN a cluster WHEN synthesized THEN a daily plan keeps backups in an encrypted vault in this region', () => {
    const stack = testStack();
    const key = new RegionalDataKey(stack, 'DataKey');
    new ClusterBackup(stack, 'Backup', {
      clusterArn: 'arn:aws:rds:us-east-1:123456789012:cluster:orders',
      encryptionKey: key.key,
    });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Backup::BackupVault', {
      Properties: Match.objectLike({ EncryptionKeyArn: Match.anyValue() }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({
            RuleName: 'Daily',
            Lifecycle: { DeleteAfterDays: 35 },
            CopyActions: Match.absent(),
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({
        Resources: ['arn:aws:rds:us-east-1:123456789012:cluster:orders'],
      }),
    });
  });

  test('rejects a retention under a day', () => {
    const stack = testStack();
    const key = new RegionalDataKey(stack, 'DataKey');
    expect(
      () =>
        new ClusterBackup(stack, 'Backup', {
          clusterArn: 'arn:aws:rds:us-east-1:123456789012:cluster:orders',
          encryptionKey: key.key,
          retention: Duration.hours(1),
        }),
    ).toThrow('retention must be at least 1 day, got: 1 hour');
  });
});
