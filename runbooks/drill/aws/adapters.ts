import { performance } from 'node:perf_hooks';
import {
  GetMetricDataCommand,
  paginateDescribeAlarms,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  ModifyDBClusterParameterGroupCommand,
  paginateDescribeDBClusterParameters,
  ResetDBClusterParameterGroupCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { MANAGED_RPO_PARAMETER } from '../../../constructs/managed-rpo-policy';
import { ExecuteStatementCommand, type Field, type SqlParameter } from '@aws-sdk/client-rds-data';
import {
  GetHealthCheckStatusCommand,
  ListResourceRecordSetsCommand,
  TestDNSAnswerCommand,
} from '@aws-sdk/client-route-53';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  PutParameterCommand,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DrillError } from '../errors';
import type { OperatorIdentity } from '../store';
import type { AwsClients } from './clients';
import { toDrillError } from './errors';
import { AWS_OPERATIONS, type AwsOperation } from './operations';

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

/** Everything the drill can do in AWS. Steps depend on this, never on SDK clients. */
export interface DrillAws {
  readonly database: DatabaseApi;
  readonly sql: SqlApi;
  readonly routing: RoutingApi;
  readonly metrics: MetricsApi;
  readonly switches: SwitchApi;
  readonly locks: LockParameterApi;
  readonly identity: IdentityApi;
  readonly meter: CallMeter;
}

/** Wall time during which at least one AWS call was in flight (overlaps counted once). */
export class CallMeter {
  calls = 0;
  busyMs = 0;
  private inFlight = 0;
  private busySince = 0;

  begin(): void {
    this.calls++;
    if (this.inFlight++ === 0) this.busySince = performance.now();
  }

  end(): void {
    if (--this.inFlight === 0) this.busyMs += performance.now() - this.busySince;
  }
}

/** The only path to AWS: counts, times and classifies every call, and enforces dry run. */
export class AwsCaller {
  constructor(
    readonly mode: RunMode,
    readonly meter: CallMeter = new CallMeter(),
  ) {}

  async call<T>(operation: AwsOperation, region: string, send: () => Promise<T>): Promise<T> {
    if (operation.mutating && this.mode === 'dry-run') {
      throw new DrillError(
        'INTERNAL',
        `dry run tried to call ${operation.service} ${operation.operation} in ${region}; nothing was sent`,
      );
    }
    this.meter.begin();
    try {
      return await send();
    } catch (err) {
      throw toDrillError(err, operation, region);
    } finally {
      this.meter.end();
    }
  }
}

const LAG_WINDOW_MS = 5 * 60_000;

/** The adapters, built on SDK v3 clients. Route 53 and STS calls go to `homeRegion`. */
export function sdkAdapters(clients: AwsClients, caller: AwsCaller, homeRegion: string): DrillAws {
  const ops = AWS_OPERATIONS;
  const database: DatabaseApi = {
    async describeGlobalCluster(region, identifier) {
      const out = await caller.call(ops.describeGlobalClusters, region, () =>
        clients
          .rds(region)
          .send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: identifier })),
      );
      const found = out.GlobalClusters?.find(
        (g) => g.GlobalClusterIdentifier?.toLowerCase() === identifier.toLowerCase(),
      );
      if (!found) {
        throw new DrillError(
          'UNKNOWN_GLOBAL_CLUSTER',
          `rds DescribeGlobalClusters in ${region} did not return global cluster ${identifier}`,
          { hint: 'Check the account, --profile and --global-cluster' },
        );
      }
      const failover = found.FailoverState;
      return {
        identifier: found.GlobalClusterIdentifier ?? identifier,
        status: found.Status ?? 'unknown',
        engineVersion: found.EngineVersion,
        failoverState: failover?.Status
          ? {
              status: failover.Status,
              fromArn: failover.FromDbClusterArn,
              toArn: failover.ToDbClusterArn,
              dataLossAllowed: failover.IsDataLossAllowed ?? false,
            }
          : undefined,
        members: (found.GlobalClusterMembers ?? []).map((m) => ({
          arn: m.DBClusterArn ?? '',
          isWriter: m.IsWriter ?? false,
        })),
      };
    },
    async describeCluster(region, identifier) {
      const out = await caller.call(ops.describeDbClusters, region, () =>
        clients
          .rds(region)
          .send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier })),
      );
      const cluster = out.DBClusters?.[0];
      if (!cluster) {
        throw new DrillError('UNEXPECTED_STATE', `cluster ${identifier} not found in ${region}`);
      }
      return {
        identifier,
        status: cluster.Status ?? 'unknown',
        instanceCount: cluster.DBClusterMembers?.length ?? 0,
        engineVersion: cluster.EngineVersion,
      };
    },
    async switchover(region, globalClusterIdentifier, targetArn) {
      await caller.call(ops.switchoverGlobalCluster, region, () =>
        clients.rds(region).send(
          new SwitchoverGlobalClusterCommand({
            GlobalClusterIdentifier: globalClusterIdentifier,
            TargetDbClusterIdentifier: targetArn,
          }),
        ),
      );
    },
    async failover(region, globalClusterIdentifier, targetArn) {
      await caller.call(ops.failoverGlobalCluster, region, () =>
        clients.rds(region).send(
          new FailoverGlobalClusterCommand({
            GlobalClusterIdentifier: globalClusterIdentifier,
            TargetDbClusterIdentifier: targetArn,
            AllowDataLoss: true,
          }),
        ),
      );
    },
    managedRpo: (region, parameterGroupName) =>
      caller.call(ops.describeClusterParameters, region, async () => {
        // "Viewing the recovery point objective": a set RPO is a `user` parameter; unset, the
        // engine reports -1 (Aurora User Guide, aurora-global-database-disaster-recovery).
        const pages = paginateDescribeDBClusterParameters(
          { client: clients.rds(region) },
          { DBClusterParameterGroupName: parameterGroupName, Source: 'user' },
        );
        for await (const page of pages) {
          const found = page.Parameters?.find((p) => p.ParameterName === MANAGED_RPO_PARAMETER);
          if (found) {
            const seconds = Number(found.ParameterValue);
            return found.ParameterValue !== undefined && seconds > 0 ? seconds : null;
          }
        }
        return null;
      }),
    async setManagedRpo(region, parameterGroupName, seconds) {
      // rds.global_db_rpo is dynamic ("ApplyType": "dynamic" in "Viewing the recovery point
      // objective"): ApplyMethod immediate applies it without a reboot.
      await caller.call(ops.setManagedRpo, region, () =>
        clients.rds(region).send(
          new ModifyDBClusterParameterGroupCommand({
            DBClusterParameterGroupName: parameterGroupName,
            Parameters: [
              {
                ParameterName: MANAGED_RPO_PARAMETER,
                ParameterValue: String(seconds),
                ApplyMethod: 'immediate',
              },
            ],
          }),
        ),
      );
    },
    async clearManagedRpo(region, parameterGroupName) {
      // "To disable the RPO, reset the rds.global_db_rpo parameter" (Disabling the recovery
      // point objective): ModifyDBClusterParameterGroup cannot, its values start at 20.
      await caller.call(ops.clearManagedRpo, region, () =>
        clients.rds(region).send(
          new ResetDBClusterParameterGroupCommand({
            DBClusterParameterGroupName: parameterGroupName,
            Parameters: [{ ParameterName: MANAGED_RPO_PARAMETER, ApplyMethod: 'immediate' }],
          }),
        ),
      );
    },
  };

  const sql: SqlApi = {
    async execute(target, statement, parameters = {}) {
      const out = await caller.call(ops.executeStatement, target.region, () =>
        clients.rdsData(target.region).send(
          new ExecuteStatementCommand({
            resourceArn: target.clusterArn,
            secretArn: target.secretArn,
            database: target.database,
            sql: statement,
            parameters: Object.entries(parameters).map(([name, value]) =>
              sqlParameter(name, value),
            ),
          }),
        ),
      );
      return (out.records ?? []).map((row) => row.map(fieldValue));
    },
  };

  const routing: RoutingApi = {
    async healthCheckStatus(healthCheckId) {
      const out = await caller.call(ops.getHealthCheckStatus, homeRegion, () =>
        clients
          .route53(homeRegion)
          .send(new GetHealthCheckStatusCommand({ HealthCheckId: healthCheckId })),
      );
      const observations = out.HealthCheckObservations ?? [];
      const succeeding = observations.filter((o) =>
        o.StatusReport?.Status?.startsWith('Success'),
      ).length;
      return {
        healthy: succeeding * 2 > observations.length,
        succeeding,
        reporting: observations.length,
      };
    },
    async dnsAnswer(hostedZoneId, name) {
      const out = await caller.call(ops.testDnsAnswer, homeRegion, () =>
        clients.route53(homeRegion).send(
          new TestDNSAnswerCommand({
            HostedZoneId: hostedZoneId,
            RecordName: name,
            RecordType: 'CNAME',
          }),
        ),
      );
      return (out.RecordData ?? []).map(normalizeHostname);
    },
    async recordSets(hostedZoneId, name) {
      const wanted = normalizeHostname(name);
      const out = await caller.call(ops.listResourceRecordSets, homeRegion, () =>
        clients.route53(homeRegion).send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: hostedZoneId,
            StartRecordName: wanted,
            MaxItems: 50,
          }),
        ),
      );
      return (out.ResourceRecordSets ?? [])
        .filter((r) => normalizeHostname(r.Name ?? '') === wanted)
        .map((r) => ({
          name: wanted,
          type: r.Type ?? 'unknown',
          ttl: r.TTL,
          setIdentifier: r.SetIdentifier,
          region: r.Region,
          healthCheckId: r.HealthCheckId,
          alias: r.AliasTarget !== undefined,
          values: (r.ResourceRecords ?? []).map((v) => normalizeHostname(v.Value ?? '')),
        }));
    },
  };

  const metrics: MetricsApi = {
    async lag(region, clusterIdentifier, now) {
      const query = (id: string, metricName: string) => ({
        Id: id,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/RDS',
            MetricName: metricName,
            Dimensions: [{ Name: 'DBClusterIdentifier', Value: clusterIdentifier }],
          },
          Period: 60,
          Stat: 'Maximum',
        },
      });
      const out = await caller.call(ops.getMetricData, region, () =>
        clients.cloudwatch(region).send(
          new GetMetricDataCommand({
            StartTime: new Date(now.getTime() - LAG_WINDOW_MS),
            EndTime: now,
            ScanBy: 'TimestampDescending',
            MetricDataQueries: [
              query('replication', 'AuroraGlobalDBReplicationLag'),
              query('rpo', 'AuroraGlobalDBRPOLag'),
            ],
          }),
        ),
      );
      const latest = (id: string) =>
        out.MetricDataResults?.find((r) => r.Id === id)?.Values?.[0] ?? null;
      const rpoAt = out.MetricDataResults?.find((r) => r.Id === 'rpo')?.Timestamps?.[0];
      return {
        replicationMs: latest('replication'),
        rpoMs: latest('rpo'),
        rpoAtMs: rpoAt ? new Date(rpoAt).getTime() : null,
      };
    },
    async alarmsInAlarm(region, namePrefix) {
      return caller.call(ops.describeAlarms, region, async () => {
        const alarms: AlarmView[] = [];
        const pages = paginateDescribeAlarms(
          { client: clients.cloudwatch(region) },
          {
            StateValue: 'ALARM',
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            ...(namePrefix ? { AlarmNamePrefix: namePrefix } : {}),
          },
        );
        for await (const page of pages) {
          for (const alarm of page.MetricAlarms ?? []) {
            alarms.push({
              name: alarm.AlarmName ?? '',
              region,
              reason: alarm.StateReason,
              metrics: watchedMetrics(alarm),
            });
          }
          for (const alarm of page.CompositeAlarms ?? []) {
            alarms.push({
              name: alarm.AlarmName ?? '',
              region,
              reason: alarm.StateReason,
              metrics: [],
            });
          }
        }
        return alarms;
      });
    },
  };

  const switches: SwitchApi = {
    async get(region, name) {
      const out = await caller.call(ops.getParameter, region, () =>
        clients.ssm(region).send(new GetParameterCommand({ Name: name })),
      );
      return out.Parameter?.Value;
    },
    async put(region, name, value) {
      await caller.call(ops.putParameter, region, () =>
        clients
          .ssm(region)
          .send(
            new PutParameterCommand({ Name: name, Value: value, Overwrite: true, Type: 'String' }),
          ),
      );
    },
  };

  const errorName = (err: unknown) => (err as { name?: string } | undefined)?.name;
  const locks: LockParameterApi = {
    create: (region, name, value) =>
      caller.call(ops.createLock, region, async () => {
        try {
          await clients
            .ssm(region)
            .send(new PutParameterCommand({ Name: name, Value: value, Type: 'String' }));
          return true;
        } catch (err) {
          if (errorName(err) === 'ParameterAlreadyExists') return false;
          throw err;
        }
      }),
    read: (region, name) =>
      caller.call(ops.readLock, region, async () => {
        try {
          return (await clients.ssm(region).send(new GetParameterCommand({ Name: name }))).Parameter
            ?.Value;
        } catch (err) {
          if (errorName(err) === 'ParameterNotFound') return undefined;
          throw err;
        }
      }),
    async overwrite(region, name, value) {
      await caller.call(ops.writeLock, region, () =>
        clients
          .ssm(region)
          .send(new PutParameterCommand({ Name: name, Value: value, Overwrite: true })),
      );
    },
    remove: (region, name) =>
      caller.call(ops.deleteLock, region, async () => {
        try {
          await clients.ssm(region).send(new DeleteParameterCommand({ Name: name }));
          return true;
        } catch (err) {
          // DeleteParameter: "ParameterNotFound: The parameter couldn't be found" (API Reference, Errors).
          if (errorName(err) === 'ParameterNotFound') return false;
          throw err;
        }
      }),
  };

  const identity: IdentityApi = {
    async caller() {
      const out = await caller.call(ops.getCallerIdentity, homeRegion, () =>
        clients.sts(homeRegion).send(new GetCallerIdentityCommand({})),
      );
      return { arn: out.Arn ?? '', account: out.Account ?? '', userId: out.UserId ?? '' };
    },
  };

  return { database, sql, routing, metrics, switches, locks, identity, meter: caller.meter };
}

/** Lower case, no trailing dot: how names are compared everywhere. */
export function normalizeHostname(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

function sqlParameter(name: string, value: string | number): SqlParameter {
  return { name, value: typeof value === 'number' ? { longValue: value } : { stringValue: value } };
}

function fieldValue(field: Field): SqlValue {
  if (field.isNull) return null;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.stringValue !== undefined) return field.stringValue;
  return null;
}

function watchedMetrics(alarm: MetricAlarm): WatchedMetric[] {
  const dimensions = (list: { Name?: string; Value?: string }[] | undefined) =>
    Object.fromEntries((list ?? []).map((d) => [d.Name ?? '', d.Value ?? '']));
  if (alarm.MetricName) {
    return [
      {
        namespace: alarm.Namespace,
        metricName: alarm.MetricName,
        dimensions: dimensions(alarm.Dimensions),
      },
    ];
  }
  return (alarm.Metrics ?? []).flatMap((m) =>
    m.MetricStat?.Metric
      ? [
          {
            namespace: m.MetricStat.Metric.Namespace,
            metricName: m.MetricStat.Metric.MetricName,
            dimensions: dimensions(m.MetricStat.Metric.Dimensions),
          },
        ]
      : [],
  );
}
