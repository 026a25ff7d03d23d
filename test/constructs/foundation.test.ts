import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ClusterBackup, RegionalDataKey, RegionalNetwork } from '../../constructs';
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
