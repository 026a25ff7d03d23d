// The client canary's fake network against the synthesized app: DNS answers from the deployed
// records with their TTLs, a caching resolver, and the real items service of each region.
import { ITEMS_ENV } from '../../constructs/handlers/items-contract';
import type { ClientHttpResponse } from '../../runbooks/drill/aws/ports';
import { CANARY_SQL } from '../../runbooks/drill/canary';
import {
  CLIENT_ITEMS_SQL,
  clientItemId,
  clientItemPrefix,
} from '../../runbooks/drill/client-model';
import { deployedApp } from '../deployed-app';
import { SimulatedWorld } from './fake-aws';
import { FULL_TTL, TARGET_ADDRESS_TTL_SECONDS, WorldSqlDriver } from './fake-aws';
import { PRIMARY, SECONDARY } from './outputs';

let world: SimulatedWorld;
beforeEach(() => {
  world = new SimulatedWorld(deployedApp());
});

const app = () => world.topology.appHostname;
const write = () => world.topology.writeHostname;
const target = (region: string, kind: 'appTarget' | 'writeTarget') => world.deployed(region)[kind];

/** The TTL the routing template gives the record of `name` (every record set of it). */
function templateTtls(name: string, regions = [PRIMARY, SECONDARY]): number[] {
  return deployedApp(regions)
    .resources('AWS::Route53::RecordSet')
    .filter((r) => r.properties.Name === `${name}.`)
    .map((r) => Number(r.properties.TTL));
}

/** The items function's environment as the service stack template deploys it. */
function templateEnv(region: string): Record<string, string> {
  const fn = deployedApp()
    .resources('AWS::Lambda::Function')
    .find(
      (f) =>
        f.region === region &&
        (f.properties.Environment as { Variables?: Record<string, string> })?.Variables?.[
          ITEMS_ENV.writerHost
        ],
    );
  return (fn!.properties.Environment as { Variables: Record<string, string> }).Variables;
}

/** Resolves `name` as the canary does and sends one request to the answer's first address. */
async function request(
  name: string,
  method: 'PUT' | 'GET',
  id: string,
  options: { key?: string; signingRegion?: string; hostname?: string; path?: string } = {},
): Promise<ClientHttpResponse & { region: string }> {
  const answer = await world.client.resolve(name);
  const address = answer.addresses[0].address;
  const region = world.client.targetOf(address)!.region;
  const response = await world.client.send({
    method,
    hostname: options.hostname ?? name,
    address,
    path: options.path ?? `/items/${id}`,
    signingRegion: options.signingRegion ?? region,
    headers: method === 'PUT' ? { 'Idempotency-Key': options.key ?? `key-${id}` } : {},
    body: method === 'PUT' ? JSON.stringify({ id }) : undefined,
    timeoutMs: 5_000,
  });
  return { ...response, region };
}

const body = (r: { body: string }) => JSON.parse(r.body) as Record<string, unknown>;
const ids = (region: string) => [...world.items.in(region).items.keys()].sort();
const sleep = (ms: number) => world.clock.sleep(ms);

function failover(to: string): void {
  world.promote('failover', {
    GlobalClusterIdentifier: world.globalId,
    TargetDbClusterIdentifier: world.clusterArn(to),
  });
}

describe('DNS answers follow the deployed records and their health', () => {
  test('GIVEN every region healthy THEN write. and app. answer the primary with the template TTL and its addresses', async () => {
    const w = await world.client.resolve(write());
    const a = await world.client.resolve(app());

    expect(w.cnames).toEqual([
      {
        name: write(),
        target: target(PRIMARY, 'writeTarget'),
        ttlSeconds: templateTtls(write())[0],
      },
    ]);
    expect(a.cnames).toEqual([
      { name: app(), target: target(PRIMARY, 'appTarget'), ttlSeconds: templateTtls(app())[0] },
    ]);
    expect(new Set(templateTtls(write())).size).toBe(1);
    expect(w.addresses.map((x) => world.client.targetOf(x.address)?.target)).toEqual([
      target(PRIMARY, 'writeTarget'),
      target(PRIMARY, 'writeTarget'),
    ]);
    expect(w.addresses.every((x) => x.ttlSeconds === TARGET_ADDRESS_TTL_SECONDS)).toBe(true);
    expect(a.addresses.map((x) => x.address)).not.toEqual(w.addresses.map((x) => x.address));
  });

  test('GIVEN a resolver near the secondary THEN latency routing answers the secondary for app.', async () => {
    world.client.resolverRegion = SECONDARY;

    expect((await world.client.resolve(app())).cnames.at(-1)?.target).toBe(
      target(SECONDARY, 'appTarget'),
    );
  });

  test('GIVEN the primary drained THEN app. moves to the secondary and write. stays on the primary (both failover records unhealthy) until the writer moves', async () => {
    world.setDrain(PRIMARY, 'true');

    expect((await world.client.resolve(app())).cnames[0].target).toBe(
      target(SECONDARY, 'appTarget'),
    );
    expect((await world.client.resolve(write())).cnames[0].target).toBe(
      target(PRIMARY, 'writeTarget'),
    );

    failover(SECONDARY);
    await sleep(world.promotionMs);
    world.advance();

    expect((await world.client.resolve(write())).cnames[0].target).toBe(
      target(SECONDARY, 'writeTarget'),
    );
  });

  test('GIVEN the primary region down THEN Route 53 still answers (global) and its addresses time out', async () => {
    world.down.add(PRIMARY);
    const answer = await world.client.resolve(write());
    const address = answer.addresses[0].address;
    const start = world.clock.now();

    await expect(
      world.client.send({
        method: 'GET',
        hostname: write(),
        address,
        path: '/items/a',
        signingRegion: PRIMARY,
        headers: {},
        timeoutMs: 3_000,
      }),
    ).rejects.toThrow(`connect ETIMEDOUT ${address}:443 (simulated: us-east-1 is down)`);
    expect(world.clock.now() - start).toBe(3_000);
    expect(answer.cnames[0].target).toBe(target(PRIMARY, 'writeTarget'));
  });

  test('GIVEN a name the zone does not have THEN resolve fails with NXDOMAIN', async () => {
    await expect(world.client.resolve('nope.example.com')).rejects.toThrow(
      'NXDOMAIN nope.example.com: no record of that name',
    );
  });
});

describe('a recursive resolver between the client and Route 53', () => {
  test('GIVEN no intermediate cache (default) THEN the answer changes as soon as Route 53 changes it', async () => {
    await world.client.resolve(app());
    world.setDrain(PRIMARY, 'true');
    await sleep(1_000);

    const answer = await world.client.resolve(app());

    expect(answer.cnames[0]).toMatchObject({
      target: target(SECONDARY, 'appTarget'),
      ttlSeconds: 60,
    });
  });

  test('GIVEN a stale resolver that keeps answers for their full TTL THEN it answers the old target with the TTL counted down until the TTL ends', async () => {
    world.client.resolverCacheMs = FULL_TTL;
    const ttl = templateTtls(app())[0];
    await world.client.resolve(app());
    const queries = world.client.route53Queries;
    world.setDrain(PRIMARY, 'true');
    await sleep(20_000);

    const cached = await world.client.resolve(app());
    expect(world.client.route53Queries).toBe(queries);
    await sleep(ttl * 1000 - 20_000);
    const fresh = await world.client.resolve(app());

    expect(cached.cnames[0]).toEqual({
      name: app(),
      target: target(PRIMARY, 'appTarget'),
      ttlSeconds: ttl - 20,
    });
    expect(cached.addresses[0].ttlSeconds).toBe(TARGET_ADDRESS_TTL_SECONDS - 20);
    expect(fresh.cnames[0]).toEqual({
      name: app(),
      target: target(SECONDARY, 'appTarget'),
      ttlSeconds: ttl,
    });
  });

  test('GIVEN a resolver that caches 5 s THEN it keeps an answer 5 s, not the TTL', async () => {
    world.client.resolverCacheMs = 5_000;
    await world.client.resolve(app());
    world.setDrain(PRIMARY, 'true');
    await sleep(4_000);
    const cached = await world.client.resolve(app());
    await sleep(1_000);

    expect(cached.cnames[0].target).toBe(target(PRIMARY, 'appTarget'));
    expect((await world.client.resolve(app())).cnames[0].target).toBe(
      target(SECONDARY, 'appTarget'),
    );
  });
});

describe('the items service behind each target, as the template configures it', () => {
  test('GIVEN a write through write. THEN the primary commits it, the secondary has it after the replication delay', async () => {
    world.dataReplicationDelayMs = 2_000;

    const put = await request(write(), 'PUT', 'a');
    world.client.resolverRegion = SECONDARY;
    const early = await request(app(), 'GET', 'a');
    await sleep(2_000);
    const late = await request(app(), 'GET', 'a');

    expect(put.status).toBe(200);
    expect(body(put)).toMatchObject({ region: PRIMARY, replayed: false, item: { id: 'a' } });
    expect(ids(PRIMARY)).toEqual(['a']);
    expect(early.status).toBe(404);
    expect(body(early)).toMatchObject({ region: SECONDARY, maxStalenessMs: 2_000 });
    expect(late.status).toBe(200);
    expect(body(late)).toMatchObject({
      region: SECONDARY,
      item: { id: 'a', written_via: PRIMARY },
    });
  });

  test('GIVEN the same Idempotency-Key again THEN the first result is replayed, nothing written twice', async () => {
    await request(write(), 'PUT', 'a', { key: 'k1' });
    const again = await request(write(), 'PUT', 'a', { key: 'k1' });

    expect(body(again)).toMatchObject({ replayed: true, item: { id: 'a' } });
    expect(world.items.in(PRIMARY).requests.size).toBe(1);
  });

  test('GIVEN the region drained THEN the write is refused with 503 and the template Retry-After, nothing committed', async () => {
    world.setDrain(PRIMARY, 'true');
    const name = world.deployed(PRIMARY).drainParameterName;

    const put = await request(write(), 'PUT', 'a');

    expect(put.status).toBe(503);
    expect(put.headers['retry-after']).toBe(templateEnv(PRIMARY)[ITEMS_ENV.retryAfterSeconds]);
    expect(body(put)).toEqual({
      error: `${PRIMARY} is drained or fenced: SSM parameter ${name} is 'true'; write through another region or retry later`,
      region: PRIMARY,
      committed: false,
    });
    expect(ids(PRIMARY)).toEqual([]);
  });

  test('GIVEN a write to the secondary before promotion THEN it commits through the global writer endpoint on the primary', async () => {
    world.client.resolverRegion = SECONDARY;

    const put = await request(app(), 'PUT', 'a');

    expect(put.status).toBe(200);
    expect(body(put)).toMatchObject({ region: SECONDARY, item: { written_via: SECONDARY } });
    expect(ids(PRIMARY)).toEqual(['a']);
  });

  test('GIVEN an unplanned failover under way THEN a write to the secondary is refused until the promotion completes, then commits there', async () => {
    world.client.resolverRegion = SECONDARY;
    world.down.add(PRIMARY);
    failover(SECONDARY);

    const before = await request(app(), 'PUT', 'a');
    await sleep(world.promotionMs);
    const after = await request(app(), 'PUT', 'b');

    expect(before.status).toBe(503);
    expect(body(before)).toMatchObject({ region: SECONDARY, committed: false });
    expect(String(body(before).error)).toBe(
      `cannot connect to the writer ${templateEnv(SECONDARY)[ITEMS_ENV.writerHost]}: Error: Connection terminated due to connection timeout; nothing was committed`,
    );
    expect(after.status).toBe(200);
    expect(ids(SECONDARY)).toEqual(['b']);
  });

  test('GIVEN a switchover past pending THEN writes are refused (no partial effect) and commit on the new writer after it', async () => {
    world.promote('switchover', {
      GlobalClusterIdentifier: world.globalId,
      TargetDbClusterIdentifier: world.clusterArn(SECONDARY),
    });
    await sleep(world.pendingMs);

    const during = await request(write(), 'PUT', 'a');
    await sleep(world.promotionMs);
    world.setDrain(PRIMARY, 'true');
    const after = await request(write(), 'PUT', 'b');

    expect(during.status).toBe(503);
    expect(body(during)).toEqual({
      error:
        'the write failed: Error: cannot execute INSERT in a read-only transaction; nothing was committed',
      region: PRIMARY,
      committed: false,
    });
    expect(ids(SECONDARY)).toEqual(['b']);
    expect(after.region).toBe(SECONDARY);
  });

  test('GIVEN writes not yet replicated at an unplanned failover THEN exactly those are lost everywhere', async () => {
    world.dataReplicationDelayMs = 15_000;
    for (const id of ['a', 'b', 'c']) {
      await request(write(), 'PUT', id);
      await sleep(10_000);
    }
    // a at 0 s, b at 10 s, c at 20 s; failing over at 30 s keeps what is 15 s old.
    world.down.add(PRIMARY);
    failover(SECONDARY);
    await sleep(world.promotionMs);
    world.down.delete(PRIMARY);
    world.advance();

    expect(ids(SECONDARY)).toEqual(['a', 'b']);
    expect(ids(PRIMARY)).toEqual(['a', 'b']);
  });

  test('GIVEN managed RPO blocking commits THEN the write ends 503 with its outcome unknown', async () => {
    world.parameterGroupOf(PRIMARY).parameters.set('rds.global_db_rpo', '20');
    world.region(SECONDARY).rpoLagMs = 60_000;

    const put = await request(write(), 'PUT', 'a');

    expect(put.status).toBe(503);
    expect(body(put)).toMatchObject({
      error:
        'the write failed: Error: canceling statement due to statement timeout after COMMIT was sent: the write may or may not have committed; retry with the same Idempotency-Key to learn its result',
      committed: 'unknown',
    });
    expect(ids(PRIMARY)).toEqual([]);
  });
});

describe('API Gateway in front of the service', () => {
  test('GIVEN a signature scoped to another region THEN 403 as API Gateway answers it', async () => {
    const put = await request(write(), 'PUT', 'a', { signingRegion: SECONDARY });

    expect(put.status).toBe(403);
    expect(body(put)).toEqual({ message: 'Credential should be scoped to a valid region. ' });
    expect(ids(PRIMARY)).toEqual([]);
  });

  test('GIVEN a Host that is not the target custom domain THEN 403 Forbidden', async () => {
    const put = await request(write(), 'PUT', 'a', { hostname: app() });

    expect(put.status).toBe(403);
    expect(body(put)).toEqual({ message: 'Forbidden' });
  });

  test('GIVEN a path no route of the template has THEN 404 Not Found', async () => {
    const get = await request(app(), 'GET', 'a', { path: '/things/a' });

    expect(get.status).toBe(404);
    expect(body(get)).toEqual({ message: 'Not Found' });
  });

  test('GIVEN an address of no target THEN the connection is refused', async () => {
    await expect(
      world.client.send({
        method: 'GET',
        hostname: app(),
        address: '198.51.100.7',
        path: '/items/a',
        signingRegion: PRIMARY,
        headers: {},
        timeoutMs: 1_000,
      }),
    ).rejects.toThrow(
      'connect ECONNREFUSED 198.51.100.7:443 (the fake network has no target at this address)',
    );
  });
});

describe('the Data API statements of the canary items on the world', () => {
  const sql = (region: string, text: string, parameters: Record<string, string>) =>
    world.execute(region, {
      resourceArn: world.clusterArn(region),
      secretArn: world.deployed(region).secretArn,
      sql: text,
      parameters: Object.entries(parameters).map(([name, stringValue]) => ({
        name,
        value: { stringValue },
      })),
    });

  test('GIVEN canary items on the writer THEN selectIds lists them and the cleanup removes them everywhere', async () => {
    const prefix = clientItemPrefix('d1');
    await request(write(), 'PUT', clientItemId('d1', 1));
    await request(write(), 'PUT', clientItemId('d1', 2));
    await request(write(), 'PUT', 'other');

    const listed = sql(PRIMARY, CLIENT_ITEMS_SQL.selectIds, { prefix });
    sql(PRIMARY, CLIENT_ITEMS_SQL.deleteRequests, { prefix });
    sql(PRIMARY, CLIENT_ITEMS_SQL.deleteItems, { prefix });
    world.advance();

    expect(listed.records).toEqual([
      [{ stringValue: clientItemId('d1', 1) }],
      [{ stringValue: clientItemId('d1', 2) }],
    ]);
    expect(ids(PRIMARY)).toEqual(['other']);
    expect(ids(SECONDARY)).toEqual(['other']);
    expect([...world.items.in(SECONDARY).requests.values()].map((r) => r.item_id)).toEqual([
      'other',
    ]);
  });

  test('GIVEN canary rows THEN the canary cleanup deletes that drill rows only', () => {
    const insert = (drill: string, seq: number) =>
      world.execute(PRIMARY, {
        resourceArn: world.clusterArn(PRIMARY),
        secretArn: world.deployed(PRIMARY).secretArn,
        sql: CANARY_SQL.insert,
        parameters: [
          { name: 'drill_id', value: { stringValue: drill } },
          { name: 'seq', value: { longValue: seq } },
          { name: 'region', value: { stringValue: PRIMARY } },
        ],
      });
    insert('d1', 1);
    insert('d2', 1);

    sql(PRIMARY, CANARY_SQL.deleteRows, { drill_id: 'd1' });

    expect(world.rowsIn(PRIMARY, 'd1')).toEqual([]);
    expect(world.rowsIn(SECONDARY, 'd1')).toEqual([]);
    expect(world.rowsIn(PRIMARY, 'd2')).toEqual([1]);
  });
});

describe('with three regions, write. chains through standby.write.', () => {
  const THIRD = 'us-east-2';
  const REGIONS = [PRIMARY, SECONDARY, THIRD];

  test('GIVEN the writer moved to the third region THEN the answer is a two-CNAME chain, each hop with its template TTL', async () => {
    world = new SimulatedWorld(deployedApp(REGIONS));
    world.setDrain(PRIMARY, 'true');
    failover(THIRD);
    await sleep(world.promotionMs);
    const standby = `standby.${write()}`;

    const answer = await world.client.resolve(write());

    expect(answer.cnames).toEqual([
      { name: write(), target: standby, ttlSeconds: templateTtls(write(), REGIONS)[0] },
      {
        name: standby,
        target: target(THIRD, 'writeTarget'),
        ttlSeconds: templateTtls(standby, REGIONS)[0],
      },
    ]);
    expect(world.client.targetOf(answer.addresses[0].address)?.region).toBe(THIRD);
  });
});

describe('what the fake refuses, with the messages a client or the service would get', () => {
  test('GIVEN a CNAME loop in the zone THEN resolve fails with SERVFAIL', async () => {
    world.records.push({
      name: 'loop.example.com.',
      type: 'CNAME',
      ttl: 60,
      values: ['loop.example.com'],
    });

    await expect(world.client.resolve('loop.example.com')).rejects.toThrow(
      'SERVFAIL loop.example.com: CNAME chain longer than 8',
    );
  });

  test('GIVEN the client gives up before the service answers THEN send fails with the timeout', async () => {
    world.parameterGroupOf(PRIMARY).parameters.set('rds.global_db_rpo', '20');
    world.region(SECONDARY).rpoLagMs = 60_000;
    const answer = await world.client.resolve(write());

    await expect(
      world.client.send({
        method: 'PUT',
        hostname: write(),
        address: answer.addresses[0].address,
        path: '/items/a',
        signingRegion: PRIMARY,
        headers: { 'idempotency-key': 'k' },
        body: '{}',
        timeoutMs: 1_000,
      }),
    ).rejects.toThrow(`PUT https://${write()}/items/a timed out after 1000 ms`);
  });

  test('GIVEN an Authorization header scoped to another service or region THEN 403 as API Gateway answers it', async () => {
    const answer = await world.client.resolve(write());
    const send = (scope: string) =>
      world.client.send({
        method: 'GET',
        hostname: write(),
        address: answer.addresses[0].address,
        path: '/items/a',
        signingRegion: PRIMARY,
        headers: {
          authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250301/${scope}/aws4_request, SignedHeaders=host, Signature=0`,
        },
        timeoutMs: 1_000,
      });

    expect(body(await send(`${PRIMARY}/s3`))).toEqual({
      message: "Credential should be scoped to correct service: 'execute-api'. ",
    });
    expect(body(await send(`${SECONDARY}/execute-api`))).toEqual({
      message: 'Credential should be scoped to a valid region. ',
    });
    expect((await send(`${PRIMARY}/execute-api`)).status).toBe(404);
  });
});

describe('the SQL driver behind the service, as Aurora answers', () => {
  const driver = (region: string) =>
    new WorldSqlDriver(world, region, world.client.configIn(region));
  const config = () => world.client.configIn(SECONDARY);
  const to = (host: string, signingRegion?: string) => ({
    host,
    port: config().port,
    database: config().databaseName,
    user: config().user,
    ...(signingRegion ? { signingRegion } : {}),
  });

  test('GIVEN an IAM token for another region than the writer THEN the login fails', async () => {
    await expect(driver(SECONDARY).connect(to(config().writerHost, SECONDARY))).rejects.toThrow(
      `PAM authentication failed for user "${config().user}"`,
    );
  });

  test('GIVEN a host that is neither endpoint THEN it does not resolve', async () => {
    await expect(driver(SECONDARY).connect(to('db.example.com'))).rejects.toThrow(
      'getaddrinfo ENOTFOUND db.example.com',
    );
  });

  test('GIVEN a statement the items function does not send THEN the fake says so', async () => {
    const conn = await driver(SECONDARY).connect(to(config().readerHost));

    await expect(conn.query('SELECT 1')).rejects.toThrow(
      'fake: unexpected statement from the items function: SELECT 1',
    );
  });

  test('GIVEN the writer moved THEN the old writer connection is terminated', async () => {
    const conn = await driver(SECONDARY).connect(to(config().writerHost, PRIMARY));
    failover(SECONDARY);
    await sleep(world.promotionMs);

    await expect(conn.query('BEGIN')).rejects.toThrow('Connection terminated unexpectedly');
    expect(conn.isOpen()).toBe(false);
  });

  test('GIVEN a region with no items table THEN the fake names it', () => {
    expect(() => world.items.in('eu-west-1')).toThrow('fake: no items table in eu-west-1');
    expect(() => world.client.configIn('eu-west-1')).toThrow(
      'fake: no items function deployed in eu-west-1',
    );
  });
});
