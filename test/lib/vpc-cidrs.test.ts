import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { InvalidPropsError } from '../../constructs';
import { buildMultiRegionApp } from '../../lib/multi-region-app';
import { loadTopology } from '../../lib/topology';
import { REGION_VPC_CIDRS, vpcCidrsFor } from '../../lib/vpc-cidrs';
import { testApp } from '../util';

/** Each region's VPC CidrBlock as the app synthesizes it for these secondaries. */
function vpcCidrsOfApp(secondaryRegions: string): Record<string, string> {
  const app = testApp({ 'topology.secondaryRegions': secondaryRegions });
  const stacks = buildMultiRegionApp(
    app,
    loadTopology((key) => app.node.tryGetContext(key)),
  );
  return Object.fromEntries(
    stacks.regions.map(({ region, foundation }) => {
      const vpcs = Object.values(
        Template.fromStack(foundation as Stack).findResources('AWS::EC2::VPC'),
      );
      expect(vpcs).toHaveLength(1);
      return [region, vpcs[0].Properties.CidrBlock as string];
    }),
  );
}

describe('VPC CIDRs are a function of the region', () => {
  test('GIVEN the default regions THEN they keep the ranges deployed before the table (no VPC replaced)', () => {
    expect(vpcCidrsOfApp('us-west-2')).toEqual({
      'us-east-1': '10.10.0.0/16',
      'us-west-2': '10.20.0.0/16',
    });
    // The third region of the documented three-region topology keeps its range too.
    expect(vpcCidrsFor(['us-east-2'])).toEqual({ 'us-east-2': '10.30.0.0/16' });
  });

  test('GIVEN secondaries reordered or removed WHEN synthesized THEN no remaining VPC changes its CidrBlock', () => {
    const all = vpcCidrsOfApp('us-west-2,us-east-2,us-west-1');
    const reordered = vpcCidrsOfApp('us-west-1,us-east-2,us-west-2');
    const removed = vpcCidrsOfApp('us-west-1,us-west-2');

    expect(reordered).toEqual(all);
    expect(Object.keys(removed).sort()).toEqual(['us-east-1', 'us-west-1', 'us-west-2']);
    for (const [region, cidr] of Object.entries(removed))
      expect([region, cidr]).toEqual([region, all[region]]);
    expect(new Set(Object.values(all)).size).toBe(4);
  });

  test('GIVEN every region of the table THEN the ranges are valid /16s and no two overlap', () => {
    const cidrs = vpcCidrsFor(Object.keys(REGION_VPC_CIDRS));
    for (const cidr of Object.values(cidrs)) expect(cidr).toMatch(/^10\.\d{1,3}\.0\.0\/16$/);
  });
});

describe('VPC CIDR errors', () => {
  function messageOf(run: () => unknown): string {
    try {
      run();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidPropsError);
      return (e as Error).message;
    }
    throw new Error('expected an InvalidPropsError');
  }

  test('GIVEN a region the table does not know THEN the error names it and where to add it', () => {
    expect(messageOf(() => vpcCidrsFor(['us-east-1', 'cn-north-1']))).toBe(
      'VPC CIDRs: cn-north-1 has no VPC CIDR; add it to REGION_VPC_CIDRS in lib/vpc-cidrs.ts with a /16 no other region uses',
    );
  });

  test('GIVEN overlapping or malformed ranges THEN one error lists every problem', () => {
    const table = {
      'us-east-1': '10.10.0.0/16',
      'us-west-2': '10.10.128.0/17',
      'eu-west-1': '10.300.0.0/16',
      'eu-west-2': '10.12.0.0/16',
    };
    expect(
      messageOf(() => vpcCidrsFor(['us-east-1', 'us-west-2', 'eu-west-1', 'eu-west-2'], table)),
    ).toBe(
      "VPC CIDRs: eu-west-1 has VPC CIDR '10.300.0.0/16', which is not an IPv4 CIDR such as 10.10.0.0/16; " +
        'us-east-1 (10.10.0.0/16) and us-west-2 (10.10.128.0/17) overlap, and peered VPCs must not; give one of them an unused /16',
    );
  });

  test('GIVEN adjacent ranges THEN they do not count as overlapping', () => {
    expect(vpcCidrsFor(['a', 'b'], { a: '10.10.0.0/16', b: '10.11.0.0/16' })).toEqual({
      a: '10.10.0.0/16',
      b: '10.11.0.0/16',
    });
  });

  // The whole value must be a dotted quad and a prefix length: CloudFormation would otherwise
  // receive the junk in CidrBlock and fail at deploy, long after synth.
  test.each([
    ['leading junk', 'x10.10.0.0/16'],
    ['trailing junk', '10.10.0.0/16x'],
    ['a three-digit prefix length', '10.10.0.0/160'],
    ['no prefix length', '10.10.0.0'],
    ['an octet above 255', '10.256.0.0/16'],
    ['a prefix length above 32', '10.10.0.0/33'],
  ])('GIVEN a range with %s THEN the error names the region and the value', (_, cidr) => {
    expect(messageOf(() => vpcCidrsFor(['us-east-1'], { 'us-east-1': cidr }))).toBe(
      `VPC CIDRs: us-east-1 has VPC CIDR '${cidr}', which is not an IPv4 CIDR such as 10.10.0.0/16`,
    );
  });

  test.each([
    ['an octet of 255', '10.255.0.0/16'],
    ['multi-digit octets everywhere', '172.31.128.128/25'],
    ['a prefix length of 32', '10.10.0.1/32'],
  ])('GIVEN a range with %s THEN it is a valid IPv4 CIDR', (_, cidr) => {
    expect(vpcCidrsFor(['us-east-1'], { 'us-east-1': cidr })).toEqual({ 'us-east-1': cidr });
  });

  test('GIVEN ranges that share only their first or last address THEN they overlap', () => {
    const table = {
      'us-east-1': '10.10.0.0/16',
      // The last address of us-east-1's range.
      'us-west-2': '10.10.255.255/32',
      // The last address of eu-west-2's range, listed before it.
      'eu-west-1': '10.20.255.255/32',
      'eu-west-2': '10.20.0.0/16',
    };
    expect(
      messageOf(() => vpcCidrsFor(['us-east-1', 'us-west-2', 'eu-west-1', 'eu-west-2'], table)),
    ).toBe(
      'VPC CIDRs: us-east-1 (10.10.0.0/16) and us-west-2 (10.10.255.255/32) overlap, and peered VPCs must not; give one of them an unused /16; ' +
        'eu-west-1 (10.20.255.255/32) and eu-west-2 (10.20.0.0/16) overlap, and peered VPCs must not; give one of them an unused /16',
    );
  });

  test('GIVEN a topology region without a range WHEN the app is built THEN it fails before any stack', () => {
    const app = testApp({
      'topology.secondaryRegions': 'ca-central-1',
      'topology.allowedRegions': 'us-east-1,ca-central-1',
    });
    const topology = loadTopology((key) => app.node.tryGetContext(key));
    expect(() =>
      buildMultiRegionApp(app, { ...topology, regions: ['us-east-1', 'me-west-1'] }),
    ).toThrow(
      'VPC CIDRs: me-west-1 has no VPC CIDR; add it to REGION_VPC_CIDRS in lib/vpc-cidrs.ts with a /16 no other region uses',
    );
    expect(app.node.children).toHaveLength(0);
  });
});
