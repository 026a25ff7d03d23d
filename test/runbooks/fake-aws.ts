// A stateful fake of the AWS side of a drill (global cluster, members, health checks, DNS,
// drain switches, lag metrics, alarms, the canary table), served through aws-sdk-client-mock
// to the SDK's own clients. Time is virtual: the switchover progresses as the clock moves.
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type DescribeAlarmsCommandInput,
  type GetMetricDataCommandInput,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import {
  DBClusterNotFoundFault,
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  GlobalClusterNotFoundFault,
  InvalidGlobalClusterStateFault,
  RDSClient,
  RDSServiceException,
  SwitchoverGlobalClusterCommand,
  type DescribeDBClustersCommandInput,
  type DescribeGlobalClustersCommandInput,
  type FailoverGlobalClusterCommandInput,
  type GlobalCluster,
  type SwitchoverGlobalClusterCommandInput,
} from '@aws-sdk/client-rds';
import {
  BadRequestException,
  ExecuteStatementCommand,
  RDSDataClient,
  type ExecuteStatementCommandInput,
} from '@aws-sdk/client-rds-data';
import {
  GetHealthCheckStatusCommand,
  ListResourceRecordSetsCommand,
  NoSuchHealthCheck,
  Route53Client,
  TestDNSAnswerCommand,
  type GetHealthCheckStatusCommandInput,
  type ListResourceRecordSetsCommandInput,
  type TestDNSAnswerCommandInput,
} from '@aws-sdk/client-route-53';
import {
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
  type GetParameterCommandInput,
  type PutParameterCommandInput,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { CANARY_SQL } from '../../runbooks/drill/canary';
import type { Clock } from '../../runbooks/drill/clock';

export const START_TIME = Date.parse('2025-03-01T10:00:00Z');
export const ACCOUNT = '123456789012';
export const GLOBAL_ID = 'multi-region-ref-global';
export const ZONE_ID = 'Z0000000000EXAMPLE';
export const APP = 'app.example.com';
export const WRITE = 'write.example.com';

export const clusterId = (region: string) => `${GLOBAL_ID}-${region}`;
export const clusterArn = (region: string) =>
  `arn:aws:rds:${region}:${ACCOUNT}:cluster:${clusterId(region)}`;
export const regionalHostname = (region: string) => `${region}.app.example.com`;
export const drainName = () => '/multi-region-ref/drain';
export const checkId = (region: string, kind: 'serving' | 'writer') => `hc-${kind}-${region}`;

/**
 * Discrete-event virtual time: `sleep` queues a waiter; when nothing else is runnable
 * (after the microtask queue drains) the earliest waiter wakes and time jumps to it.
 */
export class VirtualClock implements Clock {
  private current: number;
  private readonly sleepers: { wakeAt: number; order: number; resolve: () => void }[] = [];
  private order = 0;
  private scheduled = false;
  private stopped = false;

  constructor(start = START_TIME) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return; // a "killed" process never wakes
      this.sleepers.push({ wakeAt: this.current + Math.max(0, ms), order: this.order++, resolve });
      this.schedule();
    });
  }

  /** Simulates the process dying: nothing sleeping on this clock ever wakes. */
  stop(): void {
    this.stopped = true;
    this.sleepers.length = 0;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped || this.sleepers.length === 0) return;
      this.sleepers.sort((a, b) => a.wakeAt - b.wakeAt || a.order - b.order);
      const next = this.sleepers.shift()!;
      this.current = Math.max(this.current, next.wakeAt);
      next.resolve();
      if (this.sleepers.length > 0) this.schedule();
    });
  }
}

/** One region of the fake. */
export interface FakeRegion {
  readonly region: string;
  role: 'primary' | 'secondary';
  status: string;
  instances: number;
  engineVersion: string;
  drain: string;
  /** Lag metrics this secondary reports (ms); null: no datapoints. */
  rpoLagMs: number | null;
  replicationLagMs: number | null;
}

type FaultError = Error | 'hang';

interface Fault {
  readonly operation: string;
  readonly region?: string;
  remaining: number;
  readonly error: FaultError;
  /** Armed only once this operation has been served. */
  readonly after?: string;
}

interface CanaryRow {
  readonly drillId: string;
  readonly seq: number;
  readonly at: number;
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
  networkTimeout: () =>
    Object.assign(new Error('connect ETIMEDOUT 52.94.0.1:443'), {
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
      $metadata: { attempts: 5 },
    }),
  /** IAM's denial, as long as the real one: it names the caller, the action and the resource. */
  accessDenied: (action: string, resource: string) =>
    new RDSServiceException({
      name: 'AccessDenied',
      message:
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/DrillOperatorRole/sre-session is not authorized to perform: ` +
        `${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
      $fault: 'client',
      $metadata: { httpStatusCode: 403, attempts: 1 },
    }),
  noCredentials: () =>
    Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    }),
};

export class FakeWorld {
  clock: Clock;
  readonly regions = new Map<string, FakeRegion>();
  writer: string;
  globalId = GLOBAL_ID;
  globalStatus = 'available';
  moving?: { kind: 'switchover' | 'failover'; from: string; to: string; startedAt: number };
  /** How long a promotion takes, and the part before writes stop. */
  promotionMs = 40_000;
  pendingMs = 5_000;
  /** The promotion never completes (STEP_TIMEOUT). */
  promotionStuck = false;
  /** Aurora cancels the promotion half way (UNEXPECTED_STATE). */
  promotionCancels = false;
  /** Rows younger than this are not yet on the secondaries (lost in a failover). */
  dataReplicationDelayMs = 0;
  ttlSeconds = 60;
  /** Health checkers see a drain switch change this long after it is made (cache + detection). */
  healthLagMs = 0;
  private readonly drainChanges = new Map<string, { previous: string; at: number }>();
  readonly forcedUnhealthy = new Set<string>();
  readonly down = new Set<string>();
  readonly alarms: (MetricAlarm & { region: string })[] = [];
  readonly calls: CallRecord[] = [];
  private readonly faultList: Fault[] = [];
  private readonly tables = new Map<string, CanaryRow[]>();
  private killOn?: string;
  private readonly deadClients = new Set<object>();
  private readonly seenClients = new Set<object>();

  constructor(
    regionNames: readonly string[] = ['us-east-1', 'us-west-2'],
    clock: Clock = new VirtualClock(),
  ) {
    this.clock = clock;
    this.writer = regionNames[0];
    regionNames.forEach((region, i) => {
      this.regions.set(region, {
        region,
        role: i === 0 ? 'primary' : 'secondary',
        status: 'available',
        instances: 2,
        engineVersion: '16.6',
        drain: 'false',
        rpoLagMs: 400,
        replicationLagMs: 250,
      });
      this.tables.set(region, []);
    });
  }

  region(name: string): FakeRegion {
    const r = this.regions.get(name);
    if (!r) throw new Error(`fake: no region ${name}`);
    return r;
  }

  /**
   * The next `times` calls of `operation` (optionally only in `region`, optionally only after
   * `after` has been served) fail with `error`.
   */
  fail(
    operation: string,
    error: FaultError,
    options: { region?: string; times?: number; after?: string } = {},
  ): void {
    this.faultList.push({
      operation,
      region: options.region,
      remaining: options.times ?? 1,
      error,
      after: options.after,
    });
  }

  /** Faults armed but not yet consumed. */
  unusedFaults(): number {
    return this.faultList.reduce((n, f) => n + f.remaining, 0);
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
    this.seenClients.add(client);
    const region = await regionOf();
    if (this.deadClients.has(client)) return new Promise<T>(() => undefined);
    this.calls.push({ operation, region, at: this.clock.now(), input });
    const fault = this.faultList.find(
      (f) =>
        f.operation === operation &&
        (!f.region || f.region === region) &&
        f.remaining > 0 &&
        (!f.after || this.calls.some((c) => c.operation === f.after)),
    );
    if (fault) {
      fault.remaining--;
      if (fault.error === 'hang') return new Promise<T>(() => undefined);
      throw fault.error;
    }
    if (this.down.has(region) && !operation.startsWith('route53:')) throw faults.networkTimeout();
    this.advance();
    const result = answer(region);
    if (this.killOn === operation) {
      this.killOn = undefined;
      for (const c of this.seenClients) this.deadClients.add(c);
      return new Promise<T>(() => undefined);
    }
    return result;
  }

  /** Moves the promotion along the virtual clock and replicates canary rows. */
  advance(): void {
    const now = this.clock.now();
    const writerRows = this.tables.get(this.writer)!;
    if (!this.moving || this.moving.kind === 'switchover') {
      for (const [region, rows] of this.tables) {
        if (region === this.writer) continue;
        for (const row of writerRows) {
          if (
            row.at <= now - this.dataReplicationDelayMs &&
            !rows.some((r) => r.drillId === row.drillId && r.seq === row.seq)
          ) {
            rows.push(row);
          }
        }
      }
    }
    if (!this.moving) return;
    const elapsed = now - this.moving.startedAt;
    if (this.promotionCancels && elapsed >= this.pendingMs) {
      this.globalStatus = 'available';
      return; // stays in 'cancelling' (see failoverStatus)
    }
    if (this.promotionStuck || elapsed < this.promotionMs) return;
    const { to, kind } = this.moving;
    if (kind === 'switchover') {
      // Switchover synchronizes every secondary first: nothing is lost.
      this.tables.set(to, [...writerRows]);
    }
    this.writer = to;
    // The old writer rejoins as a secondary with the new writer's data.
    for (const region of this.tables.keys()) {
      if (region !== to) this.tables.set(region, [...this.tables.get(to)!]);
    }
    this.moving = undefined;
    this.globalStatus = 'available';
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
    return (
      this.seenDrain(region) === 'false' &&
      r.status === 'available' &&
      !this.down.has(region) &&
      !this.forcedUnhealthy.has(checkId(region, 'serving'))
    );
  }

  writerHealthy(region: string): boolean {
    return (
      this.serving(region) &&
      this.acceptsWrites(region) &&
      !this.forcedUnhealthy.has(checkId(region, 'writer'))
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
      Engine: 'aurora-postgresql',
      EngineVersion: '16.6',
      FailoverState: this.moving
        ? {
            Status: status as 'pending',
            FromDbClusterArn: clusterArn(this.moving.from),
            ToDbClusterArn: clusterArn(this.moving.to),
            IsDataLossAllowed: this.moving.kind === 'failover',
          }
        : undefined,
      GlobalClusterMembers: [...this.regions.keys()].map((region) => ({
        DBClusterArn: clusterArn(region),
        IsWriter: region === this.writer,
        Readers: [],
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
      (r) => clusterArn(r) === input.TargetDbClusterIdentifier,
    );
    if (!target || target === this.writer || this.moving) {
      throw new InvalidGlobalClusterStateFault({
        message: 'The global cluster is not in a valid state for this operation',
        $metadata: {},
      });
    }
    this.moving = { kind, from: this.writer, to: target, startedAt: this.clock.now() };
    if (kind === 'failover') {
      // An unplanned failover does not wait for replication: unreplicated rows are gone.
      const now = this.clock.now();
      const kept = this.tables
        .get(this.writer)!
        .filter((r) => r.at <= now - this.dataReplicationDelayMs);
      this.tables.set(target, kept);
    }
    return this.globalCluster();
  }

  execute(
    region: string,
    input: ExecuteStatementCommandInput,
  ): { records: { longValue: number }[][] } {
    const clusterRegion = [...this.regions.keys()].find((r) => clusterArn(r) === input.resourceArn);
    if (!clusterRegion || clusterRegion !== region) {
      throw new BadRequestException({
        message: `Cluster ${input.resourceArn} not found in ${region}`,
        $metadata: {},
      });
    }
    if (!input.secretArn?.includes(`:${region}:`)) {
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
    if (!this.acceptsWrites(region)) {
      throw new BadRequestException({
        message: 'ERROR: cannot execute statement in a read-only transaction',
        $metadata: {},
      });
    }
    if (input.sql === CANARY_SQL.createTable) {
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
    throw new BadRequestException({ message: `fake: unexpected SQL ${input.sql}`, $metadata: {} });
  }

  healthCheck(id: string) {
    const [, kind, ...rest] = id.split('-');
    const region = rest.join('-');
    if (!this.regions.has(region) || (kind !== 'serving' && kind !== 'writer')) {
      throw new NoSuchHealthCheck({ message: `No health check with id ${id}`, $metadata: {} });
    }
    const healthy =
      !this.forcedUnhealthy.has(id) &&
      (kind === 'serving' ? this.serving(region) : this.writerHealthy(region));
    return {
      HealthCheckObservations: Array.from({ length: 16 }, (_, i) => ({
        Region: 'us-east-1' as const,
        IPAddress: `15.177.0.${i}`,
        StatusReport: {
          Status: healthy
            ? 'Success: HTTP Status Code 200, OK'
            : 'Failure: HTTP Status Code 503, Service Unavailable',
          CheckedTime: new Date(this.clock.now()),
        },
      })),
    };
  }

  /** Failover records: PRIMARY in the primary region, SECONDARY (or a standby set) elsewhere. */
  dnsAnswer(name: string): string {
    const primary = [...this.regions.values()].find((r) => r.role === 'primary')!.region;
    const secondaries = [...this.regions.values()]
      .filter((r) => r.role === 'secondary')
      .map((r) => r.region);
    const standby = name.startsWith('standby.');
    const base = standby ? name.slice('standby.'.length) : name;
    const healthy =
      base === WRITE ? (r: string) => this.writerHealthy(r) : (r: string) => this.serving(r);
    if (standby) return regionalHostname(secondaries.find(healthy) ?? secondaries[0]);
    if (healthy(primary)) return regionalHostname(primary);
    if (secondaries.length === 1)
      return regionalHostname(healthy(secondaries[0]) ? secondaries[0] : primary);
    return `standby.${base}`;
  }

  recordSets(start: string) {
    const records = [APP, WRITE].flatMap((name) => [
      {
        Name: `${name}.`,
        Type: 'CNAME' as const,
        SetIdentifier: 'primary',
        Failover: 'PRIMARY' as const,
        TTL: this.ttlSeconds,
        ResourceRecords: [{ Value: regionalHostname('us-east-1') }],
      },
      {
        Name: `${name}.`,
        Type: 'CNAME' as const,
        SetIdentifier: 'secondary',
        Failover: 'SECONDARY' as const,
        TTL: this.ttlSeconds,
        ResourceRecords: [{ Value: regionalHostname('us-west-2') }],
      },
    ]);
    // Route 53 lists from the start name on: other names follow and must be ignored.
    return [
      ...records.filter((r) => r.Name === `${start}.`),
      {
        Name: 'zzz.example.com.',
        Type: 'CNAME' as const,
        TTL: 3600,
        ResourceRecords: [{ Value: 'elsewhere.example.net' }],
      },
    ];
  }

  lag(region: string, input: GetMetricDataCommandInput) {
    const r = this.region(region);
    const isWriter = region === this.writer;
    return {
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
        const value =
          q.MetricStat?.Metric?.MetricName === 'AuroraGlobalDBRPOLag'
            ? r.rpoLagMs
            : r.replicationLagMs;
        return {
          Id: q.Id,
          Values: isWriter || value === null ? [] : [value],
          Timestamps: isWriter || value === null ? [] : [new Date(this.clock.now())],
        };
      }),
    };
  }
}

/** Wires a world into mocks of the five SDK clients; the world is looked up on each call. */
export function installFakeAws(mocks: FakeAwsMocks, world: () => FakeWorld): void {
  const regionOf = (getClient: () => { config: { region: unknown } }) => async () => {
    const provider = getClient().config.region;
    return typeof provider === 'function' ? String(await provider()) : String(provider);
  };
  const serve =
    <I, T>(operation: string, fn: (region: string, input: I) => T) =>
    (input: I, getClient: () => { config: { region: unknown } }) =>
      world().serve(operation, getClient(), regionOf(getClient), input as object, (region) =>
        fn(region, input),
      );

  mocks.rds
    .on(DescribeGlobalClustersCommand)
    .callsFake(
      serve('rds:DescribeGlobalClusters', (_region, input: DescribeGlobalClustersCommandInput) => {
        const w = world();
        if (input.GlobalClusterIdentifier !== w.globalId) {
          throw new GlobalClusterNotFoundFault({
            message: `GlobalCluster ${input.GlobalClusterIdentifier} not found.`,
            $metadata: { httpStatusCode: 404 },
          });
        }
        return { GlobalClusters: [w.globalCluster()] };
      }),
    )
    .on(DescribeDBClustersCommand)
    .callsFake(
      serve('rds:DescribeDBClusters', (region, input: DescribeDBClustersCommandInput) => {
        const r = world().regions.get(region);
        if (!r || input.DBClusterIdentifier !== clusterId(region)) {
          throw new DBClusterNotFoundFault({
            message: `DBCluster ${input.DBClusterIdentifier} not found.`,
            $metadata: {},
          });
        }
        return {
          DBClusters: [
            {
              DBClusterIdentifier: clusterId(region),
              DBClusterArn: clusterArn(region),
              Status: r.status,
              EngineVersion: r.engineVersion,
              DBClusterMembers: Array.from({ length: r.instances }, (_, i) => ({
                DBInstanceIdentifier: `${clusterId(region)}-${i}`,
              })),
            },
          ],
        };
      }),
    )
    .on(SwitchoverGlobalClusterCommand)
    .callsFake(
      serve('rds:SwitchoverGlobalCluster', (_r, input: SwitchoverGlobalClusterCommandInput) => ({
        GlobalCluster: world().promote('switchover', input),
      })),
    )
    .on(FailoverGlobalClusterCommand)
    .callsFake(
      serve('rds:FailoverGlobalCluster', (_r, input: FailoverGlobalClusterCommandInput) => {
        if (!input.AllowDataLoss) throw new Error('fake: the drill must always set AllowDataLoss');
        return { GlobalCluster: world().promote('failover', input) };
      }),
    );
  mocks.rdsData
    .on(ExecuteStatementCommand)
    .callsFake(
      serve('rds-data:ExecuteStatement', (region, input: ExecuteStatementCommandInput) =>
        world().execute(region, input),
      ),
    );
  mocks.route53
    .on(GetHealthCheckStatusCommand)
    .callsFake(
      serve('route53:GetHealthCheckStatus', (_r, input: GetHealthCheckStatusCommandInput) =>
        world().healthCheck(input.HealthCheckId ?? ''),
      ),
    )
    .on(TestDNSAnswerCommand)
    .callsFake(
      serve('route53:TestDNSAnswer', (_r, input: TestDNSAnswerCommandInput) => ({
        Nameserver: 'ns-1.awsdns-01.org',
        RecordName: input.RecordName,
        RecordType: input.RecordType,
        RecordData: [`${world().dnsAnswer(input.RecordName ?? '')}.`],
        ResponseCode: 'NOERROR',
        Protocol: 'UDP',
      })),
    )
    .on(ListResourceRecordSetsCommand)
    .callsFake(
      serve('route53:ListResourceRecordSets', (_r, input: ListResourceRecordSetsCommandInput) => ({
        ResourceRecordSets: world().recordSets(input.StartRecordName ?? ''),
        IsTruncated: false,
        MaxItems: input.MaxItems,
      })),
    );
  mocks.cloudwatch
    .on(GetMetricDataCommand)
    .callsFake(
      serve('cloudwatch:GetMetricData', (region, input: GetMetricDataCommandInput) =>
        world().lag(region, input),
      ),
    )
    .on(DescribeAlarmsCommand)
    .callsFake(
      serve('cloudwatch:DescribeAlarms', (region, input: DescribeAlarmsCommandInput) => ({
        MetricAlarms: world().alarms.filter(
          (a) =>
            a.region === region &&
            a.StateValue === input.StateValue &&
            (a.AlarmName ?? '').startsWith(input.AlarmNamePrefix ?? ''),
        ),
        CompositeAlarms: [],
      })),
    );
  mocks.ssm
    .on(GetParameterCommand)
    .callsFake(
      serve('ssm:GetParameter', (region, input: GetParameterCommandInput) => {
        if (input.Name !== drainName())
          throw new ParameterNotFound({
            message: `Parameter ${input.Name} not found`,
            $metadata: {},
          });
        return {
          Parameter: {
            Name: input.Name,
            Value: world().region(region).drain,
            Type: 'String' as const,
          },
        };
      }),
    )
    .on(PutParameterCommand)
    .callsFake(
      serve('ssm:PutParameter', (region, input: PutParameterCommandInput) => {
        if (!input.Overwrite) throw new Error('fake: the drill must overwrite the drain switch');
        world().setDrain(region, input.Value ?? '');
        return { Version: 2 };
      }),
    );
}

export function createMocks() {
  return {
    rds: mockClient(RDSClient),
    rdsData: mockClient(RDSDataClient),
    route53: mockClient(Route53Client),
    cloudwatch: mockClient(CloudWatchClient),
    ssm: mockClient(SSMClient),
  };
}

export type FakeAwsMocks = ReturnType<typeof createMocks>;
