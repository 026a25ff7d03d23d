import { LAG_METRICS, READINESS_METRICS, SERVICE_METRICS } from '../../../constructs/contract';
import { inventory } from '../../../runbooks/brief/cost/inventory';
import { type CostBreakdown } from '../../../runbooks/brief/cost/model';
import { DEFAULT_WORKLOAD } from '../../../runbooks/brief/cost/workload';
import { deployedApp } from '../../deployed-app';
import { estimateOf, filePrice, instanceCents, instancesOf, linesPriced } from './cost-helpers';

const TWO = ['us-east-1', 'us-west-2'];
const THREE = ['us-east-1', 'us-west-2', 'us-east-2'];
const MONTH_SECONDS = DEFAULT_WORKLOAD.hoursPerMonth * 3600;

function expectExactSums(part: CostBreakdown): void {
  for (const region of part.regions) {
    for (const line of region.lines) {
      expect(Number.isInteger(line.cents)).toBe(true);
      expect(line.cents).toBe(Math.round(Number((line.quantity * line.unitUsd * 100).toFixed(6))));
    }
    expect(region.lines.reduce((s, l) => s + l.cents, 0)).toBe(region.cents);
  }
  expect(part.regions.reduce((s, r) => s + r.cents, 0)).toBe(part.cents);
}

const instanceLineCents = (e: CostBreakdown) =>
  linesPriced(e, 'aurora.instance.').reduce((s, l) => s + l.cents, 0);

describe('itemized lines sum to the totals in whole cents', () => {
  test.each([
    ['two Regions', TWO],
    ['three Regions', THREE],
  ])(
    'GIVEN the default topology in %s WHEN priced THEN lines sum to Region totals and those to the total, baseline too',
    (_, regions) => {
      const { estimate } = estimateOf(deployedApp(regions));

      expectExactSums(estimate);
      expectExactSums(estimate.baseline);
      expect(estimate.premiumCents).toBe(estimate.cents - estimate.baseline.cents);
      expect(estimate.premiumCents).toBeGreaterThan(0);
    },
  );
});

describe('the bill of materials comes from the templates', () => {
  test('GIVEN the default topology THEN each Region bills the instances, keys, secret replica and endpoints its templates declare', () => {
    const deployment = deployedApp(TWO);
    const inv = inventory(deployment);
    const declared = instancesOf(deployment);

    expect(inv.primaryRegion).toBe('us-east-1');
    for (const r of inv.regions) {
      expect(new Map(r.instances.map((i) => [i.instanceClass, i.count]))).toEqual(
        declared.get(r.region),
      );
      expect(r.kmsKeys).toBe(
        deployment.resources('AWS::KMS::Key').filter((k) => k.region === r.region).length,
      );
    }
    const secondary = inv.regions.find((r) => r.region === 'us-west-2');
    expect(secondary?.secretReplicas).toBe(1);
    expect(secondary?.interfaceEndpoints).toEqual([
      { service: 'com.amazonaws.us-west-2.secretsmanager', azs: 2 },
      { service: 'com.amazonaws.us-west-2.ssm', azs: 2 },
    ]);
    const checks = inv.regions.flatMap((r) => r.healthChecks);
    expect(checks).toHaveLength(deployment.resources('AWS::Route53::HealthCheck').length);
    expect(
      checks
        .filter((c) => !c.calculated)
        .every((c) => c.https && c.measureLatency && c.requestIntervalSeconds === 10),
    ).toBe(true);
    expect(inv.dnsNames.map((n) => n.routing)).toEqual(['latency', 'simple', 'simple', 'failover']);
    expect(inv.arcManagedHealthChecks).toBe(deployment.arcHealthChecks().length);
    expect(inv.arcManagedHealthChecks).toBeGreaterThan(0);
  });
});

describe('changing the topology changes the bill by what the price file says', () => {
  test('GIVEN instanceClass r6g.xlarge WHEN priced THEN the total moves by count x hours x the price difference in each Region, and nothing else', () => {
    const large = deployedApp(TWO);
    const xlarge = deployedApp(TWO, { 'topology.instanceClass': 'r6g.xlarge' });
    const before = estimateOf(large).estimate;
    const after = estimateOf(xlarge).estimate;

    const expected = [...instancesOf(xlarge)].reduce((sum, [region, byClass]) => {
      const count = byClass.get('db.r6g.xlarge') ?? 0;
      return (
        sum +
        instanceCents(count, filePrice('aurora.instance.db.r6g.xlarge', region)) -
        instanceCents(count, filePrice('aurora.instance.db.r6g.large', region))
      );
    }, 0);
    expect(expected).toBeGreaterThan(0);
    expect(after.cents - before.cents).toBe(expected);
    expect(instanceLineCents(after) - instanceLineCents(before)).toBe(expected);
  });

  test('GIVEN readers 2 WHEN priced THEN each Region bills one more instance at its file price', () => {
    const one = estimateOf(deployedApp(TWO)).estimate;
    const twoReaders = deployedApp(TWO, { 'topology.readers': '2' });
    const two = estimateOf(twoReaders).estimate;
    const counts = instancesOf(twoReaders);

    expect(counts.get('us-east-1')?.get('db.r6g.large')).toBe(3);
    expect(counts.get('us-west-2')?.get('db.r6g.large')).toBe(2);
    const expected = [...counts].reduce((sum, [region, byClass]) => {
      const n = byClass.get('db.r6g.large') ?? 0;
      const p = filePrice('aurora.instance.db.r6g.large', region);
      return sum + instanceCents(n, p) - instanceCents(n - 1, p);
    }, 0);
    expect(two.cents - one.cents).toBe(expected);
  });

  test('GIVEN readersByRegion us-west-2: 0 (headless) WHEN priced THEN us-west-2 bills no instance but keeps its storage and replicated write I/O', () => {
    const staffed = estimateOf(deployedApp(TWO)).estimate;
    const headless = estimateOf(
      deployedApp(TWO, { 'topology.readersByRegion': '{"us-west-2":0}' }),
    ).estimate;
    const west = headless.regions.find((r) => r.region === 'us-west-2');

    expect(instanceLineCents(staffed) - instanceLineCents(headless)).toBe(
      instanceCents(1, filePrice('aurora.instance.db.r6g.large', 'us-west-2')),
    );
    expect(west?.lines.filter((l) => l.priceId.startsWith('aurora.instance.'))).toEqual([]);
    expect(west?.lines.map((l) => l.priceId)).toEqual(
      expect.arrayContaining(['aurora.storage@us-west-2', 'aurora.replicated-write-io@us-west-2']),
    );
  });

  test('GIVEN a third Region us-east-2 WHEN priced THEN it bills its instances, storage and replicated write I/O at its file prices, and peering at the pair price', () => {
    const three = deployedApp(THREE);
    const { estimate } = estimateOf(three);
    const east2 = estimate.regions.find((r) => r.region === 'us-east-2');
    const n = instancesOf(three).get('us-east-2')?.get('db.r6g.large') ?? 0;
    const writeIoMillions =
      (DEFAULT_WORKLOAD.writesPerSecond * DEFAULT_WORKLOAD.writeIosPerWrite * MONTH_SECONDS) / 1e6;
    const line = (id: string) => east2?.lines.find((l) => l.priceId === id);

    expect(n).toBe(1);
    expect(east2?.role).toBe('secondary');
    expect(line('aurora.instance.db.r6g.large@us-east-2')?.cents).toBe(
      instanceCents(n, filePrice('aurora.instance.db.r6g.large', 'us-east-2')),
    );
    expect(line('aurora.storage@us-east-2')?.unitUsd).toBe(
      filePrice('aurora.storage', 'us-east-2'),
    );
    expect(line('aurora.replicated-write-io@us-east-2')?.quantity).toBeCloseTo(writeIoMillions, 9);
    expect(line('aurora.replicated-write-io@us-east-2')?.unitUsd).toBe(
      filePrice('aurora.replicated-write-io', 'us-east-2'),
    );
    // N. Virginia <-> Ohio has its own price in the file.
    const toEast1 = east2?.lines.find((l) => l.item === 'to us-east-1 over VPC peering');
    expect(toEast1?.priceId).toBe('transfer.inter-region.to.us-east-1@us-east-2');
    expect(toEast1?.unitUsd).toBe(filePrice('transfer.inter-region.to.us-east-1', 'us-east-2'));
    // One Region switch plan per secondary.
    expect(
      linesPriced(estimate, 'arc.region-switch-plan@').reduce((s, l) => s + l.quantity, 0),
    ).toBe(three.resources('AWS::ARCRegionSwitch::Plan').length);
  });
  test('GIVEN a third Region us-east-2 WHEN priced THEN the total grows by its own lines, the two names it adds, and the checks, alarms, plan, peering and shared load it changes elsewhere', () => {
    const two = estimateOf(deployedApp(TWO)).estimate;
    const three = estimateOf(deployedApp(THREE)).estimate;
    const regionCents = (e: CostBreakdown, region: string) =>
      e.regions.find((r) => r.region === region)?.cents ?? 0;
    const itemCents = (e: CostBreakdown, region: string, service: string, item: RegExp) =>
      e.regions
        .find((r) => r.region === region)
        ?.lines.filter((l) => l.service === service && item.test(l.item))
        .reduce((s, l) => s + l.cents, 0) ?? 0;
    const queryMillions = (DEFAULT_WORKLOAD.dnsQueriesPerSecondPerName * MONTH_SECONDS) / 1e6;
    const names = (e: CostBreakdown) =>
      (e.regions.find((r) => r.region === 'global')?.lines ?? []).map((l) => l.item);
    const added = names(three).filter((n) => !names(two).includes(n));
    const cents = (n: number, usd: number) => Math.round(Number((n * usd * 100).toFixed(6)));

    // The names: us-east-2's own, and the standby write set that a second secondary brings.
    expect(added).toEqual([
      'queries: standby.write.example.com. (latency)',
      'queries: us-east-2.app.example.com. (simple)',
    ]);
    expect(regionCents(three, 'global') - regionCents(two, 'global')).toBe(
      cents(queryMillions, filePrice('route53.queries.latency', 'global')) +
        cents(queryMillions, filePrice('route53.queries.standard', 'global')),
    );
    // In the primary: the standby-writers calculated check, the serving alarm and one more
    // writer metric for us-east-2, and one more Region switch plan.
    expect(
      itemCents(three, 'us-east-1', 'Route 53', /^calculated/) -
        itemCents(two, 'us-east-1', 'Route 53', /^calculated/),
    ).toBe(cents(1, filePrice('route53.health-check.calculated', 'global')));
    expect(
      itemCents(three, 'us-east-1', 'CloudWatch', /alarms/) -
        itemCents(two, 'us-east-1', 'CloudWatch', /alarms/),
    ).toBe(cents(2, filePrice('cloudwatch.alarm-metric', 'us-east-1')));
    expect(
      itemCents(three, 'us-east-1', 'ARC', /plans/) - itemCents(two, 'us-east-1', 'ARC', /plans/),
    ).toBe(cents(1, filePrice('arc.region-switch-plan', 'us-east-1')));
    // The total is us-east-2's lines plus what changed in the other Regions and the names.
    expect(three.cents - two.cents).toBe(
      regionCents(three, 'us-east-2') +
        ['us-east-1', 'us-west-2', 'global'].reduce(
          (s, r) => s + regionCents(three, r) - regionCents(two, r),
          0,
        ),
    );
    expect(three.cents - two.cents).toBeGreaterThan(regionCents(three, 'us-east-2'));
  });
});

describe('the single-Region baseline', () => {
  test('GIVEN the default topology THEN the baseline is the primary alone: no replication, peering, replicas, health checks or plans', () => {
    const { estimate } = estimateOf(deployedApp(TWO));
    const baseline = estimate.baseline;
    const ids = baseline.regions.flatMap((r) => r.lines.map((l) => l.priceId));

    expect(baseline.regions.map((r) => r.region)).toEqual(['us-east-1', 'global']);
    for (const absent of [
      'aurora.replicated-write-io@',
      'transfer.inter-region',
      'route53.health-check',
      'arc.region-switch-plan@',
    ]) {
      expect(ids.filter((id) => id.startsWith(absent))).toEqual([]);
    }
    expect(baseline.regions[0].lines.filter((l) => l.item.startsWith('replica secrets'))).toEqual(
      [],
    );
    expect(baseline.regions[1].lines.map((l) => l.priceId)).toEqual([
      'route53.queries.standard@global',
    ]);
    // The same instances as the primary.
    expect(linesPriced(baseline, 'aurora.instance.')).toEqual(
      estimate.regions[0].lines.filter((l) => l.priceId.startsWith('aurora.instance.')),
    );
  });
});

describe('the single-Region baseline does not move with the topology', () => {
  test('GIVEN the default, a three-Region and a headless-secondary topology THEN the baseline is the same', () => {
    const baseline = (regions: string[], context: Record<string, string> = {}) =>
      estimateOf(deployedApp(regions, context)).estimate.baseline;
    const two = baseline(TWO);

    expect(baseline(THREE)).toEqual(two);
    expect(baseline(TWO, { 'topology.readersByRegion': '{"us-west-2":0}' })).toEqual(two);
  });

  test('GIVEN the default topology THEN the baseline keeps only the primary alarms a single Region has (not lag, readiness or routing)', () => {
    const deployment = deployedApp(TWO);
    const multiRegion = new Set<string>([
      ...Object.values(LAG_METRICS),
      ...Object.values(READINESS_METRICS),
      SERVICE_METRICS.secondariesWithinRpo,
      'HealthCheckStatus',
    ]);
    const readsOnly = (a: { properties: Record<string, unknown> }) => {
      const metrics = Array.isArray(a.properties.Metrics)
        ? (a.properties.Metrics as { MetricStat?: { Metric?: { MetricName?: string } } }[])
            .map((m) => m.MetricStat?.Metric?.MetricName)
            .filter((n): n is string => n !== undefined)
        : [String(a.properties.MetricName)];
      return metrics.every((n) => !multiRegion.has(n));
    };
    const kept = deployment
      .resources('AWS::CloudWatch::Alarm')
      .filter((a) => a.region === 'us-east-1' && readsOnly(a));
    const line = estimateOf(deployment).estimate.baseline.regions[0].lines.find(
      (l) => l.service === 'CloudWatch' && l.item.endsWith('alarms (metrics they read)'),
    );

    expect(kept.length).toBeGreaterThan(0);
    expect(line?.item).toBe(`${kept.length} alarms (metrics they read)`);
    expect(line?.cents).toBe(
      Math.round(kept.length * filePrice('cloudwatch.alarm-metric', 'us-east-1') * 100),
    );
  });
});
