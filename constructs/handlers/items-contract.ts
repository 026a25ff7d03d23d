/**
 * What the items function and the construct that deploys it both know: routes, environment
 * variable names, bounds and database names. No aws-cdk-lib import, so the bundled function
 * can use it. Part of the deployment contract (`constructs/contract`), which re-exports it.
 */
import type { MillisBound } from './health-contract';

/** The item routes (API Gateway route keys take `{id}` as a path parameter). */
export const ITEM_ROUTES = {
  /** Commit one item through the global writer endpoint (header Idempotency-Key). */
  write: { method: 'PUT', path: '/items/{id}' },
  /** Read one item from this region's cluster, with the region and a staleness bound. */
  read: { method: 'GET', path: '/items/{id}' },
} as const;

/** The request header that makes a write idempotent (required on every write). */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** Every environment variable the items function reads. */
export const ITEMS_ENV = {
  /** Set by Lambda itself; the construct does not set it. */
  region: 'AWS_REGION',
  /** Aurora's global writer endpoint: every write commits there, whichever region holds it. */
  writerHost: 'DB_WRITER_HOST',
  /** This region's reader endpoint: reads and the staleness bound come from there. */
  readerHost: 'DB_READER_HOST',
  port: 'DB_PORT',
  databaseName: 'DB_NAME',
  /** The login role the function connects as with IAM database authentication. */
  user: 'DB_USER',
  drainParameterName: 'DRAIN_PARAMETER_NAME',
  /** How long the drain switch is reused (the health function's cache TTL). */
  drainCacheTtlMs: 'DRAIN_CACHE_TTL_MS',
  /** The bound of one write, from connect to COMMIT's answer. */
  commitTimeoutMs: 'COMMIT_TIMEOUT_MS',
  /** The bound of one read, from connect to the row. */
  readTimeoutMs: 'READ_TIMEOUT_MS',
  /** Seconds a refused client is told to wait (Retry-After). */
  retryAfterSeconds: 'RETRY_AFTER_SECONDS',
  /** Read by Node.js at start-up; the function checks it is set so TLS can verify the server. */
  extraCaCerts: 'NODE_EXTRA_CA_CERTS',
} as const;

/** The login role of the items function (granted rds_iam; never the master user). */
export const ITEMS_DB_USER = 'items_api';

/** The items and the idempotency record of every acknowledged write. */
export const ITEMS_TABLE = 'public.items';
export const ITEM_REQUESTS_TABLE = 'public.item_requests';

/** Bounds of the items function's timeouts. */
export const ITEMS_TIMEOUTS_MS = {
  /** Cross-region connect + 4 round trips + COMMIT; within the function's 10 s timeout. */
  commit: { min: 100, max: 8000, default: 2000 },
  read: { min: 100, max: 8000, default: 1000 },
  drain: { min: 50, max: 1000, default: 400 },
} as const satisfies Record<string, MillisBound>;

/** What Retry-After says by default: about one health-check interval. */
export const DEFAULT_RETRY_AFTER_SECONDS = 10;
