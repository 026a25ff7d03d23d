/**
 * What the health function and the construct that deploys it both know: environment variable
 * names, bounds and database names. No aws-cdk-lib import, so the bundled function can use it.
 * Part of the deployment contract (`constructs/contract`), which re-exports it.
 */
import { MANAGED_RPO_SECONDS } from '../contract/names';

/** Every environment variable the health function reads. */
export const HEALTH_ENV = {
  /** Set by Lambda itself; the construct does not set it. */
  region: 'AWS_REGION',
  /** This region's reader endpoint: the serving query and the global status query run there. */
  readerHost: 'DB_READER_HOST',
  /** This region's cluster (writer) endpoint: the heartbeat commits there. */
  clusterHost: 'DB_CLUSTER_HOST',
  port: 'DB_PORT',
  databaseName: 'DB_NAME',
  /** The login role the function connects as with IAM database authentication. */
  user: 'DB_USER',
  drainParameterName: 'DRAIN_PARAMETER_NAME',
  cacheTtlMs: 'CACHE_TTL_MS',
  connectTimeoutMs: 'CONNECT_TIMEOUT_MS',
  queryTimeoutMs: 'QUERY_TIMEOUT_MS',
  heartbeatTimeoutMs: 'HEARTBEAT_TIMEOUT_MS',
  drainTimeoutMs: 'DRAIN_TIMEOUT_MS',
  /** The recovery point objective, whole seconds: SecondariesWithinRpo counts against it. */
  rpoSeconds: 'RPO_SECONDS',
  metricNamespace: 'METRIC_NAMESPACE',
  /** Read by Node.js at start-up; the function checks it is set so TLS can verify the server. */
  extraCaCerts: 'NODE_EXTRA_CA_CERTS',
} as const;

/**
 * The Amazon CA bundle of the Lambda Node.js runtime, RDS included (Lambda Developer Guide,
 * "Building Lambda functions with Node.js", CA certificate loading: from Node.js 20 Lambda no
 * longer loads it unless NODE_EXTRA_CA_CERTS names /var/runtime/ca-cert.pem).
 */
export const LAMBDA_CA_BUNDLE = '/var/runtime/ca-cert.pem';

/** The login role of the health function (granted rds_iam; never the master user). */
export const HEALTH_DB_USER = 'health_check';

/** The table the writer check commits its heartbeat to, one row per region. */
export const HEARTBEAT_TABLE = 'public.health_heartbeat';

/** The database the primary creates (AuroraGlobalPrimary's default databaseName). */
export const DEFAULT_DATABASE_NAME = 'app';

/** A whole number of milliseconds with its accepted range and default. */
export interface MillisBound {
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

/**
 * How long a signal is reused. Below 1 s every checker poll would hit the database and SSM;
 * above 30 s a failover or drain would take too long to show.
 */
export const CACHE_TTL_MS: MillisBound = { min: 1000, max: 30_000, default: 5000 };

/** The timeout of each probe; each has its own, and together they stay in PROBE_BUDGET_MS. */
export const PROBE_TIMEOUTS_MS = {
  /** TCP + TLS + IAM authentication of one connection. */
  connect: { min: 50, max: 1000, default: 300 },
  /** One query: the serving `SELECT 1`, and the global status query. */
  query: { min: 50, max: 1000, default: 200 },
  /** The heartbeat upsert and its commit on the cluster endpoint. */
  heartbeat: { min: 50, max: 1000, default: 300 },
  /** SSM GetParameter of the drain switch. */
  drain: { min: 50, max: 1000, default: 400 },
} as const satisfies Record<string, MillisBound>;

export type ProbeTimeoutsMs = { readonly [K in keyof typeof PROBE_TIMEOUTS_MS]: number };

/**
 * Route 53 counts an HTTPS check as failed unless the endpoint answers within 2 seconds after
 * connecting (Route 53 Developer Guide, "How Amazon Route 53 determines whether a health check is
 * healthy"); 200 ms of those are left to API Gateway, Lambda and the answer itself.
 */
export const PROBE_BUDGET_MS = 1800;

/**
 * The worst case of one refresh if every probe ran one after the other: two connections (reader,
 * cluster), two queries (serving, global status), the heartbeat and the drain read.
 */
export function probeWorstCaseMs(t: ProbeTimeoutsMs): number {
  return 2 * t.connect + 2 * t.query + t.heartbeat + t.drain;
}

/** The problem with a set of timeouts as a whole, or undefined when they fit the budget. */
export function probeBudgetProblem(t: ProbeTimeoutsMs, what: string): string | undefined {
  const total = probeWorstCaseMs(t);
  if (total <= PROBE_BUDGET_MS) return undefined;
  return (
    `${what} must add up to at most ${PROBE_BUDGET_MS} ms (2 x connect + 2 x query + heartbeat + drain; ` +
    `Route 53 waits 2 seconds), got: ${total} ms; shorten one of them`
  );
}

/** The RPO in whole seconds: at least 1, at most what `rds.global_db_rpo` takes. */
export const RPO_SECONDS = { min: 1, max: MANAGED_RPO_SECONDS.max } as const;
