// Ports: the narrow interfaces the steps, checks and actions use. No SDK import here: the
// SDK adapters (one file per service beside this one), the simulation and tests implement them.
import type { OperatorIdentity } from '../store';
import type { CallMeter } from './caller';

/** `dry-run` refuses every mutating operation, whatever the caller asks. */
export type RunMode = 'dry-run' | 'execute';

export interface FailoverStateView {
  readonly status: string;
  readonly fromArn?: string;
  readonly toArn?: string;
  readonly dataLossAllowed: boolean;
}

export interface GlobalClusterView {
  readonly identifier: string;
  readonly status: string;
  readonly engineVersion?: string;
  readonly failoverState?: FailoverStateView;
  readonly members: readonly { readonly arn: string; readonly isWriter: boolean }[];
}

export interface ClusterView {
  readonly identifier: string;
  readonly status: string;
  readonly instanceCount: number;
  readonly engineVersion?: string;
}

export interface HealthView {
  /** Most checkers report success. */
  readonly healthy: boolean;
  readonly succeeding: number;
  readonly reporting: number;
}

export interface LagView {
  /** Latest one-minute maximum in milliseconds, or null when nothing was reported. */
  readonly replicationMs: number | null;
  readonly rpoMs: number | null;
  /** When the latest RPO lag datapoint was taken (ms since epoch), or null. */
  readonly rpoAtMs: number | null;
}

export interface RecordView {
  readonly name: string;
  readonly type: string;
  readonly ttl?: number;
  readonly setIdentifier?: string;
  /** Latency records: the region of the endpoint. */
  readonly region?: string;
  readonly healthCheckId?: string;
  readonly alias: boolean;
  readonly values: readonly string[];
}

export interface WatchedMetric {
  readonly namespace?: string;
  readonly metricName?: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface AlarmView {
  readonly name: string;
  readonly region: string;
  readonly reason?: string;
  readonly metrics: readonly WatchedMetric[];
}

export interface SqlTarget {
  readonly region: string;
  readonly clusterArn: string;
  readonly secretArn: string;
  readonly database: string;
}

export type SqlValue = string | number | boolean | null;

/** A DB cluster snapshot, as DescribeDBClusterSnapshots returns it. */
export interface ClusterSnapshotView {
  readonly identifier: string;
  readonly arn: string;
  readonly clusterIdentifier: string;
  /** `creating`, `copying`, `available`, ... */
  readonly status: string;
  readonly snapshotType: string;
  /** When the snapshot was taken (ms since epoch), if reported. */
  readonly createdAt?: number;
  readonly kmsKeyId?: string;
}

/** Aurora members and the global cluster. */
export interface DatabaseApi {
  /** rds:DescribeGlobalClusters. Throws UNKNOWN_GLOBAL_CLUSTER when it does not exist. */
  describeGlobalCluster(region: string, identifier: string): Promise<GlobalClusterView>;
  /** rds:DescribeDBClusters, in the member's own region. */
  describeCluster(region: string, identifier: string): Promise<ClusterView>;
  /** rds:SwitchoverGlobalCluster: planned, no data loss. */
  switchover(region: string, globalClusterIdentifier: string, targetArn: string): Promise<void>;
  /** rds:FailoverGlobalCluster with AllowDataLoss: unplanned. */
  failover(region: string, globalClusterIdentifier: string, targetArn: string): Promise<void>;
  /**
   * rds:DescribeDBClusterParameters (Source user): the RPO a cluster parameter group enforces
   * (`rds.global_db_rpo`, seconds), or null when it is not set.
   */
  managedRpo(region: string, parameterGroupName: string): Promise<number | null>;
  /** rds:ModifyDBClusterParameterGroup: `rds.global_db_rpo` = seconds, applied immediately. */
  setManagedRpo(region: string, parameterGroupName: string, seconds: number): Promise<void>;
  /** rds:ResetDBClusterParameterGroup: `rds.global_db_rpo` back to its default (not enforced). */
  clearManagedRpo(region: string, parameterGroupName: string): Promise<void>;
  /**
   * rds:DescribeDBClusterSnapshots of one cluster (every page; automated and manual), or the one
   * snapshot named `snapshotIdentifier` ([] when there is none).
   */
  clusterSnapshots(
    region: string,
    query: { readonly clusterIdentifier: string } | { readonly snapshotIdentifier: string },
  ): Promise<ClusterSnapshotView[]>;
  /** rds:CopyDBClusterSnapshot in one region, encrypted with `kmsKeyId`. */
  copyClusterSnapshot(
    region: string,
    sourceIdentifier: string,
    targetIdentifier: string,
    kmsKeyId: string | undefined,
  ): Promise<ClusterSnapshotView>;
}

/** One DB instance of a cluster, as DescribeDBInstances returns it. */
export interface InstanceClassView {
  readonly identifier: string;
  readonly instanceClass: string;
  readonly engine: string;
  readonly engineVersion: string;
}

/** What a promotion needs of a region: the instance class offered, and the quotas. */
export interface CapacityApi {
  /** rds:DescribeDBInstances of one cluster's instances (filter db-cluster-id), in its region. */
  clusterInstances(region: string, clusterIdentifier: string): Promise<InstanceClassView[]>;
  /** rds:DescribeOrderableDBInstanceOptions: whether `region` offers the class for the engine version. */
  orderable(
    region: string,
    engine: string,
    engineVersion: string,
    instanceClass: string,
  ): Promise<boolean>;
  /** servicequotas:GetServiceQuota: the applied value of one quota in `region`. */
  quota(region: string, serviceCode: string, quotaCode: string): Promise<number>;
}

/** Canary statements through the RDS Data API. */
export interface SqlApi {
  /** rds-data:ExecuteStatement (+ secretsmanager:GetSecretValue, kms:Decrypt on the secret). */
  execute(
    target: SqlTarget,
    sql: string,
    parameters?: Readonly<Record<string, string | number>>,
  ): Promise<SqlValue[][]>;
}

/** Route 53 data-plane views (health checkers, DNS answers) and record TTLs. */
export interface RoutingApi {
  /** route53:GetHealthCheckStatus */
  healthCheckStatus(healthCheckId: string): Promise<HealthView>;
  /** route53:TestDNSAnswer: the record data Route 53 would answer now. */
  dnsAnswer(hostedZoneId: string, name: string): Promise<string[]>;
  /** route53:ListResourceRecordSets: every record of exactly this name. */
  recordSets(hostedZoneId: string, name: string): Promise<RecordView[]>;
}

export interface MetricsApi {
  /** cloudwatch:GetMetricData: replication and RPO lag of a secondary, in its region. */
  lag(region: string, clusterIdentifier: string, now: Date): Promise<LagView>;
  /** cloudwatch:DescribeAlarms: alarms in ALARM whose names start with the prefix. */
  alarmsInAlarm(region: string, namePrefix: string): Promise<AlarmView[]>;
}

/** The per-region drain switches (SSM parameters the health function reads). */
export interface SwitchApi {
  /** ssm:GetParameter */
  get(region: string, name: string): Promise<string | undefined>;
  /** ssm:PutParameter (Overwrite) */
  put(region: string, name: string, value: 'true' | 'false'): Promise<void>;
}

/**
 * The drill lock parameters (one per region). PutParameter without Overwrite is a conditional
 * create: "Overwrite: Overwrite an existing parameter. The default value is 'false'", and it
 * then fails with ParameterAlreadyExists, "The parameter already exists. You can't create
 * duplicate parameters." (Systems Manager API Reference, PutParameter: Request Parameters, Errors).
 */
export interface LockParameterApi {
  /** ssm:PutParameter, Overwrite=false: true when created, false when it exists already. */
  create(region: string, name: string, value: string): Promise<boolean>;
  /** ssm:GetParameter: undefined when there is none (ParameterNotFound). */
  read(region: string, name: string): Promise<string | undefined>;
  /** ssm:PutParameter, Overwrite=true. */
  overwrite(region: string, name: string, value: string): Promise<void>;
  /** ssm:DeleteParameter: false when there was none (ParameterNotFound). */
  remove(region: string, name: string): Promise<boolean>;
}

export type { OperatorIdentity };

export interface IdentityApi {
  /** sts:GetCallerIdentity, in the home region. */
  caller(): Promise<OperatorIdentity>;
}

/** One DNS answer for a name's A records: the CNAME chain and the addresses, each with its TTL. */
export interface DnsAnswerView {
  /** In chain order: the name asked, then each CNAME's target. */
  readonly cnames: readonly {
    readonly name: string;
    readonly target: string;
    readonly ttlSeconds: number;
  }[];
  readonly addresses: readonly { readonly address: string; readonly ttlSeconds: number }[];
}

/** One HTTPS request of the client canary, sent to a resolved address. */
export interface ClientHttpRequest {
  readonly method: 'PUT' | 'GET';
  /** The public name: URL host, Host header and TLS SNI (the custom domain's certificate). */
  readonly hostname: string;
  /** Where to connect: an address of the canary's cached answer, not a fresh lookup. */
  readonly address: string;
  readonly path: string;
  /** SigV4 (service `execute-api`) is scoped to one region: the region of the answer's target. */
  readonly signingRegion: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
}

export interface ClientHttpResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * What a client of the service has: the operator's DNS resolver and signed HTTPS to the public
 * names. No AWS API: the client canary measures what a user lives, not what AWS reports.
 */
export interface ClientNetworkApi {
  /** One query (type A) to the operator's resolver; throws on timeout, SERVFAIL or NXDOMAIN. */
  resolve(name: string): Promise<DnsAnswerView>;
  /** One signed request; resolves with any HTTP status, throws when no response came. */
  send(request: ClientHttpRequest): Promise<ClientHttpResponse>;
  /** Set when there is no network to reach (tests of adapters): why; steps that need one skip. */
  readonly unavailable?: string;
}

/** One step of an ARC Region switch execution (`StepState`). */
export interface ArcStepView {
  readonly name: string;
  /** notStarted | running | failed | completed | canceled | skipped | pendingApproval */
  readonly status: string;
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly mode?: string;
}

/** A plan execution as GetPlanExecution returns it (times in ms since epoch). */
export interface ArcExecutionView {
  readonly executionId: string;
  /** inProgress | pausedByFailedStep | ... | completed | failed (API Reference, GetPlanExecution). */
  readonly state: string;
  readonly mode?: string;
  readonly action?: string;
  readonly region?: string;
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly steps: readonly ArcStepView[];
}

/** One event of an execution (`ExecutionEvent`). */
export interface ArcEventView {
  readonly eventId: string;
  readonly at?: number;
  readonly type: string;
  readonly stepName?: string;
  readonly blockType?: string;
  readonly resources?: readonly string[];
  readonly error?: string;
  readonly description?: string;
}

/** One ARC-managed Route 53 health check of a plan. */
export interface ArcHealthCheckView {
  readonly region: string;
  readonly recordName: string;
  readonly healthCheckId?: string;
  /** healthy | unhealthy | unknown */
  readonly status: string;
}

/** A plan's last evaluation (GetPlanEvaluationStatus). */
export interface ArcEvaluationView {
  /** passed | actionRequired | pendingEvaluation | unknown */
  readonly state: string;
  readonly lastEvaluatedAt?: number;
  readonly warnings: readonly {
    readonly stepName?: string;
    readonly resourceArn?: string;
    readonly status?: string;
    readonly message: string;
  }[];
}

/** ARC Region switch, every call on the data plane of `region`. */
export interface ArcApi {
  /** arc-region-switch:StartPlanExecution; returns the execution id. */
  startExecution(
    region: string,
    input: {
      readonly planArn: string;
      readonly targetRegion: string;
      readonly action: 'activate';
      readonly mode: 'graceful' | 'ungraceful';
      readonly comment: string;
    },
  ): Promise<string>;
  /** arc-region-switch:GetPlanExecution (every page of step states). */
  execution(region: string, planArn: string, executionId: string): Promise<ArcExecutionView>;
  /** arc-region-switch:ListPlanExecutionEvents (every page). */
  events(region: string, planArn: string, executionId: string): Promise<ArcEventView[]>;
  /** arc-region-switch:ApprovePlanExecutionStep, approval `approve`. */
  approve(
    region: string,
    planArn: string,
    executionId: string,
    stepName: string,
    comment: string,
  ): Promise<void>;
  /** arc-region-switch:UpdatePlanExecution `switchToUngraceful`. */
  switchToUngraceful(
    region: string,
    planArn: string,
    executionId: string,
    comment: string,
  ): Promise<void>;
  /** arc-region-switch:ListRoute53HealthChecksInRegion (every page). */
  healthChecks(region: string, planArn: string): Promise<ArcHealthCheckView[]>;
  /** arc-region-switch:GetPlanEvaluationStatus (warnings of every page). */
  evaluation(region: string, planArn: string): Promise<ArcEvaluationView>;
}

/** Everything the drill can do in AWS. Steps depend on this, never on SDK clients. */
/** One FIS experiment as the game day reads it. */
export interface ExperimentView {
  readonly id: string;
  readonly templateId?: string;
  readonly status: string;
  /** FIS's reason for the state (why it failed or stopped: a stop condition names its alarm). */
  readonly reason?: string;
  readonly startTime?: number;
  readonly endTime?: number;
}

/** FIS experiments (the game day), in the template's region. */
export interface ExperimentApi {
  start(
    region: string,
    templateId: string,
    clientToken: string,
    tags: Readonly<Record<string, string>>,
  ): Promise<ExperimentView>;
  get(region: string, id: string): Promise<ExperimentView>;
  stop(region: string, id: string): Promise<ExperimentView>;
}

export interface DrillAws {
  /** FIS experiments (drill game-day). */
  readonly experiments: ExperimentApi;
  readonly database: DatabaseApi;
  readonly capacity: CapacityApi;
  readonly sql: SqlApi;
  readonly routing: RoutingApi;
  readonly metrics: MetricsApi;
  readonly switches: SwitchApi;
  readonly locks: LockParameterApi;
  readonly identity: IdentityApi;
  /** ARC Region switch (`--engine arc`, the ARC health-check preflight, plan evaluation). */
  readonly arc: ArcApi;
  /** Not AWS's API: what a client reaches (DNS and the items routes), for the client canary. */
  readonly client: ClientNetworkApi;
  readonly meter: CallMeter;
}

/** Lower case, no trailing dot: how names are compared everywhere. */
export function normalizeHostname(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}
