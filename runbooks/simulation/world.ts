// The AWS side of a drill as a stateful simulation of the synthesized deployment (global
// cluster, members, parameter groups, health checks, DNS, drain switches, lag metrics, alarms,
// the canary table), answering the SDK's own clients (see sdk.ts) in tests and rehearsals.
// Time is virtual: a promotion progresses as the clock moves.
import { type GetMetricDataCommandInput, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import {
  DBClusterSnapshotAlreadyExistsFault,
  DBClusterSnapshotNotFoundFault,
  InvalidDBClusterSnapshotStateFault,
  type CopyDBClusterSnapshotCommandInput,
  type DBClusterSnapshot,
  type DescribeDBClusterSnapshotsCommandInput,
  DBParameterGroupNotFoundFault,
  GlobalClusterNotFoundFault,
  InvalidGlobalClusterStateFault,
  RDSServiceException,
  type DescribeDBClusterParametersCommandInput,
  type GlobalCluster,
  type ModifyDBClusterParameterGroupCommandInput,
  type ResetDBClusterParameterGroupCommandInput,
} from '@aws-sdk/client-rds';
import {
  BadRequestException,
  StatementTimeoutException,
  type ExecuteStatementCommandInput,
} from '@aws-sdk/client-rds-data';
import {
  NoSuchHealthCheck,
  type HealthCheckRegion,
  type ResourceRecordSetRegion,
} from '@aws-sdk/client-route-53';
import {
  ParameterAlreadyExists,
  ParameterNotFound,
  type PutParameterCommandInput,
} from '@aws-sdk/client-ssm';
import { MANAGED_RPO_PARAMETER } from '../../constructs/managed-rpo-policy';
import { HEALTH_PATHS, LAG_METRICS, ROUTE53_HOME_REGION } from '../../constructs/contract';
import { CANARY_SQL } from '../drill/canary';
import { CLIENT_ITEMS_SQL } from '../drill/client-model';
import type { Clock } from '../drill/clock';
import { stepScope, undeclaredCall } from '../drill/step-scope';
import { topologyFromOutputs, type DrillTopology } from '../drill/discovery';
import { FAKE_ACCOUNT, type SimulatedDeployment } from './deployment';
import { SimulatedClientNetwork, SimulatedItemTables } from './client-network';
import { VirtualClock } from './clock';
import { alarmOf, evaluateAlarm, metricKey, type MetricRef, type SimulatedAlarm } from './alarms';
import type { SimulationAssumptions } from './scenario';
import { SimulatedFis } from './fis';

/** One region of the fake. */
export interface SimulatedRegion {
  readonly region: string;
  role: 'primary' | 'secondary';
  status: string;
  instances: number;
  engineVersion: string;
  drain: string;
  /** Lag metrics this secondary reports (ms); null: no datapoints. After `assume`, computed. */
  rpoLagMs: number | null;
  replicationLagMs: number | null;
  /** The cluster's parameter group (DBClusterParameterGroupName of the deployed cluster). */
  readonly parameterGroup: string;
  /** The DBInstanceClass of the cluster's deployed instances (of the primary's for a headless one). */
  instanceClass: string;
}

/** A cluster parameter group as deployed: its region and its user-set parameters. */
export interface SimulatedParameterGroup {
  readonly region: string;
  readonly parameters: Map<string, string>;
}

type FaultError = Error | 'hang';

interface Fault {
  readonly operation: string;
  readonly region?: string;
  remaining: number;
  readonly error: FaultError;
  /** Armed only once this operation has been served. */
  readonly after?: string;
  /** Only calls on this SSM parameter name. */
  readonly name?: string;
  /** Only calls a step of this id makes (not the canaries' or the lock's). */
  readonly step?: string;
}

interface CanaryRow {
  readonly drillId: string;
  readonly seq: number;
  readonly at: number;
}

/** A DB cluster snapshot in one region: Aurora's point-of-failure one, or a manual copy. */
export interface SimulatedSnapshot {
  readonly region: string;
  readonly identifier: string;
  readonly clusterIdentifier: string;
  readonly type: 'automated' | 'manual';
  readonly createdAt: number;
  /** Listed from then on (creating, or copying for a copy). */
  readonly listedAt: number;
  readonly availableAt: number;
  /** The copy ends in status failed instead. */
  readonly fails?: boolean;
  readonly kmsKeyId: string;
}

/** Every call the fake served, in order, for assertions on call order. */
export interface CallRecord {
  readonly operation: string;
  readonly region: string;
  readonly at: number;
  readonly input: object;
}

/** SDK-shaped failures. */
export const faults = {
  throttling: () =>
    new RDSServiceException({
      name: 'Throttling',
      message: 'Rate exceeded',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 5 },
    }),
  serverError: () =>
    new RDSServiceException({
      name: 'InternalFailure',
      message: 'We encountered an internal error. Please try again.',
      $fault: 'server',
      $metadata: { httpStatusCode: 500, attempts: 5 },
    }),
  /**
   * A connection that never opens, as the SDK reports it after its retries. The text says it
   * is simulated and why, so a rehearsal's log never reads like a real AWS endpoint's failure;
   * name and code are what the drill classifies as a network error (aws/errors.ts).
   */
  networkTimeout: (why = 'an injected network fault') =>
    Object.assign(new Error(`connect ETIMEDOUT (simulated: ${why})`), {
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
      $metadata: { attempts: 5 },
    }),
  /** IAM's denial, as long as the real one: it names the caller, the action and the resource. */
  accessDenied: (action: string, resource: string) =>
    new RDSServiceException({
      name: 'AccessDenied',
      message:
        `User: arn:aws:sts::${FAKE_ACCOUNT}:assumed-role/DrillOperatorRole/sre-session is not authorized to perform: ` +
        `${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
      $fault: 'client',
      $metadata: { httpStatusCode: 403, attempts: 1 },
    }),
  /** A step called what it did not declare: refused like a client error, never retried. */
  undeclared: (message: string) =>
    new RDSServiceException({
      name: 'UndeclaredCall',
      message,
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    }),
  noCredentials: () =>
    Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    }),
};

/**
 * A window when managed RPO blocked every commit on the writer while no other member could
 * satisfy it: every other region down, or an old primary not yet rebuilt (it replicates
 * nothing). A secondary that is up but lags (a lag spike, a cut link) could catch up: managed
 * RPO doing its job, not this.
 */
export interface UnsatisfiableRpoBlock {
  /** The writer whose commits were blocked. */
  readonly region: string;
  /** rds.global_db_rpo in its cluster parameter group (s). */
  readonly rpoSeconds: number;
  readonly parameterGroup: string;
  readonly fromMs: number;
  /** World time it ended; undefined while it lasts. */
  toMs?: number;
}

/** A Route 53 record as the routing stack deployed it. */
export interface SimulatedRecord {
  readonly name: string;
  readonly type: string;
  ttl: number;
  readonly setIdentifier?: string;
  readonly failover?: 'PRIMARY' | 'SECONDARY';
  /** Latency records: the region of the endpoint. */
  readonly region?: string;
  readonly healthCheckId?: string;
  readonly values: readonly string[];
}

/** A Route 53 health check as deployed: an HTTPS probe of a region's route, or a calculated one. */
type SimulatedHealthCheck =
  | {
      readonly kind: 'https';
      readonly region: string;
      readonly route: 'serving' | 'writer';
      readonly inverted: boolean;
      readonly disabled: boolean;
      /** HealthCheckConfig.RequestInterval (ms) and FailureThreshold, as synthesized. */
      readonly intervalMs: number;
      readonly failureThreshold: number;
    }
  | {
      readonly kind: 'calculated';
      readonly children: readonly string[];
      readonly threshold: number;
      readonly inverted: boolean;
      readonly disabled: boolean;
    }
  | {
      /** One of ARC Region switch's health checks: its state is `arcHealthChecks`'. */
      readonly kind: 'arc';
      readonly inverted: false;
      readonly disabled: false;
    };

/** The state of one ARC-managed health check (see `SimulatedWorld.arcHealthChecks`). */
export interface SimulatedArcHealthCheck {
  readonly planArn: string;
  readonly region: string;
  readonly recordName: string;
  status: 'healthy' | 'unhealthy';
}

/** One Route 53 health checker's view of one endpoint (after `assume`). */
interface HealthChecker {
  healthy: boolean;
  /** Consecutive results of the other state. */
  streak: number;
  checkedAt: number;
}

/** A throttling storm on the RDS API (see `throttle`). */
interface Throttle {
  readonly region: string | 'all';
  readonly share: number;
  readonly untilMs: number;
  /** Share accumulated since the last throttled call (every call adds `share`). */
  owed: number;
}

/** The default of the RDS DB instances and DB clusters quotas (Aurora User Guide, CHAP_Limits). */
export const DEFAULT_QUOTA = 40;

export class SimulatedWorld {
  clock: Clock;
  /** What the stacks publish, as `cdk deploy --outputs-file` would write it. */
  readonly outputs: Record<string, Record<string, string>>;
  /** The drill's view of those outputs (ids, names, targets), for tests' expectations. */
  readonly topology: DrillTopology;
  readonly regions = new Map<string, SimulatedRegion>();
  writer: string;
  globalId: string;
  globalStatus = 'available';
  moving?: { kind: 'switchover' | 'failover'; from: string; to: string; startedAt: number };
  /** How long a promotion takes, and the part before writes stop. */
  promotionMs = 40_000;
  pendingMs = 5_000;
  /** The promotion never completes (STEP_TIMEOUT). */
  promotionStuck = false;
  /** Aurora cancels the promotion half way (UNEXPECTED_STATE). */
  promotionCancels = false;
  /**
   * Rows younger than this are not yet on the secondaries (lost in a failover). After `assume`,
   * each secondary has its own lag instead (replicationLagOf).
   */
  dataReplicationDelayMs = 0;
  /** Health checkers see a drain switch change this long after it is made (cache + detection). */
  healthLagMs = 0;
  /**
   * Aurora's point-of-failure snapshot of the old primary after a failover: taken (best effort)
   * unless `never`. Listed `failoverSnapshotListedMs` after the request, available
   * `failoverSnapshotCreateMs` after it.
   */
  failoverSnapshot: 'taken' | 'never' = 'taken';
  failoverSnapshotListedMs = 30_000;
  failoverSnapshotCreateMs = 90_000;
  /** How long CopyDBClusterSnapshot takes; `snapshotCopyFails`: it ends in status failed. */
  snapshotCopyMs = 60_000;
  snapshotCopyFails = false;
  readonly snapshots: SimulatedSnapshot[] = [];
  /** The deployed records of the hosted zone (tests may change a TTL). */
  readonly records: SimulatedRecord[];
  /** The items tables of every region's cluster (the service's data; see fake-client-network.ts). */
  readonly items: SimulatedItemTables;
  /** The client canary's DNS and HTTPS to the items service (the harness injects it). */
  readonly client: SimulatedClientNetwork;
  private readonly checks = new Map<string, SimulatedHealthCheck>();
  /**
   * ARC Region switch's Route 53 health checks, by health check id, from the deployment (the
   * `Custom::ArcHealthChecks` resources): the write records' gates read them through the
   * calculated checks. An ARC execution's Route 53 health check block sets them (the fake ARC
   * executor calls `setArcHealthCheck`). They start healthy: an ASSUMPTION, not documented
   * behaviour (the ARC User Guide does not say which state ARC creates them in).
   */
  readonly arcHealthChecks = new Map<string, SimulatedArcHealthCheck>();
  /**
   * Set by `assume`: health checkers probe on the clock, replication lags per secondary, the
   * writer endpoint's DNS follows a move late. `new SimulatedWorld()` keeps the instant model.
   */
  private realistic = false;
  /** The steady replication lag of every secondary (assumptions.replicationLagMs). */
  private baseLagMs = 0;
  private readonly spikes = new Map<string, { readonly lagMs: number; readonly untilMs: number }>();
  /** Per secondary: the writer's time up to which its commits are on that secondary. */
  private readonly replicatedTo = new Map<string, number>();
  /** When each region in `down` went down through `regionOutage`. */
  private readonly downSince = new Map<string, number>();
  /** Cut region pairs (`a|b`, sorted). */
  private readonly cuts = new Set<string>();
  /** Old primaries of a failover, not yet rebuilt as secondaries (their region is down). */
  readonly pendingRebuild = new Set<string>();
  /** Managed RPO that nothing could satisfy (realistic model only), oldest first. */
  readonly rpoBlocks: UnsatisfiableRpoBlock[] = [];
  /** The last completed move, for the writer endpoint's DNS delay. */
  private lastMove?: { readonly from: string; readonly to: string; readonly completedAt: number };
  /** Completed moves of the writer (a connection to the writer endpoint ends at each). */
  writerMoves = 0;
  /** After a move completes, the global writer endpoint answers the old writer this long. */
  writerEndpointDnsDelayMs = 0;
  private readonly checkers = new Map<string, HealthChecker[]>();
  private readonly throttles: Throttle[] = [];
  private readonly loops = new AbortController();
  private readonly drainChanges = new Map<string, { previous: string; at: number }>();
  /** Checks Route 53 reports unhealthy (or healthy) whatever the endpoint answers. */
  readonly forcedUnhealthy = new Set<string>();
  readonly forcedHealthy = new Set<string>();
  readonly down = new Set<string>();
  /**
   * The alarms DescribeAlarms answers. Empty in the instant model (the drill tests add their
   * own); after `assume` (or `setAlarm`), every synthesized AWS::CloudWatch::Alarm, OK at start.
   */
  readonly alarms: (MetricAlarm & { region: string })[] = [];
  /** How each synthesized alarm is evaluated (see alarms.ts), once loaded. */
  private alarmModels?: SimulatedAlarm[];
  /** Samples of every metric an evaluated alarm watches, by metricKey (realistic model). */
  private readonly metricSamples = new Map<string, { at: number; value: number | null }[]>();
  private readonly deployment: SimulatedDeployment;
  private fisSimulation?: SimulatedFis;
  /** Engine and version of the global cluster, as synthesized (see the constructor). */
  readonly engine: string;
  readonly engineVersion: string;
  /** Calls a step made without declaring them (the harness fails the test after it). */
  readonly undeclaredCalls: string[] = [];
  /** Cluster parameter groups by name, with the parameters the templates set. */
  readonly parameterGroups = new Map<string, SimulatedParameterGroup>();
  /** SSM parameters other than the drain switches (the drill lock), by region and name. */
  readonly parameters = new Map<string, Map<string, { value: string; version: number }>>();
  /**
   * Applied Service Quotas values by region and quota code (servicequotas:GetServiceQuota);
   * unset: every region has the same value (`DEFAULT_QUOTA`). `lowerQuota` sets one lower.
   */
  readonly quotas = new Map<string, Map<string, number>>();
  /** `region|instanceClass` pairs the region does not offer (DescribeOrderableDBInstanceOptions). */
  readonly notOffered = new Set<string>();
  /** SSM parameters the templates create with a fixed name (the Drill* output mirrors), by region. */
  private readonly deployedParameters = new Map<string, Map<string, string>>();
  /** Who the credentials belong to (sts:GetCallerIdentity). */
  callerIdentity = {
    Arn: 'arn:aws:sts::123456789012:assumed-role/DrillOperator/alice',
    Account: '123456789012',
    UserId: 'AROAEXAMPLEID:alice',
  };
  readonly calls: CallRecord[] = [];
  private readonly faultList: Fault[] = [];
  private readonly tables = new Map<string, CanaryRow[]>();
  private killOn?: string;
  private hooks: { operation: string; name?: string; change: (world: SimulatedWorld) => void }[] =
    [];
  private readonly deadClients = new Set<object>();
  private readonly seenClients = new Set<object>();

  constructor(deployed: SimulatedDeployment, clock: Clock = new VirtualClock()) {
    this.clock = clock;
    this.deployment = deployed;
    this.outputs = deployed.outputsFile();
    this.topology = topologyFromOutputs(this.outputs, 'synthesized app');
    this.globalId = this.topology.globalClusterIdentifier;
    this.writer = this.topology.primaryRegion;
    const instances = deployed.resources('AWS::RDS::DBInstance');
    const clusters = deployed.resources('AWS::RDS::DBCluster');
    for (const group of deployed.resources('AWS::RDS::DBClusterParameterGroup')) {
      const parameters = (group.properties.Parameters ?? {}) as Record<string, unknown>;
      this.parameterGroups.set(group.physicalId, {
        region: group.region,
        parameters: new Map(Object.entries(parameters).map(([k, v]) => [k, String(v)])),
      });
    }
    // The global cluster's engine and version, as synthesized on it, else its source cluster's
    // (the primary's): with SourceDBClusterIdentifier "Amazon Aurora uses the engine version of
    // the source DB cluster" (RDS API Reference, CreateGlobalCluster, Engine and EngineVersion).
    const globalCluster = deployed
      .resources('AWS::RDS::GlobalCluster')
      .find((g) => g.physicalId === this.globalId);
    const source = clusters.find(
      (c) => c.physicalId === this.deployed(this.writer).clusterIdentifier,
    );
    const engine = globalCluster?.properties.Engine ?? source?.properties.Engine;
    const version = globalCluster?.properties.EngineVersion ?? source?.properties.EngineVersion;
    if (engine === undefined || version === undefined) {
      throw new Error(
        `fake: no engine and version for global cluster ${this.globalId}, on it or on its source cluster`,
      );
    }
    this.engine = String(engine);
    this.engineVersion = String(version);
    const classOf = (clusterIdentifier: string) =>
      instances.find((i) => i.properties.DBClusterIdentifier === clusterIdentifier)?.properties
        .DBInstanceClass as string | undefined;
    const primaryClass = classOf(this.deployed(this.writer).clusterIdentifier) ?? 'db.r6g.large';
    for (const r of this.topology.regions) {
      const cluster = clusters.find((c) => c.physicalId === r.clusterIdentifier);
      if (!cluster) throw new Error(`fake: no AWS::RDS::DBCluster ${r.clusterIdentifier} deployed`);
      this.regions.set(r.region, {
        instanceClass: classOf(r.clusterIdentifier) ?? primaryClass,
        region: r.region,
        role: r.role,
        status: 'available',
        instances: instances.filter((i) => i.properties.DBClusterIdentifier === r.clusterIdentifier)
          .length,
        engineVersion: String(cluster.properties.EngineVersion),
        drain: 'false',
        rpoLagMs: 400,
        replicationLagMs: 250,
        parameterGroup: String(cluster.properties.DBClusterParameterGroupName),
      });
      this.tables.set(r.region, []);
    }
    const routes: Record<string, 'serving' | 'writer'> = {
      [HEALTH_PATHS.serving]: 'serving',
      [HEALTH_PATHS.writer]: 'writer',
    };
    for (const arc of deployed.arcHealthChecks()) {
      this.arcHealthChecks.set(arc.healthCheckId, {
        planArn: arc.planArn,
        region: arc.region,
        recordName: arc.recordName,
        // ASSUMPTION (see arcHealthChecks): ARC's checks start healthy.
        status: 'healthy',
      });
      this.checks.set(arc.healthCheckId, { kind: 'arc', inverted: false, disabled: false });
    }
    for (const check of deployed.resources('AWS::Route53::HealthCheck')) {
      const config = check.properties.HealthCheckConfig as Record<string, unknown>;
      const inverted = config.Inverted === true;
      const disabled = config.Disabled === true;
      if (config.Type === 'CALCULATED') {
        this.checks.set(check.physicalId, {
          kind: 'calculated',
          children: config.ChildHealthChecks as string[],
          threshold: Number(config.HealthThreshold),
          inverted,
          disabled,
        });
        continue;
      }
      const region = this.topology.regions.find(
        (r) => r.regionalHostname === config.FullyQualifiedDomainName,
      );
      const route = routes[String(config.ResourcePath)];
      if (!region || !route) {
        throw new Error(`fake: health check ${check.logicalId} probes nothing the fake serves`);
      }
      this.checks.set(check.physicalId, {
        kind: 'https',
        region: region.region,
        route,
        inverted,
        disabled,
        // Unset: RequestInterval 30 s, FailureThreshold 3 (Route 53 API Reference, HealthCheckConfig).
        intervalMs: Number(config.RequestInterval ?? 30) * 1000,
        failureThreshold: Number(config.FailureThreshold ?? 3),
      });
    }
    this.records = deployed
      .resources('AWS::Route53::RecordSet')
      .filter((r) => r.properties.HostedZoneId === this.topology.hostedZoneId)
      .map((r) => {
        const p = r.properties;
        return {
          name: String(p.Name),
          type: String(p.Type),
          ttl: Number(p.TTL),
          setIdentifier: p.SetIdentifier as string | undefined,
          failover: p.Failover as SimulatedRecord['failover'],
          region: p.Region as string | undefined,
          healthCheckId: p.HealthCheckId as string | undefined,
          values: (p.ResourceRecords as string[] | undefined) ?? [],
        };
      });
    for (const p of deployed.resources('AWS::SSM::Parameter')) {
      if (typeof p.properties.Name !== 'string') continue;
      const map = this.deployedParameters.get(p.region) ?? new Map<string, string>();
      map.set(p.properties.Name, String(p.properties.Value));
      this.deployedParameters.set(p.region, map);
    }
    this.items = new SimulatedItemTables(this.regions.keys());
    this.client = new SimulatedClientNetwork(this, deployed);
  }

  /** Every synthesized resource of `type`, properties resolved (the fake ARC reads its plans). */
  deploymentResources(type: string) {
    return this.deployment.resources(type);
  }

  /** The deployed names and ids of one region (what the drill reads from the outputs). */
  deployed(region: string) {
    const found = this.topology.regions.find((r) => r.region === region);
    if (!found) throw new Error(`fake: no region ${region} deployed`);
    return found;
  }

  clusterArn(region: string): string {
    return this.deployed(region).clusterArn;
  }

  checkId(region: string, kind: 'serving' | 'writer'): string {
    const id = this.deployed(region).healthChecks[kind];
    if (id === undefined) throw new Error(`fake: ${region} has no ${kind} check (headless)`);
    return id;
  }

  region(name: string): SimulatedRegion {
    const r = this.regions.get(name);
    if (!r) throw new Error(`fake: no region ${name}`);
    return r;
  }

  /**
   * The next `times` calls of `operation` (optionally only in `region`, optionally only after
   * `after` has been served, optionally only on the SSM parameter `name`, optionally only
   * calls of the step `step`) fail with `error`.
   */
  fail(
    operation: string,
    error: FaultError,
    options: { region?: string; times?: number; after?: string; name?: string; step?: string } = {},
  ): void {
    this.faultList.push({
      operation,
      region: options.region,
      remaining: options.times ?? 1,
      error,
      after: options.after,
      name: options.name,
      step: options.step,
    });
  }

  /** Faults armed but not yet consumed. */
  unusedFaults(): number {
    return this.faultList.reduce((n, f) => n + f.remaining, 0);
  }

  /**
   * Runs `change` once, right after `operation` (optionally only on the SSM parameter `name`)
   * has been served (the world moves on its own).
   */
  afterServed(
    operation: string,
    change: (world: SimulatedWorld) => void,
    options: { name?: string } = {},
  ): void {
    this.hooks.push({ operation, change, name: options.name });
  }

  /** The process "dies" when `operation` is called: it takes effect, the caller never hears back. */
  killWhen(operation: string): void {
    this.killOn = operation;
  }

  callsOf(operation: string): CallRecord[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  /** The canary rows a region's cluster has for a drill. */
  rowsIn(region: string, drillId: string): number[] {
    this.advance();
    return this.tables
      .get(region)!
      .filter((r) => r.drillId === drillId)
      .map((r) => r.seq);
  }

  /** Runs one fake operation: records it, applies faults and time, then answers. */
  async serve<T>(
    operation: string,
    client: object,
    regionOf: () => Promise<string>,
    input: object,
    answer: (region: string) => T,
  ): Promise<T> {
    // Checked before anything else: a step may call only what its calls() declare.
    const undeclared = undeclaredCall(operation);
    if (undeclared) {
      this.undeclaredCalls.push(undeclared);
      throw faults.undeclared(undeclared);
    }
    this.seenClients.add(client);
    const region = await regionOf();
    if (this.deadClients.has(client)) return new Promise<T>(() => undefined);
    this.calls.push({ operation, region, at: this.clock.now(), input });
    const fault = this.faultList.find(
      (f) =>
        f.operation === operation &&
        (!f.region || f.region === region) &&
        (!f.name || (input as { Name?: string }).Name === f.name) &&
        (!f.step || stepScope()?.stepId === f.step) &&
        f.remaining > 0 &&
        (!f.after || this.calls.some((c) => c.operation === f.after)),
    );
    if (fault) {
      fault.remaining--;
      if (fault.error === 'hang') return new Promise<T>(() => undefined);
      throw fault.error;
    }
    if (this.throttled(operation, region)) throw faults.throttling();
    if (this.down.has(region) && !operation.startsWith('route53:')) {
      throw faults.networkTimeout(`${region} is down`);
    }
    this.advance();
    const result = answer(region);
    const matches = (hook: (typeof this.hooks)[number]) =>
      hook.operation === operation &&
      (!hook.name || (input as { Name?: string }).Name === hook.name);
    const due = this.hooks.filter(matches);
    this.hooks = this.hooks.filter((hook) => !matches(hook));
    due.forEach((hook) => hook.change(this));
    if (this.killOn === operation) {
      this.killOn = undefined;
      for (const c of this.seenClients) this.deadClients.add(c);
      return new Promise<T>(() => undefined);
    }
    return result;
  }

  // -------------------------------------------------------------------------------------------
  // Scenario hooks: what a rehearsal's timeline does to the world. `assume` switches from the
  // instant model (the drill tests' timings) to the documented AWS behaviour below.
  // -------------------------------------------------------------------------------------------

  /**
   * Takes the scenario's assumptions (promotion time, lag, checkers, writer endpoint DNS) and
   * from then on simulates Route 53's health checkers on the clock (until `stop`), replication
   * lag per secondary, and the writer endpoint's DNS delay.
   */
  assume(assumptions: SimulationAssumptions): void {
    this.advance();
    this.promotionMs = assumptions.promotionMs;
    this.pendingMs = assumptions.pendingMs;
    this.dataReplicationDelayMs = assumptions.replicationLagMs;
    this.writerEndpointDnsDelayMs = assumptions.writerEndpointDnsDelayMs;
    this.baseLagMs = assumptions.replicationLagMs;
    const now = this.clock.now();
    for (const r of this.regions.values()) {
      if (r.region !== this.writer && !this.replicatedTo.has(r.region)) {
        this.replicatedTo.set(r.region, now - assumptions.replicationLagMs);
      }
    }
    const first = !this.realistic;
    this.realistic = true;
    this.updateLagMetrics();
    this.startHealthCheckers(assumptions.healthCheckers);
    this.loadAlarms();
    if (first) {
      void this.probeLoop();
      void this.alarmLoop();
    }
    this.client.assumeResolver(assumptions);
  }

  /** Ends every loop the world started on the clock (the health checkers). */
  stop(): void {
    this.loops.abort();
  }

  /** A wait of the world's own loops: on a VirtualClock it never moves time by itself. */
  private sleepInBackground(ms: number, signal: AbortSignal): Promise<void> {
    const clock = this.clock as Clock & Partial<Pick<VirtualClock, 'sleepInBackground'>>;
    const wait = Math.max(0, ms);
    return clock.sleepInBackground
      ? clock.sleepInBackground(wait, signal)
      : clock.sleep(wait, signal);
  }

  /** The region is gone: database, service, control plane and health endpoints. */
  /** FIS, on the synthesized game-day templates (runbooks/simulation/fis.ts). */
  get fis(): SimulatedFis {
    return (this.fisSimulation ??= new SimulatedFis(this, this.deployment));
  }

  /** Whether a FIS experiment isolates the region's application subnets now. */
  appIsolated(region: string): boolean {
    return this.fisSimulation?.isolates(region) ?? false;
  }

  regionOutage(region: string): void {
    this.advance();
    this.down.add(region);
    this.downSince.set(region, this.clock.now());
    this.noteRpoBlocks();
  }

  /**
   * The region is back. An old primary that a failover left behind is rebuilt then as a
   * secondary of the writer, with the writer's data (see `advance`).
   */
  regionReturns(region: string): void {
    this.advance();
    this.down.delete(region);
    if (this.pendingRebuild.delete(region)) {
      this.tables.set(region, [...this.tables.get(this.writer)!]);
      this.items.rebuilt(region, this.writer);
      this.replicatedTo.set(region, this.clock.now());
    }
    this.advance();
    this.noteRpoBlocks();
  }

  /**
   * Replication to `region` lags `lagMs` until `untilMs` (world time): it stalls until its lag
   * reaches `lagMs`, then keeps that lag; after `untilMs` it catches up to the steady lag.
   */
  lagSpike(region: string, lagMs: number, untilMs: number): void {
    this.advance();
    this.spikes.set(region, { lagMs, untilMs });
    if (this.realistic) return; // replicationLagOf reads the spike from now on
    const r = this.region(region);
    const before = { rpo: r.rpoLagMs, replication: r.replicationLagMs };
    r.rpoLagMs = lagMs;
    r.replicationLagMs = lagMs;
    void this.sleepInBackground(untilMs - this.clock.now(), this.loops.signal).then(() => {
      r.rpoLagMs = before.rpo;
      r.replicationLagMs = before.replication;
    });
  }

  /**
   * Cuts (or, with `cut` false, heals) the network between two regions: replication between
   * them stops and the items service in one cannot reach the writer in the other. Route 53's
   * health checkers probe from the internet, not across the cut, and still reach both.
   */
  partition(a: string, b: string, cut = true): void {
    this.region(a);
    this.region(b);
    this.advance();
    if (cut) this.cuts.add(pairKey(a, b));
    else this.cuts.delete(pairKey(a, b));
  }

  /** Whether the network between two regions is cut. */
  cutBetween(a: string, b: string): boolean {
    return a !== b && this.cuts.has(pairKey(a, b));
  }

  /** The applied value of a quota in `region` (equal in every region unless lowered). */
  quotaOf(region: string, quotaCode: string): number {
    this.region(region);
    return this.quotas.get(region)?.get(quotaCode) ?? DEFAULT_QUOTA;
  }

  /** One region's quota below the others' (a secondary that could not hold the writer's fleet). */
  lowerQuota(region: string, quotaCode: string, value: number): void {
    const map = this.quotas.get(region) ?? new Map<string, number>();
    map.set(quotaCode, value);
    this.quotas.set(region, map);
  }

  /** The region's cluster has no instance. */
  headless(region: string): void {
    this.region(region).instances = 0;
  }

  /**
   * A throttling storm: `share` of the RDS API calls in `region` (or in every region) fail
   * with Throttling, as the SDK reports it after its retries, until `untilMs` (world time).
   * Deterministic: every call adds `share`, and a call is throttled each time that reaches 1
   * (1: every call, 0.5: every second one, 0.25: every fourth).
   */
  throttle(region: string | 'all', share: number, untilMs: number): void {
    if (!(share > 0 && share <= 1)) {
      throw new Error(`throttle share must be in (0, 1], got: ${share}`);
    }
    if (region !== 'all') this.region(region);
    this.throttles.push({ region, share, untilMs, owed: 0 });
  }

  /** Whether this RDS API call is throttled (and counts it). */
  private throttled(operation: string, region: string): boolean {
    if (!operation.startsWith('rds:')) return false;
    const now = this.clock.now();
    const storm = this.throttles.find(
      (t) => now < t.untilMs && (t.region === 'all' || t.region === region),
    );
    if (!storm) return false;
    storm.owed += storm.share;
    if (storm.owed < 1 - 1e-9) return false;
    storm.owed -= 1;
    return true;
  }

  /**
   * The region the global writer endpoint resolves to now: the writer, except for
   * `writerEndpointDnsDelayMs` after a move completes, when it still answers the old writer
   * (Aurora updates the endpoint's DNS after managed switchover and failover: Aurora User
   * Guide, "Connecting to Amazon Aurora Global Database"; the delay is an assumption).
   */
  writerEndpointRegion(): string {
    this.advance();
    const move = this.lastMove;
    if (move && this.clock.now() < move.completedAt + this.writerEndpointDnsDelayMs) {
      return move.from;
    }
    return this.writer;
  }

  /**
   * How far behind the writer a secondary's cluster is now (ms): its RPO lag and replication
   * lag, and how young a commit may be and not be there yet. Null for the writer and for an
   * old primary not yet rebuilt (no replication, no lag metrics).
   */
  replicationLagOf(region: string): number | null {
    if (region === this.writer || this.pendingRebuild.has(region)) return null;
    if (!this.realistic) return this.dataReplicationDelayMs;
    // RPO lag: how long "the most recent user transaction COMMIT" takes to reach the secondary
    // (Aurora User Guide, aurora_global_db_status, rpo_lag_in_msec). A writer that is down
    // commits nothing more: the lag stays what it was when it went down.
    const until = this.down.has(this.writer)
      ? (this.downSince.get(this.writer) ?? this.clock.now())
      : this.clock.now();
    return until - this.positionOf(region);
  }

  /** The writer's time up to which a secondary holds its commits now. */
  private positionOf(region: string): number {
    const now = this.clock.now();
    if (!this.realistic) return now - this.dataReplicationDelayMs;
    const at = this.replicatedTo.get(region) ?? now;
    const target = this.targetLagOf(region);
    return Number.isFinite(target) ? Math.max(at, now - target) : at;
  }

  /**
   * The lag replication tends to: infinite (it stops) when either end is down, the secondary
   * is an old primary not yet rebuilt, or the network between them is cut; a spike's lag
   * until it ends; else the steady lag.
   */
  private targetLagOf(region: string): number {
    if (
      this.down.has(region) ||
      this.down.has(this.writer) ||
      this.pendingRebuild.has(region) ||
      this.cutBetween(region, this.writer)
    ) {
      return Number.POSITIVE_INFINITY;
    }
    const spike = this.spikes.get(region);
    if (spike && this.clock.now() < spike.untilMs) return spike.lagMs;
    return this.baseLagMs;
  }

  /** The lag metrics as CloudWatch would report them now (realistic model only). */
  private updateLagMetrics(): void {
    if (!this.realistic) return;
    for (const r of this.regions.values()) {
      const lag = this.replicationLagOf(r.region);
      r.rpoLagMs = lag;
      r.replicationLagMs = lag;
    }
  }

  /**
   * A switchover in the realistic model waits for every secondary: "All secondary clusters are
   * synchronized with the primary at the beginning of the process so the new primary continues
   * operations ... without losing any data" (RDS API Reference, SwitchoverGlobalCluster). False
   * while a reachable secondary lacks a commit made before writes stopped; else when the last
   * one got there (undefined: nothing to wait for).
   */
  private switchoverSynced(): number | false | undefined {
    if (!this.realistic || this.moving?.kind !== 'switchover') return undefined;
    const stopped = this.moving.startedAt + this.pendingMs;
    let last: number | undefined;
    for (const region of this.regions.keys()) {
      if (region === this.moving.from || this.down.has(region)) continue;
      if (this.positionOf(region) < stopped) return false;
      const before = this.replicatedTo.get(region) ?? stopped;
      // It crossed since the last look, at the lag replication tended to meanwhile.
      if (before < stopped) last = Math.max(last ?? 0, stopped + this.targetLagOf(region));
    }
    return last;
  }

  /** Moves the promotion along the virtual clock and replicates canary rows and items. */
  advance(): void {
    const now = this.clock.now();
    const writerRows = this.tables.get(this.writer)!;
    // Read before replication moves the positions on (see below).
    const synced = this.switchoverSynced();
    if (!this.moving || this.moving.kind === 'switchover') {
      for (const [region, rows] of this.tables) {
        if (region === this.writer || this.pendingRebuild.has(region)) continue;
        const upTo = this.positionOf(region);
        if (this.realistic) this.replicatedTo.set(region, upTo);
        // A set, not a scan per row: the health checkers call this several times a second.
        const have = new Set(rows.map((r) => `${r.drillId}\n${r.seq}`));
        for (const row of writerRows) {
          if (row.at <= upTo && !have.has(`${row.drillId}\n${row.seq}`)) rows.push(row);
        }
      }
      this.items.replicate(this.writer, (region) =>
        this.pendingRebuild.has(region) ? Number.NEGATIVE_INFINITY : this.positionOf(region),
      );
    }
    this.updateLagMetrics();
    this.noteRpoBlocks();
    if (!this.moving) return;
    const elapsed = now - this.moving.startedAt;
    if (this.promotionCancels && elapsed >= this.pendingMs) {
      this.globalStatus = 'available';
      return; // stays in 'cancelling' (see failoverStatus)
    }
    if (this.promotionStuck || elapsed < this.promotionMs) return;
    const { from, to, kind, startedAt } = this.moving;
    if (synced === false) return;
    const completedAt = Math.max(startedAt + this.promotionMs, synced ?? 0);
    if (kind === 'switchover') {
      // Switchover synchronizes every secondary first: nothing is lost.
      this.tables.set(to, [...writerRows]);
    }
    // The old primary of a failover whose region is down is rebuilt as a secondary only when
    // the region returns (regionReturns); until then it replicates nothing and keeps its data.
    const leftBehind = kind === 'failover' && this.down.has(from) ? from : undefined;
    if (leftBehind) this.pendingRebuild.add(leftBehind);
    this.items.promoted(to, kind, leftBehind);
    this.writer = to;
    this.writerMoves++;
    this.lastMove = { from, to, completedAt: Math.min(completedAt, now) };
    // Every other member rejoins as a secondary with the new writer's data.
    for (const region of this.tables.keys()) {
      if (region === to || this.pendingRebuild.has(region)) continue;
      this.tables.set(region, [...this.tables.get(to)!]);
      this.replicatedTo.set(region, now);
    }
    this.replicatedTo.delete(to);
    this.moving = undefined;
    this.globalStatus = 'available';
    this.updateLagMetrics();
    this.noteRpoBlocks(this.lastMove.completedAt);
  }

  failoverStatus(): string | undefined {
    if (!this.moving) return undefined;
    const elapsed = this.clock.now() - this.moving.startedAt;
    if (this.promotionCancels && elapsed >= this.pendingMs) return 'cancelling';
    if (elapsed < this.pendingMs) return 'pending';
    return this.moving.kind === 'switchover' ? 'switching-over' : 'failing-over';
  }

  /**
   * Writes stop once a switchover is past pending, and at once for a failover (Aurora
   * fences the old writer), until the promotion completes.
   */
  acceptsWrites(region: string): boolean {
    const status = this.failoverStatus();
    const writesContinue =
      status === undefined || (status === 'pending' && this.moving?.kind === 'switchover');
    return region === this.writer && !this.down.has(region) && writesContinue;
  }

  private parametersIn(region: string) {
    let map = this.parameters.get(region);
    if (!map) this.parameters.set(region, (map = new Map()));
    return map;
  }

  /** The drill lock parameter of a region, parsed; undefined when there is none. */
  lockIn(region: string): Record<string, unknown> | undefined {
    const p = this.parametersIn(region).get(this.lockName(region));
    return p && (JSON.parse(p.value) as Record<string, unknown>);
  }

  /** Puts a lock in a region as another operator's drill would have. */
  setLock(region: string, value: Record<string, unknown>): void {
    this.parametersIn(region).set(this.lockName(region), {
      value: JSON.stringify(value),
      version: 1,
    });
  }

  lockName(region: string): string {
    return this.deployed(region).drainParameterName.replace(/[^/]*$/, 'drill-lock');
  }

  /**
   * ssm:PutParameter as the API Reference documents it: a new name is created (version 1);
   * an existing one is replaced only with Overwrite, else ParameterAlreadyExists.
   */
  putParameter(region: string, input: PutParameterCommandInput): { Version: number } {
    const name = input.Name ?? '';
    if (name === this.deployed(region).drainParameterName) {
      if (!input.Overwrite) throw alreadyExists(name);
      this.setDrain(region, input.Value ?? '');
      return { Version: 2 };
    }
    const map = this.parametersIn(region);
    const existing = map.get(name);
    if (existing && !input.Overwrite) throw alreadyExists(name);
    if (!existing && !input.Type) {
      throw new Error(`fake: PutParameter of a new parameter ${name} needs a Type`);
    }
    const version = (existing?.version ?? 0) + 1;
    map.set(name, { value: input.Value ?? '', version });
    return { Version: version };
  }

  getParameter(region: string, name: string) {
    if (name === this.deployed(region).drainParameterName) {
      return { Name: name, Value: this.region(region).drain, Type: 'String' as const };
    }
    const deployedValue = this.deployedParameters.get(region)?.get(name);
    if (deployedValue !== undefined)
      return { Name: name, Value: deployedValue, Type: 'String' as const };
    const p = this.parametersIn(region).get(name);
    if (!p) throw notFound(name);
    return { Name: name, Value: p.value, Type: 'String' as const, Version: p.version };
  }

  /** ssm:DeleteParameter: ParameterNotFound when there is none. */
  deleteParameter(region: string, name: string): void {
    if (!this.parametersIn(region).delete(name)) throw notFound(name);
  }

  /** Sets a drain switch as PutParameter does, remembering the old value for the health lag. */
  setDrain(region: string, value: string): void {
    const r = this.region(region);
    this.drainChanges.set(region, { previous: r.drain, at: this.clock.now() });
    r.drain = value;
  }

  /** The drain value the health function and the checkers act on now. */
  private seenDrain(region: string): string {
    const change = this.drainChanges.get(region);
    if (change && this.clock.now() - change.at < this.healthLagMs) return change.previous;
    return this.region(region).drain;
  }

  serving(region: string): boolean {
    const r = this.region(region);
    const servingCheck = this.deployed(region).healthChecks.serving;
    return (
      this.seenDrain(region) === 'false' &&
      r.status === 'available' &&
      !this.down.has(region) &&
      // Its application subnets isolated (a game day): the health function reaches nothing.
      !this.appIsolated(region) &&
      // A headless cluster has no instance to answer the health function's query.
      r.instances > 0 &&
      !(servingCheck !== undefined && this.forcedUnhealthy.has(servingCheck))
    );
  }

  writerHealthy(region: string): boolean {
    return (
      this.serving(region) &&
      this.acceptsWrites(region) &&
      !this.forcedUnhealthy.has(this.checkId(region, 'writer')) &&
      // The health function's heartbeat commit waits when managed RPO blocks commits.
      !(this.realistic && this.commitsBlocked(region))
    );
  }

  globalCluster(): GlobalCluster {
    const status = this.failoverStatus();
    return {
      GlobalClusterIdentifier: this.globalId,
      Status:
        this.moving && status !== 'cancelling'
          ? this.moving.kind === 'switchover'
            ? 'switching-over'
            : 'failing-over'
          : this.globalStatus,
      Engine: this.engine,
      EngineVersion: this.engineVersion,
      FailoverState: this.moving
        ? {
            Status: status as 'pending',
            FromDbClusterArn: this.clusterArn(this.moving.from),
            ToDbClusterArn: this.clusterArn(this.moving.to),
            IsDataLossAllowed: this.moving.kind === 'failover',
          }
        : undefined,
      // The old primary stays a member until it is rebuilt, resynchronizing
      // (GlobalClusterMember.SynchronizationStatus: connected | pending-resync, RDS API Reference).
      GlobalClusterMembers: [...this.regions.keys()].map((region) => ({
        DBClusterArn: this.clusterArn(region),
        IsWriter: region === this.writer,
        Readers: [],
        SynchronizationStatus: this.pendingRebuild.has(region) ? 'pending-resync' : 'connected',
      })),
    };
  }

  promote(
    kind: 'switchover' | 'failover',
    input: { GlobalClusterIdentifier?: string; TargetDbClusterIdentifier?: string },
  ): GlobalCluster {
    if (input.GlobalClusterIdentifier !== this.globalId) {
      throw new GlobalClusterNotFoundFault({
        message: `Global cluster ${input.GlobalClusterIdentifier} not found`,
        $metadata: {},
      });
    }
    const target = [...this.regions.keys()].find(
      (r) => this.clusterArn(r) === input.TargetDbClusterIdentifier,
    );
    if (!target || target === this.writer || this.moving) {
      throw new InvalidGlobalClusterStateFault({
        message: 'The global cluster is not in a valid state for this operation',
        $metadata: {},
      });
    }
    this.advance();
    this.moving = { kind, from: this.writer, to: target, startedAt: this.clock.now() };
    if (kind === 'failover' && this.failoverSnapshot === 'taken') {
      const now = this.clock.now();
      const cluster = this.deployed(this.writer).clusterIdentifier;
      const stamp = new Date(now).toISOString().slice(0, 16).replace(/[T:]/g, '-');
      this.snapshots.push({
        region: this.writer,
        identifier: `rds:unplanned-global-failover-${cluster}-${stamp}`,
        clusterIdentifier: cluster,
        type: 'automated',
        createdAt: now,
        listedAt: now + this.failoverSnapshotListedMs,
        availableAt: now + this.failoverSnapshotCreateMs,
        kmsKeyId: this.kmsKeyArn(this.writer),
      });
    }
    if (kind === 'failover') {
      // An unplanned failover does not wait for replication: unreplicated rows are gone.
      // "Failing over can result in a loss of write transaction data that wasn't replicated to
      // the chosen secondary" (RDS API Reference, FailoverGlobalCluster, AllowDataLoss).
      const upTo = this.positionOf(target);
      const kept = this.tables.get(this.writer)!.filter((r) => r.at <= upTo);
      this.tables.set(target, kept);
      this.items.failover(target, upTo);
    }
    return this.globalCluster();
  }

  /** The region's data key, as RDS reports a snapshot's KmsKeyId. */
  kmsKeyArn(region: string): string {
    return `arn:aws:kms:${region}:${FAKE_ACCOUNT}:key/fake-data-key-${region}`;
  }

  /** The snapshots a region lists now. */
  snapshotsIn(region: string): SimulatedSnapshot[] {
    return this.snapshots.filter((x) => x.region === region && this.clock.now() >= x.listedAt);
  }

  snapshotShape(x: SimulatedSnapshot): DBClusterSnapshot {
    const now = this.clock.now();
    const done = now >= x.availableAt;
    return {
      DBClusterSnapshotIdentifier: x.identifier,
      DBClusterSnapshotArn: `arn:aws:rds:${x.region}:${FAKE_ACCOUNT}:cluster-snapshot:${x.identifier}`,
      DBClusterIdentifier: x.clusterIdentifier,
      SnapshotType: x.type,
      SnapshotCreateTime: new Date(x.createdAt),
      Status: !done
        ? x.type === 'manual'
          ? 'copying'
          : 'creating'
        : x.fails
          ? 'failed'
          : 'available',
      StorageEncrypted: true,
      KmsKeyId: x.kmsKeyId,
    };
  }

  /** rds:DescribeDBClusterSnapshots: by identifier (not found: a fault) or by cluster. */
  describeSnapshots(region: string, input: DescribeDBClusterSnapshotsCommandInput) {
    const listed = this.snapshotsIn(region);
    if (input.DBClusterSnapshotIdentifier !== undefined) {
      const found = listed.find((x) => x.identifier === input.DBClusterSnapshotIdentifier);
      if (!found) {
        throw new DBClusterSnapshotNotFoundFault({
          message: `DBClusterSnapshot ${input.DBClusterSnapshotIdentifier} not found.`,
          $metadata: { httpStatusCode: 404 },
        });
      }
      return { DBClusterSnapshots: [this.snapshotShape(found)] };
    }
    return {
      DBClusterSnapshots: listed
        .filter((x) => x.clusterIdentifier === input.DBClusterIdentifier)
        .map((x) => this.snapshotShape(x)),
    };
  }

  /** rds:CopyDBClusterSnapshot in one region: from an available source, to a new name. */
  copySnapshot(region: string, input: CopyDBClusterSnapshotCommandInput) {
    const listed = this.snapshotsIn(region);
    const source = listed.find((x) => x.identifier === input.SourceDBClusterSnapshotIdentifier);
    if (!source) {
      throw new DBClusterSnapshotNotFoundFault({
        message: `DBClusterSnapshot ${input.SourceDBClusterSnapshotIdentifier} not found.`,
        $metadata: { httpStatusCode: 404 },
      });
    }
    if (this.snapshotShape(source).Status !== 'available') {
      throw new InvalidDBClusterSnapshotStateFault({
        message: `DBClusterSnapshot ${source.identifier} is not available.`,
        $metadata: { httpStatusCode: 400 },
      });
    }
    if (
      this.snapshots.some(
        (x) => x.region === region && x.identifier === input.TargetDBClusterSnapshotIdentifier,
      )
    ) {
      throw new DBClusterSnapshotAlreadyExistsFault({
        message: `DBClusterSnapshot ${input.TargetDBClusterSnapshotIdentifier} already exists.`,
        $metadata: { httpStatusCode: 400 },
      });
    }
    const now = this.clock.now();
    const copy: SimulatedSnapshot = {
      region,
      identifier: input.TargetDBClusterSnapshotIdentifier ?? '',
      clusterIdentifier: source.clusterIdentifier,
      type: 'manual',
      createdAt: source.createdAt,
      listedAt: now,
      availableAt: now + this.snapshotCopyMs,
      ...(this.snapshotCopyFails ? { fails: true } : {}),
      kmsKeyId: input.KmsKeyId ?? source.kmsKeyId,
    };
    this.snapshots.push(copy);
    return { DBClusterSnapshot: this.snapshotShape(copy) };
  }

  /** The parameter group of a region's cluster. */
  parameterGroupOf(region: string): SimulatedParameterGroup {
    const group = this.parameterGroups.get(this.region(region).parameterGroup);
    if (!group) throw new Error(`fake: no parameter group deployed for ${region}`);
    return group;
  }

  /** The RPO a region's cluster parameter group sets (seconds), or null. */
  managedRpoOf(region: string): number | null {
    const value = this.parameterGroupOf(region).parameters.get(MANAGED_RPO_PARAMETER);
    return value === undefined ? null : Number(value);
  }

  /**
   * Managed RPO as Aurora documents it: the writer "blocks the transaction if all secondary DB
   * clusters have RPO lag times that are larger than the RPO" of the writer's cluster parameter
   * group (Aurora User Guide, aurora-global-database-disaster-recovery, Managing RPOs). A
   * secondary in a region that is down replicates nothing.
   */
  commitsBlocked(region: string): boolean {
    const rpo = this.managedRpoOf(region);
    if (rpo === null) return false;
    const satisfied = [...this.regions.values()].some((r) => {
      const lag = this.realistic ? this.replicationLagOf(r.region) : r.rpoLagMs;
      return r.region !== region && !this.down.has(r.region) && lag !== null && lag < rpo * 1000;
    });
    return !satisfied;
  }

  /**
   * Opens or closes the window of managed RPO that nothing can satisfy, as of `at` (world
   * time): the writer is up, its group sets rds.global_db_rpo, and no other member is up and
   * replicating, so Aurora blocks every commit until the setting goes (Aurora User Guide,
   * aurora-global-database-disaster-recovery, Managing RPOs: it "blocks transaction commits if
   * there is no secondary DB cluster that has an RPO lag time less than the RPO time").
   */
  private noteRpoBlocks(at = this.clock.now()): void {
    if (!this.realistic) return;
    const writer = this.writer;
    const rpoSeconds = this.managedRpoOf(writer);
    const satisfiable = [...this.regions.keys()].some(
      (r) => r !== writer && !this.down.has(r) && !this.pendingRebuild.has(r),
    );
    const blocked = rpoSeconds !== null && !this.down.has(writer) && !satisfiable;
    const open = this.rpoBlocks.find((b) => b.toMs === undefined);
    if (open && (!blocked || open.region !== writer || open.rpoSeconds !== rpoSeconds)) {
      open.toMs = Math.max(open.fromMs, at);
    }
    if (blocked && (!open || open.toMs !== undefined)) {
      this.rpoBlocks.push({
        region: writer,
        rpoSeconds,
        parameterGroup: this.region(writer).parameterGroup,
        fromMs: at,
      });
    }
  }

  private groupIn(region: string, name: string | undefined): SimulatedParameterGroup {
    const group = this.parameterGroups.get((name ?? '').toLowerCase());
    if (!group || group.region !== region) {
      throw new DBParameterGroupNotFoundFault({
        message: `DBClusterParameterGroup not found: ${name}`,
        $metadata: { httpStatusCode: 404 },
      });
    }
    return group;
  }

  /** rds:DescribeDBClusterParameters: only the user-set parameters are modelled. */
  describeClusterParameters(region: string, input: DescribeDBClusterParametersCommandInput) {
    const group = this.groupIn(region, input.DBClusterParameterGroupName);
    if (input.Source !== undefined && input.Source !== 'user') return { Parameters: [] };
    return {
      Parameters: [...group.parameters].map(([ParameterName, ParameterValue]) => ({
        ParameterName,
        ParameterValue,
        Source: 'user',
        ApplyType: 'dynamic',
        IsModifiable: true,
      })),
    };
  }

  /**
   * rds:ModifyDBClusterParameterGroup of rds.global_db_rpo: "Valid values ... range from 20
   * seconds to 2,147,483,647 seconds", dynamic, so ApplyMethod immediate (Setting the recovery
   * point objective; ModifyDBClusterParameterGroup API Reference, Parameters).
   */
  modifyClusterParameters(region: string, input: ModifyDBClusterParameterGroupCommandInput) {
    const group = this.groupIn(region, input.DBClusterParameterGroupName);
    for (const p of input.Parameters ?? []) {
      const value = Number(p.ParameterValue);
      if (
        p.ParameterName !== MANAGED_RPO_PARAMETER ||
        !Number.isInteger(value) ||
        value < 20 ||
        value > 2_147_483_647 ||
        p.ApplyMethod !== 'immediate'
      ) {
        throw new RDSServiceException({
          name: 'InvalidParameterValue',
          message: `fake: unexpected parameter ${JSON.stringify(p)}`,
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      group.parameters.set(MANAGED_RPO_PARAMETER, String(value));
    }
    this.noteRpoBlocks();
    return { DBClusterParameterGroupName: input.DBClusterParameterGroupName };
  }

  /** rds:ResetDBClusterParameterGroup of named parameters: back to the engine default. */
  resetClusterParameters(region: string, input: ResetDBClusterParameterGroupCommandInput) {
    const group = this.groupIn(region, input.DBClusterParameterGroupName);
    if (input.ResetAllParameters || !input.Parameters?.length) {
      throw new Error('fake: the drill resets named parameters only');
    }
    for (const p of input.Parameters) group.parameters.delete(p.ParameterName ?? '');
    this.noteRpoBlocks();
    return { DBClusterParameterGroupName: input.DBClusterParameterGroupName };
  }

  execute(
    region: string,
    input: ExecuteStatementCommandInput,
  ): { records: ({ longValue: number } | { stringValue: string })[][] } {
    const clusterRegion = [...this.regions.keys()].find(
      (r) => this.clusterArn(r) === input.resourceArn,
    );
    if (!clusterRegion || clusterRegion !== region) {
      throw new BadRequestException({
        message: `Cluster ${input.resourceArn} not found in ${region}`,
        $metadata: {},
      });
    }
    // The Data API needs the secret in the cluster's region: the replica of the master secret.
    if (input.secretArn !== this.deployed(region).secretArn) {
      throw new BadRequestException({
        message: `secret ${input.secretArn} is not in ${region}`,
        $metadata: {},
      });
    }
    const param = (name: string) => input.parameters?.find((p) => p.name === name)?.value;
    if (input.sql === CANARY_SQL.selectSeqs) {
      const drillId = param('drill_id')?.stringValue;
      return {
        records: this.tables
          .get(region)!
          .filter((r) => r.drillId === drillId)
          .map((r) => [{ longValue: r.seq }]),
      };
    }
    if (input.sql === CLIENT_ITEMS_SQL.selectIds) {
      const prefix = param('prefix')?.stringValue ?? '';
      return {
        records: [...this.items.in(region).items.keys()]
          .filter((id) => id.startsWith(prefix))
          .map((id) => [{ stringValue: id }]),
      };
    }
    if (!this.acceptsWrites(region)) {
      throw new BadRequestException({
        message: 'ERROR: cannot execute statement in a read-only transaction',
        $metadata: {},
      });
    }
    if (this.commitsBlocked(region)) {
      // The commit waits until a secondary catches up; the Data API gives up on it.
      throw new StatementTimeoutException({
        message: `fake: commit blocked by managed RPO (${MANAGED_RPO_PARAMETER}=${this.managedRpoOf(region)}): no secondary has an RPO lag under it`,
        $metadata: { httpStatusCode: 400 },
      });
    }
    if (input.sql === CANARY_SQL.createTable) {
      return { records: [] };
    }
    if (
      input.sql === CLIENT_ITEMS_SQL.deleteItems ||
      input.sql === CLIENT_ITEMS_SQL.deleteRequests
    ) {
      const prefix = param('prefix')?.stringValue ?? '';
      const kind = input.sql === CLIENT_ITEMS_SQL.deleteItems ? 'delete-items' : 'delete-requests';
      this.items.commit(region, this.clock.now(), [{ kind, prefix }]);
      return { records: [] };
    }
    if (input.sql === CANARY_SQL.insert) {
      this.tables.get(region)!.push({
        drillId: param('drill_id')?.stringValue ?? '',
        seq: Number(param('seq')?.longValue),
        at: this.clock.now(),
      });
      return { records: [] };
    }
    // The cleanup (steps/clean-canary.ts); the delete replicates to every member.
    if (input.sql === CANARY_SQL.deleteRows) {
      const drillId = param('drill_id')?.stringValue;
      for (const [r, rows] of this.tables)
        this.tables.set(
          r,
          rows.filter((row) => row.drillId !== drillId),
        );
      return { records: [] };
    }
    throw new BadRequestException({ message: `fake: unexpected SQL ${input.sql}`, $metadata: {} });
  }

  /** ARC's Route 53 health check block sets one of its checks (the fake ARC executor calls this). */
  setArcHealthCheck(id: string, status: SimulatedArcHealthCheck['status']): void {
    const check = this.arcHealthChecks.get(id);
    if (!check) {
      throw new Error(
        `fake: no ARC health check ${id}; the deployment's are: ${[...this.arcHealthChecks.keys()].join(', ') || 'none'}`,
      );
    }
    check.status = status;
  }

  /** Whether Route 53 considers a deployed check healthy now. */
  checkHealthy(id: string): boolean {
    const check = this.checks.get(id);
    if (!check)
      throw new NoSuchHealthCheck({ message: `No health check with id ${id}`, $metadata: {} });
    if (this.forcedUnhealthy.has(id)) return false;
    if (this.forcedHealthy.has(id)) return true;
    // "After you disable a health check, Route 53 considers the status of the health check to
    // always be healthy" (Route 53 API Reference, HealthCheckConfig, Disabled).
    if (check.disabled) return true;
    // Inverted: Route 53 "considers health checks to be unhealthy when the status is healthy
    // and vice versa" (Route 53 API Reference, HealthCheckConfig, Inverted).
    if (check.kind === 'arc') return this.arcHealthChecks.get(id)!.status === 'healthy';
    if (check.kind === 'calculated') {
      // CALCULATED: healthy when at least HealthThreshold children are healthy
      // (Route 53 API Reference, HealthCheckConfig, HealthThreshold).
      const healthyChildren = check.children.filter((c) => this.checkHealthy(c)).length;
      return healthyChildren >= check.threshold !== check.inverted;
    }
    const checkers = this.checkers.get(id);
    if (checkers) {
      // "If more than 18% of health checkers report that an endpoint is healthy, Route 53
      // considers it healthy" (Route 53 Developer Guide, "How Amazon Route 53 determines
      // whether a health check is healthy").
      const healthy = checkers.filter((c) => c.healthy).length;
      return healthy > HEALTHY_CHECKER_SHARE * checkers.length !== check.inverted;
    }
    return this.endpointHealthy(check) !== check.inverted;
  }

  /** What the probed route answers now (200 or 503). */
  private endpointHealthy(check: Extract<SimulatedHealthCheck, { kind: 'https' }>): boolean {
    return check.route === 'serving'
      ? this.serving(check.region)
      : this.writerHealthy(check.region);
  }

  /** One checker per assumed health checker on every HTTPS check, in the endpoint's state now. */
  private startHealthCheckers(count: number): void {
    if (!(Number.isInteger(count) && count > 0)) {
      throw new Error(`healthCheckers must be a positive whole number, got: ${count}`);
    }
    const now = this.clock.now();
    for (const [id, check] of this.checks) {
      if (check.kind !== 'https') continue;
      const healthy = this.endpointHealthy(check);
      this.checkers.set(
        id,
        Array.from({ length: count }, () => ({ healthy, streak: 0, checkedAt: now })),
      );
    }
  }

  /**
   * Route 53's checkers on the clock: "Each Route 53 health checker makes requests at this
   * interval" (RequestInterval), staggered evenly over it (checkers "don't coordinate with one
   * another": Route 53 Developer Guide, "How Amazon Route 53 determines whether a health check
   * is healthy"), and each changes its view after FailureThreshold consecutive results of the
   * other state ("must pass or fail ... to change the current status": Route 53 API
   * Reference, HealthCheckConfig). Runs until `stop`.
   */
  private async probeLoop(): Promise<void> {
    const signal = this.loops.signal;
    const started = this.clock.now();
    /** Per check: the index of the next probe (probe k is by checker k mod n). */
    const next = new Map<string, number>();
    const dueAt = (id: string, k: number) => {
      const check = this.checks.get(id) as Extract<SimulatedHealthCheck, { kind: 'https' }>;
      const n = this.checkers.get(id)!.length;
      return started + ((k + 1) * check.intervalMs) / n;
    };
    while (!signal.aborted) {
      let soonest = Number.POSITIVE_INFINITY;
      for (const id of this.checkers.keys()) {
        soonest = Math.min(soonest, dueAt(id, next.get(id) ?? 0));
      }
      if (!Number.isFinite(soonest)) return;
      await this.sleepInBackground(Math.max(0, soonest - this.clock.now()), signal);
      if (signal.aborted) return;
      this.advance();
      for (const [id, checkers] of this.checkers) {
        const check = this.checks.get(id) as Extract<SimulatedHealthCheck, { kind: 'https' }>;
        let k = next.get(id) ?? 0;
        while (dueAt(id, k) <= this.clock.now()) {
          const checker = checkers[k % checkers.length];
          const result = this.endpointHealthy(check);
          checker.checkedAt = this.clock.now();
          checker.streak = result === checker.healthy ? 0 : checker.streak + 1;
          if (checker.streak >= check.failureThreshold) {
            checker.healthy = result;
            checker.streak = 0;
          }
          k++;
        }
        next.set(id, k);
      }
    }
  }

  /**
   * route53:GetHealthCheckStatus: one observation per health checker. After `assume`, each
   * reports its own view and when it last probed; before, every checker agrees with the check.
   */
  healthCheck(id: string) {
    const healthy = this.checkHealthy(id);
    const checkers =
      this.checkers.get(id) ??
      Array.from({ length: 16 }, () => ({ healthy, checkedAt: this.clock.now() }));
    return {
      HealthCheckObservations: checkers.map((c, i) => ({
        Region: ROUTE53_HOME_REGION as HealthCheckRegion,
        IPAddress: `15.177.0.${i}`,
        StatusReport: {
          Status: c.healthy
            ? 'Success: HTTP Status Code 200, OK'
            : 'Failure: HTTP Status Code 503, Service Unavailable',
          CheckedTime: new Date(c.checkedAt),
        },
      })),
    };
  }

  /**
   * What Route 53 answers for `name` from the deployed records ("How Amazon Route 53 chooses
   * records when health checking is configured", Route 53 Developer Guide): a record without a
   * health check counts as healthy; failover answers the PRIMARY when healthy, else a healthy
   * SECONDARY, else the PRIMARY; latency answers the nearest healthy record (nearest: the
   * resolver's region, then the deployment's region order), or the nearest when none is healthy.
   */
  dnsAnswer(name: string, resolverRegion: string = ROUTE53_HOME_REGION): string[] {
    return [...(this.dnsRecord(name, resolverRegion)?.values ?? [])];
  }

  /** The record Route 53 chooses for `name` now (see dnsAnswer), with its TTL; undefined: none. */
  dnsRecord(
    name: string,
    resolverRegion: string = ROUTE53_HOME_REGION,
  ): SimulatedRecord | undefined {
    const fqdn = name.endsWith('.') ? name : `${name}.`;
    const records = this.records.filter((r) => r.name === fqdn && r.type === 'CNAME');
    if (records.length === 0) return undefined;
    const healthy = (r: SimulatedRecord) => !r.healthCheckId || this.checkHealthy(r.healthCheckId);
    let chosen: SimulatedRecord | undefined;
    if (records.some((r) => r.failover)) {
      const primary = records.find((r) => r.failover === 'PRIMARY')!;
      const secondary = records.find((r) => r.failover === 'SECONDARY');
      chosen = healthy(primary) ? primary : secondary && healthy(secondary) ? secondary : primary;
    } else if (records.some((r) => r.region)) {
      const order = [resolverRegion, ...this.topology.regions.map((r) => r.region)];
      const nearest = [...records].sort(
        (x, y) => order.indexOf(x.region ?? '') - order.indexOf(y.region ?? ''),
      );
      chosen = nearest.find(healthy) ?? nearest[0];
    } else {
      chosen = records[0];
    }
    return chosen;
  }

  /**
   * The deployed records from `start` on, in Route 53's order: "sorted first by DNS name with
   * the labels reversed" (Route 53 API Reference, ListResourceRecordSets).
   */
  recordSets(start: string) {
    const key = (name: string) => name.replace(/\.$/, '').split('.').reverse().join('.');
    const from = key(start);
    return [...this.records]
      .sort((a, b) => key(a.name).localeCompare(key(b.name)))
      .filter((r) => key(r.name) >= from)
      .map((r) => ({
        Name: r.name,
        Type: r.type as 'CNAME',
        TTL: r.ttl,
        ...(r.setIdentifier ? { SetIdentifier: r.setIdentifier } : {}),
        ...(r.failover ? { Failover: r.failover } : {}),
        ...(r.region ? { Region: r.region as ResourceRecordSetRegion } : {}),
        ...(r.healthCheckId ? { HealthCheckId: r.healthCheckId } : {}),
        ResourceRecords: r.values.map((Value) => ({ Value })),
      }));
  }

  lag(region: string, input: GetMetricDataCommandInput) {
    return {
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
        const value = this.lagMetricOf(region, q.MetricStat?.Metric?.MetricName ?? '');
        return {
          Id: q.Id,
          Values: value === null ? [] : [value],
          Timestamps: value === null ? [] : [new Date(this.clock.now())],
        };
      }),
    };
  }

  /** A lag metric of a region's cluster now (ms): none for the writer (only secondaries report). */
  private lagMetricOf(region: string, metricName: string): number | null {
    if (region === this.writer) return null;
    if (this.realistic) return this.replicationLagOf(region);
    const r = this.region(region);
    return metricName === LAG_METRICS.rpo ? r.rpoLagMs : r.replicationLagMs;
  }

  // -------------------------------------------------------------------------------------------
  // Alarms: every synthesized AWS::CloudWatch::Alarm (see alarms.ts)
  // -------------------------------------------------------------------------------------------

  /** Lists the synthesized alarms, OK, once (assume or setAlarm loads them). */
  private loadAlarms(): SimulatedAlarm[] {
    if (this.alarmModels) return this.alarmModels;
    const now = this.clock.now();
    this.alarmModels = this.deployment
      .resources('AWS::CloudWatch::Alarm')
      .map((r) => alarmOf(r, (region, metric) => this.metricValue(region, metric), now));
    this.alarms.push(...this.alarmModels.map((a) => a.view));
    return this.alarmModels;
  }

  /**
   * The world's value now of a metric an alarm in `region` watches: null when it has no
   * datapoint now, undefined when the world does not model it. Modelled: the global-database
   * lag metrics, which "apply to" a secondary cluster only and are in its own Region (Aurora
   * User Guide, "Amazon CloudWatch metrics for Amazon Aurora"; none while its region is down),
   * and Route 53's HealthCheckStatus ("1 indicates healthy, and 0 indicates unhealthy", in
   * Route 53's home region: Route 53 Developer Guide, "Monitoring health checks using
   * CloudWatch").
   */
  private metricValue(region: string, metric: MetricRef): number | null | undefined {
    const dims = Object.keys(metric.dimensions);
    if (
      metric.namespace === 'AWS/RDS' &&
      (Object.values(LAG_METRICS) as string[]).includes(metric.metricName) &&
      dims.length === 1 &&
      dims[0] === 'DBClusterIdentifier'
    ) {
      const of = this.topology.regions.find(
        (r) => r.clusterIdentifier === metric.dimensions.DBClusterIdentifier,
      )?.region;
      if (of !== region || this.down.has(region)) return null;
      return this.lagMetricOf(region, metric.metricName);
    }
    if (
      metric.namespace === 'AWS/Route53' &&
      metric.metricName === 'HealthCheckStatus' &&
      dims.length === 1 &&
      dims[0] === 'HealthCheckId'
    ) {
      const id = metric.dimensions.HealthCheckId;
      if (region !== ROUTE53_HOME_REGION || !this.checks.has(id)) return null;
      return this.checkHealthy(id) ? 1 : 0;
    }
    return undefined;
  }

  /**
   * Every `ALARM_SAMPLE_MS` a sample of each metric an evaluated alarm watches, and every
   * minute an evaluation of each such alarm on those samples, until `stop`. CloudWatch
   * evaluates an alarm of a period of a minute or more once a minute (CloudWatch User Guide,
   * "Using Amazon CloudWatch alarms"); each period's datapoint is the alarm's statistic over
   * the samples in it (Route 53 reports health-check status "at one-minute intervals": Route 53
   * Developer Guide, "Monitoring health checks using CloudWatch").
   */
  private async alarmLoop(): Promise<void> {
    const signal = this.loops.signal;
    const started = this.clock.now();
    this.sampleMetrics();
    for (let tick = 1; !signal.aborted; tick++) {
      await this.sleepInBackground(started + tick * ALARM_SAMPLE_MS - this.clock.now(), signal);
      if (signal.aborted) return;
      this.advance();
      this.sampleMetrics();
      if ((tick * ALARM_SAMPLE_MS) % 60_000 === 0) this.evaluateAlarms();
    }
  }

  private sampleMetrics(): void {
    const now = this.clock.now();
    for (const alarm of this.alarmModels ?? []) {
      if (alarm.notEvaluated) continue;
      for (const q of alarm.queries) {
        const key = metricKey(alarm.view.region, q.metric);
        let samples = this.metricSamples.get(key);
        if (!samples) this.metricSamples.set(key, (samples = []));
        if (samples.at(-1)?.at === now) continue;
        samples.push({ at: now, value: this.metricValue(alarm.view.region, q.metric) ?? null });
        // A day of samples is more than any synthesized alarm looks back.
        if (samples.length > 1 && now - samples[1].at > 86_400_000) samples.splice(1, 1);
      }
    }
  }

  private evaluateAlarms(): void {
    const now = this.clock.now();
    for (const alarm of this.alarmModels ?? []) {
      evaluateAlarm(
        alarm,
        (q) => this.metricSamples.get(metricKey(alarm.view.region, q.metric)) ?? [],
        now,
      );
    }
  }

  /**
   * A scenario's alarm: every synthesized alarm of `region` whose name starts with
   * `namePrefix` goes to `state` and stays there (evaluation leaves it alone).
   */
  setAlarm(region: string, namePrefix: string, state: 'OK' | 'ALARM'): void {
    this.region(region);
    const matching = this.loadAlarms().filter(
      (a) => a.view.region === region && (a.view.AlarmName ?? '').startsWith(namePrefix),
    );
    if (matching.length === 0) {
      throw new Error(
        `no synthesized alarm in ${region} is named ${namePrefix}*: give a prefix of one of ${this.loadAlarms()
          .filter((a) => a.view.region === region)
          .map((a) => a.view.AlarmName)
          .join(', ')}`,
      );
    }
    for (const alarm of matching) {
      alarm.pinned = true;
      alarm.view.StateValue = state;
      alarm.view.StateReason = `simulated: set to ${state} by the scenario`;
      alarm.view.StateUpdatedTimestamp = new Date(this.clock.now());
    }
  }

  /** The synthesized alarms the world lists but does not evaluate (they stay OK), and why. */
  alarmsNotEvaluated(): { readonly region: string; readonly name: string; readonly why: string }[] {
    return (this.alarmModels ?? []).flatMap((a) =>
      a.notEvaluated
        ? [{ region: a.view.region, name: a.view.AlarmName ?? '', why: a.notEvaluated }]
        : [],
    );
  }
}

/** Route 53: healthy when MORE than this share of its checkers report healthy. */
const HEALTHY_CHECKER_SHARE = 0.18;

/** How often the world samples the metrics its alarms watch (a divisor of a minute). */
const ALARM_SAMPLE_MS = 10_000;

function pairKey(a: string, b: string): string {
  return [a, b].sort().join('|');
}

function alreadyExists(name: string): ParameterAlreadyExists {
  return new ParameterAlreadyExists({
    message: `The parameter ${name} already exists.`,
    $metadata: { httpStatusCode: 400 },
  });
}

function notFound(name: string): ParameterNotFound {
  return new ParameterNotFound({
    message: `Parameter ${name} not found.`,
    $metadata: { httpStatusCode: 400 },
  });
}
