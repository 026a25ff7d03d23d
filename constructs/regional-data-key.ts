import { Arn, ArnFormat, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { throwIfProblems } from './invalid-props-error';

/** Properties of a {@link RegionalDataKey}. */
export interface RegionalDataKeyProps {
  /**
   * Alias of the key; the same name in every region so that other regions can
   * refer to it without a cross-region token.
   *
   * @default RegionalDataKey.DEFAULT_ALIAS
   */
  readonly aliasName?: string;
  /**
   * Days KMS waits before deleting the key once the stack no longer holds it.
   *
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
}

/**
 * One customer-managed KMS key per region for that region's data: the cluster's
 * storage, Performance Insights, the replicated secret, logs and backups.
 *
 * The key is retained when the stack is deleted (snapshots and backups need it),
 * rotates yearly, and lets CloudWatch Logs in its own region use it.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export class RegionalDataKey extends Construct {
  /** Alias used when none is given. */
  static readonly DEFAULT_ALIAS = 'alias/multi-region-ref/data';

  /**
   * The alias ARN of the key in another region of the same account and partition.
   *
   * KMS and Secrets Manager accept an alias ARN wherever they take a key id, so a
   * stack can name another region's key with a plain string, no cross-region export.
   */
  static aliasArnIn(
    scope: Construct,
    region: string,
    aliasName: string = RegionalDataKey.DEFAULT_ALIAS,
  ): string {
    return Arn.format(
      {
        service: 'kms',
        region,
        account: Stack.of(scope).account,
        resource: aliasName,
        partition: Aws.PARTITION,
      },
      Stack.of(scope),
    );
  }

  /** The key; give it to every construct that stores this region's data. */
  readonly key: kms.Key;
  /** The alias name (same in every region). */
  readonly aliasName: string;
  /** The key's alias, with that fixed name (the drill role names it). */
  readonly alias: kms.Alias;

  constructor(scope: Construct, id: string, props: RegionalDataKeyProps = {}) {
    super(scope, id);
    this.aliasName = props.aliasName ?? RegionalDataKey.DEFAULT_ALIAS;
    if (!this.aliasName.startsWith('alias/') || this.aliasName.startsWith('alias/aws/')) {
      throwIfProblems('RegionalDataKey', this, [
        `aliasName must start with 'alias/' and not 'alias/aws/', got: '${this.aliasName}'`,
      ]);
    }
    this.key = new kms.Key(this, 'Key', {
      description: `Data key for the multi-region reference stack in ${Stack.of(this).region}`,
      enableKeyRotation: true,
      pendingWindow: props.pendingWindow ?? Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The key's first alias (construct id `Alias`, as the `alias` prop would make it).
    this.alias = this.key.addAlias(this.aliasName);
    // Grants only for AWS resources (RDS, Secrets Manager, Backup create their own):
    // nobody can hand the key to an arbitrary principal (Control Tower CT.KMS.PR.3).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyGrantsExceptForAwsServices',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          BoolIfExists: {
            'kms:GrantIsForAWSResource': 'false',
            'aws:PrincipalIsAWSService': 'false',
          },
        },
      }),
    );
    // Encrypted log groups (flow logs, database logs) need the regional Logs service.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsInThisRegion',
        principals: [new iam.ServicePrincipal(`logs.${Stack.of(this).region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt*',
          'kms:Decrypt*',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:Describe*',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': Arn.format(
              {
                service: 'logs',
                resource: 'log-group',
                resourceName: '*',
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              },
              Stack.of(this),
            ),
          },
        },
      }),
    );
  }
}
