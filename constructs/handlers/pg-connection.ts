/**
 * The PostgreSQL connection code the service's functions share (health.ts, items.ts): the
 * driver interface they depend on (node-postgres in Lambda, see pg-driver.ts; the simulation
 * in rehearsals and tests) and a timeout that leaves no late connection behind. No driver is
 * imported here, so the drill's rehearsal runs the services without pg installed.
 */

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
