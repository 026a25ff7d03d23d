import { SwitchoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import { drillIds, mutatingCalls, PRIMARY, readRecordFile, SECONDARY, useFakeAws } from './harness';

const h = useFakeAws();

describe('drill failback', () => {
  test('GIVEN an unplanned failover left us-east-1 drained WHEN failing back THEN it returns us-east-1 to service first, then moves the writer back', async () => {
    const failover = await h.run(h.failover());
    expect(failover.code).toBe(0);
    expect(h.world.region(PRIMARY).drain).toBe('true');
    const before = h.world.calls.length;

    const result = await h.run(['failback', '--execute', '--yes', ...h.fast]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(h.world.writer).toBe(PRIMARY);
    expect(h.world.region(PRIMARY).drain).toBe('false');
    expect(h.world.region(SECONDARY).drain).toBe('false');
    expect(mutatingCalls(h.world, before)).toEqual([
      `ssm:PutParameter ${PRIMARY}`, // ready-target: us-east-1 serves reads again
      `ssm:PutParameter ${SECONDARY}`, // fence the failover's writer
      `rds:SwitchoverGlobalCluster ${PRIMARY}`,
      `ssm:PutParameter ${SECONDARY}`, // us-west-2 back as a secondary
    ]);
    expect(
      h.world.calls
        .slice(before)
        .filter(
          (c) =>
            c.operation === 'ssm:PutParameter' &&
            (c.input as { Name: string }).Name !== h.world.lockName(c.region),
        )
        .map((c) => (c.input as { Value: string }).Value),
    ).toEqual(['false', 'true', 'false']);
    expect(
      h.mocks.rds.commandCalls(SwitchoverGlobalClusterCommand)[0].args[0].input
        .TargetDbClusterIdentifier,
    ).toBe(h.world.clusterArn(PRIMARY));

    const failbackId = drillIds(h.stateDir).find((id) => id.startsWith('failback-'))!;
    const record = readRecordFile(h.stateDir, failbackId);
    expect(record.steps.map((s) => s.id)).toEqual([
      'preflight',
      'prepare-canary',
      'ready-target',
      'rejoin-rpo',
      'fence',
      'promote',
      'wait-writer',
      'align-rpo',
      'verify-traffic',
      'verify-writes',
      'verify-client-writes',
      'return-old-writer',
      'settle-rpo',
      'clean-canary',
    ]);
    // settle-rpo finds the groups aligned already: align-rpo saw us-west-2 healthy at once.
    expect(record.steps.filter((s) => s.status !== 'completed').map((s) => s.id)).toEqual([
      'settle-rpo',
    ]);
    expect(record.measures.lostRows).toEqual([]);
  });

  test('GIVEN a planned switchover earlier WHEN failing back THEN the primary region takes the writer back', async () => {
    expect(
      (await h.run(['switchover', '--to', SECONDARY, '--execute', '--yes', ...h.fast])).code,
    ).toBe(0);

    const result = await h.run(['failback', '--execute', '--yes', ...h.fast]);

    expect(result.code).toBe(0);
    expect(h.world.writer).toBe(PRIMARY);
    const record = readRecordFile(
      h.stateDir,
      drillIds(h.stateDir).find((id) => id.startsWith('failback-'))!,
    );
    // us-east-1 was never drained: returning it to service is a verified no-op.
    expect(record.steps.find((s) => s.id === 'ready-target')?.status).toBe('skipped');
  });

  test('GIVEN the writer is already in the primary region WHEN failing back THEN there is nothing to do', async () => {
    const result = await h.run(['failback', '--execute', '--yes']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('nothing to do: us-east-1 already holds the writer');
    expect(mutatingCalls(h.world)).toEqual([]);
  });

  test('GIVEN the primary region is not yet a healthy secondary (lag over the RPO) WHEN failing back THEN preflight refuses', async () => {
    await h.run(h.failover());
    h.world.region(PRIMARY).rpoLagMs = 45_000;
    const before = mutatingCalls(h.world).length;

    const result = await h.run(['failback', '--execute', '--yes', ...h.fast]);

    expect(result.code).toBe(4);
    expect(result.stderr).toContain('lag-under-rpo');
    expect(result.stderr).toContain('us-east-1: RPO lag 45000 ms >= 30000 ms');
    expect(mutatingCalls(h.world)).toHaveLength(before);
  });
});
