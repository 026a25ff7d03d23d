import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import {
  AuroraGlobalMemberProps,
  IAuroraGlobalMember,
  acknowledgeInstanceFindings,
  createMemberBasics,
  memberProblems,
  retainInstance,
} from './aurora-global-member';
import { throwIfProblems } from './invalid-props-error';

/** Properties of an {@link AuroraGlobalSecondary}. */
export interface AuroraGlobalSecondaryProps extends AuroraGlobalMemberProps {
  /**
   * Reader instances in this region. 0 makes a headless secondary: storage is
   * replicated, no instance runs, and promotion first needs an instance added.
   *
   * @default 1
   */
  readonly readers?: number;
}

/**
 * A secondary region of an Aurora PostgreSQL global database: a cluster that
 * joins the global cluster by its fixed identifier.
 *
 * It has no master user, password or database name (they come from the
 * primary), is encrypted with this region's own key, and is protected like the
 * primary. The global cluster must exist first: deploy the primary's stack
 * before this one.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-attaching.html
 */
export class AuroraGlobalSecondary extends Construct implements IAuroraGlobalMember {
  readonly cfnCluster: rds.CfnDBCluster;
  readonly instances: rds.CfnDBInstance[];
  readonly clusterIdentifier: string;
  readonly clusterArn: string;
  readonly globalClusterIdentifier: string;
  readonly connections: ec2.Connections;
  readonly readerEndpointAddress: string;
  readonly clusterEndpointAddress: string;
  readonly clusterResourceIdentifier: string;
  readonly port: number;
  readonly instanceCount: number;
  readonly clusterParameterGroupName: string;

  constructor(scope: Construct, id: string, props: AuroraGlobalSecondaryProps) {
    super(scope, id);
    const readers = props.readers ?? 1;
    const problems = memberProblems(props, readers);
    throwIfProblems('AuroraGlobalSecondary', this, problems);
    const basics = createMemberBasics(this, props, false);
    const engineVersion = props.engineVersion.auroraPostgresFullVersion;

    this.cfnCluster = new rds.CfnDBCluster(this, 'Cluster', {
      engine: 'aurora-postgresql',
      engineVersion,
      dbClusterIdentifier: basics.clusterIdentifier,
      globalClusterIdentifier: props.globalClusterIdentifier,
      dbSubnetGroupName: basics.subnetGroup.subnetGroupName,
      vpcSecurityGroupIds: [basics.securityGroup.securityGroupId],
      dbClusterParameterGroupName: basics.parameterGroup.bindToCluster({}).parameterGroupName,
      port: basics.port,
      storageEncrypted: true,
      kmsKeyId: props.encryptionKey.keyArn,
      enableIamDatabaseAuthentication: true,
      enableHttpEndpoint: true,
      deletionProtection: true,
      copyTagsToSnapshot: true,
      enableCloudwatchLogsExports: ['postgresql'],
      backupRetentionPeriod: basics.backupRetention.toDays(),
    });
    this.cfnCluster.applyRemovalPolicy(basics.removalPolicy);
    this.cfnCluster.node.addDependency(basics.logGroup);

    this.instances = Array.from({ length: readers }, (_, i) => {
      const name = `Reader${i + 1}`;
      const instance = new rds.CfnDBInstance(this, name, {
        engine: 'aurora-postgresql',
        dbClusterIdentifier: this.cfnCluster.ref,
        dbInstanceIdentifier: `${basics.clusterIdentifier}-${name.toLowerCase()}`,
        dbInstanceClass: `db.${basics.instanceType.toString()}`,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: false,
        monitoringInterval: basics.monitoringInterval.toSeconds(),
        monitoringRoleArn: basics.monitoringRole.roleArn,
        enablePerformanceInsights: true,
        performanceInsightsKmsKeyId: props.encryptionKey.keyArn,
        promotionTier: 1,
      });
      acknowledgeInstanceFindings(instance);
      // The data is in the cluster volume, but after a switchover this region holds the writer.
      retainInstance(instance);
      return instance;
    });

    this.clusterIdentifier = basics.clusterIdentifier;
    this.clusterArn = this.cfnCluster.attrDbClusterArn;
    this.globalClusterIdentifier = props.globalClusterIdentifier;
    this.connections = basics.connections;
    this.readerEndpointAddress = this.cfnCluster.attrReadEndpointAddress;
    this.clusterEndpointAddress = this.cfnCluster.attrEndpointAddress;
    this.clusterResourceIdentifier = this.cfnCluster.attrDbClusterResourceId;
    this.port = basics.port;
    this.clusterParameterGroupName = basics.clusterParameterGroupName;
    this.instanceCount = readers;
  }
}
