import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  PLACEHOLDER_ACCOUNT,
  RawTopology,
  TopologyError,
  loadTopology,
  parseDuration,
  validateTopology,
} from '../../lib/topology';
import { CDK_CONTEXT } from '../util';

/** A context reader over a plain object, like `app.node.tryGetContext`. */
function context(values: Record<string, unknown>): (key: string) => unknown {
  return (key) => values[key];
}

function problemsOf(raw: RawTopology): readonly string[] {
  try {
    validateTopology(raw);
  } catch (e) {
    if (e instanceof TopologyError) return e.problems;
    throw e;
  }
  throw new Error('expected the topology to be rejected');
}

describe('defaults', () => {
  test('GIVEN the cdk.json context WHEN loaded without credentials THEN it synthesizes with placeholders', () => {
    const topology = loadTopology(context(CDK_CONTEXT));
    expect(topology).toMatchObject({
      account: PLACEHOLDER_ACCOUNT,
      primaryRegion: 'us-east-1',
      secondaryRegions: ['us-west-2'],
      regions: ['us-east-1', 'us-west-2'],
      domainName: 'example.com',
      hostedZoneId: 'Z0000000000EXAMPLE',
      mode: 'active-passive',
      engineVersion: '16.6',
      instanceClass: 'r6g.large',
      readersByRegion: { 'us-east-1': 1, 'us-west-2': 1 },
    });
    expect(topology.rpo.toSeconds()).toBe(30);
    expect(topology.rto.toMinutes()).toBe(15);
    const sso = 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com';
    expect(topology.drillOperatorPrincipals).toEqual([
      `${sso}/AWSReservedSSO_DrillOperator_*`,
      `${sso}/*/AWSReservedSSO_DrillOperator_*`,
    ]);
    expect(topology.drillFailoverPrincipals).toEqual([
      `${sso}/AWSReservedSSO_DrillFailover_*`,
      `${sso}/*/AWSReservedSSO_DrillFailover_*`,
    ]);
  });

  test('GIVEN the CLI found credentials WHEN no account is configured THEN that account is used', () => {
    expect(loadTopology(context({}), { defaultAccount: '210987654321' }).account).toBe(
      '210987654321',
    );
  });

  test('GIVEN no drill principals and a China region pair WHEN loaded THEN the default permission sets are in that account and partition', () => {
    const topology = validateTopology(
      {
        account: '210987654321',
        primaryRegion: 'cn-north-1',
        secondaryRegions: ['cn-northwest-1'],
        allowedRegions: ['cn-north-1', 'cn-northwest-1'],
      },
      {},
    );
    expect(topology.drillFailoverPrincipals).toEqual([
      'arn:aws-cn:iam::210987654321:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DrillFailover_*',
      'arn:aws-cn:iam::210987654321:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_DrillFailover_*',
    ]);
  });
});

describe('overrides', () => {
  test('GIVEN -c topology.<field> strings WHEN loaded THEN they override cdk.json and are parsed', () => {
    const topology = loadTopology(
      context({
        ...CDK_CONTEXT,
        'topology.secondaryRegions': 'us-west-2,us-east-2',
        'topology.rpo': '60s',
        'topology.readers': '2',
        'topology.readersByRegion': '{"us-east-2":0}',
        'topology.mode': 'active-active',
      }),
    );
    expect(topology.regions).toEqual(['us-east-1', 'us-west-2', 'us-east-2']);
    expect(topology.rpo.toSeconds()).toBe(60);
    expect(topology.readersByRegion).toEqual({ 'us-east-1': 2, 'us-west-2': 2, 'us-east-2': 0 });
    expect(topology.mode).toBe('active-active');
  });

  test('GIVEN drill principals as a -c list and as a JSON array WHEN loaded THEN both are kept as given', () => {
    const topology = loadTopology(
      context({
        ...CDK_CONTEXT,
        'topology.drillOperatorPrincipals':
          'arn:aws:iam::123456789012:user/alice, arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_SRE_*',
        'topology.drillFailoverPrincipals': '["arn:aws:iam::123456789012:user/alice"]',
      }),
    );
    expect(topology.drillOperatorPrincipals).toEqual([
      'arn:aws:iam::123456789012:user/alice',
      'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_SRE_*',
    ]);
    expect(topology.drillFailoverPrincipals).toEqual(['arn:aws:iam::123456789012:user/alice']);
  });

  test('GIVEN a topology file WHEN loaded THEN its fields override cdk.json, and -c fields override the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'topology-'));
    const file = path.join(dir, 'eu.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        primaryRegion: 'eu-west-1',
        secondaryRegions: ['eu-central-1'],
        allowedRegions: ['eu-west-1', 'eu-central-1', 'eu-north-1'],
      }),
    );
    const topology = loadTopology(
      context({ ...CDK_CONTEXT, topologyFile: file, 'topology.rto': '10m' }),
    );
    expect(topology.regions).toEqual(['eu-west-1', 'eu-central-1']);
    expect(topology.rto.toMinutes()).toBe(10);
  });

  test('GIVEN a topology file that does not exist WHEN loaded THEN the error names the path', () => {
    expect(() => loadTopology(context({ topologyFile: '/nowhere/topology.json' }))).toThrow(
      /topologyFile: cannot read '\/nowhere\/topology.json'/,
    );
  });

  test('GIVEN an unknown field WHEN loaded THEN the error lists the known fields', () => {
    expect(() => loadTopology(context({ topology: { primaryRgion: 'us-east-1' } }))).toThrow(
      /topology.primaryRgion: unknown field; known fields are account, primaryRegion/,
    );
  });
});

describe('validation', () => {
  test.each<[string, RawTopology, string]>([
    [
      'the same region twice',
      {
        primaryRegion: 'us-east-1',
        secondaryRegions: ['us-east-1'],
        allowedRegions: ['us-east-1'],
      },
      "secondaryRegions: region 'us-east-1' appears more than once across primaryRegion and secondaryRegions; each region holds one cluster",
    ],
    [
      'a region name that is not a region',
      { secondaryRegions: ['us-west-9'] },
      "secondaryRegions[0]: 'us-west-9' is not an AWS region name (for example 'us-east-1')",
    ],
    [
      'more than 5 secondaries',
      {
        secondaryRegions: [
          'us-east-2',
          'us-west-1',
          'us-west-2',
          'eu-west-1',
          'eu-west-2',
          'eu-west-3',
        ],
        allowedRegions: [
          'us-east-1',
          'us-east-2',
          'us-west-1',
          'us-west-2',
          'eu-west-1',
          'eu-west-2',
          'eu-west-3',
        ],
      },
      'secondaryRegions: an Aurora global database takes 1 to 5 secondary regions, got 6: ["us-east-2","us-west-1","us-west-2","eu-west-1","eu-west-2","eu-west-3"]',
    ],
    [
      'no secondary',
      { secondaryRegions: [] },
      'secondaryRegions: an Aurora global database takes 1 to 5 secondary regions, got 0: []',
    ],
    [
      'an RPO under 20 s',
      { rpo: '10s' },
      'rpo: Aurora PostgreSQL managed RPO (rds.global_db_rpo) cannot enforce less than 20 seconds, got: 10 seconds',
    ],
    [
      'a region outside the residency allow-list',
      { secondaryRegions: ['eu-west-1'], allowedRegions: ['us-east-1', 'us-west-2'] },
      'allowedRegions: the database cluster in eu-west-1 is outside the residency allow-list ["us-east-1","us-west-2"] (MultiRegion-DataResidency); add it to allowedRegions or pick an allowed region',
    ],
    [
      'a T instance class',
      { instanceClass: 't4g.medium' },
      "instanceClass: Aurora global databases do not support burstable T classes, got: 't4g.medium'; use a memory-optimized class such as 'r6g.large'",
    ],
    [
      'a db.-prefixed instance class',
      { instanceClass: 'db.r6g.large' },
      "instanceClass: must look like 'r6g.large' (no 'db.' prefix), got: 'db.r6g.large'",
    ],
    [
      'an unknown mode',
      { mode: 'active-standby' },
      "mode: must be 'active-passive' or 'active-active', got: 'active-standby'",
    ],
    [
      'a malformed duration',
      { rto: 'fifteen minutes' },
      `rto: must be a duration such as '30s', '15m' or '1h' (or a number of seconds), got: "fifteen minutes"`,
    ],
    [
      'a malformed hosted zone id',
      { hostedZoneId: 'example-zone' },
      "hostedZoneId: must be a Route 53 hosted zone id such as 'Z0123456789ABCDEFGHIJ', got: 'example-zone'",
    ],
    [
      'an upper-case domain',
      { domainName: 'Example.COM' },
      "domainName: must be a lower-case DNS name such as 'example.com', got: 'Example.COM'",
    ],
    [
      'a negative reader count',
      { readers: -1 },
      'readers: must be a whole number from 0 to 15, got: -1',
    ],
    [
      'readers for a region that is not configured',
      { readersByRegion: { 'eu-west-1': 0 } },
      'readersByRegion.eu-west-1: not one of the configured regions ["us-east-1","us-west-2"]',
    ],
    [
      'a short account id',
      { account: '1234' },
      "account: must be a 12-digit AWS account id, got: '1234'",
    ],
    [
      'an engine version that is not Aurora PostgreSQL',
      { engineVersion: '8.0.mysql_aurora.3.05.2' },
      "engineVersion: must be an Aurora PostgreSQL version such as '16.6', got: '8.0.mysql_aurora.3.05.2'",
    ],
    [
      'regions in two partitions',
      { secondaryRegions: ['cn-north-1'], allowedRegions: ['us-east-1', 'cn-north-1'] },
      'secondaryRegions: all regions must be in one AWS partition, got aws, aws-cn for us-east-1, cn-north-1',
    ],
    [
      'the account root as a drill operator',
      { drillOperatorPrincipals: ['arn:aws:iam::123456789012:root'] },
      "drillOperatorPrincipals[0]: the account root would let every principal of the account that may call sts:AssumeRole assume the role; name roles or users, got: 'arn:aws:iam::123456789012:root'",
    ],
    [
      'a drill principal that is not an ARN',
      { drillFailoverPrincipals: ['DrillFailover'] },
      "drillFailoverPrincipals[0]: must be the ARN (or ArnLike pattern) of an IAM role or user, such as 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_DrillOperator_*', got: 'DrillFailover'",
    ],
    [
      'a drill principal in another partition than the regions',
      { drillFailoverPrincipals: ['arn:aws-us-gov:iam::123456789012:user/alice'] },
      "drillFailoverPrincipals[0]: must be in the partition of the regions ('aws'), got: 'arn:aws-us-gov:iam::123456789012:user/alice'",
    ],
    [
      'a drill principal pattern that matches every permission set',
      {
        drillOperatorPrincipals: [
          'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_*',
        ],
      },
      "drillOperatorPrincipals[0]: must end in 'AWSReservedSSO_<permission set name>_*' with the permission set spelled out, because Identity Center appends a changing suffix, got: 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_*'",
    ],
    [
      'an empty list of failover principals',
      { drillFailoverPrincipals: [] },
      'drillFailoverPrincipals: must name at least one principal; leave it out to trust the DrillFailover Identity Center permission set',
    ],
    [
      'drill principals that are not a list of strings',
      { drillOperatorPrincipals: { sre: 'arn:aws:iam::123456789012:user/alice' } },
      'drillOperatorPrincipals: must be a list of strings (JSON array or comma-separated), got: {"sre":"arn:aws:iam::123456789012:user/alice"}',
    ],
  ])('rejects %s', (_name, raw, message) => {
    expect(problemsOf(raw)).toEqual([message]);
  });

  test('GIVEN several problems WHEN validated THEN one error lists every one of them', () => {
    const error = (() => {
      try {
        validateTopology({
          rpo: '5s',
          instanceClass: 't3.medium',
          secondaryRegions: ['us-east-1'],
        });
      } catch (e) {
        return e as TopologyError;
      }
      throw new Error('expected an error');
    })();
    expect(error.problems).toHaveLength(3);
    expect(error.message).toMatch(/^Invalid topology \(3 problems\); fix it in cdk.json/);
    expect(error.message).toContain('  - rpo: ');
    expect(error.message).toContain('  - instanceClass: ');
    expect(error.message).toContain(
      "  - secondaryRegions: region 'us-east-1' appears more than once",
    );
  });
});

describe('parseDuration', () => {
  test.each([
    [30, 30],
    ['30', 30],
    ['45s', 45],
    ['15m', 900],
    ['1h', 3600],
  ])('parses %p as %p seconds', (input, seconds) => {
    expect(parseDuration(input)?.toSeconds()).toBe(seconds);
  });

  test.each([['-5'], ['1.5m'], ['10 minutes'], [true], [-1]])('rejects %p', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });
});
