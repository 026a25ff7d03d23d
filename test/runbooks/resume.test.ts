import * as os from 'node:os';
import { SwitchoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import * as path from 'node:path';
import { faults, VirtualClock } from './fake-aws';
import {
  drillIds,
  mutatingCalls,
  PRIMARY,
  readJournal,
  readRecordFile,
  SECONDARY,
  useFakeAws,
} from './harness';

const h = useFakeAws();
/** The harness runs the CLI on this machine. */
const HOST = os.hostname();
const switchover = h.switchover;
/** The operator's new process: another pid; the killed one (4242) is gone. */
const newProcess = { pid: 5000, isProcessAlive: (pid: number) => pid === 5000 };

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('drill resume', () => {
  test('GIVEN the process died right after sending SwitchoverGlobalCluster WHEN resumed THEN it re-checks, skips what is done and finishes without a second switchover', async () => {
    h.world.killWhen('rds:SwitchoverGlobalCluster');
    void h.run(switchover()); // never settles: the process "dies" inside the promote step
    await until(() => h.world.callsOf('rds:SwitchoverGlobalCluster').length === 1);
    const killedAt = h.world.clock.now();
    (h.world.clock as VirtualClock).stop();
    h.world.clock = new VirtualClock(killedAt + 10_000); // the operator resumes 10 s later
    const [drillId] = drillIds(h.stateDir);
    expect(readJournal(h.stateDir, drillId).at(-1)).toMatchObject({
      type: 'step',
      step: 'promote',
      event: 'note',
    });

    const result = await h.run(['resume', '--execute', '--yes', ...h.fast], newProcess);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('3/12 fence: already completed');
    expect(result.stdout).toContain(
      '4/12 promote: skipped in 0ms: already switching-over to us-west-2',
    );
    expect(h.world.writer).toBe(SECONDARY);
    expect(h.mocks.rds.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(1);
    expect(mutatingCalls(h.world)).toEqual([
      `ssm:PutParameter ${PRIMARY}`,
      `rds:SwitchoverGlobalCluster ${SECONDARY}`,
      `ssm:PutParameter ${PRIMARY}`,
    ]);
    const record = readRecordFile(h.stateDir, drillId);
    expect(record.outcome).toBe('succeeded');
    expect(record.resumedAt).toEqual([new Date(killedAt + 10_000).toISOString()]);
    const promote = record.steps.find((s) => s.id === 'promote')!;
    expect(promote).toMatchObject({ status: 'skipped', attempts: 2 });
    // What the first process noted before it died survives: the RPO lag at the promotion.
    expect(record.measures.rpoLagMsAtPromotion).toBe(400);
    expect(record.measures.lostRows).toEqual([]);
  });

  test('GIVEN a drill stopped by a STEP_TIMEOUT WHEN Aurora completes later and it is resumed THEN it finishes', async () => {
    h.world.promotionStuck = true;
    expect((await h.run(switchover('--timeout', 'wait-writer=1m'))).code).toBe(7);

    h.world.promotionStuck = false;
    const result = await h.run(['resume', '--execute', '--yes', ...h.fast]);

    expect(result.code).toBe(0);
    const record = readRecordFile(h.stateDir, drillIds(h.stateDir)[0]);
    expect(record.steps.find((s) => s.id === 'wait-writer')).toMatchObject({
      status: 'completed',
      attempts: 2,
    });
    expect(mutatingCalls(h.world)).toEqual([
      `ssm:PutParameter ${PRIMARY}`,
      `rds:SwitchoverGlobalCluster ${SECONDARY}`,
      `ssm:PutParameter ${PRIMARY}`,
    ]);
  });

  test('GIVEN an interrupted drill WHEN resume runs without --execute THEN it lists the remaining steps and changes nothing', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', new Error('boom'));
    await h.run(switchover());
    const before = mutatingCalls(h.world);

    const result = await h.run(['resume']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('DRY RUN: resume of switchover-20250301T100000Z-us-west-2');
    expect(result.stdout).toMatch(/remaining steps[^\n]*\n1\. promote:/);
    expect(result.stdout).not.toContain('. fence:');
    expect(mutatingCalls(h.world)).toEqual(before);
  });

  test('GIVEN a drill stopped by preflight WHEN resumed with --force --reason THEN the reason is journaled with the resume and waives the failed checks', async () => {
    h.world.region(SECONDARY).rpoLagMs = 45_000;
    expect((await h.run(switchover())).code).toBe(4);
    h.world.region(SECONDARY).rpoLagMs = 400;
    h.world.alarms.push({
      region: PRIMARY,
      AlarmName: 'MultiRegion-Routing-unrelated',
      StateValue: 'ALARM',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
    });

    const result = await h.run([
      'resume',
      '--execute',
      '--yes',
      ...h.fast,
      '--force',
      '--reason',
      'alarm is a known false positive',
    ]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const journal = readJournal(h.stateDir, drillIds(h.stateDir)[0]);
    expect(journal.find((e) => e.type === 'resumed')).toMatchObject({
      forceReason: 'alarm is a known false positive',
      operator: { arn: 'arn:aws:sts::123456789012:assumed-role/DrillOperator/alice' },
      host: HOST,
    });
    expect(result.stdout).toContain(
      '1/12 preflight: completed in 0ms: 1 of 15 checks failed; started anyway (--force): alarm is a known false positive',
    );
  });

  test('GIVEN an interrupted failover WHEN resumed while the RPO lag exceeds the RPO THEN it does not promote and says why (exit 4); --force --reason promotes', async () => {
    h.world.fail('rds:FailoverGlobalCluster', faults.serverError());
    // Shorter than the first pause before a second run: the drill stops at promote.
    expect((await h.run(h.failover('--timeout', 'promote=4s'))).code).toBe(9);
    h.world.region(SECONDARY).rpoLagMs = 45_000;

    const refused = await h.run(['resume', '--execute', '--yes']);

    expect(refused.code).toBe(4);
    expect(refused.stderr).toBe(
      'error [PREFLIGHT_FAILED]: resume of failover-20250301T100000Z-us-west-2 refused: 1 of 8 resume checks failed:\n' +
        '  - lag-under-rpo: RPO lag of every secondary is under the RPO (30 s): us-west-2: RPO lag 45000 ms >= 30000 ms\n' +
        '  next: Nothing was changed. Fix what the failed checks name and rerun; to resume anyway, add `--force --reason "<why>"` (the reason is recorded in the journal)\n',
    );
    expect(h.world.callsOf('rds:FailoverGlobalCluster')).toHaveLength(1);
    expect(h.world.writer).toBe(PRIMARY);

    const dry = await h.run(['resume']);
    expect(dry.code).toBe(4);
    expect(dry.stdout).toMatch(
      /resume gate \(read-only calls\):\n[^]*│ lag-under-rpo +│ FAIL +│ us-west-2: RPO lag 45000 ms >= 30000 ms/,
    );

    const forced = await h.run([
      'resume',
      '--execute',
      '--yes',
      '--force',
      '--reason',
      'region lost, taking the loss',
    ]);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
    const resumed = readJournal(h.stateDir, 'failover-20250301T100000Z-us-west-2').filter(
      (e) => e.type === 'resumed',
    );
    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toMatchObject({
      forceReason: 'region lost, taking the loss',
      gate: expect.arrayContaining([expect.objectContaining({ id: 'lag-under-rpo', ok: false })]),
    });
  });

  test('GIVEN a half-done failover and a later drill that failed preflight WHEN resume runs without an id THEN it picks the failover', async () => {
    h.world.fail('rds:FailoverGlobalCluster', faults.serverError());
    // Shorter than the first pause before a second run: the drill stops at promote.
    expect((await h.run(h.failover('--timeout', 'promote=4s'))).code).toBe(9);
    const failover = drillIds(h.stateDir)[0];
    // Someone deleted the lock parameters by hand; the next drill fails preflight (us-east-1 is drained).
    h.world.parameters.clear();
    expect((await h.run(switchover())).code).toBe(4);
    expect(drillIds(h.stateDir)).toHaveLength(2);

    const dry = await h.run(['resume']);
    expect(dry.stdout).toContain(
      `DRY RUN: resume of ${failover} (failover us-east-1 -> us-west-2); nothing will be changed.\n` +
        'where it is: stopped at step promote [AWS_ERROR] at 2025-03-01T10:00:00.000Z: rds FailoverGlobalCluster in us-west-2 AWS server error (after 5 attempts): ' +
        'InternalFailure: We encountered an internal error. Please try again.; changed: fence, promote\n',
    );

    const result = await h.run(['resume', '--execute', '--yes']);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `drill ${failover}: resuming failover us-east-1 -> us-west-2 (journal: ${path.join(h.stateDir, failover)})`,
    );
    expect(h.world.writer).toBe(SECONDARY);
  });

  test('GIVEN a drill started with its own timing WHEN resumed without timing options THEN it keeps the journaled timing; options typed on the command line win', async () => {
    h.world.promotionStuck = true;
    const started = await h.run([
      'switchover',
      '--to',
      SECONDARY,
      '--execute',
      '--yes',
      '--poll-interval',
      '7s',
      '--step-timeout',
      '3m',
      '--timeout',
      'wait-writer=1m',
      '--canary-interval',
      '2s',
    ]);
    expect(started.code).toBe(7);
    const [drillId] = drillIds(h.stateDir);

    const dry = await h.run(['resume']);
    expect(dry.stdout).toContain(
      'timings: poll every 7.0s, step timeout 3m 00s (wait-writer=1m 00s), canary every 2.0s',
    );

    const result = await h.run(['resume', '--execute', '--yes', '--step-timeout', '4m']);

    expect(result.code).toBe(7);
    expect(result.stderr).toContain('step wait-writer timed out after 1m 00s');
    const resumed = readJournal(h.stateDir, drillId).find((e) => e.type === 'resumed');
    expect(resumed).toMatchObject({
      timing: {
        pollIntervalMs: 7000,
        stepTimeoutMs: 240_000,
        stepTimeoutsMs: { 'wait-writer': 60_000 },
        canaryIntervalMs: 2000,
      },
    });
    // A later resume takes the latest run's timing.
    const again = await h.run(['resume']);
    expect(again.stdout).toContain(
      'timings: poll every 7.0s, step timeout 4m 00s (wait-writer=1m 00s), canary every 2.0s',
    );
  });

  test.each([
    ['no drill at all', async () => undefined, 'error [NO_DRILL]: no unfinished drill in'],
    [
      'only a finished drill',
      async () => {
        await h.run(switchover());
      },
      'error [NO_DRILL]: no unfinished drill in',
    ],
  ])(
    'GIVEN %s WHEN resuming THEN it says there is nothing to resume (exit 13)',
    async (_case, setup, message) => {
      await setup();
      const result = await h.run(['resume', '--execute', '--yes']);

      expect(result.code).toBe(13);
      expect(result.stderr).toContain(message);
    },
  );
});
