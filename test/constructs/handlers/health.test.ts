import * as net from 'node:net';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ConfigError,
  createHandler,
  createHealthService,
  GLOBAL_STATUS_SQL,
  type HealthBody,
  type HealthConfig,
  type HealthDeps,
  HEARTBEAT_SQL,
  type HealthService,
  pgDriver,
  readConfig,
  realDeps,
  SERVING_SQL,
  secondariesWithinRpo,
  type SqlConnection,
  type SqlDriver,
  type SqlTarget,
} from '../../../constructs/handlers/health';
import { HEALTH_ENV, PROBE_TIMEOUTS_MS } from '../../../constructs/handlers/health-contract';
import { SERVICE_METRIC_NAMESPACE } from '../../../constructs/service-metrics';

const ssm = mockClient(SSMClient);

const REGION = 'us-east-1';
const OTHER_REGION = 'us-west-2';
const THIRD_REGION = 'eu-west-1';
const DRAIN_PARAM = '/orders/us-east-1/drain';
const READER = 'orders-use1.cluster-ro-abc.us-east-1.rds.amazonaws.com';
const CLUSTER = 'orders-use1.cluster-abc.us-east-1.rds.amazonaws.com';
const START = Date.parse('2025-06-01T12:00:00.000Z');

const BASE_ENV: NodeJS.ProcessEnv = {
  AWS_REGION: REGION,
  DB_READER_HOST: READER,
  DB_CLUSTER_HOST: CLUSTER,
  DB_PORT: '5432',
  DB_NAME: 'app',
  DB_USER: 'health_check',
  DRAIN_PARAMETER_NAME: DRAIN_PARAM,
  RPO_SECONDS: '30',
  NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
};

/** How one step of the fake answers: at once, never, with an error, or after a delay. */
type Step = 'ok' | 'hang' | Error | { readonly afterMs: number };
const HANG = 'hang' as const;

/**
 * A stand-in for Aurora behind the SqlDriver interface: it answers the three statements the
 * function sends the way Aurora PostgreSQL does, and each step can hang or fail.
 */
class FakeAurora implements SqlDriver {
  writerRegion: string | undefined = REGION;
  /** aurora_global_db_status() rows: -1 for the writer's cluster. */
  members: Array<{ region: string; rpoLagMs: number | null }> = [
    { region: REGION, rpoLagMs: -1 },
    { region: OTHER_REGION, rpoLagMs: 120 },
  ];
  connectStep: Record<string, Step> = {};
  servingStep: Step = 'ok';
  statusStep: Step = 'ok';
  heartbeatStep: Step = 'ok';
  readonly connects: SqlTarget[] = [];
  readonly statements: Array<{ host: string; text: string; values: readonly unknown[] }> = [];
  readonly destroyed: string[] = [];
  readonly open: FakeConnection[] = [];

  connect(target: SqlTarget): Promise<SqlConnection> {
    this.connects.push(target);
    return this.play(this.connectStep[target.host] ?? 'ok', () => {
      const conn = new FakeConnection(this, target.host);
      this.open.push(conn);
      return conn;
    });
  }

  play<T>(step: Step, answer: () => T): Promise<T> {
    if (step === HANG) return new Promise<T>(() => undefined);
    if (step instanceof Error) return Promise.reject(step);
    if (typeof step === 'object') {
      return new Promise<T>((resolve) => setTimeout(() => resolve(answer()), step.afterMs));
    }
    return Promise.resolve(answer());
  }
}

class FakeConnection implements SqlConnection {
  private closed = false;
  constructor(
    private readonly db: FakeAurora,
    readonly host: string,
  ) {}

  query(text: string, values: readonly unknown[] = []) {
    const db = this.db;
    db.statements.push({ host: this.host, text, values });
    if (text === SERVING_SQL) return db.play(db.servingStep, () => ({ rows: [{ ok: 1 }] }));
    if (text === GLOBAL_STATUS_SQL) {
      return db.play(db.statusStep, () => ({
        rows: [{ writer_region: db.writerRegion ?? null, members: db.members }],
      }));
    }
    if (text === HEARTBEAT_SQL) {
      if (this.host !== CLUSTER) {
        return Promise.reject(new Error('cannot execute INSERT in a read-only transaction'));
      }
      return db.play(db.heartbeatStep, () => ({ rows: [] }));
    }
    return Promise.reject(new Error(`unexpected statement: ${text}`));
  }

  isOpen(): boolean {
    return !this.closed;
  }

  /** What a connection the server closed looks like. */
  lose(): void {
    this.closed = true;
  }

  destroy(): void {
    this.closed = true;
    this.db.destroyed.push(this.host);
  }
}

interface Harness {
  db: FakeAurora;
  service: HealthService;
  logs: string[];
  advance(ms: number): void;
  get(path: string): Promise<{ status: number; body: HealthBody; headers: Record<string, string> }>;
}

function harness(env: NodeJS.ProcessEnv = {}): Harness {
  const config: HealthConfig = readConfig({ ...BASE_ENV, ...env });
  let clock = START;
  const logs: string[] = [];
  const db = new FakeAurora();
  const service = createHealthService(config, {
    ssm: new SSMClient({ region: REGION }),
    sql: db,
    now: () => clock,
    log: (line) => logs.push(line),
  });
  return {
    db,
    service,
    logs,
    advance: (ms) => (clock += ms),
    get: async (path) => {
      const res = await service.handle(path);
      return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
    },
  };
}

/** Requests `path` with fake timers and lets exactly `ms` pass. */
async function getAfter(h: Harness, path: string, ms: number) {
  let settled = false;
  const pending = h.get(path).finally(() => (settled = true));
  await jest.advanceTimersByTimeAsync(ms - 1);
  expect(settled).toBe(false);
  await jest.advanceTimersByTimeAsync(1);
  expect(settled).toBe(true);
  return pending;
}

function givenDrainValue(value: string): void {
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: DRAIN_PARAM, Value: value } });
}

function emf(
  values: { IsWriter: number; Serving: number; Drained: number; SecondariesWithinRpo: number },
  namespace = SERVICE_METRIC_NAMESPACE,
  timestamp = START,
) {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [['Region']],
          Metrics: [
            { Name: 'IsWriter', Unit: 'None' },
            { Name: 'Serving', Unit: 'None' },
            { Name: 'Drained', Unit: 'None' },
            { Name: 'SecondariesWithinRpo', Unit: 'Count' },
          ],
        },
      ],
    },
    Region: REGION,
    ...values,
  };
}

beforeEach(() => {
  ssm.reset();
});

afterEach(() => {
  jest.useRealTimers();
});

describe('writer region, all healthy', () => {
  test('GIVEN this region holds the writer, the heartbeat commits and drain is off WHEN both routes are polled THEN both answer 200 with every signal', async () => {
    givenDrainValue('false');
    const h = harness();

    const serving = await h.get('/health');
    const writer = await h.get('/health/writer');

    expect(serving.status).toBe(200);
    expect(writer.status).toBe(200);
    expect(writer.body).toEqual({
      region: REGION,
      serving: true,
      writer: true,
      drained: 'off',
      database: { endpoint: `${READER}:5432`, ok: true, latencyMs: expect.any(Number) },
      globalDatabase: {
        writerRegion: REGION,
        secondariesWithinRpo: 1,
        rpoSeconds: 30,
        members: h.db.members,
      },
      heartbeat: { endpoint: `${CLUSTER}:5432`, ok: true, latencyMs: expect.any(Number) },
      reasons: [],
      checkedAt: '2025-06-01T12:00:00.000Z',
      cacheTtlMs: 5000,
    });
    expect(serving.headers).toEqual({
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
  });

  test('GIVEN the configuration WHEN signals refresh THEN the queries go to the configured endpoints as the configured user', async () => {
    givenDrainValue('false');
    const h = harness();

    await h.get('/health/serving');

    expect(h.db.connects).toEqual([
      { host: READER, port: 5432, database: 'app', user: 'health_check' },
      { host: CLUSTER, port: 5432, database: 'app', user: 'health_check' },
    ]);
    expect(h.db.statements).toEqual([
      { host: READER, text: SERVING_SQL, values: [] },
      { host: READER, text: GLOBAL_STATUS_SQL, values: [] },
      { host: CLUSTER, text: HEARTBEAT_SQL, values: [REGION] },
    ]);
    expect(HEARTBEAT_SQL).toBe(
      'INSERT INTO public.health_heartbeat (region, beat_at) VALUES ($1, now()) ON CONFLICT (region) DO UPDATE SET beat_at = excluded.beat_at',
    );
    expect(ssm.commandCalls(GetParameterCommand)[0].args[0].input).toEqual({ Name: DRAIN_PARAM });
  });
});

describe('secondary region', () => {
  test('GIVEN another region holds the writer WHEN polled THEN serving is 200, writer 503 naming the writer, and no heartbeat is tried', async () => {
    givenDrainValue('false');
    const h = harness();
    h.db.writerRegion = OTHER_REGION;
    h.db.members = [
      { region: OTHER_REGION, rpoLagMs: -1 },
      { region: REGION, rpoLagMs: 800 },
    ];

    const serving = await h.get('/health');
    const writer = await h.get('/health/writer');

    expect(serving.status).toBe(200);
    expect(serving.body.reasons).toEqual([]);
    expect(writer.status).toBe(503);
    expect(writer.body).toMatchObject({
      serving: true,
      writer: false,
      globalDatabase: { writerRegion: OTHER_REGION, secondariesWithinRpo: 1 },
    });
    expect(writer.body.heartbeat).toBeUndefined();
    expect(writer.body.reasons).toEqual([
      `not the writer: the global database's writer is in ${OTHER_REGION}`,
    ]);
    expect(h.db.connects.map((c) => c.host)).toEqual([READER]);
  });

  test('GIVEN the global database reports no writer instance WHEN the writer route is polled THEN 503 says so', async () => {
    givenDrainValue('false');
    const h = harness();
    h.db.writerRegion = undefined;

    const { status, body } = await h.get('/health/writer');

    expect(status).toBe(503);
    expect(body.reasons).toEqual([
      'not the writer: the global database reports no writer instance',
    ]);
  });
});

describe('drained region', () => {
  test('GIVEN the drain parameter is true (any case, padded) WHEN polled THEN both routes answer 503 naming the parameter', async () => {
    givenDrainValue(' TRUE\n');
    const h = harness();

    const serving = await h.get('/health');
    const writer = await h.get('/health/writer');

    expect(serving.status).toBe(503);
    expect(writer.status).toBe(503);
    expect(serving.body).toMatchObject({ serving: false, writer: true, drained: 'on' });
    expect(serving.body.reasons).toEqual([
      `region is drained: SSM parameter ${DRAIN_PARAM} is 'true'`,
    ]);
    expect(writer.body.reasons).toEqual(serving.body.reasons);
  });
});

describe('drain state unknown fails closed', () => {
  test('GIVEN the drain parameter does not exist WHEN polled THEN 503 with drained unknown', async () => {
    ssm
      .on(GetParameterCommand)
      .rejects(new ParameterNotFound({ $metadata: {}, message: 'Parameter not found.' }));
    const h = harness();

    const { status, body } = await h.get('/health');

    expect(status).toBe(503);
    expect(body.drained).toBe('unknown');
    expect(body.reasons).toEqual([
      `drain state is unknown, failing closed: SSM GetParameter ${DRAIN_PARAM} failed: ParameterNotFound: Parameter not found.`,
    ]);
  });

  test('GIVEN the drain parameter holds neither true nor false WHEN polled THEN 503 quoting the bad value', async () => {
    givenDrainValue('maybe');
    const h = harness();

    const { status, body } = await h.get('/health');

    expect(status).toBe(503);
    expect(body.reasons).toEqual([
      `drain state is unknown, failing closed: SSM parameter ${DRAIN_PARAM} must be 'true' or 'false', got: 'maybe'`,
    ]);
  });

  test('GIVEN SSM never answers WHEN polled THEN the drain read gives up after its own timeout and the region fails closed', async () => {
    jest.useFakeTimers();
    ssm.on(GetParameterCommand).callsFake(() => new Promise(() => undefined));
    const h = harness({ DRAIN_TIMEOUT_MS: '400' });

    const { status, body } = await getAfter(h, '/health', 400);

    expect(status).toBe(503);
    expect(body.reasons).toEqual([
      `drain state is unknown, failing closed: SSM GetParameter ${DRAIN_PARAM} did not answer within 400 ms`,
    ]);
    // The abandoned request is cancelled, not left running.
    const options = (ssm.call(0).args as unknown[])[1] as { abortSignal?: AbortSignal };
    expect(options.abortSignal?.aborted).toBe(true);
  });
});

describe('each SQL probe fails within its own timeout', () => {
  test('GIVEN a connect that hangs WHEN polled THEN serving fails after CONNECT_TIMEOUT_MS and the late connection is closed', async () => {
    jest.useFakeTimers();
    givenDrainValue('false');
    const h = harness({ CONNECT_TIMEOUT_MS: '250' });
    h.db.connectStep[READER] = { afterMs: 400 };

    const serving = await getAfter(h, '/health', 250);

    expect(serving.status).toBe(503);
    expect(serving.body.database).toEqual({
      endpoint: `${READER}:5432`,
      ok: false,
      error: `cannot connect to ${READER}:5432: connect timed out after 250 ms`,
    });
    expect(serving.body.reasons).toEqual([
      `database is not serving: cannot connect to ${READER}:5432: connect timed out after 250 ms`,
    ]);
    // Nothing else is asked of a database that cannot even connect.
    expect(h.db.statements).toEqual([]);
    await jest.advanceTimersByTimeAsync(150);
    expect(h.db.destroyed).toEqual([READER]);
  });

  test('GIVEN a SELECT 1 that hangs WHEN polled THEN serving fails after QUERY_TIMEOUT_MS and the connection is destroyed', async () => {
    jest.useFakeTimers();
    givenDrainValue('false');
    const h = harness({ QUERY_TIMEOUT_MS: '150' });
    h.db.servingStep = HANG;

    const serving = await getAfter(h, '/health', 150);

    expect(serving.status).toBe(503);
    expect(serving.body.reasons).toEqual([
      `database is not serving: SELECT 1 on ${READER}:5432 did not finish within 150 ms`,
    ]);
    expect(h.db.destroyed).toEqual([READER]);
  });

  test('GIVEN a heartbeat commit that hangs (blocked by managed RPO) WHEN the writer route is polled THEN it fails after HEARTBEAT_TIMEOUT_MS while serving stays healthy', async () => {
    jest.useFakeTimers();
    givenDrainValue('false');
    const h = harness({ HEARTBEAT_TIMEOUT_MS: '350' });
    h.db.members = [
      { region: REGION, rpoLagMs: -1 },
      { region: OTHER_REGION, rpoLagMs: 45_000 },
    ];
    h.db.heartbeatStep = HANG;

    const writer = await getAfter(h, '/health/writer', 350);
    const serving = await h.get('/health');

    expect(writer.status).toBe(503);
    expect(writer.body.reasons).toEqual([
      `holds the writer but cannot commit: the heartbeat commit on ${CLUSTER}:5432 did not finish within 350 ms`,
    ]);
    expect(writer.body).toMatchObject({
      writer: true,
      globalDatabase: { secondariesWithinRpo: 0 },
      heartbeat: { endpoint: `${CLUSTER}:5432`, ok: false },
    });
    expect(serving.status).toBe(200);
    expect(h.db.destroyed).toEqual([CLUSTER]);
  });

  test('GIVEN a global status query that hangs WHEN the writer route is polled THEN it cannot tell the writer after QUERY_TIMEOUT_MS and tries no heartbeat', async () => {
    jest.useFakeTimers();
    givenDrainValue('false');
    const h = harness();
    h.db.statusStep = HANG;

    const writer = await getAfter(h, '/health/writer', PROBE_TIMEOUTS_MS.query.default);

    expect(writer.body.reasons).toEqual([
      `cannot tell whether this region holds the writer: the global status query on ${READER}:5432 did not finish within 200 ms`,
    ]);
    expect(writer.body.globalDatabase.secondariesWithinRpo).toBeUndefined();
    expect(h.db.connects.map((c) => c.host)).toEqual([READER]);
  });

  test('GIVEN every probe takes just under its timeout and the last one hangs WHEN polled THEN the answer still comes within the 1800 ms budget', async () => {
    jest.useFakeTimers();
    ssm.on(GetParameterCommand).callsFake(() => new Promise(() => undefined));
    const h = harness();
    const t = PROBE_TIMEOUTS_MS;
    h.db.connectStep[READER] = { afterMs: t.connect.default - 1 };
    h.db.servingStep = { afterMs: t.query.default - 1 };
    h.db.statusStep = { afterMs: t.query.default - 1 };
    h.db.connectStep[CLUSTER] = { afterMs: t.connect.default - 1 };
    h.db.heartbeatStep = HANG;

    // 299 + 199 + 199 + 299 + 300 ms one after the other; the 400 ms drain read runs alongside.
    const { status, body } = await getAfter(h, '/health/writer', 1296);

    expect(status).toBe(503);
    expect(body.reasons).toEqual([
      `drain state is unknown, failing closed: SSM GetParameter ${DRAIN_PARAM} did not answer within 400 ms`,
      `holds the writer but cannot commit: the heartbeat commit on ${CLUSTER}:5432 did not finish within 300 ms`,
    ]);
  });
});

describe('connection handling', () => {
  test('GIVEN a warm container WHEN signals refresh again THEN the same connections are reused', async () => {
    givenDrainValue('false');
    const h = harness();

    await h.get('/health');
    h.advance(5000);
    await h.get('/health');

    expect(h.db.connects.map((c) => c.host)).toEqual([READER, CLUSTER]);
    expect(h.db.statements).toHaveLength(6);
  });

  test('GIVEN a query failed WHEN the next refresh runs THEN it reconnects', async () => {
    givenDrainValue('false');
    const h = harness();
    h.db.servingStep = new Error('Connection terminated unexpectedly');

    const failed = await h.get('/health');
    h.db.servingStep = 'ok';
    h.advance(5000);
    const healed = await h.get('/health');

    expect(failed.body.reasons).toEqual([
      `database is not serving: SELECT 1 on ${READER}:5432 failed: Error: Connection terminated unexpectedly`,
    ]);
    expect(healed.status).toBe(200);
    expect(h.db.destroyed).toEqual([READER]);
    expect(h.db.connects.map((c) => c.host)).toEqual([READER, READER, CLUSTER]);
  });

  test('GIVEN the server closed an idle connection WHEN the next refresh runs THEN a new one is opened instead', async () => {
    givenDrainValue('false');
    const h = harness();
    await h.get('/health');
    h.db.open.forEach((c) => c.lose());
    h.advance(5000);

    const again = await h.get('/health/writer');

    expect(again.status).toBe(200);
    expect(h.db.connects.map((c) => c.host)).toEqual([READER, CLUSTER, READER, CLUSTER]);
  });

  test('GIVEN the writer moved away and back WHEN the heartbeat runs again THEN it commits on a fresh cluster connection', async () => {
    givenDrainValue('false');
    const h = harness();
    await h.get('/health/writer');
    h.db.writerRegion = OTHER_REGION;
    h.advance(5000);
    await h.get('/health/writer');
    h.db.writerRegion = REGION;
    h.advance(5000);

    const back = await h.get('/health/writer');

    expect(back.status).toBe(200);
    expect(h.db.destroyed).toEqual([CLUSTER]);
    expect(h.db.connects.map((c) => c.host)).toEqual([READER, CLUSTER, CLUSTER]);
  });

  test('GIVEN the connect is refused WHEN polled THEN the reason quotes the driver error', async () => {
    givenDrainValue('false');
    const h = harness();
    h.db.connectStep[READER] = new Error('PAM authentication failed for user "health_check"');

    const { body } = await h.get('/health');

    expect(body.reasons).toEqual([
      `database is not serving: cannot connect to ${READER}:5432: Error: PAM authentication failed for user "health_check"`,
    ]);
  });

  test('GIVEN the cluster endpoint is a reader (writer moved mid-refresh) WHEN the heartbeat runs THEN the read-only error is the reason', async () => {
    givenDrainValue('false');
    const h = harness({ DB_CLUSTER_HOST: 'wrong.cluster-ro-abc.us-east-1.rds.amazonaws.com' });

    const { body } = await h.get('/health/writer');

    expect(body.reasons).toEqual([
      'holds the writer but cannot commit: the heartbeat commit on wrong.cluster-ro-abc.us-east-1.rds.amazonaws.com:5432 failed: Error: cannot execute INSERT in a read-only transaction',
    ]);
  });
});

describe('secondaries within the RPO', () => {
  test.each<[string, Array<{ region: string; rpoLagMs: number | null }>, number]>([
    ['only the writer', [{ region: REGION, rpoLagMs: -1 }], 0],
    [
      'one secondary under, one at and one over the RPO, one without a figure',
      [
        { region: REGION, rpoLagMs: -1 },
        { region: OTHER_REGION, rpoLagMs: 29_999 },
        { region: THIRD_REGION, rpoLagMs: 30_000 },
        { region: 'ap-south-1', rpoLagMs: 31_000 },
        { region: 'sa-east-1', rpoLagMs: null },
      ],
      1,
    ],
    [
      'two caught-up secondaries',
      [
        { region: REGION, rpoLagMs: -1 },
        { region: OTHER_REGION, rpoLagMs: 0 },
        { region: THIRD_REGION, rpoLagMs: 10 },
      ],
      2,
    ],
  ])('%s', (_name, members, expected) => {
    expect(secondariesWithinRpo(members, 30)).toBe(expected);
  });

  test('GIVEN Aurora returns the members as JSON text WHEN refreshed THEN they are read the same', async () => {
    givenDrainValue('false');
    const h = harness();
    const members = h.db.members;
    h.db.members = JSON.stringify(members) as unknown as typeof members;

    const { body } = await h.get('/health');

    expect(body.globalDatabase.members).toEqual(members);
  });
});

describe('caching', () => {
  test('GIVEN a fresh answer WHEN polled again within the TTL THEN nothing is fetched; after the TTL everything is', async () => {
    givenDrainValue('false');
    const h = harness();

    await h.get('/health');
    h.advance(4999);
    const cached = await h.get('/health/writer');

    expect(h.db.statements).toHaveLength(3);
    expect(ssm.calls()).toHaveLength(1);
    expect(cached.body.checkedAt).toBe('2025-06-01T12:00:00.000Z');

    h.advance(1);
    const refreshed = await h.get('/health');

    expect(h.db.statements).toHaveLength(6);
    expect(ssm.calls()).toHaveLength(2);
    expect(refreshed.body.checkedAt).toBe('2025-06-01T12:00:05.000Z');
  });

  test('GIVEN a failed refresh WHEN polled again within the TTL THEN the failure is served from cache, not retried', async () => {
    givenDrainValue('false');
    const h = harness();
    h.db.statusStep = new Error('permission denied for function aurora_global_db_status');

    await h.get('/health/writer');
    h.advance(1000);
    const second = await h.get('/health/writer');

    expect(h.db.statements.filter((s) => s.text === GLOBAL_STATUS_SQL)).toHaveLength(1);
    expect(second.body.globalDatabase.error).toBe(
      `the global status query on ${READER}:5432 failed: Error: permission denied for function aurora_global_db_status`,
    );
  });

  test('GIVEN a configured CACHE_TTL_MS WHEN polled THEN it sets the refresh interval and is reported', async () => {
    givenDrainValue('false');
    const h = harness({ CACHE_TTL_MS: '20000' });

    const first = await h.get('/health');
    h.advance(19999);
    await h.get('/health');

    expect(first.body.cacheTtlMs).toBe(20000);
    expect(ssm.calls()).toHaveLength(1);
  });

  test('GIVEN a refresh in flight WHEN more requests arrive THEN they share it', async () => {
    givenDrainValue('false');
    const h = harness();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const connect = h.db.connect.bind(h.db);
    h.db.connect = async (target) => {
      await gate;
      return connect(target);
    };

    const pending = [h.get('/health'), h.get('/health/writer'), h.get('/health/serving')];
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const results = await Promise.all(pending);

    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(h.db.statements).toHaveLength(3);
    expect(ssm.calls()).toHaveLength(1);
    expect(h.logs).toHaveLength(1);
  });
});

describe('embedded metric format', () => {
  test('GIVEN a writer refresh WHEN polled THEN one EMF line carries every contract metric; cached hits write none', async () => {
    givenDrainValue('false');
    const h = harness();

    await h.get('/health');
    await h.get('/health/writer');

    expect(h.logs.map((l) => JSON.parse(l))).toEqual([
      emf({ IsWriter: 1, Serving: 1, Drained: 0, SecondariesWithinRpo: 1 }),
    ]);

    h.advance(5000);
    await h.get('/health');

    expect(h.logs).toHaveLength(2);
    expect(JSON.parse(h.logs[1])).toEqual(
      emf(
        { IsWriter: 1, Serving: 1, Drained: 0, SecondariesWithinRpo: 1 },
        SERVICE_METRIC_NAMESPACE,
        START + 5000,
      ),
    );
  });

  test('GIVEN a secondary WHEN refreshed THEN it reports IsWriter 0 and its own count of secondaries within the RPO', async () => {
    givenDrainValue('false');
    const h = harness();
    h.db.writerRegion = OTHER_REGION;
    h.db.members = [
      { region: OTHER_REGION, rpoLagMs: -1 },
      { region: REGION, rpoLagMs: 50 },
      { region: THIRD_REGION, rpoLagMs: 40_000 },
    ];

    await h.get('/health');

    expect(JSON.parse(h.logs[0])).toEqual(
      emf({ IsWriter: 0, Serving: 1, Drained: 0, SecondariesWithinRpo: 1 }),
    );
  });

  test('GIVEN a drained writer and a custom namespace WHEN refreshed THEN the metrics say drained and not serving', async () => {
    givenDrainValue('true');
    const h = harness({ METRIC_NAMESPACE: 'Orders/Health' });

    await h.get('/health');

    expect(h.logs.map((l) => JSON.parse(l))).toEqual([
      emf({ IsWriter: 1, Serving: 0, Drained: 1, SecondariesWithinRpo: 1 }, 'Orders/Health'),
    ]);
  });

  test('GIVEN a database that cannot connect WHEN refreshed THEN both alarm metrics are still emitted, as 0', async () => {
    givenDrainValue('false');
    const h = harness();
    h.db.connectStep[READER] = new Error('ECONNREFUSED');

    await h.get('/health');

    expect(JSON.parse(h.logs[0])).toEqual(
      emf({ IsWriter: 0, Serving: 0, Drained: 0, SecondariesWithinRpo: 0 }),
    );
  });
});

describe('routing', () => {
  test('GIVEN an unknown path WHEN requested THEN 404 naming the path and nothing is probed', async () => {
    const h = harness();

    const res = await h.service.handle('/status');

    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body)).toEqual({ error: 'not found', path: '/status' });
    expect(ssm.calls()).toHaveLength(0);
    expect(h.db.connects).toHaveLength(0);
  });

  test('GIVEN a trailing slash WHEN requested THEN it routes like the bare path', async () => {
    givenDrainValue('false');
    const h = harness();
    h.db.writerRegion = OTHER_REGION;

    expect((await h.get('/health/writer/')).status).toBe(503);
    expect((await h.get('/health/')).status).toBe(200);
  });
});

describe('configuration', () => {
  test('GIVEN DB_CLUSTER_HOST missing and DB_PORT not a number WHEN read THEN one ConfigError lists both', () => {
    const env = { ...BASE_ENV, DB_CLUSTER_HOST: undefined, DB_PORT: 'abc' };

    expect(() => readConfig(env)).toThrow(
      "health check configuration is invalid: DB_CLUSTER_HOST is not set: set it to this region's Aurora cluster endpoint host name; DB_PORT must be a port number from 1 to 65535, got: 'abc'",
    );
  });

  test('GIVEN only the required variables WHEN read THEN defaults apply', () => {
    expect(readConfig(BASE_ENV)).toEqual({
      region: REGION,
      readerHost: READER,
      clusterHost: CLUSTER,
      port: 5432,
      databaseName: 'app',
      user: 'health_check',
      drainParameterName: DRAIN_PARAM,
      cacheTtlMs: 5000,
      timeouts: { connect: 300, query: 200, heartbeat: 300, drain: 400 },
      rpoSeconds: 30,
      metricNamespace: 'MultiRegion/Service',
    });
  });

  test('GIVEN nothing at all WHEN read THEN every required variable is named with what to set', () => {
    expect(() => readConfig({})).toThrow(
      expect.objectContaining({
        problems: [
          'AWS_REGION is not set: set it to the region this function runs in (Lambda sets it)',
          "DB_READER_HOST is not set: set it to this region's Aurora reader endpoint host name",
          "DB_CLUSTER_HOST is not set: set it to this region's Aurora cluster endpoint host name",
          "DB_PORT is not set: set it to this region's Aurora cluster port (5432 for PostgreSQL)",
          'DB_NAME is not set: set it to the database to connect to',
          'DB_USER is not set: set it to the login role granted rds_iam that the function connects as',
          "DRAIN_PARAMETER_NAME is not set: set it to the name of this region's SSM drain parameter (value 'true' or 'false')",
          "RPO_SECONDS is not set: set it to the recovery point objective in seconds (topology's rpo)",
          "NODE_EXTRA_CA_CERTS is not set: set it to /var/runtime/ca-cert.pem (the Lambda runtime's Amazon CA bundle) so TLS can verify the database certificate",
        ],
      }),
    );
  });

  test('GIVEN bad values WHEN read THEN each is named with its rule', () => {
    const read = () =>
      readConfig({
        ...BASE_ENV,
        AWS_REGION: 'mars',
        DB_READER_HOST: 'a host',
        DB_USER: 'Health-Check',
        RPO_SECONDS: '0',
        CACHE_TTL_MS: '5s',
        CONNECT_TIMEOUT_MS: '5000',
        METRIC_NAMESPACE: 'AWS/RDS',
      });

    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      expect.objectContaining({
        problems: [
          "AWS_REGION must be an AWS region name like us-east-1, got: 'mars'",
          "DB_READER_HOST must be a host name without spaces, got: 'a host'",
          "DB_USER must be a PostgreSQL name of lower-case letters, digits and _ (at most 63), got: 'Health-Check'",
          "RPO_SECONDS must be whole seconds from 1 to 2147483647, got: '0'",
          "CACHE_TTL_MS must be milliseconds from 1000 to 30000, got: '5s'",
          "CONNECT_TIMEOUT_MS must be milliseconds from 50 to 1000, got: '5000'",
          "METRIC_NAMESPACE must be a CloudWatch namespace (letters, digits, space and . - _ / # :, not starting with 'AWS/'), got: 'AWS/RDS'",
        ],
      }),
    );
  });

  test('GIVEN timeouts that each fit but together exceed the budget WHEN read THEN the sum is refused', () => {
    expect(() =>
      readConfig({ ...BASE_ENV, CONNECT_TIMEOUT_MS: '400', HEARTBEAT_TIMEOUT_MS: '700' }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          'CONNECT_TIMEOUT_MS, QUERY_TIMEOUT_MS, HEARTBEAT_TIMEOUT_MS and DRAIN_TIMEOUT_MS must add up to at most 1800 ms (2 x connect + 2 x query + heartbeat + drain; Route 53 waits 2 seconds), got: 2300 ms; shorten one of them',
        ],
      }),
    );
    expect(() =>
      readConfig({ ...BASE_ENV, CONNECT_TIMEOUT_MS: '400', HEARTBEAT_TIMEOUT_MS: '200' }),
    ).not.toThrow();
  });

  test('GIVEN the contract WHEN listed THEN every variable the handler reads is in HEALTH_ENV', () => {
    const read = new Set<string>();
    const spy = new Proxy(BASE_ENV, {
      get: (target, name) => {
        read.add(String(name));
        return target[String(name)];
      },
    });

    readConfig(spy);

    expect([...read].sort()).toEqual(Object.values(HEALTH_ENV).sort());
  });
});

describe('Lambda handler', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  test('GIVEN bad environment variables WHEN invoked THEN 500 names every bad variable', async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const handler = createHandler(undefined, { ...BASE_ENV, DB_READER_HOST: '', DB_PORT: '70000' });

    const res = await handler({ rawPath: '/health' });

    expect(res.statusCode).toBe(500);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(res.body).problems).toEqual([
      "DB_READER_HOST is not set: set it to this region's Aurora reader endpoint host name",
      "DB_PORT must be a port number from 1 to 65535, got: '70000'",
    ]);
  });

  test('GIVEN a valid environment WHEN invoked twice THEN it builds one service from it and answers by raw or context path', async () => {
    givenDrainValue('false');
    const db = new FakeAurora();
    const makeDeps = jest.fn((config: HealthConfig) => ({
      ...realDeps(config),
      sql: db,
      log: () => undefined,
    }));
    const handler = createHandler(makeDeps, BASE_ENV);

    const byRawPath = await handler({ rawPath: '/health/writer' });
    const byContextPath = await handler({ requestContext: { http: { path: '/health' } } });

    expect(byRawPath.statusCode).toBe(200);
    expect(byContextPath.statusCode).toBe(200);
    expect(makeDeps).toHaveBeenCalledTimes(1);
    const client = ssm.call(0).thisValue as SSMClient;
    expect(await client.config.region()).toBe(REGION);
    expect(await client.config.maxAttempts()).toBe(1);
  });

  // A service kept at module level once made these tests pass only in file order.
  test('GIVEN one handler that built its service WHEN another is created with a bad environment THEN that one answers 500: each handler keeps its own service', async () => {
    givenDrainValue('false');
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const deps = (): HealthDeps => ({
      ssm: new SSMClient({ region: REGION }),
      sql: new FakeAurora(),
      now: () => START,
      log: () => undefined,
    });
    const healthy = createHandler(deps, BASE_ENV);
    expect((await healthy({ rawPath: '/health' })).statusCode).toBe(200);

    const misconfigured = createHandler(deps, { ...BASE_ENV, DB_PORT: 'abc' });
    const res = await misconfigured({ rawPath: '/health' });

    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body).problems).toEqual([
      "DB_PORT must be a port number from 1 to 65535, got: 'abc'",
    ]);
  });

  test('GIVEN the real dependencies WHEN a refresh writes EMF THEN the line goes to stdout with a newline', async () => {
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const deps = realDeps(readConfig(BASE_ENV));

    deps.log('{"_aws":{}}');

    expect(stdout).toHaveBeenCalledWith('{"_aws":{}}\n');
  });
});

describe('pgDriver (loopback PostgreSQL stand-ins)', () => {
  const saved = { ...process.env };
  let server: net.Server;
  let port: number;
  const sockets: net.Socket[] = [];

  async function listen(onConnection: (socket: net.Socket) => void): Promise<void> {
    server = net.createServer((socket) => {
      sockets.push(socket);
      onConnection(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  }

  function service(env: NodeJS.ProcessEnv = {}) {
    const config = readConfig({
      ...BASE_ENV,
      DB_READER_HOST: '127.0.0.1',
      DB_CLUSTER_HOST: '127.0.0.1',
      DB_PORT: String(port),
      ...env,
    });
    return createHealthService(config, {
      ssm: new SSMClient({ region: REGION }),
      sql: pgDriver(REGION, config.timeouts),
      now: Date.now,
      log: () => undefined,
    });
  }

  beforeEach(() => {
    // The token is signed locally from these; nothing is sent to AWS.
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    givenDrainValue('false');
  });

  afterEach(async () => {
    process.env = { ...saved };
    sockets.splice(0).forEach((s) => s.destroy());
    await new Promise((resolve) => server.close(resolve));
  });

  test('GIVEN a server that accepts and never answers WHEN polled THEN the connect times out and the socket is closed', async () => {
    let closed: () => void = () => undefined;
    const socketClosed = new Promise<void>((resolve) => (closed = resolve));
    await listen((socket) => {
      // Read (and ignore) what the client sends, so its close reaches this side.
      socket.resume();
      socket.on('close', () => closed());
    });

    const res = await service({ CONNECT_TIMEOUT_MS: '100' }).handle('/health');

    expect(JSON.parse(res.body).reasons).toEqual([
      `database is not serving: cannot connect to 127.0.0.1:${port}: connect timed out after 100 ms`,
    ]);
    await socketClosed;
  });

  test('GIVEN a server without TLS WHEN polled THEN the driver refuses to send the token in the clear', async () => {
    // PostgreSQL answers an SSLRequest with 'N' when it does not offer TLS.
    await listen((socket) => socket.once('data', () => socket.write('N')));

    const res = await service().handle('/health');

    expect(JSON.parse(res.body).reasons).toEqual([
      `database is not serving: cannot connect to 127.0.0.1:${port}: Error: The server does not support SSL connections`,
    ]);
  });
});
