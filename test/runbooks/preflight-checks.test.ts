// Every preflight check, each way it must fail, at its boundaries: pure evaluations of a snapshot
// read from the fake built from the synthesized app, edited per case.
import { AwsCaller, CallMeter, sdkAdapters } from '../../runbooks/drill/aws/adapters';
import { AwsClients, DEFAULT_CLIENT_SETTINGS } from '../../runbooks/drill/aws/clients';
import { observe, type Snapshot } from '../../runbooks/drill/observe';
import {
  evaluatePreflight,
  evaluateResumeGate,
  PROMOTION_GATE,
  type CheckResult,
} from '../../runbooks/drill/preflight';
import type { DrillKind } from '../../runbooks/drill/model';
import type { SimulatedWorld } from './fake-aws';
import { PRIMARY, SECONDARY, useFakeAws, type Harness } from './harness';

type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };
type Draft = Mutable<Snapshot>;

const h = useFakeAws();
const THIRD = 'us-east-2';

async function snapshotOf(harness: Harness): Promise<Draft> {
  const clients = new AwsClients({
    ...DEFAULT_CLIENT_SETTINGS,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  });
  try {
    const aws = sdkAdapters(
      clients,
      new AwsCaller('dry-run', new CallMeter()),
      PRIMARY,
      harness.world.client,
    );
    const snapshot = await observe(aws, harness.world.topology, {
      clock: harness.world.clock,
      homeRegion: PRIMARY,
      client: {},
      capacity: true,
    });
    return structuredClone(snapshot) as Draft;
  } finally {
    clients.destroy();
  }
}

function judge(
  harness: Harness,
  snapshot: Draft,
  kind: DrillKind = 'switchover',
  targetRegion = SECONDARY,
): Record<string, CheckResult> {
  const results = evaluatePreflight(snapshot as Snapshot, harness.world.topology, {
    kind,
    targetRegion,
  });
  return Object.fromEntries(results.map((r) => [r.id, r]));
}

const region = (s: Draft, name: string) => s.regions.find((r) => r.region === name)!;
const failed = (results: Record<string, CheckResult>) =>
  Object.values(results)
    .filter((r) => !r.ok)
    .map((r) => r.id);

/** A world edit before the snapshot, and a snapshot edit after it. */
type Case = [
  name: string,
  edit: { world?: (w: SimulatedWorld) => void; snapshot?: (s: Draft, w: SimulatedWorld) => void },
  check: string,
  reason: string,
  /** Other checks the same fault fails too (a cluster that is not available fails its checks). */
  alsoFailing?: string[],
];

async function run(harness: Harness, c: Case, kind: DrillKind = 'switchover', target = SECONDARY) {
  c[1].world?.(harness.world);
  const snapshot = await snapshotOf(harness);
  c[1].snapshot?.(snapshot, harness.world);
  return judge(harness, snapshot, kind, target);
}

describe('preflight checks on the synthesized deployment', () => {
  test('GIVEN a healthy pair THEN every check passes, each with its reason', async () => {
    const results = judge(h, await snapshotOf(h));
    const w = h.world;

    expect(failed(results)).toEqual([]);
    expect(Object.fromEntries(Object.values(results).map((r) => [r.id, r.reason]))).toEqual({
      'target-secondary': `${w.deployed(SECONDARY).clusterIdentifier} is a secondary`,
      'target-available': 'status available',
      'target-not-headless': '1 instance(s)',
      'members-available': '2 members available',
      'engine-versions': 'all on 16.6',
      'no-operation-in-progress': 'global cluster status available',
      'lag-under-rpo': 'us-west-2: 400 ms',
      'health-checks': 'all as expected',
      'dns-answers': `write.example.com -> ${w.deployed(PRIMARY).writeTarget} (us-east-1); app.example.com -> ${w.deployed(PRIMARY).appTarget} (us-east-1)`,
      'record-ttls': '4 records checked',
      'no-alarms': 'none in ALARM',
      'drains-off': "all 'false'",
      'target-capacity':
        'db.r6g.large (aurora-postgresql 16.6) offered; DB instances 40 >= 40; DB clusters 40 >= 40',
      'client-canary':
        `write.example.com -> ${w.deployed(PRIMARY).writeTarget} (us-east-1); app.example.com -> ${w.deployed(PRIMARY).appTarget} (us-east-1); ` +
        'GET /items/drill-preflight-0 through app.example.com (192.0.2.3, us-east-1): 404 (DNS, TLS, SigV4 and execute-api:Invoke work)',
      // The app synthesizes an ARC Region switch plan: its managed check of the target counts.
      'arc-health-check': `${w.topology.regionSwitch!.plans[SECONDARY].planName}: ${[...w.arcHealthChecks].find(([, c]) => c.region === SECONDARY)![0]} healthy`,
    });
  });

  const failures: Case[] = [
    // target-secondary
    [
      'the target is not a member',
      { snapshot: (s) => (region(s, SECONDARY).isMember = false) },
      'target-secondary',
      'multi-region-ref-global-us-west-2 is not a member of the global cluster',
      ['lag-under-rpo'],
    ],
    [
      'the target holds the writer',
      { snapshot: (s) => (region(s, SECONDARY).isWriter = true) },
      'target-secondary',
      'us-west-2 already holds the writer',
      ['health-checks', 'lag-under-rpo'],
    ],
    // target-available
    [
      'the target is modifying',
      { world: (w) => (w.region(SECONDARY).status = 'modifying') },
      'target-available',
      'status modifying',
      ['health-checks', 'members-available'],
    ],
    [
      'the target cluster cannot be read',
      { snapshot: (s) => (region(s, SECONDARY).cluster = { ok: false, error: 'AccessDenied' }) },
      'target-available',
      'error: AccessDenied',
      ['engine-versions', 'members-available', 'target-not-headless'],
    ],
    // target-not-headless
    [
      'a headless target (0 instances)',
      { world: (w) => (w.region(SECONDARY).instances = 0) },
      'target-not-headless',
      'headless: add an instance before it can take the writer',
      // Deployed with readers, it has a serving check, which fails with no instance to query.
      ['health-checks'],
    ],
    [
      'a target whose instances cannot be read',
      { snapshot: (s) => (region(s, SECONDARY).cluster = { ok: false, error: 'timeout' }) },
      'target-not-headless',
      'error: timeout',
      ['engine-versions', 'members-available', 'target-available'],
    ],
    // members-available
    [
      'the writer is backing up',
      { world: (w) => (w.region(PRIMARY).status = 'backing-up') },
      'members-available',
      'us-east-1: backing-up',
      ['health-checks'],
    ],
    [
      'a member cannot be read',
      { snapshot: (s) => (region(s, PRIMARY).cluster = { ok: false, error: 'timeout' }) },
      'members-available',
      'us-east-1: error: timeout',
      ['engine-versions'],
    ],
    // engine-versions
    [
      'different engine versions',
      { world: (w) => (w.region(SECONDARY).engineVersion = '16.4') },
      'engine-versions',
      'us-east-1: 16.6; us-west-2: 16.4',
    ],
    [
      'the target version cannot be read',
      { snapshot: (s) => (region(s, SECONDARY).cluster = { ok: false, error: 'timeout' }) },
      'engine-versions',
      'us-east-1: 16.6; us-west-2: error: timeout',
      ['members-available', 'target-available', 'target-not-headless'],
    ],
    [
      'no version can be read',
      {
        snapshot: (s) => s.regions.forEach((r) => (r.cluster = { ok: false, error: 'timeout' })),
      },
      'engine-versions',
      'no engine version could be read',
      ['members-available', 'target-available', 'target-not-headless'],
    ],
    // no-operation-in-progress
    [
      'a switchover in progress',
      {
        snapshot: (s, w) =>
          (s.globalCluster.failoverState = {
            status: 'pending',
            fromArn: w.clusterArn(PRIMARY),
            toArn: w.clusterArn(SECONDARY),
            dataLossAllowed: false,
          }),
      },
      'no-operation-in-progress',
      'pending from arn:aws:rds:us-east-1:123456789012:cluster:multi-region-ref-global-us-east-1 to arn:aws:rds:us-west-2:123456789012:cluster:multi-region-ref-global-us-west-2',
    ],
    [
      'the global cluster is modifying',
      { snapshot: (s) => (s.globalCluster.status = 'modifying') },
      'no-operation-in-progress',
      'global cluster status modifying',
    ],
    // lag-under-rpo
    [
      'RPO lag equal to the RPO',
      { world: (w) => (w.region(SECONDARY).rpoLagMs = 30_000) },
      'lag-under-rpo',
      'us-west-2: RPO lag 30000 ms >= 30000 ms',
    ],
    [
      'no RPO lag datapoint',
      { world: (w) => (w.region(SECONDARY).rpoLagMs = null) },
      'lag-under-rpo',
      'us-west-2: AuroraGlobalDBRPOLag not reported in the last 5 minutes',
    ],
    [
      'the lag cannot be read',
      { snapshot: (s) => (region(s, SECONDARY).lag = { ok: false, error: 'Throttling' }) },
      'lag-under-rpo',
      'us-west-2: Throttling',
    ],
    [
      'no lag read for a secondary',
      { snapshot: (s) => delete region(s, SECONDARY).lag },
      'lag-under-rpo',
      'us-west-2: no lag read',
    ],
    [
      'no secondary members',
      { snapshot: (s) => (region(s, SECONDARY).isMember = false) },
      'lag-under-rpo',
      'no secondary members',
      ['target-secondary'],
    ],
    // health-checks
    [
      'an unhealthy serving check',
      { world: (w) => w.forcedUnhealthy.add(w.checkId(SECONDARY, 'serving')) },
      'health-checks',
      'us-west-2 serving (a94087b8-d6da-2777-6769-a93fea018255): unhealthy, 0/16 checkers report success',
    ],
    [
      "a secondary's writer check that passes (a fail-open health function)",
      { world: (w) => w.forcedHealthy.add(w.checkId(SECONDARY, 'writer')) },
      'health-checks',
      'us-west-2 writer (17334591-8a5a-a680-21c0-f1bfdcf4e162): healthy (16/16 checkers report success) but expected unhealthy: us-west-2 does not hold the writer, so its /health/writer fails open',
    ],
    [
      'a health check that cannot be read',
      {
        snapshot: (s) =>
          (region(s, PRIMARY).writerCheck = { ok: false, error: 'NoSuchHealthCheck' }),
      },
      'health-checks',
      'us-east-1 writer (d2b3cec4-bd2b-b815-90d9-990fc1f9876b): NoSuchHealthCheck',
    ],
    // dns-answers
    [
      'the write name answering a region that is not the writer',
      {
        snapshot: (s, w) =>
          (s.dns.write.answers = { ok: true, value: [w.deployed(SECONDARY).writeTarget] }),
      },
      'dns-answers',
      'write.example.com -> d-137963ab7e.execute-api.us-west-2.amazonaws.com, expected the write target of the writer us-east-1 (d-c3ea364f2e.execute-api.us-east-1.amazonaws.com)',
    ],
    [
      'the write name answering nothing',
      { snapshot: (s) => (s.dns.write.answers = { ok: true, value: [] }) },
      'dns-answers',
      'write.example.com -> no answer, expected the write target of the writer us-east-1 (d-c3ea364f2e.execute-api.us-east-1.amazonaws.com)',
    ],
    [
      'the write name answering with the app target of the writer',
      {
        snapshot: (s, w) =>
          (s.dns.write.answers = { ok: true, value: [w.deployed(PRIMARY).appTarget] }),
      },
      'dns-answers',
      'write.example.com -> d-4eef5c52c0.execute-api.us-east-1.amazonaws.com, expected the write target of the writer us-east-1 (d-c3ea364f2e.execute-api.us-east-1.amazonaws.com)',
    ],
    [
      'TestDNSAnswer failing',
      { snapshot: (s) => (s.dns.write.answers = { ok: false, error: 'AccessDenied' }) },
      'dns-answers',
      'write.example.com: AccessDenied, expected the write target of the writer us-east-1 (d-c3ea364f2e.execute-api.us-east-1.amazonaws.com)',
    ],
    [
      'the app name answering a region whose serving check fails',
      {
        snapshot: (s) =>
          (region(s, PRIMARY).servingCheck = {
            ok: true,
            value: { healthy: false, succeeding: 0, reporting: 16 },
          }),
      },
      'dns-answers',
      'app.example.com -> d-4eef5c52c0.execute-api.us-east-1.amazonaws.com, expected the app target of a serving region (us-east-1 is not serving)',
      ['health-checks'],
    ],
    [
      'the app name answering a region whose serving check cannot be read',
      {
        snapshot: (s) =>
          (region(s, PRIMARY).servingCheck = { ok: false, error: 'NoSuchHealthCheck' }),
      },
      'dns-answers',
      'app.example.com -> d-4eef5c52c0.execute-api.us-east-1.amazonaws.com, expected the app target of a serving region (us-east-1 is not serving)',
      ['health-checks'],
    ],
    [
      'the app name answering the write target of a serving region',
      {
        snapshot: (s, w) =>
          (s.dns.app.answers = { ok: true, value: [w.deployed(PRIMARY).writeTarget] }),
      },
      'dns-answers',
      'app.example.com -> d-c3ea364f2e.execute-api.us-east-1.amazonaws.com, expected the app target of a serving region (us-east-1 is not serving)',
    ],
    [
      'the app name answering a name no region publishes',
      { snapshot: (s) => (s.dns.app.answers = { ok: true, value: ['elsewhere.example.net'] }) },
      'dns-answers',
      'app.example.com -> elsewhere.example.net, expected the app target of a serving region',
    ],
    // record-ttls
    [
      'a 61 s TTL',
      { world: (w) => (w.records.find((r) => r.name === 'write.example.com.')!.ttl = 61) },
      'record-ttls',
      'write.example.com us-east-1-primary TTL 61 s',
    ],
    [
      'an alias record',
      {
        snapshot: (s) => {
          if (s.records.ok) s.records.value[0].alias = true;
        },
      },
      'record-ttls',
      'app.example.com us-east-1 is an alias record (its TTL is not ours to set)',
    ],
    [
      'a record without a TTL',
      {
        snapshot: (s) => {
          if (s.records.ok) delete s.records.value[0].ttl;
        },
      },
      'record-ttls',
      'app.example.com us-east-1 TTL none s',
    ],
    [
      'no records',
      { snapshot: (s) => (s.records = { ok: true, value: [] }) },
      'record-ttls',
      'no records found for app.example.com or write.example.com',
    ],
    [
      'records that cannot be listed',
      { snapshot: (s) => (s.records = { ok: false, error: 'AccessDenied' }) },
      'record-ttls',
      'AccessDenied',
    ],
    // no-alarms
    [
      'a serving alarm in ALARM',
      {
        snapshot: (s) =>
          s.alarms[0].alarms.ok &&
          s.alarms[0].alarms.value.push({
            name: 'MultiRegion-Routing-us-west-2-serving',
            region: PRIMARY,
            metrics: [
              {
                namespace: 'AWS/Route53',
                metricName: 'HealthCheckStatus',
                dimensions: { HealthCheckId: h.world.checkId(SECONDARY, 'serving') },
              },
            ],
          }),
      },
      'no-alarms',
      'us-east-1: MultiRegion-Routing-us-west-2-serving',
    ],
    [
      'a lag alarm of a secondary',
      {
        snapshot: (s, w) =>
          s.alarms[1].alarms.ok &&
          s.alarms[1].alarms.value.push({
            name: 'MultiRegion-Database-us-west-2-rpo-lag',
            region: SECONDARY,
            metrics: [
              {
                namespace: 'AWS/RDS',
                metricName: 'AuroraGlobalDBRPOLag',
                dimensions: { DBClusterIdentifier: w.deployed(SECONDARY).clusterIdentifier },
              },
            ],
          }),
      },
      'no-alarms',
      'us-west-2: MultiRegion-Database-us-west-2-rpo-lag',
    ],
    [
      'an alarm without metrics',
      {
        snapshot: (s) =>
          s.alarms[0].alarms.ok &&
          s.alarms[0].alarms.value.push({
            name: 'MultiRegion-composite',
            region: PRIMARY,
            metrics: [],
          }),
      },
      'no-alarms',
      'us-east-1: MultiRegion-composite',
    ],
    [
      'alarms that cannot be read',
      { snapshot: (s) => (s.alarms[1].alarms = { ok: false, error: 'Throttling' }) },
      'no-alarms',
      'us-west-2: Throttling',
    ],
    // drains-off
    [
      'a drained secondary',
      { world: (w) => (w.region(SECONDARY).drain = 'true') },
      'drains-off',
      "us-west-2: 'true'",
      ['health-checks'],
    ],
    [
      'a drain switch with another value',
      { world: (w) => (w.region(PRIMARY).drain = 'yes') },
      'drains-off',
      "us-east-1: 'yes'",
      ['health-checks'],
    ],
    [
      'a drain switch that cannot be read',
      { snapshot: (s) => (region(s, PRIMARY).drain = { ok: false, error: 'ParameterNotFound' }) },
      'drains-off',
      'us-east-1: ParameterNotFound',
    ],
    // target-capacity
    [
      "the target's DB clusters quota below the writer region's",
      { world: (w) => w.lowerQuota(SECONDARY, 'L-952B80B8', 39) },
      'target-capacity',
      'us-west-2 DB clusters quota 39 < 40 in us-east-1 (L-952B80B8): request an increase in Service Quotas',
    ],
    [
      "the writer's instance class not offered in the target",
      { world: (w) => w.notOffered.add(`${SECONDARY}|db.r6g.large`) },
      'target-capacity',
      'db.r6g.large (aurora-postgresql 16.6) is not offered in us-west-2: choose an instance class both regions offer',
    ],
    [
      "the writer region's quota and the target's instance offering unreadable",
      {
        snapshot: (s) => {
          s.capacity!.regions[0].quotas[0].value = { ok: false, error: 'AccessDenied' };
          s.capacity!.regions[1].orderable = { ok: false, error: 'Throttling' };
        },
      },
      'target-capacity',
      'instance classes: Throttling; us-east-1 DB instances (L-7B6409FD): AccessDenied',
    ],
    [
      "the target's quota unreadable",
      {
        snapshot: (s) =>
          (s.capacity!.regions[1].quotas[1].value = {
            ok: false,
            error: 'NoSuchResourceException',
          }),
      },
      'target-capacity',
      'us-west-2 DB clusters (L-952B80B8): NoSuchResourceException',
    ],
    [
      'capacity not observed',
      { snapshot: (s) => delete s.capacity },
      'target-capacity',
      'not read: instance classes and quotas',
    ],
  ];

  test.each(failures)('GIVEN %s THEN that check fails with its reason', async (...c) => {
    const results = await run(h, c);
    const [, , id, reason, alsoFailing = []] = c;

    expect(results[id]).toMatchObject({ ok: false, reason });
    expect(failed(results).sort()).toEqual([id, ...alsoFailing].sort());
  });

  test('GIVEN the target is not in the outputs THEN target-secondary names it', async () => {
    const results = judge(h, await snapshotOf(h), 'switchover', 'eu-west-1');

    expect(results['target-secondary']).toMatchObject({
      ok: false,
      title: 'target eu-west-1 is a secondary member of multi-region-ref-global',
      reason: 'eu-west-1 is not in the outputs',
    });
    expect(results['target-available']).toMatchObject({ ok: false, reason: 'no target' });
    expect(results['target-not-headless']).toMatchObject({ ok: false, reason: 'no target' });
  });

  test('GIVEN RPO lag 1 ms under the RPO THEN lag-under-rpo passes', async () => {
    h.world.region(SECONDARY).rpoLagMs = 29_999;

    expect(judge(h, await snapshotOf(h))['lag-under-rpo']).toMatchObject({
      ok: true,
      reason: 'us-west-2: 29999 ms',
    });
  });

  test('GIVEN alarms the topology explains THEN no-alarms passes and counts them', async () => {
    const snapshot = await snapshotOf(h);
    const alarms = snapshot.alarms[0].alarms;
    if (alarms.ok) {
      alarms.value.push(
        {
          name: 'MultiRegion-writer-lag',
          region: PRIMARY,
          metrics: [
            {
              namespace: 'AWS/RDS',
              metricName: 'AuroraGlobalDBReplicationLag',
              dimensions: { DBClusterIdentifier: h.world.deployed(PRIMARY).clusterIdentifier },
            },
          ],
        },
        {
          name: 'MultiRegion-us-west-2-writer-check',
          region: PRIMARY,
          metrics: [
            {
              namespace: 'AWS/Route53',
              metricName: 'HealthCheckStatus',
              dimensions: { HealthCheckId: h.world.checkId(SECONDARY, 'writer') },
            },
          ],
        },
      );
    }

    expect(judge(h, snapshot)['no-alarms']).toMatchObject({
      ok: true,
      reason: 'none unexpected (2 expected: lag of the writer, or checks expected unhealthy)',
    });
  });

  describe('a failback', () => {
    const failedBack = (w: SimulatedWorld) => {
      w.writer = SECONDARY;
      w.region(PRIMARY).drain = 'true';
    };

    test('GIVEN the primary region drained after a failover THEN its drain and serving check are expected', async () => {
      failedBack(h.world);

      const results = judge(h, await snapshotOf(h), 'failback', PRIMARY);

      expect(failed(results)).toEqual([]);
      expect(results['drains-off'].reason).toBe(
        "all 'false' except us-east-1, which the failback returns to service first",
      );
      expect(results['dns-answers'].reason).toBe(
        `write.example.com -> ${h.world.deployed(SECONDARY).writeTarget} (us-west-2); app.example.com -> ${h.world.deployed(SECONDARY).appTarget} (us-west-2)`,
      );
    });

    test('GIVEN the drained failback target still passes its serving check THEN health-checks says the drain is ignored', async () => {
      failedBack(h.world);
      h.world.forcedHealthy.add(h.world.checkId(PRIMARY, 'serving'));

      const results = judge(h, await snapshotOf(h), 'failback', PRIMARY);

      expect(results['health-checks']).toMatchObject({
        ok: false,
        reason:
          'us-east-1 serving (e96a06c2-dfe7-ae93-1a59-a1063bad273e): healthy (16/16 checkers report success) but expected unhealthy: us-east-1 is drained, so its /health ignores the drain switch',
      });
    });

    test('GIVEN another region drained during a failback THEN drains-off fails', async () => {
      failedBack(h.world);
      h.world.region(SECONDARY).drain = 'true';

      const results = judge(h, await snapshotOf(h), 'failback', PRIMARY);

      expect(results['drains-off']).toMatchObject({ ok: false, reason: "us-west-2: 'true'" });
    });

    test('GIVEN a switchover (not a failback) to a drained region THEN drains-off fails', async () => {
      h.world.region(SECONDARY).drain = 'true';

      expect(judge(h, await snapshotOf(h))['drains-off'].ok).toBe(false);
    });
  });

  describe('an unplanned failover with the writer region down', () => {
    const outage = (w: SimulatedWorld) => w.down.add(PRIMARY);

    test('THEN it waives the failed region, says so, and passes', async () => {
      outage(h.world);

      const results = judge(h, await snapshotOf(h), 'failover');

      expect(failed(results)).toEqual([]);
      expect(results['members-available'].reason).toBe(
        '1 members available; waived for an unplanned failover: us-east-1 (the failed writer region) may be unavailable',
      );
      expect(results['engine-versions'].reason).toBe('all on 16.6');
      expect(results['health-checks'].reason).toBe(
        'all as expected; waived for an unplanned failover: us-east-1 (the failed writer region) is not probed',
      );
      expect(results['dns-answers'].reason).toBe(
        `write.example.com -> ${h.world.deployed(PRIMARY).writeTarget} (us-east-1); app.example.com -> ${h.world.deployed(SECONDARY).appTarget} (us-west-2); write name not judged (unplanned failover: it follows the new writer)`,
      );
      expect(results['no-alarms'].reason).toBe(
        'none in ALARM; waived for an unplanned failover: us-east-1 (the failed writer region) alarms are not read',
      );
      expect(results['drains-off'].reason).toBe(
        "all 'false'; waived for an unplanned failover: us-east-1 (the failed writer region) is fenced by the drill, if it answers",
      );
    });

    test.each<Case>([
      [
        'a headless target',
        { world: (w) => (w.region(SECONDARY).instances = 0) },
        'target-not-headless',
        'headless: add an instance before it can take the writer',
      ],
      [
        'an unhealthy target',
        { world: (w) => (w.region(SECONDARY).status = 'failed') },
        'target-available',
        'status failed',
      ],
      [
        'target lag unknown at the last datapoint',
        { world: (w) => (w.region(SECONDARY).rpoLagMs = null) },
        'lag-under-rpo',
        'us-west-2: AuroraGlobalDBRPOLag not reported in the last 5 minutes',
      ],
      [
        'target lag at the RPO',
        { world: (w) => (w.region(SECONDARY).rpoLagMs = 30_000) },
        'lag-under-rpo',
        'us-west-2: RPO lag 30000 ms >= 30000 ms',
      ],
      [
        'a target on another version than the global cluster',
        { world: (w) => (w.region(SECONDARY).engineVersion = '16.4') },
        'engine-versions',
        'us-east-1: error: rds DescribeDBClusters in us-east-1 network failure (after 5 attempts): TimeoutError: connect ETIMEDOUT (simulated: us-east-1 is down); us-west-2: 16.4; global cluster: 16.6',
      ],
      [
        'an unhealthy target serving check',
        { world: (w) => w.forcedUnhealthy.add(w.checkId(SECONDARY, 'serving')) },
        'health-checks',
        'us-west-2 serving (a94087b8-d6da-2777-6769-a93fea018255): unhealthy, 0/16 checkers report success; waived for an unplanned failover: us-east-1 (the failed writer region) is not probed',
      ],
    ])('GIVEN %s THEN that check still fails', async (...c) => {
      outage(h.world);
      const results = await run(h, c, 'failover');

      expect(results[c[2]]).toMatchObject({ ok: false, reason: c[3] });
    });

    test('GIVEN the failed writer unreadable and no global engine version THEN engine-versions fails', async () => {
      outage(h.world);
      const snapshot = await snapshotOf(h);
      delete snapshot.globalCluster.engineVersion;

      expect(judge(h, snapshot, 'failover')['engine-versions'].ok).toBe(false);
    });

    test('GIVEN a switchover (not a failover) with the writer region down THEN nothing is waived', async () => {
      outage(h.world);

      expect(failed(judge(h, await snapshotOf(h)))).toEqual(
        expect.arrayContaining(['members-available', 'engine-versions', 'no-alarms', 'drains-off']),
      );
    });
  });

  describe('three regions', () => {
    // Installed after the two-region world, so it serves this block's calls.
    const three = useFakeAws([PRIMARY, SECONDARY, THIRD]);

    test('GIVEN a failover to one secondary THEN only its lag gates, and a third region that is down still fails members-available', async () => {
      three.world.down.add(PRIMARY);
      three.world.region(THIRD).rpoLagMs = 60_000;
      three.world.region(THIRD).status = 'modifying';

      const results = judge(three, await snapshotOf(three), 'failover');

      expect(results['lag-under-rpo']).toMatchObject({ ok: true, reason: 'us-west-2: 400 ms' });
      expect(results['members-available']).toMatchObject({
        ok: false,
        reason:
          'us-east-2: modifying; waived for an unplanned failover: us-east-1 (the failed writer region) may be unavailable',
      });
    });

    test('GIVEN two faults per check in three regions THEN the reasons name both; the standby chain is shown hop by hop', async () => {
      three.world.region(SECONDARY).rpoLagMs = 45_000;
      three.world.region(PRIMARY).rpoLagMs = null;
      three.world.region(PRIMARY).status = 'modifying';
      three.world.region(SECONDARY).status = 'backing-up';
      three.world.region(THIRD).engineVersion = '16.4';
      three.world.writer = THIRD;
      three.world.region(PRIMARY).drain = 'true';

      const results = judge(three, await snapshotOf(three), 'switchover', SECONDARY);

      expect(results['lag-under-rpo'].reason).toBe(
        'us-east-1: AuroraGlobalDBRPOLag not reported in the last 5 minutes; us-west-2: RPO lag 45000 ms >= 30000 ms',
      );
      expect(results['members-available'].reason).toBe(
        'us-east-1: modifying; us-west-2: backing-up',
      );
      expect(results['engine-versions'].reason).toBe(
        'us-east-1: 16.6; us-west-2: 16.6; us-east-2: 16.4',
      );
      expect(results['dns-answers'].reason).toContain(
        `write.example.com -> standby.write.example.com -> ${three.world.deployed(THIRD).writeTarget}`,
      );
    });

    test('GIVEN every secondary under the RPO THEN the reason lists each reading', async () => {
      expect(judge(three, await snapshotOf(three))['lag-under-rpo'].reason).toBe(
        'us-west-2: 400 ms; us-east-2: 400 ms',
      );
    });

    test('GIVEN a switchover THEN every secondary must be under the RPO', async () => {
      three.world.region(THIRD).rpoLagMs = 60_000;

      expect(judge(three, await snapshotOf(three))['lag-under-rpo']).toMatchObject({
        ok: false,
        reason: 'us-east-2: RPO lag 60000 ms >= 30000 ms',
      });
    });
  });
});

describe('preflight with a headless secondary (readersByRegion 0)', () => {
  // Installed after the two-region world, so it serves this block's calls.
  const headless = useFakeAws([PRIMARY, SECONDARY], {
    'topology.readersByRegion': JSON.stringify({ [SECONDARY]: 0 }),
  });

  test('GIVEN a switchover to it THEN only target-not-headless fails: its missing serving check is not judged', async () => {
    const s = await snapshotOf(headless);
    expect(region(s, SECONDARY).servingCheck).toBeUndefined();

    const results = judge(headless, s);

    expect(failed(results)).toEqual(['target-not-headless']);
    expect(results['health-checks'].reason).toBe('all as expected');
  });

  test('GIVEN the app name answering its app target THEN dns-answers fails: a headless region serves no reads', async () => {
    const s = await snapshotOf(headless);
    s.dns.app.answers = { ok: true, value: [headless.world.deployed(SECONDARY).appTarget] };

    expect(judge(headless, s)['dns-answers']).toMatchObject({
      ok: false,
      reason: `app.example.com -> ${headless.world.deployed(SECONDARY).appTarget}, expected the app target of a serving region (us-west-2 is not serving)`,
    });
  });
});

describe('target-capacity in an unplanned failover', () => {
  test('GIVEN the failed writer region unreadable WHEN the target offers the class and reads its quotas THEN it passes, waived', async () => {
    const snapshot = await snapshotOf(h);
    snapshot.capacity!.regions[0].quotas.forEach((q) => (q.value = { ok: false, error: 'down' }));

    const results = judge(h, snapshot, 'failover');

    expect(results['target-capacity']).toMatchObject({
      ok: true,
      reason:
        'db.r6g.large (aurora-postgresql 16.6) offered; waived for an unplanned failover: us-east-1 (the failed writer region) is not read',
    });
  });

  test('GIVEN the target holds the writer THEN target-capacity is not judged (target-secondary fails)', async () => {
    const snapshot = await snapshotOf(h);
    delete snapshot.capacity!.regions[1].orderable;

    expect(judge(h, snapshot)['target-capacity']).toMatchObject({
      ok: true,
      reason: 'not judged: us-west-2 holds the writer',
    });
  });

  test('GIVEN every region readable in a failover THEN nothing is waived', async () => {
    const results = judge(h, await snapshotOf(h), 'failover');

    expect(results['target-capacity']).toMatchObject({
      ok: true,
      reason:
        'db.r6g.large (aurora-postgresql 16.6) offered; DB instances 40 >= 40; DB clusters 40 >= 40',
    });
  });

  test("GIVEN the target's offering unreadable in a failover THEN it is waived, as the failed region's reads are", async () => {
    const snapshot = await snapshotOf(h);
    snapshot.capacity!.regions[1].orderable = { ok: false, error: 'Throttling' };

    expect(judge(h, snapshot, 'failover')['target-capacity']).toMatchObject({
      ok: true,
      reason:
        'DB instances 40 >= 40; DB clusters 40 >= 40; waived for an unplanned failover: us-east-1 (the failed writer region) is not read',
    });
  });

  test("GIVEN the writer in the secondary WHEN failing back THEN the primary's quotas are compared with the writer region's, not its own", async () => {
    h.world.writer = SECONDARY;
    h.world.lowerQuota(PRIMARY, 'L-952B80B8', 39);

    const results = judge(h, await snapshotOf(h), 'failback', PRIMARY);

    expect(results['target-capacity']).toMatchObject({
      ok: false,
      reason:
        'us-east-1 DB clusters quota 39 < 40 in us-west-2 (L-952B80B8): request an increase in Service Quotas',
    });
  });

  test("GIVEN no writer known and no writer quotas THEN the reason says which region's quota was not read", async () => {
    const snapshot = await snapshotOf(h);
    delete snapshot.writerRegion;

    expect(judge(h, snapshot)['target-capacity']).toMatchObject({
      ok: false,
      reason:
        '(no writer) DB instances (L-7B6409FD): not read; (no writer) DB clusters (L-952B80B8): not read',
    });
  });

  test('GIVEN a target the capacity snapshot does not list THEN it fails naming it', async () => {
    const results = judge(h, await snapshotOf(h), 'switchover', 'eu-west-1');

    expect(results['target-capacity']).toMatchObject({
      ok: false,
      reason: 'eu-west-1 is not in the outputs',
    });
  });
});

describe('the resume gate', () => {
  const target = { kind: 'failover' as const, targetRegion: SECONDARY, fromRegion: PRIMARY };
  const remaining = [
    'promote',
    'wait-writer',
    'verify-traffic',
    'verify-writes',
    'return-old-writer',
  ];

  test('GIVEN a fenced drill before the promotion THEN the promotion gate holds again and lag over the RPO fails it', async () => {
    h.world.region(PRIMARY).drain = 'true';
    h.world.region(SECONDARY).rpoLagMs = 45_000;

    const results = evaluateResumeGate(
      (await snapshotOf(h)) as Snapshot,
      h.world.topology,
      target,
      remaining,
    );

    expect(results.map((r) => r.id)).toEqual(['writer-unchanged', ...PROMOTION_GATE]);
    expect(results.filter((r) => !r.ok)).toEqual([
      expect.objectContaining({
        id: 'lag-under-rpo',
        reason: 'us-west-2: RPO lag 45000 ms >= 30000 ms',
      }),
    ]);
  });

  test('GIVEN the promotion already requested THEN nothing but the writer gates', async () => {
    h.world.writer = SECONDARY;
    h.world.region(SECONDARY).rpoLagMs = 45_000;

    const results = evaluateResumeGate(
      (await snapshotOf(h)) as Snapshot,
      h.world.topology,
      target,
      remaining,
    );

    expect(results).toEqual([
      expect.objectContaining({ id: 'writer-unchanged', ok: true, reason: 'writer in us-west-2' }),
      expect.objectContaining({
        id: 'promotion-gate',
        ok: true,
        reason: 'not needed: us-west-2 holds the writer',
      }),
    ]);
  });

  test('GIVEN a move to the target in progress THEN the promotion gate is not needed', async () => {
    const snapshot = await snapshotOf(h);
    snapshot.globalCluster.failoverState = {
      status: 'failing-over',
      fromArn: h.world.clusterArn(PRIMARY),
      toArn: h.world.clusterArn(SECONDARY),
      dataLossAllowed: true,
    };

    const results = evaluateResumeGate(snapshot as Snapshot, h.world.topology, target, remaining);

    expect(results[1]).toMatchObject({
      ok: true,
      reason: 'not needed: a move to us-west-2 is in progress',
    });
  });

  test('GIVEN the promote step done THEN the gate says so', async () => {
    const results = evaluateResumeGate(
      (await snapshotOf(h)) as Snapshot,
      h.world.topology,
      target,
      ['verify-writes'],
    );

    expect(results[1]).toMatchObject({
      ok: true,
      reason: 'not needed: the promotion step has completed',
    });
  });

  test('GIVEN the writer moved elsewhere while stopped THEN writer-unchanged fails', async () => {
    const snapshot = await snapshotOf(h);
    snapshot.writerRegion = 'us-east-2';

    const results = evaluateResumeGate(snapshot as Snapshot, h.world.topology, target, remaining);

    expect(results[0]).toMatchObject({ ok: false, reason: 'writer in us-east-2' });
  });
});

describe('preflight check texts and compound faults', () => {
  test('THEN every check has its title', async () => {
    const results = judge(h, await snapshotOf(h));

    expect(Object.fromEntries(Object.values(results).map((r) => [r.id, r.title]))).toEqual({
      'target-secondary': 'target us-west-2 is a secondary member of multi-region-ref-global',
      'target-available': 'target cluster is available',
      'target-not-headless': 'target cluster has at least one instance (not headless)',
      'members-available': 'every member cluster is available',
      'engine-versions': 'engine versions are equal across members',
      'no-operation-in-progress': 'no failover or switchover in progress',
      'lag-under-rpo': 'RPO lag of every secondary is under the RPO (30 s)',
      'health-checks':
        'health checks as expected: healthy, except writer checks of non-writer regions (must be unhealthy)',
      'dns-answers':
        "write.example.com answers the writer's target, app.example.com a serving region's",
      'record-ttls': 'TTL of every app.example.com and write.example.com record <= 60 s',
      'no-alarms': 'no alarm named MultiRegion-* in ALARM',
      'drains-off': "every region's drain switch is 'false'",
      'target-capacity':
        "target us-west-2 offers the writer's instance classes, and its RDS quotas (DB instances, DB clusters) are not below the writer region's",
      'client-canary':
        'the client canary resolves write.example.com and app.example.com and a signed read through app.example.com reaches the items API',
      'arc-health-check':
        'the ARC-managed health check of us-west-2 is healthy (write DNS can move there)',
    });
  });

  test('GIVEN an empty alarm prefix THEN the title says every alarm counts', async () => {
    const results = evaluatePreflight(
      (await snapshotOf(h)) as Snapshot,
      { ...h.world.topology, alarmNamePrefix: '' },
      { kind: 'switchover', targetRegion: SECONDARY },
    );

    expect(results.find((r) => r.id === 'no-alarms')?.title).toBe('no alarm named (any) in ALARM');
  });

  test('GIVEN several faults in each check THEN each reason lists them all, separated by "; "', async () => {
    const w = h.world;
    w.records.forEach((r) => (r.ttl = 300));
    w.region(PRIMARY).drain = 'true';
    w.region(SECONDARY).drain = 'true';
    const s = await snapshotOf(h);
    region(s, SECONDARY).lag = { ok: false, error: 'Throttling' };
    s.dns.write.answers = { ok: true, value: [] };
    const metric = (id: string) => ({
      namespace: 'AWS/Route53',
      metricName: 'HealthCheckStatus',
      dimensions: { HealthCheckId: id },
    });
    if (s.alarms[0].alarms.ok) {
      s.alarms[0].alarms.value.push(
        { name: 'A', region: PRIMARY, metrics: [metric(w.checkId(PRIMARY, 'serving'))] },
        { name: 'B', region: PRIMARY, metrics: [metric(w.checkId(SECONDARY, 'serving'))] },
      );
    }

    const results = judge(h, s);

    expect(results['record-ttls'].reason).toBe(
      'app.example.com us-east-1 TTL 300 s; app.example.com us-west-2 TTL 300 s; write.example.com us-east-1-primary TTL 300 s; write.example.com us-west-2-secondary TTL 300 s',
    );
    expect(results['drains-off'].reason).toBe("us-east-1: 'true'; us-west-2: 'true'");
    expect(results['health-checks'].reason).toBe(
      `us-east-1 serving (${w.checkId(PRIMARY, 'serving')}): unhealthy, 0/16 checkers report success; us-east-1 writer (${w.checkId(PRIMARY, 'writer')}): unhealthy, 0/16 checkers report success; us-west-2 serving (${w.checkId(SECONDARY, 'serving')}): unhealthy, 0/16 checkers report success`,
    );
    expect(results['dns-answers'].reason).toBe(
      // Both regions drained: Route 53 answers the PRIMARY record when every record is unhealthy.
      `write.example.com -> no answer, expected the write target of the writer us-east-1 (${w.deployed(PRIMARY).writeTarget}); app.example.com -> ${w.deployed(PRIMARY).appTarget}, expected the app target of a serving region (us-east-1 is not serving)`,
    );
    expect(results['no-alarms'].reason).toBe('us-east-1: A; us-east-1: B');
    expect(results['lag-under-rpo'].reason).toBe('us-west-2: Throttling');
  });
});

describe('preflight edge cases', () => {
  const alarm = (
    name: string,
    metrics: { namespace: string; metricName?: string; dimensions: Record<string, string> }[],
  ) => ({
    name,
    region: PRIMARY,
    metrics,
  });
  const writerLag = (metricName: string) => ({
    namespace: 'AWS/RDS',
    metricName,
    dimensions: { DBClusterIdentifier: h.world.deployed(PRIMARY).clusterIdentifier },
  });
  const checkMetric = (id: string, namespace = 'AWS/Route53') => ({
    namespace,
    metricName: 'HealthCheckStatus',
    dimensions: { HealthCheckId: id },
  });

  test.each<[string, () => ReturnType<typeof alarm>, boolean]>([
    [
      'a progress-lag alarm of the writer',
      () => alarm('P', [writerLag('AuroraGlobalDBProgressLag')]),
      true,
    ],
    [
      'a replication-lag alarm of the writer',
      () => alarm('R', [writerLag('AuroraGlobalDBReplicationLag')]),
      true,
    ],
    ['a CPU alarm of the writer', () => alarm('C', [writerLag('CPUUtilization')]), false],
    [
      'a lag-named metric in another namespace',
      () => alarm('N', [{ ...writerLag('AuroraGlobalDBRPOLag'), namespace: 'Custom' }]),
      false,
    ],
    [
      "an alarm on a secondary's writer check in another namespace",
      () => alarm('H', [checkMetric(h.world.checkId(SECONDARY, 'writer'), 'Custom')]),
      false,
    ],
    [
      'an alarm on an expected and an unexpected metric',
      () =>
        alarm('M', [
          checkMetric(h.world.checkId(SECONDARY, 'writer')),
          checkMetric(h.world.checkId(SECONDARY, 'serving')),
        ]),
      false,
    ],
    [
      'a Route 53 alarm without a health check id',
      () =>
        alarm('D', [{ namespace: 'AWS/Route53', metricName: 'HealthCheckStatus', dimensions: {} }]),
      false,
    ],
    [
      'an alarm on a metric without name or dimensions',
      () => alarm('E', [{ namespace: 'AWS/RDS', dimensions: {} }]),
      false,
    ],
  ])('GIVEN %s THEN no-alarms expects it: %s', async (_name, make, expected) => {
    const s = await snapshotOf(h);
    if (s.alarms[0].alarms.ok) s.alarms[0].alarms.value.push(make());

    expect(judge(h, s)['no-alarms'].ok).toBe(expected);
  });

  test('GIVEN no region holds the writer THEN the write name has no target to answer and nothing crashes', async () => {
    const s = await snapshotOf(h);
    s.regions.forEach((r) => (r.isWriter = false));
    delete s.writerRegion;

    const results = judge(h, s);

    expect(results['dns-answers'].reason).toContain(
      'expected the write target of the writer (none)',
    );
    expect(
      evaluateResumeGate(
        s as Snapshot,
        h.world.topology,
        { kind: 'switchover', targetRegion: SECONDARY, fromRegion: PRIMARY },
        ['promote'],
      )[0],
    ).toMatchObject({ ok: false, reason: 'writer in no region' });
  });

  test('GIVEN an unknown target THEN the resume gate fails its checks instead of crashing', async () => {
    const results = evaluateResumeGate(
      (await snapshotOf(h)) as Snapshot,
      h.world.topology,
      { kind: 'switchover', targetRegion: 'eu-west-1', fromRegion: PRIMARY },
      ['promote'],
    );

    expect(results.find((r) => r.id === 'target-secondary')).toMatchObject({
      ok: false,
      reason: 'eu-west-1 is not in the outputs',
    });
  });

  test('GIVEN values AWS left out THEN the reasons show placeholders', async () => {
    const s = await snapshotOf(h);
    const c = region(s, SECONDARY).cluster;
    if (c.ok) delete c.value.engineVersion;
    s.globalCluster.failoverState = { status: 'pending', dataLossAllowed: false };
    if (s.records.ok) delete s.records.value[0].setIdentifier;
    region(s, PRIMARY).drain = { ok: true, value: undefined };

    const results = judge(h, s);

    expect(results['engine-versions']).toMatchObject({
      ok: false,
      reason: 'us-east-1: 16.6; us-west-2: ?',
    });
    expect(results['no-operation-in-progress'].reason).toBe('pending from ? to ?');
    expect(results['drains-off'].reason).toBe("us-east-1: ''");
    const ttl = await (async () => {
      h.world.records.forEach((r) => (r.ttl = 90));
      const again = await snapshotOf(h);
      if (again.records.ok) delete again.records.value[0].setIdentifier;
      return judge(h, again)['record-ttls'].reason;
    })();
    expect(ttl.startsWith('app.example.com  TTL 90 s; ')).toBe(true);
  });

  test('GIVEN an alias record without a set identifier THEN its name alone is shown', async () => {
    const s = await snapshotOf(h);
    if (s.records.ok) {
      s.records.value[0].alias = true;
      delete s.records.value[0].setIdentifier;
    }

    expect(judge(h, s)['record-ttls'].reason).toBe(
      'app.example.com  is an alias record (its TTL is not ours to set)',
    );
  });

  test('GIVEN the app name answering a drained region whose check still passes THEN dns-answers fails too', async () => {
    h.world.region(PRIMARY).drain = 'true';
    h.world.forcedHealthy.add(h.world.checkId(PRIMARY, 'serving'));

    const results = judge(h, await snapshotOf(h));

    expect(results['dns-answers']).toMatchObject({
      ok: false,
      reason: `app.example.com -> ${h.world.deployed(PRIMARY).appTarget}, expected the app target of a serving region (us-east-1 is not serving)`,
    });
  });

  describe('failback', () => {
    test('GIVEN a failback after a planned switchover (nothing drained) THEN every check passes', async () => {
      h.world.writer = SECONDARY;

      expect(failed(judge(h, await snapshotOf(h), 'failback', PRIMARY))).toEqual([]);
    });

    test('GIVEN the failback target drained with another value THEN drains-off fails', async () => {
      h.world.writer = SECONDARY;
      h.world.region(PRIMARY).drain = 'yes';

      expect(judge(h, await snapshotOf(h), 'failback', PRIMARY)['drains-off']).toMatchObject({
        ok: false,
        reason: "us-east-1: 'yes'",
      });
    });

    test('GIVEN the current writer drained during a failback THEN its serving check is not excused', async () => {
      h.world.writer = SECONDARY;
      h.world.region(PRIMARY).drain = 'true';
      h.world.region(SECONDARY).drain = 'true';

      const results = judge(h, await snapshotOf(h), 'failback', PRIMARY);

      expect(results['health-checks'].reason).toContain(
        `us-west-2 serving (${h.world.checkId(SECONDARY, 'serving')}): unhealthy`,
      );
    });
  });

  describe('an unplanned failover away from a secondary region', () => {
    test("GIVEN alarms on the failed region's checks THEN they are expected, others are not", async () => {
      h.world.writer = SECONDARY;
      h.world.down.add(SECONDARY);
      const s = await snapshotOf(h);
      if (s.alarms[0].alarms.ok) {
        s.alarms[0].alarms.value.push(
          alarm('down-serving', [checkMetric(h.world.checkId(SECONDARY, 'serving'))]),
          alarm('target-serving', [checkMetric(h.world.checkId(PRIMARY, 'serving'))]),
        );
      }

      expect(judge(h, s, 'failover', PRIMARY)['no-alarms'].reason).toBe(
        'us-east-1: target-serving; waived for an unplanned failover: us-west-2 (the failed writer region) alarms are not read',
      );
    });
  });

  describe('an unplanned failover rehearsed while the writer region is up', () => {
    test('GIVEN the readable writer on another version THEN engine-versions fails on the member, not the global version', async () => {
      h.world.region(PRIMARY).engineVersion = '16.4';

      expect(judge(h, await snapshotOf(h), 'failover')['engine-versions']).toMatchObject({
        ok: false,
        reason: 'us-east-1: 16.4; us-west-2: 16.6; global cluster: 16.6',
      });
    });

    test('GIVEN every member readable and equal THEN it passes', async () => {
      expect(judge(h, await snapshotOf(h), 'failover')['engine-versions']).toMatchObject({
        ok: true,
        reason: 'all on 16.6',
      });
    });
  });
});

describe('preflight: the last survivors of mutation testing', () => {
  test('THEN the resume gate checks have their titles', async () => {
    const snapshot = (await snapshotOf(h)) as Snapshot;
    const gate = (remaining: string[]) =>
      evaluateResumeGate(
        snapshot,
        h.world.topology,
        { kind: 'switchover', targetRegion: SECONDARY, fromRegion: PRIMARY },
        remaining,
      );

    expect(gate(['verify-writes']).map((r) => r.title)).toEqual([
      'the writer is still in us-east-1 (or already in us-west-2)',
      'promotion gate (lag, target, members) before the promotion',
    ]);
  });

  test('GIVEN a failover with a member other than the failed writer unreadable THEN the global version does not stand in for it', async () => {
    h.world.down.add(PRIMARY);
    const s = await snapshotOf(h);
    region(s, SECONDARY).cluster = { ok: false, error: 'timeout' };

    expect(judge(h, s, 'failover')['engine-versions'].ok).toBe(false);
  });

  test('GIVEN a failback with another region drained and the target not THEN drains-off fails', async () => {
    h.world.writer = SECONDARY;
    h.world.region(SECONDARY).drain = 'true';

    expect(judge(h, await snapshotOf(h), 'failback', PRIMARY)['drains-off']).toMatchObject({
      ok: false,
      reason: "us-west-2: 'true'",
    });
  });

  test('GIVEN no writer THEN the write-name reason ends with the missing writer', async () => {
    const s = await snapshotOf(h);
    s.regions.forEach((r) => (r.isWriter = false));
    delete s.writerRegion;

    expect(judge(h, s)['dns-answers'].reason.split('; ')[0]).toBe(
      `write.example.com -> ${h.world.deployed(PRIMARY).writeTarget}, expected the write target of the writer (none)`,
    );
  });
});

describe('record TTLs against the TTL the stacks published', () => {
  test('GIVEN outputs publishing a 30 s TTL WHEN the records carry 60 s THEN record-ttls fails naming each record', async () => {
    const snapshot = await snapshotOf(h);
    const topology = { ...h.world.topology, ttlSeconds: 30 };
    const results = evaluatePreflight(snapshot as Snapshot, topology, {
      kind: 'switchover',
      targetRegion: SECONDARY,
    });
    expect(results.find((r) => r.id === 'record-ttls')).toEqual({
      id: 'record-ttls',
      title: 'TTL of every app.example.com and write.example.com record <= 30 s',
      ok: false,
      reason:
        'app.example.com us-east-1 TTL 60 s; app.example.com us-west-2 TTL 60 s; write.example.com us-east-1-primary TTL 60 s; write.example.com us-west-2-secondary TTL 60 s',
    });
  });
});

describe('arc-health-check, branch by branch (mutation testing)', () => {
  const three = useFakeAws([PRIMARY, SECONDARY, THIRD]);
  const arcIdsOf = (w: SimulatedWorld, region: string) =>
    [...w.arcHealthChecks].filter(([, c]) => c.region === region).map(([id]) => id);
  const planName = (w: SimulatedWorld, secondary: string) =>
    w.topology.regionSwitch!.plans[secondary].planName;
  const arcCheck = (
    snapshot: Draft,
    targetRegion: string,
    kind: DrillKind = 'switchover',
    engine?: 'arc',
  ) =>
    evaluatePreflight(snapshot as Snapshot, three.world.topology, {
      kind,
      targetRegion,
      ...(engine ? { engine } : {}),
    }).find((r) => r.id === 'arc-health-check')!;

  test('GIVEN --engine arc THEN it is no gate: the plan sets the check', async () => {
    arcIdsOf(three.world, SECONDARY).forEach((id) =>
      three.world.setArcHealthCheck(id, 'unhealthy'),
    );

    expect(arcCheck(await snapshotOf(three), SECONDARY, 'switchover', 'arc')).toEqual({
      id: 'arc-health-check',
      title: `the ARC-managed health check of ${SECONDARY} is healthy (write DNS can move there)`,
      ok: true,
      reason: 'not a gate: the ARC plan sets it (--engine arc)',
    });
  });

  test('GIVEN a failback to the primary THEN both plans hold it: both healthy checks are named, "; " between', async () => {
    const [a, b] = arcIdsOf(three.world, PRIMARY);
    const names = Object.fromEntries(
      [...three.world.arcHealthChecks].map(([id, c]) => [id, c.planArn]),
    );
    const byArn = Object.fromEntries(
      Object.values(three.world.topology.regionSwitch!.plans).map((p) => [p.planArn, p.planName]),
    );

    const result = arcCheck(await snapshotOf(three), PRIMARY, 'failback');

    expect(result.ok).toBe(true);
    expect(result.reason.split('; ').sort()).toEqual(
      [`${byArn[names[a]]}: ${a} healthy`, `${byArn[names[b]]}: ${b} healthy`].sort(),
    );
  });

  test('GIVEN the primary deactivated by both plans THEN both problems are named, "; " between, and what to do', async () => {
    arcIdsOf(three.world, PRIMARY).forEach((id) => three.world.setArcHealthCheck(id, 'unhealthy'));

    const result = arcCheck(await snapshotOf(three), PRIMARY, 'failback');

    expect(result.ok).toBe(false);
    const [problems, advice] = result.reason.split(`: ${PRIMARY}'s write record`);
    expect(problems.split('; ')).toHaveLength(2);
    expect(problems).toMatch(/^plan [^;]+ is unhealthy; plan [^;]+ is unhealthy$/);
    expect(advice).toBe(
      ` is AND(its writer check, its ARC check), so a native drill cannot move write DNS to ${PRIMARY}; run the drill with --engine arc (or activate ${PRIMARY} with ARC)`,
    );
  });

  test('GIVEN the other plan unreadable THEN only the plans that hold the target count', async () => {
    const s = await snapshotOf(three);
    const other = s.arc!.find((p) => p.secondary === THIRD)!;
    (other as { healthChecks: unknown }).healthChecks = { ok: false, error: 'Throttling' };

    const result = arcCheck(s, SECONDARY);

    expect(result).toMatchObject({ ok: true });
    expect(result.reason).toBe(
      `${planName(three.world, SECONDARY)}: ${arcIdsOf(three.world, SECONDARY)[0]} healthy`,
    );
  });

  test("GIVEN the target's plan unreadable THEN it fails, naming the plan, the region asked and the error", async () => {
    const s = await snapshotOf(three);
    const own = s.arc!.find((p) => p.secondary === SECONDARY)!;
    (own as { healthChecks: unknown }).healthChecks = { ok: false, error: 'Throttling' };

    const result = arcCheck(s, SECONDARY);

    expect(result.ok).toBe(false);
    expect(
      result.reason.startsWith(
        `plan ${planName(three.world, SECONDARY)}: could not be read in ${own.region}: Throttling: `,
      ),
    ).toBe(true);
  });

  test('GIVEN a plan that lists no check of the target THEN it passes and says so', async () => {
    const s = await snapshotOf(three);
    for (const plan of s.arc!) {
      if (plan.healthChecks.ok)
        (plan as { healthChecks: unknown }).healthChecks = {
          ok: true,
          value: plan.healthChecks.value.filter((c) => c.region !== SECONDARY),
        };
    }

    expect(arcCheck(s, SECONDARY)).toMatchObject({
      ok: true,
      reason: `no ARC-managed health check of ${SECONDARY}`,
    });
  });
});
