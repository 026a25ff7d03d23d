import { deployedApp } from '../deployed-app';
import { IDEMPOTENCY_HEADER, ITEMS_TIMEOUTS_MS } from '../../constructs/contract';
import type { RoutingApi } from '../../runbooks/drill/aws/ports';
import {
  CLIENT_HEALTH_INTERVAL_MS,
  CLIENT_REQUEST_TIMEOUT_MS,
  ClientCanary,
} from '../../runbooks/drill/client-canary';
import {
  clientItemId,
  type ClientLogEntry,
  type HealthObservation,
} from '../../runbooks/drill/client-model';
import { answersOf, requestsOf } from './client-log';
import { SimulatedWorld, START_TIME } from './fake-aws';
import type { ClientNetworkFaults } from './fake-aws';
import { PRIMARY, SECONDARY } from './harness';

const DRILL = 'switchover-20250301T100000Z-us-west-2';

/** GetHealthCheckStatus as the world's checkers report it, counted. */
function worldRouting(world: SimulatedWorld): Pick<RoutingApi, 'healthCheckStatus'> & {
  reads: { id: string; at: number }[];
} {
  const reads: { id: string; at: number }[] = [];
  return {
    reads,
    healthCheckStatus: async (id) => {
      reads.push({ id, at: world.clock.now() });
      const healthy = world.checkHealthy(id);
      // As many checkers as the world's GetHealthCheckStatus reports, all agreeing.
      const reporting = world.healthCheck(id).HealthCheckObservations.length;
      return { healthy, succeeding: healthy ? reporting : 0, reporting };
    },
  };
}

function setUp(
  options: {
    /** Faults of the world's client network (what its records and clusters cannot produce). */
    faults?: ClientNetworkFaults;
    history?: ClientLogEntry[];
    routing?: Pick<RoutingApi, 'healthCheckStatus'>;
    /** Whether writing the log fails (a removed directory, a full disk). */
    persistFails?: boolean;
  } = {},
) {
  const world = new SimulatedWorld(deployedApp());
  const network = world.client;
  Object.assign(network.faults, options.faults);
  const routing = worldRouting(world);
  const persisted: ClientLogEntry[] = [];
  const canary = new ClientCanary({
    network,
    routing: options.routing ?? routing,
    clock: world.clock,
    drillId: DRILL,
    topology: world.topology,
    intervalMs: 1000,
    history: options.history ?? [],
    persist: (entry) => {
      if (options.persistFails) throw new Error('ENOENT: no such file or directory');
      persisted.push(entry);
    },
  });
  /**
   * Runs the canary on the world's clock until `ms` after the start (a tick due at `ms` does not
   * run), applying each change at its time (before a tick due then).
   */
  const runFor = async (ms: number, changes: [number, () => void][] = []) => {
    for (const [at, change] of changes) void world.clock.sleep(at).then(change);
    const stopped = world.clock.sleep(ms).then(() => canary.stop());
    canary.start();
    await stopped;
  };
  const requests = (path?: 'write' | 'read') => requestsOf(persisted, path);
  const answers = (path?: 'write' | 'read') => answersOf(persisted, path);
  const health = () => persisted.filter((e): e is HealthObservation => e.type === 'health');
  /** The first address of a region's write target: where the canary's writes to it go. */
  const addressOf = (region: string) => network.addressesOf(world.deployed(region).writeTarget)[0];
  return {
    world,
    network,
    routing,
    persisted,
    canary,
    runFor,
    requests,
    answers,
    health,
    addressOf,
  };
}

describe('the client canary keeps each DNS answer for its TTL, as a stub resolver cache does', () => {
  test('GIVEN the deployed 60 s records WHEN it runs for two minutes THEN each name is asked at 0, 60 and 120 s and every request in between goes to the cached answer', async () => {
    const t = setUp();

    await t.runFor(125_000);

    const { writeHostname, appHostname } = t.world.topology;
    const at = (name: string) =>
      t.network.queries.filter((q) => q.name === name).map((q) => q.at - START_TIME);
    expect(at(writeHostname)).toEqual([0, 60_000, 120_000]);
    expect(at(appHostname)).toEqual([0, 60_000, 120_000]);
    const primary = t.world.deployed(PRIMARY);
    expect(t.answers('write')[0]).toEqual({
      type: 'dns',
      at: START_TIME,
      path: 'write',
      name: writeHostname,
      target: primary.writeTarget,
      region: PRIMARY,
      addresses: t.network.addressesOf(primary.writeTarget),
      ttlSeconds: 60,
    });
    expect(t.answers('read')[0]).toMatchObject({
      name: appHostname,
      target: primary.appTarget,
      region: PRIMARY,
      ttlSeconds: 60,
    });
    // Each request names the answer it used: the one asked at or before it, until it expired.
    for (const r of t.requests()) {
      expect(r.answeredAt! - START_TIME).toBe(Math.floor((r.at - START_TIME) / 60_000) * 60_000);
    }
  });

  test('GIVEN a chain whose smallest TTL is 5 s THEN the answer is kept 5 s, not the longest TTL', async () => {
    const t = setUp();
    const write = t.world.records.filter(
      (r) => r.name === `${t.world.topology.writeHostname}.` && r.type === 'CNAME',
    );
    expect(write.length).toBeGreaterThan(0);
    for (const r of write) r.ttl = 5;

    await t.runFor(12_000);

    expect(
      t.network.queries
        .filter((q) => q.name === t.world.topology.writeHostname)
        .map((q) => q.at - START_TIME),
    ).toEqual([0, 5000, 10_000]);
    expect(t.answers('write')[0].ttlSeconds).toBe(5);
  });

  test('GIVEN the writer moves 10 s in THEN writes keep going to the old answer until its TTL ends, then to the new writer', async () => {
    const t = setUp();

    // The writer checks follow the writer, and write. follows them.
    await t.runFor(65_000, [[10_000, () => (t.world.writer = SECONDARY)]]);

    expect(t.world.dnsAnswer(t.world.topology.writeHostname)).toEqual([
      t.world.deployed(SECONDARY).writeTarget,
    ]);
    const writes = t.requests('write');
    const before = writes.filter((w) => w.at - START_TIME < 60_000);
    const after = writes.filter((w) => w.at - START_TIME >= 60_000);
    expect(new Set(before.map((w) => w.targetRegion))).toEqual(new Set([PRIMARY]));
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after.map((w) => w.targetRegion))).toEqual(new Set([SECONDARY]));
    expect(new Set(after.map((w) => w.address))).toEqual(new Set([t.addressOf(SECONDARY)]));
  });

  test('GIVEN the resolver fails once THEN the failure is logged, the write fails without a response, nothing is cached and the next tick asks again', async () => {
    let failures = 1;
    const t = setUp({
      faults: {
        resolve: (name) =>
          name.startsWith('write.') && failures-- > 0 ? new Error('queryA ESERVFAIL') : undefined,
      },
    });

    await t.runFor(2500);

    const { writeHostname } = t.world.topology;
    expect(t.answers('write')[0]).toEqual({
      type: 'dns',
      at: START_TIME,
      path: 'write',
      name: writeHostname,
      addresses: [],
      ttlSeconds: 0,
      error: 'queryA ESERVFAIL',
    });
    const [first, second] = t.requests('write');
    expect(first).toMatchObject({ seq: 1, ok: false, name: writeHostname });
    expect(first.error).toBe(`DNS: ${writeHostname}: queryA ESERVFAIL`);
    expect(first.status).toBeUndefined();
    expect(first.target).toBeUndefined();
    expect(second).toMatchObject({ ok: true, status: 200, targetRegion: PRIMARY });
    expect(t.answers('write')[1]).toMatchObject({ at: START_TIME + 1000, region: PRIMARY });
  });
});

describe('an answer the canary cannot send to is a failed request, not a stop', () => {
  test('GIVEN the resolver never answers THEN the query fails after the request timeout and so does the write; the read of its item still goes', async () => {
    const t = setUp({
      faults: { resolve: (name) => (name.startsWith('write.') ? 'hang' : undefined) },
    });

    await t.runFor(CLIENT_REQUEST_TIMEOUT_MS + 500);

    expect(t.answers('write')[0]).toMatchObject({
      at: START_TIME,
      error: `no DNS answer within ${CLIENT_REQUEST_TIMEOUT_MS} ms`,
    });
    expect(t.requests('write')[0].error).toBe(
      `DNS: ${t.world.topology.writeHostname}: no DNS answer within ${CLIENT_REQUEST_TIMEOUT_MS} ms`,
    );
    // Nothing went through write.; each round still read its own item through app.
    expect(t.network.sent.map((s) => [s.request.method, s.request.path])).toEqual([
      ['GET', `/items/${clientItemId(DRILL, 1)}`],
      ['GET', `/items/${clientItemId(DRILL, 3)}`],
    ]);
  });

  test('GIVEN an answer without addresses THEN it is cached for its TTL and the write fails naming it', async () => {
    const primary = (t: { world: SimulatedWorld }) => t.world.deployed(PRIMARY).writeTarget;
    const t = setUp({
      faults: {
        resolve: (name) =>
          name.startsWith('write.')
            ? { cnames: [{ name, target: primary(t), ttlSeconds: 30 }], addresses: [] }
            : undefined,
      },
    });

    await t.runFor(1500);

    expect(t.answers('write')).toEqual([
      expect.objectContaining({
        target: primary(t),
        region: PRIMARY,
        addresses: [],
        ttlSeconds: 30,
      }),
    ]);
    expect(t.requests('write').map((w) => w.error)).toEqual([
      `DNS: ${t.world.topology.writeHostname} answered no address`,
      `DNS: ${t.world.topology.writeHostname} answered no address`,
    ]);
  });

  test('GIVEN a chain that ends outside the deployment THEN the write fails: no region to sign for', async () => {
    const t = setUp({
      faults: {
        resolve: (name) =>
          name.startsWith('write.')
            ? {
                cnames: [{ name, target: 'parked.example.net', ttlSeconds: 60 }],
                addresses: [{ address: '203.0.113.9', ttlSeconds: 60 }],
              }
            : undefined,
      },
    });

    await t.runFor(500);

    expect(t.answers('write')[0]).toMatchObject({ target: 'parked.example.net', ttlSeconds: 60 });
    expect(t.answers('write')[0].region).toBeUndefined();
    expect(t.requests('write')[0]).toMatchObject({
      ok: false,
      target: 'parked.example.net',
      error: `DNS: ${t.world.topology.writeHostname} answered parked.example.net, none of this deployment's regions: no region to sign for`,
    });
    expect(t.network.sent.map((s) => s.request.method)).toEqual(['GET']);
  });
});

describe('the client canary writes through write. and reads back through app.', () => {
  test('GIVEN a healthy deployment THEN each tick sends one signed PUT with the idempotency key, then GETs the last acknowledged item', async () => {
    const t = setUp();

    await t.runFor(1500);

    const [put, get] = t.network.sent.map((s) => s.request);
    const id = clientItemId(DRILL, 1);
    expect(put).toEqual({
      method: 'PUT',
      hostname: t.world.topology.writeHostname,
      address: t.addressOf(PRIMARY),
      path: `/items/${id}`,
      signingRegion: PRIMARY,
      headers: { [IDEMPOTENCY_HEADER]: id, 'content-type': 'application/json' },
      body: JSON.stringify({ drillId: DRILL, seq: 1, sentAt: START_TIME }),
      timeoutMs: CLIENT_REQUEST_TIMEOUT_MS,
    });
    expect(get).toMatchObject({
      method: 'GET',
      hostname: t.world.topology.appHostname,
      path: `/items/${id}`,
      signingRegion: PRIMARY,
    });
    expect(get.body).toBeUndefined();
    expect(t.world.items.in(t.world.writer).items.has(id)).toBe(true);
    const [write, read] = t.requests();
    expect(write).toMatchObject({
      seq: 1,
      path: 'write',
      itemId: id,
      status: 200,
      ok: true,
      region: PRIMARY,
      target: t.world.deployed(PRIMARY).writeTarget,
      targetRegion: PRIMARY,
    });
    expect(read).toMatchObject({
      seq: 2,
      path: 'read',
      itemId: id,
      status: 200,
      ok: true,
      found: true,
      region: PRIMARY,
      maxStalenessMs: 0,
    });
    // Ticks never overlap: one request at a time.
    expect(t.network.maxInFlight).toBe(1);
  });

  test('GIVEN the region is fenced THEN the write is logged refused with the service error and Retry-After, and each round reads its own item: the region app. names answers 404, an answer', async () => {
    const t = setUp();
    t.world.region(PRIMARY).drain = 'true';

    await t.runFor(1500);

    const drain = t.world.deployed(PRIMARY).drainParameterName;
    expect(t.requests('write')[0]).toMatchObject({
      seq: 1,
      status: 503,
      ok: false,
      region: PRIMARY,
      retryAfterSeconds: 10,
      error: `${PRIMARY} is drained or fenced: SSM parameter ${drain} is 'true'; write through another region or retry later`,
    });
    expect(t.requests('write')[0].commitUnknown).toBeUndefined();
    // Nothing was acknowledged: each round reads the item of its own write, and seqs go on
    // over both paths.
    expect(t.requests().map((r) => [r.path, r.seq, r.itemId])).toEqual([
      ['write', 1, clientItemId(DRILL, 1)],
      ['read', 2, clientItemId(DRILL, 1)],
      ['write', 3, clientItemId(DRILL, 3)],
      ['read', 4, clientItemId(DRILL, 3)],
    ]);
    // The drained region's serving check fails, so app. names the other region, which answers
    // that it does not hold the item: the read path works.
    expect(t.answers('read')[0].region).toBe(SECONDARY);
    for (const read of t.requests('read')) {
      expect(read).toMatchObject({
        status: 404,
        ok: true,
        found: false,
        targetRegion: SECONDARY,
        region: SECONDARY,
      });
      expect(read.error).toBeUndefined();
    }
  });

  test('GIVEN the region is fenced while app. still names it (an answer cached before its check failed) THEN the write is refused and the fenced region answers the read of that item 404', async () => {
    const target = (t: { world: SimulatedWorld }) => t.world.deployed(PRIMARY).appTarget;
    const t = setUp({
      faults: {
        resolve: (name) =>
          name.startsWith('app.')
            ? {
                cnames: [{ name, target: target(t), ttlSeconds: 60 }],
                addresses: t.network
                  .addressesOf(target(t))
                  .map((address) => ({ address, ttlSeconds: 60 })),
              }
            : undefined,
      },
    });
    t.world.region(PRIMARY).drain = 'true';

    await t.runFor(500);

    const [write, read] = t.requests();
    expect(write).toMatchObject({ path: 'write', seq: 1, status: 503, ok: false, region: PRIMARY });
    expect(read).toMatchObject({
      path: 'read',
      seq: 2,
      itemId: write.itemId,
      targetRegion: PRIMARY,
      status: 404,
      region: PRIMARY,
      ok: true,
      found: false,
    });
    expect(read.error).toBeUndefined();
  });

  test('GIVEN COMMIT fails after it was sent THEN the write is logged refused with commitUnknown', async () => {
    const t = setUp({ faults: { commitEnds: () => true } });

    await t.runFor(500);

    expect(t.requests('write')[0]).toMatchObject({
      status: 503,
      ok: false,
      commitUnknown: true,
      retryAfterSeconds: 10,
    });
  });

  test('GIVEN a write answered committed "unknown" THEN the next tick re-sends it, same item, key and body, as its own sample with retryOf, before a new write', async () => {
    let ends = 1;
    const t = setUp({ faults: { commitEnds: () => ends-- > 0 } });

    await t.runFor(1500);

    const item1 = `drill-${DRILL}-1`;
    expect(
      t.requests('write').map((w) => [w.seq, w.itemId, w.retryOf, w.ok, w.commitUnknown]),
    ).toEqual([
      [1, item1, undefined, false, true],
      [3, item1, 1, true, undefined],
      [4, `drill-${DRILL}-4`, undefined, true, undefined],
    ]);
    const puts = t.network.sent.filter((s) => s.request.method === 'PUT').map((s) => s.request);
    expect(puts[1].headers[IDEMPOTENCY_HEADER]).toBe(item1);
    expect(puts[1].path).toBe(puts[0].path);
    expect(puts[1].body).toBe(puts[0].body);
    // The first read, with nothing acknowledged, goes to its round's item (whose commit is
    // unknown: the service has not got it); the next to the last acknowledged item, after both
    // writes of the round.
    expect(t.requests().map((r) => [r.path, r.seq, r.itemId, r.found])).toEqual([
      ['write', 1, item1, undefined],
      ['read', 2, item1, false],
      ['write', 3, item1, undefined],
      ['write', 4, `drill-${DRILL}-4`, undefined],
      ['read', 5, `drill-${DRILL}-4`, true],
    ]);
  });

  test('GIVEN the re-sent write answered "unknown" again THEN it is sent once more on the next tick, until it is answered', async () => {
    let ends = 2;
    const t = setUp({ faults: { commitEnds: () => ends-- > 0 } });

    await t.runFor(2500);

    expect(
      t.requests('write').map((w) => [w.seq, w.retryOf, w.ok, w.commitUnknown === true]),
    ).toEqual([
      [1, undefined, false, true],
      [3, 1, false, true],
      [4, undefined, true, false],
      [6, 1, true, false],
      [7, undefined, true, false],
    ]);
  });

  test('GIVEN a write refused before COMMIT (nothing committed) THEN it is not re-sent', async () => {
    const t = setUp();
    t.world.region(PRIMARY).drain = 'true';

    await t.runFor(1500);

    expect(t.requests('write').map((w) => w.retryOf)).toEqual([undefined, undefined]);
  });

  test('GIVEN a write that never answers THEN it fails after the request timeout and the next tick starts at once, not two at a time', async () => {
    let hangs = 1;
    const t = setUp({ faults: { hang: (r) => r.method === 'PUT' && hangs-- > 0 } });

    await t.runFor(CLIENT_REQUEST_TIMEOUT_MS + 500);

    const [first, second] = t.requests('write');
    expect(first).toMatchObject({
      seq: 1,
      ok: false,
      latencyMs: CLIENT_REQUEST_TIMEOUT_MS,
      address: t.addressOf(PRIMARY),
      error: `no response within ${CLIENT_REQUEST_TIMEOUT_MS} ms`,
    });
    expect(first.status).toBeUndefined();
    expect(second).toMatchObject({ seq: 3, ok: true });
    // Nothing else was sent while the first write hung; then that round's read of its item.
    expect(t.requests().map((r) => [r.path, r.seq, r.at - START_TIME])).toEqual([
      ['write', 1, 0],
      ['read', 2, CLIENT_REQUEST_TIMEOUT_MS],
      ['write', 3, CLIENT_REQUEST_TIMEOUT_MS],
      ['read', 4, CLIENT_REQUEST_TIMEOUT_MS],
    ]);
    expect(t.network.sent).toHaveLength(4);
  });

  test('THEN the request timeout is longer than the service takes to refuse a write it cannot commit', () => {
    expect(CLIENT_REQUEST_TIMEOUT_MS).toBeGreaterThan(2 * ITEMS_TIMEOUTS_MS.commit.default);
  });
});

describe('a resumed client canary continues the drill log', () => {
  test('GIVEN a log whose last request is seq 7 and last acknowledged write seq 6 THEN it writes seq 8 and reads item 6 back, and repeats no health reading', async () => {
    const first = setUp();
    await first.runFor(500);
    const history: ClientLogEntry[] = [
      ...first.persisted,
      { ...first.requests('write')[0], seq: 6, itemId: clientItemId(DRILL, 6) },
      {
        ...first.requests('write')[0],
        seq: 7,
        itemId: clientItemId(DRILL, 7),
        status: 503,
        ok: false,
      },
    ];
    const t = setUp({ history });

    await t.runFor(500);

    expect(t.requests().map((r) => [r.path, r.seq, r.itemId])).toEqual([
      ['write', 8, clientItemId(DRILL, 8)],
      ['read', 9, clientItemId(DRILL, 8)],
    ]);
    expect(t.canary.entries().slice(0, history.length)).toEqual(history);
    expect(t.health()).toEqual([]);
  });

  test('GIVEN a log whose last acknowledged write is seq 6 and the next write is refused THEN it reads item 6', async () => {
    const first = setUp();
    await first.runFor(500);
    const history: ClientLogEntry[] = [
      { ...first.requests('write')[0], seq: 6, itemId: clientItemId(DRILL, 6) },
    ];
    const t = setUp({ history });
    t.world.region(PRIMARY).drain = 'true';

    await t.runFor(500);

    expect(t.requests().map((r) => [r.path, r.seq, r.itemId])).toEqual([
      ['write', 7, clientItemId(DRILL, 7)],
      ['read', 8, clientItemId(DRILL, 6)],
    ]);
    // The drained region's serving check fails, so app. answers the other region, which has
    // not got the item (this world's tables never had it): it answered, without the item.
    expect(t.requests('read')[0]).toMatchObject({
      status: 404,
      ok: true,
      found: false,
      targetRegion: SECONDARY,
      region: SECONDARY,
    });
    expect(t.requests('read')[0].error).toBeUndefined();
  });

  test("GIVEN a log with refused writes and reads of their items, none acknowledged THEN it goes on from the last seq and reads its own round's item, not an earlier one", async () => {
    const first = setUp();
    first.world.region(PRIMARY).drain = 'true';
    await first.runFor(1500);
    expect(first.requests().map((r) => [r.path, r.seq, r.ok])).toEqual([
      ['write', 1, false],
      ['read', 2, true],
      ['write', 3, false],
      ['read', 4, true],
    ]);
    const t = setUp({ history: first.persisted });
    t.world.region(PRIMARY).drain = 'true';

    await t.runFor(500);

    expect(t.requests().map((r) => [r.path, r.seq, r.itemId])).toEqual([
      ['write', 5, clientItemId(DRILL, 5)],
      ['read', 6, clientItemId(DRILL, 5)],
    ]);
  });
});

describe('a log line that cannot be written', () => {
  test('GIVEN the log cannot be written THEN the canary goes on and keeps its entries in memory', async () => {
    const t = setUp({ persistFails: true });

    await t.runFor(1500);

    const requests = t.canary.entries().filter((e) => e.type === 'request');
    expect(requests.map((r) => r.type === 'request' && [r.path, r.seq, r.ok])).toEqual([
      ['write', 1, true],
      ['read', 2, true],
      ['write', 3, true],
      ['read', 4, true],
    ]);
  });
});

describe('the client canary records health-check flips', () => {
  test('GIVEN every check healthy, then the primary writer check failing at 25 s THEN each check is logged once, then only the one that changed; checks are read every 10 s', async () => {
    const t = setUp();
    const ids = t.world.topology.regions.flatMap((r) =>
      [r.healthChecks.serving, r.healthChecks.writer].filter((id): id is string => !!id),
    );
    const writerCheck = t.world.checkId(PRIMARY, 'writer');
    const initially = new Map(ids.map((id) => [id, t.world.checkHealthy(id)]));
    expect(initially.get(writerCheck)).toBe(true);

    await t.runFor(35_000, [[25_000, () => t.world.forcedUnhealthy.add(writerCheck)]]);

    expect(new Set(t.routing.reads.map((r) => r.at - START_TIME))).toEqual(
      new Set([0, 10_000, 20_000, 30_000]),
    );
    expect(CLIENT_HEALTH_INTERVAL_MS).toBe(10_000);
    expect(t.routing.reads.filter((r) => r.at === START_TIME).map((r) => r.id)).toEqual(ids);
    const flips = t.health().map((h) => [h.at - START_TIME, h.healthCheckId, h.healthy]);
    expect(flips).toEqual([
      ...ids.map((id) => [0, id, initially.get(id)]),
      [30_000, writerCheck, false],
    ]);
    expect(t.health().at(-1)).toEqual({
      type: 'health',
      at: START_TIME + 30_000,
      healthCheckId: writerCheck,
      region: PRIMARY,
      check: 'writer',
      healthy: false,
      succeeding: 0,
      reporting: 16,
    });
  });

  test('GIVEN a reading fails THEN nothing is logged for it and the requests go on', async () => {
    const t = setUp({
      routing: { healthCheckStatus: () => Promise.reject(new Error('Throttling')) },
    });

    await t.runFor(1500);

    expect(t.health()).toEqual([]);
    expect(t.requests('write').map((w) => w.ok)).toEqual([true, true]);
  });
});
