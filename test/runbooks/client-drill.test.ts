// Drills against the fakes as a client lives them: the client canary resolves the public names
// through the fake network (Route 53's answers from the deployed records), writes and reads
// through the real items service of each region, and the drill measures what it lost.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExecuteStatementCommand } from '@aws-sdk/client-rds-data';
import {
  CLIENT_ITEMS_SQL,
  clientItemId,
  clientItemPrefix,
  type ClientLogEntry,
} from '../../runbooks/drill/client-model';
import { formatDuration } from '../../runbooks/drill/duration';
import { DrillStore } from '../../runbooks/drill/store';
import { answersOf, requestsOf, templateTtl } from './client-log';
import { FULL_TTL } from './fake-aws';
import { drillIds, PRIMARY, readRecordFile, SECONDARY, useFakeAws } from './harness';

const h = useFakeAws();

const readClient = (drillId: string) => new DrillStore(h.stateDir).client(drillId);
const requests = (log: ClientLogEntry[]) => requestsOf(log);
const answers = (log: ClientLogEntry[]) => answersOf(log).filter((e) => e.error === undefined);

function verifyWrites(drillId: string) {
  return readRecordFile(h.stateDir, drillId).steps.find((s) => s.id === 'verify-writes')
    ?.details as { acknowledgedClientWrites: number; lostClientWrites: number[] };
}

/** The drill's client items (and idempotency keys) still in any region's cluster. */
function leftovers(drillId: string): string[] {
  const prefix = clientItemPrefix(drillId);
  return [...h.world.regions.keys()].flatMap((r) => [
    ...[...h.world.items.in(r).items.keys()].filter((id) => id.startsWith(prefix)),
    ...[...h.world.items.in(r).requests.values()]
      .filter((x) => x.item_id.startsWith(prefix))
      .map((x) => `${x.item_id} (request)`),
  ]);
}

describe.each(['switchover', 'failover'] as const)(
  'a %s through the harness, lived by the client canary',
  (kind) => {
    test('THEN client.jsonl records each request with its resolved target, region and the answer TTL from the template', async () => {
      const result = await h.run(kind === 'switchover' ? h.switchover() : h.failover());
      const drillId = drillIds(h.stateDir)[0];
      const log = readClient(drillId);
      const { topology } = h.world;
      const target = (region: string, k: 'appTarget' | 'writeTarget') =>
        topology.regions.find((r) => r.region === region)![k];

      expect(result.code).toBe(0);
      const dns = answers(log);
      expect(dns.filter((d) => d.path === 'write').map((d) => d.name)).toContain(
        topology.writeHostname,
      );
      for (const d of dns) {
        const name = d.path === 'write' ? topology.writeHostname : topology.appHostname;
        expect(d).toMatchObject({ name, ttlSeconds: templateTtl(name) });
      }
      const writes = requests(log).filter((r) => r.path === 'write');
      // Before the move write. answers the primary.
      expect(writes[0]).toMatchObject({
        name: topology.writeHostname,
        target: target(PRIMARY, 'writeTarget'),
        targetRegion: PRIMARY,
        status: 200,
        ok: true,
      });
      // Every request went where its cached answer said, and was answered there.
      for (const r of requests(log)) {
        const answer = dns.find((d) => d.path === r.path && d.at === r.answeredAt);
        expect(answer).toMatchObject({ target: r.target, region: r.targetRegion });
        expect(answer?.addresses).toContain(r.address);
        expect(h.world.client.targetOf(r.address!)?.region).toBe(r.targetRegion);
      }
      // The log holds every request the network saw after the preflight's probe, no more.
      const [probe, ...canary] = h.world.client.sent;
      expect(`${probe.request.method} ${probe.request.path} ${probe.status}`).toMatch(
        /^GET \/items\/drill-[^/]+-0 404$/,
      );
      expect(requests(log).map((r) => r.address)).toEqual(canary.map((x) => x.request.address));
      // The fenced primary refused writes honestly in between.
      expect(writes.some((w) => w.status === 503 && w.retryAfterSeconds !== undefined)).toBe(true);
    });

    test("THEN the canary's items are cleaned up from every region at the end", async () => {
      const result = await h.run(kind === 'switchover' ? h.switchover() : h.failover());
      const drillId = drillIds(h.stateDir)[0];

      expect(result.code).toBe(0);
      expect(verifyWrites(drillId).acknowledgedClientWrites).toBeGreaterThan(0);
      const deletes = h.mocks.rdsData
        .commandCalls(ExecuteStatementCommand)
        .map((c) => c.args[0].input.sql)
        .filter((sql) => sql === CLIENT_ITEMS_SQL.deleteItems);
      expect(deletes).toHaveLength(1);
      expect(leftovers(drillId)).toEqual([]);
    });
  },
);

describe('an unplanned failover, after the cached answer expired', () => {
  test('THEN write. answers the new writer and the client writes through it', async () => {
    const result = await h.run(h.failover());
    const drillId = drillIds(h.stateDir)[0];
    const log = readClient(drillId);
    const writer = h.world.topology.regions.find((r) => r.region === SECONDARY)!;
    const first = answers(log).find((d) => d.path === 'write')!;

    expect(result.code).toBe(0);
    const after = requests(log).filter((r) => r.path === 'write' && r.targetRegion === SECONDARY);
    expect(after[0]).toMatchObject({ target: writer.writeTarget, status: 200, region: SECONDARY });
    // The client asked again when its first answer's TTL ended (the promotion completed before).
    expect(after[0].answeredAt! - first.at).toBe(first.ttlSeconds * 1000);
  });
});

describe('a client behind a resolver that keeps answers for their full TTL', () => {
  test('GIVEN the resolver cached write. 30 s before the drill THEN the client gets the TTL counted down and sees the new writer up to one TTL later', async () => {
    h.world.client.resolverCacheMs = FULL_TTL;
    const write = h.world.topology.writeHostname;
    const ttl = templateTtl(write);
    await h.world.client.resolve(write);
    await h.world.clock.sleep(30_000);

    const result = await h.run(h.failover());
    const drillId = drillIds(h.stateDir)[0];
    const startedAt = Date.parse(readRecordFile(h.stateDir, drillId).startedAt);
    const seen = answers(readClient(drillId))
      .filter((d) => d.path === 'write')
      .map((d) => [(d.at - startedAt) / 1000, d.region, d.ttlSeconds]);

    expect(result.code).toBe(0);
    // The resolver hands out its 30 s old answer with 30 s left; asked again at 30 s, Route 53
    // still answers the primary (the promotion completes at 55 s), for a whole TTL more. A
    // client asking Route 53 itself re-asks at 60 s and sees the new writer then (test above).
    // (The drill goes on after the client saw the new writer: later answers name it too.)
    expect(seen.slice(0, 3)).toEqual([
      [0, PRIMARY, ttl - 30],
      [30, PRIMARY, ttl],
      [30 + ttl, SECONDARY, ttl],
    ]);
    expect(seen.slice(3).map((s) => s[1])).not.toContain(PRIMARY);
  });
});

describe('an unplanned failover that loses client writes', () => {
  test('GIVEN writes not yet replicated at the promotion THEN verify-writes, the record and the report name exactly those seqs', async () => {
    h.world.dataReplicationDelayMs = 13_000;
    // The fence reaches the health checks after 12 s: the drill promotes at the 15 s poll,
    // while the service (5 s drain cache) acknowledged writes for the first seconds.
    h.world.healthLagMs = 12_000;

    const result = await h.run(h.failover());
    const drillId = drillIds(h.stateDir)[0];
    const record = readRecordFile(h.stateDir, drillId);
    const promotedAt = Date.parse(record.measures.promotedAt!);
    const acknowledged = requests(readClient(drillId)).filter(
      (r) => r.path === 'write' && r.ok && r.at < promotedAt,
    );
    // Committed when sent (the fake service takes no time): lost when younger than the delay.
    const expectedLost = acknowledged
      .filter((r) => r.at > promotedAt - h.world.dataReplicationDelayMs)
      .map((r) => r.seq);

    expect(result.code).toBe(0);
    expect(expectedLost.length).toBeGreaterThan(0);
    expect(expectedLost.length).toBeLessThan(acknowledged.length);
    expect(verifyWrites(drillId).lostClientWrites).toEqual(expectedLost);
    expect(expectedLost.map((seq) => clientItemId(drillId, seq))).toEqual(
      acknowledged.filter((r) => expectedLost.includes(r.seq)).map((r) => r.itemId),
    );
    // The record and the report show them as the client-level RPO, beside the database's.
    expect(record.measures.client?.dataLoss).toMatchObject({
      count: expectedLost.length,
      writes: expectedLost.map((seq) => expect.objectContaining({ seq, region: PRIMARY })),
    });
    expect(record.measures.client?.writeRto.ms).toEqual(expect.any(Number));
    expect(record.measures.clientRtoMs).toEqual(expect.any(Number));
    const lossText = `${expectedLost.length} of ${verifyWrites(drillId).acknowledgedClientWrites} acknowledged (seq ${expectedLost.join(', ')})`;
    // The summary the drill prints ends with both levels.
    expect(result.stdout).toContain(
      `client-level write RTO: ${formatDuration(record.measures.client!.writeRto.ms!)}  objective 900 s\n` +
        `client-level data loss (acknowledged client writes missing on the new writer): ${lossText}`,
    );
    expect((await h.run(['report'])).code).toBe(0);
    const md = fs.readFileSync(path.join(h.stateDir, drillId, 'report.md'), 'utf8');
    expect(md).toContain(lossText);
    // Beside them, the copy of the old primary's point-of-failure snapshot that holds them.
    const copies = h.world.snapshotsIn(PRIMARY).filter((x) => x.type === 'manual');
    expect(copies).toHaveLength(1);
    expect(record.measures.failoverSnapshot).toMatchObject({
      status: 'copied',
      copy: copies[0].identifier,
    });
  });

  test('GIVEN every write replicated in time THEN lostClientWrites is empty', async () => {
    h.world.healthLagMs = 12_000;

    const result = await h.run(h.failover());
    const drillId = drillIds(h.stateDir)[0];

    expect(result.code).toBe(0);
    expect(verifyWrites(drillId).acknowledgedClientWrites).toBeGreaterThan(0);
    expect(verifyWrites(drillId).lostClientWrites).toEqual([]);
  });
});

describe('a client write whose commit was unknown, re-sent with its Idempotency-Key', () => {
  test('GIVEN the first COMMIT ends unknown WHEN switching over THEN the re-sent write is acknowledged under its first seq, counted once and not lost', async () => {
    let ends = 1;
    h.world.client.faults.commitEnds = () => ends-- > 0;

    const result = await h.run(h.switchover());
    const drillId = drillIds(h.stateDir)[0];
    const writes = requests(readClient(drillId)).filter((r) => r.path === 'write');

    expect(result.code).toBe(0);
    // Seq 2 is the first round's read (of item 1, nothing acknowledged yet).
    expect(writes.slice(0, 2).map((w) => [w.seq, w.itemId, w.retryOf, w.ok])).toEqual([
      [1, clientItemId(drillId, 1), undefined, false],
      [3, clientItemId(drillId, 1), 1, true],
    ]);
    // Before the fix the re-sent write (seq 3) was looked up as item drill-<id>-3: "lost".
    expect(verifyWrites(drillId).lostClientWrites).toEqual([]);
    // verify-writes counts the writes acknowledged before it ran: one per item.
    const acknowledgedItems = new Set(writes.filter((w) => w.ok).map((w) => w.itemId));
    expect(verifyWrites(drillId).acknowledgedClientWrites).toBeGreaterThan(0);
    expect(verifyWrites(drillId).acknowledgedClientWrites).toBeLessThanOrEqual(
      acknowledgedItems.size,
    );
  });
});
