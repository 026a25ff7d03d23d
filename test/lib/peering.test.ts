import { Stack } from 'aws-cdk-lib';
import {
  InvalidPropsError,
  RegionPeering,
  RegionalDataKey,
  RegionalNetwork,
} from '../../constructs';
import { buildMultiRegionApp } from '../../lib/multi-region-app';
import { PeeringStack } from '../../lib/peering-stack';
import { loadTopology } from '../../lib/topology';
import { deployedApp } from '../deployed-app';
import { testApp } from '../util';

const DB_PORT = 5432;

/** [first, last] address of an IPv4 CIDR. */
function range(cidr: string): [number, number] {
  const [ip, bits] = cidr.split('/');
  const address = ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  return [address, address + size - 1];
}
const within = (inner: string, outer: string) => {
  const [a, b] = range(inner);
  const [c, d] = range(outer);
  return a >= c && b <= d;
};

interface SubnetInfo {
  readonly region: string;
  readonly group: string;
  readonly cidr: string;
  readonly routeTable: string;
}

interface Rule {
  readonly region: string;
  readonly group: string;
  readonly direction: 'ingress' | 'egress';
  readonly cidr: string;
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
}

describe.each([
  ['two regions', ['us-east-1', 'us-west-2']],
  ['three regions', ['us-east-1', 'us-west-2', 'us-east-2']],
])('private connectivity with %s', (_name, regions) => {
  const deployment = deployedApp(regions);
  const vpcs = deployment.resources('AWS::EC2::VPC');
  const vpcOf = (region: string) => vpcs.find((v) => v.region === region)!;
  const associations = deployment.resources('AWS::EC2::SubnetRouteTableAssociation');
  const subnets: SubnetInfo[] = deployment.resources('AWS::EC2::Subnet').map((s) => ({
    region: s.region,
    group: (s.properties.Tags as { Key: string; Value: string }[]).find(
      (t) => t.Key === 'aws-cdk:subnet-name',
    )!.Value,
    cidr: s.properties.CidrBlock as string,
    routeTable: associations.find((a) => a.properties.SubnetId === s.physicalId)!.properties
      .RouteTableId as string,
  }));
  const of = (region: string, group: string) =>
    subnets.filter((s) => s.region === region && s.group === group);
  const connections = deployment.resources('AWS::EC2::VPCPeeringConnection');
  const pairs = regions.flatMap((a, i) => regions.slice(i + 1).map((b) => [a, b].sort()));

  test('THEN every pair of regions has one peering connection, requested by the region whose name sorts first', () => {
    expect(connections).toHaveLength(pairs.length);
    for (const [requester, accepter] of pairs) {
      const found = connections.filter(
        (c) => c.region === requester && c.properties.PeerRegion === accepter,
      );
      expect(found).toHaveLength(1);
      expect(found[0].properties.VpcId).toBe(vpcOf(requester).physicalId);
      expect(found[0].properties.PeerVpcId).toBe(vpcOf(accepter).physicalId);
      // Same account: no PeerOwnerId or PeerRoleArn, so CloudFormation accepts it.
      expect(found[0].properties.PeerOwnerId).toBeUndefined();
      expect(found[0].properties.PeerRoleArn).toBeUndefined();
    }
  });

  test("THEN each side routes its application subnets to the other's database subnets and back, through that pair's connection, and nothing else", () => {
    const routes = deployment
      .resources('AWS::EC2::Route')
      .filter((r) => r.properties.VpcPeeringConnectionId !== undefined);
    for (const region of regions) {
      const expected: string[] = [];
      for (const other of regions.filter((r) => r !== region)) {
        const [requester, accepter] = [region, other].sort();
        const connection = connections.find(
          (c) => c.region === requester && c.properties.PeerRegion === accepter,
        )!.physicalId;
        for (const [from, to] of [
          ['App', 'Data'],
          ['Data', 'App'],
        ]) {
          for (const table of of(region, from)) {
            for (const peer of of(other, to)) {
              expected.push(`${table.routeTable} -> ${peer.cidr} via ${connection}`);
            }
          }
        }
      }
      const actual = routes
        .filter((r) => r.region === region)
        .map(
          (r) =>
            `${r.properties.RouteTableId} -> ${r.properties.DestinationCidrBlock} via ${r.properties.VpcPeeringConnectionId}`,
        );
      expect(actual.sort()).toEqual(expected.sort());
      expect(actual).toHaveLength((regions.length - 1) * 8);
    }
  });

  test('THEN no security-group rule opens more than the database port to another region, and only between App and Data subnets', () => {
    const rules: Rule[] = deployment.resources('AWS::EC2::SecurityGroup').flatMap((g) =>
      (['ingress', 'egress'] as const).flatMap((direction) =>
        (
          (g.properties[direction === 'ingress' ? 'SecurityGroupIngress' : 'SecurityGroupEgress'] ??
            []) as Record<string, unknown>[]
        )
          .filter((r) => typeof r.CidrIp === 'string')
          .map((r) => ({
            region: g.region,
            group: g.logicalId,
            direction,
            cidr: r.CidrIp as string,
            protocol: String(r.IpProtocol),
            from: Number(r.FromPort),
            to: Number(r.ToPort),
          })),
      ),
    );
    // Standalone rules name groups and CIDRs too; none of them opens another region.
    for (const type of ['AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress']) {
      for (const r of deployment.resources(type)) {
        if (typeof r.properties.CidrIp === 'string') {
          expect(within(r.properties.CidrIp, vpcOf(r.region).properties.CidrBlock as string)).toBe(
            true,
          );
        }
      }
    }
    const crossRegion = rules.filter(
      (r) =>
        r.cidr !== '255.255.255.255/32' &&
        !within(r.cidr, vpcOf(r.region).properties.CidrBlock as string),
    );
    expect(crossRegion.length).toBeGreaterThan(0);
    for (const rule of crossRegion) {
      const peer = subnets.find((s) => s.cidr === rule.cidr);
      expect([rule.group, rule.cidr, rule.protocol, rule.from, rule.to]).toEqual([
        rule.group,
        rule.cidr,
        'tcp',
        DB_PORT,
        DB_PORT,
      ]);
      expect(peer?.region).not.toBe(rule.region);
      // Ingress from clients (App subnets); egress to databases (Data subnets).
      expect([rule.direction, peer?.group]).toEqual([
        rule.direction,
        rule.direction === 'ingress' ? 'App' : 'Data',
      ]);
    }
  });

  test('THEN every database admits, and the rotation function and every service reach, every other region', () => {
    const groups = deployment.resources('AWS::EC2::SecurityGroup');
    const cidrsOf = (g: (typeof groups)[number], key: string) =>
      ((g.properties[key] ?? []) as { CidrIp?: string; FromPort?: number }[])
        .filter((r) => r.FromPort === DB_PORT)
        .map((r) => r.CidrIp)
        .filter((c): c is string => c !== undefined)
        .sort();
    const othersOf = (region: string, group: string) =>
      regions
        .filter((r) => r !== region)
        .flatMap((r) => of(r, group).map((s) => s.cidr))
        .sort();
    for (const region of regions) {
      const database = groups.find(
        (g) => g.region === region && g.logicalId.startsWith('GlobalDatabaseSecurityGroup'),
      )!;
      expect(cidrsOf(database, 'SecurityGroupIngress')).toEqual(othersOf(region, 'App'));
      const service = groups.find(
        (g) => g.region === region && g.logicalId.startsWith('ServiceHealthFunctionSecurityGroup'),
      )!;
      expect(cidrsOf(service, 'SecurityGroupEgress')).toEqual(othersOf(region, 'Data'));
    }
    const rotation = groups.filter((g) =>
      g.logicalId.startsWith('GlobalDatabaseRotationSecurityGroup'),
    );
    expect(rotation.map((g) => g.region)).toEqual([regions[0]]);
    expect(cidrsOf(rotation[0], 'SecurityGroupEgress')).toEqual(othersOf(regions[0], 'Data'));
  });
});

describe('deploy order of the peering stacks', () => {
  const app = testApp({ 'topology.secondaryRegions': 'us-west-2,us-east-2' });
  const stacks = buildMultiRegionApp(
    app,
    loadTopology((key) => app.node.tryGetContext(key)),
  );
  const peering = (region: string) => stacks.regions.find((r) => r.region === region)!.peering!;
  const deps = (s: Stack) => s.dependencies.map((d) => d.stackName).sort();

  test('THEN each comes after every foundation and after the peering stacks whose region sorts first', () => {
    const foundations = stacks.regions.map((r) => r.foundation.stackName);
    expect(deps(peering('us-east-1'))).toEqual(foundations.sort());
    expect(deps(peering('us-east-2'))).toEqual(
      [...foundations, 'MultiRegion-Peering-us-east-1'].sort(),
    );
    expect(deps(peering('us-west-2'))).toEqual(
      [...foundations, 'MultiRegion-Peering-us-east-1', 'MultiRegion-Peering-us-east-2'].sort(),
    );
  });

  test("THEN each service deploys after its region's peering", () => {
    for (const { service, peering: p } of stacks.regions) {
      expect(deps(service)).toContain(p!.stackName);
    }
  });

  test('GIVEN a region it does not peer with THEN peeringConnectionTo names the peerings it has', () => {
    expect(() => peering('us-east-1').peeringConnectionTo('eu-west-1')).toThrow(
      'MultiRegion-Peering-us-east-1 has no peering with eu-west-1; peerings: us-west-2, us-east-2',
    );
  });
});

describe('RegionPeering props', () => {
  function network(): RegionalNetwork {
    const app = testApp();
    const stack = new Stack(app, 'Net', { env: { account: '123456789012', region: 'us-east-1' } });
    return new RegionalNetwork(stack, 'Network', {
      encryptionKey: new RegionalDataKey(stack, 'Key').key,
      cidr: '10.10.0.0/16',
    });
  }

  test('GIVEN both sides, the own region and no CIDRs THEN one error lists every problem', () => {
    const local = network();
    expect(
      () =>
        new RegionPeering(Stack.of(local), 'Peer', {
          network: local,
          peer: { region: 'us-east-1', appSubnetCidrs: [], dataSubnetCidrs: ['10.20.0.0/24'] },
          peerVpcId: 'vpc-1',
          peeringConnectionId: 'pcx-1',
        }),
    ).toThrow(
      new InvalidPropsError(
        'RegionPeering Net/Peer: give exactly one of peerVpcId (this side requests) and peeringConnectionId (this side accepts); ' +
          "peer.region must be another region than this stack's, got: us-east-1; " +
          "peer.appSubnetCidrs must list the peer's subnet CIDRs as literal strings (RegionalNetwork.appSubnetCidrs), got: none",
      ),
    );
  });

  test('GIVEN neither side and a token CIDR THEN both are named', () => {
    const local = network();
    expect(
      () =>
        new RegionPeering(Stack.of(local), 'Peer', {
          network: local,
          peer: {
            region: 'us-west-2',
            appSubnetCidrs: ['10.20.4.0/22'],
            dataSubnetCidrs: [local.vpc.vpcCidrBlock],
          },
        }),
    ).toThrow(
      new InvalidPropsError(
        'RegionPeering Net/Peer: give exactly one of peerVpcId (this side requests) and peeringConnectionId (this side accepts); ' +
          "peer.dataSubnetCidrs must list the peer's subnet CIDRs as literal strings (RegionalNetwork.dataSubnetCidrs), got: a token",
      ),
    );
  });
});

describe('PeeringStack', () => {
  test('GIVEN an accepting side THEN it publishes no connection output of its own', () => {
    const app = testApp();
    const stacks = buildMultiRegionApp(
      app,
      loadTopology((key) => app.node.tryGetContext(key)),
    );
    const outputs = (s: PeeringStack) =>
      Object.keys(app.synth().getStackByName(s.stackName).template.Outputs ?? {}).filter((k) =>
        k.startsWith('PeeringConnection'),
      );
    expect(outputs(stacks.regions[0].peering!)).toEqual(['PeeringConnectionuswest2']);
    expect(outputs(stacks.regions[1].peering!)).toEqual([]);
  });
});
