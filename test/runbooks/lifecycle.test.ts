// The drill's lifecycle across processes, machines and operators: the lock in AWS, Ctrl-C,
// `status` of stopped drills, `abandon`.
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JournalHeader } from '../../runbooks/drill/store';
import {
  drillIds,
  lockCalls,
  mutatingCalls,
  otherOperator,
  PRIMARY,
  readJournal,
  SECONDARY,
  until,
  useFakeAws,
} from './harness';
import { canaryLeftoverLines, nextLines } from './canary-leftover';

const h = useFakeAws();
/** The harness runs the CLI on this machine. */
const HOST = os.hostname();
const DRILL = 'switchover-20250301T100000Z-us-west-2';
const LOCK = '/multi-region-ref/drill-lock';

function journalHas(drillId: string, step: string, event: string): boolean {
  const file = path.join(h.stateDir, drillId, 'journal.jsonl');
  return (
    fs.existsSync(file) &&
    readJournal(h.stateDir, drillId).some(
      (e) => e.type === 'step' && e.step === step && e.event === event,
    )
  );
}

/** A switchover stopped by a fence that never takes: us-east-1 drained, the writer unmoved. */
async function stoppedAtFence(): Promise<void> {
  h.world.forcedHealthy.add(h.world.checkId(PRIMARY, 'writer'));
  const result = await h.run(h.switchover('--timeout', 'fence=1m'));
  expect(result.code).toBe(7);
  h.world.forcedHealthy.clear();
}

describe('the drill lock in AWS', () => {
  test('GIVEN a drill running from one state directory WHEN another operator on another machine starts one with its own state directory (even with --force) THEN the lock refuses it (exit 5)', async () => {
    h.world.promotionMs = 60_000;
    const first = h.run(h.switchover());
    await until(() => h.world.moving !== undefined);
    const otherDir = path.join(h.dir, 'other-operator');

    const second = await h.run(
      h.failover('--force', '--reason', 'I did not see the other drill'),
      otherOperator,
      otherDir,
    );

    expect(second.code).toBe(5);
    expect(second.stderr).toBe(
      `error [DRILL_LOCKED]: drill ${DRILL} is running (pid 4242 on ${HOST}, owner arn:aws:sts::123456789012:assumed-role/DrillOperator/alice, ` +
        `since 2025-03-01T10:00:00.000Z); it holds the drill lock ${LOCK} in us-east-1, us-west-2 until 2025-03-01T10:05:00.000Z\n` +
        '  next: Wait for it to finish, or stop it (Ctrl-C in its terminal); `npx drill status` shows the lock\n',
    );
    // No drill id or journal is named for a drill that never started.
    expect(second.stdout).toBe('');
    expect(drillIds(otherDir)).toEqual([]);
    expect((await first).code).toBe(0);
    expect(h.world.callsOf('rds:FailoverGlobalCluster')).toEqual([]);
    expect(h.world.lockIn(PRIMARY)).toBeUndefined();
    expect(h.world.lockIn(SECONDARY)).toBeUndefined();
  });

  test('GIVEN a drill running WHEN it lasts longer than the lock lifetime THEN its heartbeat renews the lock in every region', async () => {
    h.world.promotionMs = 7 * 60_000;
    const run = h.run(h.switchover('--timeout', 'wait-writer=10m'));
    await until(() => h.world.clock.now() >= Date.parse('2025-03-01T10:06:30Z'));

    expect(h.world.lockIn(PRIMARY)).toMatchObject({
      drillId: DRILL,
      acquiredAt: '2025-03-01T10:00:00.000Z',
      expiresAt: '2025-03-01T10:11:00.000Z',
    });
    expect((await run).code).toBe(0);
    expect(lockCalls(h.world).slice(0, 4)).toEqual([
      `ssm:PutParameter ${PRIMARY} create`,
      `ssm:PutParameter ${SECONDARY} create`,
      `ssm:PutParameter ${PRIMARY} overwrite`,
      `ssm:PutParameter ${SECONDARY} overwrite`,
    ]);
  });

  test('GIVEN us-east-1 is down WHEN a failover takes the lock THEN it holds it in us-west-2, journals us-east-1 as unreachable, and another operator is refused by us-west-2 alone', async () => {
    h.world.down.add(PRIMARY);
    h.world.promotionMs = 60_000;
    const first = h.run(h.failover('--force', '--reason', 'us-east-1 is down'));
    await until(() => h.world.moving !== undefined);

    const second = await h.run(
      h.failover('--force', '--reason', 'us-east-1 is down'),
      otherOperator,
      path.join(h.dir, 'other-operator'),
    );

    expect(second.code).toBe(5);
    expect(second.stderr).toContain(
      `error [DRILL_LOCKED]: drill failover-20250301T100000Z-us-west-2 is running (pid 4242 on ${HOST}, owner unknown, since 2025-03-01T10:00:00.000Z); it holds the drill lock ${LOCK} in us-west-2 until`,
    );
    const result = await first;
    expect(result.code).toBe(0);
    const unreachable =
      'ssm PutParameter in us-east-1 network failure (after 5 attempts): TimeoutError: connect ETIMEDOUT (simulated: us-east-1 is down)';
    expect(result.stdout).toContain(
      `lock: ${LOCK} held in us-west-2 until 2025-03-01T10:05:00.000Z, renewed every 60 s; not in us-east-1 (unreachable: ${unreachable})`,
    );
    expect(result.stdout).toContain(
      'operator: not recorded (sts GetCallerIdentity in us-east-1 network failure (after 5 attempts): TimeoutError: connect ETIMEDOUT (simulated: us-east-1 is down))',
    );
    const header = readJournal(h.stateDir, drillIds(h.stateDir)[0])[0] as JournalHeader;
    expect(header.lock).toEqual({
      parameterName: LOCK,
      heldIn: [SECONDARY],
      unreachable: [{ region: PRIMARY, error: unreachable }],
    });
  });

  test('GIVEN no region answers THEN the drill does not start (exit 9) and names no journal', async () => {
    for (const region of [PRIMARY, SECONDARY]) {
      h.world.fail(
        'ssm:PutParameter',
        Object.assign(new Error('connect ETIMEDOUT'), {
          name: 'TimeoutError',
          $metadata: { attempts: 5 },
        }),
        { region, name: h.world.lockName(region) },
      );
    }

    const result = await h.run(h.switchover());

    expect(result.code).toBe(9);
    expect(result.stderr).toContain(
      `error [AWS_ERROR]: could not take the drill lock ${LOCK}: no region answered (us-east-1: ssm PutParameter in us-east-1 network failure (after 5 attempts): TimeoutError: connect ETIMEDOUT; us-west-2: ssm PutParameter in us-west-2 network failure (after 5 attempts): TimeoutError: connect ETIMEDOUT)`,
    );
    expect(result.stdout).not.toContain('journal');
    expect(drillIds(h.stateDir)).toEqual([]);
  });

  test('GIVEN a drill that failed preflight THEN it changed nothing and gives the lock back', async () => {
    h.world.region(SECONDARY).rpoLagMs = 45_000;

    const result = await h.run(h.switchover());

    expect(result.code).toBe(4);
    expect(result.stdout).toContain(
      'lock: released in us-east-1, us-west-2 (the drill changed nothing)',
    );
    expect(h.world.lockIn(PRIMARY)).toBeUndefined();
  });

  test('GIVEN a drill stopped after fencing THEN it keeps the lock, marked stopped, and a new drill is refused with STALE_LOCK (exit 6)', async () => {
    await stoppedAtFence();

    expect(h.world.lockIn(SECONDARY)).toMatchObject({
      drillId: DRILL,
      stopped: { at: '2025-03-01T10:01:00.000Z', step: 'fence', code: 'STEP_TIMEOUT' },
    });
    const next = await h.run(h.failover(), otherOperator, path.join(h.dir, 'other-operator'));
    expect(next.code).toBe(6);
    expect(next.stderr).toContain(
      `error [STALE_LOCK]: drill ${DRILL} holds the drill lock ${LOCK} in us-east-1, us-west-2 but is not running: ` +
        'it stopped at step fence [STEP_TIMEOUT] at 2025-03-01T10:01:00.000Z',
    );
    expect(next.stderr).toContain(
      `next: Continue it with \`npx drill resume --drill-id ${DRILL} --execute\` on ${HOST}, where its journal is, ` +
        `or give it up with \`npx drill abandon ${DRILL} --reason "<why>" --execute\``,
    );
  });
});

describe('a drill that moved the writer and stopped', () => {
  test('GIVEN it holds the lock WHEN a switchover to where the writer already is starts THEN there is nothing to do, and it says how to finish the stopped drill', async () => {
    h.world.forcedUnhealthy.add(h.world.checkId(SECONDARY, 'writer'));
    expect((await h.run(h.failover('--timeout', 'verify-traffic=1m'))).code).toBe(7);
    h.world.forcedUnhealthy.clear();

    const result = await h.run(h.switchover());

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'nothing to do: us-west-2 already holds the writer of multi-region-ref-global; drill failover-20250301T100000Z-us-west-2 ' +
        `holds the lock: \`npx drill resume --drill-id failover-20250301T100000Z-us-west-2 --execute --outputs ${h.outputsFile} --state-dir ${h.stateDir}\` finishes it\n`,
    );
  });
});

describe('drill status', () => {
  test('GIVEN a drill stopped after fencing THEN status shows who holds the lock in each region, and where and why the drill stopped', async () => {
    await stoppedAtFence();

    const result = await h.run(['status']);

    expect(result.code).toBe(0);
    const holder =
      `held by drill ${DRILL} (not running: it stopped at step fence [STEP_TIMEOUT] at 2025-03-01T10:01:00.000Z); ` +
      `pid 4242 on ${HOST}, owner arn:aws:sts::123456789012:assumed-role/DrillOperator/alice, ` +
      'since 2025-03-01T10:00:00.000Z, expires 2025-03-01T10:01:00.000Z';
    expect(result.stdout).toContain(
      `lock (${LOCK}, one per region):\n  us-east-1: ${holder}\n  us-west-2: ${holder}\n`,
    );
    expect(result.stdout).toContain(
      `unfinished drills in ${h.stateDir}:\n  ${DRILL} (switchover us-east-1 -> us-west-2, started 2025-03-01T10:00:00.000Z on ${HOST}): ` +
        'stopped at step fence [STEP_TIMEOUT] at 2025-03-01T10:01:00.000Z: step fence timed out after 1m 00s waiting for ' +
        'the writer health check of us-east-1 to be unhealthy; last state: healthy, 16/16 checkers report success; changed: fence',
    );
  });

  test('GIVEN a drill stopped after fencing WHEN status --json THEN the lock and the unfinished drills are in the JSON too', async () => {
    await stoppedAtFence();

    const json = JSON.parse((await h.run(['status', '--json'])).stdout) as {
      drillLock: { region: string; state: string; holder?: { drillId: string } }[];
      unfinishedDrills: { drillId: string; changed: string[]; stopped: string }[];
    };

    expect(json.drillLock.map((l) => [l.region, l.state, l.holder?.drillId])).toEqual([
      [PRIMARY, 'held', DRILL],
      [SECONDARY, 'held', DRILL],
    ]);
    expect(json.unfinishedDrills).toEqual([
      expect.objectContaining({
        drillId: DRILL,
        changed: ['fence'],
        stopped: expect.stringMatching(/^stopped at step fence \[STEP_TIMEOUT\] at /),
      }),
    ]);
  });

  test('GIVEN nothing runs THEN status says the lock is free and no drill is unfinished', async () => {
    const result = await h.run(['status']);

    expect(result.stdout).toContain(
      `lock (${LOCK}, one per region):\n  us-east-1: free\n  us-west-2: free\n`,
    );
    expect(result.stdout).toContain(`unfinished drills in ${h.stateDir}: none`);
  });
});

describe('drill abandon', () => {
  test('GIVEN a drill stopped after fencing WHEN abandoned THEN it journals the state it leaves and releases the lock; a dry run changes nothing', async () => {
    await stoppedAtFence();

    const noReason = await h.run(['abandon', DRILL, '--execute', '--yes']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain(
      `error [USAGE]: abandon needs --reason "<why>": it is recorded in the journal of drill ${DRILL}`,
    );

    const dry = await h.run(['abandon', DRILL, '--reason', 'change freeze']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      [
        `DRY RUN: abandon of drill ${DRILL}; nothing will be changed.`,
        `where it is: stopped at step fence [STEP_TIMEOUT] at 2025-03-01T10:01:00.000Z: step fence timed out after 1m 00s waiting for the writer health check of us-east-1 to be unhealthy; last state: healthy, 16/16 checkers report success; changed: fence`,
        "state it leaves: writer us-east-1; drain switches: us-east-1 'true', us-west-2 'false'",
        `would journal an 'abandoned' entry with that state and the reason in ${path.join(h.stateDir, DRILL, 'journal.jsonl')}`,
        'would release the drill lock in: us-east-1, us-west-2',
        // The canaries wrote before the fence; the writer (us-east-1) holds their rows.
        ...canaryLeftoverLines(h.world.topology, DRILL, PRIMARY),
        'to act, rerun with --execute',
      ].join('\n'),
    );
    expect(h.world.lockIn(PRIMARY)).toMatchObject({ drillId: DRILL });

    const noTty = await h.run(['abandon', DRILL, '--reason', 'change freeze', '--execute']);
    expect(noTty.code).toBe(12);
    expect(noTty.stderr).toContain(
      `error [NOT_CONFIRMED]: refusing to --execute a lock release of drill ${DRILL} (abandon) without confirmation: stdin is not a terminal`,
    );
    const ask = jest.fn(async () => 'us-west-2');
    const declined = await h.run(['abandon', DRILL, '--reason', 'change freeze', '--execute'], {
      isTTY: true,
      ask,
    });
    expect(declined.code).toBe(12);
    expect(ask).toHaveBeenCalledWith(
      `About to execute a lock release of drill ${DRILL} (abandon).\nType the drill id (${DRILL}) to continue: `,
    );
    expect(h.world.lockIn(PRIMARY)).toMatchObject({ drillId: DRILL });

    const result = await h.run([
      'abandon',
      DRILL,
      '--reason',
      'change freeze',
      '--execute',
      '--yes',
    ]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        `drill ${DRILL} abandoned (change freeze); it leaves: writer us-east-1; drain switches: us-east-1 'true', us-west-2 'false'; journaled in ${path.join(h.stateDir, DRILL, 'journal.jsonl')}`,
        'lock: released in us-east-1, us-west-2',
        "us-east-1 stays drained: set /multi-region-ref/drain to 'false' in us-east-1 when it should serve again",
        ...canaryLeftoverLines(h.world.topology, DRILL, PRIMARY),
        '',
      ].join('\n'),
    );
    expect(readJournal(h.stateDir, DRILL).at(-1)).toEqual({
      type: 'abandoned',
      at: Date.parse('2025-03-01T10:01:00Z'),
      reason: 'change freeze',
      pid: 4242,
      host: HOST,
      operator: {
        arn: 'arn:aws:sts::123456789012:assumed-role/DrillOperator/alice',
        account: '123456789012',
        userId: 'AROAEXAMPLEID:alice',
      },
      state: { writerRegion: PRIMARY, drains: { [PRIMARY]: "'true'", [SECONDARY]: "'false'" } },
      lockHeldIn: [PRIMARY, SECONDARY],
    });
    expect(h.world.lockIn(PRIMARY)).toBeUndefined();
    expect(h.world.lockIn(SECONDARY)).toBeUndefined();
    // Abandoning changes nothing that serves: the operator decides about the drain switch.
    expect(h.world.region(PRIMARY).drain).toBe('true');

    const resume = await h.run(['resume', '--execute', '--yes']);
    expect(resume.code).toBe(13);
    expect(resume.stderr).toContain(`error [NO_DRILL]: no unfinished drill in ${h.stateDir}`);
    const named = await h.run(['resume', '--drill-id', DRILL, '--execute', '--yes']);
    expect(named.stderr).toContain(
      `error [NO_DRILL]: drill ${DRILL} has already been abandoned; nothing to resume`,
    );

    const report = await h.run(['report', '--drill-id', DRILL, '--format', 'md']);
    expect(report.stdout).toContain(`md report of ${DRILL} (abandoned)`);
    const md = fs.readFileSync(path.join(h.stateDir, DRILL, 'report.md'), 'utf8');
    expect(md).toContain(
      '| abandoned | 2025-03-01T10:01:00.000Z by arn:aws:sts::123456789012:assumed-role/DrillOperator/alice on ' +
        `${HOST}: change freeze |`,
    );
    expect(md).toContain(
      "| left in this state | writer us-east-1; drain switches: us-east-1 'true', us-west-2 'false' |",
    );
    expect(md).toContain('| stopped with | [STEP_TIMEOUT] step fence timed out after 1m 00s');
  });

  test('GIVEN a drill that is running WHEN another operator abandons it THEN it is refused (exit 5) and the lock stays', async () => {
    h.world.promotionMs = 60_000;
    const first = h.run(h.switchover());
    await until(() => h.world.moving !== undefined);

    const result = await h.run(
      ['abandon', DRILL, '--reason', 'looks stuck', '--execute', '--yes'],
      otherOperator,
      path.join(h.dir, 'other-operator'),
    );

    expect(result.code).toBe(5);
    expect(result.stderr).toContain(
      `error [DRILL_LOCKED]: drill ${DRILL} is running (pid 4242 on ${HOST}`,
    );
    expect(h.world.lockIn(PRIMARY)).toMatchObject({ drillId: DRILL });
    expect((await first).code).toBe(0);
  });
});

describe('Ctrl-C during a drill', () => {
  test('GIVEN the drill waits for the writer WHEN SIGINT arrives THEN it journals a stop, keeps the lock, prints the state and the exact resume command (exit 130); resume finishes', async () => {
    h.world.promotionMs = 60_000;
    let interrupt: (() => void) | undefined;
    const listening = {
      onInterrupt: (handler: () => void) => {
        interrupt = handler;
        return () => (interrupt = undefined);
      },
    };
    const run = h.run(h.switchover(), listening);
    await until(() => journalHas(DRILL, 'wait-writer', 'started'));
    interrupt!();
    const result = await run;
    const callsAtStop = h.world.calls.length;

    expect(result.code).toBe(130);
    expect(result.stderr).toBe(
      [
        `error [INTERRUPTED]: drill ${DRILL} stopped at step wait-writer: interrupted by Ctrl-C (SIGINT)`,
        '  next: State: Aurora may still be moving the writer: check `npx drill status`. us-east-1 stays fenced. If the move completes, ' +
          "the resume command below verifies and finishes; if Aurora cancelled it, set /multi-region-ref/drain back to 'false' in us-east-1.",
        // Promoted: the canaries' rows are on the new writer.
        ...nextLines(canaryLeftoverLines(h.world.topology, DRILL, SECONDARY)),
        `  next: Continue with: npx drill resume --drill-id ${DRILL} --execute --outputs ${h.outputsFile} --state-dir ${h.stateDir}`,
        '',
      ].join('\n'),
    );
    expect(result.stdout).toContain('5/12 wait-writer: INTERRUPTED after 0ms');
    expect(result.stdout).toContain(
      `lock: kept in us-east-1, us-west-2 (the drill started fence, started promote): no other drill starts until it is resumed or abandoned (\`npx drill abandon ${DRILL} --reason "<why>" --execute --outputs ${h.outputsFile} --state-dir ${h.stateDir}\`)`,
    );
    expect(readJournal(h.stateDir, DRILL).at(-1)).toMatchObject({
      type: 'stopped',
      step: 'wait-writer',
      error: { code: 'INTERRUPTED', message: 'interrupted by Ctrl-C (SIGINT)' },
    });
    expect(interrupt).toBeUndefined(); // the handler is removed: a second Ctrl-C kills at once
    // What the interrupted step still does makes no AWS call.
    await h.world.clock.sleep(30_000);
    expect(h.world.calls.length).toBe(callsAtStop);

    const resumed = await h.run(['resume', '--execute', '--yes'], {
      pid: 5000,
      isProcessAlive: (p) => p === 5000,
    });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
    expect(mutatingCalls(h.world)).toEqual([
      `ssm:PutParameter ${PRIMARY}`,
      `rds:SwitchoverGlobalCluster ${SECONDARY}`,
      `ssm:PutParameter ${PRIMARY}`,
    ]);
  });
});
