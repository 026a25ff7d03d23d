// The monthly cost of an inventory under a workload and a price book: itemized lines per
// Region, each quantity x unit price rounded once to whole cents, so lines sum exactly to
// Region totals and Region totals to the grand total. The single-Region baseline is the same
// service in the primary Region alone; the premium is what the other Regions add.
import type { Inventory, RegionInventory } from './inventory';
import { invocationsPerMonth } from './inventory';
import {
  GLOBAL_PRICE_REGION,
  oldestRead,
  PriceCollector,
  type PriceBook,
  type PricedFigure,
} from './prices';
import type { Workload } from './workload';

/** One itemized line. */
export interface CostLine {
  readonly service: string;
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitUsd: number;
  /** The figure's id in the price file (with its Region: `id@region`). */
  readonly priceId: string;
  /** quantity x unitUsd, in whole cents (rounded once, here). */
  readonly cents: number;
}

/** The lines and total of one Region (or `global`, for Route 53 queries). */
export interface RegionCost {
  readonly region: string;
  readonly role: 'primary' | 'secondary' | 'global';
  readonly lines: readonly CostLine[];
  readonly cents: number;
}

/** A monthly cost: Regions, total, and every figure it used. */
export interface CostBreakdown {
  readonly regions: readonly RegionCost[];
  readonly cents: number;
  readonly figures: readonly PricedFigure[];
}

/** The estimate of a deployment, its single-Region baseline and the premium over it. */
export interface CostEstimate extends CostBreakdown {
  readonly primaryRegion: string;
  readonly workload: Workload;
  readonly priceFiles: readonly string[];
  /** The oldest `read` date among the figures used. */
  readonly priceDate: string;
  readonly baseline: CostBreakdown;
  readonly premiumCents: number;
  /** What the templates hold that the estimate does not price, and why. */
  readonly notPriced: readonly string[];
}

const SECONDS_PER_HOUR = 3600;

/** Whole cents of `quantity` x `unitUsd`: the one place the model rounds. */
export function lineCents(quantity: number, unitUsd: number): number {
  // toFixed first: 0.26 * 730 * 100 is 18979.999999999996 in binary floating point.
  return Math.round(Number((quantity * unitUsd * 100).toFixed(6)));
}

class Lines {
  readonly lines: CostLine[] = [];
  constructor(
    private readonly book: PriceCollector,
    private readonly used: Map<string, PricedFigure>,
  ) {}

  add(service: string, item: string, quantity: number, figure: PricedFigure): void {
    if (quantity <= 0) return;
    this.book.billed(figure);
    const priceId = `${figure.id}@${figure.region}`;
    this.used.set(priceId, figure);
    this.lines.push({
      service,
      item,
      quantity,
      unit: figure.unit,
      unitUsd: figure.usd,
      priceId,
      cents: lineCents(quantity, figure.usd),
    });
  }

  price(id: string, region: string): PricedFigure {
    return this.book.price(id, region);
  }

  transfer(from: string, to: string): PricedFigure {
    return this.book.transfer(from, to);
  }
}

const IO_OPTIMIZED = 'aurora-iopt1';

/** The monthly cost of `inv`, its single-Region baseline and the premium. */
export function costModel(inv: Inventory, workload: Workload, prices: PriceBook): CostEstimate {
  const full = breakdown(inv, workload, prices);
  const baseline = breakdown(singleRegionInventory(inv), workload, prices);
  const figures = [...full.figures, ...baseline.figures.filter((f) => !full.figures.includes(f))];
  return {
    ...full,
    primaryRegion: inv.primaryRegion,
    workload,
    priceFiles: prices.files,
    priceDate: oldestRead(figures),
    baseline,
    premiumCents: full.cents - baseline.cents,
    notPriced: notPriced(inv),
  };
}

/**
 * The monthly cost of `inv` alone (no baseline); a MissingPriceError lists every figure the
 * book lacks, not only the first.
 */
export function breakdown(inv: Inventory, workload: Workload, book: PriceBook): CostBreakdown {
  const used = new Map<string, PricedFigure>();
  const prices = new PriceCollector(book);
  const hours = workload.hoursPerMonth;
  const monthSeconds = hours * SECONDS_PER_HOUR;
  const servingRegions = inv.regions.filter((r) => r.httpApis > 0).length;
  const readingRegions = inv.regions.filter((r) => r.instances.some((i) => i.count > 0)).length;
  const writeIoMillions =
    (workload.writesPerSecond * workload.writeIosPerWrite * monthSeconds) / 1e6;

  const regions: RegionCost[] = inv.regions.map((r) => {
    const l = new Lines(prices, used);
    const iopt = r.storageType === IO_OPTIMIZED;
    const config = iopt ? 'I/O-Optimized' : 'Aurora Standard';
    for (const { instanceClass, count } of r.instances) {
      const id = `aurora.instance${iopt ? '-iopt' : ''}.${instanceClass}`;
      l.add(
        'Aurora',
        `${count} x ${instanceClass} (${config})`,
        count * hours,
        l.price(id, r.region),
      );
    }
    if (r.storageType !== undefined) {
      // Every cluster of a global database holds a full copy of the data.
      l.add(
        'Aurora',
        `storage (${config})`,
        workload.storageGb,
        l.price(iopt ? 'aurora.storage-iopt' : 'aurora.storage', r.region),
      );
      const readIoMillions =
        r.instances.some((i) => i.count > 0) && readingRegions > 0
          ? (workload.readIosPerSecond * monthSeconds) / 1e6 / readingRegions
          : 0;
      const ioMillions = (r.role === 'primary' ? writeIoMillions : 0) + readIoMillions;
      if (!iopt) {
        l.add(
          'Aurora',
          r.role === 'primary'
            ? 'storage I/O (writes and local reads)'
            : 'storage I/O (local reads)',
          ioMillions,
          l.price('aurora.io', r.region),
        );
        if (r.role === 'secondary') {
          l.add(
            'Aurora',
            `replicated write I/O from ${inv.primaryRegion}`,
            writeIoMillions,
            l.price('aurora.replicated-write-io', r.region),
          );
        }
      }
      const retention = r.backupRetentionDays ?? 1;
      const automatedGb = Math.max(
        0,
        workload.storageGb * workload.backupDailyChangeRatio * retention - workload.storageGb,
      );
      l.add(
        'Aurora',
        `automated backups beyond the free allowance (${retention} days)`,
        automatedGb,
        l.price('aurora.backup-storage', r.region),
      );
    }
    for (const rule of r.backupRules) {
      const gb =
        workload.storageGb *
        (1 + workload.backupDailyChangeRatio * Math.max(0, rule.retentionDays - 1));
      l.add(
        'AWS Backup',
        `daily snapshots kept ${rule.retentionDays} days`,
        gb,
        l.price('backup.aurora-snapshot', r.region),
      );
      for (const to of rule.copyRegions) {
        l.add(
          'AWS Backup',
          `snapshot copies to ${to} (transfer)`,
          workload.storageGb * workload.backupDailyChangeRatio * (hours / 24),
          l.transfer(r.region, to),
        );
      }
    }
    // Each peering carries the workload's cross-Region traffic, half in each direction; the
    // side that sends pays, so each connection is billed here and in the peer Region.
    const peers = [
      ...r.peerings,
      ...inv.regions.filter((o) => o.peerings.includes(r.region)).map((o) => o.region),
    ];
    for (const peer of peers) {
      l.add(
        'Data transfer',
        `to ${peer} over VPC peering`,
        workload.interRegionTransferGbPerMonth / 2,
        l.transfer(r.region, peer),
      );
    }

    const endpointChecks = r.healthChecks.filter((h) => !h.calculated);
    const calculated = r.healthChecks.length - endpointChecks.length;
    const global = GLOBAL_PRICE_REGION;
    l.add(
      'Route 53',
      'health checks (AWS endpoints)',
      endpointChecks.length,
      l.price('route53.health-check.aws-endpoint', global),
    );
    l.add(
      'Route 53',
      'calculated health checks',
      calculated,
      l.price('route53.health-check.calculated', global),
    );
    const options: [string, number][] = [
      [
        'health check option: fast interval (10 s)',
        endpointChecks.filter((h) => h.requestIntervalSeconds === 10).length,
      ],
      ['health check option: HTTPS', endpointChecks.filter((h) => h.https).length],
      [
        'health check option: latency measurement',
        endpointChecks.filter((h) => h.measureLatency).length,
      ],
      [
        'health check option: string matching',
        endpointChecks.filter((h) => h.stringMatching).length,
      ],
    ];
    for (const [item, count] of options)
      l.add('Route 53', item, count, l.price('route53.health-check.option', global));

    if (r.httpApis > 0) {
      // Every health checker requests the endpoint once per interval.
      const probes = endpointChecks.reduce(
        (sum, h) =>
          sum +
          (workload.healthCheckers * SECONDS_PER_HOUR * hours) / (h.requestIntervalSeconds ?? 30),
        0,
      );
      const clientRequests =
        servingRegions > 0 ? (workload.requestsPerSecond * monthSeconds) / servingRegions : 0;
      const apiRequests = clientRequests + probes;
      l.add(
        'API Gateway',
        'HTTP API requests (clients and health checkers)',
        apiRequests / 1e6,
        l.price('apigateway.http.requests', r.region),
      );
      const apiFunctions = r.functions.filter((f) => f.invokedBy === 'api');
      const scheduled = r.functions.filter((f) => f.invokedBy === 'schedule');
      const invocations = [
        ...(apiFunctions.length > 0
          ? apiFunctions.map((f) => ({ f, n: apiRequests / apiFunctions.length }))
          : []),
        ...scheduled.map((f) => ({
          f,
          n: (f.schedules ?? []).reduce((s, e) => s + invocationsPerMonth(e, hours), 0),
        })),
      ];
      l.add(
        'Lambda',
        'requests (API routes and schedules)',
        invocations.reduce((s, i) => s + i.n, 0) / 1e6,
        l.price('lambda.requests', r.region),
      );
      for (const arch of ['arm64', 'x86_64'] as const) {
        const gbSeconds = invocations
          .filter((i) => i.f.architecture === arch)
          .reduce(
            (s, i) => s + i.n * (i.f.memoryMb / 1024) * (workload.lambdaDurationMs / 1000),
            0,
          );
        l.add(
          'Lambda',
          `duration (${arch})`,
          gbSeconds,
          l.price(`lambda.duration.${arch}`, r.region),
        );
      }
    }
    l.add('KMS', 'customer managed keys', r.kmsKeys, l.price('kms.key', r.region));
    l.add('Secrets Manager', 'secrets', r.secrets, l.price('secretsmanager.secret', r.region));
    l.add(
      'Secrets Manager',
      'replica secrets (billed as secrets)',
      r.secretReplicas,
      l.price('secretsmanager.secret', r.region),
    );
    const endpointAzs = r.interfaceEndpoints.reduce((s, e) => s + e.azs, 0);
    l.add(
      'VPC endpoints',
      `${r.interfaceEndpoints.length} interface endpoints x AZs`,
      endpointAzs * hours,
      l.price('privatelink.interface-endpoint', r.region),
    );
    l.add(
      'VPC endpoints',
      'data processed',
      r.interfaceEndpoints.length * workload.endpointGbPerMonth,
      l.price('privatelink.data', r.region),
    );
    l.add(
      'CloudWatch',
      `${r.alarms} alarms (metrics they read)`,
      r.alarmMetrics,
      l.price('cloudwatch.alarm-metric', r.region),
    );
    l.add('CloudWatch', 'dashboards', r.dashboards, l.price('cloudwatch.dashboard', r.region));
    l.add(
      'ARC',
      'Region switch plans',
      r.regionSwitchPlans,
      l.price('arc.region-switch-plan', r.region),
    );
    return { region: r.region, role: r.role, lines: l.lines, cents: sum(l.lines) };
  });

  const dns = new Lines(prices, used);
  const queryMillions = (workload.dnsQueriesPerSecondPerName * monthSeconds) / 1e6;
  for (const name of inv.dnsNames) {
    const latency = name.routing === 'latency';
    dns.add(
      'Route 53',
      `queries: ${name.name} (${name.routing})`,
      queryMillions,
      dns.price(
        latency ? 'route53.queries.latency' : 'route53.queries.standard',
        GLOBAL_PRICE_REGION,
      ),
    );
  }
  if (dns.lines.length > 0) {
    regions.push({
      region: GLOBAL_PRICE_REGION,
      role: 'global',
      lines: dns.lines,
      cents: sum(dns.lines),
    });
  }
  prices.throwIfMissing();
  return {
    regions,
    cents: regions.reduce((s, r) => s + r.cents, 0),
    figures: [...used.values()],
  };
}

const sum = (lines: readonly CostLine[]) => lines.reduce((s, l) => s + l.cents, 0);

/**
 * The same service in the primary Region alone: no secondary, no replication, no peering,
 * no secret replicas, no failover health checks or Region switch plans, one simple DNS name,
 * and none of the alarms that exist only for other Regions or routing (lag, readiness,
 * health checks), so the baseline does not move with the topology.
 */
export function singleRegionInventory(inv: Inventory): Inventory {
  const primary = inv.regions.find((r) => r.region === inv.primaryRegion) ?? inv.regions[0];
  const alone: RegionInventory = {
    ...primary,
    healthChecks: [],
    peerings: [],
    secretReplicas: 0,
    regionSwitchPlans: 0,
    backupRules: primary.backupRules.map((b) => ({ ...b, copyRegions: [] })),
    alarms: primary.alarms - primary.multiRegionAlarms,
    alarmMetrics: primary.alarmMetrics - primary.multiRegionAlarmMetrics,
    multiRegionAlarms: 0,
    multiRegionAlarmMetrics: 0,
    routingAlarmsWatching: { alarms: 0, metrics: 0 },
  };
  const first = inv.dnsNames.find((n) => n.routing === 'latency') ?? inv.dnsNames[0];
  return {
    primaryRegion: inv.primaryRegion,
    regions: [alone],
    dnsNames: first ? [{ name: first.name, routing: 'simple', records: 1 }] : [],
    arcManagedHealthChecks: 0,
  };
}

function notPriced(inv: Inventory): string[] {
  const count = (f: (r: RegionInventory) => number) => inv.regions.reduce((s, r) => s + f(r), 0);
  const onDemand = count((r) => r.functions.filter((f) => f.invokedBy === 'on-demand').length);
  return [
    `${count((r) => r.fisTemplates)} FIS experiment templates: billed per action-minute only when a game day runs`,
    `${count((r) => r.schedules)} EventBridge Scheduler schedules: a few thousand invocations a month (the Lambda runs they start are priced)`,
    `${count((r) => r.buckets)} S3 buckets: their storage depends on use and is not estimated`,
    `${onDemand} Lambda functions run at deploy time or during a Region switch only`,
    `${inv.arcManagedHealthChecks} Route 53 health checks ARC creates for the Region switch plans: whether they are billed as Route 53 health checks is not confirmed`,
    'the hosted zone: imported, not created by these stacks',
    'KMS and Secrets Manager API requests, CloudWatch Logs and custom metrics, data transfer to the internet',
  ];
}
