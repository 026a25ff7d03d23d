import { Construct } from 'constructs';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AlarmTopic, RegionalDataKey, RegionalNetwork } from '../constructs';
import { RegionalStack, RegionalStackProps } from './regional-stack';

/** Properties of a {@link FoundationStack}. */
export interface FoundationStackProps extends RegionalStackProps {
  /** IPv4 range of this region's VPC; distinct per region. */
  readonly vpcCidr: string;
  /** E-mail addresses subscribed to this region's alarm topic. */
  readonly alarmEmails: readonly string[];
  /**
   * CloudFormation refuses to delete the stack while this is on: it holds the region's data
   * key, without which the database, its snapshots and backups cannot be read.
   *
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-protect-stacks.html
   * @default true
   */
  readonly terminationProtection?: boolean;
}

/**
 * What a region needs before any data lands in it: its KMS key, its network
 * and its alarm topic.
 *
 * Every region's foundation deploys before the primary database, because the
 * primary replicates the master secret into each secondary region with that
 * region's key.
 */
export class FoundationStack extends RegionalStack {
  readonly dataKey: RegionalDataKey;
  readonly network: RegionalNetwork;
  readonly alarms: AlarmTopic;

  constructor(scope: Construct, id: string, props: FoundationStackProps) {
    super(scope, id, { ...props, terminationProtection: props.terminationProtection ?? true });
    this.dataKey = new RegionalDataKey(this, 'DataKey');
    this.network = new RegionalNetwork(this, 'Network', {
      encryptionKey: this.dataKey.key,
      cidr: props.vpcCidr,
      maxAzs: this.availabilityZones.length,
    });
    // The health function reads its drain switch privately; it learns the writer from SQL, so
    // it needs no RDS API endpoint.
    this.network.addEndpoint('Ssm', ec2.InterfaceVpcEndpointAwsService.SSM);
    this.alarms = new AlarmTopic(this, 'Alarms', {
      encryptionKey: this.dataKey.key,
      emails: props.alarmEmails,
    });
  }
}
