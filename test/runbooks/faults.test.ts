import * as os from 'node:os';
import { SwitchoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import { faults } from './fake-aws';
import {
  drillIds,
  lockCalls,
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

describe('faults end in a stated safe state, a clear message and a distinct exit code', () => {
  test('GIVEN throttling on the fence that outlasts the SDK retries and the step timeout THEN it stops (exit 9) before promoting, and resume finishes', async () => {
    // Runs at 0, 5 and 15 s; the next (after 20 s more) would start past the 30 s timeout.
    h.world.fail('ssm:PutParameter', faults.throttling(), {
      name: h.world.deployed(PRIMARY).drainParameterName,
      times: 3,
    });

    const result = await h.run(switchover('--timeout', 'fence=30s'));

    expect(result.code).toBe(9);
    expect(result.stderr).toContain(
      'error [AWS_ERROR]: drill switchover-20250301T100000Z-us-west-2 stopped at step fence: ssm PutParameter in us-east-1 throttled (after 5 attempts): Throttling: Rate exceeded',
    );
    expect(result.stderr).toContain('next: State: The writer has not moved.');
    expect(result.stdout).toContain(
      '3/12 fence: ssm PutParameter in us-east-1 throttled (after 5 attempts): Throttling: Rate exceeded; transient, so the step runs again in 10.0s (25.0s of its 30.0s timeout left)',
    );
    expect(result.stderr).toContain(
      'next: This is usually temporary: wait a minute, then rerun (a stopped drill continues with its resume command)',
    );
    expect(result.stderr).toContain(
      'next: Continue with: npx drill resume --drill-id switchover-20250301T100000Z-us-west-2 --execute',
    );
    expect(h.mocks.rds.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
    expect(h.world.writer).toBe(PRIMARY);
    // It drained nothing, but it may have: the lock is kept, marked stopped, for the resume.
    expect(h.world.lockIn(PRIMARY)).toMatchObject({
      drillId: 'switchover-20250301T100000Z-us-west-2',
      stopped: { step: 'fence', code: 'AWS_ERROR' },
    });

    const resumed = await h.run(['resume', '--execute', '--yes', ...h.fast]);
    expect(resumed.code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
    expect(h.mocks.rds.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(1);
  });

  test('GIVEN throttling, a 5xx and a network timeout while polling THEN the polls go on and the drill succeeds', async () => {
    // Armed after the promotion, so they land inside the waits, not in the preflight.
    const after = 'rds:SwitchoverGlobalCluster';
    h.world.fail('rds:DescribeGlobalClusters', faults.throttling(), {
      region: SECONDARY,
      times: 2,
      after,
    });
    // The step's poll, not the client canary's health reading (which would only skip it).
    h.world.fail('route53:GetHealthCheckStatus', faults.serverError(), {
      after,
      step: 'verify-traffic',
    });
    h.world.fail('route53:TestDNSAnswer', faults.networkTimeout(), { after });

    const result = await h.run(switchover());

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
    expect(h.world.unusedFaults()).toBe(0);
    // A throttled region is not the only one that can describe the global cluster.
    const promote = h.world.calls.findIndex((c) => c.operation === after);
    const throttled = h.world.calls.findIndex(
      (c, i) =>
        i > promote && c.operation === 'rds:DescribeGlobalClusters' && c.region === SECONDARY,
    );
    expect(
      h.world.calls.slice(throttled + 1).find((c) => c.operation === 'rds:DescribeGlobalClusters')
        ?.region,
    ).toBe(PRIMARY);
    expect(result.stdout).toContain(
      `waiting for write.example.com to answer ${h.world.deployed(SECONDARY).writeTarget} (us-west-2): last poll failed: route53 GetHealthCheckStatus in us-east-1 AWS server error (after 5 attempts)`,
    );
    expect(result.stdout).toMatch(/7\/12 verify-traffic: completed in 5\.0s/);
  });

  test('GIVEN SwitchoverGlobalCluster answers 5xx and no time is left to run it again THEN it stops at promote with the writer unmoved and the old region fenced (exit 9)', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', faults.serverError());

    // The timeout is shorter than the first pause (the 5 s poll interval): no second run.
    const result = await h.run(switchover('--timeout', 'promote=4s'));

    expect(result.code).toBe(9);
    expect(result.stderr).toContain(
      'stopped at step promote: rds SwitchoverGlobalCluster in us-west-2 AWS server error (after 5 attempts): InternalFailure',
    );
    expect(result.stderr).toContain(
      "next: State: The writer has not moved; us-east-1 is fenced (drained). To back out, set /multi-region-ref/drain to 'false' in us-east-1; to go on, run the resume command below.",
    );
    expect(h.world.writer).toBe(PRIMARY);
    expect(h.world.region(PRIMARY).drain).toBe('true');
  });

  test('GIVEN a network timeout reading the global cluster in every region THEN it stops before planning (exit 9)', async () => {
    h.world.fail('rds:DescribeGlobalClusters', faults.networkTimeout(), { times: 2 });

    const result = await h.run(switchover());

    expect(result.code).toBe(9);
    expect(result.stderr).toContain(
      'error [AWS_ERROR]: could not read global cluster multi-region-ref-global in any region:',
    );
    expect(result.stderr).toContain(
      'us-west-2: rds DescribeGlobalClusters in us-west-2 network failure (after 5 attempts): TimeoutError: connect ETIMEDOUT',
    );
    expect(mutatingCalls(h.world)).toEqual([]);
    expect(drillIds(h.stateDir)).toEqual([]);
  });

  test('GIVEN no credentials THEN the first call stops it with NO_CREDENTIALS (exit 10) and what to do', async () => {
    h.world.fail('rds:DescribeGlobalClusters', faults.noCredentials(), { times: 5 });

    const result = await h.run(switchover());

    expect(result.code).toBe(10);
    expect(result.stderr).toContain(
      'error [NO_CREDENTIALS]: no usable AWS credentials for rds DescribeGlobalClusters in us-west-2: CredentialsProviderError: Could not load credentials from any providers',
    );
    expect(result.stderr).toContain(
      'next: Set credentials the SDK can find (AWS_PROFILE or --profile',
    );
    expect(mutatingCalls(h.world)).toEqual([]);
  });

  test('GIVEN an unknown global cluster THEN it stops with UNKNOWN_GLOBAL_CLUSTER (exit 11)', async () => {
    const result = await h.run([...switchover(), '--global-cluster', 'no-such-global']);

    expect(result.code).toBe(11);
    expect(result.stderr).toContain(
      'error [UNKNOWN_GLOBAL_CLUSTER]: rds DescribeGlobalClusters in us-west-2: GlobalClusterNotFoundFault: GlobalCluster no-such-global not found.',
    );
    expect(mutatingCalls(h.world)).toEqual([]);
  });

  test.each([
    ['over the RPO', 45_000, 'us-west-2: RPO lag 45000 ms >= 30000 ms'],
    ['not reported', null, 'us-west-2: AuroraGlobalDBRPOLag not reported in the last 5 minutes'],
  ])(
    'GIVEN the RPO lag is %s THEN preflight fails (exit 4) and nothing changes',
    async (_case, lag, reason) => {
      h.world.region(SECONDARY).rpoLagMs = lag;

      const result = await h.run(switchover());

      expect(result.code).toBe(4);
      expect(result.stderr).toContain(
        `- lag-under-rpo: RPO lag of every secondary is under the RPO (30 s): ${reason}`,
      );
      expect(result.stderr).toContain('next: State: Nothing has been changed.');
      expect(mutatingCalls(h.world)).toEqual([]);
      const record = readRecordFile(h.stateDir, drillIds(h.stateDir)[0]);
      expect(record.steps[0]).toMatchObject({
        id: 'preflight',
        status: 'failed',
        error: { code: 'PREFLIGHT_FAILED' },
      });
    },
  );

  test('GIVEN a switchover that never completes THEN wait-writer times out (exit 7) naming what it waited for and the state', async () => {
    h.world.promotionStuck = true;

    const result = await h.run(switchover('--timeout', 'wait-writer=2m'));

    expect(result.code).toBe(7);
    expect(result.stderr).toContain(
      'error [STEP_TIMEOUT]: drill switchover-20250301T100000Z-us-west-2 stopped at step wait-writer: step wait-writer timed out after 2m 00s waiting for us-west-2 to hold the writer; last state: writer us-east-1, status switching-over, switching-over to us-west-2; multi-region-ref-global-us-west-2 available',
    );
    expect(result.stderr).toContain(
      "next: State: Aurora may still be moving the writer: check `npx drill status`. us-east-1 stays fenced. If the move completes, the resume command below verifies and finishes; if Aurora cancelled it, set /multi-region-ref/drain back to 'false' in us-east-1.",
    );
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const journal = readJournal(h.stateDir, drillIds(h.stateDir)[0]);
    expect(journal.at(-1)).toMatchObject({ type: 'stopped', error: { code: 'STEP_TIMEOUT' } });
  });

  test('GIVEN the target writer health check never turns healthy THEN verify-traffic times out (exit 7) with the DNS answer', async () => {
    h.world.forcedUnhealthy.add(h.world.checkId('us-west-2', 'writer'));

    const result = await h.run(switchover('--timeout', 'verify-traffic=1m'));

    expect(result.code).toBe(7);
    expect(result.stderr).toContain(
      `stopped at step verify-traffic: step verify-traffic timed out after 1m 00s waiting for write.example.com to answer ${h.world.deployed(SECONDARY).writeTarget} (us-west-2); last state: writer check of us-west-2 unhealthy (0/16 checkers report success); write.example.com -> ${h.world.deployed(PRIMARY).writeTarget}`,
    );
    expect(result.stderr).toContain(
      'next: State: The writer has moved; writes through write.example.com may fail until DNS follows.',
    );
    expect(h.world.writer).toBe(SECONDARY);
  });

  test('GIVEN Aurora cancels the switchover THEN it stops with UNEXPECTED_STATE (exit 8)', async () => {
    h.world.promotionCancels = true;

    const result = await h.run(switchover());

    expect(result.code).toBe(8);
    expect(result.stderr).toContain(
      'stopped at step wait-writer: step wait-writer: Aurora is cancelling the move; the writer stays where it was',
    );
    expect(result.stderr).toContain(
      "if Aurora cancelled it, set /multi-region-ref/drain back to 'false' in us-east-1",
    );
  });

  test('GIVEN the target cluster is not available THEN preflight fails (exit 4) naming its status', async () => {
    h.world.region(SECONDARY).status = 'modifying';

    const result = await h.run(switchover());

    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      '- target-available: target cluster is available: status modifying',
    );
    expect(result.stderr).toContain(
      '- members-available: every member cluster is available: us-west-2: modifying',
    );
  });

  test('GIVEN a drill is running WHEN a second one starts THEN it is refused with DRILL_LOCKED (exit 5)', async () => {
    h.world.promotionMs = 60_000;
    const first = h.run(switchover());
    while (!h.world.moving) await new Promise((resolve) => setImmediate(resolve));

    const second = await h.run(h.failover());

    expect(second.code).toBe(5);
    expect(second.stderr).toContain(
      'error [DRILL_LOCKED]: drill switchover-20250301T100000Z-us-west-2 is running (pid 4242 on',
    );
    expect(second.stderr).toContain(
      'next: Wait for it to finish, or stop it (Ctrl-C in its terminal); `npx drill status` shows the lock',
    );
    expect((await first).code).toBe(0);
    expect(h.world.callsOf('rds:FailoverGlobalCluster')).toEqual([]);
  });

  test('GIVEN a lock left by a dead process on this host THEN a new drill is refused with STALE_LOCK (exit 6), names no journal, and gives back what it took', async () => {
    // us-west-2 only: the other region was released, or the lock was taken while it was down.
    h.world.setLock(SECONDARY, {
      drillId: 'switchover-20250301T090000Z-us-west-2',
      owner: 'arn:aws:sts::123456789012:assumed-role/DrillOperator/bob',
      host: HOST,
      pid: 999_999,
      acquiredAt: '2025-03-01T09:00:00.000Z',
      expiresAt: '2025-03-01T10:04:00.000Z',
    });

    const result = await h.run(switchover());

    expect(result.code).toBe(6);
    expect(result.stderr).toBe(
      `error [STALE_LOCK]: drill switchover-20250301T090000Z-us-west-2 holds the drill lock /multi-region-ref/drill-lock in us-west-2 but is not running: pid 999999 on ${HOST} is not running\n` +
        '  next: Continue it with `npx drill resume --drill-id switchover-20250301T090000Z-us-west-2 --execute`, ' +
        'or give it up with `npx drill abandon switchover-20250301T090000Z-us-west-2 --reason "<why>" --execute` ' +
        '(it records the state the drill leaves, then releases the lock)\n',
    );
    // Nothing names a drill or a journal that will never exist.
    expect(result.stdout).not.toContain('journal');
    expect(drillIds(h.stateDir)).toEqual([]);
    expect(lockCalls(h.world)).toEqual([
      `ssm:PutParameter ${PRIMARY} create`,
      `ssm:PutParameter ${SECONDARY} create`,
      `ssm:DeleteParameter ${PRIMARY}`, // the region it took is given back
    ]);
    expect(h.world.lockIn(PRIMARY)).toBeUndefined();
    expect(mutatingCalls(h.world)).toEqual([]);
  });

  test('GIVEN --execute without --yes and no terminal THEN it refuses (exit 12); a wrong answer on a terminal too', async () => {
    const noTty = await h.run(['switchover', '--to', SECONDARY, '--execute']);
    expect(noTty.code).toBe(12);
    expect(noTty.stderr).toContain(
      'error [NOT_CONFIRMED]: refusing to --execute a switchover of multi-region-ref-global: writer us-east-1 -> us-west-2 without confirmation: stdin is not a terminal',
    );
    expect(noTty.stderr).toContain('next: Add --yes to confirm non-interactively');

    const ask = jest.fn(async () => 'yes');
    const declined = await h.run(['switchover', '--to', SECONDARY, '--execute'], {
      isTTY: true,
      ask,
    });
    expect(declined.code).toBe(12);
    expect(ask).toHaveBeenCalledWith(
      expect.stringContaining('Type the target region (us-west-2) to continue'),
    );
    expect(mutatingCalls(h.world)).toEqual([]);

    const confirmed = await h.run(['switchover', '--to', SECONDARY, '--execute', ...h.fast], {
      isTTY: true,
      ask: async () => 'us-west-2',
    });
    expect(confirmed.code).toBe(0);
  });

  test('GIVEN --force without --reason THEN it is a usage error (exit 2)', async () => {
    const result = await h.run(switchover('--force'));

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error [USAGE]: --force needs --reason "<why>"');
  });
});
