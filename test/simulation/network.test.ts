// What the regional items service reaches in the realistic model: the global writer endpoint
// following a move only after its DNS delay, partitions between regions, and a throttling
// storm on the RDS API.
import {
  CLAIM_KEY_SQL,
  UPSERT_ITEM_SQL,
  WRITER_REGION_SQL,
} from '../../constructs/handlers/items-service';
import { LAG_METRICS } from '../../constructs/contract';
import { SIMULATED_OPERATIONS, serveFromWorld } from '../../runbooks/simulation/sdk';
import { WorldSqlDriver } from '../../runbooks/simulation/client-network';
import type { SimulatedWorld } from '../../runbooks/simulation/world';
import {
  PRIMARY,
  SECONDARY,
  insertRow,
  lagDatapoints,
  pass,
  promote,
  realisticWorld,
} from './world-helpers';

const DRILL = 'drill-1';

/** A connection of `region`'s items function to the global writer endpoint. */
function connectWriter(world: SimulatedWorld, region: string, signingRegion: string) {
  const config = world.client.configIn(region);
  return new WorldSqlDriver(world, region, config).connect({
    host: config.writerHost,
    port: config.port,
    database: config.databaseName,
    user: config.user,
    signingRegion,
  });
}

/** One item written through a connection, as the items service writes it. */
async function writeItem(conn: Awaited<ReturnType<typeof connectWriter>>, id: string) {
  await conn.query('BEGIN');
  await conn.query(CLAIM_KEY_SQL, [`key-${id}`, id, 'sha']);
  await conn.query(UPSERT_ITEM_SQL, [`key-${id}`, id, '{"v":1}', 'test']);
  await conn.query('COMMIT');
}

describe('the global writer endpoint follows a move only after its DNS delay', () => {
  async function afterSwitchover() {
    const world = realisticWorld({
      promotionMs: 60_000,
      writerEndpointDnsDelayMs: 5_000,
      replicationLagMs: 1_000,
    });
    promote(world, 'switchover', SECONDARY);
    await pass(world, 60_000);
    world.advance();
    expect(world.writer).toBe(SECONDARY);
    return world;
  }

  test('GIVEN the delay has not passed THEN a connection to the writer host reaches the old writer, which refuses writes', async () => {
    const world = await afterSwitchover();
    await pass(world, 4_999);
    expect(world.writerEndpointRegion()).toBe(PRIMARY);

    const conn = await connectWriter(world, SECONDARY, PRIMARY);
    expect((await conn.query(WRITER_REGION_SQL)).rows).toEqual([{ aws_region: SECONDARY }]);
    await conn.query('BEGIN');
    await expect(conn.query(CLAIM_KEY_SQL, ['k', 'item-1', 'sha'])).rejects.toThrow(
      'cannot execute INSERT in a read-only transaction',
    );
    // A token signed for the new writer's region is refused by the old writer.
    await expect(connectWriter(world, SECONDARY, SECONDARY)).rejects.toThrow(
      `PAM authentication failed for user "${world.client.configIn(SECONDARY).user}"`,
    );
  });

  test('GIVEN the delay has passed THEN the writer host reaches the new writer and commits land there', async () => {
    const world = await afterSwitchover();
    await pass(world, 5_000);
    expect(world.writerEndpointRegion()).toBe(SECONDARY);

    await writeItem(await connectWriter(world, PRIMARY, SECONDARY), 'item-1');
    expect(world.items.in(SECONDARY).items.has('item-1')).toBe(true);
    expect(world.items.in(PRIMARY).items.has('item-1')).toBe(false);
    await pass(world, 1_000);
    world.advance();
    expect(world.items.in(PRIMARY).items.has('item-1')).toBe(true);
  });

  test('GIVEN a connection to the writer before the move THEN Aurora ends it when the move completes', async () => {
    const world = realisticWorld({ promotionMs: 60_000, writerEndpointDnsDelayMs: 5_000 });
    const conn = await connectWriter(world, PRIMARY, PRIMARY);
    promote(world, 'switchover', SECONDARY);
    await pass(world, 60_000);

    await expect(conn.query(WRITER_REGION_SQL)).rejects.toThrow(
      'Connection terminated unexpectedly',
    );
  });
});

describe('partition(a, b): replication and the service cross no more; health checkers still see both', () => {
  test('GIVEN a cut between the writer and the secondary THEN its RPO lag grows with time and rows stop arriving', async () => {
    const world = realisticWorld({ replicationLagMs: 1_000 });
    world.partition(PRIMARY, SECONDARY);
    insertRow(world, PRIMARY, DRILL, 1);

    await pass(world, 20_000);
    expect(lagDatapoints(world, SECONDARY, LAG_METRICS.rpo)).toEqual([21_000]);
    expect(world.rowsIn(SECONDARY, DRILL)).toEqual([]);

    world.partition(PRIMARY, SECONDARY, false);
    expect(lagDatapoints(world, SECONDARY, LAG_METRICS.rpo)).toEqual([1_000]);
    expect(world.rowsIn(SECONDARY, DRILL)).toEqual([1]);
  });

  test('GIVEN a cut THEN the secondary region items service times out connecting to the writer, after its connect timeout', async () => {
    const world = realisticWorld();
    world.partition(SECONDARY, PRIMARY);
    const before = world.clock.now();

    await expect(connectWriter(world, SECONDARY, PRIMARY)).rejects.toThrow(
      'Connection terminated due to connection timeout',
    );
    const config = world.client.configIn(SECONDARY);
    expect(world.clock.now() - before).toBe(Math.min(config.commitTimeoutMs, config.readTimeoutMs));
    // The writer's own region still reaches it.
    await writeItem(await connectWriter(world, PRIMARY, PRIMARY), 'item-1');
    expect(world.items.in(PRIMARY).items.has('item-1')).toBe(true);
  });

  test('GIVEN a cut for a minute THEN both serving checks stay healthy (the checkers probe from the internet)', async () => {
    const world = realisticWorld();
    world.partition(PRIMARY, SECONDARY);
    await pass(world, 60_000);
    expect(world.checkHealthy(world.checkId(PRIMARY, 'serving'))).toBe(true);
    expect(world.checkHealthy(world.checkId(SECONDARY, 'serving'))).toBe(true);
  });

  test('GIVEN a cut healed THEN the secondary reaches the writer again', async () => {
    const world = realisticWorld();
    world.partition(PRIMARY, SECONDARY);
    world.partition(PRIMARY, SECONDARY, false);
    await writeItem(await connectWriter(world, SECONDARY, PRIMARY), 'item-1');
    expect(world.items.in(PRIMARY).items.has('item-1')).toBe(true);
  });
});

describe('throttle: a share of RDS API calls fails with Throttling until the storm ends', () => {
  const describeGlobal = SIMULATED_OPERATIONS.find(
    (o) => o.operation === 'rds:DescribeGlobalClusters',
  )!;
  const healthStatus = SIMULATED_OPERATIONS.find(
    (o) => o.operation === 'route53:GetHealthCheckStatus',
  )!;

  async function outcomes(world: SimulatedWorld, region: string, calls: number) {
    const results: string[] = [];
    for (let i = 0; i < calls; i++) {
      try {
        await serveFromWorld(
          world,
          describeGlobal,
          { config: { region } },
          {
            GlobalClusterIdentifier: world.globalId,
          },
        );
        results.push('ok');
      } catch (err) {
        results.push(`${(err as Error).name}: ${(err as Error).message}`);
      }
    }
    return results;
  }

  test('GIVEN share 0.5 in every region THEN every second RDS call is throttled, Route 53 is not, and calls pass after the storm', async () => {
    const world = realisticWorld();
    world.throttle('all', 0.5, world.clock.now() + 60_000);

    expect(await outcomes(world, PRIMARY, 4)).toEqual([
      'ok',
      'Throttling: Rate exceeded',
      'ok',
      'Throttling: Rate exceeded',
    ]);
    expect(await outcomes(world, SECONDARY, 2)).toEqual(['ok', 'Throttling: Rate exceeded']);
    await expect(
      serveFromWorld(
        world,
        healthStatus,
        { config: { region: PRIMARY } },
        {
          HealthCheckId: world.checkId(PRIMARY, 'serving'),
        },
      ),
    ).resolves.toHaveProperty('HealthCheckObservations');

    await pass(world, 60_000);
    expect(await outcomes(world, PRIMARY, 2)).toEqual(['ok', 'ok']);
  });

  test('GIVEN share 1 in one region THEN every RDS call there fails as after the SDK retries, and the other region answers', async () => {
    const world = realisticWorld();
    world.throttle(PRIMARY, 1, world.clock.now() + 60_000);
    await expect(
      serveFromWorld(
        world,
        describeGlobal,
        { config: { region: PRIMARY } },
        {
          GlobalClusterIdentifier: world.globalId,
        },
      ),
    ).rejects.toMatchObject({ name: 'Throttling', $metadata: { attempts: 5 } });
    expect(await outcomes(world, SECONDARY, 2)).toEqual(['ok', 'ok']);
  });

  test.each([0, 1.5])('GIVEN share %p THEN throttle says what it takes', (share) => {
    const world = realisticWorld();
    expect(() => world.throttle('all', share, world.clock.now() + 1_000)).toThrow(
      `throttle share must be in (0, 1], got: ${share}`,
    );
  });
});
