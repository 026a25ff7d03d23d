// The cost of each design choice next to what it buys: the model re-run on an inventory with
// that one thing changed, so every figure is the same arithmetic as the estimate itself.
import { serviceHostnames } from '../../../constructs/service-hostnames';
import type { HealthCheckItem, Inventory, RegionInventory } from './inventory';
import { breakdown, type CostBreakdown } from './model';
import type { PriceBook } from './prices';
import type { Workload } from './workload';

/** One choice: what it changes in the monthly bill and what that buys or costs. */
export interface CostChoice {
  readonly id:
    | 'secondary-reader'
    | 'third-region'
    | 'fast-health-checks'
    | 'io-optimized'
    | 'headless-secondary';
  readonly title: string;
  /** Monthly cost of taking the choice, in cents (negative: it saves). */
  readonly deltaCents: number;
  readonly buys: string;
  readonly costs: string;
}

/** Options of `costChoices`. */
export interface ChoiceOptions {
  /**
   * The Region a third Region would be; it needs prices in the book.
   * @default - the first Region (by name) the price book prices the primary's instance class in
   */
  readonly thirdRegion?: string;
}

/** Seconds between health checks when not fast (Route 53's standard interval). */
const STANDARD_INTERVAL_SECONDS = 30;
/** The fast interval. */
const FAST_INTERVAL_SECONDS = 10;

/** Every choice that applies to `inv`, each priced against the estimate of `inv` itself. */
export function costChoices(
  inv: Inventory,
  workload: Workload,
  prices: PriceBook,
  options: ChoiceOptions = {},
): CostChoice[] {
  const cost = (i: Inventory) => breakdown(i, workload, prices).cents;
  const current = cost(inv);
  const choices: CostChoice[] = [];
  const secondaries = inv.regions.filter((r) => r.role === 'secondary');
  const primary = inv.regions.find((r) => r.role === 'primary') ?? inv.regions[0];
  const instanceClass = primary.instances[0]?.instanceClass;

  if (secondaries.length > 0 && instanceClass) {
    const headless = secondaries.filter((r) => instanceCount(r) === 0).map((r) => r.region);
    choices.push({
      id: 'secondary-reader',
      title: `One more ${instanceClass} reader in each secondary (${names(secondaries)})`,
      deltaCents:
        cost(
          withRegions(inv, (r) => (r.role === 'secondary' ? addInstance(r, instanceClass) : r)),
        ) - current,
      buys:
        headless.length > 0
          ? `reads keep serving locally in ${headless.join(', ')}, and a promotion there does not wait for an instance to be created first`
          : 'more read capacity in each secondary, and a promoted writer keeps a reader to fail over to within its Region',
      costs: 'nothing beyond the instance-hours',
    });
  }

  const third = options.thirdRegion ?? thirdRegionOf(inv, prices, instanceClass);
  const template = secondaries[0];
  if (third && template) {
    const withAdded = withRegionAdded(inv, template, third);
    const after = inv.regions.length + 1;
    choices.push({
      id: 'third-region',
      title: `${addedRegionLabel(after)} (${third}, shaped like ${template.region})`,
      deltaCents: cost(withAdded) - current,
      buys: `the service survives the loss of ${countWord(after - 1)} Regions (now ${countWord(after - 2)})${
        secondaries.length === 1
          ? ', and the managed RPO can be enforced in every role: a healthy secondary remains to satisfy rds.global_db_rpo when one Region is lost'
          : ''
      }`,
      costs:
        'one more copy of the data to keep in residency scope; replicated write I/O to one more Region (Aurora Standard; assumed waived under I/O-Optimized)',
    });
  }

  const endpointChecks = inv.regions.flatMap((r) => r.healthChecks).filter((h) => !h.calculated);
  if (endpointChecks.length > 0) {
    const threshold = Math.max(...endpointChecks.map((h) => h.failureThreshold ?? 3));
    const at = (interval: number) =>
      cost(
        withRegions(inv, (r) => ({
          ...r,
          healthChecks: r.healthChecks.map((h) => withInterval(h, interval)),
        })),
      );
    const saved = (STANDARD_INTERVAL_SECONDS - FAST_INTERVAL_SECONDS) * threshold;
    choices.push({
      id: 'fast-health-checks',
      title: `Fast (${FAST_INTERVAL_SECONDS} s) health checks instead of standard (${STANDARD_INTERVAL_SECONDS} s), ${endpointChecks.length} checks`,
      deltaCents: at(FAST_INTERVAL_SECONDS) - at(STANDARD_INTERVAL_SECONDS),
      buys: `detection ${STANDARD_INTERVAL_SECONDS / FAST_INTERVAL_SECONDS}x faster: ${saved} s off each RTO floor that waits for a health check (${STANDARD_INTERVAL_SECONDS - FAST_INTERVAL_SECONDS} s x failure threshold ${threshold} from the template)`,
      costs: `${STANDARD_INTERVAL_SECONDS / FAST_INTERVAL_SECONDS}x the health checkers' requests to the API and its Lambda`,
    });
  }

  const clustered = inv.regions.filter((r) => r.storageType !== undefined);
  if (clustered.length > 0) {
    const standard = breakdown(withStorage(inv, 'aurora'), workload, prices);
    const optimized = breakdown(withStorage(inv, 'aurora-iopt1'), workload, prices);
    const { cents: ioCents, millions } = ioCharges(standard);
    const fixedDelta = optimized.cents - (standard.cents - ioCents);
    const breakEven = ioCents > 0 ? Math.round((fixedDelta * millions) / ioCents) : undefined;
    const now = clustered.every((r) => r.storageType === 'aurora-iopt1')
      ? 'I/O-Optimized'
      : 'Aurora Standard';
    choices.push({
      id: 'io-optimized',
      title: `Aurora I/O-Optimized instead of Aurora Standard (now: ${now})`,
      deltaCents: optimized.cents - standard.cents,
      buys: `no charge per I/O (and, assumed, none for replicated write I/O: AWS's pricing page does not say); a predictable bill${
        breakEven === undefined
          ? ''
          : `; break-even at about ${breakEven.toLocaleString('en-US')} million I/Os a month (this workload: ${Math.round(millions).toLocaleString('en-US')} million)`
      }`,
      costs: 'higher instance and storage rates in every Region',
    });
  }

  const staffed = secondaries.filter((r) => instanceCount(r) > 0);
  if (staffed.length > 0) {
    choices.push({
      id: 'headless-secondary',
      title: `Headless secondaries (no instances in ${names(staffed)})`,
      deltaCents:
        cost(withRegions(inv, (r) => (r.role === 'secondary' ? { ...r, instances: [] } : r))) -
        current,
      buys: 'the data is still replicated and the storage kept in each secondary Region',
      costs:
        'a promotion must add an instance first (minutes more on the write RTO), and those Regions serve no reads locally',
    });
  }
  return choices;
}

const COUNT_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
];
const ORDINALS = [
  '',
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'ninth',
  'tenth',
  'eleventh',
];

const countWord = (n: number) => COUNT_WORDS[n] ?? String(n);

/** "A third Region", "A fourth Region"...: the Region the choice adds, by its number. */
export function addedRegionLabel(regionsAfter: number): string {
  const word = ORDINALS[regionsAfter];
  if (!word) return `One more Region (the ${regionsAfter}th)`;
  return `${/^[aeiou]/.test(word) ? 'An' : 'A'} ${word} Region`;
}

/**
 * `inv` with `region` added, shaped like the secondary `template` (keys, endpoints, alarms,
 * report bucket) and peered to every Region; what the stacks add with it: a Region switch
 * plan where the plans live, its regional name and a record in the latency set, the routing
 * alarms watching its checks (next to the others), and, when it is the second secondary, the
 * standby write chain: a latency name over the secondaries and a calculated check over them.
 */
function withRegionAdded(inv: Inventory, template: RegionInventory, region: string): Inventory {
  const secondaries = inv.regions.filter((r) => r.role === 'secondary');
  const added: RegionInventory = {
    ...asRegion(template, region),
    peerings: inv.regions.map((r) => r.region),
    regionSwitchPlans: 0,
  };
  const plansPerSecondary =
    secondaries.length > 0
      ? inv.regions.reduce((s, r) => s + r.regionSwitchPlans, 0) / secondaries.length
      : 0;
  const planHome = inv.regions.find((r) => r.regionSwitchPlans > 0)?.region;
  const routingHome = inv.routingAlarmRegion;
  const failover = inv.dnsNames.find((n) => n.routing === 'failover');
  const firstStandby = secondaries.length === 1 && failover !== undefined;
  const standbyCheck: HealthCheckItem = {
    logicalId: 'AddedAnyStandby',
    type: 'CALCULATED',
    calculated: true,
    https: false,
    stringMatching: false,
    measureLatency: false,
    region: inv.primaryRegion,
  };
  return {
    ...inv,
    regions: [
      ...inv.regions.map((r) => {
        let changed = r;
        if (r.region === planHome) {
          changed = {
            ...changed,
            regionSwitchPlans: changed.regionSwitchPlans + plansPerSecondary,
          };
        }
        if (r.region === routingHome) {
          const watch = template.routingAlarmsWatching;
          changed = {
            ...changed,
            alarms: changed.alarms + watch.alarms,
            alarmMetrics: changed.alarmMetrics + watch.metrics,
            multiRegionAlarms: changed.multiRegionAlarms + watch.alarms,
            multiRegionAlarmMetrics: changed.multiRegionAlarmMetrics + watch.metrics,
          };
        }
        if (firstStandby && r.role === 'primary') {
          changed = { ...changed, healthChecks: [...changed.healthChecks, standbyCheck] };
        }
        return changed;
      }),
      added,
    ],
    dnsNames: [
      ...inv.dnsNames.map((n) => (n.routing === 'latency' ? { ...n, records: n.records + 1 } : n)),
      ...inv.dnsNames
        .filter((n) => n.name.startsWith(`${template.region}.`))
        .map((n) => ({ ...n, name: n.name.replace(template.region, region) })),
      ...(firstStandby
        ? [{ name: standbyNameOf(failover.name), routing: 'latency' as const, records: 2 }]
        : []),
    ],
  };
}

/** The standby latency name behind a failover name, as constructs/service-hostnames.ts derives it. */
function standbyNameOf(failoverName: string): string {
  const sample = serviceHostnames('example.invalid');
  return `${sample.writeStandby.slice(0, -sample.write.length)}${failoverName}`;
}

const names = (regions: readonly RegionInventory[]) => regions.map((r) => r.region).join(', ');
const instanceCount = (r: RegionInventory) => r.instances.reduce((s, i) => s + i.count, 0);

function withRegions(inv: Inventory, change: (r: RegionInventory) => RegionInventory): Inventory {
  return { ...inv, regions: inv.regions.map(change) };
}

function addInstance(r: RegionInventory, instanceClass: string): RegionInventory {
  const has = r.instances.some((i) => i.instanceClass === instanceClass);
  return {
    ...r,
    instances: has
      ? r.instances.map((i) =>
          i.instanceClass === instanceClass ? { ...i, count: i.count + 1 } : i,
        )
      : [...r.instances, { instanceClass, count: 1 }],
  };
}

function withInterval(h: HealthCheckItem, interval: number): HealthCheckItem {
  return h.calculated ? h : { ...h, requestIntervalSeconds: interval };
}

function withStorage(inv: Inventory, storageType: string): Inventory {
  return withRegions(inv, (r) => (r.storageType === undefined ? r : { ...r, storageType }));
}

/** The template secondary, moved to `region` (its checks probe the new Region). */
function asRegion(template: RegionInventory, region: string): RegionInventory {
  return {
    ...template,
    region,
    healthChecks: template.healthChecks.map((h) => ({ ...h, region })),
    interfaceEndpoints: template.interfaceEndpoints.map((e) => ({
      ...e,
      service: e.service.replace(template.region, region),
    })),
  };
}

function thirdRegionOf(
  inv: Inventory,
  prices: PriceBook,
  instanceClass?: string,
): string | undefined {
  if (!instanceClass) return undefined;
  const deployed = new Set(inv.regions.map((r) => r.region));
  const priced = [...prices.figures.values()]
    .filter((f) => f.id === `aurora.instance.${instanceClass}` && !deployed.has(f.region))
    .map((f) => f.region)
    .sort();
  return priced[0];
}

function ioCharges(b: CostBreakdown): { cents: number; millions: number } {
  const lines = b.regions
    .flatMap((r) => r.lines)
    .filter(
      (l) =>
        l.priceId.startsWith('aurora.io@') || l.priceId.startsWith('aurora.replicated-write-io@'),
    );
  return {
    cents: lines.reduce((s, l) => s + l.cents, 0),
    millions: lines.reduce((s, l) => s + l.quantity, 0),
  };
}
