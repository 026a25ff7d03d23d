import { CfnOutput } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { RegionPeering, RegionalNetwork } from '../constructs';
import { referenceFrom } from './references';
import { RegionalStack, RegionalStackProps } from './regional-stack';

/** Another region this one peers with. */
export interface PeeringLink {
  readonly region: string;
  /** That region's network (only its literal subnet CIDRs and, when this side requests, its VPC id are read). */
  readonly network: RegionalNetwork;
  /**
   * The peering stack of that region when it requested the connection (its region name sorts
   * first); this side then accepts.
   *
   * @default - this side requests the connection
   */
  readonly requester?: PeeringStack;
}

/** Properties of a {@link PeeringStack}. */
export interface PeeringStackProps extends RegionalStackProps {
  /** This region's network. */
  readonly network: RegionalNetwork;
  /** Every other region of the topology. */
  readonly peers: readonly PeeringLink[];
}

/**
 * This region's VPC peering with every other region and the routes between application and
 * database subnets.
 *
 * Of each pair, the region whose name sorts first requests the connection (a choice that does
 * not change when the topology's list is reordered); the other reads its id with
 * `Fn::GetStackOutput` and deploys after it. Routes use the route tables of this region's
 * foundation (same-region references).
 */
export class PeeringStack extends RegionalStack {
  readonly peerings: Record<string, RegionPeering> = {};

  constructor(scope: Construct, id: string, props: PeeringStackProps) {
    super(scope, id, props);
    for (const peer of props.peers) {
      const attributes = {
        region: peer.region,
        appSubnetCidrs: peer.network.appSubnetCidrs,
        dataSubnetCidrs: peer.network.dataSubnetCidrs,
      };
      const peering = new RegionPeering(this, `Peer-${peer.region}`, {
        network: props.network,
        peer: attributes,
        ...(peer.requester
          ? {
              peeringConnectionId: referenceFrom(
                this,
                peer.region,
                peer.requester.peeringConnectionTo(this.region),
              ),
            }
          : { peerVpcId: referenceFrom(this, peer.region, peer.network.vpc.vpcId) }),
      });
      this.peerings[peer.region] = peering;
      if (peering.connection) {
        new CfnOutput(this, `PeeringConnection-${peer.region}`, {
          value: peering.connection.ref,
          description: `VPC peering connection requested by ${this.region} to ${peer.region}`,
        });
      }
    }
  }

  /** Id of the peering connection with `region`. */
  peeringConnectionTo(region: string): string {
    const peering = this.peerings[region];
    if (!peering) {
      throw new Error(
        `${this.stackName} has no peering with ${region}; peerings: ${Object.keys(this.peerings).join(', ') || 'none'}`,
      );
    }
    return peering.peeringConnectionId;
  }
}
