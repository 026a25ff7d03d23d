// The drill without AWS: a dry run plans from the outputs file alone, and the --profile and
// --region options are checked before any call.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { failWithoutCredentials, PRIMARY, SECONDARY, useFakeAws } from './harness';

const h = useFakeAws();
const saved = { ...process.env };

afterEach(() => {
  process.env = { ...saved };
});

describe('a dry run without credentials (offline, from the outputs file)', () => {
  test('GIVEN no credentials WHEN switchover --to us-west-2 runs dry THEN it prints the plan with real identifiers, the checks not run, and exits 10', async () => {
    failWithoutCredentials(h.world);

    const result = await h.run(['switchover', '--to', SECONDARY]);

    expect(result.code).toBe(10);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(
      'DRY RUN (offline): switchover of multi-region-ref-global from us-east-1 to us-west-2; nothing will be changed.\n' +
        `writer region: not read: no credentials; assumed us-east-1, the primary region in ${h.outputsFile}\n`,
    );
    expect(result.stdout).toContain(
      '\npreflight: 15 live checks not run (not read: no credentials):\n' +
        '  - target-secondary: target us-west-2 is a secondary member of multi-region-ref-global\n' +
        '  - target-available: target cluster is available\n',
    );
    expect(result.stdout).toContain("  - drains-off: every region's drain switch is 'false'\n");
    // Every step in order, with the identifiers of the outputs file.
    expect(result.stdout).toMatch(
      /1\. preflight:[\s\S]*2\. prepare-canary:[\s\S]*3\. fence:[\s\S]*4\. promote:[\s\S]*5\. wait-writer:[\s\S]*6\. align-rpo:[\s\S]*7\. verify-traffic:[\s\S]*8\. verify-writes:[\s\S]*9\. verify-client-writes:[\s\S]*10\. return-old-writer:/,
    );
    expect(result.stdout).toContain(
      'rds SwitchoverGlobalCluster @ us-west-2 [MUTATING] GlobalClusterIdentifier=multi-region-ref-global ' +
        'TargetDbClusterIdentifier=arn:aws:rds:us-west-2:123456789012:cluster:multi-region-ref-global-us-west-2',
    );
    expect(result.stdout).toContain(
      'ssm PutParameter @ us-east-1 [MUTATING] Name=/multi-region-ref/drain Value=true Overwrite=true',
    );
    expect(result.stdout).toContain(
      'not read: no usable AWS credentials for rds DescribeGlobalClusters in us-west-2: ' +
        'CredentialsProviderError: Could not load credentials from any providers\n' +
        'next: Set credentials the SDK can find (AWS_PROFILE or --profile, environment variables, or ' +
        '`aws sso login` for an expired session), then rerun (the dry run then reads the writer and ' +
        'runs the 15 checks; --execute acts)\n',
    );
    expect(result.stdout).not.toMatch(/\n\s+at /);
    // One attempt to read the writer, then nothing more is sent to AWS.
    expect(h.world.calls.map((c) => `${c.operation} ${c.region}`)).toEqual([
      'rds:DescribeGlobalClusters us-west-2',
    ]);
    expect(fs.existsSync(h.stateDir)).toBe(false);
  });

  test('GIVEN no credentials WHEN failback runs dry THEN it assumes the writer in the only secondary', async () => {
    failWithoutCredentials(h.world);

    const result = await h.run(['failback']);

    expect(result.code).toBe(10);
    expect(result.stdout).toContain(
      'DRY RUN (offline): failback of multi-region-ref-global from us-west-2 to us-east-1; nothing will be changed.\n' +
        `writer region: not read: no credentials; assumed us-west-2, the only secondary region in ${h.outputsFile}\n`,
    );
    expect(result.stdout).toContain('rds SwitchoverGlobalCluster @ us-east-1 [MUTATING]');
  });

  test('GIVEN no credentials WHEN --execute is given THEN nothing is planned and NO_CREDENTIALS stops it', async () => {
    failWithoutCredentials(h.world);

    const result = await h.run(['switchover', '--to', SECONDARY, '--execute', '--yes']);

    expect(result.code).toBe(10);
    expect(result.stdout).not.toContain('DRY RUN');
    expect(result.stderr).toContain(
      'error [NO_CREDENTIALS]: no usable AWS credentials for rds DescribeGlobalClusters in us-west-2',
    );
  });

  test('GIVEN credentials THEN the dry run reads the writer and runs the checks (not offline)', async () => {
    const result = await h.run(['switchover', '--to', SECONDARY]);

    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('offline');
    expect(result.stdout).toContain('all 15 checks passed');
  });
});

describe('--profile names a profile of the shared files', () => {
  beforeEach(() => {
    fs.writeFileSync(
      path.join(h.dir, 'config'),
      '[default]\nregion = us-east-1\n[profile drill-operator]\nrole_arn = arn:aws:iam::123456789012:role/DrillOperator\n',
    );
    fs.writeFileSync(
      path.join(h.dir, 'credentials'),
      '[base] ; keys\naws_access_key_id = AKIDEXAMPLE\n',
    );
    process.env.AWS_CONFIG_FILE = path.join(h.dir, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(h.dir, 'credentials');
  });

  test('GIVEN --profile nope THEN it stops before any AWS call with an error that names it and what to do (exit 10)', async () => {
    const result = await h.run(['status', '--profile', 'nope']);

    expect(result.code).toBe(10);
    expect(result.stderr).toBe(
      `error [NO_CREDENTIALS]: --profile nope: no such profile in ${h.dir}/config ([profile nope]) or ` +
        `${h.dir}/credentials ([nope]); the profiles there: base, default, drill-operator\n` +
        '  next: Check the name (`aws configure list-profiles`), or create it: `aws configure sso --profile nope` ' +
        'or `aws configure --profile nope` (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE choose other files)\n',
    );
    expect(h.world.calls).toEqual([]);
  });

  test('GIVEN no shared files THEN the error says that neither defines a profile', async () => {
    process.env.AWS_CONFIG_FILE = path.join(h.dir, 'missing-config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(h.dir, 'missing-credentials');

    const result = await h.run(['switchover', '--to', SECONDARY, '--profile', 'nope']);

    expect(result.code).toBe(10);
    expect(result.stderr).toContain(`([nope]); neither file defines any profile\n`);
  });

  test.each(['drill-operator', 'base', 'default'])(
    'GIVEN --profile %s, defined in a shared file THEN it is accepted',
    async (profile) => {
      const result = await h.run(['preflight', '--to', SECONDARY, '--profile', profile]);

      expect(result.stderr).not.toContain('no such profile');
    },
  );
});

describe('--region is an AWS region', () => {
  test('GIVEN --region eu-nowhere-1 THEN it stops with USAGE naming the value and the eu- regions', async () => {
    const result = await h.run(['status', '--region', 'eu-nowhere-1']);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error [USAGE]: --region eu-nowhere-1 is not an AWS region aws-cdk-lib 2.276.0 knows; the eu- regions are ' +
        'eu-central-1, eu-central-2, eu-isoe-west-1, eu-north-1, eu-south-1, eu-south-2, eu-west-1, eu-west-2, eu-west-3\n' +
        "  next: --region is where the drill calls Route 53 and reads the routing stack's alarms: leave it out for us-east-1 (the default)\n",
    );
    expect(h.world.calls).toEqual([]);
  });

  test('GIVEN a value that is no region name THEN it says so', async () => {
    const result = await h.run(['switchover', '--to', SECONDARY, '--region', 'Virginia']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error [USAGE]: --region Virginia is not an AWS region name (like us-east-1); it knows 47 regions, e.g. us-east-1, eu-west-1, ap-southeast-2\n',
    );
  });

  test('GIVEN a known region THEN it is accepted', async () => {
    const result = await h.run(['status', '--region', PRIMARY]);

    expect(result.code).toBe(0);
  });
});
