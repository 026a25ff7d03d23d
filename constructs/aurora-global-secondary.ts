import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import {
  AuroraGlobalMember,
  AuroraGlobalMemberProps,
  acknowledgeInstanceFindings,
  retainInstance,
} from './aurora-global-member';

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
export class AuroraGlobalSecondary extends AuroraGlobalMember {
  readonly cfnCluster: rds.CfnDBCluster;
  readonly instances: rds.CfnDBInstance[];

  constructor(scope: Construct, id: string, props: AuroraGlobalSecondaryProps) {
    const readers = props.readers ?? 1;
    super(scope, id, props, {
      constructName: 'AuroraGlobalSecondary',
      readers,
      instanceCount: readers,
      enforceRpoByDefault: false,
    });
    const basics = this.basics;
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

    this.attachCluster({
      clusterArn: this.cfnCluster.attrDbClusterArn,
      readerEndpointAddress: this.cfnCluster.attrReadEndpointAddress,
      clusterEndpointAddress: this.cfnCluster.attrEndpointAddress,
      clusterResourceIdentifier: this.cfnCluster.attrDbClusterResourceId,
    });
  }
}
