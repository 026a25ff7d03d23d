// Aurora Global Database replication in the realistic model: one lag per secondary (data,
// RPO lag and replication lag metrics), lag spikes, managed RPO, switchover and failover, and
// the old primary rebuilt only when its region returns.
import { StatementTimeoutException } from '@aws-sdk/client-rds-data';
import { LAG_METRICS } from '../../constructs/contract';
import { MANAGED_RPO_PARAMETER } from '../../constructs/managed-rpo-policy';
import { deployedApp } from '../deployed-app';
import {
  PRIMARY,
  SECONDARY,
  THIRD,
  insertRow,
  instantWorld,
  lagDatapoints,
  pass,
  promote,
  realisticWorld,
} from './world-helpers';

const DRILL = 'drill-1';

describe('one replication lag per secondary: data, RPO lag and replication lag metrics', () => {
  test('GIVEN a 1 s lag THEN a row is on the secondary only once it is 1 s old', async () => {
    const world = realisticWorld({ replicationLagMs: 1_000 });
    insertRow(world, PRIMARY, DRILL, 1);
    expect(world.rowsIn(PRIMARY, DRILL)).toEqual([1]);

    await pass(world, 999);
    expect(world.rowsIn(SECONDARY, DRILL)).toEqual([]);
    await pass(world, 1);
    expect(world.rowsIn(SECONDARY, DRILL)).toEqual([1]);
  });

  test('GIVEN the assumed lag THEN both lag metrics report it in the secondary, none in the writer', () => {
    const world = realisticWorld({ replicationLagMs: 1_500 });
    expect(lagDatapoints(world, SECONDARY, LAG_METRICS.rpo)).toEqual([1_500]);
    expect(lagDatapoints(world, SECONDARY, LAG_METRICS.replication)).toEqual([1_500]);
    expect(lagDatapoints(world, PRIMARY, LAG_METRICS.rpo)).toEqual([]);
    expect(lagDatapoints(world, PRIMARY, LAG_METRICS.replication)).toEqual([]);
  });

  test('GIVEN a switchover THEN the lag metrics move with the writer', async () => {
    const world = realisticWorld({ replicationLagMs: 1_000, promotionMs: 60_000 });
    promote(world, 'switchover', SECONDARY);
    await pass(world, 60_000);
    world.advance();

    expect(world.writer).toBe(SECONDARY);
    expect(lagDatapoints(world, SECONDARY, LAG_METRICS.rpo)).toEqual([]);
    await pass(world, 5_000);
    expect(lagDatapoints(world, PRIMARY, LAG_METRICS.rpo)).toEqual([1_000]);
  });

  test('GIVEN three regions WHEN one secondary lags THEN the other keeps its own lag and data', async () => {
    const world = realisticWorld(
      { replicationLagMs: 1_000 },
      deployedApp([PRIMARY, SECONDARY, THIRD]),
    );
    world.lagSpike(THIRD, 20_000, world.clock.now() + 120_000);
    insertRow(world, PRIMARY, DRILL, 1);
    await pass(world, 10_000);

    expect(world.rowsIn(SECONDARY, DRILL)).toEqual([1]);
    expect(world.rowsIn(THIRD, DRILL)).toEqual([]);
    expect(lagDatapoints(world, SECONDARY, LAG_METRICS.rpo)).toEqual([1_000]);
    expect(lagDatapoints(world, THIRD, LAG_METRICS.rpo)).toEqual([11_000]);
  });
});

describe('a writer region that is down commits nothing more', () => {
  test('GIVEN the writer region down THEN the secondary keeps the RPO lag it had, and the rows it lacked stay missing', async () => {
    const world = realisticWorld({ replicationLagMs: 1_000 });
    insertRow(world, PRIMARY, DRILL, 1);
    await pass(world, 500);
    world.regionOutage(PRIMARY);

    await pass(world, 60_000);
    expect(world.replicationLagOf(SECONDARY)).toBe(1_000);
    expect(world.rowsIn(SECONDARY, DRILL)).toEqual([]);
  });
});

describe('lagSpike: replication stalls until the spike lag, keeps it, then catches up', () => {
  test('GIVEN a 60 s spike THEN the lag grows with time to 60 s, rows wait, and all arrive after it', async () => {
    const world = realisticWorld({ replicationLagMs: 1_000 });
    const start = world.clock.now();
    world.lagSpike(SECONDARY, 60_000, start + 120_000);
    insertRow(world, PRIMARY, DRILL, 1);

    await pass(world, 10_000);
    expect(lagDatapoints(world, SECONDARY, LAG_METRICS.rpo)).toEqual([11_000]);
    expect(world.rowsIn(SECONDARY, DRILL)).toEqual([]);
    insertRow(world, PRIMARY, DRILL, 2); // at 10 s

    await pass(world, 55_000);
    expect(lagDatapoints(world, SECONDARY, LAG_METRICS.replication)).toEqual([60_000]);
    // At 65 s the secondary holds what the writer had at 5 s: row 1, not row 2.
    expect(world.rowsIn(SECONDARY, DRILL)).toEqual([1]);

    await pass(world, 65_000); // the spike ended at 120 s
    expect(lagDatapoints(world, SECONDARY, LAG_METRICS.rpo)).toEqual([1_000]);
    expect(world.rowsIn(SECONDARY, DRILL).sort()).toEqual([1, 2]);
  });
});

describe('managed RPO blocks commits on the writer when no secondary has an RPO lag under it', () => {
  const blockedMessage = `fake: commit blocked by managed RPO (${MANAGED_RPO_PARAMETER}=30): no secondary has an RPO lag under it`;

  test('GIVEN the synthesized RPO of the primary group THEN it is 30 s and commits pass at the steady lag', () => {
    const world = realisticWorld();
    expect(world.managedRpoOf(PRIMARY)).toBe(30);
    expect(world.commitsBlocked(PRIMARY)).toBe(false);
    expect(() => insertRow(world, PRIMARY, DRILL, 1)).not.toThrow();
  });

  test('GIVEN a lag spike above the RPO THEN commits block once the RPO lag reaches 30 s and resume after the spike', async () => {
    const world = realisticWorld({ replicationLagMs: 1_000 });
    const start = world.clock.now();
    world.lagSpike(SECONDARY, 90_000, start + 120_000);

    await pass(world, 28_999); // RPO lag 29 999 ms
    expect(world.commitsBlocked(PRIMARY)).toBe(false);
    await pass(world, 1); // 30 000 ms: not under the RPO
    expect(world.commitsBlocked(PRIMARY)).toBe(true);
    expect(() => insertRow(world, PRIMARY, DRILL, 1)).toThrow(StatementTimeoutException);
    expect(() => insertRow(world, PRIMARY, DRILL, 1)).toThrow(blockedMessage);

    await pass(world, 91_000);
    expect(world.commitsBlocked(PRIMARY)).toBe(false);
  });

  test('GIVEN a failover while the old writer region is down THEN the new writer commits (its group sets no RPO)', async () => {
    const world = realisticWorld({ promotionMs: 60_000 });
    world.regionOutage(PRIMARY);
    promote(world, 'failover', SECONDARY);
    await pass(world, 60_000);
    world.advance();

    expect(world.writer).toBe(SECONDARY);
    expect(world.managedRpoOf(SECONDARY)).toBeNull();
    expect(world.commitsBlocked(SECONDARY)).toBe(false);
  });

  test('GIVEN managed RPO set on the only secondary WHEN it takes over while the old region is down THEN every commit blocks until that region returns', async () => {
    const world = realisticWorld({ promotionMs: 60_000 });
    world.modifyClusterParameters(SECONDARY, {
      DBClusterParameterGroupName: world.region(SECONDARY).parameterGroup,
      Parameters: [
        { ParameterName: MANAGED_RPO_PARAMETER, ParameterValue: '30', ApplyMethod: 'immediate' },
      ],
    });
    world.regionOutage(PRIMARY);
    promote(world, 'failover', SECONDARY);
    await pass(world, 60_000);
    world.advance();

    expect(world.commitsBlocked(SECONDARY)).toBe(true);
    expect(() => insertRow(world, SECONDARY, DRILL, 1)).toThrow(blockedMessage);

    world.regionReturns(PRIMARY);
    expect(world.commitsBlocked(SECONDARY)).toBe(false);
  });
});

describe('switchover waits for every secondary and loses nothing', () => {
  test('GIVEN a target lagging 90 s THEN the switchover completes only once it holds every commit, and keeps them all', async () => {
    const world = realisticWorld({
      replicationLagMs: 1_000,
      promotionMs: 60_000,
      pendingMs: 5_000,
    });
    const start = world.clock.now();
    world.lagSpike(SECONDARY, 90_000, start + 300_000);
    insertRow(world, PRIMARY, DRILL, 1);
    promote(world, 'switchover', SECONDARY);
    await pass(world, 4_000);
    insertRow(world, PRIMARY, DRILL, 2); // pending: writes continue

    // Writes stopped at 5 s; the target holds them at 5 s + 90 s.
    await pass(world, 94_999 - 4_000);
    world.advance();
    expect(world.writer).toBe(PRIMARY);
    expect(world.globalCluster().Status).toBe('switching-over');

    await pass(world, 2);
    world.advance();
    expect(world.writer).toBe(SECONDARY);
    expect(world.rowsIn(SECONDARY, DRILL).sort()).toEqual([1, 2]);
    expect(world.rowsIn(PRIMARY, DRILL).sort()).toEqual([1, 2]);
  });

  test('GIVEN the steady lag THEN the switchover completes at the assumed promotion time', async () => {
    const world = realisticWorld({ replicationLagMs: 1_000, promotionMs: 60_000 });
    promote(world, 'switchover', SECONDARY);
    await pass(world, 59_999);
    world.advance();
    expect(world.writer).toBe(PRIMARY);
    await pass(world, 1);
    world.advance();
    expect(world.writer).toBe(SECONDARY);
  });
});

describe('failover (AllowDataLoss) promotes at once and loses what had not replicated', () => {
  test('GIVEN a row younger than the lag WHEN failing over THEN the new writer lacks it and keeps older ones', async () => {
    const world = realisticWorld({ replicationLagMs: 1_000, promotionMs: 60_000 });
    insertRow(world, PRIMARY, DRILL, 1);
    await pass(world, 2_000);
    insertRow(world, PRIMARY, DRILL, 2);
    await pass(world, 500);
    promote(world, 'failover', SECONDARY);
    await pass(world, 60_000);
    world.advance();

    expect(world.writer).toBe(SECONDARY);
    expect(world.rowsIn(SECONDARY, DRILL)).toEqual([1]);
    // The old primary was up: rebuilt as a secondary of the new writer, the lost row gone.
    expect(world.rowsIn(PRIMARY, DRILL)).toEqual([1]);
  });

  test('GIVEN a failover THEN writes stop at once on the old writer', () => {
    const world = realisticWorld({ promotionMs: 60_000 });
    promote(world, 'failover', SECONDARY);
    expect(world.acceptsWrites(PRIMARY)).toBe(false);
    expect(world.acceptsWrites(SECONDARY)).toBe(false);
  });
});

describe('after a failover the old primary is rebuilt as a secondary only when its region returns', () => {
  async function failoverWithPrimaryDown() {
    const world = realisticWorld({ replicationLagMs: 1_000, promotionMs: 60_000 });
    insertRow(world, PRIMARY, DRILL, 1);
    await pass(world, 2_000);
    insertRow(world, PRIMARY, DRILL, 2); // not replicated when the region goes
    world.regionOutage(PRIMARY);
    promote(world, 'failover', SECONDARY);
    await pass(world, 60_000);
    world.advance();
    return world;
  }

  test('GIVEN the old region still down THEN DescribeGlobalClusters shows it as a non-writer member pending resync, and it keeps its old data', async () => {
    const world = await failoverWithPrimaryDown();
    expect(world.globalCluster().GlobalClusterMembers).toEqual([
      expect.objectContaining({
        DBClusterArn: world.clusterArn(PRIMARY),
        IsWriter: false,
        SynchronizationStatus: 'pending-resync',
      }),
      expect.objectContaining({
        DBClusterArn: world.clusterArn(SECONDARY),
        IsWriter: true,
        SynchronizationStatus: 'connected',
      }),
    ]);
    expect(world.rowsIn(PRIMARY, DRILL).sort()).toEqual([1, 2]);
    expect(world.replicationLagOf(PRIMARY)).toBeNull();

    insertRow(world, SECONDARY, DRILL, 3);
    await pass(world, 120_000);
    expect(world.rowsIn(PRIMARY, DRILL).sort()).toEqual([1, 2]);
  });

  test('GIVEN the region returns THEN the old primary is a connected secondary with the writer data and lag metrics', async () => {
    const world = await failoverWithPrimaryDown();
    insertRow(world, SECONDARY, DRILL, 3);
    await pass(world, 5_000);
    world.regionReturns(PRIMARY);

    expect(world.globalCluster().GlobalClusterMembers?.[0]).toMatchObject({
      IsWriter: false,
      SynchronizationStatus: 'connected',
    });
    expect(world.rowsIn(PRIMARY, DRILL).sort()).toEqual([1, 3]);
    insertRow(world, SECONDARY, DRILL, 4);
    await pass(world, 1_000);
    expect(world.rowsIn(PRIMARY, DRILL).sort()).toEqual([1, 3, 4]);
    expect(lagDatapoints(world, PRIMARY, LAG_METRICS.rpo)).toEqual([1_000]);
  });

  test('GIVEN the instant model THEN the old primary is left behind the same way until it returns', async () => {
    const world = instantWorld();
    world.promotionMs = 40_000;
    world.regionOutage(PRIMARY);
    promote(world, 'failover', SECONDARY);
    await pass(world, 40_000);
    world.advance();
    expect(world.pendingRebuild.has(PRIMARY)).toBe(true);
    world.regionReturns(PRIMARY);
    expect(world.pendingRebuild.has(PRIMARY)).toBe(false);
  });
});
