import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IAuroraGlobalMember } from './aurora-global-member';
import { acknowledgeFindings } from './nag/acknowledge';
import { throwIfProblems } from './invalid-props-error';

/** Properties of a {@link ClusterBackup}. */
export interface ClusterBackupProps {
  /** The Aurora cluster to back up: this region's member of the global database. */
  readonly cluster: IAuroraGlobalMember;
  /** This region's key; encrypts the vault. */
  readonly encryptionKey: kms.IKey;
  /**
   * How long each daily recovery point is kept.
   *
   * @default Duration.days(35)
   */
  readonly retention?: Duration;
}

/**
 * An AWS Backup plan for one Aurora cluster: a daily backup kept in this
 * region's own encrypted vault (no copy leaves the region, so backups stay
 * inside the residency allow-list).
 *
 * AWS Backup protects Aurora at the cluster level; instances hold no data.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-feature-availability.html
 */
export class ClusterBackup extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: ClusterBackupProps) {
    super(scope, id);
    const retention = props.retention ?? Duration.days(35);
    if (!retention.isUnresolved() && retention.toHours({ integral: false }) < 24) {
      throwIfProblems('ClusterBackup', this, [
        `retention must be at least 1 day, got: ${retention.toHumanString()}`,
      ]);
    }
    this.vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.plan = new backup.BackupPlan(this, 'Plan', { backupVault: this.vault });
    this.plan.addRule(
      new backup.BackupPlanRule({
        ruleName: 'Daily',
        scheduleExpression: events.Schedule.cron({ hour: '5', minute: '0' }),
        deleteAfter: retention,
      }),
    );
    const selection = this.plan.addSelection('Cluster', {
      resources: [backup.BackupResource.fromArn(props.cluster.clusterArn)],
    });
    acknowledgeFindings(
      selection.grantPrincipal as iam.Role,
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      ],
      'AWSBackupServiceRolePolicyForBackup is the service role policy AWS Backup documents for taking backups; AWS keeps it current as services are added.',
    );
  }
}
