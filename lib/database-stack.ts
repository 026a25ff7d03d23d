import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CfnOutput } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  AuroraGlobalPrimary,
  AuroraGlobalMemberProps,
  AuroraGlobalSecondary,
  ClusterBackup,
  DatabaseSchema,
  IAuroraGlobalMember,
  managedRpoPolicy,
  RegionalDataKey,
  RegionalNetwork,
  ReplicationLagAlarms,
} from '../constructs';
import { alarmNamePrefix, DEFAULT_DATABASE_NAME, DRILL_OUTPUT_KEYS } from '../constructs/contract';
import { addDrillOutput } from './drill-outputs';
import { Topology } from './topology';
import { RegionalStack, RegionalStackProps } from './regional-stack';

/** Properties of a {@link DatabaseStack}. */
export interface DatabaseStackProps extends RegionalStackProps {
  readonly topology: Topology;
  readonly network: RegionalNetwork;
  readonly dataKey: RegionalDataKey;
  /** This region's alarm topic. */
  readonly alarmTopic: sns.ITopic;
  /**
   * CloudFormation refuses to delete the stack while this is on: it holds this region's
   * member of the global database.
   *
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-protect-stacks.html
   * @default true
   */
  readonly terminationProtection?: boolean;
}

/**
 * This region's member of the Aurora global database: the global cluster and
 * writer in the primary region, a secondary cluster elsewhere.
 */
export class DatabaseStack extends RegionalStack {
  readonly member: IAuroraGlobalMember;
  readonly isPrimary: boolean;
  /** The master secret, in the primary region only (replicas carry its name elsewhere). */
  readonly masterSecret?: secretsmanager.ISecret;
  readonly backup: ClusterBackup;
  /** Role-following lag, not-reported and protected alarms (every region: roles move). */
  readonly lagAlarms: ReplicationLagAlarms;

  constructor(scope: Construct, id: string, props: DatabaseStackProps) {
    super(scope, id, { ...props, terminationProtection: props.terminationProtection ?? true });
    const { topology } = props;
    this.isPrimary = this.region === topology.primaryRegion;
    const common: AuroraGlobalMemberProps & { readonly readers: number } = {
      vpc: props.network.vpc,
      vpcSubnets: props.network.dataSubnets,
      encryptionKey: props.dataKey.key,
      globalClusterIdentifier: topology.globalClusterIdentifier,
      engineVersion: rds.AuroraPostgresEngineVersion.of(
        topology.engineVersion,
        topology.engineVersion.split('.')[0],
      ),
      instanceType: new ec2.InstanceType(topology.instanceClass),
      readers: topology.readersByRegion[this.region],
      rpo: topology.rpo,
      // Role-aware: the writer's group enforces; a secondary's only when another secondary
      // would remain after an unplanned failover to it (3+ regions). The drill moves it.
      enforceRpo: managedRpoPolicy({
        regions: topology.regions,
        writer: topology.primaryRegion,
      }).find((d) => d.region === this.region)?.enforce,
    };

    let secretArn: string | undefined;
    let globalWriterEndpoint: string | undefined;
    let databaseName: string | undefined;
    if (this.isPrimary) {
      const primary = new AuroraGlobalPrimary(this, 'GlobalDatabase', {
        ...common,
        secretReplicaRegions: topology.secondaryRegions.map((region) => ({
          region,
          encryptionKey: kms.Key.fromKeyArn(
            this,
            `SecretReplicaKey-${region}`,
            RegionalDataKey.aliasArnIn(this, region, props.dataKey.aliasName),
          ),
        })),
        rotationSubnets: props.network.appSubnets,
        alarmTopic: props.alarmTopic,
      });
      this.member = primary;
      this.masterSecret = primary.secret;
      secretArn = primary.secret.secretArn;
      globalWriterEndpoint = primary.globalWriterEndpointAddress;
      // The primary's default database (this stack does not name another).
      databaseName = DEFAULT_DATABASE_NAME;
      new CfnOutput(this, 'GlobalWriterEndpoint', {
        value: primary.globalWriterEndpointAddress,
        description:
          "Aurora's global writer endpoint (the master secret's host): follows the writer after a managed switchover or failover",
      });
      // The health function's login role and heartbeat table; replication carries them.
      new DatabaseSchema(this, 'HealthSchema', {
        cluster: primary.cluster,
        masterSecret: primary.secret,
        encryptionKey: props.dataKey.key,
      });
    } else {
      this.member = new AuroraGlobalSecondary(this, 'GlobalDatabase', common);
    }
    // Every region: lag metrics move to whichever regions are secondaries after a switchover.
    this.lagAlarms = new ReplicationLagAlarms(this, 'LagAlarms', {
      cluster: this.member,
      rpo: topology.rpo,
      alarmTopic: props.alarmTopic,
    });

    this.backup = new ClusterBackup(this, 'Backup', {
      cluster: this.member,
      encryptionKey: props.dataKey.key,
    });

    new CfnOutput(this, 'ClusterIdentifier', {
      value: this.member.clusterIdentifier,
      description: 'Identifier of the Aurora cluster in this region',
    });
    new CfnOutput(this, 'ClusterArn', { value: this.member.clusterArn });
    new CfnOutput(this, 'GlobalClusterIdentifier', { value: topology.globalClusterIdentifier });
    addDrillOutput(this, DRILL_OUTPUT_KEYS.database, {
      region: this.region,
      role: this.isPrimary ? 'primary' : 'secondary',
      clusterIdentifier: this.member.clusterIdentifier,
      clusterArn: this.member.clusterArn,
      globalClusterIdentifier: topology.globalClusterIdentifier,
      // Replicas keep the name and suffix; only the region in the ARN differs.
      secretArn,
      globalWriterEndpoint,
      databaseName,
      rpoSeconds: topology.rpo.toSeconds(),
      clusterParameterGroupName: this.member.clusterParameterGroupName,
      // The lag alarms are `<this stack>-<metric>-<level>`; every stack name begins with it.
      alarmNamePrefix: alarmNamePrefix(topology.stackPrefix),
    });
    new CfnOutput(this, 'Role', {
      value: this.isPrimary ? 'primary' : 'secondary',
      description:
        'Role at first deploy; the writer may have moved since (see the drill CLI status)',
    });
  }
}
