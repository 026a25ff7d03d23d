// What the architecture brief says, read from a synthesized assembly only: the stacks'
// published outputs (objectives, floors, roles, names) and the resources their templates
// create (records, health checks, instances, parameter groups). Nothing is recomputed here:
// a figure the brief prints is a figure a stack publishes.
import {
  COMPLIANCE_FACTS_OUTPUT_KEY,
  DRILL_OUTPUT_KEYS,
  ROUTE53_HOME_REGION,
  type DrillDatabaseOutput,
  type DrillRegionSwitchOutput,
  type DrillRoutingOutput,
  type DrillServiceOutput,
  type RegionSwitchPlanOutput,
  type RtoFloorBreakdown,
} from '../../constructs/contract';
import { MANAGED_RPO_PARAMETER } from '../../constructs/managed-rpo-policy';
import {
  residencyOf,
  type ComplianceFacts,
  type RegionResidency,
} from '../../constructs/nag/report';
import { assumedGlobalCluster, offlineAws } from '../drill/actions/offline';
import { topologyFromOutputs } from '../drill/discovery';
import { DRILL_KINDS, type DrillKind } from '../drill/model';
import { observe } from '../drill/observe';
import { evaluatePreflight } from '../drill/preflight';
import { planView, STEPS, stepsFor } from '../drill/steps';
import { VirtualClock } from '../simulation/clock';
import type { DeployedResource, SimulatedDeployment } from '../simulation/deployment';

/** CloudFormation resource types the brief reads. */
const TYPES = {
  record: 'AWS::Route53::RecordSet',
  healthCheck: 'AWS::Route53::HealthCheck',
  instance: 'AWS::RDS::DBInstance',
  clusterParameterGroup: 'AWS::RDS::DBClusterParameterGroup',
} as const;

/** One DB instance of a region's cluster. */
export interface InstanceFacts {
  readonly identifier: string;
  /** `db.r6g.large`. */
  readonly instanceClass: string;
  /** Aurora's failover priority (0 first); absent when the template leaves the default. */
  readonly promotionTier?: number;
}

/** One region's member of the global database. */
export interface DatabaseFacts {
  readonly region: string;
  /** As deployed: the writer may have moved since. */
  readonly role: DrillDatabaseOutput['role'];
  readonly clusterIdentifier: string;
  readonly globalClusterIdentifier: string;
  /** Aurora's global writer endpoint (published by the primary). */
  readonly globalWriterEndpoint?: string;
  /** The RPO objective the stack publishes for the region. */
  readonly rpoSeconds: number;
  readonly clusterParameterGroupName: string;
  /** `rds.global_db_rpo` in the region's cluster parameter group; absent: not enforced there. */
  readonly managedRpoSeconds?: number;
  readonly instances: readonly InstanceFacts[];
  /** No instance: the cluster replicates storage but serves nothing and cannot be promoted. */
  readonly headless: boolean;
}

/** How a record answers. */
export type RoutingPolicy = 'failover' | 'latency' | 'simple';

/** One Route 53 record of the routing or a service stack. */
export interface RecordFacts {
  readonly stack: string;
  /** Without the trailing dot. */
  readonly name: string;
  readonly type: string;
  readonly ttlSeconds?: number;
  readonly policy: RoutingPolicy;
  /** `PRIMARY` or `SECONDARY` (failover records). */
  readonly failover?: string;
  /** The region a latency record answers for. */
  readonly latencyRegion?: string;
  readonly setIdentifier?: string;
  /** What it answers (the values of its resource records). */
  readonly values: readonly string[];
  /** The id of the health check it carries. */
  readonly healthCheckId?: string;
}

/** What a health check stands for in this deployment. */
export type HealthCheckRole =
  'serving' | 'writer' | 'write gate' | 'standby writers' | 'ARC Region switch' | 'other';

/** One Route 53 health check of the templates. */
export interface HealthCheckFacts {
  readonly id: string;
  readonly stack: string;
  /** HTTPS, CALCULATED, ... */
  readonly type: string;
  readonly fqdn?: string;
  readonly port?: number;
  readonly path?: string;
  readonly intervalSeconds?: number;
  readonly failureThreshold?: number;
  readonly inverted: boolean;
  /** A calculated check's children (health check ids) and how many must be healthy. */
  readonly children: readonly string[];
  readonly healthThreshold?: number;
  readonly role: HealthCheckRole;
  /** The region whose state it reports (from `DrillRouting.healthChecks`, or ARC's). */
  readonly region?: string;
  /** The ARC Region switch plan an ARC-managed check belongs to. */
  readonly planName?: string;
}

/** One region's service names (`DrillService`). */
export type ServiceFacts = Pick<
  DrillServiceOutput,
  'region' | 'regionalHostname' | 'appHostname' | 'writeHostname' | 'drainParameterName'
>;

/** One step of a drill kind, titled for this deployment. */
export interface ChecklistStep {
  readonly id: string;
  readonly title: string;
  readonly purpose: string;
}

/** One drill kind as a game day runs it here. */
export interface ChecklistDrill {
  readonly kind: DrillKind;
  readonly fromRegion: string;
  readonly targetRegion: string;
  readonly steps: readonly ChecklistStep[];
}

/** What a quarterly game day must show: the preflight checks and every drill kind's steps. */
export interface ChecklistFacts {
  /** Every preflight check (`PREFLIGHT_CHECKS`, and ARC's when there are plans), in order. */
  readonly preflight: readonly { readonly id: string; readonly title: string }[];
  readonly drills: readonly ChecklistDrill[];
  /** Every step id in the order the drill runs them (`STEPS`). */
  readonly stepOrder: readonly string[];
}

/** Everything the brief says, from one synthesized assembly. */
export interface ArchitectureFacts {
  /** `ComplianceFacts.mode` as configured. */
  readonly mode: string;
  readonly allowedRegions: readonly string[];
  readonly primaryRegion: string;
  /** Primary first. */
  readonly regions: readonly string[];
  /** The routing stack's region: Route 53 metrics, alarms, plans; no customer data by design. */
  readonly routingRegion: string;
  readonly routing: Pick<
    DrillRoutingOutput,
    | 'hostedZoneId'
    | 'appHostname'
    | 'writeHostname'
    | 'ttlSeconds'
    | 'rpoSeconds'
    | 'rtoSeconds'
    | 'rtoFloorSeconds'
    | 'readRtoFloorSeconds'
    | 'writeRtoFloorSeconds'
    | 'promotionEstimateSeconds'
  >;
  /** Each path's floor with its parts (`ComplianceFacts.rtoFloors`); absent in older assemblies. */
  readonly rtoFloors?: RtoFloorBreakdown;
  readonly rtoFloorExplanation: string;
  readonly databases: readonly DatabaseFacts[];
  readonly services: readonly ServiceFacts[];
  readonly records: readonly RecordFacts[];
  readonly healthChecks: readonly HealthCheckFacts[];
  readonly regionSwitchPlans: readonly RegionSwitchPlanOutput[];
  readonly residency: readonly RegionResidency[];
  readonly checklist: ChecklistFacts;
}

/** Every output `key` of the deployment, parsed, with its stack. */
function outputsOf<T>(deployment: SimulatedDeployment, key: string): { stack: string; value: T }[] {
  const file = deployment.outputsFile();
  return Object.keys(file)
    .sort()
    .filter((stack) => file[stack][key] !== undefined)
    .map((stack) => ({ stack, value: JSON.parse(file[stack][key]) as T }));
}

function singleOutput<T>(
  deployment: SimulatedDeployment,
  key: string,
): { stack: string; value: T } {
  const found = outputsOf<T>(deployment, key);
  if (found.length !== 1) {
    throw new Error(
      `the assembly must have exactly one ${key} output (the routing stack's), found ${found.length}: synthesize the whole app (npx cdk synth --no-lookups)`,
    );
  }
  return found[0];
}

const text = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : String(value);
const num = (value: unknown): number | undefined =>
  value === undefined || value === null || value === '' ? undefined : Number(value);
/** A record or check name without the root's trailing dot. */
const dns = (name: string) => name.replace(/\.$/, '');

/**
 * Reads everything the brief says from a synthesized assembly: the routing stack's
 * `ComplianceFacts`, `DrillRouting` and `DrillRegionSwitch`, each region's `DrillDatabase`
 * and `DrillService`, every Route 53 record and health check, the DB instances and cluster
 * parameter groups, residency, and the drill's steps and preflight checks titled for it.
 */
export async function readArchitectureFacts(
  deployment: SimulatedDeployment,
): Promise<ArchitectureFacts> {
  const compliance = singleOutput<ComplianceFacts>(deployment, COMPLIANCE_FACTS_OUTPUT_KEY).value;
  const routingOutput = singleOutput<DrillRoutingOutput>(deployment, DRILL_OUTPUT_KEYS.routing);
  const routing = routingOutput.value;
  const routingStack = routingOutput.stack;
  const regionSwitch = outputsOf<DrillRegionSwitchOutput>(
    deployment,
    DRILL_OUTPUT_KEYS.regionSwitch,
  )[0]?.value;
  const byRegionOrder = <T extends { region: string }>(items: T[]) =>
    items.sort((a, b) => routing.regions.indexOf(a.region) - routing.regions.indexOf(b.region));

  const databases = byRegionOrder(
    outputsOf<DrillDatabaseOutput>(deployment, DRILL_OUTPUT_KEYS.database).map(({ value }) =>
      databaseFacts(deployment, value),
    ),
  );
  const services = byRegionOrder(
    outputsOf<DrillServiceOutput>(deployment, DRILL_OUTPUT_KEYS.service).map(
      ({ value }): ServiceFacts => ({
        region: value.region,
        regionalHostname: value.regionalHostname,
        appHostname: value.appHostname,
        writeHostname: value.writeHostname,
        drainParameterName: value.drainParameterName,
      }),
    ),
  );
  const routingRegion =
    deployment.stackTemplates().find((s) => s.name === routingStack)?.region ?? ROUTE53_HOME_REGION;

  return {
    mode: compliance.mode,
    allowedRegions: compliance.allowedRegions,
    primaryRegion: routing.primaryRegion,
    regions: routing.regions,
    routingRegion,
    routing: {
      hostedZoneId: routing.hostedZoneId,
      appHostname: routing.appHostname,
      writeHostname: routing.writeHostname,
      ttlSeconds: routing.ttlSeconds,
      rpoSeconds: routing.rpoSeconds,
      rtoSeconds: routing.rtoSeconds,
      rtoFloorSeconds: routing.rtoFloorSeconds,
      readRtoFloorSeconds: routing.readRtoFloorSeconds,
      writeRtoFloorSeconds: routing.writeRtoFloorSeconds,
      ...(routing.promotionEstimateSeconds !== undefined
        ? { promotionEstimateSeconds: routing.promotionEstimateSeconds }
        : {}),
    },
    ...(compliance.rtoFloors ? { rtoFloors: compliance.rtoFloors } : {}),
    rtoFloorExplanation: compliance.rtoFloorExplanation,
    databases,
    services,
    records: recordFacts(deployment),
    healthChecks: healthCheckFacts(deployment, routing, regionSwitch),
    regionSwitchPlans: Object.values(regionSwitch?.plans ?? {}).sort(
      (a, b) => routing.regions.indexOf(a.targetRegion) - routing.regions.indexOf(b.targetRegion),
    ),
    // By stack name, as the compliance report reads the manifest.
    residency: residencyOf(
      deployment.stackTemplates().sort((a, b) => a.name.localeCompare(b.name)),
    ),
    checklist: await checklistFacts(deployment, databases),
  };
}

function databaseFacts(deployment: SimulatedDeployment, db: DrillDatabaseOutput): DatabaseFacts {
  const instances = deployment
    .resources(TYPES.instance)
    .filter(
      (r) => r.region === db.region && r.properties.DBClusterIdentifier === db.clusterIdentifier,
    )
    .map((r): InstanceFacts => ({
      identifier: text(r.properties.DBInstanceIdentifier) ?? r.physicalId,
      instanceClass: String(r.properties.DBInstanceClass),
      ...(r.properties.PromotionTier !== undefined
        ? { promotionTier: Number(r.properties.PromotionTier) }
        : {}),
    }))
    .sort(
      (a, b) =>
        (a.promotionTier ?? 1) - (b.promotionTier ?? 1) || a.identifier.localeCompare(b.identifier),
    );
  // Ref of a cluster parameter group is its name in lowercase (see simulation/deployment.ts).
  const group = deployment
    .resources(TYPES.clusterParameterGroup)
    .find((r) => r.region === db.region && r.physicalId === db.clusterParameterGroupName);
  const managedRpo = num(
    (group?.properties.Parameters as Record<string, unknown> | undefined)?.[MANAGED_RPO_PARAMETER],
  );
  return {
    region: db.region,
    role: db.role,
    clusterIdentifier: db.clusterIdentifier,
    globalClusterIdentifier: db.globalClusterIdentifier,
    ...(db.globalWriterEndpoint ? { globalWriterEndpoint: db.globalWriterEndpoint } : {}),
    rpoSeconds: db.rpoSeconds,
    clusterParameterGroupName: db.clusterParameterGroupName,
    ...(managedRpo !== undefined ? { managedRpoSeconds: managedRpo } : {}),
    instances,
    headless: instances.length === 0,
  };
}

function recordFacts(deployment: SimulatedDeployment): RecordFacts[] {
  return deployment
    .resources(TYPES.record)
    .map((r): RecordFacts => {
      const p = r.properties;
      const failover = text(p.Failover);
      const latencyRegion = text(p.Region);
      const alias = p.AliasTarget as { DNSName?: unknown } | undefined;
      return {
        stack: r.stack,
        name: dns(String(p.Name)),
        type: String(p.Type),
        ...(num(p.TTL) !== undefined ? { ttlSeconds: num(p.TTL) } : {}),
        policy: failover ? 'failover' : latencyRegion ? 'latency' : 'simple',
        ...(failover ? { failover } : {}),
        ...(latencyRegion ? { latencyRegion } : {}),
        ...(text(p.SetIdentifier) ? { setIdentifier: text(p.SetIdentifier) } : {}),
        values: alias
          ? [dns(String(alias.DNSName))]
          : ((p.ResourceRecords as unknown[] | undefined) ?? []).map((v) => dns(String(v))),
        ...(text(p.HealthCheckId) ? { healthCheckId: text(p.HealthCheckId) } : {}),
      };
    })
    .sort(
      (a, b) =>
        a.name.localeCompare(b.name) ||
        // PRIMARY before SECONDARY.
        (a.failover ?? '').localeCompare(b.failover ?? '') ||
        (a.setIdentifier ?? '').localeCompare(b.setIdentifier ?? '') ||
        a.stack.localeCompare(b.stack),
    );
}

function healthCheckFacts(
  deployment: SimulatedDeployment,
  routing: DrillRoutingOutput,
  regionSwitch: DrillRegionSwitchOutput | undefined,
): HealthCheckFacts[] {
  // What each id stands for, as the routing stack publishes it, and ARC's checks per region.
  const known = new Map<string, { role: HealthCheckRole; region: string; planName?: string }>();
  for (const [region, ids] of Object.entries(routing.healthChecks)) {
    if (ids.serving) known.set(ids.serving, { role: 'serving', region });
    known.set(ids.writer, { role: 'writer', region });
    if (ids.writeGate) known.set(ids.writeGate, { role: 'write gate', region });
  }
  const planNames = new Map(
    Object.values(regionSwitch?.plans ?? {}).map((p) => [p.planArn, p.planName]),
  );
  for (const arc of deployment.arcHealthChecks()) {
    const planName = planNames.get(arc.planArn);
    known.set(arc.healthCheckId, {
      role: 'ARC Region switch',
      region: arc.region,
      ...(planName ? { planName } : {}),
    });
  }
  const checks = deployment.resources(TYPES.healthCheck).map((r) => healthCheckOf(r, known));
  // The checks the records carry that no template creates (ARC creates its own).
  const created = new Set(checks.map((c) => c.id));
  return checks
    .map((c) =>
      c.role === 'other' &&
      c.type === 'CALCULATED' &&
      c.children.every(
        (id) => known.get(id)?.role === 'writer' || known.get(id)?.role === 'write gate',
      )
        ? { ...c, role: 'standby writers' as const }
        : c,
    )
    .concat(
      [...known.entries()]
        .filter(([id, k]) => k.role === 'ARC Region switch' && !created.has(id))
        .map(([id, k]) => ({
          id,
          stack: 'ARC Region switch',
          type: 'ARC-managed',
          inverted: false,
          children: [],
          role: k.role,
          region: k.region,
          ...(k.planName ? { planName: k.planName } : {}),
        })),
    )
    .sort(
      (a, b) =>
        // Checks of no one region (the standby writers) last.
        regionRank(routing, a.region) - regionRank(routing, b.region) ||
        ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) ||
        a.id.localeCompare(b.id),
    );
}

function regionRank(routing: DrillRoutingOutput, region: string | undefined): number {
  const i = region === undefined ? -1 : routing.regions.indexOf(region);
  return i === -1 ? routing.regions.length : i;
}

const ROLE_ORDER: readonly HealthCheckRole[] = [
  'serving',
  'writer',
  'write gate',
  'ARC Region switch',
  'standby writers',
  'other',
];

function healthCheckOf(
  r: DeployedResource,
  known: ReadonlyMap<string, { role: HealthCheckRole; region: string; planName?: string }>,
): HealthCheckFacts {
  const c = (r.properties.HealthCheckConfig ?? {}) as Record<string, unknown>;
  const what = known.get(r.physicalId);
  return {
    id: r.physicalId,
    stack: r.stack,
    type: String(c.Type),
    ...(text(c.FullyQualifiedDomainName) ? { fqdn: text(c.FullyQualifiedDomainName) } : {}),
    ...(num(c.Port) !== undefined ? { port: num(c.Port) } : {}),
    ...(text(c.ResourcePath) ? { path: text(c.ResourcePath) } : {}),
    ...(num(c.RequestInterval) !== undefined ? { intervalSeconds: num(c.RequestInterval) } : {}),
    ...(num(c.FailureThreshold) !== undefined ? { failureThreshold: num(c.FailureThreshold) } : {}),
    inverted: c.Inverted === true || c.Inverted === 'true',
    children: ((c.ChildHealthChecks as unknown[] | undefined) ?? []).map(String),
    ...(num(c.HealthThreshold) !== undefined ? { healthThreshold: num(c.HealthThreshold) } : {}),
    role: what?.role ?? 'other',
    ...(what ? { region: what.region } : {}),
    ...(what?.planName ? { planName: what.planName } : {}),
  };
}

/**
 * The game day's checklist: the preflight checks as `drill preflight` lists them offline (the
 * offline dry run's reads, so their titles are the CLI's), and each drill kind's steps titled
 * for the primary and the first secondary that can take the writer.
 */
async function checklistFacts(
  deployment: SimulatedDeployment,
  databases: readonly DatabaseFacts[],
): Promise<ChecklistFacts> {
  const topology = topologyFromOutputs(deployment.outputsFile(), 'the synthesized assembly');
  const primary = topology.primaryRegion;
  const secondaries = databases.filter((d) => d.region !== primary);
  const standby = (secondaries.find((d) => !d.headless) ?? secondaries[0])?.region ?? primary;
  const home = topology.regionSwitch
    ? (deployment.stackTemplates().find((s) => s.name === topology.regionSwitch!.stack)?.region ??
      ROUTE53_HOME_REGION)
    : ROUTE53_HOME_REGION;
  const snapshot = await observe(offlineAws(assumedGlobalCluster(topology, primary)), topology, {
    clock: new VirtualClock(),
    homeRegion: home,
    preferredRegions: [standby],
    client: {},
    capacity: true,
  });
  const preflight = evaluatePreflight(snapshot, topology, {
    kind: 'switchover',
    targetRegion: standby,
  }).map(({ id, title }) => ({ id, title }));
  const drills = DRILL_KINDS.map((kind): ChecklistDrill => {
    const [fromRegion, targetRegion] =
      kind === 'failback' ? [standby, primary] : [primary, standby];
    const plan = planView(topology, kind, fromRegion, targetRegion, home);
    return {
      kind,
      fromRegion,
      targetRegion,
      steps: stepsFor(kind).map((s) => ({ id: s.id, title: s.title(plan), purpose: s.purpose })),
    };
  });
  return { preflight, drills, stepOrder: STEPS.map((s) => s.id) };
}
