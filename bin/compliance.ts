#!/usr/bin/env node
// `npm run compliance [-- -c topology.<field>=...]`: synthesizes the app with
// every nag pack, then writes the CSV and HTML reports from the assembly.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { readComplianceReport, renderCsv, renderHtml } from '../constructs/nag/report';
import { REGISTERED_PACKS } from '../lib/compliance';

const program = new Command('compliance')
  .description('Synthesize with every compliance pack and write CSV and HTML reports')
  .option('--out <dir>', 'where to write the reports', 'compliance-report')
  .option('--assembly <dir>', 'cloud assembly directory', 'cdk.out')
  .option('--no-synth', 'only render reports from an existing assembly')
  .allowUnknownOption(true)
  .argument('[cdkArgs...]', 'extra arguments for cdk synth, for example -c topology.rpo=60s')
  .parse();

const options = program.opts<{ out: string; assembly: string; synth: boolean }>();
const root = path.resolve(__dirname, '..');

let synthFailed = false;
if (options.synth) {
  const cdk = path.join(root, 'node_modules', '.bin', 'cdk');
  const args = ['synth', '--no-lookups', '--quiet', '--output', options.assembly, ...program.args];
  console.log(`$ cdk ${args.join(' ')}`);
  const result = spawnSync(cdk, args, { cwd: root, stdio: 'inherit' });
  // A synth with open findings still writes the assembly; report it either way.
  synthFailed = result.status !== 0;
}

const assembly = path.resolve(root, options.assembly);
let report;
try {
  report = readComplianceReport(assembly, { registeredPacks: REGISTERED_PACKS });
} catch (e) {
  console.error(`compliance: ${(e as Error).message}`);
  process.exit(2);
}
const out = path.resolve(root, options.out);
fs.mkdirSync(out, { recursive: true });
const csvPath = path.join(out, 'compliance-report.csv');
const htmlPath = path.join(out, 'compliance-report.html');
fs.writeFileSync(csvPath, renderCsv(report));
fs.writeFileSync(htmlPath, renderHtml(report));

const open = report.rows.filter((r) => r.status === 'open').length;
const acknowledged = report.rows.length - open;
console.log(
  `\ncompliance: ${open} open findings, ${acknowledged} acknowledgements across ${report.packs.join(', ')}`,
);
console.log(`  CSV:  ${csvPath}`);
console.log(`  HTML: ${htmlPath}`);
if (open > 0 || synthFailed) {
  console.error(
    synthFailed && open === 0
      ? 'compliance: cdk synth failed before any finding was reported; see its output above'
      : 'compliance: open findings; fix them or acknowledge them on the resource with a real reason',
  );
  process.exit(1);
}
