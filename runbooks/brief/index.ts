// The brief as one call, for `npm run brief`, the compliance bundle and the drift test: the
// facts and the cost model of one assembly, in Markdown, HTML and CSV.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SimulatedDeployment } from '../simulation/deployment';
import { briefMarkdown } from './brief';
import { costSection, type CostEstimate } from './cost';
import { readArchitectureFacts, type ArchitectureFacts } from './facts';
import { latestRecords, readRecord, type StoredRecord } from './last-record';
import { markdownPage } from './page';

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
  readonly estimate: CostEstimate;
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
  const cost = costSection(deployment, {
    pricesFile: inputs.pricesFile,
    workloadFile: inputs.workloadFile,
  });
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
    costSection: cost.markdown,
  });
  return {
    facts,
    estimate: cost.estimate,
    records,
    markdown,
    html: markdownPage(`Architecture brief: ${globalCluster}`, markdown),
    costCsv: cost.csv,
  };
}

/** Writes the brief's files into `dir` (created when missing); returns their paths. */
export function writeBrief(brief: Brief, dir: string): Record<keyof typeof BRIEF_FILES, string> {
  fs.mkdirSync(dir, { recursive: true });
  const written = {} as Record<keyof typeof BRIEF_FILES, string>;
  for (const [key, name] of Object.entries(BRIEF_FILES) as [keyof typeof BRIEF_FILES, string][]) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, brief[key]);
    written[key] = file;
  }
  return written;
}
