import { FailoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import { clusterArn, GLOBAL_ID } from './fake-aws';
import {
  drillIds,
  firstCall,
  mutatingCalls,
  PRIMARY,
  readCanary,
  readRecordFile,
  SECONDARY,
  useFakeAws,
} from './harness';

const h = useFakeAws();

describe('drill failover (unplanned, AllowDataLoss)', () => {
  test('GIVEN no --allow-data-loss WHEN failing over THEN it refuses before any AWS call (exit 2)', async () => {
    const result = await h.run(['failover', '--to', SECONDARY, '--execute', '--yes']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error [USAGE]: failover promotes at once and loses writes not yet replicated; pass --allow-data-loss to confirm',
    );
    expect(h.world.calls).toEqual([]);
  });

  test('GIVEN writes not yet replicated WHEN failing over THEN it fences, fails over with AllowDataLoss, measures the lost rows and leaves the old region drained', async () => {
    h.world.dataReplicationDelayMs = 3_000;
    h.world.healthLagMs = 12_000; // the fence takes effect after 12 s: canary rows land meanwhile
    const result = await h.run(h.failover());

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(h.mocks.rds.commandCalls(FailoverGlobalClusterCommand)[0].args[0].input).toEqual({
      GlobalClusterIdentifier: GLOBAL_ID,
      TargetDbClusterIdentifier: clusterArn(SECONDARY),
      AllowDataLoss: true,
    });
    expect(mutatingCalls(h.world)).toEqual([
      `ssm:PutParameter ${PRIMARY}`,
      `rds:FailoverGlobalCluster ${SECONDARY}`,
    ]);
    expect(h.world.writer).toBe(SECONDARY);
    expect(h.world.region(PRIMARY).drain).toBe('true');

    const drillId = drillIds(h.stateDir)[0];
    const record = readRecordFile(h.stateDir, drillId);
    // Canary rows acknowledged in the last 3 s before the failover never reached us-west-2.
    const promotedAt = Date.parse(record.measures.promotedAt!);
    const acknowledged = readCanary(h.stateDir, drillId).filter(
      (s) => s.ok && s.region === PRIMARY,
    );
    const expectedLost = acknowledged.filter((s) => s.at > promotedAt - 3_000).map((s) => s.seq);
    // Promotion at 15 s (fence took effect at 12 s, seen at the 15 s poll): rows of 13 s and 14 s.
    expect(promotedAt - Date.parse(record.startedAt)).toBe(15_000);
    expect(expectedLost).toHaveLength(2);
    expect(record.measures.lostRows).toEqual(expectedLost);
    expect(h.world.rowsIn(SECONDARY, drillId)).not.toEqual(expect.arrayContaining(expectedLost));
    expect(record.measures.rpoLagMsAtPromotion).toBe(400);
    const leftDrained = record.steps.find((s) => s.id === 'return-old-writer');
    expect(leftDrained?.status).toBe('skipped');
    expect(leftDrained?.summary).toBe(
      'us-east-1 left drained after an unplanned failover; when it is a healthy secondary again, `npx drill failback` returns it to service and moves the writer back',
    );
    expect(result.stdout).toContain('data loss (canary): 2 acknowledged row(s) missing');
    expect(record.steps.find((s) => s.id === 'fence')?.durationMs).toBe(15_000);
  });

  test('GIVEN the old region is unreachable WHEN failing over with --force THEN fencing failure is recorded and the drill continues', async () => {
    h.world.down.add(PRIMARY);
    const refused = await h.run(h.failover());
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('error [PREFLIGHT_FAILED]');
    expect(h.mocks.rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);

    const result = await h.run([
      'failover',
      '--to',
      SECONDARY,
      '--allow-data-loss',
      '--execute',
      '--yes',
      ...h.fast,
      '--force',
      '--reason',
      'us-east-1 is down (regional outage exercise)',
    ]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
    const ids = drillIds(h.stateDir).sort();
    const record = readRecordFile(h.stateDir, ids[1]);
    expect(record.forceReason).toBe('us-east-1 is down (regional outage exercise)');
    const fence = record.steps.find((s) => s.id === 'fence');
    expect(fence?.status).toBe('skipped');
    expect(fence?.summary).toMatch(
      /^fencing us-east-1 failed \(.*TimeoutError.*\); continuing because --allow-data-loss$/,
    );
    expect(fence?.details?.fenceFailed).toContain('ETIMEDOUT');
    // The global cluster was read in the surviving region, and the promotion sent there.
    expect(h.world.callsOf('rds:FailoverGlobalCluster').map((c) => c.region)).toEqual([SECONDARY]);
    expect(
      firstCall(h.world, 'rds:DescribeGlobalClusters', (_i, region) => region === SECONDARY),
    ).toBeGreaterThanOrEqual(0);
  });
});
