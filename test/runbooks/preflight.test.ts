import { PRIMARY, SECONDARY, useFakeAws, type Harness } from './harness';

const h = useFakeAws();

function failedChecks(stdout: string): string[] {
  return [...stdout.matchAll(/│ ([a-z-]+) +│ FAIL +│/g)].map((m) => m[1]);
}

describe('drill preflight', () => {
  test('GIVEN a healthy pair THEN every check passes (exit 0)', async () => {
    const result = await h.run(['preflight']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'preflight for a switchover of multi-region-ref-global: us-east-1 -> us-west-2',
    );
    for (const id of [
      'target-secondary',
      'target-available',
      'target-not-headless',
      'members-available',
      'engine-versions',
      'no-operation-in-progress',
      'lag-under-rpo',
      'health-checks',
      'dns-answers',
      'record-ttls',
      'no-alarms',
      'drains-off',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`│ ${id} +│ pass +│`));
    }
    expect(result.stdout).toContain('all 15 checks passed');
    // Alarms are read in every region with the stacks' common name prefix.
    expect(h.world.callsOf('cloudwatch:DescribeAlarms').map((c) => [c.region, c.input])).toEqual(
      expect.arrayContaining([
        [
          PRIMARY,
          expect.objectContaining({ StateValue: 'ALARM', AlarmNamePrefix: 'MultiRegion-' }),
        ],
        [
          SECONDARY,
          expect.objectContaining({ StateValue: 'ALARM', AlarmNamePrefix: 'MultiRegion-' }),
        ],
      ]),
    );
  });

  test.each<[string, (hh: Harness) => void, string, string]>([
    [
      'a headless target',
      (hh) => (hh.world.region(SECONDARY).instances = 0),
      'target-not-headless',
      'headless: add an instance',
    ],
    [
      'different engine versions',
      (hh) => (hh.world.region(SECONDARY).engineVersion = '16.4'),
      'engine-versions',
      'us-east-1: 16.6; us-west-2: 16.4',
    ],
    [
      'a switchover in progress',
      (hh) =>
        (hh.world.moving = {
          kind: 'switchover',
          from: PRIMARY,
          to: SECONDARY,
          startedAt: hh.world.clock.now(),
        }),
      'no-operation-in-progress',
      'pending from arn:aws:rds:us-east-1',
    ],
    [
      'a 300 s TTL',
      (hh) => hh.world.records.forEach((r) => (r.ttl = 300)),
      'record-ttls',
      'app.example.com us-east-1 TTL 300 s',
    ],
    [
      'a drained region',
      (hh) => (hh.world.region(SECONDARY).drain = 'true'),
      'drains-off',
      "us-west-2: 'true'",
    ],
    [
      'an unhealthy serving check',
      (hh) => hh.world.forcedUnhealthy.add(hh.world.checkId(SECONDARY, 'serving')),
      'health-checks',
      'us-west-2 serving (a94087b8-d6da-2777-6769-a93fea018255): unhealthy, 0/16',
    ],
    [
      'a serving alarm in ALARM',
      (hh) =>
        hh.world.alarms.push({
          region: PRIMARY,
          AlarmName: 'MultiRegion-Routing-ServingAlarmuswest2-ABC',
          StateValue: 'ALARM',
          Namespace: 'AWS/Route53',
          MetricName: 'HealthCheckStatus',
          Dimensions: [{ Name: 'HealthCheckId', Value: h.world.checkId(SECONDARY, 'serving') }],
        }),
      'no-alarms',
      'us-east-1: MultiRegion-Routing-ServingAlarmuswest2-ABC',
    ],
  ])(
    'GIVEN %s THEN that check fails with its reason (exit 4)',
    async (_case, arrange, check, reason) => {
      arrange(h);

      const result = await h.run(['preflight', '--to', SECONDARY]);

      expect(result.code).toBe(4);
      expect(failedChecks(result.stdout)).toContain(check);
      expect(result.stdout.replace(/\s*│\s*/g, ' ').replace(/\s+/g, ' ')).toContain(reason);
    },
  );

  test('GIVEN lag alarms of the current writer (it publishes no lag) THEN they are expected and pass', async () => {
    h.world.alarms.push({
      region: PRIMARY,
      AlarmName: 'MultiRegion-Database-us-east-1-LagAlarmsAuroraGlobalDBRPOLagcritical-XYZ',
      StateValue: 'ALARM',
      Namespace: 'AWS/RDS',
      MetricName: 'AuroraGlobalDBRPOLag',
      Dimensions: [
        { Name: 'DBClusterIdentifier', Value: h.world.deployed(PRIMARY).clusterIdentifier },
      ],
    });

    const result = await h.run(['preflight']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'none unexpected (1 expected: lag of the writer, or checks expected unhealthy)',
    );
  });

  test('GIVEN the writer is away from the primary region and the primary is drained THEN preflight judges a failback and allows the drain', async () => {
    h.world.writer = SECONDARY;
    h.world.region(PRIMARY).drain = 'true';

    const result = await h.run(['preflight']);

    expect(result.stdout).toContain(
      'preflight for a failback of multi-region-ref-global: us-west-2 -> us-east-1',
    );
    expect(result.stdout).toContain(
      "all 'false' except us-east-1, which the failback returns to service first",
    );
    expect(result.code).toBe(0);
  });

  test('GIVEN an unknown --to region THEN it is a usage error naming the known regions (exit 2)', async () => {
    const result = await h.run(['preflight', '--to', 'eu-west-9']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error [USAGE]: unknown region eu-west-9;');
    expect(result.stderr).toContain('names us-east-1, us-west-2');
  });
});
