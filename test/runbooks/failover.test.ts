import { FailoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import { faults } from './fake-aws';
import {
  drillIds,
  firstCall,
  mutatingCalls,
  PRIMARY,
  readCanary,
  readJournal,
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
      GlobalClusterIdentifier: h.world.globalId,
      TargetDbClusterIdentifier: h.world.clusterArn(SECONDARY),
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
    expect(result.stdout).toContain(
      'database-level data loss (canary): 2 acknowledged row(s) missing',
    );
    expect(record.steps.find((s) => s.id === 'fence')?.durationMs).toBe(15_000);
  });

  test('GIVEN the old region is unreachable WHEN failing over THEN preflight waives only the failed region, fencing failure is recorded and the drill continues', async () => {
    h.world.down.add(PRIMARY);

    const result = await h.run(h.failover());

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
    const [id] = drillIds(h.stateDir);
    const record = readRecordFile(h.stateDir, id);
    expect(record.forceReason).toBeUndefined();
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

/** The drain switch the fence sets (not the drill lock, also an SSM parameter). */
const FENCE = '/multi-region-ref/drain';

describe('the promotion gate (lag read again right before the call)', () => {
  test('GIVEN the RPO lag grows over the RPO after the fence WHEN failing over THEN promote refuses, nothing is promoted, and it says why', async () => {
    h.world.afterServed('ssm:PutParameter', (w) => (w.region(SECONDARY).rpoLagMs = 45_000), {
      name: FENCE,
    });

    const result = await h.run(h.failover());

    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      'stopped at step promote: promotion refused: RPO lag of multi-region-ref-global-us-west-2 is 45000 ms, not under the RPO (30 s)',
    );
    expect(result.stderr).toContain(
      'next: Nothing was promoted. Wait until the lag is under the RPO (`npx drill status`), then `npx drill resume --drill-id failover-20250301T100000Z-us-west-2 --execute`; to promote anyway and accept the loss, resume with --force --reason "<why>"',
    );
    expect(h.mocks.rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
    expect(h.world.writer).toBe(PRIMARY);
  });

  test('GIVEN no RPO lag datapoint at promotion THEN promote refuses: unknown lag is not under the RPO', async () => {
    h.world.afterServed('ssm:PutParameter', (w) => (w.region(SECONDARY).rpoLagMs = null), {
      name: FENCE,
    });

    const result = await h.run(h.failover());

    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      'promotion refused: AuroraGlobalDBRPOLag of multi-region-ref-global-us-west-2 was not reported in the last 5 minutes',
    );
    expect(h.world.callsOf('rds:FailoverGlobalCluster')).toEqual([]);
  });

  test('GIVEN lag over the RPO and a drill forced with a reason THEN it promotes and journals the waived lag', async () => {
    h.world.afterServed('ssm:PutParameter', (w) => (w.region(SECONDARY).rpoLagMs = 45_000), {
      name: FENCE,
    });

    const result = await h.run(h.failover('--force', '--reason', 'region lost; accept the loss'));

    expect(result.code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
    expect(result.stdout).toContain(
      'RPO lag of multi-region-ref-global-us-west-2 is 45000 ms, not under the RPO (30 s); promoting anyway (--force): region lost; accept the loss',
    );
    const journal = readJournal(h.stateDir, drillIds(h.stateDir)[0]);
    expect(journal).toContainEqual(
      expect.objectContaining({
        step: 'promote',
        event: 'note',
        details: {
          lagWaived:
            'RPO lag of multi-region-ref-global-us-west-2 is 45000 ms, not under the RPO (30 s)',
          forceReason: 'region lost; accept the loss',
        },
      }),
    );
  });

  test('GIVEN lag over the RPO in a switchover THEN promote refuses too (a long sync blocks writes)', async () => {
    h.world.afterServed('ssm:PutParameter', (w) => (w.region(SECONDARY).rpoLagMs = 30_000), {
      name: FENCE,
    });

    const result = await h.run(h.switchover());

    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      'promotion refused: RPO lag of multi-region-ref-global-us-west-2 is 30000 ms, not under the RPO (30 s)',
    );
    expect(h.world.callsOf('rds:SwitchoverGlobalCluster')).toEqual([]);
  });
});

describe('the promotion gate: a lag that cannot be read, and a lag that is fine', () => {
  test('GIVEN GetMetricData failing at promotion THEN promote refuses: an unread lag is not under the RPO', async () => {
    // Armed once the fence is set, so preflight reads the lag and promote cannot.
    h.world.afterServed(
      'ssm:PutParameter',
      (w) => w.fail('cloudwatch:GetMetricData', faults.serverError()),
      { name: FENCE },
    );

    const result = await h.run(h.failover());

    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      'promotion refused: the RPO lag of multi-region-ref-global-us-west-2 could not be read: cloudwatch GetMetricData in us-west-2 AWS server error',
    );
    expect(h.world.callsOf('rds:FailoverGlobalCluster')).toEqual([]);
  });

  test('GIVEN the lag under the RPO THEN it promotes without waiving anything and journals the lag it read', async () => {
    const result = await h.run(h.failover());

    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('promoting anyway');
    const notes = readJournal(h.stateDir, drillIds(h.stateDir)[0]).filter(
      (e) => e.type === 'step' && e.step === 'promote' && e.event === 'note',
    );
    expect(notes).toEqual([
      expect.objectContaining({
        details: { promotedAt: expect.any(Number), rpoLagMsAtPromotion: 400 },
      }),
    ]);
    expect(h.world.callsOf('rds:SwitchoverGlobalCluster')).toEqual([]);
    expect(h.world.callsOf('rds:FailoverGlobalCluster')).toHaveLength(1);
  });
});

describe('fencing a failed region', () => {
  test("GIVEN the old writer's check never turns unhealthy WHEN failing over THEN the fence waits 60 s, not the step timeout, and goes on", async () => {
    // Route 53 keeps seeing the old writer healthy until the promotion (a half-dead region).
    h.world.forcedHealthy.add(h.world.checkId(PRIMARY, 'writer'));
    h.world.afterServed('rds:FailoverGlobalCluster', (w) => w.forcedHealthy.clear());

    const result = await h.run(h.failover('--step-timeout', '10m'));

    expect(result.code).toBe(0);
    const record = readRecordFile(h.stateDir, drillIds(h.stateDir)[0]);
    const fence = record.steps.find((s) => s.id === 'fence');
    expect(fence?.durationMs).toBe(60_000);
    expect(fence?.summary).toMatch(
      /^us-east-1 drained, but its writer check did not turn \(.*timed out after 1m 00s.*\); continuing because --allow-data-loss$/,
    );
  });

  test('GIVEN --timeout fence= THEN a failover waits as long as told', async () => {
    // Route 53 keeps seeing the old writer healthy until the promotion (a half-dead region).
    h.world.forcedHealthy.add(h.world.checkId(PRIMARY, 'writer'));
    h.world.afterServed('rds:FailoverGlobalCluster', (w) => w.forcedHealthy.clear());

    const result = await h.run(h.failover('--timeout', 'fence=2m'));

    expect(result.code).toBe(0);
    const record = readRecordFile(h.stateDir, drillIds(h.stateDir)[0]);
    expect(record.steps.find((s) => s.id === 'fence')?.durationMs).toBe(120_000);
  });

  test('GIVEN a switchover whose fence does not take THEN the state text says DNS still answers the old region', async () => {
    h.world.forcedHealthy.add(h.world.checkId(PRIMARY, 'writer'));

    const result = await h.run(h.switchover('--timeout', 'fence=30s'));

    expect(result.code).toBe(7);
    expect(result.stderr).toContain(
      'next: State: The writer has not moved. us-east-1 may be drained: its service refuses traffic, but write.example.com still answers us-east-1 (Route 53 answers the PRIMARY while every writer check is unhealthy).',
    );
    expect(result.stderr).not.toContain('safe: no writes land there');
  });
});
