#!/usr/bin/env node
// `npm run compliance [-- -c topology.<field>=...]`: synthesizes the app with
// every nag pack into a fresh directory, then writes the CSV and HTML reports
// from that assembly only. A synth that fails before any finding leaves no report.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
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
import { BRIEF_FILES, buildBrief, writeBrief } from '../runbooks/brief';
import { addBriefOptions, briefInputs, type BriefCliOptions } from './brief-options';
import { synthesize, topologySource } from './synth';

const program = addBriefOptions(
  new Command('compliance')
    .description('Synthesize with every compliance pack and write CSV and HTML reports')
    .option('--out <dir>', 'where to write the reports', 'compliance-report')
    .option('--assembly <dir>', 'with --no-synth: the cloud assembly to read', 'cdk.out')
    .option('--no-synth', 'only render reports from an existing assembly'),
)
  .allowUnknownOption(true)
  .argument('[cdkArgs...]', 'extra arguments for cdk synth, for example -c topology.rpo=60s')
  .parse();

const options = program.opts<BriefCliOptions & { out: string; assembly: string; synth: boolean }>();
const root = path.resolve(__dirname, '..');

function fail(message: string, code: number): never {
  console.error(`compliance: ${message}`);
  process.exit(code);
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
for (const file of [
  csvPath,
  htmlPath,
  ...Object.values(BRIEF_FILES).map((f) => path.join(out, f)),
]) {
  fs.rmSync(file, { force: true });
}

let assembly: string;
let cdkArgs: readonly string[] = [];
let synthFailed = false;
if (options.synth) {
  const run = synthesize(root, program.args, 'multi-region-compliance-', fail);
  ({ assembly, cdkArgs, failed: synthFailed } = run);
  // A synth with open findings still writes the assembly; that is reported, as FAIL.
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
  topologySource: options.synth ? topologySource(cdkArgs) : undefined,
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

const acknowledged = report.rows.length - open;
console.log(`\ncompliance: ${open} open findings, ${acknowledged} acknowledgements`);
for (const pack of report.packs) console.log(`  ${pack.name}: ${packCoverage(pack)}`);
console.log(`  bootstrap: ${bootstrapCommand(report)}`);
console.log(`  CSV:  ${csvPath}`);
console.log(`  HTML: ${htmlPath}`);

// One folder for a reviewer: the architecture brief and its cost table, from the same assembly.
void (async () => {
  let brief;
  try {
    brief = await buildBrief(briefInputs(options, assembly));
  } catch (e) {
    // The report stands without the brief: it is written, with nothing to link to.
    fs.writeFileSync(htmlPath, renderHtml(report));
    fail(`the brief could not be written: ${(e as Error).message}`, 2);
  }
  const files = writeBrief(brief, out);
  // The report page links to what lies beside it.
  const labels: Record<keyof typeof files, string> = {
    html: 'the architecture brief',
    markdown: 'the brief in Markdown',
    costCsv: 'its cost table (CSV)',
  };
  fs.writeFileSync(
    htmlPath,
    renderHtml(
      report,
      (Object.keys(labels) as (keyof typeof files)[]).flatMap((key) =>
        files[key] ? [{ label: labels[key], file: path.basename(files[key]) }] : [],
      ),
    ),
  );
  console.log(`  brief: ${files.markdown}, ${files.html}`);
  console.log(
    brief.estimate
      ? `  cost:  ${files.costCsv} (prices as of ${brief.estimate.priceDate})`
      : `  cost:  not estimated: ${brief.costError}`,
  );
  if (outcome.message) fail(outcome.message, outcome.exitCode);
})();
