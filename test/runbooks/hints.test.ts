// Every "next:" line names a command an SRE can paste: `npx drill ...` with the drill id and
// the options (outputs, state directory) the drill ran with.
import { DescribeGlobalClustersCommand } from '@aws-sdk/client-rds';
import { canaryLeftoverLines, nextLines } from './canary-leftover';
import { faults } from './fake-aws';
import { drillIds, PRIMARY, SECONDARY, useFakeAws } from './harness';

const h = useFakeAws();
const ID = 'switchover-20250301T100000Z-us-west-2';
/** The options the harness passes, as a printed command repeats them. */
const place = () => `--outputs ${h.outputsFile} --state-dir ${h.stateDir}`;

describe('a stopped drill prints the exact resume command', () => {
  test('GIVEN throttling on the fence that outlasts the SDK retries and the step timeout THEN every next: line says what to do, the last one the full resume command', async () => {
    h.world.fail('ssm:PutParameter', faults.throttling(), { name: '/multi-region-ref/drain' });

    // Shorter than the first pause (the 5 s poll interval): the fence does not run again.
    const result = await h.run(h.switchover('--timeout', 'fence=4s'));

    expect(result.code).toBe(9);
    expect(result.stderr).toBe(
      [
        `error [AWS_ERROR]: drill ${ID} stopped at step fence: ssm PutParameter in us-east-1 throttled (after 5 attempts): Throttling: Rate exceeded`,
        "  next: State: The writer has not moved. us-east-1 may be drained: its service refuses traffic, but write.example.com still answers us-east-1 (Route 53 answers the PRIMARY while every writer check is unhealthy). To back out, set /multi-region-ref/drain to 'false' in us-east-1; to go on, run the resume command below.",
        '  next: This is usually temporary: wait a minute, then rerun (a stopped drill continues with its resume command)',
        // Before the promotion the canaries' rows are on the old writer.
        ...nextLines(canaryLeftoverLines(h.world.topology, ID, PRIMARY)),
        `  next: Continue with: npx drill resume --drill-id ${ID} --execute ${place()}`,
        '',
      ].join('\n'),
    );
  });

  test('GIVEN the old writer never becomes a healthy secondary THEN the wait names the status command and the resume command', async () => {
    h.world.region(PRIMARY).rpoLagMs = 120_000;

    const result = await h.run(h.switchover('--timeout', 'return-old-writer=1m'));

    expect(result.code).toBe(7);
    expect(result.stderr.split('\n').slice(1)).toEqual([
      "  next: State: The drill's move is done; us-east-1 is still drained (safe: it takes no traffic). The resume command below finishes when it is a healthy secondary, or set /multi-region-ref/drain to 'false' by hand.",
      '  next: us-east-1 stays drained (safe: it takes no traffic). Check it with `npx drill status`; when it is a healthy secondary, the resume command below finishes, or set /multi-region-ref/drain to false in us-east-1 by hand',
      // After the promotion they are on the new writer.
      ...nextLines(canaryLeftoverLines(h.world.topology, ID, SECONDARY)),
      `  next: Continue with: npx drill resume --drill-id ${ID} --execute ${place()}`,
      '',
    ]);
  });

  test('GIVEN the printed resume command WHEN it is run as printed THEN it finds the drill and finishes it', async () => {
    h.world.fail('ssm:PutParameter', faults.throttling(), { name: '/multi-region-ref/drain' });
    const stopped = await h.run(h.switchover('--timeout', 'fence=4s'));
    const printed = /Continue with: npx drill (.+)\n/.exec(stopped.stderr)![1].split(' ');

    // The harness adds --outputs and --state-dir itself; the printed ones come first and match.
    const resumed = await h.run([...printed, '--yes', ...h.fast]);

    expect(printed).toEqual([
      'resume',
      '--drill-id',
      ID,
      '--execute',
      '--outputs',
      h.outputsFile,
      '--state-dir',
      h.stateDir,
    ]);
    expect(resumed.code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
  });
});

describe('hints outside a running drill name full commands', () => {
  test('GIVEN a network timeout reading the global cluster in every region THEN the hint is to check the network to the last region tried', async () => {
    h.world.fail('rds:DescribeGlobalClusters', faults.networkTimeout(), { times: 2 });

    const result = await h.run(['status']);

    expect(result.code).toBe(9);
    expect(result.stderr).toBe(
      [
        'error [AWS_ERROR]: could not read global cluster multi-region-ref-global in any region:',
        '  us-east-1: rds DescribeGlobalClusters in us-east-1 network failure (after 5 attempts): TimeoutError: connect ETIMEDOUT (simulated: an injected network fault)',
        '  us-west-2: rds DescribeGlobalClusters in us-west-2 network failure (after 5 attempts): TimeoutError: connect ETIMEDOUT (simulated: an injected network fault)',
        "  next: Check this host's network access to rds in us-west-2 (VPN, firewall, DNS); if it was a blip, wait a minute, then rerun (a stopped drill continues with its resume command)",
        '',
      ].join('\n'),
    );
  });

  test('GIVEN a failover without --allow-data-loss THEN the hint is the switchover command for the same target', async () => {
    const result = await h.run(['failover', '--to', SECONDARY]);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error [USAGE]: failover promotes at once and loses writes not yet replicated; pass --allow-data-loss to confirm\n' +
        '  next: For a planned move without data loss use `npx drill switchover --to us-west-2`\n',
    );
  });

  test('GIVEN the global cluster has no writer THEN the hint is the status command and the failover command', async () => {
    const headless = h.world.globalCluster();
    h.mocks.rds.on(DescribeGlobalClustersCommand).resolves({
      GlobalClusters: [
        {
          ...headless,
          GlobalClusterMembers: headless.GlobalClusterMembers!.map((m) => ({
            ...m,
            IsWriter: false,
          })),
        },
      ],
    });

    const result = await h.run(['switchover', '--to', SECONDARY]);

    expect(result.code).toBe(8);
    expect(result.stderr).toBe(
      'error [UNEXPECTED_STATE]: global cluster multi-region-ref-global has no writer\n' +
        `  next: Run \`npx drill status --outputs ${h.outputsFile}\`; an unplanned failover may be needed: \`npx drill failover --to us-west-2 --allow-data-loss\`\n`,
    );
  });

  test('GIVEN the target already holds the writer and a drill holds the lock THEN it names the resume command of that drill', async () => {
    h.world.writer = SECONDARY;
    h.world.setLock(PRIMARY, {
      drillId: ID,
      host: 'elsewhere',
      pid: 1,
      acquiredAt: '2025-03-01T09:00:00.000Z',
      expiresAt: '2025-03-01T09:05:00.000Z',
    });

    const result = await h.run(['switchover', '--to', SECONDARY]);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `nothing to do: us-west-2 already holds the writer of multi-region-ref-global; drill ${ID} holds the lock: \`npx drill resume --drill-id ${ID} --execute ${place()}\` finishes it\n`,
    );
  });

  test('GIVEN no drill WHEN resuming THEN the hint lists the commands that start one', async () => {
    const result = await h.run(['resume', '--execute', '--yes']);

    expect(result.code).toBe(13);
    expect(result.stderr).toBe(
      `error [NO_DRILL]: no unfinished drill in ${h.stateDir}\n` +
        '  next: Start one with `npx drill switchover --to <region>`, `npx drill failover --to <region> --allow-data-loss`, `npx drill failback`\n',
    );
  });

  test('GIVEN a finished drill WHEN it is resumed by id THEN the hint is its report command', async () => {
    await h.run(h.switchover());
    const [id] = drillIds(h.stateDir);

    const result = await h.run(['resume', '--drill-id', id, '--execute', '--yes']);

    expect(result.code).toBe(13);
    expect(result.stderr).toBe(
      `error [NO_DRILL]: drill ${id} has already finished; nothing to resume\n` +
        `  next: Read it with \`npx drill report --drill-id ${id} --state-dir ${h.stateDir}\`\n`,
    );
    expect(h.world.writer).toBe(SECONDARY);
  });
});
