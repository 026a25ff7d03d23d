/**
 * Deep health endpoint of one region (Lambda behind an API Gateway HTTP API, payload 2.0).
 *
 * Route 53 health checkers poll every 10 s from many locations and want an answer within 2 s,
 * so every signal is cached for CACHE_TTL_MS (failures too) and concurrent requests share one
 * refresh: the RDS and SSM control planes see at most one call per signal per TTL per container.
 */
import { createConnection } from 'node:net';
import {
  DescribeGlobalClustersCommand,
  type DescribeGlobalClustersCommandOutput,
  RDSClient,
} from '@aws-sdk/client-rds';
import {
  GetParameterCommand,
  type GetParameterCommandOutput,
  SSMClient,
} from '@aws-sdk/client-ssm';

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

export interface HealthConfig {
  readonly region: string;
  readonly globalClusterIdentifier: string;
  readonly clusterArn: string;
  readonly dbHost: string;
  readonly dbPort: number;
  readonly drainParameterName: string;
  readonly cacheTtlMs: number;
  readonly probeTimeoutMs: number;
  readonly metricNamespace: string;
}

/** Every configuration problem at once, so one redeploy fixes them all. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`health check configuration is invalid: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_CACHE_TTL_MS = 5000;
export const DEFAULT_PROBE_TIMEOUT_MS = 500;
export const DEFAULT_METRIC_NAMESPACE = 'MultiRegion/Service';

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const CLUSTER_ARN_PATTERN =
  /^arn:aws[a-z-]*:rds:([a-z0-9-]+):\d{12}:cluster:[A-Za-z][A-Za-z0-9-]*$/;
// CloudWatch namespaces: ASCII alphanumerics and . - _ / # : space; 'AWS/' is reserved.
const NAMESPACE_PATTERN = /^[A-Za-z0-9 ._/#:-]{1,255}$/;

export function readConfig(env: NodeJS.ProcessEnv): HealthConfig {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === '' ? undefined : raw;
  };
  const required = (name: string, what: string): string => {
    const v = value(name);
    if (v === undefined) problems.push(`${name} is not set: set it to ${what}`);
    return v ?? '';
  };
  const checked = (name: string, v: string, ok: boolean, rule: string): void => {
    if (v !== '' && !ok) problems.push(`${name} must be ${rule}, got: '${v}'`);
  };
  // Optional integers fall back to their default when unset; bounds keep us inside Route 53's 2 s.
  const integer = (name: string, fallback: number, min: number, max: number, what: string) => {
    const v = value(name);
    if (v === undefined) return fallback;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!(n >= min && n <= max)) {
      problems.push(`${name} must be ${what} from ${min} to ${max}, got: '${v}'`);
      return fallback;
    }
    return n;
  };

  const region = required('AWS_REGION', 'the region this function runs in (Lambda sets it)');
  checked('AWS_REGION', region, REGION_PATTERN.test(region), 'an AWS region name like us-east-1');

  const globalClusterIdentifier = required(
    'GLOBAL_CLUSTER_IDENTIFIER',
    'the identifier of the Aurora global cluster',
  );
  checked(
    'GLOBAL_CLUSTER_IDENTIFIER',
    globalClusterIdentifier,
    !/\s/.test(globalClusterIdentifier),
    'an Aurora global cluster identifier without spaces',
  );

  const clusterArn = required(
    'CLUSTER_ARN',
    "the ARN of this region's Aurora cluster (arn:aws:rds:<region>:<account>:cluster:<name>)",
  );
  const arnRegion = CLUSTER_ARN_PATTERN.exec(clusterArn)?.[1];
  checked(
    'CLUSTER_ARN',
    clusterArn,
    arnRegion !== undefined,
    'an Aurora cluster ARN (arn:aws:rds:<region>:<account>:cluster:<name>)',
  );
  // A cluster from another region would make this copy report the wrong writer.
  if (arnRegion !== undefined && REGION_PATTERN.test(region) && arnRegion !== region) {
    problems.push(
      `CLUSTER_ARN must name a cluster in this region (${region}), got: '${clusterArn}'`,
    );
  }

  const dbHost = required('DB_HOST', "this region's Aurora cluster reader endpoint host name");
  checked('DB_HOST', dbHost, !/\s/.test(dbHost), 'a host name without spaces');

  const rawPort = required('DB_PORT', "this region's Aurora cluster port (5432 for PostgreSQL)");
  const dbPort = /^\d+$/.test(rawPort) ? Number(rawPort) : NaN;
  checked('DB_PORT', rawPort, dbPort >= 1 && dbPort <= 65535, 'a port number from 1 to 65535');

  const drainParameterName = required(
    'DRAIN_PARAMETER_NAME',
    "the name of this region's SSM drain parameter (value 'true' or 'false')",
  );
  checked(
    'DRAIN_PARAMETER_NAME',
    drainParameterName,
    !/\s/.test(drainParameterName),
    'an SSM parameter name without spaces',
  );

  // Below 1 s every health checker poll would hit the control planes; above 60 s a failover
  // or drain would take too long to show.
  const cacheTtlMs = integer('CACHE_TTL_MS', DEFAULT_CACHE_TTL_MS, 1000, 60000, 'milliseconds');
  const probeTimeoutMs = integer(
    'PROBE_TIMEOUT_MS',
    DEFAULT_PROBE_TIMEOUT_MS,
    50,
    1500,
    'milliseconds',
  );

  const metricNamespace = value('METRIC_NAMESPACE') ?? DEFAULT_METRIC_NAMESPACE;
  checked(
    'METRIC_NAMESPACE',
    metricNamespace,
    NAMESPACE_PATTERN.test(metricNamespace) && !metricNamespace.startsWith('AWS/'),
    "a CloudWatch namespace (letters, digits, space and . - _ / # :, not starting with 'AWS/')",
  );

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    region,
    globalClusterIdentifier,
    clusterArn,
    dbHost,
    dbPort,
    drainParameterName,
    cacheTtlMs,
    probeTimeoutMs,
    metricNamespace,
  };
}

// ---------------------------------------------------------------------------------------------
// Signals
// ---------------------------------------------------------------------------------------------

export interface ProbeResult {
  readonly reachable: boolean;
  readonly latencyMs?: number;
  readonly error?: string;
}

export type DrainState = 'on' | 'off' | 'unknown';

interface DrainSignal {
  readonly state: DrainState;
  readonly error?: string;
}

interface WriterSignal {
  /** This region's cluster is the global cluster's writer member. */
  readonly writer: boolean;
  readonly writerClusterArn?: string;
  readonly failoverStatus?: string;
  readonly error?: string;
}

/** The only SDK calls made; real clients satisfy these, and so do test doubles. */
export interface HealthDeps {
  readonly rds: {
    send(command: DescribeGlobalClustersCommand): Promise<DescribeGlobalClustersCommandOutput>;
  };
  readonly ssm: { send(command: GetParameterCommand): Promise<GetParameterCommandOutput> };
  probe(host: string, port: number, timeoutMs: number): Promise<ProbeResult>;
  /** Epoch milliseconds; drives cache expiry, checkedAt and metric timestamps. */
  now(): number;
  /** Receives one EMF JSON line per refresh. */
  log(line: string): void;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface HealthBody {
  readonly region: string;
  readonly serving: boolean;
  /** This region's cluster is the global writer (regardless of serving). */
  readonly writer: boolean;
  readonly drained: DrainState;
  readonly database: ProbeResult;
  readonly globalCluster: {
    readonly identifier: string;
    readonly writerClusterArn?: string;
    readonly failoverStatus?: string;
    readonly error?: string;
  };
  /** Why this route is not healthy; empty when it is. */
  readonly reasons: string[];
  /** When the oldest signal in this answer was fetched. */
  readonly checkedAt: string;
  readonly cacheTtlMs: number;
}

export interface HealthService {
  handle(path: string): Promise<HttpResponse>;
}

interface Fetched<T> {
  readonly value: T;
  readonly fetchedAt: number;
  /** True only for the caller that started the refresh, so a refresh is reported once. */
  readonly refreshed: boolean;
}

/** One value, fetched at most once per TTL; callers during a refresh share its promise. */
function cachedSignal<T>(ttlMs: number, now: () => number, fetch: () => Promise<T>) {
  let current: { value: T; fetchedAt: number } | undefined;
  let inFlight: Promise<{ value: T; fetchedAt: number }> | undefined;
  return async (): Promise<Fetched<T>> => {
    if (current && now() - current.fetchedAt < ttlMs) return { ...current, refreshed: false };
    if (inFlight) return { ...(await inFlight), refreshed: false };
    inFlight = fetch().then((value) => (current = { value, fetchedAt: now() }));
    try {
      return { ...(await inFlight), refreshed: true };
    } finally {
      inFlight = undefined;
    }
  };
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    return err.message && err.message !== err.name ? `${err.name}: ${err.message}` : err.name;
  }
  return String(err);
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

function json(statusCode: number, body: unknown): HttpResponse {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

export function createHealthService(config: HealthConfig, deps: HealthDeps): HealthService {
  const database = cachedSignal(config.cacheTtlMs, deps.now, async (): Promise<ProbeResult> => {
    try {
      return await deps.probe(config.dbHost, config.dbPort, config.probeTimeoutMs);
    } catch (err) {
      return { reachable: false, error: errorText(err) };
    }
  });

  // Anything but an explicit 'false' keeps the region out of rotation (fail closed).
  const drain = cachedSignal(config.cacheTtlMs, deps.now, async (): Promise<DrainSignal> => {
    const name = config.drainParameterName;
    try {
      const out = await deps.ssm.send(new GetParameterCommand({ Name: name }));
      const raw = out.Parameter?.Value;
      const normalized = raw?.trim().toLowerCase();
      if (normalized === 'true') return { state: 'on' };
      if (normalized === 'false') return { state: 'off' };
      return {
        state: 'unknown',
        error: `SSM parameter ${name} must be 'true' or 'false', got: '${raw ?? ''}'`,
      };
    } catch (err) {
      return { state: 'unknown', error: `SSM GetParameter ${name} failed: ${errorText(err)}` };
    }
  });

  const writer = cachedSignal(config.cacheTtlMs, deps.now, async (): Promise<WriterSignal> => {
    const id = config.globalClusterIdentifier;
    try {
      const out = await deps.rds.send(
        new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: id }),
      );
      const cluster = out.GlobalClusters?.find((c) => c.GlobalClusterIdentifier === id);
      if (!cluster) return { writer: false, error: `global cluster ${id} not found` };
      const writerArn = cluster.GlobalClusterMembers?.find((m) => m.IsWriter)?.DBClusterArn;
      return {
        writer: writerArn !== undefined && writerArn === config.clusterArn,
        writerClusterArn: writerArn,
        failoverStatus: cluster.FailoverState?.Status,
      };
    } catch (err) {
      return { writer: false, error: `RDS DescribeGlobalClusters ${id} failed: ${errorText(err)}` };
    }
  });

  function servingReasons(db: ProbeResult, dr: DrainSignal): string[] {
    const reasons: string[] = [];
    if (!db.reachable) {
      reasons.push(
        `database ${config.dbHost}:${config.dbPort} is not reachable: ${db.error ?? 'unknown error'}`,
      );
    }
    if (dr.state === 'on') {
      reasons.push(`region is drained: SSM parameter ${config.drainParameterName} is 'true'`);
    } else if (dr.state === 'unknown') {
      reasons.push(`drain state is unknown, failing closed: ${dr.error ?? 'unknown error'}`);
    }
    return reasons;
  }

  function writerReasons(w: WriterSignal): string[] {
    if (w.writer) return [];
    const id = config.globalClusterIdentifier;
    if (w.error !== undefined) return [`cannot tell whether this region is the writer: ${w.error}`];
    if (w.writerClusterArn === undefined) {
      return [`not the writer: global cluster ${id} reports no writer member`];
    }
    return [
      `not the writer: global cluster ${id} writer is ${w.writerClusterArn}, ` +
        `this region's cluster is ${config.clusterArn}`,
    ];
  }

  function emitMetrics(serving: boolean, w: WriterSignal, dr: DrainSignal): void {
    deps.log(
      JSON.stringify({
        _aws: {
          Timestamp: deps.now(),
          CloudWatchMetrics: [
            {
              Namespace: config.metricNamespace,
              Dimensions: [['Region']],
              Metrics: [
                { Name: 'IsWriter', Unit: 'None' },
                { Name: 'Serving', Unit: 'None' },
                { Name: 'Drained', Unit: 'None' },
              ],
            },
          ],
        },
        Region: config.region,
        IsWriter: w.writer ? 1 : 0,
        Serving: serving ? 1 : 0,
        // 'unknown' is a fault, not an operator's drain; it shows as Serving 0.
        Drained: dr.state === 'on' ? 1 : 0,
      }),
    );
  }

  return {
    async handle(path: string): Promise<HttpResponse> {
      // Tolerate a trailing slash; Route 53 paths are typed by hand.
      const route = path.length > 1 ? path.replace(/\/+$/, '') : path;
      const writerRoute = route === '/health/writer';
      if (!writerRoute && route !== '/health' && route !== '/health/serving') {
        return json(404, { error: 'not found', path });
      }

      const [db, dr, w] = await Promise.all([database(), drain(), writer()]);
      const notServing = servingReasons(db.value, dr.value);
      const serving = notServing.length === 0;
      if (db.refreshed || dr.refreshed || w.refreshed) emitMetrics(serving, w.value, dr.value);

      const reasons = writerRoute ? [...notServing, ...writerReasons(w.value)] : notServing;
      const body: HealthBody = {
        region: config.region,
        serving,
        writer: w.value.writer,
        drained: dr.value.state,
        database: db.value,
        globalCluster: {
          identifier: config.globalClusterIdentifier,
          writerClusterArn: w.value.writerClusterArn,
          failoverStatus: w.value.failoverStatus,
          error: w.value.error,
        },
        reasons,
        checkedAt: new Date(Math.min(db.fetchedAt, dr.fetchedAt, w.fetchedAt)).toISOString(),
        cacheTtlMs: config.cacheTtlMs,
      };
      return json(reasons.length === 0 ? 200 : 503, body);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Real dependencies and the Lambda entry point
// ---------------------------------------------------------------------------------------------

/** TCP connect to host:port; resolves (never rejects) within timeoutMs, DNS lookup included. */
export async function tcpProbe(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<ProbeResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    // The socket's own `timeout` option is an idle timeout, not a connect deadline.
    const timer = setTimeout(
      () => finish({ reachable: false, error: `connect timed out after ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('connect', () =>
      finish({ reachable: true, latencyMs: Math.round(performance.now() - started) }),
    );
    // Stay subscribed so a late error on a destroyed socket is never an unhandled 'error' event.
    socket.on('error', (err) => finish({ reachable: false, error: errorText(err) }));
  });
}

/** The subset of the HTTP API payload 2.0 event this handler reads. */
export interface HttpApiEvent {
  readonly rawPath?: string;
  readonly requestContext?: { readonly http?: { readonly path?: string } };
}

function realDeps(config: HealthConfig): HealthDeps {
  const clientConfig = {
    region: config.region,
    // One retry at most: a slow answer is as bad as none for Route 53.
    maxAttempts: 2,
    // Without throwOnRequestTimeout the SDK only warns when requestTimeout passes.
    requestHandler: { connectionTimeout: 300, requestTimeout: 1000, throwOnRequestTimeout: true },
  };
  return {
    rds: new RDSClient(clientConfig),
    ssm: new SSMClient(clientConfig),
    probe: tcpProbe,
    now: Date.now,
    // Raw stdout, so CloudWatch sees the EMF line whatever the function's log format.
    log: (line) => void process.stdout.write(`${line}\n`),
  };
}

// Built on the first request of a container, never at module load; a bad configuration is
// re-read on each request (cheap) so it shows up in every answer until fixed.
let service: HealthService | undefined;

export const handler = async (event: HttpApiEvent): Promise<HttpResponse> => {
  const path = event.rawPath ?? event.requestContext?.http?.path ?? '';
  try {
    if (!service) {
      const config = readConfig(process.env);
      service = createHealthService(config, realDeps(config));
    }
    return await service.handle(path);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return json(500, { error: err.message, problems: err.problems });
    }
    console.error('health check failed', err);
    return json(500, { error: 'internal error' });
  }
};
