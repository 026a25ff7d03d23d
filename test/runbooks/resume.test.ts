import { SwitchoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import { VirtualClock } from './fake-aws';
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
    expect(result.stdout).toContain('3/8 fence: already completed');
    expect(result.stdout).toContain(
      '4/8 promote: skipped in 0ms: already switching-over to us-west-2',
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

  test('GIVEN a drill stopped by preflight WHEN resumed with --force THEN it says --force belongs to a new drill (exit 2)', async () => {
    h.world.region(SECONDARY).rpoLagMs = 45_000;
    expect((await h.run(switchover())).code).toBe(4);

    const result = await h.run([
      'resume',
      '--execute',
      '--yes',
      '--force',
      '--reason',
      'lag is fine',
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error [USAGE]: --force and --reason apply when a drill starts, not to resume',
    );
    expect(mutatingCalls(h.world)).toEqual([]);
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
