import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CLAIM_KEY_SQL,
  EARLIER_REQUEST_SQL,
  READ_ITEM_SQL,
  UPSERT_ITEM_SQL,
  WRITER_REGION_SQL,
  createItemsHandler,
  readItemsConfig,
  type ItemsEvent,
} from '../../../constructs/handlers/items';
import type {
  SqlConnection,
  SqlDriver,
  SqlTarget,
} from '../../../constructs/handlers/pg-connection';
import { ITEMS_ENV } from '../../../constructs/contract';

const ssm = mockClient(SSMClient);

const REGION = 'us-west-2';
const WRITER = 'orders.global-abc.global.rds.amazonaws.com';
const READER = 'orders-usw2.cluster-ro-abc.us-west-2.rds.amazonaws.com';
const DRAIN = '/multi-region-ref/drain';

const ENV: NodeJS.ProcessEnv = {
  [ITEMS_ENV.region]: REGION,
  [ITEMS_ENV.writerHost]: WRITER,
  [ITEMS_ENV.readerHost]: READER,
  [ITEMS_ENV.port]: '5432',
  [ITEMS_ENV.databaseName]: 'app',
  [ITEMS_ENV.user]: 'items_api',
  [ITEMS_ENV.drainParameterName]: DRAIN,
  [ITEMS_ENV.commitTimeoutMs]: '150',
  [ITEMS_ENV.readTimeoutMs]: '150',
  [ITEMS_ENV.extraCaCerts]: '/var/runtime/ca-cert.pem',
};

type Row = Record<string, unknown>;

/**
 * A stand-in for Aurora behind SqlDriver: it runs the statements the items function sends, keeps
 * a transaction's writes apart until COMMIT, and loses them when the connection is destroyed.
 */
class FakeAurora implements SqlDriver {
  readonly items = new Map<string, Row>();
  readonly requests = new Map<string, Row>();
  /** Hosts whose connections fail, with the error. */
  readonly unreachable = new Map<string, Error>();
  /** A statement (by its first characters) that never answers. */
  hangOn?: string;
  staleMs: number | null = 1200;
  /** What aurora_global_db_instance_status() reports as the writer's region. */
  writerRegion: string | null = 'us-east-1';
  readonly targets: SqlTarget[] = [];
  readonly statements: string[] = [];
  /** Each statement with the host it ran on. */
  readonly ran: [string, string][] = [];

  async connect(target: SqlTarget): Promise<SqlConnection> {
    this.targets.push(target);
    const refused = this.unreachable.get(target.host);
    if (refused) throw refused;
    let open = true;
    let pending: { items: Map<string, Row>; requests: Map<string, Row> } | undefined;
    return {
      isOpen: () => open,
      destroy: () => {
        open = false;
        pending = undefined;
      },
      query: async (text, values = []) => {
        if (!open) throw new Error('Connection terminated');
        this.statements.push(text);
        this.ran.push([target.host, text]);
        if (this.hangOn && text.startsWith(this.hangOn)) return new Promise(() => undefined);
        const [a, b, c, d] = values as string[];
        if (text === 'BEGIN') pending = { items: new Map(), requests: new Map() };
        else if (text === 'ROLLBACK') pending = undefined;
        else if (text === 'COMMIT') {
          pending?.items.forEach((v, k) => this.items.set(k, v));
          pending?.requests.forEach((v, k) => this.requests.set(k, v));
          pending = undefined;
        } else if (text === CLAIM_KEY_SQL) {
          if (this.requests.has(a)) return { rows: [] };
          pending!.requests.set(a, { item_id: b, request_sha256: c, result: null });
          return { rows: [{ idempotency_key: a }] };
        } else if (text === EARLIER_REQUEST_SQL) {
          return { rows: [this.requests.get(a)!] };
        } else if (text === UPSERT_ITEM_SQL) {
          const item = {
            id: b,
            body: JSON.parse(c),
            updated_at: '2026-12-01T15:00:00Z',
            written_via: d,
          };
          pending!.items.set(b, item);
          pending!.requests.get(a)!.result = item;
          return { rows: [{ result: item }] };
        } else if (text === WRITER_REGION_SQL) {
          return { rows: this.writerRegion ? [{ aws_region: this.writerRegion }] : [] };
        } else if (text === READ_ITEM_SQL) {
          return { rows: [{ item: this.items.get(a) ?? null, stale_ms: this.staleMs }] };
        } else throw new Error(`unexpected statement: ${text}`);
        return { rows: [] };
      },
    };
  }
}

function put(id: string, body: unknown, key?: string): ItemsEvent {
  return {
    requestContext: { http: { method: 'PUT' } },
    pathParameters: { id },
    headers: key === undefined ? {} : { 'idempotency-key': key },
    body: JSON.stringify(body),
  };
}
const get = (id: string): ItemsEvent => ({
  requestContext: { http: { method: 'GET' } },
  pathParameters: { id },
});

function givenDrain(value: string | Error): void {
  ssm.reset();
  const stub = ssm.on(GetParameterCommand, { Name: DRAIN });
  if (value instanceof Error) stub.rejects(value);
  else stub.resolves({ Parameter: { Value: value } });
}

let aurora: FakeAurora;
let now: number;
function handler(env: NodeJS.ProcessEnv = ENV) {
  return createItemsHandler(
    () => ({ ssm: new SSMClient({ region: REGION }), sql: aurora, now: () => now }),
    env,
  );
}
const bodyOf = (res: { body: string }) => JSON.parse(res.body) as Record<string, unknown>;

beforeEach(() => {
  aurora = new FakeAurora();
  now = Date.parse('2026-12-01T15:00:00Z');
  givenDrain('false');
});

describe('an acknowledged write', () => {
  test('GIVEN an undrained region WHEN an item is PUT THEN it commits through the global writer endpoint and returns the committed row', async () => {
    const res = await handler()(put('a1', { n: 1 }, 'k1'));

    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).toEqual({
      item: { id: 'a1', body: { n: 1 }, updated_at: '2026-12-01T15:00:00Z', written_via: REGION },
      region: REGION,
      replayed: false,
    });
    // The writer's region from the local replica, then the token signed for that region.
    expect(aurora.targets).toEqual([
      { host: READER, port: 5432, database: 'app', user: 'items_api' },
      { host: WRITER, port: 5432, database: 'app', user: 'items_api', signingRegion: 'us-east-1' },
    ]);
    expect(aurora.statements.at(-1)).toBe('COMMIT');
    expect(aurora.items.get('a1')).toMatchObject({ body: { n: 1 } });
  });
});

describe('idempotency', () => {
  test('GIVEN a committed write WHEN the same key and body come again THEN the first result is returned and nothing is written again', async () => {
    const h = handler();
    const first = await h(put('a1', { n: 1 }, 'k1'));
    aurora.items.set('a1', { id: 'a1', body: { n: 99 } });

    const again = await h(put('a1', { n: 1 }, 'k1'));

    expect(again.statusCode).toBe(200);
    expect(bodyOf(again)).toEqual({ ...bodyOf(first), replayed: true });
    expect(aurora.items.get('a1')).toEqual({ id: 'a1', body: { n: 99 } });
    expect(aurora.statements.at(-1)).toBe('ROLLBACK');
  });

  test('GIVEN a committed write WHEN the same key comes with another body THEN 409 and nothing changes', async () => {
    const h = handler();
    await h(put('a1', { n: 1 }, 'k1'));

    const res = await h(put('a1', { n: 2 }, 'k1'));

    expect(res.statusCode).toBe(409);
    expect(bodyOf(res).error).toBe(
      "Idempotency-Key 'k1' was used for another request; send a new key for a new request",
    );
    expect(aurora.items.get('a1')).toMatchObject({ body: { n: 1 } });
  });

  test('GIVEN a write without Idempotency-Key WHEN PUT THEN 400 and no connection is opened', async () => {
    const res = await handler()(put('a1', { n: 1 }));

    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).error).toBe(
      "header Idempotency-Key is required: 1 to 128 visible ASCII characters, got: ''",
    );
    expect(aurora.targets).toHaveLength(0);
  });

  test('GIVEN a body that is not JSON WHEN PUT THEN 400', async () => {
    const res = await handler()({ ...put('a1', {}, 'k1'), body: '{' });

    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).error).toBe('the request body must be JSON');
  });
});

describe('writes refused fast and honestly (503 + Retry-After, no effect)', () => {
  test.each([
    [
      'drained or fenced',
      'true',
      `${REGION} is drained or fenced: SSM parameter ${DRAIN} is 'true'; write through another region or retry later`,
    ],
    [
      'a value that is neither true nor false',
      'maybe',
      `drain state is unknown, refusing writes: SSM parameter ${DRAIN} must be 'true' or 'false', got: 'maybe'`,
    ],
    [
      'an unreadable switch',
      new Error('AccessDenied'),
      `drain state is unknown, refusing writes: SSM GetParameter ${DRAIN} failed: Error: AccessDenied`,
    ],
  ])(
    'GIVEN %s WHEN an item is PUT THEN 503 without touching the database',
    async (_, value, message) => {
      givenDrain(value);

      const res = await handler()(put('a1', { n: 1 }, 'k1'));

      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('10');
      expect(bodyOf(res)).toEqual({ error: message, region: REGION, committed: false });
      expect(aurora.targets).toHaveLength(0);
    },
  );

  test('GIVEN the writer cannot be reached WHEN an item is PUT THEN 503 saying nothing was committed', async () => {
    aurora.unreachable.set(WRITER, new Error('getaddrinfo ENOTFOUND'));

    const res = await handler()(put('a1', { n: 1 }, 'k1'));

    expect(res.statusCode).toBe(503);
    expect(bodyOf(res)).toEqual({
      error: `cannot connect to the writer ${WRITER}: Error: getaddrinfo ENOTFOUND; nothing was committed`,
      region: REGION,
      committed: false,
    });
  });

  test('GIVEN the local replica cannot be reached WHEN an item is PUT THEN 503 saying nothing was committed', async () => {
    aurora.unreachable.set(READER, new Error('ECONNREFUSED'));

    const res = await handler()(put('a1', { n: 1 }, 'k1'));

    expect(res.statusCode).toBe(503);
    expect(bodyOf(res).error).toBe(
      `cannot connect to the writer ${WRITER}: Error: cannot tell the writer's region from ${READER}: Error: ECONNREFUSED; nothing was committed`,
    );
  });

  test('GIVEN the local replica reports no writer WHEN an item is PUT THEN 503 saying nothing was committed, and the writer is not tried', async () => {
    aurora.writerRegion = null;

    const res = await handler()(put('a1', { n: 1 }, 'k1'));

    expect(res.statusCode).toBe(503);
    expect(bodyOf(res)).toEqual({
      error: `cannot connect to the writer ${WRITER}: Error: the global database reports no writer instance; nothing was committed`,
      region: REGION,
      committed: false,
    });
    expect(aurora.targets.map((t) => t.host)).toEqual([READER]);
  });

  test('GIVEN a write that hangs before COMMIT WHEN the bound passes THEN 503 not committed, and the abandoned transaction never commits', async () => {
    aurora.hangOn = 'WITH item';

    const res = await handler()(put('a1', { n: 1 }, 'k1'));

    expect(res.statusCode).toBe(503);
    expect(bodyOf(res)).toEqual({
      error: 'the write did not finish within 150 ms; nothing was committed',
      region: REGION,
      committed: false,
    });
    expect(aurora.statements).not.toContain('COMMIT');
    expect(aurora.items.size).toBe(0);
  });

  test('GIVEN a COMMIT that never answers WHEN the bound passes THEN 503 with the outcome unknown, never acknowledged', async () => {
    aurora.hangOn = 'COMMIT';

    const res = await handler()(put('a1', { n: 1 }, 'k1'));

    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('10');
    expect(bodyOf(res)).toEqual({
      error:
        'the write did not finish within 150 ms after COMMIT was sent: the write may or may not have committed; retry with the same Idempotency-Key to learn its result',
      region: REGION,
      committed: 'unknown',
    });
  });

  test('GIVEN a timed-out write WHEN the next write comes THEN it opens a fresh connection (the writer may have moved)', async () => {
    const h = handler();
    aurora.hangOn = 'COMMIT';
    await h(put('a1', { n: 1 }, 'k1'));
    aurora.hangOn = undefined;

    const res = await h(put('a1', { n: 1 }, 'k2'));

    expect(res.statusCode).toBe(200);
    expect(aurora.targets.filter((t) => t.host === WRITER)).toHaveLength(2);
  });
});

describe('a local read', () => {
  test('GIVEN a committed item WHEN it is read THEN the local reader answers with the region and the staleness bound', async () => {
    const h = handler();
    await h(put('a1', { n: 1 }, 'k1'));

    const res = await h(get('a1'));

    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).toEqual({
      item: expect.objectContaining({ id: 'a1', body: { n: 1 } }),
      region: REGION,
      maxStalenessMs: 1200,
    });
    expect(aurora.ran.filter(([, text]) => text === READ_ITEM_SQL)).toEqual([
      [READER, READ_ITEM_SQL],
    ]);
  });

  test('GIVEN a drained region WHEN an item is read THEN it is still served (reads are the local copy)', async () => {
    givenDrain('true');

    const res = await handler()(get('missing'));

    expect(res.statusCode).toBe(404);
    expect(bodyOf(res)).toEqual({
      error: "item 'missing' not found",
      region: REGION,
      maxStalenessMs: 1200,
    });
  });

  test('GIVEN no heartbeat has replicated WHEN an item is read THEN the staleness is reported as unknown (null)', async () => {
    aurora.staleMs = null;

    const res = await handler()(get('missing'));

    expect(bodyOf(res).maxStalenessMs).toBeNull();
  });

  test('GIVEN a reader that hangs WHEN an item is read THEN 503 with Retry-After', async () => {
    aurora.hangOn = 'SELECT (SELECT to_jsonb';

    const res = await handler()(get('a1'));

    expect(res.statusCode).toBe(503);
    expect(bodyOf(res).error).toBe(`the read did not finish within 150 ms on ${READER}`);
  });
});

describe('requests the function refuses', () => {
  test.each([
    [
      { ...get('a b') },
      400,
      "item id must be 1 to 128 letters, digits, '.', '_' or '-', got: 'a b'",
    ],
    [
      { ...get('a1'), requestContext: { http: { method: 'DELETE' } } },
      405,
      'method DELETE is not allowed on /items/{id}; use GET or PUT',
    ],
  ])('GIVEN %j THEN %i', async (event, status, message) => {
    const res = await handler()(event);

    expect(res.statusCode).toBe(status);
    expect(bodyOf(res).error).toBe(message);
  });

  test('GIVEN a configuration without the writer endpoint WHEN called THEN 500 names the variable', async () => {
    const env = { ...ENV, [ITEMS_ENV.writerHost]: '', [ITEMS_ENV.commitTimeoutMs]: '5' };
    jest.spyOn(console, 'error').mockImplementation(() => undefined);

    const res = await handler(env)(get('a1'));

    expect(res.statusCode).toBe(500);
    expect(bodyOf(res).problems).toEqual([
      "DB_WRITER_HOST is not set: set it to Aurora's global writer endpoint host name",
      "COMMIT_TIMEOUT_MS must be milliseconds from 100 to 8000, got: '5'",
    ]);
    expect(() => readItemsConfig(env)).toThrow(
      "items function configuration is invalid: DB_WRITER_HOST is not set: set it to Aurora's global writer endpoint host name; COMMIT_TIMEOUT_MS must be milliseconds from 100 to 8000, got: '5'",
    );
  });
});
