import { Arn, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { drillLockParameterName } from '../runbooks/drill/lock-name';
import { acknowledgeFindings } from './nag/acknowledge';
import { InvalidPropsError } from './invalid-props-error';

/** One region's drill targets. */
export interface DrillRegion {
  readonly region: string;
  /** Identifier of the region's Aurora cluster. */
  readonly clusterIdentifier: string;
}

/** Properties of a {@link DrillOperatorRole}. */
export interface DrillOperatorRoleProps {
  /** Fixed identifier of the global cluster. */
  readonly globalClusterIdentifier: string;
  /** Every region of the global database. */
  readonly regions: readonly DrillRegion[];
  /** Name of the drain switch parameter in every region. */
  readonly drainParameterName: string;
  /** Name of the master secret (replicas share it). */
  readonly secretName: string;
  /** Alias of the regional keys that encrypt the secret. */
  readonly keyAliasName: string;
  /** The public hosted zone of the traffic records. */
  readonly hostedZone: route53.IHostedZone;
  /** Every health check the drill reads. */
  readonly healthChecks: readonly route53.IHealthCheck[];
  /**
   * Who may assume the role.
   *
   * @default - IAM principals of this account that are allowed to assume it
   */
  readonly assumedBy?: iam.IPrincipal;
  /**
   * Longest session; a drill with its waits fits in it.
   *
   * @default Duration.hours(4)
   */
  readonly maxSessionDuration?: Duration;
}

/**
 * The role SREs assume to run the drill CLI: exactly the actions the drill
 * calls, each on the project's own resources where IAM supports it.
 *
 * A test compares the policy's actions with the drill's own operation table,
 * so the two cannot drift apart.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
export class DrillOperatorRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DrillOperatorRoleProps) {
    super(scope, id);
    if (props.regions.length === 0) {
      throw new InvalidPropsError('DrillOperatorRole needs at least one region, got none');
    }
    const stack = Stack.of(this);
    const arn = (
      service: string,
      region: string,
      resource: string,
      resourceName: string,
      sep = ArnFormat.COLON_RESOURCE_NAME,
    ) => Arn.format({ service, region, resource, resourceName, arnFormat: sep }, stack);
    const clusters = props.regions.map((r) => arn('rds', r.region, 'cluster', r.clusterIdentifier));
    const globalCluster = arn('rds', '', 'global-cluster', props.globalClusterIdentifier);
    const drainSwitches = props.regions.map((r) =>
      arn(
        'ssm',
        r.region,
        'parameter',
        props.drainParameterName.replace(/^\//, ''),
        ArnFormat.SLASH_RESOURCE_NAME,
      ),
    );
    const drillLocks = props.regions.map((r) =>
      arn(
        'ssm',
        r.region,
        'parameter',
        drillLockParameterName(props.drainParameterName).replace(/^\//, ''),
        ArnFormat.SLASH_RESOURCE_NAME,
      ),
    );
    // Secrets Manager appends six random characters to a secret's name in its ARN.
    const secrets = props.regions.map((r) =>
      arn('secretsmanager', r.region, 'secret', `${props.secretName}-??????`),
    );

    const statements = [
      statement('ReadGlobalCluster', ['rds:DescribeGlobalClusters'], [globalCluster]),
      statement('ReadMembers', ['rds:DescribeDBClusters'], clusters),
      statement(
        'MoveWriter',
        ['rds:SwitchoverGlobalCluster', 'rds:FailoverGlobalCluster'],
        [globalCluster, ...clusters],
      ),
      statement('CanaryWrites', ['rds-data:ExecuteStatement'], clusters),
      statement('ReadDatabaseSecret', ['secretsmanager:GetSecretValue'], secrets),
      new iam.PolicyStatement({
        sid: 'DecryptSecretThroughSecretsManager',
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': props.keyAliasName },
          StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' },
        },
      }),
      statement('DrainSwitches', ['ssm:GetParameter', 'ssm:PutParameter'], drainSwitches),
      statement(
        'DrillLock',
        ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter'],
        drillLocks,
      ),
      statement(
        'ReadHealthChecks',
        ['route53:GetHealthCheckStatus'],
        props.healthChecks.map(
          (c) => `arn:${stack.partition}:route53:::healthcheck/${c.healthCheckId}`,
        ),
      ),
      statement(
        'ReadRecords',
        ['route53:ListResourceRecordSets'],
        [props.hostedZone.hostedZoneArn],
      ),
      // These actions support no resource-level permissions.
      statement(
        'NoResourceLevel',
        ['route53:TestDNSAnswer', 'cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms'],
        ['*'],
      ),
    ];
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: "Exactly the calls the drill CLI makes, on this project's resources",
      statements,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: props.assumedBy ?? new iam.AccountRootPrincipal(),
      description: 'Assumed by SREs to run failover drills (runbooks/drill)',
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(4),
      managedPolicies: [policy],
    });
    acknowledgeFindings(
      policy,
      ['AwsSolutions-IAM5[Resource::*]'],
      'TestDNSAnswer, GetMetricData and DescribeAlarms support no resource-level permissions, and kms:Decrypt is limited by the key alias and the Secrets Manager service condition.',
    );
  }
}

function statement(sid: string, actions: string[], resources: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions, resources });
}
