// The client canary: lives the failover as a user of the service does. It resolves the public
// names itself with a stub resolver's cache, sends signed writes through `write.<domain>` and
// reads through `app.<domain>`, and reads Route 53's health checks now and then, so the record
// can set what a client saw beside what the database and Route 53 did.
import { IDEMPOTENCY_HEADER, ITEM_ROUTES, TIMING_DEFAULTS } from '../../constructs/contract';
import {
  normalizeHostname,
  type ClientHttpResponse,
  type ClientNetworkApi,
  type DnsAnswerView,
  type RoutingApi,
} from './aws/ports';
import {
  clientItemId,
  type ClientLogEntry,
  type ClientPath,
  type ClientRequestSample,
  type DnsObservation,
  type HealthObservation,
} from './client-model';
import { BackgroundLoop } from './background-loop';
import type { Clock } from './clock';
import type { DrillTopology } from './discovery';
import { errorText } from './errors';

/**
 * How long one request (or one DNS query, or one health-check read) may take before the canary
 * counts it as failed. Longer than the service's own bound on a write (`ITEMS_TIMEOUTS_MS.commit`,
 * 2 s by default) plus TLS and a cross-region round trip, so a refusal the service sends in time
 * is seen as the refusal it is; short enough that a hung connection costs a few ticks, not the
 * drill. A tick waits for its requests (ticks never overlap), so while requests hang the canary
 * runs at one tick per timeout instead of one per interval.
 */
export const CLIENT_REQUEST_TIMEOUT_MS = 5_000;

/**
 * How often the canary reads the health checks: once per Route 53 request interval (10 s), the
 * fastest their status can change. GetHealthCheckStatus "is intended for use during development
 * to diagnose behavior. It doesn't support production use-cases with high query rates" (Route 53
 * API Reference, GetHealthCheckStatus), so the canary asks no more often than that.
 */
export const CLIENT_HEALTH_INTERVAL_MS = TIMING_DEFAULTS.healthCheckIntervalSeconds * 1000;

/** Why there is no client figure when the operator ran the drill with `--no-client-canary`. */
export const CLIENT_CANARY_TURNED_OFF =
  'the operator turned the client canary off (--no-client-canary)';

export interface ClientCanaryOptions {
  /** The operator's resolver and signed HTTPS (`aws.client`). */
  readonly network: ClientNetworkApi;
  /** Only GetHealthCheckStatus (`aws.routing`). */
  readonly routing: Pick<RoutingApi, 'healthCheckStatus'>;
  readonly clock: Clock;
  readonly drillId: string;
  /** The public names, each region's targets and its health check ids. */
  readonly topology: DrillTopology;
  /** One tick (DNS when expired, a write, a read) every interval. */
  readonly intervalMs: number;
  /** @default CLIENT_REQUEST_TIMEOUT_MS */
  readonly requestTimeoutMs?: number;
  /** @default CLIENT_HEALTH_INTERVAL_MS */
  readonly healthIntervalMs?: number;
  /** The log of an earlier process of this drill (resume): the sequence goes on from it. */
  readonly history: readonly ClientLogEntry[];
  readonly persist: (entry: ClientLogEntry) => void;
}

/** A cached answer: what the resolver said, kept until `expiresAt`. */
interface CachedAnswer {
  readonly observation: DnsObservation;
  readonly expiresAt: number;
}

class ClientTimeout extends Error {}

/**
 * The client canary loop. Started and stopped by the executor beside the Data API canary
 * (`CanaryLoop`), which gives the database-level figures; this one gives the client-level ones.
 * It never throws into the drill: every failure is a logged entry.
 */
export class ClientCanary {
  private readonly log: ClientLogEntry[];
  private nextSeq: number;
  private lastAcknowledged?: string;
  /** A write answered `committed: "unknown"`: re-sent, same key and body, until it is answered. */
  private unknownWrite?: { readonly seq: number; readonly itemId: string; readonly body: string };
  private readonly cache = new Map<ClientPath, CachedAnswer>();
  private readonly health = new Map<string, boolean>();
  private lastHealthReadAt = Number.NEGATIVE_INFINITY;
  private readonly runner: BackgroundLoop;
  private readonly requestTimeoutMs: number;
  private readonly healthIntervalMs: number;

  constructor(private readonly options: ClientCanaryOptions) {
    this.log = [...options.history];
    this.runner = new BackgroundLoop(options.clock);
    this.requestTimeoutMs = options.requestTimeoutMs ?? CLIENT_REQUEST_TIMEOUT_MS;
    this.healthIntervalMs = options.healthIntervalMs ?? CLIENT_HEALTH_INTERVAL_MS;
    let maxSeq = 0;
    for (const entry of options.history) {
      if (entry.type === 'request') {
        maxSeq = Math.max(maxSeq, entry.seq);
        if (entry.path === 'write' && entry.status === 200) this.lastAcknowledged = entry.itemId;
      } else if (entry.type === 'health') {
        this.health.set(entry.healthCheckId, entry.healthy);
      }
    }
    this.nextSeq = maxSeq + 1;
  }

  get isRunning(): boolean {
    return this.runner.isRunning;
  }

  /** Every entry so far, including those of an earlier process of this drill. */
  entries(): readonly ClientLogEntry[] {
    return this.log;
  }

  start(): void {
    this.runner.start(() => this.loop());
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  private async loop(): Promise<void> {
    const { clock, intervalMs } = this.options;
    while (this.runner.isRunning) {
      const startedAt = clock.now();
      await this.tick();
      if (!this.runner.isRunning) break;
      // One tick per interval, measured from the tick's start: a slow tick is followed at once
      // by the next one, never by two at a time.
      const wait = startedAt + intervalMs - clock.now();
      if (wait > 0) await this.runner.sleep(wait);
    }
  }

  /** One round: health checks when due, beside a write then a read. */
  private async tick(): Promise<void> {
    const health =
      this.options.clock.now() - this.lastHealthReadAt >= this.healthIntervalMs
        ? this.readHealth()
        : Promise.resolve();
    await Promise.all([health, this.requests()]);
  }

  private async requests(): Promise<void> {
    // As the items API asks of a client ("retry with the same Idempotency-Key to learn its
    // result"): the write whose commit is unknown goes again before a new one.
    if (this.unknownWrite) await this.retryUnknownWrite(this.unknownWrite);
    const written = await this.write();
    // A read every round, from the first: a drill that starts while the writer region is down
    // acknowledges nothing until after the move, and the read path must be measured meanwhile.
    // Before any acknowledgement it reads this round's item: the service answers 404 with its
    // region (an answer, `found: false`); the sample's item tells that 404 from one for an
    // acknowledged write, which is missing data.
    await this.read(this.lastAcknowledged ?? written);
  }

  /** Sends this round's write; returns its item. */
  private async write(): Promise<string> {
    const { drillId, clock } = this.options;
    const seq = this.nextSeq++;
    const itemId = clientItemId(drillId, seq);
    const body = JSON.stringify({ drillId, seq, sentAt: clock.now() });
    const sample = await this.sendWrite(seq, itemId, body);
    if (sample.commitUnknown) this.unknownWrite = { seq, itemId, body };
    return itemId;
  }

  /**
   * The same item, key and body (a replay the service answers with the first result), logged as
   * its own request with `retryOf`. Sent again while the answer stays unknown or never comes.
   */
  private async retryUnknownWrite(unknown: {
    readonly seq: number;
    readonly itemId: string;
    readonly body: string;
  }): Promise<void> {
    const sample = await this.sendWrite(this.nextSeq++, unknown.itemId, unknown.body, unknown.seq);
    if (sample.status !== undefined && !sample.commitUnknown) this.unknownWrite = undefined;
  }

  private async sendWrite(
    seq: number,
    itemId: string,
    body: string,
    retryOf?: number,
  ): Promise<ClientRequestSample> {
    const sample = await this.request(
      'write',
      this.options.topology.writeHostname,
      seq,
      itemId,
      () => ({
        method: ITEM_ROUTES.write.method,
        path: itemPath(ITEM_ROUTES.write.path, itemId),
        headers: {
          [IDEMPOTENCY_HEADER]: itemId,
          'content-type': 'application/json',
        },
        body,
      }),
      retryOf,
    );
    if (sample.ok) this.lastAcknowledged = itemId;
    return sample;
  }

  private async read(itemId: string): Promise<void> {
    const seq = this.nextSeq++;
    await this.request('read', this.options.topology.appHostname, seq, itemId, () => ({
      method: ITEM_ROUTES.read.method,
      path: itemPath(ITEM_ROUTES.read.path, itemId),
      headers: {},
    }));
  }

  /** One request to `name` through its cached answer; always ends in one logged sample. */
  private async request(
    path: ClientPath,
    name: string,
    seq: number,
    itemId: string,
    build: () => {
      method: 'PUT' | 'GET';
      path: string;
      headers: Record<string, string>;
      body?: string;
    },
    retryOf?: number,
  ): Promise<ClientRequestSample> {
    const { clock, network } = this.options;
    const answer = await this.answer(path, name);
    const at = clock.now();
    const base = {
      type: 'request' as const,
      seq,
      at,
      path,
      name,
      itemId,
      ...(retryOf !== undefined ? { retryOf } : {}),
      ...(answer.target !== undefined ? { target: answer.target } : {}),
      ...(answer.region !== undefined ? { targetRegion: answer.region } : {}),
      ...(answer.error === undefined ? { answeredAt: answer.at } : {}),
    };
    const failed = (error: string): ClientRequestSample =>
      this.record({ ...base, latencyMs: clock.now() - at, ok: false, error });
    if (answer.error !== undefined) return failed(`DNS: ${name}: ${answer.error}`);
    const address = answer.addresses[0];
    if (address === undefined) return failed(`DNS: ${name} answered no address`);
    if (answer.region === undefined) {
      return failed(
        `DNS: ${name} answered ${answer.target ?? 'no CNAME'}, none of this deployment's regions: no region to sign for`,
      );
    }
    const built = build();
    let response: ClientHttpResponse;
    try {
      response = await this.bounded(
        network.send({
          ...built,
          hostname: name,
          address,
          signingRegion: answer.region,
          timeoutMs: this.requestTimeoutMs,
        }),
        `no response within ${this.requestTimeoutMs} ms`,
      );
    } catch (err) {
      return this.record({
        ...base,
        address,
        latencyMs: clock.now() - at,
        ok: false,
        error: errorText(err),
      });
    }
    return this.record({
      ...base,
      address,
      latencyMs: clock.now() - at,
      ...fromResponse(path, response),
    });
  }

  /** The cached answer for `name`, or a fresh one when it expired (logged either way it came). */
  private async answer(path: ClientPath, name: string): Promise<DnsObservation> {
    const { clock, network, topology } = this.options;
    const cached = this.cache.get(path);
    if (cached && clock.now() < cached.expiresAt) return cached.observation;
    this.cache.delete(path);
    const at = clock.now();
    let view: DnsAnswerView;
    try {
      view = await this.bounded(
        network.resolve(name),
        `no DNS answer within ${this.requestTimeoutMs} ms`,
      );
    } catch (err) {
      // Nothing is cached: the next tick asks again.
      return this.record({
        type: 'dns',
        at,
        path,
        name,
        addresses: [],
        ttlSeconds: 0,
        error: errorText(err),
      });
    }
    const answeredAt = clock.now();
    const last = view.cnames.at(-1);
    const target = last ? normalizeHostname(last.target) : undefined;
    const region = target
      ? topology.regions.find(
          (r) =>
            normalizeHostname(r.writeTarget) === target ||
            normalizeHostname(r.appTarget) === target,
        )?.region
      : undefined;
    // A stub resolver's cache keeps the whole answer until its first record expires: the
    // smallest TTL of the chain. "TTL ... the time interval that the resource record may be
    // cached before the source of the information should again be consulted" (RFC 1035 3.2.1);
    // Route 53 answers each record with the TTL it is published with (Route 53 Developer Guide,
    // "Values specific for latency records" and "... for failover records", TTL (seconds)).
    const ttls = [...view.cnames, ...view.addresses].map((r) => r.ttlSeconds);
    const ttlSeconds = ttls.length ? Math.max(0, Math.min(...ttls)) : 0;
    const observation = this.record({
      type: 'dns',
      at: answeredAt,
      path,
      name,
      ...(target !== undefined ? { target } : {}),
      ...(region !== undefined ? { region } : {}),
      addresses: view.addresses.map((a) => a.address),
      ttlSeconds,
    });
    this.cache.set(path, { observation, expiresAt: answeredAt + ttlSeconds * 1000 });
    return observation;
  }

  /** Every health check of the topology; logs those whose healthy flag changed (or is new). */
  private async readHealth(): Promise<void> {
    const { clock, routing, topology } = this.options;
    this.lastHealthReadAt = clock.now();
    const checks = topology.regions.flatMap((r) => [
      ...(r.healthChecks.serving
        ? [{ id: r.healthChecks.serving, region: r.region, check: 'serving' as const }]
        : []),
      { id: r.healthChecks.writer, region: r.region, check: 'writer' as const },
    ]);
    await Promise.all(
      checks.map(async ({ id, region, check }) => {
        try {
          const view = await this.bounded(
            routing.healthCheckStatus(id),
            `no health check status within ${this.requestTimeoutMs} ms`,
          );
          if (this.health.get(id) === view.healthy) return;
          this.health.set(id, view.healthy);
          this.record<HealthObservation>({
            type: 'health',
            at: clock.now(),
            healthCheckId: id,
            region,
            check,
            healthy: view.healthy,
            succeeding: view.succeeding,
            reporting: view.reporting,
          });
        } catch {
          // A reading that failed says nothing about the check; the next one will.
        }
      }),
    );
  }

  /** `work`, or a ClientTimeout after the request timeout on the drill's clock. */
  private async bounded<T>(work: Promise<T>, message: string): Promise<T> {
    const timer = new AbortController();
    work.catch(() => undefined);
    const timeout = this.options.clock
      .sleep(this.requestTimeoutMs, timer.signal)
      .then(() => Promise.reject(new ClientTimeout(message)));
    timeout.catch(() => undefined);
    try {
      return await Promise.race([work, timeout]);
    } finally {
      timer.abort();
    }
  }

  private record<T extends ClientLogEntry>(entry: T): T {
    this.log.push(entry);
    try {
      this.options.persist(entry);
    } catch {
      // A line that could not be written changes a measure, never what the drill does; the
      // entry stays in this process's log (verify-writes reads that).
    }
    return entry;
  }
}

function itemPath(route: string, itemId: string): string {
  return route.replace('{id}', encodeURIComponent(itemId));
}

/**
 * What a response says, from the items function's shapes (constructs/handlers/items.ts):
 * every answer has `region` (except 400/409), reads `maxStalenessMs`, refusals `error`, the
 * Retry-After header and, for writes, `committed` (false, or "unknown" after COMMIT was sent).
 */
function fromResponse(
  path: ClientPath,
  response: ClientHttpResponse,
): Pick<
  ClientRequestSample,
  | 'status'
  | 'region'
  | 'ok'
  | 'found'
  | 'maxStalenessMs'
  | 'retryAfterSeconds'
  | 'commitUnknown'
  | 'error'
> {
  const { status } = response;
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(response.body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      body = parsed as Record<string, unknown>;
    }
  } catch {
    // Not the service's JSON (a gateway's error page): the status still says what happened.
  }
  const region = typeof body.region === 'string' ? body.region : undefined;
  const retryAfter = response.headers['retry-after']?.trim();
  const ok = path === 'write' ? status === 200 : status === 200 || (status === 404 && !!region);
  const error =
    typeof body.error === 'string'
      ? body.error
      : typeof body.message === 'string'
        ? body.message
        : undefined;
  return {
    status,
    ...(region !== undefined ? { region } : {}),
    ok,
    ...(path === 'read' && ok ? { found: status === 200 } : {}),
    ...(typeof body.maxStalenessMs === 'number' ? { maxStalenessMs: body.maxStalenessMs } : {}),
    // Retry-After in delta-seconds (RFC 9110 10.2.3), as the service sends it.
    ...(retryAfter && /^\d+$/.test(retryAfter) ? { retryAfterSeconds: Number(retryAfter) } : {}),
    ...(body.committed === 'unknown' ? { commitUnknown: true } : {}),
    ...(!ok && error !== undefined ? { error } : {}),
  };
}
