// The edges of running a step again after a transient AWS failure: Ctrl-C during a run, during
// the pause or just as it ends; a pause that would end at the timeout; what is not transient;
// the time each failed run is journaled with.
import { DrillError } from '../../runbooks/drill/errors';
import type { Clock } from '../../runbooks/drill/clock';
import type { StepEntry } from '../../runbooks/drill/store';
import { faults } from './fake-aws';
import { drillIds, PRIMARY, readJournal, SECONDARY, until, useFakeAws } from './harness';

const h = useFakeAws();
const DRILL = 'switchover-20250301T100000Z-us-west-2';
const THROTTLED =
  'rds SwitchoverGlobalCluster in us-west-2 throttled (after 5 attempts): Throttling: Rate exceeded';

function entriesOf(step: string): StepEntry[] {
  return readJournal(h.stateDir, DRILL).filter(
    (e): e is StepEntry => e.type === 'step' && e.step === step && e.event !== 'note',
  );
}

function lastPromoteEntry(): StepEntry | undefined {
  return drillIds(h.stateDir).includes(DRILL) ? entriesOf('promote').at(-1) : undefined;
}

/** The printed lines of `step`, without their elapsed-time prefix. */
function linesOf(stdout: string, label: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.replace(/^\[\+\d+:\d\d\.\d\] /, ''))
    .filter((l) => l.startsWith(`${label}: `));
}

/** A run whose Ctrl-C handler the test calls. */
function interruptible(args: string[], clock?: Clock) {
  const handle: { interrupt?: () => void } = {};
  const result = h.run(args, {
    ...(clock ? { clock } : {}),
    onInterrupt: (handler) => {
      handle.interrupt = handler;
      return () => (handle.interrupt = undefined);
    },
  });
  return { handle, result };
}

describe('a step that fails with a transient AWS error prints its title once', () => {
  test('GIVEN SwitchoverGlobalCluster is throttled once THEN promote prints its title, the retry and its end, in that order', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', faults.throttling());

    const result = await h.run(h.switchover());

    expect(result.code).toBe(0);
    expect(linesOf(result.stdout, '4/12 promote')).toEqual([
      '4/12 promote: Promote us-west-2 (SwitchoverGlobalCluster)',
      `4/12 promote: ${THROTTLED}; transient, so the step runs again in 5.0s (5m 00s of its 5m 00s timeout left)`,
      '4/12 promote: completed in 0ms: SwitchoverGlobalCluster to multi-region-ref-global-us-west-2 accepted (RPO lag then: 400 ms)',
    ]);
  });
});

describe('Ctrl-C stops a step that runs again: no further run, nothing left waiting', () => {
  test('GIVEN Ctrl-C in the second pause THEN INTERRUPTED counts from the step start, the journal ends with the failed run, and no timer is left (exit 130)', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', faults.throttling(), { times: 5 });
    const { handle, result } = interruptible(h.switchover());
    // Runs at 0 and 5 s, both throttled; Ctrl-C during the 10 s pause that follows.
    await until(() => lastPromoteEntry()?.retryInMs === 10_000);
    const pressedAt = h.world.clock.now();
    handle.interrupt!();
    const { code, stdout } = await result;

    expect(code).toBe(130);
    expect(linesOf(stdout, '4/12 promote').at(-1)).toBe('4/12 promote: INTERRUPTED after 5.0s');
    expect(h.world.callsOf('rds:SwitchoverGlobalCluster')).toHaveLength(2);
    expect(entriesOf('promote').map((e) => [e.event, e.retryInMs])).toEqual([
      ['started', undefined],
      ['failed', 5_000],
      ['started', undefined],
      ['failed', 10_000],
    ]);
    const journal = readJournal(h.stateDir, DRILL);
    expect(journal.at(-1)).toMatchObject({ type: 'stopped', step: 'promote', at: pressedAt });
    // The pause's timer was cleared: nothing of the drill wakes later (a real process would
    // otherwise stay alive until the pause ended).
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(h.world.clock.now()).toBe(pressedAt);
  });

  test('GIVEN Ctrl-C as the pause ends THEN the step does not run again (exit 130)', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', faults.throttling(), { times: 5 });
    let handle: { interrupt?: () => void } = {};
    // The clock the drill sees: Ctrl-C arrives in the instant the 5 s pause's timer fires,
    // after the timer (so the pause ends normally, then the drill sees the interruption).
    let pauseSeen = false;
    const clock: Clock = {
      now: () => h.world.clock.now(),
      sleep: (ms, signal) => {
        // The pause: the first sleep after the failed run is journaled (the canaries sleep too).
        const pause = !pauseSeen && lastPromoteEntry()?.retryInMs === 5_000;
        pauseSeen ||= pause;
        return new Promise((resolve) => {
          void h.world.clock.sleep(ms, signal).then(() => {
            resolve();
            if (pause) handle.interrupt?.();
          });
        });
      },
    };
    const run = interruptible(h.switchover(), clock);
    handle = run.handle;
    const { code, stdout } = await run.result;

    expect(code).toBe(130);
    expect(linesOf(stdout, '4/12 promote').at(-1)).toBe('4/12 promote: INTERRUPTED after 5.0s');
    expect(h.world.callsOf('rds:SwitchoverGlobalCluster')).toHaveLength(1);
    expect(entriesOf('promote').map((e) => e.event)).toEqual(['started', 'failed']);
    expect(h.world.writer).toBe(PRIMARY);
  });

  test('GIVEN Ctrl-C while SwitchoverGlobalCluster is in flight THEN the run is INTERRUPTED, not failed: nothing journaled as failed (exit 130)', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', 'hang');
    const { handle, result } = interruptible(h.switchover());
    await until(() => h.world.callsOf('rds:SwitchoverGlobalCluster').length === 1);
    handle.interrupt!();
    const { code, stdout } = await result;

    expect(code).toBe(130);
    expect(linesOf(stdout, '4/12 promote')).toEqual([
      '4/12 promote: Promote us-west-2 (SwitchoverGlobalCluster)',
      '4/12 promote: INTERRUPTED after 0ms',
    ]);
    expect(entriesOf('promote').map((e) => e.event)).toEqual(['started']);
  });
});

describe('a step runs again only when the pause ends before its timeout', () => {
  // Runs at 0, 5 and 15 s; the next pause (20 s) ends at 35 s.
  test('GIVEN a 35 s timeout THEN the run the pause would start exactly at the timeout is not run (no time left): FAILED after 15.0s (exit 9)', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', faults.throttling(), { times: 10 });

    const result = await h.run(h.switchover('--timeout', 'promote=35s'));

    expect(result.code).toBe(9);
    expect(h.world.callsOf('rds:SwitchoverGlobalCluster')).toHaveLength(3);
    expect(linesOf(result.stdout, '4/12 promote').at(-1)).toBe(
      '4/12 promote: FAILED after 15.0s [AWS_ERROR]',
    );
    expect(entriesOf('promote').map((e) => [e.event, e.retryInMs])).toEqual([
      ['started', undefined],
      ['failed', 5_000],
      ['started', undefined],
      ['failed', 10_000],
      ['started', undefined],
      ['failed', undefined],
    ]);
  });

  test('GIVEN a 36 s timeout THEN it runs a fourth time at 35 s, with 1 s of its timeout left', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', faults.throttling(), { times: 3 });

    const result = await h.run(h.switchover('--timeout', 'promote=36s'));

    expect(result.code).toBe(0);
    expect(h.world.callsOf('rds:SwitchoverGlobalCluster')).toHaveLength(4);
    expect(h.world.writer).toBe(SECONDARY);
    expect(linesOf(result.stdout, '4/12 promote')).toContain(
      `4/12 promote: ${THROTTLED}; transient, so the step runs again in 20.0s (21.0s of its 36.0s timeout left)`,
    );
  });
});

describe('only an AWS failure is run again', () => {
  test('GIVEN a DrillError marked transient whose code is not AWS_ERROR THEN the step stops at once, without running again', async () => {
    h.world.fail(
      'rds:SwitchoverGlobalCluster',
      new DrillError(
        'UNEXPECTED_STATE',
        'the global cluster is in a state the drill does not know',
        {
          transient: true,
        },
      ),
      { times: 5 },
    );

    const result = await h.run(h.switchover());

    expect(result.code).toBe(8);
    expect(result.stdout).not.toContain('runs again');
    expect(h.world.callsOf('rds:SwitchoverGlobalCluster')).toHaveLength(1);
    expect(linesOf(result.stdout, '4/12 promote').at(-1)).toBe(
      '4/12 promote: FAILED after 0ms [UNEXPECTED_STATE]',
    );
    expect(entriesOf('promote').map((e) => e.event)).toEqual(['started', 'failed']);
  });
});

describe('each failed run is journaled with the time it ran', () => {
  test('GIVEN fence throttled once, then its health check unreadable THEN the second run fails at the timeout (exit 7) and is journaled with the 55 s it ran, not the 1 min of the step', async () => {
    h.world.fail('ssm:GetParameter', faults.throttling(), { step: 'fence' });
    h.world.fail('route53:GetHealthCheckStatus', faults.throttling(), {
      step: 'fence',
      times: 100,
    });

    const result = await h.run(h.switchover('--timeout', 'fence=1m'));

    expect(result.code).toBe(7);
    expect(entriesOf('fence').map((e) => [e.event, e.durationMs, e.retryInMs])).toEqual([
      ['started', undefined, undefined],
      ['failed', 0, 5_000],
      ['started', undefined, undefined],
      ['failed', 55_000, undefined],
    ]);
    expect(entriesOf('fence').at(-1)?.error?.code).toBe('STEP_TIMEOUT');
    expect(linesOf(result.stdout, '3/12 fence').at(-1)).toBe(
      '3/12 fence: FAILED after 1m 00s [STEP_TIMEOUT]',
    );
  });
});

describe('a later step reads what the run that succeeded journaled', () => {
  test('GIVEN FailoverGlobalCluster throttled once and a point-of-failure snapshot of an older failover THEN the snapshot of this promotion is copied, not the older one', async () => {
    const cluster = 'multi-region-ref-global-us-east-1';
    const monthAgo = h.world.clock.now() - 30 * 24 * 3600_000;
    h.world.snapshots.push({
      region: PRIMARY,
      identifier: `rds:unplanned-global-failover-${cluster}-2025-01-30-10-00`,
      clusterIdentifier: cluster,
      type: 'automated',
      createdAt: monthAgo,
      listedAt: monthAgo,
      availableAt: monthAgo,
      kmsKeyId: h.world.kmsKeyArn(PRIMARY),
    });
    h.world.fail('rds:FailoverGlobalCluster', faults.throttling());
    // This failover's snapshot is listed only after the step has started looking.
    h.world.failoverSnapshotListedMs = 120_000;
    h.world.failoverSnapshotCreateMs = 150_000;

    const result = await h.run(h.failover());

    expect(result.code).toBe(0);
    expect(h.world.callsOf('rds:FailoverGlobalCluster')).toHaveLength(2);
    expect(
      h.world
        .callsOf('rds:CopyDBClusterSnapshot')
        .map(
          (c) =>
            (c.input as { SourceDBClusterSnapshotIdentifier?: string })
              .SourceDBClusterSnapshotIdentifier,
        ),
    ).toEqual([`rds:unplanned-global-failover-${cluster}-2025-03-01-10-00`]);
  });
});
