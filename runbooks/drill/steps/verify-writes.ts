import { DrillError } from '../errors';
import { waitFor } from '../wait';
import { CANARY_SQL } from '../canary';
import {
  CLIENT_ITEMS_SQL,
  clientItemId,
  clientItemPrefix,
  type ClientRequestSample,
  writeSeqOf,
} from '../client-model';
import { ALL, sqlCall, sqlTarget } from './shared';
import type { StepDefinition } from './types';

export const verifyWritesStep: StepDefinition<'verify-writes'> = {
  id: 'verify-writes',
  kinds: ALL,
  title: (p) => `Verify ${p.target.region} takes writes`,
  purpose:
    'Write a canary row on the new writer through the RDS Data API (it only answers on a writer), ' +
    'then count the canary rows acknowledged earlier that it does not have, and the client canary ' +
    "writes the service acknowledged (200) that are not among the new writer's items: the measured data loss.",
  calls: (p) => [
    sqlCall(p, p.target, 'CREATE TABLE IF NOT EXISTS drill_canary (...)', {
      when: 'polled until the insert succeeds',
    }),
    sqlCall(p, p.target, 'INSERT INTO drill_canary ...', { when: 'polled until it succeeds' }),
    sqlCall(p, p.target, 'SELECT seq FROM drill_canary WHERE drill_id = :drill_id'),
    sqlCall(p, p.target, CLIENT_ITEMS_SQL.selectIds, {
      when: 'once the client canary has had a write acknowledged',
    }),
  ],
  checks: (p) => [
    `an INSERT on ${p.target.clusterIdentifier} succeeds`,
    `every canary row acknowledged before the move is on ${p.target.clusterIdentifier}` +
      (p.kind === 'failover' ? ' (missing rows are reported as data loss, not a failure)' : ''),
    `every client write the service acknowledged is an item on ${p.target.clusterIdentifier}` +
      (p.kind === 'failover' ? ' (missing ones are reported as data loss, not a failure)' : ''),
  ],
  ifItFails: (p) =>
    `The writer has moved but writes on ${p.target.clusterIdentifier} failed: check the Data API ` +
    `(enabled, secret ${p.target.secretArn} readable) and the cluster, then run the resume command below.`,
  underCanary: true,
  async run(ctx) {
    const target = sqlTarget(ctx.plan.target, ctx.plan.databaseName);
    const sample = await waitFor({
      stepId: 'verify-writes',
      what: `a canary write on ${ctx.plan.target.clusterIdentifier}`,
      clock: ctx.clock,
      timeoutMs: ctx.timeoutMs,
      pollIntervalMs: ctx.timing.pollIntervalMs,
      poll: async () => {
        await ctx.aws.sql.execute(target, CANARY_SQL.createTable);
        return ctx.canary.writeOnce(target, 'verify');
      },
      done: (s) => s.ok,
      describe: (s) => `row ${s.seq} ${s.ok ? 'written' : 'failed'}`,
      progress: (m) => ctx.progress(m),
      onTimeout: this.ifItFails(ctx.plan),
    });
    const rows = await ctx.aws.sql.execute(target, CANARY_SQL.selectSeqs, {
      drill_id: ctx.params.drillId,
    });
    const present = new Set(rows.map((r) => Number(r[0])));
    const acknowledged = ctx.canary.samples().filter((s) => s.ok);
    const lostRows = acknowledged.filter((s) => !present.has(s.seq)).map((s) => s.seq);
    // Taken before the query: each of these was committed before it was sent.
    // One per write: a re-sent write (retryOf) acknowledged is its first write's item, once.
    const clientAcknowledged = [
      ...new Map(
        (ctx.canary.clientEntries?.() ?? [])
          .filter(
            (e): e is ClientRequestSample => e.type === 'request' && e.path === 'write' && e.ok,
          )
          .map((s) => [writeSeqOf(s), s] as const),
      ),
    ];
    let lostClientWrites: number[] = [];
    if (clientAcknowledged.length > 0) {
      const items = await ctx.aws.sql.execute(target, CLIENT_ITEMS_SQL.selectIds, {
        prefix: clientItemPrefix(ctx.params.drillId),
      });
      const ids = new Set(items.map((r) => String(r[0])));
      lostClientWrites = clientAcknowledged
        .filter(([seq]) => !ids.has(clientItemId(ctx.params.drillId, seq)))
        .map(([seq]) => seq);
    }
    const details = {
      verifiedSeq: sample.seq,
      acknowledgedRows: acknowledged.length,
      lostRows,
      acknowledgedClientWrites: clientAcknowledged.length,
      lostClientWrites,
    };
    if (ctx.params.kind !== 'failover' && (lostRows.length > 0 || lostClientWrites.length > 0)) {
      // The evidence is journaled before the step fails.
      ctx.note(details);
      const hint =
        'A switchover must not lose data: keep the evidence (journal, record) and open a case with AWS';
      if (lostRows.length > 0) {
        throw new DrillError(
          'UNEXPECTED_STATE',
          `${lostRows.length} acknowledged canary row(s) are missing on ${ctx.plan.target.clusterIdentifier} after a switchover (seq ${lostRows.join(', ')})`,
          { hint },
        );
      }
      throw new DrillError(
        'UNEXPECTED_STATE',
        `${lostClientWrites.length} client write(s) the service acknowledged are missing on ${ctx.plan.target.clusterIdentifier} after a switchover (seq ${lostClientWrites.join(', ')})`,
        { hint },
      );
    }
    return {
      status: 'completed',
      summary:
        `row ${sample.seq} written on ${ctx.plan.target.clusterIdentifier}; ${lostRows.length} of ${acknowledged.length} acknowledged canary rows missing; ` +
        `${lostClientWrites.length} of ${clientAcknowledged.length} acknowledged client writes missing`,
      details,
    };
  },
};
