/**
 * The PostgreSQL connection code the service's functions share (health.ts, items.ts): the
 * driver interface they depend on (pg in Lambda, a fake in tests), node-postgres with an IAM
 * authentication token over verified TLS, and a timeout that leaves no late connection behind.
 */
import { Signer } from '@aws-sdk/rds-signer';
import { Client } from 'pg';

/** Where one connection goes. */
export interface SqlTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /**
   * The region the IAM token is signed for: the region of the cluster that will check it.
   *
   * @default - the driver's region (the function's own)
   */
  readonly signingRegion?: string;
}

/** One open PostgreSQL connection: only the calls the functions make. */
export interface SqlConnection {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /** False once the server or the network closed it; it is then replaced, never reused. */
  isOpen(): boolean;
  /** Drop the connection at once, without waiting for the server. */
  destroy(): void;
}

export interface SqlDriver {
  /** Open, authenticate and return a connection; the caller bounds the time it may take. */
  connect(target: SqlTarget): Promise<SqlConnection>;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    return err.message && err.message !== err.name ? `${err.name}: ${err.message}` : err.name;
  }
  return String(err);
}

export class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * Settles with `work` or rejects with a TimeoutError after `ms`, whichever comes first. A value
 * that arrives late goes to `late` (so a late connection is closed, not leaked).
 */
export function withTimeout<T>(
  work: Promise<T>,
  ms: number,
  late?: (value: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new TimeoutError(ms));
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        if (timedOut) late?.(value);
        else resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (!timedOut) reject(err);
      },
    );
  });
}

/** How one function's connections behave. */
export interface PgDriverOptions {
  /** Shown in pg_stat_activity, so an operator can tell the functions apart. */
  readonly applicationName: string;
  readonly connectTimeoutMs: number;
  /** The server cancels a statement the client would have abandoned anyway. */
  readonly statementTimeoutMs: number;
}

/**
 * node-postgres with an IAM authentication token as the password. The token is signed with
 * Signature Version 4 from the function's own credentials, locally, and lives 15 minutes, long
 * enough to open one connection (Aurora User Guide, "IAM database authentication"). TLS
 * verifies the certificate and host name against the CAs Node.js trusts, NODE_EXTRA_CA_CERTS
 * included; a server that offers no TLS is refused, so the token never travels in the clear.
 */
export function pgDriver(region: string, options: PgDriverOptions): SqlDriver {
  return {
    async connect(target: SqlTarget): Promise<SqlConnection> {
      const { signingRegion, ...where } = target;
      const password = await new Signer({
        hostname: target.host,
        port: target.port,
        username: target.user,
        region: signingRegion ?? region,
      }).getAuthToken();
      const client = new Client({
        ...where,
        password,
        ssl: { rejectUnauthorized: true },
        application_name: options.applicationName,
        // Belt and braces: the server cancels what the client would have abandoned anyway.
        connectionTimeoutMillis: options.connectTimeoutMs,
        statement_timeout: options.statementTimeoutMs,
        keepAlive: true,
      });
      let open = true;
      // An idle connection the server or network dropped must not crash the container.
      client.on('error', () => (open = false));
      client.on('end', () => (open = false));
      const destroy = (): void => {
        open = false;
        // pg's end() waits for the server; a hung server never answers, so cut the socket.
        (
          client as unknown as { connection?: { stream?: { destroy(): void } } }
        ).connection?.stream?.destroy();
        void client.end().catch(() => undefined);
      };
      try {
        await client.connect();
      } catch (err) {
        destroy();
        throw err;
      }
      return {
        query: async (text, values) => client.query(text, values as unknown[]),
        isOpen: () => open,
        destroy,
      };
    },
  };
}
