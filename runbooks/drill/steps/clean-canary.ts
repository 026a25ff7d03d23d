import { CANARY_SQL } from '../canary';
import { CLIENT_ITEMS_SQL, clientItemPrefix, type ClientLogEntry } from '../client-model';
import type { RegionTopology } from '../discovery';
import { errorText } from '../errors';
import type { SqlTarget } from '../aws/ports';
import { ALL, sqlCall, sqlTarget } from './shared';
import type { StepDefinition } from './types';

/** The id of the cleanup: the executor stops both canaries before it runs. */
export const CLEAN_CANARY_STEP_ID = 'clean-canary';

/** A statement the cleanup runs, with its parameters for this drill. */
interface Cleanup {
  readonly what: string;
  readonly sql: string;
  readonly parameters: Readonly<Record<string, string>>;
}

function cleanups(drillId: string): Cleanup[] {
  const prefix = clientItemPrefix(drillId);
  return [
    { what: 'canary rows', sql: CANARY_SQL.deleteRows, parameters: { drill_id: drillId } },
    // Requests first: each names its item.
    {
      what: 'client idempotency records',
      sql: CLIENT_ITEMS_SQL.deleteRequests,
      parameters: { prefix },
    },
    { what: 'client items', sql: CLIENT_ITEMS_SQL.deleteItems, parameters: { prefix } },
  ];
}

/**
 * The AWS CLI command that runs `cleanup` by hand (AWS CLI Command Reference, rds-data
 * execute-statement: --resource-arn, --secret-arn, --database, --sql, --parameters).
 */
export function cleanupCommand(target: SqlTarget, cleanup: Cleanup): string {
  const parameters = Object.entries(cleanup.parameters).map(([name, value]) => ({
    name,
    value: { stringValue: value },
  }));
  return [
    'aws rds-data execute-statement',
    `--region ${target.region}`,
    `--resource-arn ${shellWord(target.clusterArn)}`,
    `--secret-arn ${shellWord(target.secretArn)}`,
    `--database ${shellWord(target.database)}`,
    `--sql ${shellWord(cleanup.sql)}`,
    `--parameters ${shellWord(JSON.stringify(parameters))}`,
  ].join(' ');
}

/** What a drill's canaries wrote, as its logs hold it (this process's and earlier ones'). */
export interface CanaryWrites {
  /** The Data API canary's samples (`canary.jsonl`): each one a drill_canary row attempted. */
  readonly canarySamples: readonly unknown[];
  /** The client canary's log (`client.jsonl`): its writes are items and idempotency records. */
  readonly clientEntries: readonly ClientLogEntry[];
}

/**
 * What a drill that stops before this step (or is abandoned) leaves on the writer, with the
 * commands that delete it by hand; undefined when neither canary sent a write. The stop hint and
 * `drill abandon` print this one text.
 */
export function canaryLeftoverText(
  writer: RegionTopology,
  databaseName: string,
  drillId: string,
  written: CanaryWrites,
): string | undefined {
  const wrote =
    written.canarySamples.length > 0 ||
    written.clientEntries.some((e) => e.type === 'request' && e.path === 'write');
  if (!wrote) return undefined;
  const target = sqlTarget(writer, databaseName);
  const all = cleanups(drillId);
  return (
    `Left behind on ${writer.clusterIdentifier}: this drill's ${all.map((c) => c.what).join(', ')}. ` +
    `Step ${CLEAN_CANARY_STEP_ID} deletes them when a resume reaches it; to delete them by hand, on the writer:\n` +
    all.map((c) => `  ${cleanupCommand(target, c)}`).join('\n')
  );
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export const cleanCanaryStep: StepDefinition<'clean-canary'> = {
  id: CLEAN_CANARY_STEP_ID,
  kinds: ALL,
  title: (p) => `Delete this drill's canary rows and client items on ${p.target.region}`,
  purpose:
    'After the last measurement (both canaries are stopped first), delete what the canaries wrote ' +
    "on the writer through the RDS Data API: this drill's drill_canary rows and the client canary's " +
    'items and idempotency records (their ids start with drill-<drill id>-). The deletes replicate ' +
    'to every secondary. A delete that fails does not fail the drill: the step records it and the ' +
    'command that runs it by hand.',
  calls: (p) =>
    cleanups('{drill-id}').map((c) =>
      sqlCall(p, p.target, c.sql, { when: 'once, after the canaries stopped' }),
    ),
  checks: () => ['each DELETE matches only this drill: running it again deletes nothing more'],
  ifItFails: (p) =>
    `The drill is done; only its canary rows and client items are left on ${p.target.clusterIdentifier}: ` +
    'delete them with the commands in the step outcome, or run the resume command below.',
  underCanary: false,
  async run(ctx) {
    const target = sqlTarget(ctx.plan.target, ctx.plan.databaseName);
    const cleaned: string[] = [];
    const notCleaned: { what: string; error: string; command: string }[] = [];
    for (const cleanup of cleanups(ctx.params.drillId)) {
      try {
        await ctx.aws.sql.execute(target, cleanup.sql, cleanup.parameters);
        cleaned.push(cleanup.what);
      } catch (err) {
        // The measures are taken: a row left behind costs storage, not evidence.
        notCleaned.push({
          what: cleanup.what,
          error: errorText(err),
          command: cleanupCommand(target, cleanup),
        });
      }
    }
    const where = ctx.plan.target.clusterIdentifier;
    const summary =
      notCleaned.length === 0
        ? `deleted this drill's ${cleaned.join(', ')} on ${where}`
        : `could not delete this drill's ${notCleaned.map((n) => `${n.what} (${n.error})`).join(', ')} on ${where}` +
          (cleaned.length ? `; deleted its ${cleaned.join(', ')}` : '') +
          `: run ${notCleaned.map((n) => `\`${n.command}\``).join(' and ')}`;
    return {
      status: 'completed',
      summary,
      details: { cleaned, ...(notCleaned.length ? { notCleaned } : {}) },
    };
  },
};
