/**
 * node-postgres for the service's functions in Lambda: an IAM authentication token over
 * verified TLS (pg and @aws-sdk/rds-signer are bundled into the functions, never loaded by the
 * drill).
 */
import { Signer } from '@aws-sdk/rds-signer';
import { Client } from 'pg';
import type { SqlConnection, SqlDriver, SqlTarget } from './pg-connection';

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
