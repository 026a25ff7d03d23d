// The real drill (CLI, executor, steps, SDK adapters) against the realistic model of the
// synthesized app: a switchover, and a failover once Route 53's checkers see the writer region
// down, both complete.
import { DEFAULT_ASSUMPTIONS } from '../../runbooks/simulation/scenario';
import { PRIMARY, SECONDARY, useFakeAws } from '../runbooks/harness';

const h = useFakeAws();
afterEach(() => h.world.stop());

describe('the drill completes on the realistic model', () => {
  test('GIVEN the default assumptions WHEN switching over THEN the drill succeeds and the writer moved', async () => {
    h.world.assume(DEFAULT_ASSUMPTIONS);
    const result = await h.run(h.switchover());

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
  });

  test('GIVEN the writer region down for a minute WHEN failing over THEN the drill succeeds and the old primary waits for its region', async () => {
    h.world.assume(DEFAULT_ASSUMPTIONS);
    h.world.regionOutage(PRIMARY);
    await h.world.clock.sleep(60_000); // Route 53's checkers see the outage
    const result = await h.run(h.failover());

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
    expect(h.world.globalCluster().GlobalClusterMembers?.[0]).toMatchObject({
      DBClusterArn: h.world.clusterArn(PRIMARY),
      SynchronizationStatus: 'pending-resync',
    });
  });
});
