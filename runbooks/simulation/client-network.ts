// The client canary's network in the simulation: DNS as Route 53 answers it from the deployed
// records (optionally through a caching recursive resolver), and HTTPS to each region's API
// Gateway custom domains, served by the REAL items service of that region, configured from the
// synthesized template and backed by the simulated clusters.
import { GetParameterCommand, type GetParameterCommandOutput } from '@aws-sdk/client-ssm';
import {
  CLAIM_KEY_SQL,
  EARLIER_REQUEST_SQL,
  READ_ITEM_SQL,
  UPSERT_ITEM_SQL,
  WRITER_REGION_SQL,
  createItemsService,
  readItemsConfig,
  type HttpResponse,
  type ItemsConfig,
  type ItemsEvent,
} from '../../constructs/handlers/items-service';
import { ITEMS_ENV } from '../../constructs/handlers/items-contract';
import type { SqlConnection, SqlDriver, SqlTarget } from '../../constructs/handlers/pg-connection';
import {
  normalizeHostname,
  type ClientHttpRequest,
  type ClientHttpResponse,
  type ClientNetworkApi,
  type DnsAnswerView,
} from '../drill/aws/ports';
import type { DeployedResource, SimulatedDeployment } from './deployment';
import type { SimulationAssumptions } from './scenario';
import type { SimulatedWorld } from './world';
import { VirtualClock } from './clock';

/** A `resolverCacheMs` that keeps every answer for its whole TTL (a "stale" resolver). */
export const FULL_TTL = Number.POSITIVE_INFINITY;

/**
 * TTL of the A records of an API Gateway regional domain name (`d-<id>.execute-api...`). AWS
 * owns those records and documents no TTL: the fake's assumption, not an AWS fact.
 */
export const TARGET_ADDRESS_TTL_SECONDS = 60;

// ---------------------------------------------------------------------------------------------
// The items tables of every region's cluster, replicated from the writer
// ---------------------------------------------------------------------------------------------

/** A row of `public.items` as `to_jsonb(i)` returns it. */
export interface SimulatedItem {
  readonly id: string;
  readonly body: unknown;
  readonly updated_at: string;
  readonly written_via: string;
}

/** A row of `public.item_requests` (the idempotency keys). */
export interface SimulatedItemRequest {
  readonly idempotency_key: string;
  readonly item_id: string;
  readonly request_sha256: string;
  readonly result: SimulatedItem | null;
}

/** One region's copy of the two tables. */
export interface RegionItems {
  readonly items: Map<string, SimulatedItem>;
  readonly requests: Map<string, SimulatedItemRequest>;
}

/** One committed change, replayed on each secondary in commit order. */
export type ItemChange =
  | { readonly kind: 'item'; readonly row: SimulatedItem }
  | { readonly kind: 'request'; readonly row: SimulatedItemRequest }
  | { readonly kind: 'delete-items' | 'delete-requests'; readonly prefix: string };

function applyChanges(table: RegionItems, changes: readonly ItemChange[]): void {
  for (const c of changes) {
    if (c.kind === 'item') table.items.set(c.row.id, c.row);
    else if (c.kind === 'request') table.requests.set(c.row.idempotency_key, c.row);
    else if (c.kind === 'delete-items') {
      for (const id of [...table.items.keys()]) if (id.startsWith(c.prefix)) table.items.delete(id);
    } else {
      for (const [key, r] of [...table.requests]) {
        if (r.item_id.startsWith(c.prefix)) table.requests.delete(key);
      }
    }
  }
}

/**
 * The items tables of every region. Commits land on the writer's copy and are replayed on each
 * secondary in order once they are older than the world's `dataReplicationDelayMs`, like the
 * canary rows (SimulatedWorld.advance): a failover keeps only what had replicated to the target.
 */
export class SimulatedItemTables {
  private readonly byRegion = new Map<string, RegionItems>();
  private log: { readonly at: number; readonly changes: readonly ItemChange[] }[] = [];
  /** How many log entries each region has applied. */
  private readonly applied = new Map<string, number>();

  constructor(regions: Iterable<string>) {
    for (const r of regions) {
      this.byRegion.set(r, { items: new Map(), requests: new Map() });
      this.applied.set(r, 0);
    }
  }

  in(region: string): RegionItems {
    const table = this.byRegion.get(region);
    if (!table) throw new Error(`fake: no items table in ${region}`);
    return table;
  }

  /** Applies one transaction on the writer's copy, to be replicated. */
  commit(writer: string, at: number, changes: readonly ItemChange[]): void {
    applyChanges(this.in(writer), changes);
    this.log.push({ at, changes });
    this.applied.set(writer, this.log.length);
  }

  /** Every secondary applies the commits made at or before `upTo` (its own, when a function). */
  replicate(writer: string, upTo: number | ((region: string) => number)): void {
    for (const region of this.byRegion.keys()) {
      if (region !== writer) this.catchUp(region, typeof upTo === 'number' ? upTo : upTo(region));
    }
  }

  /** An unplanned failover: the target keeps what had replicated by `upTo`, nothing later. */
  failover(target: string, upTo: number): void {
    this.catchUp(target, upTo);
    this.log = this.log.slice(0, this.applied.get(target));
  }

  /**
   * The promotion completed: a switchover synchronized `to` first; every region rejoins as its
   * copy, except `leftBehind` (an old primary rebuilt later: see `rebuilt`).
   */
  promoted(to: string, kind: 'switchover' | 'failover', leftBehind?: string): void {
    if (kind === 'switchover') this.catchUp(to, Number.POSITIVE_INFINITY);
    const source = this.in(to);
    for (const region of this.byRegion.keys()) {
      if (region !== to && region !== leftBehind) {
        this.byRegion.set(region, {
          items: new Map(source.items),
          requests: new Map(source.requests),
        });
      }
      this.applied.set(region, 0);
    }
    this.log = [];
  }

  /** An old primary rebuilt as a secondary of `writer`: a copy of the writer's tables now. */
  rebuilt(region: string, writer: string): void {
    const source = this.in(writer);
    this.byRegion.set(region, { items: new Map(source.items), requests: new Map(source.requests) });
    this.applied.set(region, this.log.length);
  }

  private catchUp(region: string, upTo: number): void {
    let next = this.applied.get(region) ?? 0;
    while (next < this.log.length && this.log[next].at <= upTo) {
      applyChanges(this.in(region), this.log[next].changes);
      next++;
    }
    this.applied.set(region, next);
  }
}

// ---------------------------------------------------------------------------------------------
// The SQL the items service sends, answered from the world's clusters
// ---------------------------------------------------------------------------------------------

/** node-postgres's errors for the ends a client sees (the real driver's messages). */
const pgErrors = {
  connectTimeout: () => new Error('Connection terminated due to connection timeout'),
  terminated: () => new Error('Connection terminated unexpectedly'),
  statementTimeout: () => new Error('canceling statement due to statement timeout'),
  readOnly: () => new Error('cannot execute INSERT in a read-only transaction'),
};

/**
 * A SqlDriver for one region's items function over the fake world. The reader endpoint reaches
 * the region's own cluster; the global writer endpoint reaches the world's writer at connect time,
 * from any region (Aurora User Guide, "Connecting to Amazon Aurora Global Database": Aurora keeps
 * it routed to the primary cluster's current writer, also for cross-Region writes), with an IAM
 * token that only the writer's region accepts. Waits that the real driver bounds (connect and
 * statement timeouts, set as realItemsDeps sets them) run on the world's virtual clock; what the
 * service itself bounds with real timers then ends first.
 */
export class WorldSqlDriver implements SqlDriver {
  private readonly connectTimeoutMs: number;
  private readonly statementTimeoutMs: number;

  constructor(
    private readonly world: SimulatedWorld,
    private readonly region: string,
    private readonly config: ItemsConfig,
  ) {
    // As realItemsDeps configures pgDriver.
    this.connectTimeoutMs = Math.min(config.commitTimeoutMs, config.readTimeoutMs);
    this.statementTimeoutMs = Math.max(config.commitTimeoutMs, config.readTimeoutMs);
  }

  async connect(target: SqlTarget): Promise<SqlConnection> {
    const world = this.world;
    world.advance();
    const toWriter = target.host === this.config.writerHost;
    if (!toWriter && target.host !== this.config.readerHost) {
      throw new Error(`getaddrinfo ENOTFOUND ${target.host}`);
    }
    // The writer endpoint's DNS follows a move late (SimulatedWorld.writerEndpointRegion).
    const cluster = toWriter ? world.writerEndpointRegion() : this.region;
    if (
      world.down.has(cluster) ||
      // This region's service functions run in its isolated application subnets (a game day).
      world.appIsolated(this.region) ||
      world.region(cluster).instances === 0 ||
      world.cutBetween(this.region, cluster)
    ) {
      await world.clock.sleep(this.connectTimeoutMs);
      throw pgErrors.connectTimeout();
    }
    const moves = world.writerMoves;
    // An IAM auth token is checked by the cluster it is for: SigV4 scopes it to one region.
    if (toWriter && (target.signingRegion ?? this.region) !== cluster) {
      throw new Error(`PAM authentication failed for user "${target.user}"`);
    }
    let open = true;
    let pending: ItemChange[] | undefined;
    const end = (error: Error) => {
      open = false;
      pending = undefined;
      return error;
    };
    const tables = () => world.items.in(cluster);
    const staged = (key: string) =>
      pending?.find((c) => c.kind === 'request' && c.row.idempotency_key === key);
    return {
      isOpen: () => open,
      destroy: () => void end(pgErrors.terminated()),
      query: async (text, values = []) => {
        if (!open) throw new Error('Connection terminated');
        world.advance();
        if (world.down.has(cluster) || world.cutBetween(this.region, cluster)) {
          await world.clock.sleep(this.statementTimeoutMs);
          throw end(pgErrors.terminated());
        }
        // The writer moved (switchover or failover): Aurora restarted this one's connections.
        if (toWriter && world.writerMoves !== moves) throw end(pgErrors.terminated());
        const [a, b, c, d] = values as string[];
        switch (text) {
          case WRITER_REGION_SQL:
            return { rows: [{ aws_region: world.writer }] };
          case READ_ITEM_SQL: {
            const r = world.region(cluster);
            const lag = world.replicationLagOf(cluster);
            const staleMs =
              cluster === world.writer ? 0 : Math.max(lag ?? 0, r.replicationLagMs ?? 0);
            return { rows: [{ item: tables().items.get(a) ?? null, stale_ms: staleMs }] };
          }
          case 'BEGIN':
            pending = [];
            return { rows: [] };
          case 'ROLLBACK':
            pending = undefined;
            return { rows: [] };
          case CLAIM_KEY_SQL: {
            if (!world.acceptsWrites(cluster)) throw pgErrors.readOnly();
            if (tables().requests.has(a) || staged(a)) return { rows: [] };
            pending!.push({
              kind: 'request',
              row: { idempotency_key: a, item_id: b, request_sha256: c, result: null },
            });
            return { rows: [{ idempotency_key: a }] };
          }
          case EARLIER_REQUEST_SQL:
            return { rows: [{ ...tables().requests.get(a) }] };
          case UPSERT_ITEM_SQL: {
            if (!world.acceptsWrites(cluster)) throw pgErrors.readOnly();
            const item: SimulatedItem = {
              id: b,
              body: JSON.parse(c) as unknown,
              updated_at: new Date(world.clock.now()).toISOString(),
              written_via: d,
            };
            const claim = staged(a);
            pending = (pending ?? []).filter((x) => x !== claim);
            if (claim?.kind === 'request') {
              pending.push({ kind: 'request', row: { ...claim.row, result: item } });
            }
            pending.push({ kind: 'item', row: item });
            return { rows: [{ result: item }] };
          }
          case 'COMMIT': {
            // Fenced or promoting: Aurora ends the old writer's sessions, the commit never lands.
            if (!world.acceptsWrites(cluster)) throw end(pgErrors.terminated());
            if (world.client.faults.commitEnds?.()) throw end(pgErrors.terminated());
            if (world.commitsBlocked(cluster)) {
              // Managed RPO blocks the commit until the statement timeout cancels it.
              await world.clock.sleep(this.statementTimeoutMs);
              throw end(pgErrors.statementTimeout());
            }
            world.items.commit(cluster, world.clock.now(), pending ?? []);
            pending = undefined;
            return { rows: [] };
          }
          default:
            throw new Error(`fake: unexpected statement from the items function: ${text}`);
        }
      },
    };
  }
}

// ---------------------------------------------------------------------------------------------
// DNS and HTTPS
// ---------------------------------------------------------------------------------------------

/** One API Gateway regional domain name of the deployment. */
interface SimulatedTarget {
  readonly target: string;
  readonly region: string;
  /** The custom domain name it serves (Host and SNI). */
  readonly hostname: string;
  readonly addresses: readonly string[];
}

/** A route of a region's HTTP API that invokes its items function. */
interface ItemsRoute {
  readonly method: string;
  readonly pattern: RegExp;
  readonly parameters: readonly string[];
}

interface CachedAnswer {
  readonly value: string;
  readonly ttlSeconds: number;
  readonly at: number;
}

/** One RRset's answer as Route 53 gave it from `from` on (first sampled then). */
interface AnswerSegment {
  readonly from: number;
  readonly value: string;
  readonly ttlSeconds: number;
}

/** Route 53's answers for one RRset, sampled on the virtual clock, oldest first. */
interface AnswerHistory {
  readonly ask: () => { value: string; ttlSeconds: number } | undefined;
  readonly segments: AnswerSegment[];
}

/**
 * Faults the deployed records and the world's clusters cannot produce, for the client canary's
 * tests; each is asked at the moment it would happen and changes nothing while it answers
 * undefined (or false).
 */
export interface ClientNetworkFaults {
  /**
   * What the client's resolver returns for `name` instead of Route 53's answer: an Error it
   * throws (a SERVFAIL), `'hang'` (it never answers), or another answer (one without addresses,
   * a chain that leaves the deployment).
   */
  resolve?: (name: string) => Error | 'hang' | DnsAnswerView | undefined;
  /**
   * The network neither answers nor ends this request (a black hole): only the client's own
   * bound ends it. A region in `world.down` instead ends it with the socket's own timeout.
   */
  hang?: (request: ClientHttpRequest) => boolean;
  /**
   * What the gateway answers this request instead of the service (e.g. the 403 a caller
   * without `execute-api:Invoke` gets), or undefined to serve it.
   */
  gateway?: (request: ClientHttpRequest) => ClientHttpResponse | undefined;
  /** The writer's connection ends after COMMIT was sent (the commit's outcome is unknown). */
  commitEnds?: () => boolean;
}

/** What a test inspects: every request sent, with where it went. */
export interface SentRequest {
  readonly at: number;
  readonly request: ClientHttpRequest;
  readonly region?: string;
  readonly status?: number;
}

/**
 * The client canary's network over a fake world: `resolve` answers what Route 53 answers from
 * the deployed records (SimulatedWorld.dnsRecord: failover and latency with health), `send` runs the
 * items service of the region whose target the address belongs to.
 */
export class SimulatedClientNetwork implements ClientNetworkApi {
  /**
   * A recursive resolver between the client and Route 53 keeps each answer this long, at most
   * its TTL ("TTL ... the time interval that the resource record may be cached", RFC 1035
   * section 3.2.1; RFC 2181 section 8), and answers the remaining TTL counted down. 0 (the
   * default): no intermediate cache, every query reaches Route 53. FULL_TTL: a resolver that
   * keeps every answer for its whole TTL, so a client may see up to one TTL more than its own.
   */
  resolverCacheMs = 0;
  /**
   * Where latency routing sees the resolver (Route 53 answers the nearest healthy region);
   * default: the primary region, a client beside the writer.
   */
  resolverRegion: string;
  readonly sent: SentRequest[] = [];
  /** Every name the client asked its resolver for, with the world's time. */
  readonly queries: { readonly name: string; readonly at: number }[] = [];
  /** See ClientNetworkFaults; none by default. */
  readonly faults: ClientNetworkFaults = {};
  /** Answers Route 53 gave (not the resolver's cache), for tests. */
  route53Queries = 0;
  private readonly targets = new Map<string, SimulatedTarget>();
  private readonly byAddress = new Map<string, SimulatedTarget>();
  /** By target: the items routes of the API its custom domain maps to. */
  private readonly routes = new Map<string, ItemsRoute[]>();
  private readonly configs = new Map<string, ItemsConfig>();
  private readonly services = new Map<string, ReturnType<typeof createItemsService>>();
  private readonly cache = new Map<string, CachedAnswer>();
  /** The shared resolver of assumeResolver (worst-case, min-ttl); undefined: resolverCacheMs. */
  private shared?: { readonly minTtlSeconds: number };
  private readonly history = new Map<string, AnswerHistory>();
  private sampling = false;
  private inFlight = 0;
  private mostInFlight = 0;

  constructor(
    private readonly world: SimulatedWorld,
    deployment: SimulatedDeployment,
  ) {
    const t = world.topology;
    this.resolverRegion = t.primaryRegion;
    let next = 1;
    world.topology.regions.forEach((r) => {
      const regional = world.records.find(
        (x) => normalizeHostname(x.name) === r.regionalHostname && x.type === 'CNAME',
      );
      const served: [string | undefined, string][] = [
        [regional?.values[0], r.regionalHostname],
        [r.appTarget, t.appHostname],
        [r.writeTarget, t.writeHostname],
      ];
      for (const [target, hostname] of served) {
        if (!target) continue;
        // Stable documentation addresses (RFC 5737 TEST-NET-1), two per target, in topology order.
        const entry: SimulatedTarget = {
          target: normalizeHostname(target),
          region: r.region,
          hostname,
          addresses: [`192.0.2.${next}`, `192.0.2.${next + 1}`],
        };
        next += 2;
        this.targets.set(entry.target, entry);
        entry.addresses.forEach((a) => this.byAddress.set(a, entry));
        this.routes.set(entry.target, itemsRoutes(deployment, r.region, hostname));
      }
      this.configs.set(r.region, itemsConfig(deployment, r.region));
    });
  }

  /**
   * Takes the scenario's client resolver behaviour (SimulationAssumptions.resolver). Until it
   * is called the resolver is the `resolverCacheMs` cache above (the tests' default).
   * - `worst-case`: a shared recursive resolver kept warm by other clients, that fetched each
   *   answer just before Route 53 changed it: it may keep an answer for its TTL and no longer
   *   (RFC 1035 section 3.2.1; RFC 2181 section 8), so every change reaches the client one TTL
   *   of the record it replaces later, with the remaining TTL counted down. Route 53 answers
   *   with the TTL the record is published with, and a resolver caches it that long (Route 53
   *   Developer Guide, "Values specific for failover records", TTL (seconds): "the amount of
   *   time, in seconds, that you want DNS recursive resolvers to cache information").
   * - `stub`: no shared resolver, every query reaches Route 53: only the client's own cache
   *   (its TTL) delays a change.
   * - `min-ttl`: the worst-case resolver, but it keeps every answer at least
   *   `resolverMinTtlSeconds` and answers that TTL counted down (Unbound `cache-min-ttl`,
   *   dnsmasq `min-cache-ttl`): past the TTL, which RFC 8767 (section 4) allows a resolver
   *   only when it cannot reach the authorities; Route 53 recommends 60 s or less on records
   *   with a health check (Route 53 Developer Guide, "Values specific for failover records").
   */
  assumeResolver(assumptions: SimulationAssumptions): void {
    const mode = assumptions.resolver;
    const minTtl = assumptions.resolverMinTtlSeconds;
    if (mode === 'min-ttl' && !(Number.isInteger(minTtl) && minTtl! > 0)) {
      throw new Error(
        `resolver min-ttl needs resolverMinTtlSeconds, a whole number of seconds above 0, got: ${String(minTtl)}; set it in the scenario's assumptions (for example 300)`,
      );
    }
    this.cache.clear();
    this.history.clear();
    this.resolverCacheMs = 0;
    this.shared = mode === 'stub' ? undefined : { minTtlSeconds: mode === 'min-ttl' ? minTtl! : 0 };
    const clock = this.world.clock;
    if (this.shared && clock instanceof VirtualClock && !this.sampling) {
      this.sampling = true;
      // After what woke at this time ran (a health checker's probe), before time moves on.
      clock.onAdvance(() => setImmediate(() => this.sample()));
    }
  }

  /**
   * Records Route 53's answer now for every RRset the client has asked for, so the shared
   * resolver knows when each answer changed (after every step of virtual time, once what woke
   * then has run; call it after changing the world by hand to date a change exactly).
   */
  sample(): void {
    if (!this.shared || this.history.size === 0) return;
    this.world.advance();
    const now = this.world.clock.now();
    for (const h of this.history.values()) record(h, now);
  }

  /** The deployment's targets: where each regional domain name's addresses lead. */
  targetOf(address: string): { target: string; region: string; hostname: string } | undefined {
    return this.byAddress.get(address);
  }

  /** The addresses a deployment's target (an API Gateway regional domain name) resolves to. */
  addressesOf(target: string): readonly string[] {
    const found = this.targets.get(normalizeHostname(target));
    if (!found) throw new Error(`fake: ${target} is none of the deployment's targets`);
    return found.addresses;
  }

  /** The most requests that were in flight at once. */
  get maxInFlight(): number {
    return this.mostInFlight;
  }

  /** The items function's configuration in a region, as its template's environment sets it. */
  configIn(region: string): ItemsConfig {
    const config = this.configs.get(region);
    if (!config) throw new Error(`fake: no items function deployed in ${region}`);
    return config;
  }

  async resolve(name: string): Promise<DnsAnswerView> {
    this.world.advance(); // the world moves on as the clock does (promotion, replication)
    const asked = normalizeHostname(name);
    this.queries.push({ name, at: this.world.clock.now() });
    const fault = this.faults.resolve?.(name);
    if (fault === 'hang') return new Promise<never>(() => undefined);
    if (fault instanceof Error) throw fault;
    if (fault) return fault;
    const cnames: { name: string; target: string; ttlSeconds: number }[] = [];
    let current = asked;
    while (!this.targets.has(current)) {
      if (cnames.length > 8) throw new Error(`SERVFAIL ${asked}: CNAME chain longer than 8`);
      const asking = current; // the shared resolver asks again later (sample)
      const answer = this.lookup(asking, () => {
        const record = this.world.dnsRecord(asking, this.resolverRegion);
        return record && { value: normalizeHostname(record.values[0]), ttlSeconds: record.ttl };
      });
      if (!answer) throw new Error(`NXDOMAIN ${current}: no record of that name`);
      cnames.push({ name: current, target: answer.value, ttlSeconds: answer.ttlSeconds });
      current = answer.value;
    }
    const target = this.targets.get(current)!;
    const addresses = target.addresses.map((address, i) => {
      const a = this.lookup(`${current}#${i}`, () => ({
        value: address,
        ttlSeconds: TARGET_ADDRESS_TTL_SECONDS,
      }))!;
      return { address: a.value, ttlSeconds: a.ttlSeconds };
    });
    return { cnames, addresses };
  }

  /** One RRset through the resolver's cache: kept at most its TTL, the TTL counted down. */
  private lookup(
    key: string,
    ask: () => { value: string; ttlSeconds: number } | undefined,
  ): { value: string; ttlSeconds: number } | undefined {
    const now = this.world.clock.now();
    if (this.shared) return this.sharedAnswer(`${this.resolverRegion} ${key}`, ask, now);
    const cached = this.cache.get(key);
    if (cached) {
      const age = now - cached.at;
      if (age < Math.min(cached.ttlSeconds * 1000, this.resolverCacheMs)) {
        return {
          value: cached.value,
          ttlSeconds: Math.floor((cached.ttlSeconds * 1000 - age) / 1000),
        };
      }
      this.cache.delete(key);
    }
    this.route53Queries++;
    const fresh = ask();
    if (fresh && this.resolverCacheMs > 0) this.cache.set(key, { ...fresh, at: now });
    return fresh;
  }

  /**
   * The shared resolver's answer (see assumeResolver): the latest of Route 53's answers whose
   * change has reached it, one kept TTL of the answer before it after the change, with what
   * is left of its TTL until the next change arrives, or, when none is due, counted down in
   * whole periods of its TTL since it arrived (a warm resolver refetches as each one ends).
   */
  private sharedAnswer(
    key: string,
    ask: () => { value: string; ttlSeconds: number } | undefined,
    now: number,
  ): { value: string; ttlSeconds: number } | undefined {
    let history = this.history.get(key);
    if (!history) {
      history = { ask, segments: [] };
      this.history.set(key, history);
    }
    if (!record(history, now)) return undefined;
    const kept = (s: AnswerSegment) => Math.max(s.ttlSeconds, this.shared!.minTtlSeconds) * 1000;
    const segments = history.segments;
    const arrives = (i: number) =>
      i === 0 ? segments[0].from : segments[i].from + kept(segments[i - 1]);
    let shown = segments.length - 1;
    while (shown > 0 && arrives(shown) > now) shown--;
    const later = segments.slice(shown + 1).map((_, j) => arrives(shown + 1 + j));
    const period = kept(segments[shown]);
    const remainingMs =
      later.length > 0 ? Math.min(...later) - now : period - ((now - arrives(shown)) % period);
    return { value: segments[shown].value, ttlSeconds: Math.floor(remainingMs / 1000) };
  }

  async send(request: ClientHttpRequest): Promise<ClientHttpResponse> {
    this.sample();
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    try {
      return await this.exchange(request);
    } finally {
      this.inFlight--;
    }
  }

  private async exchange(request: ClientHttpRequest): Promise<ClientHttpResponse> {
    const world = this.world;
    world.advance();
    const at = world.clock.now();
    const target = this.byAddress.get(request.address);
    const record = (status?: number) =>
      this.sent.push({ at, request, region: target?.region, status });
    if (this.faults.hang?.(request)) {
      record();
      return new Promise<never>(() => undefined);
    }
    const refused = this.faults.gateway?.(request);
    if (refused) {
      record(refused.status);
      return refused;
    }
    if (!target) {
      record();
      throw Object.assign(
        new Error(
          `connect ECONNREFUSED ${request.address}:443 (the fake network has no target at this address)`,
        ),
        { code: 'ECONNREFUSED' },
      );
    }
    if (world.down.has(target.region)) {
      record();
      await world.clock.sleep(request.timeoutMs);
      // Said simulated, with why: a rehearsal's log must not read like a real endpoint's failure.
      throw Object.assign(
        new Error(`connect ETIMEDOUT ${request.address}:443 (simulated: ${target.region} is down)`),
        { code: 'ETIMEDOUT' },
      );
    }
    const response = await this.answer(target, request);
    if (response === 'timeout') {
      record();
      throw Object.assign(
        new Error(
          `${request.method} https://${request.hostname}${request.path} timed out after ${request.timeoutMs} ms`,
        ),
        { code: 'ETIMEDOUT' },
      );
    }
    record(response.status);
    return response;
  }

  private async answer(
    target: SimulatedTarget,
    request: ClientHttpRequest,
  ): Promise<ClientHttpResponse | 'timeout'> {
    // A regional custom domain answers only its own name (Host and SNI); the d-<id> name is
    // per custom domain (API Gateway Developer Guide, "Set up a Regional custom domain name").
    if (normalizeHostname(request.hostname) !== target.hostname) {
      return gatewayError(403, 'Forbidden');
    }
    // SigV4 scopes a signature to one region; a credential scoped to another is refused with
    // 403 (IAM User Guide, "Troubleshoot Signature Version 4 signing for AWS API requests",
    // credential scope).
    const scope = /Credential=[^/,]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
      request.headers.authorization ?? request.headers.Authorization ?? '',
    );
    if (request.signingRegion !== target.region || (scope && scope[1] !== target.region)) {
      return gatewayError(403, 'Credential should be scoped to a valid region. ');
    }
    if (scope && scope[2] !== 'execute-api') {
      return gatewayError(403, "Credential should be scoped to correct service: 'execute-api'. ");
    }
    const path = request.path.split('?')[0];
    let pathParameters: Record<string, string> | undefined;
    for (const route of this.routes.get(target.target) ?? []) {
      const m = route.method === request.method ? route.pattern.exec(path) : null;
      if (m) {
        pathParameters = Object.fromEntries(
          route.parameters.map((p, i) => [p, decodeURIComponent(m[i + 1])]),
        );
        break;
      }
    }
    if (!pathParameters) return gatewayError(404, 'Not Found');
    // HTTP API payload 2.0 lower-cases header names (API Gateway Developer Guide, "Create AWS
    // Lambda proxy integrations for HTTP APIs").
    const event: ItemsEvent = {
      requestContext: { http: { method: request.method } },
      pathParameters,
      headers: Object.fromEntries(
        Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]),
      ),
      body: request.body,
      isBase64Encoded: false,
    };
    // The client's own bound on the virtual clock; the service's bounds end first when shorter.
    const abort = new AbortController();
    const served = this.service(target.region)
      .handle(event)
      .finally(() => abort.abort());
    const timedOut = (async (): Promise<HttpResponse | 'timeout'> => {
      await this.world.clock.sleep(request.timeoutMs, abort.signal);
      return abort.signal.aborted ? served : 'timeout';
    })();
    const winner: HttpResponse | 'timeout' = await Promise.race([served, timedOut]);
    if (winner === 'timeout') return 'timeout';
    return {
      status: winner.statusCode,
      headers: Object.fromEntries(
        Object.entries(winner.headers).map(([k, v]) => [k.toLowerCase(), v]),
      ),
      body: winner.body,
    };
  }

  /** One warm container per region, as Lambda keeps one between requests. */
  private service(region: string) {
    let service = this.services.get(region);
    if (!service) {
      const config = this.configIn(region);
      const world = this.world;
      const ssm = {
        // The drain switch as the world holds it (not a served call: no step makes it).
        send: async (command: GetParameterCommand): Promise<GetParameterCommandOutput> => {
          const name = command.input.Name;
          if (name !== world.deployed(region).drainParameterName) {
            throw new Error(`fake: the items function read an unknown parameter ${name}`);
          }
          return { Parameter: { Name: name, Value: world.region(region).drain }, $metadata: {} };
        },
      };
      service = createItemsService(config, {
        ssm,
        sql: new WorldSqlDriver(world, region, config),
        now: () => world.clock.now(),
      });
      this.services.set(region, service);
    }
    return service;
  }
}

/** Appends Route 53's answer now when it differs from the last one; false: no answer. */
function record(history: AnswerHistory, now: number): boolean {
  const fresh = history.ask();
  if (!fresh) return false;
  const last = history.segments.at(-1);
  if (!last || last.value !== fresh.value || last.ttlSeconds !== fresh.ttlSeconds) {
    history.segments.push({ from: now, ...fresh });
  }
  return true;
}

/** API Gateway's own JSON error body. */
export function gatewayError(status: number, message: string): ClientHttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message }),
  };
}

function onlyOne(found: DeployedResource[], what: string): DeployedResource {
  if (found.length !== 1) throw new Error(`fake: expected one ${what}, found ${found.length}`);
  return found[0];
}

/** The region's items function, found as the template deploys it (its environment names the writer). */
function itemsFunction(deployment: SimulatedDeployment, region: string): DeployedResource {
  return onlyOne(
    deployment
      .resources('AWS::Lambda::Function')
      .filter((f) => f.region === region && itemsVariables(f)[ITEMS_ENV.writerHost] !== undefined),
    `items function in ${region}`,
  );
}

function itemsVariables(f: DeployedResource): Record<string, string> {
  const env = f.properties.Environment as { Variables?: Record<string, string> } | undefined;
  return env?.Variables ?? {};
}

/** The items function's configuration, read as Lambda runs it (Lambda sets AWS_REGION). */
function itemsConfig(deployment: SimulatedDeployment, region: string): ItemsConfig {
  const f = itemsFunction(deployment, region);
  return readItemsConfig({ ...itemsVariables(f), [ITEMS_ENV.region]: region });
}

/**
 * The routes that integrate the region's items function (`PUT /items/{id}`...) in the HTTP API
 * that the custom domain `hostname` maps to (AWS::ApiGatewayV2::DomainName, ApiMapping); none
 * when the domain maps no API.
 */
function itemsRoutes(
  deployment: SimulatedDeployment,
  region: string,
  hostname: string,
): ItemsRoute[] {
  const inRegion = (type: string) => deployment.resources(type).filter((x) => x.region === region);
  const domain = inRegion('AWS::ApiGatewayV2::DomainName').find(
    (d) => d.properties.DomainName === hostname,
  );
  const apis = new Set(
    inRegion('AWS::ApiGatewayV2::ApiMapping')
      .filter((m) => domain && m.properties.DomainName === domain.physicalId)
      .map((m) => String(m.properties.ApiId)),
  );
  const fn = itemsFunction(deployment, region);
  const integrations = deployment
    .resources('AWS::ApiGatewayV2::Integration')
    .filter(
      (i) =>
        i.region === region && String(i.properties.IntegrationUri).endsWith(`/${fn.physicalId}`),
    )
    .map((i) => `integrations/${i.physicalId}`);
  return deployment
    .resources('AWS::ApiGatewayV2::Route')
    .filter(
      (r) =>
        r.region === region &&
        apis.has(String(r.properties.ApiId)) &&
        integrations.includes(String(r.properties.Target)),
    )
    .map((r) => {
      const [method, template] = String(r.properties.RouteKey).split(' ');
      const parameters: string[] = [];
      const pattern = template
        .split('/')
        .map((part) => {
          const p = /^\{(\w+)\}$/.exec(part);
          if (!p) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          parameters.push(p[1]);
          return '([^/]+)';
        })
        .join('/');
      return { method, pattern: new RegExp(`^${pattern}$`), parameters };
    });
}
