#!/usr/bin/env node
// `npm run compliance [-- -c topology.<field>=...]`: synthesizes the app with
// every nag pack into a fresh directory, then writes the CSV and HTML reports
// from that assembly only. A synth that fails before any finding leaves no report.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import {
  Provenance,
  bootstrapCommand,
  complianceOutcome,
  packCoverage,
  readComplianceReport,
  renderCsv,
  renderHtml,
} from '../constructs/nag/report';

const program = new Command('compliance')
  .description('Synthesize with every compliance pack and write CSV and HTML reports')
  .option('--out <dir>', 'where to write the reports', 'compliance-report')
  .option('--assembly <dir>', 'with --no-synth: the cloud assembly to read', 'cdk.out')
  .option('--no-synth', 'only render reports from an existing assembly')
  .allowUnknownOption(true)
  .argument('[cdkArgs...]', 'extra arguments for cdk synth, for example -c topology.rpo=60s')
  .parse();

const options = program.opts<{ out: string; assembly: string; synth: boolean }>();
const root = path.resolve(__dirname, '..');

function fail(message: string, code: number): never {
  console.error(`compliance: ${message}`);
  process.exit(code);
}

/** Splits `--output DIR` / `-o DIR` / `--output=DIR` off the arguments for cdk synth. */
function takeOutput(args: readonly string[]): { output?: string; rest: string[] } {
  const rest: string[] = [];
  let output: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--output' || arg === '-o') output = args[++i];
    else if (arg.startsWith('--output=')) output = arg.slice('--output='.length);
    else rest.push(arg);
  }
  return { output, rest };
}

/** The `-c topology...=...` settings on the command line, in order. */
function topologyOverrides(args: readonly string[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const value =
      args[i] === '-c' || args[i] === '--context'
        ? args[i + 1]
        : args[i].startsWith('--context=')
          ? args[i].slice('--context='.length)
          : undefined;
    if (value !== undefined && /^topology/i.test(value)) found.push(`-c ${value}`);
  }
  return found;
}

function git(...args: string[]): string | undefined {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function packageVersion(name: string): string {
  const file = path.join(root, 'node_modules', name, 'package.json');
  return fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version
    : 'not installed';
}

const out = path.resolve(root, options.out);
const csvPath = path.join(out, 'compliance-report.csv');
const htmlPath = path.join(out, 'compliance-report.html');
// A failed run must not leave the previous run's verdict behind.
fs.rmSync(csvPath, { force: true });
fs.rmSync(htmlPath, { force: true });

const { output, rest: cdkArgs } = takeOutput(program.args);
let assembly: string;
let synthFailed = false;
if (options.synth) {
  if (output !== undefined) {
    assembly = path.resolve(root, output);
    if (fs.existsSync(assembly) && fs.readdirSync(assembly).length > 0) {
      fail(
        `--output ${output} is not empty; give a new or empty directory, so that no template of an earlier synth is read`,
        2,
      );
    }
  } else {
    assembly = fs.mkdtempSync(path.join(os.tmpdir(), 'multi-region-compliance-'));
  }
  const cdk = path.join(root, 'node_modules', '.bin', 'cdk');
  const args = ['synth', '--no-lookups', '--quiet', '--output', assembly, ...cdkArgs];
  console.log(`$ cdk ${args.join(' ')}`);
  const result = spawnSync(cdk, args, { cwd: root, stdio: 'inherit' });
  // A synth with open findings still writes the assembly; that is reported, as FAIL.
  synthFailed = result.status !== 0;
  const early = complianceOutcome({
    synthFailed,
    assemblyWritten: fs.existsSync(path.join(assembly, 'manifest.json')),
    openFindings: 0,
  });
  if (!early.writeReports) fail(early.message!, early.exitCode);
} else {
  assembly = path.resolve(root, options.assembly);
}

const commit = git('rev-parse', 'HEAD');
const provenance: Provenance = {
  commit,
  dirty: commit === undefined ? undefined : (git('status', '--porcelain') ?? '') !== '',
  versions: Object.fromEntries(
    ['aws-cdk-lib', 'cdk-nag', '@cdklabs/cdk-validator-cfnguard', 'aws-cdk'].map((name) => [
      name,
      packageVersion(name),
    ]),
  ),
  topologySource: options.synth
    ? ['cdk.json context "topology"', ...topologyOverrides(cdkArgs)].join(', then ')
    : undefined,
  assembly,
};

let report;
try {
  report = readComplianceReport(assembly, { provenance });
} catch (e) {
  fail((e as Error).message, 2);
}
const open = report.rows.filter((r) => r.status === 'open').length;
const outcome = complianceOutcome({ synthFailed, assemblyWritten: true, openFindings: open });
if (!outcome.writeReports) fail(outcome.message!, outcome.exitCode);
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(csvPath, renderCsv(report));
fs.writeFileSync(htmlPath, renderHtml(report));

const acknowledged = report.rows.length - open;
console.log(`\ncompliance: ${open} open findings, ${acknowledged} acknowledgements`);
for (const pack of report.packs) console.log(`  ${pack.name}: ${packCoverage(pack)}`);
console.log(`  bootstrap: ${bootstrapCommand(report)}`);
console.log(`  CSV:  ${csvPath}`);
console.log(`  HTML: ${htmlPath}`);
if (outcome.message) fail(outcome.message, outcome.exitCode);
