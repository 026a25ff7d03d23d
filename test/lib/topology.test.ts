import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  PLACEHOLDER_ACCOUNT,
  LoadTopologyOptions,
  RawTopology,
  TOPOLOGY_CONTEXT_KEYS,
  TopologyError,
  editDistance,
  knownEngineVersions,
  loadTopology,
  misspelledTopologyKeys,
  parseDuration,
  validateTopology,
} from '../../lib/topology';
import { CDK_CONTEXT, ELEVEN_SECONDARIES } from '../util';

/** A context reader over a plain object, like `app.node.tryGetContext`. */
function context(values: Record<string, unknown>): (key: string) => unknown {
  return (key) => values[key];
}

/** The problems `loadTopology` reports for this context. */
function loadProblems(
  values: Record<string, unknown>,
  options: LoadTopologyOptions = {},
): readonly string[] {
  try {
    loadTopology(context(values), options);
  } catch (e) {
    if (e instanceof TopologyError) return e.problems;
    throw e;
  }
  throw new Error('expected the topology to be rejected');
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
    expect(loadProblems({ topologyFile: '/nowhere/topology.json' })).toEqual([
      "topologyFile: cannot read '/nowhere/topology.json' (ENOENT: no such file or directory, open '/nowhere/topology.json')",
    ]);
  });

  test('GIVEN an unknown field WHEN loaded THEN the error lists the known fields', () => {
    expect(loadProblems({ topology: { primaryRgion: 'us-east-1', rpo: '60s' } })).toEqual([
      'topology.primaryRgion: unknown field; did you mean primaryRegion? known fields are account, primaryRegion, secondaryRegions, domainName, hostedZoneId, rto, rpo, mode, allowedRegions, engineVersion, instanceClass, readers, readersByRegion, globalClusterIdentifier, stackPrefix, alarmEmails, drillOperatorPrincipals, drillFailoverPrincipals',
    ]);
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
      'more than 10 secondaries',
      {
        secondaryRegions: ELEVEN_SECONDARIES,
        allowedRegions: ['us-east-1', ...ELEVEN_SECONDARIES],
      },
      'secondaryRegions: an Aurora global database takes 1 to 10 secondary regions, got 11: ["us-east-2","us-west-1","us-west-2","ca-central-1","eu-west-1","eu-west-2","eu-west-3","eu-central-1","eu-north-1","ap-northeast-1","ap-southeast-1"]',
    ],
    [
      'no secondary',
      { secondaryRegions: [] },
      'secondaryRegions: an Aurora global database takes 1 to 10 secondary regions, got 0: []',
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
      "instanceClass: write it without the 'db.' prefix, got: 'db.r6g.large'; use 'r6g.large'",
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
      "hostedZoneId: must be a Route 53 hosted zone id, 'Z' and 9 to 31 upper-case letters or digits such as 'Z0123456789ABCDEFGHIJ' (aws route53 list-hosted-zones), got: 'example-zone'",
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
      "engineVersion: '8.0.mysql_aurora.3.05.2' is not an Aurora PostgreSQL version aws-cdk-lib knows; known major versions: 9.6, 10, 11, 12, 13, 14, 15, 16, 17, 18; for example '16.6'",
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
    [' 30s ', 30],
  ])('parses %p as %p seconds', (input, seconds) => {
    expect(parseDuration(input)?.toSeconds()).toBe(seconds);
  });

  test.each([['-5'], ['1.5m'], ['10 minutes'], [true], [-1]])('rejects %p', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });
});

/** The one problem `raw` has, on top of otherwise valid defaults. */
function onlyProblem(raw: RawTopology): string {
  const problems = problemsOf(raw);
  expect(problems).toHaveLength(1);
  return problems[0];
}

function accepts(raw: RawTopology): void {
  expect(() => validateTopology(raw)).not.toThrow();
}

describe('context keys that look like topology keys', () => {
  test.each([
    ['topology.secondaryRegion', 'topology.secondaryRegions'],
    ['topolgy.rpo', 'topology.rpo'],
    ['topologyfile', 'topologyFile'],
    ['topology.RPO', 'topology.rpo'],
    ['TOPOLOGY.RPO', 'topology.rpo'],
    ['TOPOLOGYFILE', 'topologyFile'],
    ['Topology', 'topology'],
    ['topology_file', 'topologyFile'],
    ['topology.alarmEmail', 'topology.alarmEmails'],
    // Two edits from 'topology' or 'topologyFile' is still a typo of it.
    ['topolo', 'topology'],
    ['xxtopologyfile', 'topologyFile'],
  ])('GIVEN -c %s WHEN loaded THEN it is an error naming %s', (key, nearest) => {
    const error = (() => {
      try {
        loadTopology(context({ ...CDK_CONTEXT, [key]: 'x' }), {
          contextKeys: [...Object.keys(CDK_CONTEXT), key],
        });
      } catch (e) {
        return e as TopologyError;
      }
      throw new Error('expected an error');
    })();
    expect(error.problems).toEqual([
      `${key}: not a topology setting, so it would be ignored; did you mean ${nearest}?`,
    ]);
  });

  test.each([
    ['topol'],
    ['xxxtopologyfile'],
    ['cli-telemetry'],
    ['@aws-cdk/core:checkSecretUsage'],
  ])(
    'GIVEN -c %s (three or more edits away) WHEN loaded THEN it is not taken for a topology key',
    (key) => {
      expect(misspelledTopologyKeys([key])).toEqual([]);
    },
  );

  test('GIVEN every key this app reads WHEN checked THEN none is reported', () => {
    expect(misspelledTopologyKeys(TOPOLOGY_CONTEXT_KEYS)).toEqual([]);
    expect(TOPOLOGY_CONTEXT_KEYS).toEqual(
      expect.arrayContaining([
        'topology',
        'topologyFile',
        'topology.rpo',
        'topology.readersByRegion',
      ]),
    );
    expect(TOPOLOGY_CONTEXT_KEYS).toHaveLength(20);
  });

  test('GIVEN the cdk.json context keys WHEN loaded with them THEN the topology loads', () => {
    expect(
      loadTopology(context(CDK_CONTEXT), { contextKeys: Object.keys(CDK_CONTEXT) }).regions,
    ).toEqual(['us-east-1', 'us-west-2']);
  });

  test('GIVEN a misspelled key and a bad field WHEN loaded THEN the key is reported before validation', () => {
    expect(() =>
      loadTopology(context({ 'topology.rpo': '1s' }), { contextKeys: ['topology.RPo'] }),
    ).toThrow(
      'Invalid topology (1 problem); fix it in cdk.json "context.topology", a -c topologyFile=... JSON file or -c topology.<field>=...:\n' +
        '  - topology.RPo: not a topology setting, so it would be ignored; did you mean topology.rpo?',
    );
  });
});

describe('editDistance', () => {
  test.each([
    ['', 'abc', 3],
    ['abc', '', 3],
    ['abc', 'abc', 0],
    ['kitten', 'sitting', 3],
    ['ab', 'ba', 1],
    ['topolgoy', 'topology', 1],
    ['ca', 'abc', 3],
    ['abcd', 'acbd', 1],
    ['abc', 'axc', 1],
  ])('%p to %p is %p', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe('whole-topology and number values', () => {
  test('GIVEN -c topology=<JSON> WHEN loaded THEN it is refused, because it would drop the cdk.json fields', () => {
    expect(loadProblems({ ...CDK_CONTEXT, topology: '{"rpo":"60s"}' })).toEqual([
      'topology: -c topology=... replaces the whole topology of cdk.json and would drop its other fields; ' +
        'set fields with -c topology.<field>=..., or put them in a JSON file and pass -c topologyFile=<path>',
    ]);
  });

  test('GIVEN a topology that is not an object WHEN loaded THEN the error says so', () => {
    expect(loadProblems({ topology: ['us-east-1'] })).toEqual([
      'topology: must be a JSON object, got: ["us-east-1"]',
    ]);
    expect(loadProblems({ topology: null })).toEqual([
      'topology: must be a JSON object, got: null',
    ]);
    expect(loadProblems({ topology: 5 })).toEqual(['topology: must be a JSON object, got: 5']);
  });

  test('GIVEN a topology file holding a list WHEN loaded THEN the error names the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'topology-'));
    const file = path.join(dir, 'list.json');
    fs.writeFileSync(file, '["us-east-1"]');
    expect(loadProblems({ topologyFile: file })).toEqual([
      `topologyFile '${file}': must be a JSON object, got: ["us-east-1"]`,
    ]);
  });

  test('GIVEN a topology file that is not JSON WHEN loaded THEN the error names the path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'topology-'));
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{rpo: 60}');
    expect(loadProblems({ topologyFile: file })).toEqual([
      // The parser's own words differ between Node versions.
      expect.stringMatching(
        new RegExp(
          `^topologyFile: '${file.replace(/[.]/g, '\\.')}' is not valid JSON \\(.*position 1.*\\)$`,
        ),
      ),
    ]);
  });

  test.each<[RawTopology, string]>([
    [
      { account: 123456789012 },
      'account: got the JSON number 123456789012; quote it ("account": "123456789012"), because a number loses leading and trailing zeros',
    ],
    [
      { engineVersion: 16.1 },
      'engineVersion: got the JSON number 16.1; quote it ("engineVersion": "16.1"), because a number loses leading and trailing zeros',
    ],
  ])('GIVEN %p WHEN validated THEN it asks for quotes', (raw, message) => {
    expect(onlyProblem(raw)).toBe(message);
  });

  test.each<[RawTopology, string]>([
    [{ primaryRegion: '  ' }, 'primaryRegion: must be a non-empty string, got: "  "'],
    [{ mode: true }, 'mode: must be a non-empty string, got: true'],
  ])('GIVEN %p WHEN validated THEN it asks for a string', (raw, message) => {
    expect(onlyProblem(raw)).toBe(message);
  });

  test('GIVEN padded strings WHEN validated THEN they are trimmed', () => {
    expect(
      validateTopology({ primaryRegion: ' us-east-1 ', alarmEmails: ' a@b.co , c@d.co ' }),
    ).toMatchObject({ primaryRegion: 'us-east-1', alarmEmails: ['a@b.co', 'c@d.co'] });
  });
});

describe('engine version', () => {
  test.each([['16.6'], ['17.4'], ['13.3'], ['9.6.8']])(
    'accepts %p, which aws-cdk-lib knows',
    (v) => {
      expect(validateTopology({ engineVersion: v }).engineVersion).toBe(v);
    },
  );

  test.each([
    [
      '99.1',
      "engineVersion: '99.1' is not an Aurora PostgreSQL version aws-cdk-lib knows; known major versions: 9.6, 10, 11, 12, 13, 14, 15, 16, 17, 18; for example '16.6'",
    ],
    [
      '16.7',
      "engineVersion: '16.7' is not an Aurora PostgreSQL version aws-cdk-lib knows; known 16.x versions: 16.0, 16.1, 16.2, 16.3, 16.4, 16.5, 16.6, 16.8, 16.9, 16.10, 16.11, 16.13; for example '16.6'",
    ],
    [
      '16.4-limitless',
      "engineVersion: '16.4-limitless' is not an Aurora PostgreSQL version aws-cdk-lib knows; known 16.x versions: 16.0, 16.1, 16.2, 16.3, 16.4, 16.5, 16.6, 16.8, 16.9, 16.10, 16.11, 16.13; for example '16.6'",
    ],
    [
      '16.6.1',
      "engineVersion: '16.6.1' is not an Aurora PostgreSQL version aws-cdk-lib knows; known major versions: 9.6, 10, 11, 12, 13, 14, 15, 16, 17, 18; for example '16.6'",
    ],
  ])('refuses %p', (v, message) => {
    expect(onlyProblem({ engineVersion: v })).toBe(message);
  });

  test('GIVEN the known versions WHEN listed THEN they come from aws-cdk-lib, without Limitless builds', () => {
    const versions = knownEngineVersions();
    expect(versions).toEqual(expect.arrayContaining(['16.6', '17.4', '9.6.8']));
    expect(versions.filter((v) => v.includes('limitless'))).toEqual([]);
    expect(new Set(versions).size).toBe(versions.length);
  });
});

describe('instance class', () => {
  test.each([
    ['r6g.large'],
    ['r5.24xlarge'],
    ['r6i.32xlarge'],
    ['r7g.xlarge'],
    ['r7i.48xlarge'],
    ['r8g.2xlarge'],
    ['x2g.16xlarge'],
  ])('accepts %p', (c) => {
    expect(validateTopology({ instanceClass: c }).instanceClass).toBe(c);
  });

  const notGlobal = (c: string) =>
    `instanceClass: Aurora global databases take memory-optimized classes (r5, r6g, r6i, r7g, r7i, r8g, x2g) of size large or more, got: '${c}'; use one such as 'r6g.large'`;
  test.each([
    ['m5.large', notGlobal('m5.large')],
    ['r6g.medium', notGlobal('r6g.medium')],
    ['r6g.large.x', notGlobal('r6g.large.x')],
    ['xr6g.large', notGlobal('xr6g.large')],
    ['r6g.largex', notGlobal('r6g.largex')],
    ['r6g', notGlobal('r6g')],
    [
      'serverless',
      "instanceClass: 'serverless' (Aurora Serverless v2) is not supported by this app's constructs, which create provisioned instances; use a memory-optimized class such as 'r6g.large'",
    ],
    [
      'db.serverless',
      "instanceClass: 'db.serverless' (Aurora Serverless v2) is not supported by this app's constructs, which create provisioned instances; use a memory-optimized class such as 'r6g.large'",
    ],
    [
      'db.serverlessx',
      "instanceClass: write it without the 'db.' prefix, got: 'db.serverlessx'; use 'serverlessx'",
    ],
    [
      'db.t3.medium',
      "instanceClass: Aurora global databases do not support burstable T classes, got: 'db.t3.medium'; use a memory-optimized class such as 'r6g.large'",
    ],
    ['xt4g.large', notGlobal('xt4g.large')],
    ['xserverless', notGlobal('xserverless')],
  ])('refuses %p', (c, message) => {
    expect(onlyProblem({ instanceClass: c })).toBe(message);
  });
});

describe('rpo and rto bounds', () => {
  test.each([
    ['20s', 20],
    [2_147_483_647, 2_147_483_647],
  ])('accepts rpo %p (a bound)', (rpo, s) => {
    expect(validateTopology({ rpo }).rpo.toSeconds()).toBe(s);
  });

  test.each([
    [
      '19s',
      'rpo: Aurora PostgreSQL managed RPO (rds.global_db_rpo) cannot enforce less than 20 seconds, got: 19 seconds',
    ],
    [
      2_147_483_648,
      'rpo: Aurora PostgreSQL managed RPO (rds.global_db_rpo) takes at most 2147483647 seconds, got: 2147483648 seconds; use a shorter rpo',
    ],
    [
      '1000000h',
      'rpo: Aurora PostgreSQL managed RPO (rds.global_db_rpo) takes at most 2147483647 seconds, got: 3600000000 seconds; use a shorter rpo',
    ],
  ])('refuses rpo %p', (rpo, message) => {
    expect(onlyProblem({ rpo })).toBe(message);
  });

  test('GIVEN rto 0 WHEN validated THEN it must be positive; 1 s is enough', () => {
    expect(onlyProblem({ rto: 0 })).toBe('rto: must be positive, got: 0 seconds');
    expect(validateTopology({ rto: '1s' }).rto.toSeconds()).toBe(1);
  });

  test('GIVEN a malformed rpo WHEN validated THEN only the format is reported', () => {
    expect(onlyProblem({ rpo: '1.5m' })).toBe(
      `rpo: must be a duration such as '30s', '15m' or '1h' (or a number of seconds), got: "1.5m"`,
    );
  });
});

describe('regions', () => {
  const ten = ELEVEN_SECONDARIES.slice(0, 10);

  test('GIVEN exactly 10 secondaries (the most Aurora allows) WHEN validated THEN they are accepted', () => {
    expect(
      validateTopology({ secondaryRegions: ten, allowedRegions: ['us-east-1', ...ten] }).regions,
    ).toEqual(['us-east-1', ...ten]);
  });

  test('GIVEN no allow-list WHEN validated THEN the regions themselves are allowed', () => {
    expect(validateTopology({ secondaryRegions: ['eu-west-1'] }).allowedRegions).toEqual([
      'us-east-1',
      'eu-west-1',
    ]);
  });

  test('GIVEN an allow-list entry that is not a region WHEN validated THEN it is named', () => {
    expect(onlyProblem({ allowedRegions: ['us-east-1', 'us-west-2', 'us-west-9'] })).toBe(
      "allowedRegions[2]: 'us-west-9' is not an AWS region name (for example 'us-east-1')",
    );
  });

  test('GIVEN a primary that is not a region WHEN validated THEN it is named', () => {
    expect(problemsOf({ primaryRegion: 'mars-1', allowedRegions: ['us-west-2'] })).toEqual([
      "primaryRegion: 'mars-1' is not an AWS region name (for example 'us-east-1')",
    ]);
  });

  test('GIVEN a JSON-array string of regions WHEN validated THEN it is parsed', () => {
    expect(
      validateTopology({
        secondaryRegions: '["us-east-2"]',
        allowedRegions: 'us-east-1,,us-east-2',
      }).allowedRegions,
    ).toEqual(['us-east-1', 'us-east-2']);
  });

  test('GIVEN padded list items and an empty item WHEN validated THEN they are trimmed and dropped', () => {
    expect(
      validateTopology({
        secondaryRegions: ' [" us-east-2 "]',
        allowedRegions: 'us-east-1, ,us-east-2',
      }),
    ).toMatchObject({
      secondaryRegions: ['us-east-2'],
      allowedRegions: ['us-east-1', 'us-east-2'],
    });
  });

  test.each<[unknown]>([['["us-east-2", 1]'], [[1]], [{}]])(
    'GIVEN secondaryRegions %p WHEN validated THEN it must be a list of strings',
    (value) => {
      expect(onlyProblem({ secondaryRegions: value })).toBe(
        `secondaryRegions: must be a list of strings (JSON array or comma-separated), got: ${JSON.stringify(value)}`,
      );
    },
  );
});

describe('readers', () => {
  test('GIVEN 15 readers (the most) WHEN validated THEN every region gets them', () => {
    expect(validateTopology({ readers: 15, globalClusterIdentifier: 'g' }).readersByRegion).toEqual(
      { 'us-east-1': 15, 'us-west-2': 15 },
    );
  });

  test.each<[unknown, string]>([
    [16, 'readers: must be a whole number from 0 to 15, got: 16'],
    [1.5, 'readers: must be a whole number from 0 to 15, got: 1.5'],
    ['two', 'readers: must be a whole number from 0 to 15, got: "two"'],
    [true, 'readers: must be a whole number from 0 to 15, got: true'],
  ])('refuses readers %p', (readers, message) => {
    expect(onlyProblem({ readers })).toBe(message);
  });

  test('GIVEN per-region readers at 0 and 15 WHEN validated THEN both bounds are kept', () => {
    expect(
      validateTopology({
        readersByRegion: { 'us-east-1': 15, 'us-west-2': 0 },
        globalClusterIdentifier: 'g',
      }).readersByRegion,
    ).toEqual({ 'us-east-1': 15, 'us-west-2': 0 });
  });

  test.each<[unknown, string]>([
    [16, 'readersByRegion.us-west-2: must be a whole number from 0 to 15, got: 16'],
    [-1, 'readersByRegion.us-west-2: must be a whole number from 0 to 15, got: -1'],
    [0.5, 'readersByRegion.us-west-2: must be a whole number from 0 to 15, got: 0.5'],
    ['x', 'readersByRegion.us-west-2: must be a whole number from 0 to 15, got: "x"'],
    [null, 'readersByRegion.us-west-2: must be a whole number from 0 to 15, got: null'],
  ])('refuses readersByRegion.us-west-2 = %p', (value, message) => {
    expect(onlyProblem({ readersByRegion: { 'us-west-2': value } })).toBe(message);
  });

  test('GIVEN readersByRegion as a -c JSON string WHEN validated THEN it is parsed', () => {
    expect(validateTopology({ readersByRegion: '{"us-west-2":"0"}' }).readersByRegion).toEqual({
      'us-east-1': 1,
      'us-west-2': 0,
    });
  });

  test.each<[unknown]>([['[0]'], ['nope'], [null]])(
    'GIVEN readersByRegion %p WHEN validated THEN it must be an object',
    (value) => {
      expect(onlyProblem({ readersByRegion: value })).toBe(
        `readersByRegion: must be a JSON object, got: ${JSON.stringify(value)}`,
      );
    },
  );
});

describe('global cluster identifier and its derived identifiers', () => {
  const id = (n: number) => 'g'.repeat(n);

  test.each<[string, RawTopology, number, string]>([
    // Default: 1 reader everywhere, so '<id>-us-east-1-reader1' is the longest (18).
    ['one reader per region', {}, 45, '-us-east-1-reader1'],
    [
      '15 readers in the primary',
      { readers: 0, readersByRegion: { 'us-east-1': 15 } },
      44,
      '-us-east-1-reader15',
    ],
    // Headless secondary: its cluster id '-ap-southeast-2' (15) is shorter than the writer's.
    [
      'no readers, a long secondary region',
      {
        readers: 0,
        secondaryRegions: ['ap-southeast-2'],
        allowedRegions: ['us-east-1', 'ap-southeast-2'],
      },
      46,
      '-us-east-1-writer',
    ],
    [
      'no readers, primary in a short region, long secondary',
      {
        readers: 0,
        primaryRegion: 'eu-west-1',
        secondaryRegions: ['ap-southeast-2', 'ap-northeast-3'],
        allowedRegions: ['eu-west-1', 'ap-southeast-2', 'ap-northeast-3'],
      },
      46,
      '-eu-west-1-writer',
    ],
    [
      'one reader in a long secondary region',
      {
        readers: 0,
        readersByRegion: { 'ap-southeast-2': 1 },
        secondaryRegions: ['ap-southeast-2'],
        allowedRegions: ['us-east-1', 'ap-southeast-2'],
      },
      40,
      '-ap-southeast-2-reader1',
    ],
  ])(
    'GIVEN %s WHEN the id is at the limit THEN it is accepted, one more is refused',
    (_n, raw, limit, suffix) => {
      accepts({ ...raw, globalClusterIdentifier: id(limit) });
      expect(onlyProblem({ ...raw, globalClusterIdentifier: id(limit + 1) })).toBe(
        `globalClusterIdentifier: at most ${limit} characters with these regions and readers, because '<globalClusterIdentifier>${suffix}' must fit RDS's 63, got ${limit + 1}: '${id(limit + 1)}'; shorten it`,
      );
    },
  );

  test.each([['1global'], ['global-'], ['glo--bal'], ['glo_bal'], ['-global']])(
    'refuses %p (letters, digits, single hyphens, a letter first)',
    (value) => {
      expect(onlyProblem({ globalClusterIdentifier: value })).toBe(
        `globalClusterIdentifier: must start with a letter and hold letters, digits and single hyphens, got: '${value}'`,
      );
    },
  );
});

describe('patterns are anchored', () => {
  test.each<[keyof RawTopology, string, string]>([
    [
      'account',
      '1234567890123',
      "account: must be a 12-digit AWS account id, got: '1234567890123'",
    ],
    [
      'account',
      'x123456789012',
      "account: must be a 12-digit AWS account id, got: 'x123456789012'",
    ],
    [
      'account',
      '123456789012x',
      "account: must be a 12-digit AWS account id, got: '123456789012x'",
    ],
    [
      'domainName',
      'example.com.',
      "domainName: must be a lower-case DNS name such as 'example.com', got: 'example.com.'",
    ],
    [
      'domainName',
      '-example.com',
      "domainName: must be a lower-case DNS name such as 'example.com', got: '-example.com'",
    ],
    [
      'domainName',
      'https://example.com',
      "domainName: must be a lower-case DNS name such as 'example.com', got: 'https://example.com'",
    ],
    [
      'domainName',
      'example.com/x',
      "domainName: must be a lower-case DNS name such as 'example.com', got: 'example.com/x'",
    ],
    [
      'domainName',
      'com',
      "domainName: must be a lower-case DNS name such as 'example.com', got: 'com'",
    ],
    [
      'stackPrefix',
      '1Multi',
      "stackPrefix: must start with a letter and hold letters, digits and hyphens (at most 40), got: '1Multi'",
    ],
    [
      'stackPrefix',
      'Multi_Region',
      "stackPrefix: must start with a letter and hold letters, digits and hyphens (at most 40), got: 'Multi_Region'",
    ],
    [
      'stackPrefix',
      `M${'r'.repeat(40)}`,
      `stackPrefix: must start with a letter and hold letters, digits and hyphens (at most 40), got: 'M${'r'.repeat(40)}'`,
    ],
  ])('refuses %s %p', (field, value, message) => {
    expect(onlyProblem({ [field]: value })).toBe(message);
  });

  const zone = (v: string) =>
    `hostedZoneId: must be a Route 53 hosted zone id, 'Z' and 9 to 31 upper-case letters or digits such as 'Z0123456789ABCDEFGHIJ' (aws route53 list-hosted-zones), got: '${v}'`;
  test.each([
    ['Z1'],
    [`Z${'A'.repeat(8)}`],
    [`Z${'A'.repeat(32)}`],
    ['/hostedzone/Z0000000000EXAMPLE'],
    ['Z0000000000EXAMPLE/'],
    ['z0000000000example'],
    ['X0000000000EXAMPLE'],
  ])('refuses hostedZoneId %p', (value) => {
    expect(onlyProblem({ hostedZoneId: value })).toBe(zone(value));
  });

  test.each([[`Z${'A'.repeat(9)}`], [`Z${'9'.repeat(31)}`], ['ZD3IYMVP1KDDM']])(
    'accepts hostedZoneId %p (10 to 32 characters)',
    (value) => {
      expect(validateTopology({ hostedZoneId: value }).hostedZoneId).toBe(value);
    },
  );

  test('GIVEN a 253-character domain WHEN validated THEN it is accepted, 254 is refused', () => {
    const domain = (x: number) =>
      `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(x)}.com`;
    expect(domain(57)).toHaveLength(253);
    accepts({ domainName: domain(57) });
    expect(onlyProblem({ domainName: domain(58) })).toBe(
      `domainName: must be a lower-case DNS name such as 'example.com', got: '${domain(58)}'`,
    );
  });

  test.each([['a.co'], ['a.b.co'], ['a-b.example.com'], ['1.example.com']])(
    'accepts domain %p (labels of one character and more)',
    (domainName) => {
      expect(validateTopology({ domainName }).domainName).toBe(domainName);
    },
  );

  test('GIVEN a 64-character label WHEN validated THEN it is refused, 63 is accepted', () => {
    accepts({ domainName: `${'a'.repeat(63)}.com` });
    expect(onlyProblem({ domainName: `${'a'.repeat(64)}.com` })).toBe(
      `domainName: must be a lower-case DNS name such as 'example.com', got: '${'a'.repeat(64)}.com'`,
    );
  });

  test.each([['ops@example.com'], ['a@b.co'], ['x.y+z@mail.example.org']])(
    'accepts e-mail %p',
    (email) => {
      expect(validateTopology({ alarmEmails: [email] }).alarmEmails).toEqual([email]);
    },
  );

  test.each([
    ['@ops@example.com'],
    ['ops@example.com@'],
    ['ops example@example.com'],
    ['ops@example'],
    ['ops@.x'],
  ])('refuses e-mail %p', (email) => {
    expect(onlyProblem({ alarmEmails: [email] })).toBe(
      `alarmEmails[0]: not an e-mail address: '${email}'`,
    );
  });
});

describe('duplicate alarm e-mails', () => {
  test('GIVEN the same address twice, in other case WHEN validated THEN the repeat is named', () => {
    expect(onlyProblem({ alarmEmails: 'ops@example.com,dba@example.com,OPS@Example.com' })).toBe(
      "alarmEmails[2]: 'OPS@Example.com' repeats alarmEmails[0] ('ops@example.com'; case is ignored); remove one of them",
    );
  });

  test('GIVEN the upper-case spelling first WHEN validated THEN the lower-case repeat is named', () => {
    expect(onlyProblem({ alarmEmails: ['Ops@Example.com', 'ops@example.com'] })).toBe(
      "alarmEmails[1]: 'ops@example.com' repeats alarmEmails[0] ('Ops@Example.com'; case is ignored); remove one of them",
    );
  });

  test('GIVEN distinct addresses WHEN validated THEN all are kept in order', () => {
    expect(validateTopology({ alarmEmails: ['b@x.io', 'a@x.io'] }).alarmEmails).toEqual([
      'b@x.io',
      'a@x.io',
    ]);
  });
});

describe('TopologyError', () => {
  test('GIVEN two problems WHEN thrown THEN each is on its own line', () => {
    expect(new TopologyError(['rpo: x', 'rto: y']).message).toBe(
      'Invalid topology (2 problems); fix it in cdk.json "context.topology", a -c topologyFile=... JSON file or -c topology.<field>=...:\n  - rpo: x\n  - rto: y',
    );
  });

  test('GIVEN one problem WHEN thrown THEN the message says "1 problem" and lists it', () => {
    const error = new TopologyError(['rpo: x']);
    expect(error.name).toBe('TopologyError');
    expect(error.message).toBe(
      'Invalid topology (1 problem); fix it in cdk.json "context.topology", a -c topologyFile=... JSON file or -c topology.<field>=...:\n  - rpo: x',
    );
  });
});
