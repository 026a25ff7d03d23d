import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { assemblyDir } from '../deployed-app';

const root = path.resolve(__dirname, '..', '..');

/** Runs `npm run compliance -- <args>` the way a user does (without npm's banner). */
function compliance(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/compliance.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A reports directory holding a PASS page from an earlier run. */
function staleReports(): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'compliance-out-'));
  fs.writeFileSync(path.join(out, 'compliance-report.html'), 'PASS: no open findings');
  fs.writeFileSync(path.join(out, 'compliance-report.csv'), 'pack,rule\r\n');
  return out;
}

const EU = [
  '-c',
  'topology.primaryRegion=eu-west-1',
  '-c',
  'topology.secondaryRegions=eu-central-1,eu-north-1',
  '-c',
  'topology.allowedRegions=eu-west-1,eu-central-1,eu-north-1',
];

describe('npm run compliance: a failing synth', () => {
  test.each([
    ['a fresh assembly directory', []],
    ['--output DIR', ['--output', path.join(os.tmpdir(), `compliance-asm-${process.pid}`)]],
  ])(
    'GIVEN %s and a PASS page from an earlier run WHEN rto=3m fails synth THEN it exits 1 and leaves no page',
    (_, extra) => {
      const out = staleReports();
      const run = compliance('--out', out, ...extra, '-c', 'topology.rto=3m');
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(
        'compliance: cdk synth failed before it wrote a cloud assembly; no report written. Fix the error above and run again',
      );
      expect(fs.readdirSync(out)).toEqual([]);
    },
    60_000,
  );

  test('GIVEN --output naming a directory that holds files THEN it refuses before synth', () => {
    const out = staleReports();
    const used = fs.mkdtempSync(path.join(os.tmpdir(), 'compliance-used-'));
    fs.writeFileSync(path.join(used, 'MultiRegion-Database-us-west-2.template.json'), '{}');
    const run = compliance('--out', out, '--output', used);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `compliance: --output ${used} is not empty; give a new or empty directory, so that no template of an earlier synth is read\n`,
    );
    expect(fs.readdirSync(out)).toEqual([]);
  }, 30_000);
});

describe('npm run compliance: the README EU topology', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'compliance-eu-'));
  let run: ReturnType<typeof compliance>;
  beforeAll(() => {
    run = compliance('--out', out, ...EU);
  }, 120_000);

  test('THEN it passes and prints the bootstrap command with us-east-1 for the routing stack', () => {
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      '  bootstrap: npx cdk bootstrap aws://123456789012/eu-central-1 aws://123456789012/eu-north-1 aws://123456789012/eu-west-1 aws://123456789012/us-east-1',
    );
  });

  test('THEN the folder holds the brief too, with no estimate because the shipped prices cover no EU region', () => {
    expect(fs.readdirSync(out).sort()).toEqual([
      'brief.html',
      'brief.md',
      'compliance-report.csv',
      'compliance-report.html',
    ]);
    const missing = /^ {2}cost: {2}not estimated: (.*)$/m.exec(run.stdout)?.[1];
    expect(missing).toMatch(
      /^no prices for: ([a-z0-9.-]+@eu-[a-z]+-\d, )+[a-z0-9.-]+@eu-[a-z]+-\d in .*aws-prices\.json; add a figure /,
    );
    for (const region of ['eu-west-1', 'eu-central-1', 'eu-north-1']) {
      expect(missing).toContain(`@${region}`);
    }
    // The report links to the brief beside it; there is no cost table to link to.
    expect(fs.readFileSync(path.join(out, 'compliance-report.html'), 'utf8')).toContain(
      '<div class="muted">In this folder, from the same assembly: <a href="brief.html">the architecture brief</a>, <a href="brief.md">the brief in Markdown</a>.</div>',
    );
    expect(fs.readFileSync(path.join(out, 'brief.md'), 'utf8')).toContain(
      `**No estimate:** ${missing!.split(';')[0]}`,
    );
  });

  test('THEN no us-west-2 stack is listed, and us-east-1 holds no customer data', () => {
    const html = fs.readFileSync(path.join(out, 'compliance-report.html'), 'utf8');
    expect(html).not.toContain('us-west-2');
    expect(html).toMatch(
      /<tr><td><b>us-east-1<\/b><\/td><td><code>MultiRegion-Routing<\/code><\/td><td class="small">[^<]*1 × AWS::KMS::Key[^<]*<\/td><td class="good">no customer data<\/td><\/tr>/,
    );
    expect(html).toContain(
      '<td class="data">yes: backup vault (snapshots), database cluster, database instance, logs, secret</td>',
    );
  });

  test('THEN the CSV says per pack how many rules ran on how many resources, and every row has a level', () => {
    const lines = fs.readFileSync(path.join(out, 'compliance-report.csv'), 'utf8').split('\r\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AwsSolutions,,,,,,pack ran,131 rules evaluated on \d+ resources$/),
        expect.stringMatching(
          /^NIST\.800\.53\.R5,,,,,,pack ran,85 rules evaluated on \d+ resources$/,
        ),
        expect.stringMatching(
          /^HIPAA\.Security,,,,,,pack ran,90 rules evaluated on \d+ resources$/,
        ),
        expect.stringMatching(/^PCI\.DSS\.321,,,,,,pack ran,69 rules evaluated on \d+ resources$/),
        expect.stringMatching(/^MultiRegion,,,,,,pack ran,9 rules evaluated on \d+ resources$/),
      ]),
    );
    // cfn-guard did not run (no -c cfnGuard=true): it is no pack of this report.
    expect(lines.filter((l) => l.startsWith('cdk-validator-cfnguard'))).toEqual([]);
    const rows = lines.slice(1).filter((l) => l && !l.includes(',pack ran,'));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((l) => l.split(',')[2] === '')).toEqual([]);
  });
});

describe('npm run compliance: a brief that cannot be written', () => {
  test('GIVEN --record naming no file THEN the report is still written, links to nothing, and the run exits 2 saying why', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'compliance-record-'));
    const run = compliance(
      '--no-synth',
      '--assembly',
      assemblyDir(),
      '--out',
      out,
      '--record',
      '/no/record.json',
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'compliance: the brief could not be written: --record /no/record.json: no such file; give a record.json the drill wrote\n',
    );
    expect(fs.readdirSync(out).sort()).toEqual(['compliance-report.csv', 'compliance-report.html']);
    expect(fs.readFileSync(path.join(out, 'compliance-report.html'), 'utf8')).not.toContain(
      'In this folder',
    );
  }, 60_000);
});
