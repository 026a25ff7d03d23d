import * as net from 'node:net';
import {
  DescribeGlobalClustersCommand,
  type DescribeGlobalClustersCommandOutput,
  RDSClient,
  RDSServiceException,
} from '@aws-sdk/client-rds';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ConfigError,
  createHealthService,
  handler,
  type HealthBody,
  type HealthConfig,
  type HealthService,
  type ProbeResult,
  readConfig,
  tcpProbe,
} from '../../../constructs/handlers/health';

const rds = mockClient(RDSClient);
const ssm = mockClient(SSMClient);

const REGION = 'us-east-1';
const GLOBAL_ID = 'orders-global';
const THIS_CLUSTER = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-use1';
const OTHER_CLUSTER = 'arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2';
const DRAIN_PARAM = '/orders/us-east-1/drain';
const DB_HOST = 'orders-use1.cluster-ro-abc.us-east-1.rds.amazonaws.com';
const START = Date.parse('2025-06-01T12:00:00.000Z');

const BASE_ENV: NodeJS.ProcessEnv = {
  AWS_REGION: REGION,
  GLOBAL_CLUSTER_IDENTIFIER: GLOBAL_ID,
  CLUSTER_ARN: THIS_CLUSTER,
  DB_HOST,
  DB_PORT: '5432',
  DRAIN_PARAMETER_NAME: DRAIN_PARAM,
};

function globalCluster(
  writerArn: string | undefined,
  failoverStatus?: 'pending' | 'failing-over' | 'cancelling',
): DescribeGlobalClustersCommandOutput {
  const members = [THIS_CLUSTER, OTHER_CLUSTER].map((arn) => ({
    DBClusterArn: arn,
    IsWriter: arn === writerArn,
  }));
  return {
    $metadata: {},
    GlobalClusters: [
      {
        GlobalClusterIdentifier: GLOBAL_ID,
        GlobalClusterMembers: members,
        FailoverState: failoverStatus ? { Status: failoverStatus } : undefined,
      },
    ],
  };
}

function givenWriter(writerArn: string | undefined): void {
  rds.on(DescribeGlobalClustersCommand).resolves(globalCluster(writerArn));
}

function givenDrainValue(value: string): void {
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: DRAIN_PARAM, Value: value } });
}

interface Harness {
  service: HealthService;
  probe: jest.Mock<Promise<ProbeResult>, [string, number, number]>;
  logs: string[];
  advance(ms: number): void;
  get(path: string): Promise<{ status: number; body: HealthBody; headers: Record<string, string> }>;
}

function harness(env: NodeJS.ProcessEnv = {}): Harness {
  const config: HealthConfig = readConfig({ ...BASE_ENV, ...env });
  let clock = START;
  const logs: string[] = [];
  const probe = jest.fn<Promise<ProbeResult>, [string, number, number]>(async () => ({
    reachable: true,
    latencyMs: 3,
  }));
  const service = createHealthService(config, {
    rds: new RDSClient({ region: REGION }),
    ssm: new SSMClient({ region: REGION }),
    probe,
    now: () => clock,
    log: (line) => logs.push(line),
  });
  return {
    service,
    probe,
    logs,
    advance: (ms) => (clock += ms),
    get: async (path) => {
      const res = await service.handle(path);
      return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
    },
  };
}

function emf(
  values: { IsWriter: number; Serving: number; Drained: number },
  namespace = 'MultiRegion/Service',
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
          ],
        },
      ],
    },
    Region: REGION,
    ...values,
  };
}

beforeEach(() => {
  rds.reset();
  ssm.reset();
});

describe('writer region, all healthy', () => {
  test('GIVEN this cluster is the writer, drain off, DB reachable WHEN both routes are polled THEN both answer 200 with every signal', async () => {
    givenWriter(THIS_CLUSTER);
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
      database: { reachable: true, latencyMs: 3 },
      globalCluster: { identifier: GLOBAL_ID, writerClusterArn: THIS_CLUSTER },
      reasons: [],
      checkedAt: '2025-06-01T12:00:00.000Z',
      cacheTtlMs: 5000,
    });
    expect(serving.headers).toEqual({
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
  });

  test('GIVEN the configuration WHEN signals refresh THEN the configured cluster, parameter and endpoint are the ones checked', async () => {
    givenWriter(THIS_CLUSTER);
    givenDrainValue('false');
    const h = harness({ PROBE_TIMEOUT_MS: '250' });

    await h.get('/health/serving');

    expect(rds.commandCalls(DescribeGlobalClustersCommand)[0].args[0].input).toEqual({
      GlobalClusterIdentifier: GLOBAL_ID,
    });
    expect(ssm.commandCalls(GetParameterCommand)[0].args[0].input).toEqual({ Name: DRAIN_PARAM });
    expect(h.probe).toHaveBeenCalledWith(DB_HOST, 5432, 250);
  });
});

describe('healthy secondary region', () => {
  test('GIVEN another region holds the writer WHEN polled THEN serving is 200 and writer is 503 naming the writer', async () => {
    givenWriter(OTHER_CLUSTER);
    givenDrainValue('false');
    const h = harness();

    const serving = await h.get('/health');
    const writer = await h.get('/health/writer');

    expect(serving.status).toBe(200);
    expect(serving.body.reasons).toEqual([]);
    expect(writer.status).toBe(503);
    expect(writer.body).toMatchObject({
      serving: true,
      writer: false,
      globalCluster: { identifier: GLOBAL_ID, writerClusterArn: OTHER_CLUSTER },
    });
    expect(writer.body.reasons).toEqual([
      `not the writer: global cluster ${GLOBAL_ID} writer is ${OTHER_CLUSTER}, this region's cluster is ${THIS_CLUSTER}`,
    ]);
  });

  test('GIVEN a managed failover is in progress WHEN polled THEN its status is reported', async () => {
    rds.on(DescribeGlobalClustersCommand).resolves(globalCluster(OTHER_CLUSTER, 'failing-over'));
    givenDrainValue('false');
    const h = harness();

    const { body } = await h.get('/health/writer');

    expect(body.globalCluster.failoverStatus).toBe('failing-over');
  });

  test('GIVEN the global cluster has no writer member WHEN the writer route is polled THEN 503 says so', async () => {
    givenWriter(undefined);
    givenDrainValue('false');
    const h = harness();

    const { status, body } = await h.get('/health/writer');

    expect(status).toBe(503);
    expect(body.reasons).toEqual([
      `not the writer: global cluster ${GLOBAL_ID} reports no writer member`,
    ]);
  });
});

describe('drained region', () => {
  test('GIVEN the drain parameter is true (any case, padded) WHEN polled THEN both routes answer 503 naming the parameter', async () => {
    givenWriter(THIS_CLUSTER);
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
    givenWriter(THIS_CLUSTER);
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
    givenWriter(THIS_CLUSTER);
    givenDrainValue('maybe');
    const h = harness();

    const { status, body } = await h.get('/health');

    expect(status).toBe(503);
    expect(body.drained).toBe('unknown');
    expect(body.reasons).toEqual([
      `drain state is unknown, failing closed: SSM parameter ${DRAIN_PARAM} must be 'true' or 'false', got: 'maybe'`,
    ]);
  });
});

describe('database unreachable', () => {
  test('GIVEN the reader endpoint refuses connections WHEN polled THEN 503 naming the endpoint', async () => {
    givenWriter(THIS_CLUSTER);
    givenDrainValue('false');
    const h = harness();
    h.probe.mockResolvedValue({ reachable: false, error: 'Error: connect ECONNREFUSED' });

    const serving = await h.get('/health');
    const writer = await h.get('/health/writer');

    expect(serving.status).toBe(503);
    expect(writer.status).toBe(503);
    expect(serving.body.database).toEqual({
      reachable: false,
      error: 'Error: connect ECONNREFUSED',
    });
    expect(serving.body.reasons).toEqual([
      `database ${DB_HOST}:5432 is not reachable: Error: connect ECONNREFUSED`,
    ]);
  });

  test('GIVEN the probe itself throws WHEN polled THEN the database counts as unreachable', async () => {
    givenWriter(THIS_CLUSTER);
    givenDrainValue('false');
    const h = harness();
    h.probe.mockRejectedValue(new Error('getaddrinfo ENOTFOUND'));

    const { status, body } = await h.get('/health');

    expect(status).toBe(503);
    expect(body.database).toEqual({ reachable: false, error: 'Error: getaddrinfo ENOTFOUND' });
  });
});

describe('RDS control plane errors', () => {
  test('GIVEN DescribeGlobalClusters is throttled WHEN polled THEN writer is false with the error and serving is unaffected', async () => {
    rds.on(DescribeGlobalClustersCommand).rejects(
      new RDSServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: {},
        message: 'Rate exceeded',
      }),
    );
    givenDrainValue('false');
    const h = harness();

    const serving = await h.get('/health');
    const writer = await h.get('/health/writer');

    expect(serving.status).toBe(200);
    expect(writer.status).toBe(503);
    const error = `RDS DescribeGlobalClusters ${GLOBAL_ID} failed: ThrottlingException: Rate exceeded`;
    expect(writer.body).toMatchObject({
      serving: true,
      writer: false,
      globalCluster: { identifier: GLOBAL_ID, error },
    });
    expect(writer.body.reasons).toEqual([
      `cannot tell whether this region is the writer: ${error}`,
    ]);
  });
});

describe('caching', () => {
  test('GIVEN a fresh answer WHEN polled again within the TTL THEN nothing is fetched; after the TTL everything is', async () => {
    givenWriter(THIS_CLUSTER);
    givenDrainValue('false');
    const h = harness();

    await h.get('/health');
    h.advance(4999);
    const cached = await h.get('/health/writer');

    expect(rds.calls()).toHaveLength(1);
    expect(ssm.calls()).toHaveLength(1);
    expect(h.probe).toHaveBeenCalledTimes(1);
    expect(cached.body.checkedAt).toBe('2025-06-01T12:00:00.000Z');

    h.advance(1);
    const refreshed = await h.get('/health');

    expect(rds.calls()).toHaveLength(2);
    expect(ssm.calls()).toHaveLength(2);
    expect(h.probe).toHaveBeenCalledTimes(2);
    expect(refreshed.body.checkedAt).toBe('2025-06-01T12:00:05.000Z');
  });

  test('GIVEN a failed fetch WHEN polled again within the TTL THEN the failure is served from cache, not retried', async () => {
    rds.on(DescribeGlobalClustersCommand).rejects(new Error('socket hang up'));
    givenDrainValue('false');
    const h = harness();

    await h.get('/health/writer');
    h.advance(1000);
    const second = await h.get('/health/writer');

    expect(rds.calls()).toHaveLength(1);
    expect(second.body.globalCluster.error).toContain('socket hang up');
  });

  test('GIVEN a configured CACHE_TTL_MS WHEN polled THEN it sets the refresh interval and is reported', async () => {
    givenWriter(THIS_CLUSTER);
    givenDrainValue('false');
    const h = harness({ CACHE_TTL_MS: '20000' });

    const first = await h.get('/health');
    h.advance(19999);
    await h.get('/health');

    expect(first.body.cacheTtlMs).toBe(20000);
    expect(rds.calls()).toHaveLength(1);
  });

  test('GIVEN a refresh in flight WHEN more requests arrive THEN they share it', async () => {
    const waiting: Array<(out: DescribeGlobalClustersCommandOutput) => void> = [];
    rds
      .on(DescribeGlobalClustersCommand)
      .callsFake(() => new Promise((resolve) => waiting.push(resolve)));
    givenDrainValue('false');
    const h = harness();

    const pending = [h.get('/health'), h.get('/health/writer'), h.get('/health/serving')];
    await new Promise((resolve) => setImmediate(resolve));
    waiting.forEach((answer) => answer(globalCluster(THIS_CLUSTER)));
    const results = await Promise.all(pending);

    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(rds.calls()).toHaveLength(1);
    expect(ssm.calls()).toHaveLength(1);
    expect(h.probe).toHaveBeenCalledTimes(1);
    expect(h.logs).toHaveLength(1);
  });
});

describe('embedded metric format', () => {
  test('GIVEN a refresh WHEN polled THEN one EMF line carries the region and signal values; cached hits write none', async () => {
    givenWriter(THIS_CLUSTER);
    givenDrainValue('false');
    const h = harness();

    await h.get('/health');
    await h.get('/health/writer');

    expect(h.logs.map((l) => JSON.parse(l))).toEqual([
      emf({ IsWriter: 1, Serving: 1, Drained: 0 }),
    ]);

    h.advance(5000);
    await h.get('/health');

    expect(h.logs).toHaveLength(2);
    expect(JSON.parse(h.logs[1])).toEqual(
      emf({ IsWriter: 1, Serving: 1, Drained: 0 }, 'MultiRegion/Service', START + 5000),
    );
  });

  test('GIVEN a drained writer and a custom namespace WHEN refreshed THEN the metrics say drained and not serving', async () => {
    givenWriter(THIS_CLUSTER);
    givenDrainValue('true');
    const h = harness({ METRIC_NAMESPACE: 'Orders/Health' });

    await h.get('/health');

    expect(h.logs.map((l) => JSON.parse(l))).toEqual([
      emf({ IsWriter: 1, Serving: 0, Drained: 1 }, 'Orders/Health'),
    ]);
  });

  test('GIVEN a secondary with unknown drain state WHEN refreshed THEN it is not serving, not drained, not writer', async () => {
    givenWriter(OTHER_CLUSTER);
    ssm.on(GetParameterCommand).rejects(new Error('AccessDeniedException'));
    const h = harness();

    await h.get('/health');

    expect(JSON.parse(h.logs[0])).toEqual(emf({ IsWriter: 0, Serving: 0, Drained: 0 }));
  });
});

describe('routing', () => {
  test('GIVEN an unknown path WHEN requested THEN 404 naming the path and no AWS call is made', async () => {
    const h = harness();

    const res = await h.service.handle('/status');

    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body)).toEqual({ error: 'not found', path: '/status' });
    expect(rds.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
    expect(h.probe).not.toHaveBeenCalled();
  });

  test('GIVEN a trailing slash WHEN requested THEN it routes like the bare path', async () => {
    givenWriter(OTHER_CLUSTER);
    givenDrainValue('false');
    const h = harness();

    expect((await h.get('/health/writer/')).status).toBe(503);
    expect((await h.get('/health/')).status).toBe(200);
  });
});

describe('configuration', () => {
  test('GIVEN CLUSTER_ARN missing and DB_PORT not a number WHEN read THEN one ConfigError lists both', () => {
    const env = { ...BASE_ENV, CLUSTER_ARN: undefined, DB_PORT: 'abc' };

    expect(() => readConfig(env)).toThrow(
      new ConfigError([
        "CLUSTER_ARN is not set: set it to the ARN of this region's Aurora cluster (arn:aws:rds:<region>:<account>:cluster:<name>)",
        "DB_PORT must be a port number from 1 to 65535, got: 'abc'",
      ]),
    );
    expect(() => readConfig(env)).toThrow(
      "health check configuration is invalid: CLUSTER_ARN is not set: set it to the ARN of this region's Aurora cluster (arn:aws:rds:<region>:<account>:cluster:<name>); DB_PORT must be a port number from 1 to 65535, got: 'abc'",
    );
  });

  test('GIVEN only the required variables WHEN read THEN defaults apply', () => {
    expect(readConfig(BASE_ENV)).toEqual({
      region: REGION,
      globalClusterIdentifier: GLOBAL_ID,
      clusterArn: THIS_CLUSTER,
      dbHost: DB_HOST,
      dbPort: 5432,
      drainParameterName: DRAIN_PARAM,
      cacheTtlMs: 5000,
      probeTimeoutMs: 500,
      metricNamespace: 'MultiRegion/Service',
    });
  });

  test('GIVEN bad optional values and a cluster from another region WHEN read THEN each is named', () => {
    const read = () =>
      readConfig({
        ...BASE_ENV,
        CLUSTER_ARN: OTHER_CLUSTER,
        CACHE_TTL_MS: '5s',
        PROBE_TIMEOUT_MS: '5000',
        METRIC_NAMESPACE: 'AWS/RDS',
      });

    expect(read).toThrow(ConfigError);
    expect(() => read()).toThrow(
      expect.objectContaining({
        problems: [
          `CLUSTER_ARN must name a cluster in this region (us-east-1), got: '${OTHER_CLUSTER}'`,
          "CACHE_TTL_MS must be milliseconds from 1000 to 60000, got: '5s'",
          "PROBE_TIMEOUT_MS must be milliseconds from 50 to 1500, got: '5000'",
          "METRIC_NAMESPACE must be a CloudWatch namespace (letters, digits, space and . - _ / # :, not starting with 'AWS/'), got: 'AWS/RDS'",
        ],
      }),
    );
  });
});

describe('Lambda handler', () => {
  const savedEnv = { ...process.env };
  let server: net.Server;
  let port: number;

  beforeAll(async () => {
    server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  afterEach(() => {
    process.env = { ...savedEnv };
    jest.restoreAllMocks();
  });

  // Runs first: the handler keeps its service once configuration is valid.
  test('GIVEN bad environment variables WHEN invoked THEN 500 names every bad variable', async () => {
    process.env = { ...BASE_ENV, CLUSTER_ARN: '', DB_PORT: '70000' };
    jest.spyOn(console, 'error').mockImplementation(() => undefined);

    const res = await handler({ rawPath: '/health' });

    expect(res.statusCode).toBe(500);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(res.body).problems).toEqual([
      "CLUSTER_ARN is not set: set it to the ARN of this region's Aurora cluster (arn:aws:rds:<region>:<account>:cluster:<name>)",
      "DB_PORT must be a port number from 1 to 65535, got: '70000'",
    ]);
    expect(JSON.parse(res.body).error).toContain('DB_PORT');
  });

  test('GIVEN a valid environment WHEN invoked THEN it answers from this region’s clients and writes EMF to stdout', async () => {
    process.env = { ...BASE_ENV, DB_HOST: '127.0.0.1', DB_PORT: String(port) };
    givenWriter(THIS_CLUSTER);
    givenDrainValue('false');
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);

    const byRawPath = await handler({ rawPath: '/health/writer' });
    const byContextPath = await handler({ requestContext: { http: { path: '/health' } } });

    expect(byRawPath.statusCode).toBe(200);
    expect(byContextPath.statusCode).toBe(200);
    expect(JSON.parse(byRawPath.body).database.reachable).toBe(true);
    const client = rds.call(0).thisValue as RDSClient;
    expect(await client.config.region()).toBe(REGION);
    expect(await client.config.maxAttempts()).toBe(2);
    const emfLines = stdout.mock.calls
      .map(([chunk]) => String(chunk))
      .filter((line) => line.includes('"_aws"'));
    expect(emfLines).toHaveLength(1);
    expect(JSON.parse(emfLines[0])).toMatchObject({ Region: REGION, IsWriter: 1, Serving: 1 });
    expect(emfLines[0].endsWith('\n')).toBe(true);
  });
});

describe('tcpProbe (loopback)', () => {
  test('GIVEN a listening port WHEN probed THEN reachable with a latency', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;

    try {
      const result = await tcpProbe('127.0.0.1', port, 1000);

      expect(result.reachable).toBe(true);
      expect(result.latencyMs).toBeGreaterThanOrEqual(0);
      expect(result.error).toBeUndefined();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('GIVEN a closed port WHEN probed THEN not reachable with the connect error', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));

    const result = await tcpProbe('127.0.0.1', port, 1000);

    expect(result.reachable).toBe(false);
    expect(result.error).toContain('ECONNREFUSED');
  });
});
