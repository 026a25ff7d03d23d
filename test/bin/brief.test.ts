import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DRILL_OUTPUT_KEYS, type DrillRoutingOutput } from '../../constructs/contract';
import { BRIEF_FILES, buildBrief, type Brief } from '../../runbooks/brief';
import { FAKE_ACCOUNT } from '../../runbooks/simulation/deployment';
import { assemblyDir, deployedApp } from '../deployed-app';

const root = path.resolve(__dirname, '..', '..');
/** The committed example: the brief of the default topology, with no record. */
const EXAMPLE_DIR = path.join(root, 'docs', 'brief', 'example');
const REGENERATE =
  'npx cdk synth --no-lookups --quiet && npm run brief -- --no-synth --no-records --out docs/brief/example';

/** Runs `npm run brief -- <args>` the way a user does (without npm's banner). */
function briefCli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/brief.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'brief-test-'));

describe('the committed example brief', () => {
  let brief: Brief;
  beforeAll(async () => {
    brief = await buildBrief({ assembly: assemblyDir() });
  }, 60_000);

  test.each(Object.entries(BRIEF_FILES).map(([key, name]) => [name, key]))(
    `GIVEN the default topology THEN docs/brief/example/%s is what the code generates (else run: ${REGENERATE})`,
    (name, key) => {
      const committed = fs.readFileSync(path.join(EXAMPLE_DIR, name), 'utf8');
      expect(brief[key as keyof typeof BRIEF_FILES]).toBe(committed);
    },
  );

  test('THEN it names no value an assembly leaves to deployment (the simulation stands in for those)', () => {
    const deployment = deployedApp();
    const routing = JSON.parse(
      deployment.output('MultiRegion-Routing', DRILL_OUTPUT_KEYS.routing),
    ) as DrillRoutingOutput;
    const standIns = [
      FAKE_ACCOUNT,
      ...Object.values(routing.healthChecks).flatMap((ids) => Object.values(ids)),
    ];
    for (const text of [brief.markdown, brief.costCsv]) {
      expect(standIns.filter((value) => text.includes(value))).toEqual([]);
      expect(text).not.toMatch(/\.global-[0-9a-f]+\.global\.rds\.amazonaws\.com/);
    }
  });
});

describe('npm run brief', () => {
  test('GIVEN an assembly WHEN run offline THEN it writes the three files, says where and prints the price date', () => {
    const out = tempDir();
    const run = briefCli('--no-synth', '--assembly', assemblyDir(), '--no-records', '--out', out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(Object.values(BRIEF_FILES).sort());
    const markdown = fs.readFileSync(path.join(out, BRIEF_FILES.markdown), 'utf8');
    const date = /Prices as of (\d{4}-\d{2}-\d{2})/.exec(markdown)?.[1];
    expect(date).toBeDefined();
    expect(run.stdout).toContain(`  prices as of ${date} (`);
    expect(run.stdout).toContain(`  Markdown: ${path.join(out, BRIEF_FILES.markdown)}`);
  }, 60_000);

  test('GIVEN -c topology.readers=2 WHEN it synthesizes THEN the brief is that topology’s and the temporary assembly is gone', () => {
    const out = tempDir();
    const before = fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('multi-region-brief-'));
    const run = briefCli('--out', out, '--no-records', '-c', 'topology.readers=2');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('brief: us-east-1, us-west-2 from a fresh synth\n');
    const markdown = fs.readFileSync(path.join(out, BRIEF_FILES.markdown), 'utf8');
    expect(markdown).toContain(
      '| `us-east-1` | primary | 3 × `db.r6g.large` (writer + 2 readers) |',
    );
    expect(markdown).toContain('| `us-west-2` | secondary | 2 × `db.r6g.large` (2 readers) |');
    expect(fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('multi-region-brief-'))).toEqual(
      before,
    );
  }, 120_000);

  test('GIVEN an earlier brief WHEN synth fails THEN it exits 1 and leaves no brief', () => {
    const out = tempDir();
    for (const name of Object.values(BRIEF_FILES)) fs.writeFileSync(path.join(out, name), 'old');
    const synthDirs = () =>
      fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('multi-region-brief-'));
    const before = synthDirs();
    const run = briefCli('--out', out, '-c', 'topology.rto=3m');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('brief: cdk synth failed (see above); no brief was written\n');
    expect(fs.readdirSync(out)).toEqual([]);
    // The temporary assembly goes with the run.
    expect(synthDirs()).toEqual(before);
  }, 90_000);

  test.each([
    [
      '--assembly naming no assembly',
      ['--assembly', path.join(os.tmpdir(), 'no-such-assembly')],
      (dir: string) =>
        `${dir} is not a cloud assembly (no manifest.json): run \`npx cdk synth\` first`,
    ],
    [
      '--record naming no file',
      ['--assembly', '<assembly>', '--record', '/no/record.json'],
      () => '--record /no/record.json: no such file; give a record.json the drill wrote',
    ],
  ])(
    'GIVEN %s THEN it exits 2 with what to do',
    (_, args, message) => {
      const assembly = assemblyDir();
      const given = args.map((a) => (a === '<assembly>' ? assembly : a));
      const run = briefCli('--no-synth', '--out', tempDir(), ...given);
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(`brief: ${message(given[1])}\n`);
    },
    60_000,
  );

  test('GIVEN a region the shipped prices do not cover THEN it writes the brief without an estimate or cost.csv and exits 3', () => {
    const out = tempDir();
    const assembly = assemblyDir(['us-east-1', 'ap-south-1'], {
      'topology.allowedRegions': 'us-east-1,ap-south-1',
    });
    const run = briefCli('--no-synth', '--assembly', assembly, '--no-records', '--out', out);
    expect(run.status).toBe(3);
    expect(run.stderr).toMatch(
      /^brief: written without a cost estimate: no prices for: ([a-z0-9.-]+@ap-south-1, )+[a-z0-9.-]+@ap-south-1 in .*aws-prices\.json; add a figure .* for each to your own price file and pass it with --prices\n$/,
    );
    expect(fs.readdirSync(out).sort()).toEqual([BRIEF_FILES.html, BRIEF_FILES.markdown].sort());
    const markdown = fs.readFileSync(path.join(out, BRIEF_FILES.markdown), 'utf8');
    expect(markdown).toContain(
      '| Monthly cost (estimate) | not estimated (a price is missing: see Cost) |',
    );
    expect(markdown).toContain('## Cost\n\n**No estimate:** no prices for: ');
  }, 90_000);
});
