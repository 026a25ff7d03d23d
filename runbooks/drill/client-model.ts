import { ITEM_REQUESTS_TABLE, ITEMS_TABLE } from '../../constructs/contract';

/**
 * What the client canary records: it lives the failover as a client does, through the public
 * names (`write.` for writes, `app.` for reads), with its own stub-resolver cache that keeps
 * each answer for its TTL, and SigV4-signed calls to the service's items routes. One JSON line
 * per entry in `<drill>/client.jsonl`; the record's client-level measures are computed from
 * these entries only.
 */

/** Which public name a request or answer is about. */
export type ClientPath = 'write' | 'read';

/** One answer of the operator's DNS resolver, as the canary's cache received it. */
export interface DnsObservation {
  readonly type: 'dns';
  /** When the answer arrived (ms since epoch); the cache keeps it until `at + ttlSeconds`. */
  readonly at: number;
  readonly path: ClientPath;
  /** The public name asked for (`app.<domain>` or `write.<domain>`). */
  readonly name: string;
  /** The last CNAME of the chain: a region's API Gateway domain name; absent when the query failed. */
  readonly target?: string;
  /** The region whose target that is (from the outputs); absent when it is none of this deployment's. */
  readonly region?: string;
  readonly addresses: readonly string[];
  /** The smallest TTL of the chain, as the resolver answered it (already counted down by a cache). */
  readonly ttlSeconds: number;
  /** Why the query failed (timeout, SERVFAIL, NXDOMAIN...). */
  readonly error?: string;
}

/** One signed request of the canary to the items API, through the cached answer. */
export interface ClientRequestSample {
  readonly type: 'request';
  /** One sequence over writes and reads; writes use it in their item id (`drill-<drill>-<seq>`). */
  readonly seq: number;
  /** When the request was sent (ms since epoch). */
  readonly at: number;
  readonly path: ClientPath;
  /** The public name in the URL, the Host header and TLS SNI. */
  readonly name: string;
  readonly itemId: string;
  /** The cached answer the request went to: target, its region, and when that answer arrived. */
  readonly target?: string;
  readonly targetRegion?: string;
  readonly answeredAt?: number;
  readonly address?: string;
  /** HTTP status; absent when no response came (DNS, connect, TLS or timeout). */
  readonly status?: number;
  /** The region the service says answered (response body). */
  readonly region?: string;
  readonly latencyMs: number;
  /**
   * Writes: 200, committed. Reads: the service answered from its region (200 found, or 404: not
   * yet replicated there, or, before any write was acknowledged, never written; `found` tells
   * which, `itemId` whether its write was acknowledged).
   */
  readonly ok: boolean;
  /** Reads: whether the item was there. */
  readonly found?: boolean;
  /** Reads: the service's bound on how stale the read may be. */
  readonly maxStalenessMs?: number;
  /** Refusals: the service's Retry-After, in seconds. */
  readonly retryAfterSeconds?: number;
  /** Writes refused after COMMIT was sent: the service could not tell (`committed: "unknown"`). */
  readonly commitUnknown?: boolean;
  /**
   * Writes: the `seq` of the write answered `commitUnknown` that this one re-sends, with the
   * same item id, Idempotency-Key and body (a 200 is the first write's result, replayed).
   */
  readonly retryOf?: number;
  readonly error?: string;
}

/** One reading of a Route 53 health check (GetHealthCheckStatus), recorded when it changes. */
export interface HealthObservation {
  readonly type: 'health';
  readonly at: number;
  readonly healthCheckId: string;
  readonly region: string;
  readonly check: 'serving' | 'writer';
  /** More than half of the checkers that reported say success (HealthView.healthy). */
  readonly healthy: boolean;
  readonly succeeding: number;
  readonly reporting: number;
}

/** One line of `client.jsonl`. */
export type ClientLogEntry = DnsObservation | ClientRequestSample | HealthObservation;

/** The seq of the write a sample carries: its own, or the first one's when it re-sends it. */
export function writeSeqOf(sample: ClientRequestSample): number {
  return sample.retryOf ?? sample.seq;
}

/** The canary's item ids: one per write, so the new writer can be asked which it has. */
export function clientItemId(drillId: string, seq: number): string {
  return `drill-${drillId}-${seq}`;
}

/** The prefix of every item a drill's canary wrote (for the count on the new writer and the cleanup). */
export function clientItemPrefix(drillId: string): string {
  return `drill-${drillId}-`;
}

/**
 * What the drill runs through the RDS Data API on the writer for the client canary's items:
 * which of them the new writer has (measured RPO) and the cleanup at the end of the drill.
 * `starts_with` (PostgreSQL 11+) rather than LIKE, so no character of a drill id is a pattern.
 */
export const CLIENT_ITEMS_SQL = {
  selectIds: `SELECT id FROM ${ITEMS_TABLE} WHERE starts_with(id, :prefix)`,
  deleteRequests: `DELETE FROM ${ITEM_REQUESTS_TABLE} WHERE starts_with(item_id, :prefix)`,
  deleteItems: `DELETE FROM ${ITEMS_TABLE} WHERE starts_with(id, :prefix)`,
} as const;
