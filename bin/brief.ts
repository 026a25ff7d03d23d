#!/usr/bin/env node
// `npm run brief [-- -c topology.<field>=...]`: synthesizes the app into a fresh directory (or
// reads an existing assembly with --no-synth) and writes the architecture brief (Markdown and
// HTML) and its cost table (CSV) from that assembly only. Offline: nothing is fetched.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { BRIEF_FILES, buildBrief, writeBrief } from '../runbooks/brief';
import { addBriefOptions, briefInputs, type BriefCliOptions } from './brief-options';
import { synthesize } from './synth';

const program = addBriefOptions(
  new Command('brief')
    .description(
      'Write the architecture brief and cost model of the topology (Markdown, HTML, CSV)',
    )
    .option('--out <dir>', 'where to write brief.md, brief.html and cost.csv', 'brief')
    .option('--assembly <dir>', 'with --no-synth: the cloud assembly to read', 'cdk.out')
    .option('--no-synth', 'read an existing assembly instead of synthesizing one'),
)
  .allowUnknownOption(true)
  .argument('[cdkArgs...]', 'extra arguments for cdk synth, for example -c topology.readers=2')
  .parse();

const options = program.opts<BriefCliOptions & { out: string; assembly: string; synth: boolean }>();
const root = path.resolve(__dirname, '..');
/** The brief was written, but a missing price left it without an estimate. */
const NO_ESTIMATE_EXIT_CODE = 3;
const out = path.resolve(options.out);

function fail(message: string, code: number): never {
  console.error(`brief: ${message}`);
  process.exit(code);
}

async function main(): Promise<void> {
  // A failed run must not leave an earlier brief behind, as if it were this topology's.
  for (const name of Object.values(BRIEF_FILES)) fs.rmSync(path.join(out, name), { force: true });
  let assembly = path.resolve(options.assembly);
  if (options.synth) {
    const run = synthesize(root, program.args, 'multi-region-brief-', fail);
    // The brief is all that is kept of a temporary assembly (`--output DIR` keeps it).
    if (run.temporary)
      process.on('exit', () => fs.rmSync(run.assembly, { recursive: true, force: true }));
    if (run.failed) fail('cdk synth failed (see above); no brief was written', 1);
    assembly = run.assembly;
  }
  let brief;
  try {
    brief = await buildBrief(briefInputs(options, assembly));
  } catch (e) {
    fail((e as Error).message, 2);
  }
  const files = writeBrief(brief, out);
  console.log(
    `brief: ${brief.facts.regions.join(', ')} from ${options.synth ? 'a fresh synth' : assembly}`,
  );
  console.log(
    `  records: ${brief.records.length === 0 ? 'none' : brief.records.map((r) => r.file).join(', ')}`,
  );
  if (brief.estimate) {
    console.log(
      `  prices as of ${brief.estimate.priceDate} (${brief.estimate.priceFiles.join(', ')})`,
    );
  }
  console.log(`  Markdown: ${files.markdown}`);
  console.log(`  HTML:     ${files.html}`);
  if (files.costCsv) console.log(`  cost CSV: ${files.costCsv}`);
  if (brief.costError) {
    fail(`written without a cost estimate: ${brief.costError}`, NO_ESTIMATE_EXIT_CODE);
  }
}

void main();
