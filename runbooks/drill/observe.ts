import type {
  AlarmView,
  ClusterView,
  DrillAws,
  GlobalClusterView,
  HealthView,
  InstanceClassView,
  LagView,
  RecordView,
} from './aws/adapters';
import type { Clock } from './clock';
import { PROMOTION_QUOTAS } from './checks/capacity';
import { probeClient, type ClientProbe } from './client-probe';
import { arnRegion, targetNames, type DatabaseRole, type DrillTopology } from './discovery';
import { DrillError, errorText, isDrillError } from './errors';

/** A value that was read, or why it could not be. */
export type Observed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface RegionSnapshot {
  readonly region: string;
  readonly role: DatabaseRole;
  readonly clusterIdentifier: string;
  readonly isMember: boolean;
  readonly isWriter: boolean;
  readonly cluster: Observed<ClusterView>;
  /** Lag metrics exist only for secondaries; absent for the writer. */
  readonly lag?: Observed<LagView>;
  readonly drain: Observed<string | undefined>;
  /** The RPO the cluster's parameter group enforces (`rds.global_db_rpo`, seconds), or null. */
  readonly managedRpo: Observed<number | null>;
  /** Absent for a headless secondary, which has no serving check. */
  readonly servingCheck?: Observed<HealthView>;
  readonly writerCheck: Observed<HealthView>;
}

/** What a name resolves to through the zone's CNAME chain, first answer first. */
export interface DnsChain {
  readonly name: string;
  readonly answers: Observed<string[]>;
}

/** One region's quotas that bound a promotion, and (non-writers) the writer's classes offered. */
export interface RegionCapacity {
  readonly region: string;
  readonly quotas: readonly {
    readonly code: string;
    readonly name: string;
    readonly value: Observed<number>;
  }[];
  /** Absent for the writer's region; per instance class of the writer, offered here or not. */
  readonly orderable?: Observed<readonly OrderableClass[]>;
}

/** Whether a region offers one of the writer's instance classes for its engine version. */
export interface OrderableClass {
  readonly instanceClass: string;
  readonly engine: string;
  readonly engineVersion: string;
  readonly offered: boolean;
}

/** What a promotion needs of the regions: the writer's instances, quotas and offerings. */
export interface CapacitySnapshot {
  readonly writerInstances: Observed<InstanceClassView[]>;
  readonly regions: readonly RegionCapacity[];
}

/** Everything `drill status` shows and `drill preflight` judges, read at one moment. */
export interface Snapshot {
  readonly takenAt: string;
  readonly globalCluster: GlobalClusterView;
  readonly writerRegion?: string;
  readonly regions: readonly RegionSnapshot[];
  readonly dns: { readonly app: DnsChain; readonly write: DnsChain };
  readonly records: Observed<RecordView[]>;
  readonly alarms: readonly { readonly region: string; readonly alarms: Observed<AlarmView[]> }[];
  /** The client canary's probe; absent when it was not asked for (the canary is turned off). */
  readonly client?: ClientProbe;
  /** Instance classes and quotas (preflight only); absent when not asked for. */
  readonly capacity?: CapacitySnapshot;
}

/** Errors that no other region or a later poll can fix: stop at once. */
export function isFatal(err: unknown): boolean {
  return (
    !isDrillError(err) ||
    err.code === 'NO_CREDENTIALS' ||
    err.code === 'UNKNOWN_GLOBAL_CLUSTER' ||
    err.code === 'INTERRUPTED' ||
    err.code === 'INTERNAL'
  );
}

async function observed<T>(read: Promise<T>): Promise<Observed<T>> {
  try {
    return { ok: true, value: await read };
  } catch (err) {
    if (isFatal(err)) throw err;
    return { ok: false, error: errorText(err) };
  }
}

/**
 * Reads the global cluster from the first region that answers, trying `preferred` first:
 * in an outage the old primary's region may not answer, while any member region can.
 */
export async function describeGlobalCluster(
  aws: DrillAws,
  topology: DrillTopology,
  preferred: readonly string[] = [],
): Promise<GlobalClusterView> {
  const order = [
    ...new Set([...preferred, topology.primaryRegion, ...topology.regions.map((r) => r.region)]),
  ];
  const failures: string[] = [];
  let last: unknown;
  for (const region of order) {
    try {
      return await aws.database.describeGlobalCluster(region, topology.globalClusterIdentifier);
    } catch (err) {
      if (isFatal(err)) throw err;
      last = err;
      failures.push(`${region}: ${errorText(err)}`);
    }
  }
  throw new DrillError(
    'AWS_ERROR',
    `could not read global cluster ${topology.globalClusterIdentifier} in any region:\n  ${failures.join('\n  ')}`,
    {
      // The last region's hint names what to check for that kind of failure (e.g. the endpoint).
      hint: (isDrillError(last) && last.hint) || 'Check network access and credentials, then rerun',
      transient: true,
      cause: last,
    },
  );
}

/** The region whose cluster is the writer, matched by ARN against the outputs. */
export function writerRegionOf(
  global: GlobalClusterView,
  topology: DrillTopology,
): string | undefined {
  const writer = global.members.find((m) => m.isWriter);
  if (!writer) return undefined;
  return topology.regions.find((r) => r.clusterArn === writer.arn)?.region ?? arnRegion(writer.arn);
}

export function memberOf(global: GlobalClusterView, clusterArn: string) {
  return global.members.find((m) => m.arn === clusterArn);
}

/**
 * Follows the zone's CNAMEs from `name` (up to 4 hops, e.g. write. -> standby.write. ->
 * a region's API Gateway target) until the answer is a region's published target or
 * leaves the chain.
 */
export async function resolveChain(
  aws: DrillAws,
  topology: DrillTopology,
  name: string,
): Promise<string[]> {
  const finalNames = targetNames(topology);
  const chain: string[] = [];
  let current = name;
  for (let hop = 0; hop < 4; hop++) {
    const answers = await aws.routing.dnsAnswer(topology.hostedZoneId, current);
    if (answers.length === 0) break;
    current = answers[0];
    chain.push(current);
    if (finalNames.has(current)) break;
  }
  return chain;
}

export interface ObserveOptions {
  readonly clock: Clock;
  /** Region of the Route 53 calls and the routing stack's alarms. */
  readonly homeRegion: string;
  /** Regions to ask about the global cluster first. */
  readonly preferredRegions?: readonly string[];
  /** Probe the client canary's network (see client-probe.ts), its item named for `drillId`. */
  readonly client?: { readonly drillId?: string };
  /** Read the writer's instance classes, their offering in the other regions and the quotas. */
  readonly capacity?: boolean;
}

/** Reads the whole picture in parallel; a failing region shows as an error, not a crash. */
export async function observe(
  aws: DrillAws,
  topology: DrillTopology,
  options: ObserveOptions,
): Promise<Snapshot> {
  const now = new Date(options.clock.now());
  const globalCluster = await describeGlobalCluster(aws, topology, options.preferredRegions);
  const writerRegion = writerRegionOf(globalCluster, topology);
  const chain = async (name: string): Promise<DnsChain> => ({
    name,
    answers: await observed(resolveChain(aws, topology, name)),
  });
  const alarmRegions = [...new Set([...topology.regions.map((r) => r.region), options.homeRegion])];

  const [regions, app, write, records, alarms, client] = await Promise.all([
    Promise.all(
      topology.regions.map(async (r): Promise<RegionSnapshot> => {
        const member = memberOf(globalCluster, r.clusterArn);
        const isWriter = member?.isWriter ?? false;
        const [cluster, lag, drain, managedRpo, servingCheck, writerCheck] = await Promise.all([
          observed(aws.database.describeCluster(r.region, r.clusterIdentifier)),
          isWriter
            ? Promise.resolve(undefined)
            : observed(aws.metrics.lag(r.region, r.clusterIdentifier, now)),
          observed(aws.switches.get(r.region, r.drainParameterName)),
          observed(aws.database.managedRpo(r.region, r.clusterParameterGroupName)),
          r.healthChecks.serving === undefined
            ? Promise.resolve(undefined)
            : observed(aws.routing.healthCheckStatus(r.healthChecks.serving)),
          observed(aws.routing.healthCheckStatus(r.healthChecks.writer)),
        ]);
        return {
          region: r.region,
          role: r.role,
          clusterIdentifier: r.clusterIdentifier,
          isMember: member !== undefined,
          isWriter,
          cluster,
          lag,
          drain,
          managedRpo,
          servingCheck,
          writerCheck,
        };
      }),
    ),
    chain(topology.appHostname),
    chain(topology.writeHostname),
    observed(
      Promise.all([
        aws.routing.recordSets(topology.hostedZoneId, topology.appHostname),
        aws.routing.recordSets(topology.hostedZoneId, topology.writeHostname),
      ]).then((lists) => lists.flat()),
    ),
    Promise.all(
      alarmRegions.map(async (region) => ({
        region,
        alarms: await observed(aws.metrics.alarmsInAlarm(region, topology.alarmNamePrefix)),
      })),
    ),
    options.client
      ? probeClient(aws.client, topology, options.clock, options.client.drillId)
      : Promise.resolve(undefined),
  ]);
  const capacity = options.capacity
    ? await observeCapacity(aws, topology, writerRegion)
    : undefined;

  return {
    takenAt: now.toISOString(),
    globalCluster,
    writerRegion,
    regions,
    dns: { app, write },
    records,
    alarms,
    ...(client ? { client } : {}),
    ...(capacity ? { capacity } : {}),
  };
}

/** The writer's instances, then in parallel each region's quotas and offering of their classes. */
async function observeCapacity(
  aws: DrillAws,
  topology: DrillTopology,
  writerRegion: string | undefined,
): Promise<CapacitySnapshot> {
  const writer = topology.regions.find((r) => r.region === writerRegion);
  const writerInstances: Observed<InstanceClassView[]> = writer
    ? await observed(aws.capacity.clusterInstances(writer.region, writer.clusterIdentifier))
    : { ok: false, error: 'no writer region' };
  const regions = await Promise.all(
    topology.regions.map(async (r): Promise<RegionCapacity> => {
      const quotas = await Promise.all(
        PROMOTION_QUOTAS.map(async (q) => ({
          code: q.code,
          name: q.name,
          value: await observed(aws.capacity.quota(r.region, q.serviceCode, q.code)),
        })),
      );
      if (r.region === writerRegion) return { region: r.region, quotas };
      const orderable: Observed<OrderableClass[]> = writerInstances.ok
        ? await observed(
            Promise.all(
              [...new Map(writerInstances.value.map((i) => [i.instanceClass, i])).values()].map(
                async (i) => ({
                  instanceClass: i.instanceClass,
                  engine: i.engine,
                  engineVersion: i.engineVersion,
                  offered: await aws.capacity.orderable(
                    r.region,
                    i.engine,
                    i.engineVersion,
                    i.instanceClass,
                  ),
                }),
              ),
            ),
          )
        : { ok: false, error: `writer's instances not read: ${writerInstances.error}` };
      return { region: r.region, quotas, orderable };
    }),
  );
  return { writerInstances, regions };
}
