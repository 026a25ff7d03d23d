// A client network for the client canary's tests, derived from a FakeWorld: DNS answers follow
// the world's records (FakeWorld.dnsAnswer, each hop with its record's TTL), and each request is
// answered by the real items function of the region whose address it went to, with the world's
// drain switch and a small in-memory database behind the global writer endpoint.
import { GetParameterCommandOutput } from '@aws-sdk/client-ssm';
import { ITEM_ROUTES } from '../../constructs/contract';
import {
  CLAIM_KEY_SQL,
  createItemsService,
  EARLIER_REQUEST_SQL,
  READ_ITEM_SQL,
  UPSERT_ITEM_SQL,
  WRITER_REGION_SQL,
} from '../../constructs/handlers/items';
import type { SqlConnection, SqlDriver } from '../../constructs/handlers/pg-connection';
import { DEFAULT_RETRY_AFTER_SECONDS, ITEMS_TIMEOUTS_MS } from '../../constructs/contract';
import {
  normalizeHostname,
  type ClientHttpRequest,
  type ClientHttpResponse,
  type ClientNetworkApi,
  type DnsAnswerView,
} from '../../runbooks/drill/aws/ports';
import type { FakeWorld } from './fake-aws';

/** The items the service committed, as the writer has them (every region reads them at once). */
export interface ItemsDb {
  readonly items: Map<string, Record<string, unknown>>;
  readonly requests: Map<string, Record<string, unknown>>;
}

/** What a test may change in how the network answers. */
export interface NetworkScript {
  /** Throw this from `resolve(name)` now (a SERVFAIL, an NXDOMAIN...). */
  resolveError?: (name: string) => Error | undefined;
  /** Answer this instead of what the world's records say; `'hang'`: never answer. */
  resolveAnswer?: (name: string) => DnsAnswerView | 'hang' | undefined;
  /** Never answer this request (the canary's timeout ends it). */
  hang?: (request: ClientHttpRequest) => boolean;
  /** COMMIT fails after it was sent (the service answers `committed: "unknown"`). */
  commitFails?: () => boolean;
}

export interface TestNetwork extends ClientNetworkApi {
  readonly db: ItemsDb;
  readonly script: NetworkScript;
  /** Every name asked, with the world's time. */
  readonly queries: { name: string; at: number }[];
  readonly requests: ClientHttpRequest[];
  /** The most requests in flight at once. */
  readonly maxInFlight: number;
  /** The region of a test address. */
  regionOfAddress(address: string): string | undefined;
}

/** One documentation address (RFC 5737, TEST-NET-2) per region, in the topology's order. */
export function addressOf(world: FakeWorld, region: string): string {
  return `198.51.100.${world.topology.regions.findIndex((r) => r.region === region) + 1}`;
}

export function testNetwork(world: FakeWorld, script: NetworkScript = {}): TestNetwork {
  const db: ItemsDb = { items: new Map(), requests: new Map() };
  const queries: { name: string; at: number }[] = [];
  const requests: ClientHttpRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const regionOfTarget = (target: string) =>
    world.topology.regions.find(
      (r) =>
        normalizeHostname(r.appTarget) === target || normalizeHostname(r.writeTarget) === target,
    )?.region;
  const services = new Map(
    world.topology.regions.map((r) => [
      r.region,
      createItemsService(
        {
          region: r.region,
          writerHost: world.topology.globalWriterEndpoint,
          readerHost: `reader.${r.clusterIdentifier}`,
          port: 5432,
          databaseName: world.topology.databaseName,
          user: 'items_api',
          drainParameterName: r.drainParameterName,
          // Every write reads the world's switch: the fence takes effect at once.
          drainCacheTtlMs: 0,
          commitTimeoutMs: ITEMS_TIMEOUTS_MS.commit.default,
          readTimeoutMs: ITEMS_TIMEOUTS_MS.read.default,
          drainTimeoutMs: ITEMS_TIMEOUTS_MS.drain.default,
          retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
        },
        {
          ssm: {
            send: async () =>
              ({
                Parameter: { Value: world.region(r.region).drain },
                $metadata: {},
              }) as GetParameterCommandOutput,
          },
          sql: itemsDriver(world, db, script),
          now: () => world.clock.now(),
        },
      ),
    ]),
  );
  const network: TestNetwork = {
    db,
    script,
    queries,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    regionOfAddress: (address) =>
      world.topology.regions.find((r) => addressOf(world, r.region) === address)?.region,
    async resolve(name) {
      queries.push({ name, at: world.clock.now() });
      const error = script.resolveError?.(name);
      if (error) throw error;
      const scripted = script.resolveAnswer?.(name);
      if (scripted === 'hang') return new Promise<never>(() => undefined);
      if (scripted) return scripted;
      const cnames: DnsAnswerView['cnames'][number][] = [];
      let current = normalizeHostname(name);
      for (let hops = 0; hops < 8; hops++) {
        const [value] = world.dnsAnswer(current);
        if (value === undefined) break;
        const ttls = world.records
          .filter((r) => normalizeHostname(r.name) === current && r.type === 'CNAME')
          .map((r) => r.ttl);
        cnames.push({
          name: current,
          target: normalizeHostname(value),
          ttlSeconds: Math.min(...ttls),
        });
        current = normalizeHostname(value);
      }
      const region = regionOfTarget(current);
      if (!region) throw new Error(`NXDOMAIN ${name}`);
      return { cnames, addresses: [{ address: addressOf(world, region), ttlSeconds: 60 }] };
    },
    async send(request) {
      requests.push(request);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if (script.hang?.(request)) return await new Promise<never>(() => undefined);
        const region = network.regionOfAddress(request.address);
        if (!region) throw new Error(`connect ECONNREFUSED ${request.address}:443`);
        const prefix = ITEM_ROUTES.write.path.replace('{id}', '');
        const response = await services.get(region)!.handle({
          requestContext: { http: { method: request.method } },
          pathParameters: { id: decodeURIComponent(request.path.slice(prefix.length)) },
          headers: { ...request.headers },
          ...(request.body !== undefined ? { body: request.body } : {}),
        });
        return toClient(response);
      } finally {
        inFlight--;
      }
    },
  };
  return network;
}

function toClient(response: {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}): ClientHttpResponse {
  return {
    status: response.statusCode,
    headers: Object.fromEntries(
      Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]),
    ),
    body: response.body,
  };
}

/** The statements the items function sends, on one in-memory database. */
function itemsDriver(world: FakeWorld, db: ItemsDb, script: NetworkScript): SqlDriver {
  return {
    async connect() {
      let open = true;
      let pending: { request?: Record<string, unknown>; item?: Record<string, unknown> } = {};
      const connection: SqlConnection = {
        isOpen: () => open,
        destroy: () => {
          open = false;
          pending = {};
        },
        async query(text, values = []) {
          const [a, b, c, d] = values as string[];
          switch (text) {
            case 'BEGIN':
            case 'ROLLBACK':
              pending = {};
              return { rows: [] };
            case WRITER_REGION_SQL:
              return { rows: [{ aws_region: world.writer }] };
            case CLAIM_KEY_SQL:
              if (db.requests.has(a)) return { rows: [] };
              pending.request = { idempotency_key: a, item_id: b, request_sha256: c };
              return { rows: [{ idempotency_key: a }] };
            case EARLIER_REQUEST_SQL:
              return { rows: db.requests.has(a) ? [db.requests.get(a)!] : [] };
            case UPSERT_ITEM_SQL: {
              const item = {
                id: b,
                body: JSON.parse(c) as unknown,
                updated_at: new Date(world.clock.now()).toISOString(),
                written_via: d,
              };
              pending.item = item;
              return { rows: [{ result: item }] };
            }
            case 'COMMIT': {
              if (script.commitFails?.()) {
                open = false;
                throw new Error('Connection terminated unexpectedly');
              }
              const { request, item } = pending;
              if (request && item) {
                db.items.set(String(item.id), item);
                db.requests.set(String(request.idempotency_key), { ...request, result: item });
              }
              pending = {};
              return { rows: [] };
            }
            case READ_ITEM_SQL:
              return { rows: [{ item: db.items.get(a) ?? null, stale_ms: 0 }] };
            default:
              throw new Error(`test network: unexpected SQL ${text}`);
          }
        },
      };
      return connection;
    },
  };
}
