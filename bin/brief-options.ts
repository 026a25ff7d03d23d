// The options `npm run brief` and `npm run compliance` (which bundles the brief) share.
import * as path from 'node:path';
import type { Command } from 'commander';
import type { BriefInputs } from '../runbooks/brief';

/** What the brief options parse into. */
export interface BriefCliOptions {
  readonly stateDir: string;
  readonly record?: string;
  readonly records: boolean;
  readonly workload?: string;
  readonly prices?: string;
}

/** Adds --state-dir, --record, --no-records, --workload and --prices to `command`. */
export function addBriefOptions(command: Command): Command {
  return command
    .option(
      '--state-dir <dir>',
      "the drill's state directory: the brief reports the newest drill and rehearsal records there",
      '.drill',
    )
    .option('--record <file>', 'report this record.json instead of the newest in --state-dir')
    .option('--no-records', 'report no drill or rehearsal record (as the committed example)')
    .option(
      '--workload <file>',
      'workload assumptions for the cost model, JSON (docs/cost-model.md)',
    )
    .option(
      '--prices <file>',
      'your own prices, JSON, over the shipped price file (docs/cost-model.md)',
    );
}

/** The brief's inputs from those options, for the assembly at `assembly`. */
export function briefInputs(options: BriefCliOptions, assembly: string): BriefInputs {
  return {
    assembly,
    records: !options.records
      ? undefined
      : options.record !== undefined
        ? { file: path.resolve(options.record) }
        : { stateDir: path.resolve(options.stateDir) },
    pricesFile: options.prices && path.resolve(options.prices),
    workloadFile: options.workload && path.resolve(options.workload),
  };
}
