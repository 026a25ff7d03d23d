import { faults, START_TIME } from './fake-aws';
import { PRIMARY, SECONDARY, useFakeAws } from './harness';
import type { Snapshot } from '../../runbooks/drill/observe';

const h = useFakeAws();

describe('drill status', () => {
  test('THEN it shows the writer, member states, lag, the RPO each cluster enforces, health checks, DNS answers and drain switches', async () => {
    const result = await h.run(['status']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'global cluster multi-region-ref-global: available, engine 16.6, writer in us-east-1',
    );
    expect(result.stdout).toMatch(
      /│ us-east-1 │ primary +│ WRITER +│ available │ 2 +│ 16\.6 +│ - +│ - +│ 30 s +│ false │/,
    );
    // The synthesized secondary has one instance, and its group leaves the RPO at the default.
    expect(result.stdout).toMatch(
      /│ us-west-2 │ secondary +│ secondary +│ available │ 1 +│ 16\.6 +│ 250 ms +│ 400 ms +│ no +│ false │/,
    );
    // Read live, in each region, from the group the outputs name.
    expect(
      h.world.callsOf('rds:DescribeDBClusterParameters').map((c) => [c.region, c.input]),
    ).toEqual(
      [PRIMARY, SECONDARY].map((region) => [
        region,
        {
          DBClusterParameterGroupName: h.world.deployed(region).clusterParameterGroupName,
          Source: 'user',
        },
      ]),
    );
    expect(result.stdout).toMatch(/│ us-west-2 │ healthy \(16\/16\) +│ UNHEALTHY \(0\/16\) +│/);
    expect(result.stdout).toContain(
      `│ write.example.com │ ${h.world.deployed(PRIMARY).writeTarget}`,
    );
    expect(result.stdout).toContain('alarms in ALARM: none');
  });

  test('GIVEN --json THEN it prints the snapshot, with lag read in the secondary region', async () => {
    const result = await h.run(['status', '--json']);
    const snapshot = JSON.parse(result.stdout) as Snapshot;

    expect(snapshot.writerRegion).toBe(PRIMARY);
    expect(snapshot.regions.find((r) => r.region === SECONDARY)?.lag).toEqual({
      ok: true,
      value: { replicationMs: 250, rpoMs: 400, rpoAtMs: START_TIME },
    });
    expect(h.world.callsOf('cloudwatch:GetMetricData').map((c) => c.region)).toEqual([SECONDARY]);
    expect(h.world.callsOf('cloudwatch:GetMetricData')[0].input).toMatchObject({
      MetricDataQueries: [
        {
          Id: 'replication',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/RDS',
              MetricName: 'AuroraGlobalDBReplicationLag',
              Dimensions: [
                { Name: 'DBClusterIdentifier', Value: 'multi-region-ref-global-us-west-2' },
              ],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        },
        {
          Id: 'rpo',
          MetricStat: {
            Metric: { MetricName: 'AuroraGlobalDBRPOLag' },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
    });
  });

  test('GIVEN one region cannot be read THEN status still answers, the cells point to a numbered error list and the tables stay narrow', async () => {
    h.world.fail(
      'rds:DescribeDBClusters',
      faults.accessDenied('rds:DescribeDBClusters', h.world.clusterArn(SECONDARY)),
      { region: SECONDARY },
    );
    h.world.fail('cloudwatch:DescribeAlarms', faults.throttling(), { region: SECONDARY });

    const result = await h.run(['status']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /│ us-west-2 │ secondary +│ secondary +│ error \[1\] │ error \[1\] +│ error \[1\] │ 250 ms +│ 400 ms +│ no +│ false │/,
    );
    expect(result.stdout).toContain('alarms in ALARM:\n  us-west-2: error [2]\n');
    // The error list closes the snapshot; the lock and the unfinished drills follow it.
    expect(
      result.stdout.slice(result.stdout.indexOf('errors:'), result.stdout.indexOf('\nlock (')),
    ).toBe(
      [
        'errors:',
        '  [1] rds DescribeDBClusters in us-west-2 failed: AccessDenied: User: arn:aws:sts::123456789012:assumed-role/DrillOperatorRole/sre-session ' +
          'is not authorized to perform: rds:DescribeDBClusters on resource: arn:aws:rds:us-west-2:123456789012:cluster:multi-region-ref-global-us-west-2 ' +
          'because no identity-based policy allows the rds:DescribeDBClusters action',
        '  [2] cloudwatch DescribeAlarms in us-west-2 throttled (after 5 attempts): Throttling: Rate exceeded',
        '',
      ].join('\n'),
    );
    const tableLines = result.stdout.split('\n').filter((line) => /^[┌│├└]/.test(line));
    expect(Math.max(...tableLines.map((line) => line.length))).toBeLessThanOrEqual(120);
  });

  test('GIVEN a switchover in progress THEN status shows the failover state', async () => {
    h.world.moving = {
      kind: 'switchover',
      from: PRIMARY,
      to: SECONDARY,
      startedAt: h.world.clock.now() - 10_000,
    };

    const result = await h.run(['status']);

    expect(result.stdout).toContain(
      'writer in us-east-1; switching-over from arn:aws:rds:us-east-1:123456789012:cluster:multi-region-ref-global-us-east-1 to arn:aws:rds:us-west-2:123456789012:cluster:multi-region-ref-global-us-west-2',
    );
  });
});

describe('drill status with three regions', () => {
  const three = useFakeAws([PRIMARY, SECONDARY, 'us-east-2']);

  test('GIVEN the primary is drained THEN the write name is followed through the standby set', async () => {
    three.world.writer = 'us-east-2';
    three.world.region(PRIMARY).drain = 'true';

    const result = await three.run(['status', '--json']);
    const snapshot = JSON.parse(result.stdout) as Snapshot;

    expect(snapshot.dns.write.answers).toEqual({
      ok: true,
      value: ['standby.write.example.com', three.world.deployed('us-east-2').writeTarget],
    });
  });
});
