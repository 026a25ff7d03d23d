import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeCrossStackLogKey } from './aurora-global-member';
import { DEFAULT_DATABASE_NAME, HEALTH_DB_USER, HEARTBEAT_TABLE } from './handlers/health-contract';
import {
  ITEM_REQUESTS_TABLE,
  ITEMS_DB_USER,
  ITEMS_TABLE,
  ITEMS_TIMEOUTS_MS,
} from './handlers/items-contract';
import { throwIfProblems } from './invalid-props-error';
import {
  acknowledgeFindings,
  explainGuardRules,
  inPacks,
  REGULATORY_PACKS,
} from './nag/acknowledge';

/** Properties of a {@link DatabaseSchema}. */
export interface DatabaseSchemaProps {
  /** The global database's writer cluster, with the RDS Data API enabled. */
  readonly cluster: rds.IDatabaseCluster;
  /** The master user's secret, which the Data API signs in with. */
  readonly masterSecret: secretsmanager.ISecret;
  /** The key that encrypts the master secret (and this construct's log group). */
  readonly encryptionKey: kms.IKey;
  /**
   * The database the role may connect to and the heartbeat table lives in.
   *
   * @default 'app'
   */
  readonly databaseName?: string;
  /**
   * The health function's login role.
   *
   * @default 'health_check'
   */
  readonly healthUser?: string;
  /**
   * Most connections the health role may hold at once, so probes that pile up behind a
   * blocked commit cannot take the cluster's connections.
   *
   * @default 20
   */
  readonly healthUserConnectionLimit?: number;
  /**
   * The items function's login role: it may read and write the items and their idempotency
   * records, and read the heartbeat table (its staleness bound).
   *
   * @default 'items_api'
   */
  readonly itemsUser?: string;
  /**
   * Retention of the custom resource function's log.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

const IDENTIFIER = /^[a-z_][a-z0-9_$]{0,62}$/;

/**
 * The SQL the construct runs: one idempotent block, safe to run again on every update. The
 * names are checked against IDENTIFIER before they reach it.
 */
export function databaseSchemaSql(
  databaseName: string,
  user: string,
  connectionLimit: number,
  itemsUser: string = ITEMS_DB_USER,
): string {
  const login = (role: string, limit: number, timeout: string): string[] => [
    `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${role}') THEN`,
    `    CREATE ROLE ${role} LOGIN;`,
    '  END IF;',
    `  ALTER ROLE ${role} LOGIN CONNECTION LIMIT ${limit};`,
    // The server gives up too when the function has stopped waiting.
    `  ALTER ROLE ${role} SET statement_timeout = '${timeout}';`,
    // IAM database authentication instead of a password (Aurora User Guide, "Creating a
    // database account using IAM authentication", PostgreSQL: GRANT rds_iam).
    `  GRANT rds_iam TO ${role};`,
    `  GRANT CONNECT ON DATABASE ${databaseName} TO ${role};`,
  ];
  return [
    'DO $$',
    'BEGIN',
    ...login(user, connectionLimit, '2s'),
    `  CREATE TABLE IF NOT EXISTS ${HEARTBEAT_TABLE} (region text PRIMARY KEY, beat_at timestamptz NOT NULL);`,
    `  GRANT SELECT, INSERT, UPDATE ON ${HEARTBEAT_TABLE} TO ${user};`,
    // The items API: one row per item; one per acknowledged write's Idempotency-Key, with the
    // hash of the request it was first used for and the committed row it returned.
    ...login(itemsUser, 50, `${ITEMS_TIMEOUTS_MS.commit.max / 1000}s`),
    `  CREATE TABLE IF NOT EXISTS ${ITEMS_TABLE} (id text PRIMARY KEY, body jsonb NOT NULL, updated_at timestamptz NOT NULL, written_via text NOT NULL);`,
    `  CREATE TABLE IF NOT EXISTS ${ITEM_REQUESTS_TABLE} (idempotency_key text PRIMARY KEY, item_id text NOT NULL, request_sha256 text NOT NULL, result jsonb, created_at timestamptz NOT NULL DEFAULT now());`,
    `  GRANT SELECT, INSERT, UPDATE ON ${ITEMS_TABLE}, ${ITEM_REQUESTS_TABLE} TO ${itemsUser};`,
    `  GRANT SELECT ON ${HEARTBEAT_TABLE} TO ${itemsUser};`,
    'END',
    '$$;',
  ].join('\n');
}

/**
 * What the health function needs inside the database, created once at deploy time in the
 * primary region: its login role (granted `rds_iam`, no password) and the heartbeat table.
 * Storage replication carries both to every secondary.
 *
 * A custom resource runs one idempotent SQL block through the RDS Data API with the master
 * secret, on create and on every update; nothing is dropped on delete (the role and table
 * are tiny, and dropping them could break a running health function).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.html
 */
export class DatabaseSchema extends Construct {
  /** The custom resource; depend on it to run after the schema exists. */
  readonly resource: cr.AwsCustomResource;
  readonly healthUser: string;
  readonly itemsUser: string;
  readonly databaseName: string;

  constructor(scope: Construct, id: string, props: DatabaseSchemaProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.databaseName = props.databaseName ?? DEFAULT_DATABASE_NAME;
    this.healthUser = props.healthUser ?? HEALTH_DB_USER;
    this.itemsUser = props.itemsUser ?? ITEMS_DB_USER;
    const connectionLimit = props.healthUserConnectionLimit ?? 20;

    const problems: string[] = [];
    for (const [name, value] of [
      ['databaseName', this.databaseName],
      ['healthUser', this.healthUser],
      ['itemsUser', this.itemsUser],
    ]) {
      if (Token.isUnresolved(value) || !IDENTIFIER.test(value)) {
        problems.push(
          `${name} must be a plain PostgreSQL name of lower-case letters, digits and _ (at most 63), got: '${value}'`,
        );
      }
    }
    if (!Number.isInteger(connectionLimit) || connectionLimit < 1 || connectionLimit > 100) {
      problems.push(
        `healthUserConnectionLimit must be a whole number from 1 to 100, got: ${connectionLimit}`,
      );
    }
    throwIfProblems('DatabaseSchema', this, problems);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeCrossStackLogKey(logGroup, props.encryptionKey);

    const call: cr.AwsSdkCall = {
      service: 'RDSData',
      action: 'executeStatement',
      parameters: {
        resourceArn: props.cluster.clusterArn,
        secretArn: props.masterSecret.secretArn,
        database: this.databaseName,
        sql: databaseSchemaSql(this.databaseName, this.healthUser, connectionLimit, this.itemsUser),
      },
      physicalResourceId: cr.PhysicalResourceId.of(`health-schema-${this.healthUser}`),
      // The block returns no rows; keep the response out of the custom resource's data.
      outputPaths: ['numberOfRecordsUpdated'],
    };
    // Aurora User Guide, "Authorizing access to the Amazon RDS Data API": ExecuteStatement on
    // the cluster and GetSecretValue on the secret it signs in with. Secrets Manager decrypts a
    // secret under a customer managed key with the caller's kms:Decrypt, through the service
    // (AWS Secrets Manager User Guide, "Secret encryption and decryption").
    const role = new iam.Role(this, 'ProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Creates the health function's database role and heartbeat table in ${stack.region}`,
    });
    const policy = new iam.ManagedPolicy(this, 'ProviderPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'RunSchemaSql',
          actions: ['rds-data:ExecuteStatement'],
          resources: [props.cluster.clusterArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadMasterSecret',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.masterSecret.secretArn],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptMasterSecret',
          actions: ['kms:Decrypt'],
          resources: [props.encryptionKey.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` },
          },
        }),
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      ],
    });
    this.resource = new cr.AwsCustomResource(this, 'Apply', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      timeout: Duration.minutes(2),
      logGroup,
      // A role of our own with a managed policy: no inline policy, no AWS managed policy.
      role,
    });
    this.resource.node.addDependency(policy);
    // The Data API answers only once the writer instance is up. The instances only: the
    // call already names the cluster and the secret, which orders those.
    for (const instance of props.cluster.node.findAll()) {
      if (instance instanceof rds.CfnDBInstance) this.resource.node.addDependency(instance);
    }
    this.acknowledgeProvider(stack);
  }

  /** The provider function aws-cdk-lib shares across a stack's AwsCustomResources. */
  private acknowledgeProvider(stack: Stack): void {
    // SingletonFunction names it lambdaPurpose ('AWS') + the UUID without hyphens.
    const provider = stack.node.tryFindChild(
      `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`,
    );
    if (!provider) return;
    const runsOnDeploy =
      'The provider function of this AwsCustomResource runs only when CloudFormation creates or updates the schema resource';
    const reasons = {
      dlq: `${runsOnDeploy}; CloudFormation invokes it synchronously and fails the deployment on an error, so a dead-letter queue would hold an event nobody acts on.`,
      concurrency: `${runsOnDeploy}; a reservation would take from the unreserved pool for a function that runs once per deployment.`,
      vpc: `${runsOnDeploy}; it calls only the RDS Data API and Secrets Manager over their public HTTPS endpoints, and the isolated VPCs have no Data API endpoint.`,
    };
    acknowledgeFindings(
      provider,
      inPacks('LambdaDLQ', ['NIST.800.53.R5', 'HIPAA.Security']),
      reasons.dlq,
    );
    acknowledgeFindings(
      provider,
      inPacks('LambdaConcurrency', ['NIST.800.53.R5', 'HIPAA.Security']),
      reasons.concurrency,
    );
    acknowledgeFindings(
      provider,
      [
        ...inPacks('LambdaInsideVPC', REGULATORY_PACKS),
        'cdk-validator-cfnguard::lambda_inside_vpc_check',
      ],
      reasons.vpc,
    );
    // The same findings from the Guard registry's rule sets, which read template metadata.
    const fn = provider.node.defaultChild;
    if (fn instanceof lambda.CfnFunction) {
      explainGuardRules(fn, ['LAMBDA_DLQ_CHECK'], reasons.dlq);
      explainGuardRules(fn, ['LAMBDA_CONCURRENCY_CHECK'], reasons.concurrency);
      explainGuardRules(fn, ['LAMBDA_INSIDE_VPC'], reasons.vpc);
    }
  }
}
