import { InvalidPropsError } from '../constructs/invalid-props-error';

/**
 * The IPv4 range of each region's VPC, a function of the region alone.
 *
 * A VPC's CIDR cannot change in place (`AWS::EC2::VPC` `CidrBlock`: update requires
 * replacement), so it must not depend on the region's position in the topology:
 * reordering `secondaryRegions` (failover preference) or removing one must leave every other
 * VPC untouched. Peered VPCs must not overlap (Amazon VPC Peering Guide, "VPC peering
 * limitations": "You cannot create a VPC peering connection between VPCs that have matching or
 * overlapping IPv4 CIDR blocks").
 *
 * The first three keep the ranges the app gave them before this table existed (topology
 * positions 0, 1, 2 of the default and three-region deployments), so deployed VPCs stay.
 * Every range is a distinct /16 in 10.0.0.0/8; add a region by giving it an unused one.
 */
export const REGION_VPC_CIDRS: Readonly<Record<string, string>> = {
  'us-east-1': '10.10.0.0/16',
  'us-west-2': '10.20.0.0/16',
  'us-east-2': '10.30.0.0/16',
  'us-west-1': '10.40.0.0/16',
  'ca-central-1': '10.50.0.0/16',
  'ca-west-1': '10.51.0.0/16',
  'mx-central-1': '10.52.0.0/16',
  'sa-east-1': '10.60.0.0/16',
  'eu-west-1': '10.70.0.0/16',
  'eu-west-2': '10.71.0.0/16',
  'eu-west-3': '10.72.0.0/16',
  'eu-central-1': '10.80.0.0/16',
  'eu-central-2': '10.81.0.0/16',
  'eu-north-1': '10.82.0.0/16',
  'eu-south-1': '10.83.0.0/16',
  'eu-south-2': '10.84.0.0/16',
  'il-central-1': '10.90.0.0/16',
  'me-central-1': '10.91.0.0/16',
  'me-south-1': '10.92.0.0/16',
  'af-south-1': '10.93.0.0/16',
  'ap-northeast-1': '10.100.0.0/16',
  'ap-northeast-2': '10.101.0.0/16',
  'ap-northeast-3': '10.102.0.0/16',
  'ap-east-1': '10.103.0.0/16',
  'ap-east-2': '10.104.0.0/16',
  'ap-south-1': '10.110.0.0/16',
  'ap-south-2': '10.111.0.0/16',
  'ap-southeast-1': '10.120.0.0/16',
  'ap-southeast-2': '10.121.0.0/16',
  'ap-southeast-3': '10.122.0.0/16',
  'ap-southeast-4': '10.123.0.0/16',
  'ap-southeast-5': '10.124.0.0/16',
  'ap-southeast-6': '10.125.0.0/16',
  'ap-southeast-7': '10.126.0.0/16',
};

/** A CIDR as [first address, last address] in 32-bit integers. */
function rangeOf(cidr: string): [number, number] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = Math.floor(address / size) * size;
  return [first, first + size - 1];
}

/**
 * The VPC CIDR of each region, from `table` (the fixed {@link REGION_VPC_CIDRS} by default).
 *
 * Throws one error naming every region without a range, every malformed range and every pair
 * of regions whose ranges overlap, with what to do next.
 */
export function vpcCidrsFor(
  regions: readonly string[],
  table: Readonly<Record<string, string>> = REGION_VPC_CIDRS,
): Record<string, string> {
  const problems: string[] = [];
  const cidrs: Record<string, string> = {};
  for (const region of regions) {
    const cidr = table[region];
    if (cidr === undefined) {
      problems.push(
        `${region} has no VPC CIDR; add it to REGION_VPC_CIDRS in lib/vpc-cidrs.ts with a /16 no other region uses`,
      );
    } else if (!rangeOf(cidr)) {
      problems.push(
        `${region} has VPC CIDR '${cidr}', which is not an IPv4 CIDR such as 10.10.0.0/16`,
      );
    } else {
      cidrs[region] = cidr;
    }
  }
  const valid = Object.keys(cidrs);
  valid.forEach((a, i) => {
    for (const b of valid.slice(i + 1)) {
      const [aFirst, aLast] = rangeOf(cidrs[a])!;
      const [bFirst, bLast] = rangeOf(cidrs[b])!;
      if (aFirst <= bLast && bFirst <= aLast) {
        problems.push(
          `${a} (${cidrs[a]}) and ${b} (${cidrs[b]}) overlap, and peered VPCs must not; give one of them an unused /16`,
        );
      }
    }
  });
  if (problems.length > 0) {
    throw new InvalidPropsError(`VPC CIDRs: ${problems.join('; ')}`);
  }
  return cidrs;
}
