import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildMultiRegionApp } from '../../lib/multi-region-app';
import { loadTopology } from '../../lib/topology';
import {
  addressOf,
  handler,
  rewriteHost,
  rotationInProgress,
} from '../../constructs/secret-host-handler';
import { AuroraGlobalPrimary } from '../../constructs';
import { SECRET_HOST_RESOURCE_TYPE } from '../../constructs/secret-host';
import { deployedApp } from '../deployed-app';
import { nagFindings, testApp } from '../util';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:g/master-AbCdEf';
const GLOBAL = 'g.global-abc123.global.rds.amazonaws.com';
const sm = mockClient(SecretsManagerClient);

function current(
  value: Record<string, unknown>,
  versions: Record<string, string[]> = { v1: ['AWSCURRENT'] },
) {
  sm.on(DescribeSecretCommand).resolves({ VersionIdsToStages: versions });
  sm.on(GetSecretValueCommand, { SecretId: SECRET, VersionStage: 'AWSCURRENT' }).resolves({
    SecretString: JSON.stringify(value),
  });
  sm.on(PutSecretValueCommand).resolves({});
}

function written(): Record<string, unknown>[] {
  return sm
    .commandCalls(PutSecretValueCommand)
    .map((c) => JSON.parse(c.args[0].input.SecretString as string));
}

beforeEach(() => sm.reset());

describe('the secret host handler rewrites only host', () => {
  const attached = {
    engine: 'postgres',
    username: 'app_admin',
    password: 's3cret',
    host: 'g-us-east-1.cluster-xyz.us-east-1.rds.amazonaws.com',
    port: 5432,
    dbClusterIdentifier: 'g-us-east-1',
  };

  test('GIVEN the attachment wrote the cluster endpoint WHEN created THEN host becomes the global endpoint and everything else stays', async () => {
    current(attached);

    const result = await handler({
      RequestType: 'Create',
      ResourceProperties: { SecretId: SECRET, GlobalEndpoint: { Address: GLOBAL } },
    });

    expect(written()).toEqual([{ ...attached, host: GLOBAL }]);
    expect(sm.commandCalls(PutSecretValueCommand)[0].args[0].input.SecretId).toBe(SECRET);
    expect(result).toEqual({ PhysicalResourceId: `${SECRET}|host`, Data: { Host: GLOBAL } });
  });

  test('GIVEN the host is already the global endpoint WHEN updated THEN no new version is written', async () => {
    current({ ...attached, host: GLOBAL });

    await expect(rewriteHost(new SecretsManagerClient({}), SECRET, GLOBAL)).resolves.toBe(
      'unchanged',
    );
    expect(written()).toEqual([]);
  });

  test('GIVEN a rotation in progress THEN it refuses with what to do, and writes nothing', async () => {
    current(attached, { v1: ['AWSCURRENT'], v2: ['AWSPENDING'] });

    await expect(rewriteHost(new SecretsManagerClient({}), SECRET, GLOBAL)).rejects.toThrow(
      `secret ${SECRET} is being rotated (version v2 is AWSPENDING, not AWSCURRENT); wait for the rotation to finish (aws secretsmanager describe-secret --secret-id ${SECRET}), then deploy again`,
    );
    expect(rotationInProgress('s', 'v')).toBe(
      'secret s is being rotated (version v is AWSPENDING, not AWSCURRENT); wait for the rotation to finish (aws secretsmanager describe-secret --secret-id s), then deploy again',
    );
    expect(written()).toEqual([]);
  });

  test('GIVEN AWSPENDING on the current version (a finished rotation) THEN it rewrites', async () => {
    current(attached, { v1: ['AWSCURRENT', 'AWSPENDING'] });

    await rewriteHost(new SecretsManagerClient({}), SECRET, GLOBAL);
    expect(written()).toEqual([{ ...attached, host: GLOBAL }]);
  });

  test('GIVEN a secret that is not a JSON object THEN it refuses and writes nothing', async () => {
    sm.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { v1: ['AWSCURRENT'] } });
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'plain' });

    await expect(rewriteHost(new SecretsManagerClient({}), SECRET, GLOBAL)).rejects.toThrow(
      `secret ${SECRET} does not hold a JSON object; restore its AWSCURRENT version to the database secret (username, password, host, port, ...) and deploy again`,
    );
    expect(written()).toEqual([]);
  });

  test.each([[undefined], [{}], [{ Address: '' }], ['g.global.rds.amazonaws.com']])(
    'GIVEN GlobalEndpoint %j THEN the error names the value and what to check',
    (value) => {
      expect(() => addressOf(value)).toThrow(
        `GlobalEndpoint must be the global cluster's GlobalEndpoint return value ({"Address": "..."}), got: ${JSON.stringify(value)}; check that the global cluster exists and has a writer, then deploy again`,
      );
    },
  );

  test('GIVEN a delete THEN the secret is left as it is', async () => {
    const result = await handler({
      RequestType: 'Delete',
      PhysicalResourceId: `${SECRET}|host`,
      ResourceProperties: { SecretId: SECRET, GlobalEndpoint: { Address: GLOBAL } },
    });

    expect(result).toEqual({ PhysicalResourceId: `${SECRET}|host` });
    expect(sm.calls()).toHaveLength(0);
  });
});

describe('the master secret host in the synthesized app', () => {
  const app = testApp();
  const stacks = buildMultiRegionApp(
    app,
    loadTopology((key) => app.node.tryGetContext(key)),
  );
  const primary = stacks.regions[0].database;
  const template = Template.fromStack(primary);
  const member = primary.member as AuroraGlobalPrimary;
  const logicalId = (type: string) => Object.keys(template.findResources(type))[0];
  const globalCluster = logicalId('AWS::RDS::GlobalCluster');
  const attachment = logicalId('AWS::SecretsManager::SecretTargetAttachment');
  const cluster = logicalId('AWS::RDS::DBCluster');
  const [hostId, host] = Object.entries(template.findResources(SECRET_HOST_RESOURCE_TYPE))[0];

  test('THEN the host is the GlobalEndpoint return value of the global cluster, for the attached secret', () => {
    expect(host.Properties).toEqual({
      ServiceToken: {
        'Fn::GetAtt': [
          expect.stringMatching(/^CustomDatabaseSecretHostCustomResourceProvider/),
          'Arn',
        ],
      },
      SecretId: { Ref: attachment },
      GlobalEndpoint: { 'Fn::GetAtt': [globalCluster, 'GlobalEndpoint'] },
      // Whatever makes the attachment write the cluster endpoint again makes this run again.
      RewriteAfter: [{ Ref: cluster }],
    });
    template.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', {
      SecretId: Match.anyValue(),
      TargetId: { Ref: cluster },
    });
  });

  test('THEN it runs after the attachment (SecretId is its Ref) and before rotation is scheduled', () => {
    expect(host.Properties.SecretId).toEqual({ Ref: attachment });
    const schedules = Object.values(
      template.findResources('AWS::SecretsManager::RotationSchedule'),
    );
    expect(schedules).toHaveLength(1);
    expect(schedules[0].DependsOn).toContain(hostId);
  });

  test('THEN the outputs publish the host the resource wrote', () => {
    const written = { 'Fn::GetAtt': [hostId, 'Host'] };
    template.hasOutput('GlobalWriterEndpoint', { Value: written });
    expect(primary.resolve(member.globalWriterEndpointAddress)).toEqual(written);
    expect(JSON.stringify(template.toJSON().Outputs.DrillDatabase.Value)).toContain(
      JSON.stringify(written),
    );
  });

  test('THEN its provider may touch only this secret, and its key only through Secrets Manager', () => {
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: { Policies: Match.anyValue() },
    });
    const provider = Object.entries(roles).find(([id]) =>
      id.startsWith('CustomDatabaseSecretHost'),
    );
    expect(provider![1].Properties.Policies[0].PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
        ],
        Resource: { Ref: attachment },
      },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        // This region's data key, a reference to the foundation stack.
        Resource: expect.anything(),
        Condition: {
          StringEquals: {
            'kms:ViaService': {
              'Fn::Join': ['', ['secretsmanager.us-east-1.', { Ref: 'AWS::URLSuffix' }]],
            },
          },
        },
      },
    ]);
  });

  test('THEN the rotation function may go out only to Secrets Manager in its VPC and the database port', () => {
    const group = template.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('^Rotation of the') },
    });
    const egress = Object.values(group)[0].Properties.SecurityGroupEgress as {
      CidrIp: unknown;
      FromPort: number;
    }[];
    expect(
      egress.map((r) => [r.FromPort, typeof r.CidrIp === 'string' ? r.CidrIp : 'VPC']),
    ).toEqual([
      [443, 'VPC'],
      [5432, '10.20.0.0/24'],
      [5432, '10.20.1.0/24'],
    ]);
    // And to the local cluster's group, on its port.
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [Object.keys(group)[0], 'GroupId'] },
      FromPort: 5432,
      ToPort: 5432,
    });
  });

  test('THEN AwsSolutions finds nothing on the new resources', () => {
    expect(
      nagFindings(new AwsSolutionsChecks(), primary).filter((f) => /SecretHost|Rotation/.test(f)),
    ).toEqual([]);
  });
});

describe.each([
  ['two regions', ['us-east-1', 'us-west-2']],
  ['three regions', ['us-east-1', 'us-west-2', 'us-east-2']],
])('the deployed secret with %s', (_name, regions) => {
  test('THEN the host path of the master secret resolves to the global writer endpoint, which discovery publishes', () => {
    const deployment = deployedApp(regions);
    const [global] = deployment.resources('AWS::RDS::GlobalCluster');
    const [secret] = deployment.resources('AWS::SecretsManager::Secret');
    const [host] = deployment.resources(SECRET_HOST_RESOURCE_TYPE);
    const endpoint = (host.properties.GlobalEndpoint as { Address: string }).Address;

    expect(host.properties.SecretId).toBe(secret.physicalId);
    expect(endpoint).toMatch(
      new RegExp(`^${global.physicalId}\\.global-\\w+\\.global\\.rds\\.amazonaws\\.com$`),
    );
    const outputs = deployment.outputsFile()['MultiRegion-Database-us-east-1'];
    expect(outputs.GlobalWriterEndpoint).toBe(endpoint);
    expect(JSON.parse(outputs.DrillDatabase).globalWriterEndpoint).toBe(endpoint);
    // Replicas carry the primary's value: every secondary region is a replica region.
    expect((secret.properties.ReplicaRegions as { Region: string }[]).map((r) => r.Region)).toEqual(
      regions.slice(1),
    );
  });
});
