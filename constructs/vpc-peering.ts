import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { throwIfProblems } from './invalid-props-error';
import { RegionalNetwork } from './regional-network';

/** What one side of a peering knows about the other region's network (all literal). */
export interface PeerNetworkAttributes {
  /** The other region. */
  readonly region: string;
  /** IPv4 ranges of the other region's application subnets (its database clients). */
  readonly appSubnetCidrs: readonly string[];
  /** IPv4 ranges of the other region's database subnets. */
  readonly dataSubnetCidrs: readonly string[];
}

/** Properties of a {@link RegionPeering}. */
export interface RegionPeeringProps {
  /** This region's network. */
  readonly network: RegionalNetwork;
  /** The other region's network. */
  readonly peer: PeerNetworkAttributes;
  /**
   * VPC id in the other region to request a peering connection to (this side requests).
   * Give exactly one of `peerVpcId` and `peeringConnectionId`.
   *
   * @default - this side accepts: give `peeringConnectionId`
   */
  readonly peerVpcId?: string;
  /**
   * Id of the connection the other region requested (this side accepts).
   *
   * @default - this side requests: give `peerVpcId`
   */
  readonly peeringConnectionId?: string;
}

/**
 * One region's side of a VPC peering connection with another region of the same account,
 * and the routes that use it: from this region's application subnets to the other region's
 * database subnets, and back from this region's database subnets to the other's
 * application subnets (return traffic), nothing else.
 *
 * Aurora's global writer endpoint resolves to private addresses in the writer region's VPC, so
 * a service or rotation function in another region reaches the writer only through such a
 * path. The requesting side creates the `AWS::EC2::VPCPeeringConnection` with `PeerRegion`;
 * "if the requester and acceptor VPCs are in the same account, the peering request is
 * accepted without a peering role" (CloudFormation Template Reference,
 * AWS::EC2::VPCPeeringConnection). Security groups cannot name a group of a peer VPC in
 * another Region; rules use the peer's subnet CIDRs instead (Amazon VPC Peering Guide,
 * "Update your security groups to reference peer security groups").
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-vpcpeeringconnection.html
 * @see https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-routing.html
 */
export class RegionPeering extends Construct {
  /** The connection created here, on the requesting side. */
  readonly connection?: ec2.CfnVPCPeeringConnection;
  /** Id of the peering connection (requested here or by the other region). */
  readonly peeringConnectionId: string;
  readonly routes: ec2.CfnRoute[] = [];

  constructor(scope: Construct, id: string, props: RegionPeeringProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const { peer } = props;
    const problems: string[] = [];
    if ((props.peerVpcId === undefined) === (props.peeringConnectionId === undefined)) {
      problems.push(
        'give exactly one of peerVpcId (this side requests) and peeringConnectionId (this side accepts)',
      );
    }
    if (peer.region === region) {
      problems.push(`peer.region must be another region than this stack's, got: ${peer.region}`);
    }
    for (const [field, cidrs] of [
      ['appSubnetCidrs', peer.appSubnetCidrs],
      ['dataSubnetCidrs', peer.dataSubnetCidrs],
    ] as const) {
      if (cidrs.length === 0 || cidrs.some((c) => Token.isUnresolved(c))) {
        problems.push(
          `peer.${field} must list the peer's subnet CIDRs as literal strings (RegionalNetwork.${field}), got: ${cidrs.length === 0 ? 'none' : 'a token'}`,
        );
      }
    }
    throwIfProblems('RegionPeering', this, problems);

    if (props.peerVpcId !== undefined) {
      this.connection = new ec2.CfnVPCPeeringConnection(this, 'Connection', {
        vpcId: props.network.vpc.vpcId,
        peerVpcId: props.peerVpcId,
        peerRegion: peer.region,
        tags: [{ key: 'Name', value: `${region} to ${peer.region}` }],
      });
      this.peeringConnectionId = this.connection.ref;
    } else {
      this.peeringConnectionId = props.peeringConnectionId!;
    }

    const routeTables = (selection: ec2.SubnetSelection) =>
      props.network.vpc.selectSubnets(selection).subnets.map((s) => s.routeTable.routeTableId);
    const add = (from: string, tables: string[], to: string, cidrs: readonly string[]) =>
      tables.forEach((routeTableId, i) =>
        cidrs.forEach((destinationCidrBlock, j) =>
          this.routes.push(
            new ec2.CfnRoute(this, `${from}${i + 1}To${to}${j + 1}`, {
              routeTableId,
              destinationCidrBlock,
              vpcPeeringConnectionId: this.peeringConnectionId,
            }),
          ),
        ),
      );
    add('App', routeTables(props.network.appSubnets), 'PeerData', peer.dataSubnetCidrs);
    add('Data', routeTables(props.network.dataSubnets), 'PeerApp', peer.appSubnetCidrs);
  }
}
