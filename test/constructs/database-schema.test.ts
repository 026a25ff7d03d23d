import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as rds from 'aws-cdk-lib/aws-rds';
import {
  AuroraGlobalPrimary,
  DatabaseSchema,
  DatabaseSchemaProps,
  RegionalDataKey,
  RegionalNetwork,
} from '../../constructs';
import { databaseSchemaSql } from '../../constructs/database-schema';
import { nagFindings, stockPacks, testStack } from '../util';

function schemaStack(extra: Partial<DatabaseSchemaProps> = {}): {
  stack: Stack;
  schema: DatabaseSchema;
} {
  const stack = testStack('us-east-1');
  const key = new RegionalDataKey(stack, 'DataKey');
  const network = new RegionalNetwork(stack, 'Network', { encryptionKey: key.key });
  const primary = new AuroraGlobalPrimary(stack, 'Db', {
    vpc: network.vpc,
    encryptionKey: key.key,
    globalClusterIdentifier: 'orders-global',
    engineVersion: rds.AuroraPostgresEngineVersion.of('16.6', '16'),
    rpo: Duration.seconds(30),
    secretReplicaRegions: [{ region: 'us-west-2' }],
  });
  const schema = new DatabaseSchema(stack, 'Schema', {
    cluster: primary.cluster,
    masterSecret: primary.secret,
    encryptionKey: key.key,
    ...extra,
  });
  return { stack, schema };
}

/** A Fn::Join of the custom resource's call, with every token written as <LogicalId>. */
function callOf(joined: unknown): Record<string, unknown> {
  const parts = (joined as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const text = parts
    .map((p) => (typeof p === 'string' ? p : `<${(p as { Ref: string }).Ref}>`))
    .join('');
  return JSON.parse(text);
}

describe('DatabaseSchema', () => {
  const { stack } = schemaStack();
  const template = Template.fromStack(stack);
  const [[logicalId, resource]] = Object.entries(template.findResources('Custom::AWS'));

  test('THEN one custom resource runs the schema SQL through the Data API on create and on update, as the master user', () => {
    const expected = {
      service: 'RDSData',
      action: 'executeStatement',
      parameters: {
        resourceArn: `arn:aws:rds:us-east-1:123456789012:cluster:<${template.getResourceId('AWS::RDS::DBCluster')}>`,
        secretArn: `<${template.getResourceId('AWS::SecretsManager::SecretTargetAttachment')}>`,
        database: 'app',
        sql: databaseSchemaSql('app', 'health_check', 20),
      },
      physicalResourceId: { id: 'health-schema-health_check' },
      outputPaths: ['numberOfRecordsUpdated'],
    };
    expect(callOf(resource.Properties.Create)).toEqual(expected);
    expect(callOf(resource.Properties.Update)).toEqual(expected);
    expect(resource.Properties.Delete).toBeUndefined();
    expect(logicalId).toMatch(/^SchemaApply/);
  });

  test('THEN the SQL creates the login roles with rds_iam, the heartbeat table and the items tables, idempotently', () => {
    expect(databaseSchemaSql('app', 'health_check', 20)).toBe(
      [
        'DO $$',
        'BEGIN',
        "  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'health_check') THEN",
        '    CREATE ROLE health_check LOGIN;',
        '  END IF;',
        '  ALTER ROLE health_check LOGIN CONNECTION LIMIT 20;',
        "  ALTER ROLE health_check SET statement_timeout = '2s';",
        '  GRANT rds_iam TO health_check;',
        '  GRANT CONNECT ON DATABASE app TO health_check;',
        '  CREATE TABLE IF NOT EXISTS public.health_heartbeat (region text PRIMARY KEY, beat_at timestamptz NOT NULL);',
        '  GRANT SELECT, INSERT, UPDATE ON public.health_heartbeat TO health_check;',
        "  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'items_api') THEN",
        '    CREATE ROLE items_api LOGIN;',
        '  END IF;',
        '  ALTER ROLE items_api LOGIN CONNECTION LIMIT 50;',
        "  ALTER ROLE items_api SET statement_timeout = '8s';",
        '  GRANT rds_iam TO items_api;',
        '  GRANT CONNECT ON DATABASE app TO items_api;',
        '  CREATE TABLE IF NOT EXISTS public.items (id text PRIMARY KEY, body jsonb NOT NULL, updated_at timestamptz NOT NULL, written_via text NOT NULL);',
        '  CREATE TABLE IF NOT EXISTS public.item_requests (idempotency_key text PRIMARY KEY, item_id text NOT NULL, request_sha256 text NOT NULL, result jsonb, created_at timestamptz NOT NULL DEFAULT now());',
        '  GRANT SELECT, INSERT, UPDATE ON public.items, public.item_requests TO items_api;',
        '  GRANT SELECT ON public.health_heartbeat TO items_api;',
        'END',
        '$$;',
      ].join('\n'),
    );
  });

  test('THEN it runs after the writer instance exists', () => {
    const writer = template.getResourceId('AWS::RDS::DBInstance', {
      Properties: { DBInstanceIdentifier: 'orders-global-us-east-1-writer' },
    });
    expect(resource.DependsOn).toContain(writer);
  });

  test('THEN its provider may run the one statement, read and decrypt the master secret and write its own logs, nothing else', () => {
    const policies = template.findResources('AWS::IAM::ManagedPolicy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^SchemaProviderRole') }] },
    });
    expect(Object.keys(policies)).toHaveLength(1);
    const statements = Object.values(policies)[0].Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Sid: 'RunSchemaSql',
        Effect: 'Allow',
        Action: 'rds-data:ExecuteStatement',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:aws:rds:us-east-1:123456789012:cluster:',
              { Ref: template.getResourceId('AWS::RDS::DBCluster') },
            ],
          ],
        },
      },
      {
        Sid: 'ReadMasterSecret',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: template.getResourceId('AWS::SecretsManager::SecretTargetAttachment') },
      },
      {
        Sid: 'DecryptMasterSecret',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] },
        Condition: {
          StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' },
        },
      },
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SchemaLogs/), 'Arn'] },
      },
    ]);
    const role = Object.values(
      template.findResources('AWS::IAM::Role', {
        Properties: { Description: Match.stringLikeRegexp('heartbeat table') },
      }),
    )[0];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
  });

  test('THEN every stock pack is satisfied', () => {
    for (const pack of stockPacks()) {
      expect(nagFindings(pack, stack)).toEqual([]);
    }
  });
});

describe('DatabaseSchema bad props', () => {
  test.each<[string, Partial<DatabaseSchemaProps>, string]>([
    [
      'a user name that SQL would need to quote',
      { healthUser: 'health-check' },
      "healthUser must be a plain PostgreSQL name of lower-case letters, digits and _ (at most 63), got: 'health-check'",
    ],
    [
      'a database name with a quote',
      { databaseName: "app'; DROP" },
      "databaseName must be a plain PostgreSQL name of lower-case letters, digits and _ (at most 63), got: 'app'; DROP'",
    ],
    [
      'no connections for the role',
      { healthUserConnectionLimit: 0 },
      'healthUserConnectionLimit must be a whole number from 1 to 100, got: 0',
    ],
  ])('rejects %s', (_name, extra, message) => {
    expect(() => schemaStack(extra)).toThrow(`DatabaseSchema Test-us-east-1/Schema: ${message}`);
  });
});
