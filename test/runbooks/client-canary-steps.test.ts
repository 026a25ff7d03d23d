import { deployedApp } from '../deployed-app';
import {
  ExecuteStatementCommand,
  type ExecuteStatementCommandInput,
} from '@aws-sdk/client-rds-data';
import type { DrillAws, SqlApi, SqlTarget, SqlValue } from '../../runbooks/drill/aws/ports';
import { CANARY_SQL, type CanaryControl } from '../../runbooks/drill/canary';
import {
  CLIENT_ITEMS_SQL,
  clientItemId,
  clientItemPrefix,
  type ClientLogEntry,
} from '../../runbooks/drill/client-model';
import { DrillError } from '../../runbooks/drill/errors';
import { DEFAULT_TIMING, type CanarySample, type DrillKind } from '../../runbooks/drill/model';
import { planView, sqlTarget, type StepContext, type StepId } from '../../runbooks/drill/steps';
import { cleanCanaryStep } from '../../runbooks/drill/steps/clean-canary';
import { verifyWritesStep } from '../../runbooks/drill/steps/verify-writes';
import { DrillStore } from '../../runbooks/drill/store';
import { answersOf, clientLogBuilder, requestsOf } from './client-log';
import { faults, SimulatedWorld, START_TIME } from './fake-aws';
import { drillIds, PRIMARY, readRecordFile, SECONDARY, useFakeAws } from './harness';

const DRILL = 'failover-20250301T100000Z-us-west-2';

/** A statement the step sent through the Data API. */
interface Sent {
  readonly target: SqlTarget;
  readonly sql: string;
  readonly parameters?: Readonly<Record<string, string | number>>;
}

/** One step's context on the fake's topology, with a scripted Data API. */
function context<K extends StepId>(
  kind: DrillKind,
  answer: (sql: string) => SqlValue[][] | Error,
  canary: Partial<CanaryControl> = {},
) {
  const world = new SimulatedWorld(deployedApp());
  const sent: Sent[] = [];
  const notes: unknown[] = [];
  const plan = planView(world.topology, kind, PRIMARY, SECONDARY, PRIMARY);
  const sql: SqlApi = {
    execute: async (target, text, parameters) => {
      sent.push({ target, sql: text, ...(parameters ? { parameters } : {}) });
      const result = answer(text);
      if (result instanceof Error) throw result;
      return result;
    },
  };
  const ctx: StepContext<K> = {
    params: {
      drillId: DRILL,
      kind,
      fromRegion: PRIMARY,
      targetRegion: SECONDARY,
      allowDataLoss: kind === 'failover',
    },
    plan,
    topology: world.topology,
    aws: { sql } as unknown as DrillAws,
    clock: world.clock,
    timing: DEFAULT_TIMING,
    timeoutMs: 60_000,
    canary: {
      writeOnce: async (target, source) => ({
        seq: 50,
        at: START_TIME,
        ok: true,
        region: target.region,
        source,
      }),
      samples: () => [],
      ...canary,
    },
    progress: () => undefined,
    earlier: () => undefined,
    note: (details) => notes.push(details),
  };
  return { world, plan, ctx, sent, notes, target: sqlTarget(plan.target, plan.databaseName) };
}

describe('verify-writes reports the client writes the service acknowledged that the new writer lacks', () => {
  const canaryRows: CanarySample[] = [
    { seq: 1, at: START_TIME, ok: true, region: PRIMARY, source: 'loop' },
  ];
  function scenario(kind: DrillKind, presentSeqs: number[]) {
    const world = new SimulatedWorld(deployedApp());
    const { request } = clientLogBuilder(world.topology, DRILL, START_TIME);
    const primary = world.deployed(PRIMARY);
    // Each a second apart (at seq seconds), refused with 503 where not ok.
    const entries: ClientLogEntry[] = [
      request('write', 1, 1, primary, true),
      request('read', 2, 2, primary, true),
      request('write', 3, 3, primary, false),
      request('write', 4, 4, primary, true),
      request('write', 6, 6, primary, true),
    ];
    return context<'verify-writes'>(
      kind,
      (sql) =>
        sql === CANARY_SQL.selectSeqs
          ? [[1]]
          : sql === CLIENT_ITEMS_SQL.selectIds
            ? presentSeqs.map((s) => [clientItemId(DRILL, s)])
            : [],
      { samples: () => canaryRows, clientEntries: () => entries },
    );
  }

  test('GIVEN acknowledged writes 1, 4 and 6 and the new writer has 1 and 6 WHEN a failover verifies THEN exactly write 4 is reported lost', async () => {
    const t = scenario('failover', [1, 6]);

    const result = await verifyWritesStep.run(t.ctx);

    expect(result).toEqual({
      status: 'completed',
      summary:
        `row 50 written on ${t.plan.target.clusterIdentifier}; 0 of 1 acknowledged canary rows missing; ` +
        '1 of 3 acknowledged client writes missing',
      details: {
        verifiedSeq: 50,
        acknowledgedRows: 1,
        lostRows: [],
        acknowledgedClientWrites: 3,
        lostClientWrites: [4],
      },
    });
    expect(t.sent.at(-1)).toEqual({
      target: t.target,
      sql: CLIENT_ITEMS_SQL.selectIds,
      parameters: { prefix: clientItemPrefix(DRILL) },
    });
  });

  test('GIVEN the same loss WHEN a switchover verifies THEN it fails UNEXPECTED_STATE naming the seqs, after journaling the evidence', async () => {
    const t = scenario('switchover', [1]);

    const failure = verifyWritesStep.run(t.ctx);

    await expect(failure).rejects.toThrow(DrillError);
    await expect(failure).rejects.toMatchObject({
      code: 'UNEXPECTED_STATE',
      message: `2 client write(s) the service acknowledged are missing on ${t.plan.target.clusterIdentifier} after a switchover (seq 4, 6)`,
      hint: 'A switchover must not lose data: keep the evidence (journal, record) and open a case with AWS',
    });
    expect(t.notes).toEqual([
      {
        verifiedSeq: 50,
        acknowledgedRows: 1,
        lostRows: [],
        acknowledgedClientWrites: 3,
        lostClientWrites: [4, 6],
      },
    ]);
  });

  test('GIVEN no client write was acknowledged THEN the items are not asked for and none is missing', async () => {
    const t = context<'verify-writes'>('switchover', (sql) =>
      sql === CANARY_SQL.selectSeqs ? [] : [],
    );

    const result = await verifyWritesStep.run(t.ctx);

    expect(t.sent.map((s) => s.sql)).not.toContain(CLIENT_ITEMS_SQL.selectIds);
    expect(result.details).toMatchObject({ acknowledgedClientWrites: 0, lostClientWrites: [] });
  });

  test('THEN its calls() declare the items query on the new writer', () => {
    const { plan } = context('failover', () => []);
    expect(verifyWritesStep.calls(plan).map((c) => [c.region, c.parameters.sql])).toContainEqual([
      SECONDARY,
      CLIENT_ITEMS_SQL.selectIds,
    ]);
  });
});

describe('clean-canary deletes what the canaries wrote, and never fails the drill', () => {
  test('GIVEN the writer answers THEN it deletes the canary rows, then the idempotency records, then the items of this drill only', async () => {
    const t = context<'clean-canary'>('failover', () => []);

    const result = await cleanCanaryStep.run(t.ctx);

    expect(t.sent).toEqual([
      {
        target: t.target,
        sql: 'DELETE FROM drill_canary WHERE drill_id = :drill_id',
        parameters: { drill_id: DRILL },
      },
      {
        target: t.target,
        sql: CLIENT_ITEMS_SQL.deleteRequests,
        parameters: { prefix: `drill-${DRILL}-` },
      },
      {
        target: t.target,
        sql: CLIENT_ITEMS_SQL.deleteItems,
        parameters: { prefix: `drill-${DRILL}-` },
      },
    ]);
    expect(result).toEqual({
      status: 'completed',
      summary: `deleted this drill's canary rows, client idempotency records, client items on ${t.plan.target.clusterIdentifier}`,
      details: { cleaned: ['canary rows', 'client idempotency records', 'client items'] },
    });
    expect(cleanCanaryStep.calls(t.plan).map((c) => c.parameters.sql)).toEqual(
      t.sent.map((s) => s.sql),
    );
  });

  test('GIVEN a delete fails THEN the others still run and the step completes with what is left and the command that deletes it', async () => {
    const t = context<'clean-canary'>('failover', (sql) =>
      sql === CLIENT_ITEMS_SQL.deleteRequests
        ? new Error('relation "public.item_requests" does not exist')
        : [],
    );

    const result = await cleanCanaryStep.run(t.ctx);

    const { target } = t;
    const command =
      `aws rds-data execute-statement --region ${SECONDARY} --resource-arn ${target.clusterArn} ` +
      `--secret-arn ${target.secretArn} --database ${target.database} ` +
      `--sql 'DELETE FROM public.item_requests WHERE starts_with(item_id, :prefix)' ` +
      `--parameters '[{"name":"prefix","value":{"stringValue":"drill-${DRILL}-"}}]'`;
    expect(t.sent).toHaveLength(3);
    expect(result).toEqual({
      status: 'completed',
      summary:
        `could not delete this drill's client idempotency records (relation "public.item_requests" does not exist) on ${t.plan.target.clusterIdentifier}; ` +
        `deleted its canary rows, client items: run \`${command}\``,
      details: {
        cleaned: ['canary rows', 'client items'],
        notCleaned: [
          {
            what: 'client idempotency records',
            error: 'relation "public.item_requests" does not exist',
            command,
          },
        ],
      },
    });
  });
});

describe('a drill on the fakes with the client canary', () => {
  const h = useFakeAws();

  /** The client items the world's clusters hold, in every region. */
  function itemsEverywhere(): string[] {
    h.world.advance(); // what has replicated by now
    return h.world.topology.regions.flatMap((r) => [...h.world.items.in(r.region).items.keys()]);
  }

  test('GIVEN a switchover THEN client.jsonl holds the answers with target, region and TTL, the refused and acknowledged writes, the health flips, and the cleanup leaves nothing', async () => {
    // A delete of the items that takes a while (the world's own answer, 3 s late): a canary
    // still running would write again meanwhile.
    h.mocks.rdsData
      .on(ExecuteStatementCommand, { sql: CLIENT_ITEMS_SQL.deleteItems })
      .callsFake(async (input: ExecuteStatementCommandInput) => {
        await h.world.clock.sleep(3000);
        return h.world.execute(SECONDARY, input);
      });

    const result = await h.run(h.switchover());

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [drillId] = drillIds(h.stateDir);
    const log = new DrillStore(h.stateDir).client(drillId);
    const primary = h.world.deployed(PRIMARY);
    const secondary = h.world.deployed(SECONDARY);
    // The writer moves at 40 s: the first answer's 60 s TTL holds until 60 s, when the client
    // asks again and gets the new writer (verify-client-writes waits for that).
    expect(answersOf(log, 'write')).toEqual([
      expect.objectContaining({ target: primary.writeTarget, region: PRIMARY, ttlSeconds: 60 }),
      expect.objectContaining({
        at: START_TIME + 60_000,
        target: secondary.writeTarget,
        region: SECONDARY,
        ttlSeconds: 60,
      }),
    ]);
    const writes = requestsOf(log, 'write');
    expect(writes.length).toBeGreaterThan(30);
    expect(
      new Set(writes.filter((w) => w.at < START_TIME + 60_000).map((w) => w.targetRegion)),
    ).toEqual(new Set([PRIMARY]));
    // Fenced: the old writer's region refuses, with Retry-After.
    const refused = writes.filter((w) => w.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((w) => w.retryAfterSeconds))).toEqual(new Set([10]));
    const flips = log.filter(
      (e) => e.type === 'health' && e.healthCheckId === primary.healthChecks.writer,
    );
    expect(flips.map((f) => f.type === 'health' && f.healthy)).toEqual([true, false]);
    const record = readRecordFile(h.stateDir, drillId);
    // Until verify-writes looked (40 s in), only the old writer's region was asked, and it
    // refused from the fence on: whatever it acknowledged before must be on the new writer.
    const acknowledged = writes.filter((w) => w.ok && w.at < START_TIME + 40_000);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(record.steps.find((s) => s.id === 'verify-writes')?.details).toMatchObject({
      acknowledgedClientWrites: acknowledged.length,
      lostClientWrites: [],
    });
    const items = itemsEverywhere();
    expect(items.filter((id) => id.startsWith(clientItemPrefix(drillId)))).toEqual([]);
    expect(items).toHaveLength(0);
    // The canaries stopped before the cleanup: no row is written after its delete.
    const sqlOf = (c: { input: object }) => (c.input as { sql?: string }).sql;
    const firstDelete = h.world.calls.findIndex((c) => sqlOf(c) === CANARY_SQL.deleteRows);
    const lastInsert = h.world.calls.map(sqlOf).lastIndexOf(CANARY_SQL.insert);
    expect(firstDelete).toBeGreaterThan(lastInsert);
  });

  test('GIVEN a failover whose new writer lacks the first client write THEN verify-writes reports exactly that write as lost and the drill goes on', async () => {
    // The failover's target had not got write 1 (the world replicates in commit order, so
    // only this hook loses an early write and keeps the later ones).
    h.world.afterServed('rds:FailoverGlobalCluster', (w) => {
      const target = w.items.in(SECONDARY).items;
      for (const id of [...target.keys()]) if (id.endsWith('-1')) target.delete(id);
    });

    const result = await h.run(h.failover());

    expect(result.code).toBe(0);
    const drillId = drillIds(h.stateDir)[0];
    const writes = requestsOf(new DrillStore(h.stateDir).client(drillId), 'write');
    expect(writes[0]).toMatchObject({ seq: 1, ok: true, itemId: clientItemId(drillId, 1) });
    const details = readRecordFile(h.stateDir, drillId).steps.find(
      (s) => s.id === 'verify-writes',
    )?.details;
    expect(details?.lostClientWrites).toEqual([1]);
  });

  test('GIVEN the cleanup fails THEN the drill still succeeds and the record says what is left and how to delete it', async () => {
    h.world.fail('rds-data:ExecuteStatement', faults.serverError(), {
      step: 'clean-canary',
      times: 100,
    });

    const result = await h.run(h.switchover());

    expect(result.code).toBe(0);
    const record = readRecordFile(h.stateDir, drillIds(h.stateDir)[0]);
    const clean = record.steps.find((s) => s.id === 'clean-canary');
    expect(clean?.status).toBe('completed');
    expect(clean?.details?.notCleaned?.map((n) => n.what)).toEqual([
      'canary rows',
      'client idempotency records',
      'client items',
    ]);
    expect(clean?.details?.notCleaned?.[0].command).toContain(
      `--sql 'DELETE FROM drill_canary WHERE drill_id = :drill_id'`,
    );
    expect(h.world.rowsIn(SECONDARY, drillIds(h.stateDir)[0]).length).toBeGreaterThan(0);
  });
});
