// A step whose AWS call fails with a transient error after the SDK's retries (a throttling
// storm, a 5xx, a network blip) runs again, with backoff, until its timeout.
import { SwitchoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import { DEFAULT_TIMING } from '../../runbooks/drill/model';
import { renderReport } from '../../runbooks/drill/report';
import { retryDelayMs } from '../../runbooks/drill/run-step';
import type { StepEntry } from '../../runbooks/drill/store';
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
const DRILL = 'switchover-20250301T100000Z-us-west-2';
const THROTTLED =
  'rds SwitchoverGlobalCluster in us-west-2 throttled (after 5 attempts): Throttling: Rate exceeded';

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

function promoteEntries(): StepEntry[] {
  return readJournal(h.stateDir, DRILL).filter(
    (e): e is StepEntry => e.type === 'step' && e.step === 'promote' && e.event !== 'note',
  );
}

describe('the pause before a step runs again', () => {
  test.each([
    [5_000, [5_000, 10_000, 20_000, 30_000, 30_000]],
    [10_000, [10_000, 20_000, 30_000, 30_000, 30_000]],
    [60_000, [60_000, 60_000, 60_000, 60_000, 60_000]],
  ])(
    'GIVEN a poll interval of %i ms THEN it starts there and doubles up to 30 s (never under the interval)',
    (pollIntervalMs, pauses) => {
      const timing = { ...DEFAULT_TIMING, pollIntervalMs };
      expect([0, 1, 2, 3, 4].map((retries) => retryDelayMs(timing, retries))).toEqual(pauses);
    },
  );
});

describe('a step that fails with a transient AWS error runs again until its timeout', () => {
  test('GIVEN SwitchoverGlobalCluster is throttled 3 times THEN the switchover completes with one accepted request, the retries journaled and printed', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', faults.throttling(), { times: 3 });

    const result = await h.run(h.switchover());

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
    expect(h.world.unusedFaults()).toBe(0);
    // Four requests sent, three throttled (not accepted): one move.
    expect(h.mocks.rds.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(4);
    expect(mutatingCalls(h.world)).toEqual([
      `ssm:PutParameter ${PRIMARY}`,
      ...Array(4).fill(`rds:SwitchoverGlobalCluster ${SECONDARY}`),
      `ssm:PutParameter ${PRIMARY}`,
    ]);
    const lines = result.stdout.split('\n').filter((l) => l.includes('runs again'));
    expect(lines.map((l) => l.replace(/^\[\+\d+:\d\d\.\d\] /, ''))).toEqual([
      `4/12 promote: ${THROTTLED}; transient, so the step runs again in 5.0s (5m 00s of its 5m 00s timeout left)`,
      `4/12 promote: ${THROTTLED}; transient, so the step runs again in 10.0s (4m 55s of its 5m 00s timeout left)`,
      `4/12 promote: ${THROTTLED}; transient, so the step runs again in 20.0s (4m 45s of its 5m 00s timeout left)`,
    ]);
    expect(result.stdout).toMatch(
      /4\/12 promote: completed in 0ms: SwitchoverGlobalCluster to multi-region-ref-global-us-west-2 accepted \(RPO lag then: 400 ms\)$/m,
    );
    expect(promoteEntries().map((e) => [e.event, e.error?.code, e.retryInMs])).toEqual([
      ['started', undefined, undefined],
      ['failed', 'AWS_ERROR', 5_000],
      ['started', undefined, undefined],
      ['failed', 'AWS_ERROR', 10_000],
      ['started', undefined, undefined],
      ['failed', 'AWS_ERROR', 20_000],
      ['started', undefined, undefined],
      ['completed', undefined, undefined],
    ]);
    const record = readRecordFile(h.stateDir, DRILL);
    expect(record.outcome).toBe('succeeded');
    const promote = record.steps.find((s) => s.id === 'promote')!;
    expect(promote).toMatchObject({ status: 'completed', attempts: 4 });
    expect(promote.runs.map((r) => [r.attempt, r.status, r.retryInMs])).toEqual([
      [1, 'failed', 5_000],
      [1, 'failed', 10_000],
      [1, 'failed', 20_000],
      [1, 'completed', undefined],
    ]);
    // The accepted request is the promotion: its time, not a throttled one's.
    expect(record.measures.promotion).toMatchObject({
      status: 'accepted',
      requestedAt: new Date(
        h.world.callsOf('rds:SwitchoverGlobalCluster').at(-1)!.at,
      ).toISOString(),
    });

    expect(renderReport(record, 'md')).toContain(
      `| promote | 1 | ${promote.runs[0]!.startedAt} | 0ms | failed: [AWS_ERROR] ${THROTTLED}; transient, run again after 5.0s |`,
    );
  });

  test('GIVEN throttling that outlasts the step timeout THEN it stops with the last error and its hint, as without retries (exit 9)', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', faults.throttling(), { times: 10 });

    // Runs at 0, 5, 15 and 35 s; the next (after 30 s more) would start past the 1 min timeout.
    const result = await h.run(h.switchover('--timeout', 'promote=1m'));

    expect(result.code).toBe(9);
    expect(result.stderr).toContain(
      `error [AWS_ERROR]: drill ${DRILL} stopped at step promote: ${THROTTLED}\n`,
    );
    expect(result.stderr).toContain(
      "  next: State: The writer has not moved; us-east-1 is fenced (drained). To back out, set /multi-region-ref/drain to 'false' in us-east-1; to go on, run the resume command below.\n" +
        '  next: This is usually temporary: wait a minute, then rerun (a stopped drill continues with its resume command)\n',
    );
    expect(result.stdout).toMatch(/4\/12 promote: FAILED after 35\.0s \[AWS_ERROR\]/);
    expect(result.stdout.split('\n').filter((l) => l.includes('runs again'))).toHaveLength(3);
    expect(h.world.callsOf('rds:SwitchoverGlobalCluster')).toHaveLength(4);
    expect(h.world.writer).toBe(PRIMARY);
    expect(promoteEntries().at(-1)).toMatchObject({
      event: 'failed',
      error: { code: 'AWS_ERROR' },
    });
    expect(promoteEntries().at(-1)).not.toHaveProperty('retryInMs');
  });

  test('GIVEN SwitchoverGlobalCluster is refused (AccessDenied) THEN it stops at once, without running it again (exit 9)', async () => {
    h.world.fail(
      'rds:SwitchoverGlobalCluster',
      faults.accessDenied('rds:SwitchoverGlobalCluster', 'multi-region-ref-global'),
    );

    const result = await h.run(h.switchover());

    expect(result.code).toBe(9);
    expect(result.stderr).toContain(
      `stopped at step promote: rds SwitchoverGlobalCluster in us-west-2 failed: AccessDenied:`,
    );
    expect(result.stderr).toContain('next: Grant the drill role rds:SwitchoverGlobalCluster');
    expect(result.stdout).not.toContain('runs again');
    expect(h.world.callsOf('rds:SwitchoverGlobalCluster')).toHaveLength(1);
    expect(promoteEntries().map((e) => e.event)).toEqual(['started', 'failed']);
  });

  test('GIVEN Ctrl-C during the pause before a second run THEN it stops (exit 130) and resume promotes once', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', faults.throttling());
    let interrupt: (() => void) | undefined;
    const run = h.run(h.switchover(), {
      onInterrupt: (handler) => {
        interrupt = handler;
        return () => (interrupt = undefined);
      },
    });
    await until(() => h.world.callsOf('rds:SwitchoverGlobalCluster').length === 1);
    await until(() => promoteEntries().at(-1)?.retryInMs !== undefined);
    interrupt!();
    const result = await run;

    expect(result.code).toBe(130);
    expect(result.stderr).toContain(
      `error [INTERRUPTED]: drill ${DRILL} stopped at step promote: interrupted by Ctrl-C (SIGINT)`,
    );
    expect(result.stdout).toMatch(/4\/12 promote: INTERRUPTED after \d/);
    // The pause ended with Ctrl-C: the step did not run again.
    expect(h.world.callsOf('rds:SwitchoverGlobalCluster')).toHaveLength(1);
    const journal = readJournal(h.stateDir, DRILL);
    expect(journal.at(-1)).toMatchObject({ type: 'stopped', step: 'promote' });

    const resumed = await h.run(['resume', '--execute', '--yes', ...h.fast], {
      pid: 5000,
      isProcessAlive: (p) => p === 5000,
    });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
    expect(h.world.callsOf('rds:SwitchoverGlobalCluster')).toHaveLength(2);
    const record = readRecordFile(h.stateDir, drillIds(h.stateDir)[0]!);
    expect(record.steps.find((s) => s.id === 'promote')).toMatchObject({
      status: 'completed',
      attempts: 2,
    });
  });

  test('GIVEN the process dies in the run after a throttled one WHEN resumed THEN promote is skipped (already switching over): one move', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', faults.throttling());
    h.world.killWhen('rds:SwitchoverGlobalCluster'); // the second request: served, then the process dies
    void h.run(h.switchover());
    await until(() => h.world.callsOf('rds:SwitchoverGlobalCluster').length === 2);
    const killedAt = h.world.clock.now();
    (h.world.clock as VirtualClock).stop();
    h.world.clock = new VirtualClock(killedAt + 10_000);

    const status = await h.run(['status']);
    expect(status.stdout).toContain(
      'no stop recorded: the process ended (or still runs) during step promote',
    );
    const result = await h.run(['resume', '--execute', '--yes', ...h.fast], {
      pid: 5000,
      isProcessAlive: (p) => p === 5000,
    });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '4/12 promote: skipped in 0ms: already switching-over to us-west-2',
    );
    expect(h.world.writer).toBe(SECONDARY);
    expect(h.world.callsOf('rds:SwitchoverGlobalCluster')).toHaveLength(2);
    const record = readRecordFile(h.stateDir, DRILL);
    const promote = record.steps.find((s) => s.id === 'promote')!;
    expect(promote.runs.map((r) => r.status)).toEqual(['failed', 'interrupted', 'skipped']);
    // Accepted by the second request of the first process.
    expect(record.measures.promotion?.status).toBe('accepted');
  });
});
