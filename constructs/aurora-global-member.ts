import {
  Annotations,
  Arn,
  ArnFormat,
  CfnResource,
  Duration,
  IResource,
  RemovalPolicy,
  Resource,
  ResourceProps,
  Stack,
  Token,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct, IConstruct } from 'constructs';
import { GlobalDatabaseMetrics, LagKind } from './global-database-metrics';
import { throwIfProblems } from './invalid-props-error';
import { MAX_GLOBAL_CLUSTER_IDENTIFIER_LENGTH, isGlobalClusterIdentifier } from './contract';
import { clusterParameterGroupNameOf, managedRpoParameters } from './managed-rpo';
import { acknowledgeFindings, inPacks } from './nag/acknowledge';

/** Settings every member of an Aurora PostgreSQL global database shares. */
export interface AuroraGlobalMemberProps {
  /** VPC of the cluster. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the cluster's DB subnet group.
   *
   * @default - the VPC's isolated subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** This region's KMS key: storage, Performance Insights and database logs. */
  readonly encryptionKey: kms.IKey;
  /**
   * Fixed identifier of the global cluster, a plain string in every region so
   * that no cross-region token is needed.
   */
  readonly globalClusterIdentifier: string;
  /**
   * Identifier of this region's cluster. Renaming it replaces the cluster.
   *
   * @default - `${globalClusterIdentifier}-${region}`
   */
  readonly clusterIdentifier?: string;
  /** Engine version; must be identical in every region of the global database. */
  readonly engineVersion: rds.AuroraPostgresEngineVersion;
  /**
   * Instance type of every instance; global databases do not support T classes.
   *
   * @default ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE)
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Automated backup retention.
   *
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;
  /**
   * Enhanced Monitoring interval (1, 5, 10, 15, 30 or 60 seconds).
   *
   * @default Duration.seconds(60)
   */
  readonly monitoringInterval?: Duration;
  /**
   * Retention of the exported PostgreSQL log.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What CloudFormation does with the cluster when it leaves the stack.
   * DESTROY is refused: a global database member holds production data.
   * The cluster's instances are retained whatever this is (see {@link retainInstance}).
   *
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Database port.
   *
   * @default 5432
   */
  readonly port?: number;
  /**
   * Recovery point objective of the global database (`rds.global_db_rpo`,
   * Aurora PostgreSQL only, at least 20 seconds). Give the same value in every
   * region; whether this member's parameter group enforces it is `enforceRpo`.
   *
   * @default - no managed RPO (a warning is added)
   */
  readonly rpo?: Duration;
  /**
   * Whether this cluster's parameter group sets `rds.global_db_rpo` to `rpo`
   * at deploy. Aurora reads the setting of the writer's group, so a
   * secondary's setting takes effect when it takes the writer, also after an
   * unplanned failover that lost the old writer. Decide it with
   * `managedRpoPolicy`; the drill CLI moves it as the roles change.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html#aurora-global-database-manage-recovery
   * @default - the primary: true when `rpo` is set; a secondary: false (with
   *   two regions, an unplanned failover to it leaves no secondary that could
   *   satisfy the RPO, and every commit would block)
   */
  readonly enforceRpo?: boolean;
  /**
   * Extra cluster parameters, merged over the defaults (`rds.force_ssl` = 1).
   *
   * @default - none
   */
  readonly parameters?: Record<string, string>;
}

/** What a member is known by at synth time: plain strings and numbers, never tokens. */
export interface AuroraGlobalMemberIdentity {
  /** Identifier of this region's cluster (fixed, known at synth time). */
  readonly clusterIdentifier: string;
  /** Fixed identifier of the global cluster. */
  readonly globalClusterIdentifier: string;
  /** Database port. */
  readonly port: number;
  /** Number of instances in this region (0: headless). */
  readonly instanceCount: number;
  /** Name of this cluster's parameter group (fixed: the drill sets and clears the RPO in it). */
  readonly clusterParameterGroupName: string;
}

/** What both sides of a global database expose to the rest of an app. */
export interface IAuroraGlobalMember extends IResource, AuroraGlobalMemberIdentity {
  /** ARN of this region's cluster. */
  readonly clusterArn: string;
  /** Security group of the cluster; allow clients through `connections`. */
  readonly connections: ec2.Connections;
  /** Reader endpoint host name of this region's cluster. */
  readonly readerEndpointAddress: string;
  /** Cluster (writer) endpoint host name of this region's cluster. */
  readonly clusterEndpointAddress: string;
  /** Resource id of this region's cluster (`cluster-...`), as IAM database authentication names it. */
  readonly clusterResourceIdentifier: string;

  /**
   * One of this cluster's global-database lag metrics (ms, one-minute maximum), in the
   * cluster's region. Aurora publishes lag only while the cluster is a secondary.
   */
  metricLag(kind: LagKind, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** `AuroraGlobalDBReplicationLag` of this cluster. */
  metricReplicationLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** `AuroraGlobalDBRPOLag` of this cluster. */
  metricRpoLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** `AuroraGlobalDBProgressLag` of this cluster (recent engine versions only). */
  metricProgressLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Lets `grantee` sign in to this cluster as `dbUser` with IAM database authentication. */
  grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant;
  /**
   * Lets `grantee` run SQL on this cluster through the RDS Data API. The caller also needs
   * to read the database secret it passes; the API answers only on the writer's cluster.
   */
  grantDataApiAccess(grantee: iam.IGrantable): iam.Grant;
}

/** What a member built elsewhere (another app, another stack) is known by. */
export interface AuroraGlobalMemberAttributes extends Pick<
  AuroraGlobalMemberIdentity,
  'clusterIdentifier' | 'globalClusterIdentifier' | 'instanceCount'
> {
  /**
   * Region of the cluster.
   *
   * @default - the region of the stack it is imported into
   */
  readonly region?: string;
  /** Resource id of the cluster (`cluster-...`). */
  readonly clusterResourceIdentifier: string;
  /** Cluster (writer) endpoint host name. */
  readonly clusterEndpointAddress: string;
  /** Reader endpoint host name. */
  readonly readerEndpointAddress: string;
  /** Security groups of the cluster. */
  readonly securityGroups: readonly ec2.ISecurityGroup[];
  /**
   * Database port.
   *
   * @default 5432
   */
  readonly port?: number;
  /**
   * Name of the cluster's parameter group.
   *
   * @default - the name the member constructs give it (`<clusterIdentifier>-params`)
   */
  readonly clusterParameterGroupName?: string;
}

/**
 * The metric and grant methods every member has, owned or imported: each is derived from
 * the member's identifiers, so it works the same in another stack or another app.
 */
abstract class AuroraGlobalMemberBase extends Resource implements IAuroraGlobalMember {
  readonly clusterIdentifier: string;
  readonly globalClusterIdentifier: string;
  readonly port: number;
  readonly instanceCount: number;
  readonly clusterParameterGroupName: string;

  // Known once the cluster (or its import) exists.
  abstract readonly clusterArn: string;
  abstract readonly connections: ec2.Connections;
  abstract readonly readerEndpointAddress: string;
  abstract readonly clusterEndpointAddress: string;
  abstract readonly clusterResourceIdentifier: string;

  protected constructor(
    scope: Construct,
    id: string,
    identity: AuroraGlobalMemberIdentity,
    props?: ResourceProps,
  ) {
    super(scope, id, props);
    this.clusterIdentifier = identity.clusterIdentifier;
    this.globalClusterIdentifier = identity.globalClusterIdentifier;
    this.port = identity.port;
    this.instanceCount = identity.instanceCount;
    this.clusterParameterGroupName = identity.clusterParameterGroupName;
  }

  metricLag(kind: LagKind, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return GlobalDatabaseMetrics.of(this).lag(kind).with(props);
  }

  metricReplicationLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricLag('replication', props);
  }

  metricRpoLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricLag('rpo', props);
  }

  metricProgressLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricLag('progress', props);
  }

  grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['rds-db:connect'],
      resourceArns: [databaseUserArn(this, dbUser)],
    });
  }

  grantDataApiAccess(grantee: iam.IGrantable): iam.Grant {
    // Service Authorization Reference, Amazon RDS Data API, Actions table: every statement
    // action takes the cluster resource type (the cluster's ARN).
    return iam.Grant.addToPrincipal({
      grantee,
      actions: DATA_API_ACTIONS,
      resourceArns: [this.clusterArn],
    });
  }
}

const DATA_API_ACTIONS = [
  'rds-data:BatchExecuteStatement',
  'rds-data:BeginTransaction',
  'rds-data:CommitTransaction',
  'rds-data:ExecuteStatement',
  'rds-data:RollbackTransaction',
];

/**
 * The IAM resource of a database user of `member`'s cluster, in the member's region:
 * `arn:<partition>:rds-db:<region>:<account>:dbuser:<DbClusterResourceId>/<user>` (Aurora
 * User Guide, "Creating and using an IAM policy for IAM database access"). `stack` formats
 * the partition and account (default: the member's own stack).
 */
export function databaseUserArn(
  member: IAuroraGlobalMember,
  dbUser: string,
  stack: Stack = Stack.of(member),
): string {
  return Arn.format(
    {
      service: 'rds-db',
      region: member.env.region,
      resource: 'dbuser',
      resourceName: `${member.clusterResourceIdentifier}/${dbUser}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    },
    stack,
  );
}

/** Endpoints that exist only once the side has created its cluster. */
export interface MemberCluster {
  readonly clusterArn: string;
  readonly clusterEndpointAddress: string;
  readonly readerEndpointAddress: string;
  readonly clusterResourceIdentifier: string;
}

/** How a side builds its shared parts. */
export interface MemberOptions {
  /** The construct's class name, for error messages. */
  readonly constructName: string;
  /** Instances in this region. */
  readonly instanceCount: number;
  /** Reader instances (validated: 0 to 15). */
  readonly readers: number;
  /** The side's default for `enforceRpo`. */
  readonly enforceRpoByDefault: boolean;
  /** The side's own problems with its props, thrown with the shared ones. */
  readonly problems?: readonly string[];
}

/**
 * One member of an Aurora PostgreSQL global database in this region, primary or
 * secondary: validates the shared props (every problem at once), then creates what both
 * sides create the same way ({@link createMemberBasics}). The side creates its cluster and
 * calls {@link attachCluster}.
 */
export abstract class AuroraGlobalMember extends AuroraGlobalMemberBase {
  /**
   * A member created outside this app (or stack), by its identifiers; its metric and
   * grant methods work as on an owned member.
   */
  static fromAuroraGlobalMemberAttributes(
    scope: Construct,
    id: string,
    attrs: AuroraGlobalMemberAttributes,
  ): IAuroraGlobalMember {
    return new ImportedMember(scope, id, attrs);
  }

  readonly connections: ec2.Connections;
  /** The shared parts, for the side that builds on them. */
  protected readonly basics: MemberBasics;
  private memberCluster?: MemberCluster;

  protected constructor(
    scope: Construct,
    id: string,
    props: AuroraGlobalMemberProps,
    options: MemberOptions,
  ) {
    super(scope, id, memberIdentity(scope, props, options.instanceCount));
    throwIfProblems(options.constructName, this, [
      ...memberProblems(props, options.readers),
      ...(options.problems ?? []),
    ]);
    this.basics = createMemberBasics(this, props, options.enforceRpoByDefault);
    this.connections = this.basics.connections;
  }

  get clusterArn(): string {
    return this.attached().clusterArn;
  }

  get clusterEndpointAddress(): string {
    return this.attached().clusterEndpointAddress;
  }

  get readerEndpointAddress(): string {
    return this.attached().readerEndpointAddress;
  }

  get clusterResourceIdentifier(): string {
    return this.attached().clusterResourceIdentifier;
  }

  /** Records the side's cluster; its endpoints are read from here on. */
  protected attachCluster(cluster: MemberCluster): void {
    this.memberCluster = cluster;
  }

  private attached(): MemberCluster {
    if (!this.memberCluster) {
      throw new Error(
        `AuroraGlobalMember ${this.node.path}: its cluster was read before the subclass attached it; call attachCluster() right after creating the cluster`,
      );
    }
    return this.memberCluster;
  }
}

class ImportedMember extends AuroraGlobalMemberBase {
  readonly clusterArn: string;
  readonly connections: ec2.Connections;
  readonly readerEndpointAddress: string;
  readonly clusterEndpointAddress: string;
  readonly clusterResourceIdentifier: string;

  constructor(scope: Construct, id: string, attrs: AuroraGlobalMemberAttributes) {
    super(
      scope,
      id,
      {
        clusterIdentifier: attrs.clusterIdentifier,
        globalClusterIdentifier: attrs.globalClusterIdentifier,
        port: attrs.port ?? DEFAULT_PORT,
        instanceCount: attrs.instanceCount,
        clusterParameterGroupName:
          attrs.clusterParameterGroupName ?? clusterParameterGroupNameOf(attrs.clusterIdentifier),
      },
      { region: attrs.region },
    );
    this.clusterArn = Arn.format(
      {
        service: 'rds',
        region: this.env.region,
        resource: 'cluster',
        resourceName: attrs.clusterIdentifier,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      Stack.of(this),
    );
    this.connections = new ec2.Connections({
      securityGroups: [...attrs.securityGroups],
      defaultPort: ec2.Port.tcp(this.port),
    });
    this.readerEndpointAddress = attrs.readerEndpointAddress;
    this.clusterEndpointAddress = attrs.clusterEndpointAddress;
    this.clusterResourceIdentifier = attrs.clusterResourceIdentifier;
  }
}

const DEFAULT_PORT = 5432;

/** The identity of the member `props` describe, in `scope`'s region. */
function memberIdentity(
  scope: Construct,
  props: AuroraGlobalMemberProps,
  instanceCount: number,
): AuroraGlobalMemberIdentity {
  const clusterIdentifier =
    props.clusterIdentifier ?? `${props.globalClusterIdentifier}-${Stack.of(scope).region}`;
  return {
    clusterIdentifier,
    globalClusterIdentifier: props.globalClusterIdentifier,
    port: props.port ?? DEFAULT_PORT,
    instanceCount,
    clusterParameterGroupName: clusterParameterGroupNameOf(clusterIdentifier),
  };
}

const ENHANCED_MONITORING_POLICY = 'service-role/AmazonRDSEnhancedMonitoringRole';
const ALLOWED_MONITORING_SECONDS = [1, 5, 10, 15, 30, 60];

/** Resolved defaults plus the resources both sides create the same way. */
export interface MemberBasics {
  readonly clusterIdentifier: string;
  readonly instanceType: ec2.InstanceType;
  readonly backupRetention: Duration;
  readonly monitoringInterval: Duration;
  readonly removalPolicy: RemovalPolicy;
  readonly port: number;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.SecurityGroup;
  readonly subnetGroup: rds.SubnetGroup;
  readonly parameterGroup: rds.ParameterGroup;
  readonly clusterParameterGroupName: string;
  readonly monitoringRole: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly engine: rds.IClusterEngine;
  /** The cluster's security group with the literal port (no token), for clients' rules. */
  readonly connections: ec2.Connections;
}

/**
 * A log group encrypted with a key from another stack names it through a
 * cross-stack reference, which cfn-guard cannot resolve; say so on the group.
 */
export function acknowledgeCrossStackLogKey(logGroup: logs.LogGroup, key: kms.IKey): void {
  if (Stack.of(key) === Stack.of(logGroup)) return;
  acknowledgeFindings(
    logGroup,
    ['cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check'],
    `The log group is encrypted with this region's key from stack ${Stack.of(key).stackName}; its KmsKeyId is a cross-stack reference that cfn-guard cannot resolve.`,
  );
}

/** Why the instance-level findings that do not fit Aurora global members are acknowledged. */
export function acknowledgeInstanceFindings(instance: IConstruct): void {
  acknowledgeFindings(
    instance,
    inPacks('RDSInBackupPlan', ['NIST.800.53.R5', 'HIPAA.Security']),
    "AWS Backup protects Aurora at the cluster level (the cluster is in this region's ClusterBackup plan); an Aurora instance holds no data of its own and cannot be selected.",
  );
  acknowledgeFindings(
    instance,
    [
      ...inPacks('RDSAutomaticMinorVersionUpgradeEnabled', ['HIPAA.Security', 'PCI.DSS.321']),
      'cdk-validator-cfnguard::rds_instance_automatic_minor_version_upgrade_enabled_check',
    ],
    // Aurora User Guide, "Upgrading an Amazon Aurora global database" (managed switchover and
    // failover need matching versions; minor upgrades go to every secondary before the primary).
    'Managed switchover and failover need the global database members on the same engine version, and minor upgrades must reach every secondary before the primary; automatic upgrades in each cluster maintenance window cannot keep that order, so the operator upgrades.',
  );
}

/**
 * Keeps an instance when its stack is deleted or it leaves the template. Cluster deletion
 * protection does not cover instances ("DB instances in a DB cluster can be deleted even when
 * deletion protection is enabled for the DB cluster": RDS API Reference, CreateDBInstance and
 * ModifyDBInstance, DeletionProtection; Aurora User Guide, "Deleting Aurora DB clusters and DB
 * instances"), so a stack deletion would remove the writer before failing on the cluster.
 * RetainExceptOnCreate still deletes an instance whose creating stack operation rolls back, so
 * a failed first deploy leaves no instance holding a fixed identifier (CloudFormation Template
 * Reference, DeletionPolicy attribute).
 */
export function retainInstance(instance: CfnResource): void {
  instance.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
}

/** Collects every problem with the shared props; the caller throws once. */
export function memberProblems(props: AuroraGlobalMemberProps, readers: number): string[] {
  const problems: string[] = [];
  const instanceClass = props.instanceType?.toString() ?? '';
  if (/^t\d/.test(instanceClass)) {
    problems.push(
      `instanceType must not be a burstable T class (global databases do not support it), got: ${instanceClass}`,
    );
  }
  if (!Number.isInteger(readers) || readers < 0 || readers > 15) {
    problems.push(`readers must be a whole number from 0 to 15, got: ${readers}`);
  }
  const monitoring = props.monitoringInterval;
  if (
    monitoring &&
    !monitoring.isUnresolved() &&
    !ALLOWED_MONITORING_SECONDS.includes(monitoring.toSeconds())
  ) {
    problems.push(
      `monitoringInterval must be one of ${ALLOWED_MONITORING_SECONDS.join(', ')} seconds, got: ${monitoring.toHumanString()}`,
    );
  }
  const retention = props.backupRetention;
  if (
    retention &&
    !retention.isUnresolved() &&
    (retention.toDays() < 1 || retention.toDays() > 35)
  ) {
    problems.push(
      `backupRetention must be a whole number of days from 1 to 35, got: ${retention.toHumanString()}`,
    );
  }
  if (props.removalPolicy === RemovalPolicy.DESTROY) {
    problems.push(
      'removalPolicy must be SNAPSHOT or RETAIN for a global database member, got: DESTROY; ' +
        'turn off deletion protection and delete the cluster by hand if you mean to lose the data',
    );
  }
  if (props.enforceRpo && props.rpo === undefined) {
    problems.push(
      'enforceRpo is true but rpo is not set: give the rpo the parameter group enforces',
    );
  }
  if (props.rpo) {
    try {
      managedRpoParameters(
        rds.DatabaseClusterEngine.auroraPostgres({ version: props.engineVersion }),
        props.rpo,
      );
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const id = props.globalClusterIdentifier;
  if (!Token.isUnresolved(id) && !isGlobalClusterIdentifier(id)) {
    problems.push(
      `globalClusterIdentifier must be a fixed string of at most ${MAX_GLOBAL_CLUSTER_IDENTIFIER_LENGTH} letters, digits and single hyphens starting with a letter, got: '${id}'`,
    );
  }
  if (Token.isUnresolved(id)) {
    problems.push(
      'globalClusterIdentifier must be a plain string, got a token; a token here becomes a cross-region reference',
    );
  }
  return problems;
}

/**
 * Creates what both sides need in the same shape: network, parameters, monitoring, logs.
 * `enforceRpoByDefault` is the side's default for `enforceRpo`.
 */
export function createMemberBasics(
  scope: Construct,
  props: AuroraGlobalMemberProps,
  enforceRpoByDefault: boolean,
): MemberBasics {
  const { clusterIdentifier, port, clusterParameterGroupName } = memberIdentity(scope, props, 0);
  const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: props.engineVersion });

  const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: props.vpc,
    description: `Aurora cluster ${clusterIdentifier}: clients are allowed in explicitly`,
    allowAllOutbound: false,
  });
  const vpcSubnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  const subnetGroup = new rds.SubnetGroup(scope, 'SubnetGroup', {
    vpc: props.vpc,
    vpcSubnets,
    description: `Subnets of Aurora cluster ${clusterIdentifier}`,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  if (props.rpo === undefined) {
    Annotations.of(scope).addWarningV2(
      'multi-region:no-managed-rpo',
      'rpo is not set: Aurora will not hold commits when every secondary lags, so data loss on failover is unbounded',
    );
  }
  const enforceRpo = props.rpo !== undefined && (props.enforceRpo ?? enforceRpoByDefault);
  // A fixed name, so the drill and its IAM policy find the group in every region. Naming a group
  // that had a generated name replaces the group (DBClusterParameterGroupName: "Update requires:
  // Replacement"), not the cluster, whose DBClusterParameterGroupName update needs "No
  // interruption" (CloudFormation Template Reference, AWS::RDS::DBClusterParameterGroup and
  // AWS::RDS::DBCluster); the construct id, and so the logical id, stays.
  const parameterGroup = new rds.ParameterGroup(scope, 'ClusterParameters', {
    engine,
    name: clusterParameterGroupName,
    description: `Cluster parameters of ${clusterIdentifier}`,
    parameters: {
      // Encryption in transit: refuse clients that do not use TLS.
      'rds.force_ssl': '1',
      ...props.parameters,
      ...(enforceRpo ? managedRpoParameters(engine, props.rpo!) : {}),
    },
  });
  const monitoringRole = new iam.Role(scope, 'MonitoringRole', {
    assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
    description: `Enhanced Monitoring of ${clusterIdentifier}`,
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(ENHANCED_MONITORING_POLICY)],
  });
  acknowledgeFindings(
    monitoringRole,
    [
      `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${ENHANCED_MONITORING_POLICY}]`,
    ],
    // AWS Managed Policy Reference, AmazonRDSEnhancedMonitoringRole, JSON policy document.
    'AmazonRDSEnhancedMonitoringRole is the policy RDS documents for Enhanced Monitoring; it allows only logs actions on log groups whose names start with RDS (create, set retention, write and read their streams; Enhanced Monitoring writes RDSOSMetrics), and this role trusts only the RDS monitoring service.',
  );
  // RDS writes exported logs here; creating the group first lets us encrypt it
  // and set its retention without a log-retention Lambda.
  const logGroup = new logs.LogGroup(scope, 'PostgresqlLog', {
    logGroupName: `/aws/rds/cluster/${clusterIdentifier}/postgresql`,
    encryptionKey: props.encryptionKey,
    retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeCrossStackLogKey(logGroup, props.encryptionKey);
  return {
    clusterIdentifier,
    instanceType:
      props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE),
    backupRetention: props.backupRetention ?? Duration.days(7),
    monitoringInterval: props.monitoringInterval ?? Duration.seconds(60),
    removalPolicy: props.removalPolicy ?? RemovalPolicy.SNAPSHOT,
    port,
    vpcSubnets,
    securityGroup,
    subnetGroup,
    parameterGroup,
    clusterParameterGroupName,
    monitoringRole,
    logGroup,
    engine,
    connections: new ec2.Connections({
      securityGroups: [securityGroup],
      defaultPort: ec2.Port.tcp(port),
    }),
  };
}
