// The brief as one call, for `npm run brief`, the compliance bundle and the drift test: the
// facts and the cost model of one assembly, in Markdown, HTML and CSV.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SimulatedDeployment } from '../simulation/deployment';
import { briefMarkdown } from './brief';
import { MissingPriceError, costSection, type CostEstimate } from './cost';
import { readArchitectureFacts, type ArchitectureFacts } from './facts';
import { latestRecords, readRecord, type StoredRecord } from './last-record';
import { markdownPage, mdText } from './page';

/** Where the brief's inputs come from. */
export interface BriefInputs {
  /** The cloud assembly (`cdk.out`) to read. */
  readonly assembly: string;
  /**
   * Records to report: `{ file }` one record.json, `{ stateDir }` the newest of each drill kind
   * and rehearsal scenario there.
   *
   * @default - none
   */
  readonly records?: { readonly file: string } | { readonly stateDir: string };
  /**
   * A price file of one's own over the shipped one.
   *
   * @default - the shipped prices alone
   */
  readonly pricesFile?: string;
  /**
   * Workload assumptions (JSON).
   *
   * @default - the documented defaults
   */
  readonly workloadFile?: string;
}

/** The brief in its three files, and what they were made of. */
export interface Brief {
  readonly facts: ArchitectureFacts;
  /** Undefined when a price is missing (`costError` says which): the brief has no estimate. */
  readonly estimate?: CostEstimate;
  readonly costError?: string;
  readonly records: readonly StoredRecord[];
  readonly markdown: string;
  readonly html: string;
  readonly costCsv: string;
}

/** The files `writeBrief` writes into its directory. */
export const BRIEF_FILES = {
  markdown: 'brief.md',
  html: 'brief.html',
  costCsv: 'cost.csv',
} as const;

/** Builds the brief of `inputs.assembly`; throws with the bad input named. */
export async function buildBrief(inputs: BriefInputs): Promise<Brief> {
  const deployment = SimulatedDeployment.fromAssembly(inputs.assembly);
  const facts = await readArchitectureFacts(deployment);
  let cost: ReturnType<typeof costSection> | undefined;
  let costError: string | undefined;
  try {
    cost = costSection(deployment, {
      pricesFile: inputs.pricesFile,
      workloadFile: inputs.workloadFile,
    });
  } catch (e) {
    // A region or class the price files do not cover: the rest of the brief still holds.
    if (!(e instanceof MissingPriceError)) throw e;
    costError = e.message;
  }
  // Every member names the same global cluster.
  const globalCluster = facts.databases[0].globalClusterIdentifier;
  const records =
    inputs.records === undefined
      ? []
      : 'file' in inputs.records
        ? [readRecord(inputs.records.file)]
        : latestRecords(inputs.records.stateDir, globalCluster);
  const markdown = briefMarkdown(facts, {
    otherRecords: records.map((r) => r.record),
    costSection: cost?.summary ?? `**No estimate:** ${mdText(costError!)}`,
    costAppendix: cost?.details,
    costAtAGlance: cost?.headline ?? 'not estimated (a price is missing: see Cost)',
  });
  return {
    facts,
    estimate: cost?.estimate,
    costError,
    records,
    markdown,
    html: markdownPage(`Architecture brief: ${globalCluster}`, markdown),
    costCsv: cost?.csv ?? '',
  };
}

/**
 * Writes the brief's files into `dir` (created when missing); returns their paths. Without an
 * estimate there is no cost CSV.
 */
export function writeBrief(
  brief: Brief,
  dir: string,
): Partial<Record<keyof typeof BRIEF_FILES, string>> {
  fs.mkdirSync(dir, { recursive: true });
  const written: Partial<Record<keyof typeof BRIEF_FILES, string>> = {};
  for (const [key, name] of Object.entries(BRIEF_FILES) as [keyof typeof BRIEF_FILES, string][]) {
    if (key === 'costCsv' && brief.estimate === undefined) continue;
    const file = path.join(dir, name);
    fs.writeFileSync(file, brief[key]);
    written[key] = file;
  }
  return written;
}
