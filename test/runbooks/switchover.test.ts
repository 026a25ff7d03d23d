import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExecuteStatementCommand } from '@aws-sdk/client-rds-data';
import { SwitchoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import {
  drillIds,
  firstCall,
  lastCall,
  lockCalls,
  mutatingCalls,
  PRIMARY,
  readJournal,
  readRecordFile,
  SECONDARY,
  useFakeAws,
} from './harness';

const h = useFakeAws();

describe('drill switchover --execute (planned, no data loss)', () => {
  test('GIVEN a healthy pair WHEN switching over THEN it fences, promotes, verifies traffic and writes, then returns the old region', async () => {
    const result = await h.run(['switchover', '--to', SECONDARY, '--execute', '--yes', ...h.fast]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
    expect(h.world.region(PRIMARY).drain).toBe('false');
    // Fence before promote, promote before the traffic check, canary verification after it,
    // and the old region back in service last.
    expect(mutatingCalls(h.world)).toEqual([
      `ssm:PutParameter ${PRIMARY}`,
      `rds:SwitchoverGlobalCluster ${SECONDARY}`,
      `ssm:PutParameter ${PRIMARY}`,
    ]);
    const fence = firstCall(h.world, 'ssm:PutParameter', (i) => i.Value === 'true');
    const promote = firstCall(h.world, 'rds:SwitchoverGlobalCluster');
    const verifyTraffic = h.world.calls.findIndex(
      (c, i) => i > promote && c.operation === 'route53:TestDNSAnswer',
    );
    const verifyWrite = h.world.calls.findIndex(
      (c, i) =>
        i > verifyTraffic && c.operation === 'rds-data:ExecuteStatement' && c.region === SECONDARY,
    );
    const unfence = lastCall(h.world, 'ssm:PutParameter', (i) => i.Value === 'false');
    expect(verifyTraffic).toBeGreaterThan(0);
    expect(fence).toBeLessThan(promote);
    expect(promote).toBeLessThan(verifyTraffic);
    expect(verifyTraffic).toBeLessThan(verifyWrite);
    expect(verifyWrite).toBeLessThan(unfence);

    expect(h.mocks.rds.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(1);
    expect(h.mocks.rds.commandCalls(SwitchoverGlobalClusterCommand)[0].args[0].input).toEqual({
      GlobalClusterIdentifier: 'multi-region-ref-global',
      TargetDbClusterIdentifier: h.world.clusterArn(SECONDARY),
    });
    const drainName = h.world.deployed(PRIMARY).drainParameterName;
    expect(
      h.world
        .callsOf('ssm:PutParameter')
        .find((c) => 'Name' in c.input && c.input.Name === drainName)?.input,
    ).toMatchObject({
      Name: drainName,
      Value: 'true',
      Overwrite: true,
    });
  });

  test('THEN the record has every step with its duration, the database-level RTO and no lost rows', async () => {
    await h.run(['switchover', '--to', SECONDARY, '--execute', '--yes', ...h.fast]);
    const [drillId] = drillIds(h.stateDir);
    const record = readRecordFile(h.stateDir, drillId);

    expect(record.outcome).toBe('succeeded');
    expect(record.steps.map((s) => [s.id, s.status])).toEqual([
      ['preflight', 'completed'],
      ['prepare-canary', 'completed'],
      ['fence', 'completed'],
      ['promote', 'completed'],
      ['wait-writer', 'completed'],
      ['align-rpo', 'completed'],
      ['verify-traffic', 'completed'],
      ['verify-writes', 'completed'],
      ['verify-client-writes', 'completed'],
      ['return-old-writer', 'completed'],
      ['settle-rpo', 'skipped'],
      ['clean-canary', 'completed'],
    ]);
    // The fake stops writes 5 s into the promotion and completes it at 40 s.
    expect(record.steps.find((s) => s.id === 'wait-writer')?.durationMs).toBe(40_000);
    // The writer moved at 40 s; the client's answer of write. (TTL 60 s) expired at 60 s, and
    // verify-client-writes saw its write acknowledged through the new one at the 65 s poll.
    expect(record.totalMs).toBe(65_000);
    expect(record.measures.lostRows).toEqual([]);
    expect(record.measures.rpoLagMsAtPromotion).toBe(400);
    expect(record.measures.clientRtoMs).toBe(35_000);
    expect(record.measures.canaryFailures).toBe(35);
    // Every acknowledged canary row was on the new writer when verify-writes looked (the canary
    // goes on writing through verify-client-writes)...
    const { verifiedSeq } = record.steps.find((s) => s.id === 'verify-writes')!.details as {
      verifiedSeq: number;
    };
    const acknowledged = fs
      .readFileSync(path.join(h.stateDir, drillId, 'canary.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; ok: boolean })
      .filter((s) => s.ok && s.seq <= verifiedSeq);
    expect(record.steps.find((s) => s.id === 'verify-writes')?.details).toMatchObject({
      acknowledgedRows: acknowledged.length,
      lostRows: [],
    });
    // ...and the cleanup deleted them from the writer, whence the delete replicates.
    expect(h.world.rowsIn(SECONDARY, drillId)).toEqual([]);
    expect(h.world.rowsIn(PRIMARY, drillId)).toEqual([]);
    expect(h.mocks.rdsData.commandCalls(ExecuteStatementCommand).length).toBeGreaterThan(30);
  });

  test('THEN progress shows each step with elapsed time and a summary table with the total; the lock is released', async () => {
    const result = await h.run(['switchover', '--to', SECONDARY, '--execute', '--yes', ...h.fast]);

    expect(result.stdout).toMatch(/\[\+0:00\.0\] 1\/12 preflight: Preflight checks for us-west-2/);
    expect(result.stdout).toMatch(/\[\+0:40\.0\] 5\/12 wait-writer: completed in 40\.0s/);
    expect(result.stdout).toMatch(/│ 5 +│ wait-writer +│ completed +│ 40\.0s/);
    expect(result.stdout).toMatch(/│ +│ total +│ succeeded +│ 1m 05s/);
    expect(result.stdout).toContain('database-level RTO (canary): 35.0s');
    expect(result.stdout).toContain('lock: released in us-east-1, us-west-2\n');
    expect(h.world.lockIn(PRIMARY)).toBeUndefined();
    expect(h.world.lockIn(SECONDARY)).toBeUndefined();
    expect(lockCalls(h.world).at(-1)).toMatch(/^ssm:DeleteParameter /);
  });

  test('THEN the journal has started and completed events for every step, in order', async () => {
    await h.run(['switchover', '--to', SECONDARY, '--execute', '--yes', ...h.fast]);
    const journal = readJournal(h.stateDir, drillIds(h.stateDir)[0]);

    expect(journal[0]).toMatchObject({
      type: 'drill',
      params: { kind: 'switchover', fromRegion: PRIMARY, targetRegion: SECONDARY },
    });
    const events = journal.flatMap((e) =>
      e.type === 'step' && e.event !== 'note' ? [`${e.step} ${e.event}`] : [],
    );
    expect(events).toEqual([
      'preflight started',
      'preflight completed',
      'prepare-canary started',
      'prepare-canary completed',
      'fence started',
      'fence completed',
      'promote started',
      'promote completed',
      'wait-writer started',
      'wait-writer completed',
      'align-rpo started',
      'align-rpo completed',
      'verify-traffic started',
      'verify-traffic completed',
      'verify-writes started',
      'verify-writes completed',
      'verify-client-writes started',
      'verify-client-writes completed',
      'return-old-writer started',
      'return-old-writer completed',
      'settle-rpo started',
      'settle-rpo skipped',
      'clean-canary started',
      'clean-canary completed',
    ]);
    expect(journal.at(-1)).toMatchObject({ type: 'finished' });
  });

  test('GIVEN the target already holds the writer WHEN switching over to it THEN nothing is done (exit 0)', async () => {
    h.world.writer = SECONDARY;
    const result = await h.run(['switchover', '--to', SECONDARY, '--execute', '--yes']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('nothing to do: us-west-2 already holds the writer');
    expect(mutatingCalls(h.world)).toEqual([]);
  });
});
