// Times `cdk synth` of the full app (all nag packs) against a one-resource app,
// alternating runs so both see the same machine state, and prints the medians.
// Also times `npm test`. Run: npm run bench:synth [-- --runs 5]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { atMost, below, summary } from './targets';

/** Full synth at most 1.5 times a one-resource app's; the whole test suite under a minute. */
const RATIO_TARGET = 1.5;
const TEST_SECONDS_TARGET = 60;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs must be a whole number of at least 1, got: ${values.runs}`);
  process.exit(2);
}

const root = path.resolve(__dirname, '..');
const cdk = path.join(root, 'node_modules', '.bin', 'cdk');
const env = { ...process.env };
for (const key of Object.keys(env)) {
  if (key.startsWith('AWS_') || key.startsWith('CDK_')) delete env[key];
}

function timed(args: string[], cwd = root): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(args[0], args.slice(1), { cwd, env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    console.error(`${args.join(' ')} failed (exit ${result.status}):\n${result.stderr}`);
    process.exit(1);
  }
  return seconds;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
// The same runner as cdk.json's app command, so both pay the same start-up.
const TRIVIAL_APP = 'node --import tsx bench/trivial-app.ts';
const synth = (app: string | undefined, dir: string, extra: readonly string[]) => [
  cdk,
  'synth',
  '--no-lookups',
  '--quiet',
  '--output',
  path.join(out, dir),
  ...(app ? ['--app', app] : []),
  ...extra,
];

const fmt = (n: number) => n.toFixed(2);
console.log(`cdk synth, ${runs} alternating runs each, ${os.cpus().length} cores`);
timed(synth(undefined, 'warmup', [])); // first run fills the OS file cache
// The default synth runs aws-cdk-lib's built-in template validator; the second
// variant shows how much of the difference is that validator.
const variants: [string, readonly string[]][] = [
  ['validated (default)', []],
  ['--no-validation', ['--no-validation']],
];
const verdicts: { label: string; verdict: string }[] = [];
for (const [label, extra] of variants) {
  const full: number[] = [];
  const trivial: number[] = [];
  for (let i = 0; i < runs; i++) {
    full.push(timed(synth(undefined, `full-${i}`, extra)));
    trivial.push(timed(synth(TRIVIAL_APP, `trivial-${i}`, extra)));
  }
  console.log(`${label}:`);
  console.log(
    `  full app (all nag packs)  median ${fmt(median(full))} s  [${full.map(fmt).join(', ')}]`,
  );
  console.log(
    `  trivial one-resource app  median ${fmt(median(trivial))} s  [${trivial.map(fmt).join(', ')}]`,
  );
  const verdict = atMost(median(full) / median(trivial), RATIO_TARGET, 'x');
  verdicts.push({ label: `ratio full/trivial, ${label}`, verdict });
  console.log(`  ratio full/trivial        ${verdict}`);
}
const testSeconds = timed(['npm', 'test', '--silent']);
const testVerdict = below(testSeconds, TEST_SECONDS_TARGET, ' s');
verdicts.push({ label: 'npm test wall time', verdict: testVerdict });
console.log(`npm test wall time          ${testVerdict} (on ${os.cpus().length} cores)`);
// A miss is reported, not failed: timings depend on the machine.
console.log(summary(verdicts));
fs.rmSync(out, { recursive: true, force: true });
