import { Construct } from 'constructs';
import { RegionalDataKey, RegionalNetwork } from '../constructs';
import { RegionalStack, RegionalStackProps } from './regional-stack';

/** Properties of a {@link FoundationStack}. */
export interface FoundationStackProps extends RegionalStackProps {
  /** IPv4 range of this region's VPC; distinct per region. */
  readonly vpcCidr: string;
}

/**
 * What a region needs before any data lands in it: its KMS key and its network.
 *
 * Every region's foundation deploys before the primary database, because the
 * primary replicates the master secret into each secondary region with that
 * region's key.
 */
export class FoundationStack extends RegionalStack {
  readonly dataKey: RegionalDataKey;
  readonly network: RegionalNetwork;

  constructor(scope: Construct, id: string, props: FoundationStackProps) {
    super(scope, id, props);
    this.dataKey = new RegionalDataKey(this, 'DataKey');
    this.network = new RegionalNetwork(this, 'Network', {
      encryptionKey: this.dataKey.key,
      cidr: props.vpcCidr,
      maxAzs: this.availabilityZones.length,
    });
  }
}
