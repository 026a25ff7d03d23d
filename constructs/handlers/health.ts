/**
 * Deep health endpoint of one region (Lambda behind an API Gateway HTTP API, payload 2.0), read
 * from the data plane only: SQL on the local Aurora cluster and the SSM drain switch. No RDS
 * control-plane call.
 *
 * - serving: `SELECT 1` succeeds on this region's reader endpoint and the region is not drained.
 * - writer: serving, and the global database reports its writer instance in this region, and a
 *   heartbeat upsert commits on this region's cluster endpoint within its timeout (a commit
 *   that managed RPO blocks fails the check).
 *
 * Route 53 health checkers poll every 10 s from many locations and want an answer within 2 s,
 * so every signal is cached for CACHE_TTL_MS (failures too), concurrent requests share one
 * refresh, and every probe has its own timeout (see health-contract.ts for the budget).
 */
import {
  GetParameterCommand,
  type GetParameterCommandOutput,
  SSMClient,
} from '@aws-sdk/client-ssm';
import {
  type SqlConnection,
  type SqlDriver,
  type SqlTarget,
  TimeoutError,
  errorText,
  withTimeout,
} from './pg-connection';
import { pgDriver as sharedPgDriver } from './pg-driver';
import {
  FunctionConfigError,
  type HttpResponse,
  envReader,
  json,
  lazyHandler,
} from './lambda-http';
import {
  CACHE_TTL_MS,
  HEALTH_ENV,
  HEALTH_ROUTES,
  HEARTBEAT_TABLE,
  LAMBDA_CA_BUNDLE,
  type MillisBound,
  PROBE_TIMEOUTS_MS,
  type ProbeTimeoutsMs,
  RPO_SECONDS,
  SERVICE_METRIC_DIMENSION,
  SERVICE_METRIC_NAMESPACE,
  SERVICE_METRICS,
  probeBudgetProblem,
} from '../contract';

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

export interface HealthConfig {
  readonly region: string;
  readonly readerHost: string;
  readonly clusterHost: string;
  readonly port: number;
  readonly databaseName: string;
  readonly user: string;
  readonly drainParameterName: string;
  readonly cacheTtlMs: number;
  readonly timeouts: ProbeTimeoutsMs;
  readonly rpoSeconds: number;
  readonly metricNamespace: string;
}

/** Every configuration problem at once, so one redeploy fixes them all. */
export class ConfigError extends FunctionConfigError {
  constructor(problems: readonly string[]) {
    super('ConfigError', 'health check', problems);
  }
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
// PostgreSQL identifiers as the construct writes them: lower case, unquoted.
const IDENTIFIER_PATTERN = /^[a-z_][a-z0-9_$]{0,62}$/;
// CloudWatch namespaces: ASCII alphanumerics and . - _ / # : space; 'AWS/' is reserved.
const NAMESPACE_PATTERN = /^[A-Za-z0-9 ._/#:-]{1,255}$/;

export function readConfig(env: NodeJS.ProcessEnv): HealthConfig {
  const E = HEALTH_ENV;
  const { problems, value, required } = envReader(env);
  const checked = (name: string, v: string, ok: boolean, rule: string): void => {
    if (v !== '' && !ok) problems.push(`${name} must be ${rule}, got: '${v}'`);
  };
  const wholeNumber = (name: string, v: string, min: number, max: number, what: string) => {
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    checked(name, v, n >= min && n <= max, `${what} from ${min} to ${max}`);
    return n >= min && n <= max ? n : NaN;
  };
  // Optional milliseconds fall back to their default when unset.
  const millis = (name: string, bound: MillisBound): number => {
    const v = value(name);
    if (v === undefined) return bound.default;
    const n = wholeNumber(name, v, bound.min, bound.max, 'milliseconds');
    return Number.isNaN(n) ? bound.default : n;
  };
  const host = (name: string, what: string): string => {
    const v = required(name, what);
    checked(name, v, !/\s/.test(v), 'a host name without spaces');
    return v;
  };
  const identifier = (name: string, what: string): string => {
    const v = required(name, what);
    checked(
      name,
      v,
      IDENTIFIER_PATTERN.test(v),
      'a PostgreSQL name of lower-case letters, digits and _ (at most 63)',
    );
    return v;
  };

  const region = required(E.region, 'the region this function runs in (Lambda sets it)');
  checked(E.region, region, REGION_PATTERN.test(region), 'an AWS region name like us-east-1');
  const readerHost = host(E.readerHost, "this region's Aurora reader endpoint host name");
  const clusterHost = host(E.clusterHost, "this region's Aurora cluster endpoint host name");
  const rawPort = required(E.port, "this region's Aurora cluster port (5432 for PostgreSQL)");
  const port = rawPort === '' ? NaN : wholeNumber(E.port, rawPort, 1, 65535, 'a port number');
  const databaseName = identifier(E.databaseName, 'the database to connect to');
  const user = identifier(E.user, 'the login role granted rds_iam that the function connects as');

  const drainParameterName = required(
    E.drainParameterName,
    "the name of this region's SSM drain parameter (value 'true' or 'false')",
  );
  checked(
    E.drainParameterName,
    drainParameterName,
    !/\s/.test(drainParameterName),
    'an SSM parameter name without spaces',
  );

  const rawRpo = required(E.rpoSeconds, "the recovery point objective in seconds (topology's rpo)");
  const rpoSeconds =
    rawRpo === ''
      ? NaN
      : wholeNumber(E.rpoSeconds, rawRpo, RPO_SECONDS.min, RPO_SECONDS.max, 'whole seconds');

  // Node.js reads this variable at start-up; without it TLS cannot verify the RDS certificate.
  required(
    E.extraCaCerts,
    `${LAMBDA_CA_BUNDLE} (the Lambda runtime's Amazon CA bundle) so TLS can verify the database certificate`,
  );

  const cacheTtlMs = millis(E.cacheTtlMs, CACHE_TTL_MS);
  const timeouts: ProbeTimeoutsMs = {
    connect: millis(E.connectTimeoutMs, PROBE_TIMEOUTS_MS.connect),
    query: millis(E.queryTimeoutMs, PROBE_TIMEOUTS_MS.query),
    heartbeat: millis(E.heartbeatTimeoutMs, PROBE_TIMEOUTS_MS.heartbeat),
    drain: millis(E.drainTimeoutMs, PROBE_TIMEOUTS_MS.drain),
  };
  const budget = probeBudgetProblem(
    timeouts,
    `${E.connectTimeoutMs}, ${E.queryTimeoutMs}, ${E.heartbeatTimeoutMs} and ${E.drainTimeoutMs}`,
  );
  if (budget) problems.push(budget);

  const metricNamespace = value(E.metricNamespace) ?? SERVICE_METRIC_NAMESPACE;
  checked(
    E.metricNamespace,
    metricNamespace,
    NAMESPACE_PATTERN.test(metricNamespace) && !metricNamespace.startsWith('AWS/'),
    "a CloudWatch namespace (letters, digits, space and . - _ / # :, not starting with 'AWS/')",
  );

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    region,
    readerHost,
    clusterHost,
    port,
    databaseName,
    user,
    drainParameterName,
    cacheTtlMs,
    timeouts,
    rpoSeconds,
    metricNamespace,
  };
}

// ---------------------------------------------------------------------------------------------
// The database driver the function depends on (pg in Lambda, a fake in tests)
// ---------------------------------------------------------------------------------------------

export type { SqlConnection, SqlDriver, SqlTarget } from './pg-connection';
export { errorText } from './pg-connection';

// ---------------------------------------------------------------------------------------------
// Signals
// ---------------------------------------------------------------------------------------------

export interface ProbeResult {
  readonly ok: boolean;
  readonly latencyMs?: number;
  readonly error?: string;
}

export type DrainState = 'on' | 'off' | 'unknown';

interface DrainSignal {
  readonly state: DrainState;
  readonly error?: string;
}

/** One member cluster of the global database as `aurora_global_db_status()` reports it. */
export interface GlobalMember {
  readonly region: string;
  /** -1 for the writer's cluster (Aurora's marker); null when Aurora has no figure yet. */
  readonly rpoLagMs: number | null;
}

export interface GlobalStatus {
  /** Region of the instance holding the writer session; undefined when none is reported. */
  readonly writerRegion?: string;
  readonly members: readonly GlobalMember[];
  readonly error?: string;
}

interface DatabaseSignal {
  readonly serving: ProbeResult;
  /** Undefined when the serving query failed first. */
  readonly global?: GlobalStatus;
  /** Undefined when this region does not hold the writer (no heartbeat is attempted). */
  readonly heartbeat?: ProbeResult;
}

/** The only SDK call made; the real client satisfies it, and so do test doubles. */
export interface HealthDeps {
  readonly ssm: {
    send(
      command: GetParameterCommand,
      options?: { abortSignal?: AbortSignal },
    ): Promise<GetParameterCommandOutput>;
  };
  readonly sql: SqlDriver;
  /** Epoch milliseconds; drives cache expiry, checkedAt and metric timestamps. */
  now(): number;
  /** Receives one EMF JSON line per refresh. */
  log(line: string): void;
}

export type { HttpResponse } from './lambda-http';

export interface HealthBody {
  readonly region: string;
  readonly serving: boolean;
  /** This region's cluster holds the global writer (regardless of serving and heartbeat). */
  readonly writer: boolean;
  readonly drained: DrainState;
  readonly database: ProbeResult & { readonly endpoint: string };
  readonly globalDatabase: {
    readonly writerRegion?: string;
    /** Secondaries whose RPO lag is under rpoSeconds; undefined when the status is unknown. */
    readonly secondariesWithinRpo?: number;
    readonly rpoSeconds: number;
    readonly members?: readonly GlobalMember[];
    readonly error?: string;
  };
  /** The heartbeat commit; absent unless this region holds the writer. */
  readonly heartbeat?: ProbeResult & { readonly endpoint: string };
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

/**
 * One reusable connection to one endpoint: kept across invocations of a warm container, and
 * destroyed after any timeout or error so the next refresh connects afresh.
 */
function connectionSlot(driver: SqlDriver, target: SqlTarget, connectTimeoutMs: number) {
  let current: SqlConnection | undefined;
  const where = `${target.host}:${target.port}`;
  const drop = (): void => {
    current?.destroy();
    current = undefined;
  };
  return {
    where,
    drop,
    /** Runs one statement; the error message says which step failed and why. */
    async run(
      step: string,
      text: string,
      values: readonly unknown[],
      timeoutMs: number,
    ): Promise<Record<string, unknown>[]> {
      if (current && !current.isOpen()) drop();
      if (!current) {
        try {
          current = await withTimeout(driver.connect(target), connectTimeoutMs, (late) =>
            late.destroy(),
          );
        } catch (err) {
          throw new ProbeError(
            err instanceof TimeoutError
              ? `cannot connect to ${where}: connect timed out after ${err.ms} ms`
              : `cannot connect to ${where}: ${errorText(err)}`,
          );
        }
      }
      try {
        return (await withTimeout(current.query(text, values), timeoutMs)).rows;
      } catch (err) {
        drop();
        throw new ProbeError(
          err instanceof TimeoutError
            ? `${step} on ${where} did not finish within ${err.ms} ms`
            : `${step} on ${where} failed: ${errorText(err)}`,
        );
      }
    },
  };
}

class ProbeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeError';
  }
}

/** Serving probe: a real query, not just a TCP connect. */
export const SERVING_SQL = 'SELECT 1 AS ok';

/**
 * Who holds the writer and how far each secondary is behind, from any instance of the global
 * database (Aurora User Guide, Aurora PostgreSQL functions reference: aurora_global_db_status
 * and aurora_global_db_instance_status, Usage notes: "You can run this function from any
 * instance"; columns: session_id 'MASTER_SESSION_ID' marks the writer instance, aws_region,
 * rpo_lag_in_msec with -1 for the primary cluster). The User Guide's
 * aurora-global-database-monitoring page ("Monitoring Aurora PostgreSQL-based global
 * databases") describes the same two functions for watching lag.
 */
export const GLOBAL_STATUS_SQL =
  'SELECT ' +
  "(SELECT aws_region FROM aurora_global_db_instance_status() WHERE session_id = 'MASTER_SESSION_ID' LIMIT 1) AS writer_region, " +
  "(SELECT coalesce(json_agg(json_build_object('region', aws_region, 'rpoLagMs', rpo_lag_in_msec)), '[]'::json) " +
  'FROM aurora_global_db_status()) AS members';

/** One commit on the writer; one row per region, so regions never contend. */
export const HEARTBEAT_SQL =
  `INSERT INTO ${HEARTBEAT_TABLE} (region, beat_at) VALUES ($1, now()) ` +
  'ON CONFLICT (region) DO UPDATE SET beat_at = excluded.beat_at';

/** Secondaries (not the writer's cluster, -1) whose RPO lag is under the RPO. */
export function secondariesWithinRpo(members: readonly GlobalMember[], rpoSeconds: number): number {
  return members.filter(
    (m) => m.rpoLagMs !== null && m.rpoLagMs >= 0 && m.rpoLagMs < rpoSeconds * 1000,
  ).length;
}

function parseMembers(raw: unknown): GlobalMember[] {
  const list = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  if (!Array.isArray(list)) return [];
  return list.map((m: { region?: unknown; rpoLagMs?: unknown }) => ({
    region: String(m.region),
    rpoLagMs: m.rpoLagMs === null || m.rpoLagMs === undefined ? null : Number(m.rpoLagMs),
  }));
}

export function createHealthService(config: HealthConfig, deps: HealthDeps): HealthService {
  const { timeouts } = config;
  const target = (host: string): SqlTarget => ({
    host,
    port: config.port,
    database: config.databaseName,
    user: config.user,
  });
  // Reader endpoint for the serving and status queries: with no replica Aurora connects it to
  // the writer (Aurora User Guide, "Reader endpoints for Amazon Aurora").
  const reader = connectionSlot(deps.sql, target(config.readerHost), timeouts.connect);
  const cluster = connectionSlot(deps.sql, target(config.clusterHost), timeouts.connect);

  const timed = async (probe: () => Promise<unknown>): Promise<ProbeResult> => {
    const started = performance.now();
    try {
      await probe();
      return { ok: true, latencyMs: Math.round(performance.now() - started) };
    } catch (err) {
      return { ok: false, error: err instanceof ProbeError ? err.message : errorText(err) };
    }
  };

  // One chain, one reader connection: the probes run one after the other (a connection runs
  // one statement at a time), each within its own timeout.
  const database = cachedSignal(config.cacheTtlMs, deps.now, async (): Promise<DatabaseSignal> => {
    const serving = await timed(() => reader.run('SELECT 1', SERVING_SQL, [], timeouts.query));
    if (!serving.ok) return { serving };

    let global: GlobalStatus;
    try {
      const [row] = await reader.run(
        'the global status query',
        GLOBAL_STATUS_SQL,
        [],
        timeouts.query,
      );
      const writerRegion = row?.writer_region;
      global = {
        writerRegion: typeof writerRegion === 'string' ? writerRegion : undefined,
        members: parseMembers(row?.members),
      };
    } catch (err) {
      global = { members: [], error: err instanceof ProbeError ? err.message : errorText(err) };
    }
    if (global.writerRegion !== config.region) {
      // A connection from when this region held the writer may now sit on a reader.
      cluster.drop();
      return { serving, global };
    }

    const heartbeat = await timed(() =>
      cluster.run('the heartbeat commit', HEARTBEAT_SQL, [config.region], timeouts.heartbeat),
    );
    return { serving, global, heartbeat };
  });

  // Anything but an explicit 'false' keeps the region out of rotation (fail closed).
  const drain = cachedSignal(config.cacheTtlMs, deps.now, async (): Promise<DrainSignal> => {
    const name = config.drainParameterName;
    const abort = new AbortController();
    try {
      const out = await withTimeout(
        deps.ssm.send(new GetParameterCommand({ Name: name }), { abortSignal: abort.signal }),
        timeouts.drain,
      );
      const raw = out.Parameter?.Value;
      const normalized = raw?.trim().toLowerCase();
      if (normalized === 'true') return { state: 'on' };
      if (normalized === 'false') return { state: 'off' };
      return {
        state: 'unknown',
        error: `SSM parameter ${name} must be 'true' or 'false', got: '${raw ?? ''}'`,
      };
    } catch (err) {
      if (err instanceof TimeoutError) {
        abort.abort();
        return {
          state: 'unknown',
          error: `SSM GetParameter ${name} did not answer within ${err.ms} ms`,
        };
      }
      return { state: 'unknown', error: `SSM GetParameter ${name} failed: ${errorText(err)}` };
    }
  });

  function servingReasons(db: DatabaseSignal, dr: DrainSignal): string[] {
    const reasons: string[] = [];
    if (!db.serving.ok) {
      reasons.push(`database is not serving: ${db.serving.error ?? 'unknown error'}`);
    }
    if (dr.state === 'on') {
      reasons.push(`region is drained: SSM parameter ${config.drainParameterName} is 'true'`);
    } else if (dr.state === 'unknown') {
      reasons.push(`drain state is unknown, failing closed: ${dr.error ?? 'unknown error'}`);
    }
    return reasons;
  }

  function writerReasons(db: DatabaseSignal): string[] {
    const g = db.global;
    // The serving reason already says why nothing more was asked.
    if (!g) return [];
    if (g.error !== undefined) {
      return [`cannot tell whether this region holds the writer: ${g.error}`];
    }
    if (g.writerRegion === undefined) {
      return ['not the writer: the global database reports no writer instance'];
    }
    if (g.writerRegion !== config.region) {
      return [`not the writer: the global database's writer is in ${g.writerRegion}`];
    }
    if (db.heartbeat && !db.heartbeat.ok) {
      return [`holds the writer but cannot commit: ${db.heartbeat.error ?? 'unknown error'}`];
    }
    return [];
  }

  const holdsWriter = (db: DatabaseSignal): boolean =>
    db.global !== undefined &&
    db.global.error === undefined &&
    db.global.writerRegion === config.region;

  const withinRpo = (db: DatabaseSignal): number | undefined =>
    db.global && db.global.error === undefined
      ? secondariesWithinRpo(db.global.members, config.rpoSeconds)
      : undefined;

  function emitMetrics(serving: boolean, db: DatabaseSignal, dr: DrainSignal): void {
    const M = SERVICE_METRICS;
    deps.log(
      JSON.stringify({
        _aws: {
          Timestamp: deps.now(),
          CloudWatchMetrics: [
            {
              Namespace: config.metricNamespace,
              Dimensions: [[SERVICE_METRIC_DIMENSION]],
              Metrics: [
                { Name: M.isWriter, Unit: 'None' },
                { Name: M.serving, Unit: 'None' },
                { Name: M.drained, Unit: 'None' },
                { Name: M.secondariesWithinRpo, Unit: 'Count' },
              ],
            },
          ],
        },
        [SERVICE_METRIC_DIMENSION]: config.region,
        [M.isWriter]: holdsWriter(db) ? 1 : 0,
        [M.serving]: serving ? 1 : 0,
        // 'unknown' is a fault, not an operator's drain; it shows as Serving 0.
        [M.drained]: dr.state === 'on' ? 1 : 0,
        // Every region reports on every refresh; an unreadable status counts no secondary.
        [M.secondariesWithinRpo]: withinRpo(db) ?? 0,
      }),
    );
  }

  return {
    async handle(path: string): Promise<HttpResponse> {
      // Tolerate a trailing slash; Route 53 paths are typed by hand.
      const route = path.length > 1 ? path.replace(/\/+$/, '') : path;
      const writerRoute = route === HEALTH_ROUTES.writer;
      if (!writerRoute && route !== HEALTH_ROUTES.serving && route !== HEALTH_ROUTES.servingAlias) {
        return json(404, { error: 'not found', path });
      }

      const [db, dr] = await Promise.all([database(), drain()]);
      const notServing = servingReasons(db.value, dr.value);
      const serving = notServing.length === 0;
      if (db.refreshed || dr.refreshed) emitMetrics(serving, db.value, dr.value);

      const reasons = writerRoute ? [...notServing, ...writerReasons(db.value)] : notServing;
      const g = db.value.global;
      const body: HealthBody = {
        region: config.region,
        serving,
        writer: holdsWriter(db.value),
        drained: dr.value.state,
        database: { endpoint: reader.where, ...db.value.serving },
        globalDatabase: {
          writerRegion: g?.writerRegion,
          secondariesWithinRpo: withinRpo(db.value),
          rpoSeconds: config.rpoSeconds,
          members: g?.members,
          error: g?.error,
        },
        heartbeat: db.value.heartbeat && { endpoint: cluster.where, ...db.value.heartbeat },
        reasons,
        checkedAt: new Date(Math.min(db.fetchedAt, dr.fetchedAt)).toISOString(),
        cacheTtlMs: config.cacheTtlMs,
      };
      return json(reasons.length === 0 ? 200 : 503, body);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Real dependencies and the Lambda entry point
// ---------------------------------------------------------------------------------------------

/** The shared pg driver with the health function's name and timeouts. */
export function pgDriver(region: string, timeouts: ProbeTimeoutsMs): SqlDriver {
  return sharedPgDriver(region, {
    applicationName: 'health-check',
    connectTimeoutMs: timeouts.connect,
    statementTimeoutMs: Math.max(timeouts.query, timeouts.heartbeat),
  });
}

/** The subset of the HTTP API payload 2.0 event this handler reads. */
export interface HttpApiEvent {
  readonly rawPath?: string;
  readonly requestContext?: { readonly http?: { readonly path?: string } };
}

export function realDeps(config: HealthConfig): HealthDeps {
  return {
    ssm: new SSMClient({
      region: config.region,
      // No retry: a slow answer is as bad as none for Route 53.
      maxAttempts: 1,
      requestHandler: { requestTimeout: config.timeouts.drain, throwOnRequestTimeout: true },
    }),
    sql: pgDriver(config.region, config.timeouts),
    now: Date.now,
    // Raw stdout, so CloudWatch sees the EMF line whatever the function's log format.
    log: (line) => void process.stdout.write(`${line}\n`),
  };
}

/**
 * A Lambda handler with its own service: built on the first request of a container, never at
 * module load, and kept (with its connections) across invocations. A bad configuration is
 * re-read on each request (cheap) so it shows in every answer until fixed.
 */
export function createHandler(
  makeDeps: (config: HealthConfig) => HealthDeps = realDeps,
  env: NodeJS.ProcessEnv = process.env,
): (event: HttpApiEvent) => Promise<HttpResponse> {
  return lazyHandler({
    build: () => {
      const config = readConfig(env);
      return createHealthService(config, makeDeps(config));
    },
    handle: (service, event: HttpApiEvent) =>
      service.handle(event.rawPath ?? event.requestContext?.http?.path ?? ''),
    configError: ConfigError,
    failure: 'health check failed',
  });
}

export const handler = createHandler();
