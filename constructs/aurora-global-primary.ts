import { Annotations, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  AuroraGlobalMember,
  AuroraGlobalMemberProps,
  acknowledgeInstanceFindings,
  retainInstance,
} from './aurora-global-member';
import { DEFAULT_DATABASE_NAME, masterSecretName } from './contract';
import { acknowledgeFindings } from './nag/acknowledge';
import { DatabaseSecretHost } from './secret-host';
import { SecretRotationAlarms } from './secret-rotation-alarms';

/** Properties of an {@link AuroraGlobalPrimary}. */
export interface AuroraGlobalPrimaryProps extends AuroraGlobalMemberProps {
  /**
   * Reader instances beside the writer.
   *
   * @default 1
   */
  readonly readers?: number;
  /**
   * Name of the database created in the cluster.
   *
   * @default 'app'
   */
  readonly databaseName?: string;
  /**
   * Master user name, stored in the generated secret. Not `postgres` or
   * `admin`: default names are the first ones guessed.
   *
   * @default 'app_admin'
   */
  readonly masterUsername?: string;
  /**
   * Regions the master secret is replicated to, each with that region's key.
   * List every secondary region: a secret that lives only in the primary region
   * is lost with it.
   *
   * @default - no replicas (a warning is added)
   */
  readonly secretReplicaRegions?: secretsmanager.ReplicaRegion[];
  /**
   * How often the master password is rotated.
   *
   * @default Duration.days(30)
   */
  readonly secretRotation?: Duration;
  /**
   * Subnets of the rotation function; they need a route to Secrets Manager
   * (an interface endpoint in an isolated VPC).
   *
   * @default - the cluster's subnets
   */
  readonly rotationSubnets?: ec2.SubnetSelection;
  /**
   * Topic that the rotation alarms notify (failed rotation, rotation function errors).
   *
   * @default - no rotation alarms
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The primary side of an Aurora PostgreSQL global database: the writer cluster,
 * its generated master secret (replicated to the secondary regions) and the
 * `AWS::RDS::GlobalCluster` built from it.
 *
 * Deletion protection, snapshot on delete, storage encryption with this region's
 * key, IAM authentication, PostgreSQL log export, backups, Enhanced Monitoring,
 * Performance Insights and the RDS Data API are on.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-creating.html
 */
export class AuroraGlobalPrimary extends AuroraGlobalMember {
  readonly cluster: rds.DatabaseCluster;
  readonly globalCluster: rds.CfnGlobalCluster;
  /** The generated master secret (username and password), replicated per props. */
  readonly secret: secretsmanager.ISecret;
  /**
   * Aurora's global writer endpoint: it follows the writer after a managed switchover or
   * failover, and is the `host` of the master secret.
   */
  readonly globalWriterEndpointAddress: string;
  /** Security group of the rotation function; other regions' database subnets are added to it. */
  readonly rotationSecurityGroup: ec2.SecurityGroup;
  /** Name of the Lambda function that rotates the master secret (fixed at synth). */
  readonly rotationFunctionName: string;
  /** Alarms on failed rotation, when `alarmTopic` is given. */
  readonly rotationAlarms?: SecretRotationAlarms;

  constructor(scope: Construct, id: string, props: AuroraGlobalPrimaryProps) {
    const readers = props.readers ?? 1;
    super(scope, id, props, {
      constructName: 'AuroraGlobalPrimary',
      readers,
      instanceCount: readers + 1,
      enforceRpoByDefault: true,
      problems: primaryProblems(scope, props),
    });
    const basics = this.basics;
    if (!props.secretReplicaRegions?.length) {
      Annotations.of(this).addWarningV2(
        'multi-region:secret-not-replicated',
        'secretReplicaRegions is empty: the master secret lives only in the primary region and is lost with it',
      );
    }
    for (const replica of props.secretReplicaRegions ?? []) {
      if (!replica.encryptionKey) {
        Annotations.of(this).addWarningV2(
          'multi-region:secret-replica-default-key',
          `secret replica in ${replica.region} uses the AWS managed key; give it that region's own key`,
        );
      }
    }

    const instanceProps = (name: string): rds.ProvisionedClusterInstanceProps => ({
      instanceType: basics.instanceType,
      instanceIdentifier: `${basics.clusterIdentifier}-${name.toLowerCase()}`,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: props.encryptionKey,
      // Minor upgrades are rolled through the global cluster in one step so that
      // every region keeps the identical engine version.
      autoMinorVersionUpgrade: false,
      publiclyAccessible: false,
    });

    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: basics.engine,
      clusterIdentifier: basics.clusterIdentifier,
      credentials: rds.Credentials.fromGeneratedSecret(props.masterUsername ?? 'app_admin', {
        encryptionKey: props.encryptionKey,
        replicaRegions: props.secretReplicaRegions,
        secretName: masterSecretName(props.globalClusterIdentifier),
      }),
      defaultDatabaseName: props.databaseName ?? DEFAULT_DATABASE_NAME,
      writer: rds.ClusterInstance.provisioned('Writer', instanceProps('Writer')),
      readers: Array.from({ length: readers }, (_, i) =>
        rds.ClusterInstance.provisioned(`Reader${i + 1}`, {
          ...instanceProps(`Reader${i + 1}`),
          promotionTier: 1,
        }),
      ),
      vpc: props.vpc,
      vpcSubnets: basics.vpcSubnets,
      subnetGroup: basics.subnetGroup,
      securityGroups: [basics.securityGroup],
      port: basics.port,
      parameterGroup: basics.parameterGroup,
      storageEncrypted: true,
      storageEncryptionKey: props.encryptionKey,
      iamAuthentication: true,
      enableDataApi: true,
      deletionProtection: true,
      removalPolicy: basics.removalPolicy,
      copyTagsToSnapshot: true,
      cloudwatchLogsExports: ['postgresql'],
      backup: { retention: basics.backupRetention },
      monitoringInterval: basics.monitoringInterval,
      monitoringRole: basics.monitoringRole,
    });
    this.cluster.node.defaultChild!.node.addDependency(basics.logGroup);
    this.attachCluster({
      clusterArn: this.cluster.clusterArn,
      readerEndpointAddress: this.cluster.clusterReadEndpoint.hostname,
      clusterEndpointAddress: this.cluster.clusterEndpoint.hostname,
      clusterResourceIdentifier: this.cluster.clusterResourceIdentifier,
    });
    acknowledgeFindings(
      this.cluster,
      ['cdk-validator-cfnguard::rds_cluster_default_admin_check'],
      `MasterUsername is a dynamic reference to the generated secret, which cfn-guard cannot read; the secret's user name is '${props.masterUsername ?? 'app_admin'}', not admin or postgres.`,
    );
    this.secret = this.cluster.secret!;
    // Snapshots taken on delete are useless without the password that opens them.
    (this.cluster.node.findChild('Secret') as secretsmanager.Secret).applyRemovalPolicy(
      RemovalPolicy.RETAIN,
    );
    // Single-user rotation through the VPC's Secrets Manager endpoint; the new
    // password replicates to every secret replica. Its group allows out only what rotation
    // needs: the Secrets Manager endpoint in this VPC and the database port (the local cluster
    // here, other regions' database subnets where the writer may move, added by the app).
    this.rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: props.vpc,
      description: `Rotation of the ${props.globalClusterIdentifier} master secret: out to Secrets Manager and the database port only`,
      allowAllOutbound: false,
    });
    this.rotationSecurityGroup.addEgressRule(
      ec2.Peer.ipv4(props.vpc.vpcCidrBlock),
      ec2.Port.tcp(443),
      'Secrets Manager interface endpoint in this VPC',
    );
    const rotation = new secretsmanager.SecretRotation(this, 'SecretRotation', {
      application: secretsmanager.SecretRotationApplication.POSTGRES_ROTATION_SINGLE_USER,
      secret: this.secret,
      target: { connections: basics.connections },
      vpc: props.vpc,
      vpcSubnets: props.rotationSubnets ?? basics.vpcSubnets,
      securityGroup: this.rotationSecurityGroup,
      automaticallyAfter: props.secretRotation ?? Duration.days(30),
    });
    // SecretRotation names the function after the last 64 characters of its unique id.
    const rotationId = Names.uniqueId(rotation);
    this.rotationFunctionName = rotationId.slice(Math.max(rotationId.length - 64, 0));
    if (props.alarmTopic) {
      this.rotationAlarms = new SecretRotationAlarms(this, 'RotationAlarms', {
        rotationFunctionName: this.rotationFunctionName,
        alarmTopic: props.alarmTopic,
      });
    }
    for (const instance of this.cluster.node.findAll()) {
      if (!(instance instanceof rds.CfnDBInstance)) continue;
      acknowledgeInstanceFindings(instance);
      // aws-rds gives cluster instances DeletionPolicy Delete whatever the cluster's policy.
      retainInstance(instance);
    }

    this.globalCluster = new rds.CfnGlobalCluster(this, 'GlobalCluster', {
      globalClusterIdentifier: props.globalClusterIdentifier,
      // Engine, version and encryption come from the source cluster.
      sourceDbClusterIdentifier: this.cluster.clusterArn,
      deletionProtection: true,
    });
    this.globalCluster.applyRemovalPolicy(RemovalPolicy.RETAIN);
    // The secret's host: the global writer endpoint instead of this cluster's endpoint, written
    // after the attachment (and again whenever the attachment would write), before rotation is
    // scheduled, so rotation follows the writer after a switchover.
    const attachment = this.cluster.node.findChild('Secret').node.findChild('Attachment');
    const secretHost = new DatabaseSecretHost(this, 'SecretHost', {
      // The attachment (its Ref is the secret's ARN): the host is written after it.
      secret: this.secret,
      encryptionKey: props.encryptionKey,
      globalEndpoint: this.globalCluster.attrGlobalEndpoint,
      rewriteWhenChanged: [this.cluster.clusterIdentifier],
    });
    this.globalWriterEndpointAddress = secretHost.host;
    for (const schedule of attachment.node.findAll()) {
      if (schedule instanceof secretsmanager.CfnRotationSchedule) {
        schedule.node.addDependency(secretHost.resource);
      }
    }
  }
}

/** The primary's own problems (the shared ones are the base's). */
function primaryProblems(scope: Construct, props: AuroraGlobalPrimaryProps): string[] {
  const problems: string[] = [];
  const region = Stack.of(scope).region;
  for (const replica of props.secretReplicaRegions ?? []) {
    if (replica.region === region) {
      problems.push(
        `secretReplicaRegions must not include the primary region itself, got: ${region}`,
      );
    }
  }
  if (
    props.masterUsername !== undefined &&
    ['admin', 'postgres'].includes(props.masterUsername.toLowerCase())
  ) {
    problems.push(
      `masterUsername must not be a default name such as admin or postgres, got: '${props.masterUsername}'`,
    );
  }
  return problems;
}
