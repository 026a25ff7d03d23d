/**
 * The service's small data API (Lambda behind the API Gateway HTTP API, payload 2.0):
 *
 * - `PUT /items/{id}` commits the JSON body through Aurora's global writer endpoint, which
 *   follows the writer after a managed switchover or failover (Aurora User Guide, "Connecting
 *   to Amazon Aurora Global Database", global writer endpoint). It needs an `Idempotency-Key`;
 *   the same key with the same request returns the first result, with another request 409.
 * - `GET /items/{id}` reads this region's cluster (reader endpoint) and says which region
 *   answered and how stale the read may be.
 *
 * Writes are refused fast with 503 and Retry-After when the region is drained (the SSM drain
 * switch, fail closed; the drill fences a region by setting the same switch, see
 * runbooks/drill/steps/fence.ts), or when the write does not finish within its bound. A write
 * is acknowledged only after COMMIT returned. Stateless: every request carries all it needs;
 * the container keeps only connections and a short-lived drain value. No RDS control plane.
 */
import { GetParameterCommand, type GetParameterCommandOutput } from '@aws-sdk/client-ssm';
import { createHash } from 'node:crypto';
import {
  CACHE_TTL_MS,
  DEFAULT_RETRY_AFTER_SECONDS,
  HEARTBEAT_TABLE,
  IDEMPOTENCY_HEADER,
  ITEM_REQUESTS_TABLE,
  ITEMS_ENV,
  ITEMS_TABLE,
  ITEMS_TIMEOUTS_MS,
  LAMBDA_CA_BUNDLE,
  type MillisBound,
} from '../contract';
import {
  type SqlConnection,
  type SqlDriver,
  type SqlTarget,
  TimeoutError,
  errorText,
  withTimeout,
} from './pg-connection';
import { FunctionConfigError, type HttpResponse, envReader, json } from './lambda-http';

export interface ItemsConfig {
  readonly region: string;
  readonly writerHost: string;
  readonly readerHost: string;
  readonly port: number;
  readonly databaseName: string;
  readonly user: string;
  readonly drainParameterName: string;
  readonly drainCacheTtlMs: number;
  readonly commitTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly retryAfterSeconds: number;
}

/** Every configuration problem at once, so one redeploy fixes them all. */
export class ItemsConfigError extends FunctionConfigError {
  constructor(problems: readonly string[]) {
    super('ItemsConfigError', 'items function', problems);
  }
}

const IDENTIFIER_PATTERN = /^[a-z_][a-z0-9_$]{0,62}$/;

export function readItemsConfig(env: NodeJS.ProcessEnv): ItemsConfig {
  const E = ITEMS_ENV;
  const { problems, value, required } = envReader(env);
  const whole = (name: string, v: string | undefined, bound: MillisBound, unit: string) => {
    if (v === undefined) return bound.default;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (n >= bound.min && n <= bound.max) return n;
    problems.push(`${name} must be ${unit} from ${bound.min} to ${bound.max}, got: '${v}'`);
    return bound.default;
  };
  const region = required(E.region, 'the region this function runs in (Lambda sets it)');
  const writerHost = required(E.writerHost, "Aurora's global writer endpoint host name");
  const readerHost = required(E.readerHost, "this region's Aurora reader endpoint host name");
  const rawPort = required(E.port, 'the Aurora cluster port (5432 for PostgreSQL)');
  const port = whole(E.port, rawPort || undefined, { min: 1, max: 65535, default: 0 }, 'a port');
  const databaseName = required(E.databaseName, 'the database to connect to');
  const user = required(E.user, 'the login role granted rds_iam that the function connects as');
  for (const [name, v] of [
    [E.databaseName, databaseName],
    [E.user, user],
  ]) {
    if (v !== '' && !IDENTIFIER_PATTERN.test(v)) {
      problems.push(
        `${name} must be a PostgreSQL name of lower-case letters, digits and _ (at most 63), got: '${v}'`,
      );
    }
  }
  const drainParameterName = required(
    E.drainParameterName,
    "the name of this region's SSM drain parameter (value 'true' or 'false')",
  );
  required(
    E.extraCaCerts,
    `${LAMBDA_CA_BUNDLE} (the Lambda runtime's Amazon CA bundle) so TLS can verify the database certificate`,
  );
  const config: ItemsConfig = {
    region,
    writerHost,
    readerHost,
    port,
    databaseName,
    user,
    drainParameterName,
    drainCacheTtlMs: whole(
      E.drainCacheTtlMs,
      value(E.drainCacheTtlMs),
      CACHE_TTL_MS,
      'milliseconds',
    ),
    commitTimeoutMs: whole(
      E.commitTimeoutMs,
      value(E.commitTimeoutMs),
      ITEMS_TIMEOUTS_MS.commit,
      'milliseconds',
    ),
    readTimeoutMs: whole(
      E.readTimeoutMs,
      value(E.readTimeoutMs),
      ITEMS_TIMEOUTS_MS.read,
      'milliseconds',
    ),
    drainTimeoutMs: ITEMS_TIMEOUTS_MS.drain.default,
    retryAfterSeconds: whole(
      E.retryAfterSeconds,
      value(E.retryAfterSeconds),
      { min: 1, max: 300, default: DEFAULT_RETRY_AFTER_SECONDS },
      'whole seconds',
    ),
  };
  if (problems.length > 0) throw new ItemsConfigError(problems);
  return config;
}

// ---------------------------------------------------------------------------------------------
// SQL
// ---------------------------------------------------------------------------------------------

/** Claims the idempotency key; no row back means the key was used before. */
export const CLAIM_KEY_SQL =
  `INSERT INTO ${ITEM_REQUESTS_TABLE} (idempotency_key, item_id, request_sha256) VALUES ($1, $2, $3) ` +
  'ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key';

/** The first request under a key, to replay or refuse. */
export const EARLIER_REQUEST_SQL = `SELECT item_id, request_sha256, result FROM ${ITEM_REQUESTS_TABLE} WHERE idempotency_key = $1`;

/** Upserts the item and records it as the key's result, in one statement. */
export const UPSERT_ITEM_SQL =
  `WITH item AS (INSERT INTO ${ITEMS_TABLE} (id, body, updated_at, written_via) ` +
  'VALUES ($2, $3::jsonb, now(), $4) ON CONFLICT (id) DO UPDATE SET body = excluded.body, ' +
  'updated_at = excluded.updated_at, written_via = excluded.written_via ' +
  'RETURNING id, body, updated_at, written_via) ' +
  `UPDATE ${ITEM_REQUESTS_TABLE} r SET result = to_jsonb(item) FROM item ` +
  'WHERE r.idempotency_key = $1 RETURNING r.result';

/**
 * The region holding the writer, as this region's replica of the global database reports it
 * (data plane; the same function the health check reads). The IAM token for the global writer
 * endpoint is signed for that region: SigV4 scopes a signature to one region, and the writer
 * cluster checks it.
 */
export const WRITER_REGION_SQL =
  "SELECT aws_region FROM aurora_global_db_instance_status() WHERE session_id = 'MASTER_SESSION_ID' LIMIT 1";

/**
 * The item and the staleness bound in one statement, so both come from one snapshot of the
 * local cluster: the newest heartbeat the health function committed on the writer (any region)
 * that has replicated here. Everything committed before it is visible, so the read misses at
 * most `now() - beat_at` of writes.
 */
export const READ_ITEM_SQL =
  `SELECT (SELECT to_jsonb(i) FROM ${ITEMS_TABLE} i WHERE i.id = $1) AS item, ` +
  `(SELECT round(extract(epoch FROM now() - max(beat_at)) * 1000) FROM ${HEARTBEAT_TABLE}) AS stale_ms`;

// ---------------------------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------------------------

export interface ItemsDeps {
  readonly ssm: {
    send(
      command: GetParameterCommand,
      options?: { abortSignal?: AbortSignal },
    ): Promise<GetParameterCommandOutput>;
  };
  readonly sql: SqlDriver;
  now(): number;
}

export type { HttpResponse } from './lambda-http';

/** The subset of the HTTP API payload 2.0 event this handler reads. */
export interface ItemsEvent {
  readonly requestContext?: { readonly http?: { readonly method?: string } };
  readonly pathParameters?: Record<string, string | undefined>;
  readonly headers?: Record<string, string | undefined>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

const ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
const KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

class NotCommitted extends Error {}

export function createItemsService(config: ItemsConfig, deps: ItemsDeps) {
  const target = (host: string): SqlTarget => ({
    host,
    port: config.port,
    database: config.databaseName,
    user: config.user,
  });
  const writer = target(config.writerHost);
  const reader = target(config.readerHost);
  // One warm connection per endpoint, dropped after any error or timeout: the next request
  // connects afresh, so after the writer moves the global endpoint's new address is used.
  const pool = new Map<string, SqlConnection>();
  const refuse = (reason: string, extra: Record<string, unknown> = {}): HttpResponse =>
    json(
      503,
      { error: reason, region: config.region, ...extra },
      { 'retry-after': String(config.retryAfterSeconds) },
    );

  let drain: { value: string; at: number } | undefined;
  /** Undefined when writes may go ahead, else why not (fail closed). */
  async function drainRefusal(): Promise<string | undefined> {
    const name = config.drainParameterName;
    if (!drain || deps.now() - drain.at >= config.drainCacheTtlMs) {
      const abort = new AbortController();
      try {
        const out = await withTimeout(
          deps.ssm.send(new GetParameterCommand({ Name: name }), { abortSignal: abort.signal }),
          config.drainTimeoutMs,
        );
        drain = { value: out.Parameter?.Value?.trim().toLowerCase() ?? '', at: deps.now() };
      } catch (err) {
        abort.abort();
        // Not cached: the next request asks again.
        return `drain state is unknown, refusing writes: SSM GetParameter ${name} failed: ${errorText(err)}`;
      }
    }
    if (drain.value === 'false') return undefined;
    if (drain.value === 'true') {
      return `${config.region} is drained or fenced: SSM parameter ${name} is 'true'; write through another region or retry later`;
    }
    return `drain state is unknown, refusing writes: SSM parameter ${name} must be 'true' or 'false', got: '${drain.value}'`;
  }

  /** The warm connection to `to`, or a new one (to where `resolve` says, for the writer). */
  async function connection(
    to: SqlTarget,
    resolve: () => Promise<SqlTarget> = async () => to,
  ): Promise<SqlConnection> {
    const key = `${to.host}:${to.port}`;
    const current = pool.get(key);
    if (current?.isOpen()) return current;
    current?.destroy();
    pool.delete(key);
    const opened = await deps.sql.connect(await resolve());
    pool.set(key, opened);
    return opened;
  }
  const drop = (to: SqlTarget): void => {
    const key = `${to.host}:${to.port}`;
    pool.get(key)?.destroy();
    pool.delete(key);
  };

  async function write(id: string, event: ItemsEvent): Promise<HttpResponse> {
    const key = header(event, IDEMPOTENCY_HEADER);
    if (key === undefined || !KEY_PATTERN.test(key)) {
      return json(400, {
        error: `header Idempotency-Key is required: 1 to 128 visible ASCII characters, got: '${key ?? ''}'`,
      });
    }
    const raw = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
      : (event.body ?? '');
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return json(400, { error: 'the request body must be JSON' });
    }
    const canonical = JSON.stringify(body);
    const sha = createHash('sha256').update(`${id}\n${canonical}`).digest('hex');

    const refusal = await drainRefusal();
    if (refusal) return refuse(refusal, { committed: false });

    // Whether COMMIT was sent: before it a lost connection rolls the transaction back (the
    // server ends an open transaction with the session); after it the outcome is unknown.
    let commitSent = false;
    // Set when the bound passes: the abandoned work sends nothing more (no late COMMIT).
    let abandoned = false;
    const work = async (): Promise<HttpResponse> => {
      let conn: SqlConnection;
      try {
        conn = await connection(writer, async () => {
          let row: Record<string, unknown> | undefined;
          try {
            [row] = (await (await connection(reader)).query(WRITER_REGION_SQL)).rows;
          } catch (err) {
            drop(reader);
            throw new Error(
              `cannot tell the writer's region from ${reader.host}: ${errorText(err)}`,
            );
          }
          const writerRegion = row?.aws_region;
          if (typeof writerRegion !== 'string') {
            throw new Error('the global database reports no writer instance');
          }
          return { ...writer, signingRegion: writerRegion };
        });
      } catch (err) {
        throw new NotCommitted(`cannot connect to the writer ${writer.host}: ${errorText(err)}`);
      }
      const run = async (text: string, values?: readonly unknown[]) => {
        if (abandoned) throw new NotCommitted('abandoned after the write bound passed');
        return (await conn.query(text, values)).rows;
      };
      await run('BEGIN');
      const claimed = await run(CLAIM_KEY_SQL, [key, id, sha]);
      if (claimed.length === 0) {
        const [earlier] = await run(EARLIER_REQUEST_SQL, [key]);
        await run('ROLLBACK');
        if (earlier?.request_sha256 === sha && earlier.result) {
          return json(200, { item: earlier.result, region: config.region, replayed: true });
        }
        return json(409, {
          error: `Idempotency-Key '${key}' was used for another request; send a new key for a new request`,
        });
      }
      const [row] = await run(UPSERT_ITEM_SQL, [key, id, canonical, config.region]);
      if (abandoned) throw new NotCommitted('abandoned after the write bound passed');
      commitSent = true;
      await conn.query('COMMIT');
      return json(200, { item: row?.result, region: config.region, replayed: false });
    };
    try {
      return await withTimeout(work(), config.commitTimeoutMs);
    } catch (err) {
      abandoned = true;
      drop(writer);
      const why =
        err instanceof TimeoutError
          ? `the write did not finish within ${err.ms} ms`
          : err instanceof NotCommitted
            ? err.message
            : `the write failed: ${errorText(err)}`;
      if (commitSent) {
        return refuse(
          `${why} after COMMIT was sent: the write may or may not have committed; retry with the same Idempotency-Key to learn its result`,
          { committed: 'unknown' },
        );
      }
      return refuse(`${why}; nothing was committed`, { committed: false });
    }
  }

  async function read(id: string): Promise<HttpResponse> {
    try {
      const [row] = await withTimeout(
        (async () => (await (await connection(reader)).query(READ_ITEM_SQL, [id])).rows)(),
        config.readTimeoutMs,
      );
      const staleMs =
        row?.stale_ms === null || row?.stale_ms === undefined ? null : Number(row.stale_ms);
      const freshness = { region: config.region, maxStalenessMs: staleMs };
      if (!row?.item) return json(404, { error: `item '${id}' not found`, ...freshness });
      return json(200, { item: row.item, ...freshness });
    } catch (err) {
      drop(reader);
      const why =
        err instanceof TimeoutError
          ? `the read did not finish within ${err.ms} ms`
          : `the read failed: ${errorText(err)}`;
      return refuse(`${why} on ${reader.host}`);
    }
  }

  return {
    async handle(event: ItemsEvent): Promise<HttpResponse> {
      const id = event.pathParameters?.id ?? '';
      if (!ID_PATTERN.test(id)) {
        return json(400, {
          error: `item id must be 1 to 128 letters, digits, '.', '_' or '-', got: '${id}'`,
        });
      }
      const method = event.requestContext?.http?.method ?? '';
      if (method === 'PUT') return write(id, event);
      if (method === 'GET') return read(id);
      return json(405, { error: `method ${method} is not allowed on /items/{id}; use GET or PUT` });
    },
  };
}

function header(event: ItemsEvent, name: string): string | undefined {
  // HTTP API payload 2.0 lower-cases header names (API Gateway Developer Guide, "Create AWS
  // Lambda proxy integrations for HTTP APIs", payload format version 2.0).
  const v = event.headers?.[name]?.trim();
  return v === '' ? undefined : v;
}
