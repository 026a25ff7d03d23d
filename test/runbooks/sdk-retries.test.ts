// The SDK's own retries, with the settings the drill uses, against an in-process HTTP handler
// (no mocks of `send`, no network): throttling, 5xx and timeouts are retried until they pass.
import { NO_CLIENT_NETWORK } from './harness';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { AwsCaller, sdkAdapters } from '../../runbooks/drill/aws/adapters';
import {
  AwsClients,
  DEFAULT_CLIENT_SETTINGS,
  type ClientSettings,
} from '../../runbooks/drill/aws/clients';
import { ENDPOINT_VARIABLES } from '../../runbooks/drill/aws/errors';
import { main } from '../../runbooks/drill/program';
import { outputsFor } from './outputs';

interface FakeHttpResponse {
  readonly statusCode: number;
  readonly body: string;
}

/** Answers SSM JSON requests from a script; a string entry is thrown as that error name. */
function scriptedHandler(script: (FakeHttpResponse | string)[]) {
  const requests: { headers: Record<string, string> }[] = [];
  const handler = {
    async handle(request: { headers: Record<string, string> }) {
      requests.push(request);
      const next = script.shift() ?? { statusCode: 500, body: '{}' };
      if (typeof next === 'string')
        throw Object.assign(new Error('socket timed out'), { name: next });
      return {
        response: {
          statusCode: next.statusCode,
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'req-1' },
          body: Readable.from([Buffer.from(next.body)]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return { handler, requests };
}

const ok = {
  statusCode: 200,
  body: JSON.stringify({ Parameter: { Name: '/d', Value: 'false', Type: 'String' } }),
};

function drainReader(handler: unknown, settings: Partial<ClientSettings> = {}) {
  const clients = new AwsClients({
    ...DEFAULT_CLIENT_SETTINGS,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: handler as ClientSettings['requestHandler'],
    ...settings,
  });
  return {
    clients,
    aws: sdkAdapters(clients, new AwsCaller('dry-run'), 'us-east-1', NO_CLIENT_NETWORK),
  };
}

describe('SDK retries with the drill client settings', () => {
  test.each<[string, FakeHttpResponse | string]>([
    [
      'throttling',
      {
        statusCode: 400,
        body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }),
      },
    ],
    [
      'a 5xx',
      {
        statusCode: 503,
        body: JSON.stringify({ __type: 'InternalServerError', message: 'try again' }),
      },
    ],
    ['a network timeout', 'TimeoutError'],
  ])('GIVEN %s once THEN the SDK retries and the call succeeds', async (_case, failure) => {
    const { handler, requests } = scriptedHandler([failure, ok]);
    const { clients, aws } = drainReader(handler);

    await expect(aws.switches.get('eu-west-1', '/d')).resolves.toBe('false');
    expect(requests).toHaveLength(2);
    clients.destroy();
  });

  test('GIVEN throttling on every attempt THEN it surfaces as AWS_ERROR after maxAttempts, marked transient', async () => {
    const throttled = {
      statusCode: 400,
      body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }),
    };
    const { handler, requests } = scriptedHandler([throttled, throttled]);
    const { clients, aws } = drainReader(handler, { maxAttempts: 2, retryMode: 'standard' });

    await expect(aws.switches.get('eu-west-1', '/d')).rejects.toMatchObject({
      code: 'AWS_ERROR',
      transient: true,
      message:
        'ssm GetParameter in eu-west-1 throttled (after 2 attempts): ThrottlingException: Rate exceeded',
    });
    expect(requests).toHaveLength(2);
    clients.destroy();
  });

  test('THEN every client has an explicit region, the retry settings and the profile; no endpoint is forced', async () => {
    const clients = new AwsClients({ ...DEFAULT_CLIENT_SETTINGS, profile: 'drill' });
    const ssm = clients.ssm('ap-southeast-2');

    expect(await ssm.config.region()).toBe('ap-southeast-2');
    expect(await ssm.config.maxAttempts()).toBe(5);
    expect(ssm.config.retryMode).toBe('adaptive');
    expect(((await ssm.config.retryStrategy()) as { mode?: string }).mode).toBe('adaptive');
    expect(ssm.config.profile).toBe('drill');
    expect(clients.ssm('ap-southeast-2')).toBe(ssm);
    expect(clients.ssm('eu-west-1')).not.toBe(ssm);
    clients.destroy();
  });
});

/** Answers every request with one fixed HTTP response, as a proxy or a wrong endpoint would. */
function fixedHandler(statusCode: number, body: string, headers: Record<string, string>) {
  const requests: unknown[] = [];
  const handler = {
    async handle(request: unknown) {
      requests.push(request);
      return { response: { statusCode, headers, body: Readable.from([Buffer.from(body)]) } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return { handler, requests };
}

const HTML_503 =
  '<html><head><title>503 Service Temporarily Unavailable</title></head>' +
  '<body><h1>503 Service Temporarily Unavailable</h1><hr><center>nginx</center></body></html>';
const ENDPOINT_VARIABLES_SET = ['AWS_ENDPOINT_URL', ...Object.values(ENDPOINT_VARIABLES)];

describe('an HTTP answer that is not an AWS error response (a proxy, a load balancer, a wrong endpoint)', () => {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const name of ENDPOINT_VARIABLES_SET) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
  });
  afterEach(() => {
    for (const name of ENDPOINT_VARIABLES_SET) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  test('GIVEN an HTML 503 page for a JSON API (SSM) THEN the error names the status, the call, the region and what answered; the hint what to check and the retries', async () => {
    const { handler, requests } = fixedHandler(503, HTML_503, { 'content-type': 'text/html' });
    const { clients, aws } = drainReader(handler, { maxAttempts: 2, retryMode: 'standard' });

    const err = await aws.switches.get('eu-west-1', '/d').catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'AWS_ERROR', transient: true });
    expect((err as Error).message).toBe(
      'ssm GetParameter in eu-west-1: HTTP 503 (after 2 attempts) with a body that is not an AWS error response ' +
        '(content-type text/html, no AWS request id): a proxy, a load balancer or an AWS-compatible endpoint answered, not the AWS API',
    );
    expect((err as { hint?: string }).hint).toBe(
      'Check what answered: neither AWS_ENDPOINT_URL_SSM nor AWS_ENDPOINT_URL is set, so the SDK called the AWS endpoint of ssm in eu-west-1 ' +
        'unless endpoint_url is set in the profile; any proxy or load balancer on the way (the drill configures no proxy itself); ' +
        'the health of ssm in eu-west-1 (https://health.aws.amazon.com/health/status).\n' +
        'The SDK retries HTTP 5xx answers (2 attempt(s) here; more with --max-attempts), and a waiting step polls through them ' +
        'until its timeout; rerun once the endpoint answers (a stopped drill continues with its resume command).',
    );
    expect(requests).toHaveLength(2);
    clients.destroy();
  });

  test('GIVEN an empty 502 for an XML API (RDS) and AWS_ENDPOINT_URL_RDS set THEN the same text, naming the endpoint it was sent to', async () => {
    process.env.AWS_ENDPOINT_URL_RDS = 'https://rds.proxy.example.com';
    const { handler } = fixedHandler(502, '', { 'Content-Type': 'text/plain' });
    const { clients, aws } = drainReader(handler, { maxAttempts: 2, retryMode: 'standard' });

    const err = await aws.database
      .describeCluster('us-west-2', 'multi-region-ref-global-us-west-2')
      .catch((e: unknown) => e);

    expect((err as Error).message).toBe(
      'rds DescribeDBClusters in us-west-2: HTTP 502 (after 2 attempts) with a body that is not an AWS error response ' +
        '(content-type text/plain, no AWS request id): a proxy, a load balancer or an AWS-compatible endpoint answered, not the AWS API',
    );
    expect((err as { hint?: string }).hint).toMatch(
      /^Check what answered: AWS_ENDPOINT_URL_RDS=https:\/\/rds\.proxy\.example\.com; any proxy/,
    );
    clients.destroy();
  });

  test('GIVEN an HTML 404 from a wrong AWS_ENDPOINT_URL THEN it is not retried and says to fix the endpoint', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://localhost:8080';
    const { handler, requests } = fixedHandler(404, '<html>Not Found</html>', {
      'content-type': 'text/html',
    });
    const { clients, aws } = drainReader(handler, { maxAttempts: 3, retryMode: 'standard' });

    const err = await aws.database
      .describeCluster('us-west-2', 'multi-region-ref-global-us-west-2')
      .catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'AWS_ERROR', transient: false });
    expect((err as Error).message).toBe(
      'rds DescribeDBClusters in us-west-2: HTTP 404 with a body that is not an AWS error response ' +
        '(content-type text/html, no AWS request id): a proxy, a load balancer or an AWS-compatible endpoint answered, not the AWS API',
    );
    expect((err as { hint?: string }).hint).toBe(
      'Check what answered: AWS_ENDPOINT_URL=http://localhost:8080 (AWS_ENDPOINT_URL_RDS is not set); any proxy or load balancer ' +
        'on the way (the drill configures no proxy itself); the health of rds in us-west-2 (https://health.aws.amazon.com/health/status).\n' +
        'HTTP 404 is not retried: fix the endpoint, then rerun (a stopped drill continues with its resume command).',
    );
    expect(requests).toHaveLength(1);
    clients.destroy();
  });

  test('GIVEN a real AWS 5xx error body THEN it stays an AWS server error with the usual hint', async () => {
    const body = JSON.stringify({ __type: 'InternalServerError', message: 'try again' });
    const { handler } = fixedHandler(500, body, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': 'req-1',
    });
    const { clients, aws } = drainReader(handler, { maxAttempts: 1, retryMode: 'standard' });

    const err = await aws.switches.get('eu-west-1', '/d').catch((e: unknown) => e);

    expect((err as Error).message).toBe(
      'ssm GetParameter in eu-west-1 AWS server error: InternalServerError: try again',
    );
    expect((err as { hint?: string }).hint).toBe(
      'This is usually temporary: wait a minute, then rerun (a stopped drill continues with its resume command)',
    );
    clients.destroy();
  });

  test('THEN the endpoint variable of each service is the one the SDK reads (from its serviceId)', () => {
    const clients = new AwsClients(DEFAULT_CLIENT_SETTINGS);
    const serviceIds: Record<keyof typeof ENDPOINT_VARIABLES, string> = {
      rds: clients.rds('us-east-1').config.serviceId,
      'rds-data': clients.rdsData('us-east-1').config.serviceId,
      route53: clients.route53('us-east-1').config.serviceId,
      cloudwatch: clients.cloudwatch('us-east-1').config.serviceId,
      ssm: clients.ssm('us-east-1').config.serviceId,
      sts: clients.sts('us-east-1').config.serviceId,
      servicequotas: clients.serviceQuotas('us-east-1').config.serviceId,
    };

    for (const [service, serviceId] of Object.entries(serviceIds)) {
      expect(ENDPOINT_VARIABLES[service as keyof typeof ENDPOINT_VARIABLES]).toBe(
        `AWS_ENDPOINT_URL_${serviceId.toUpperCase().split(' ').join('_')}`,
      );
    }
    clients.destroy();
  });
});

describe('drill status against an endpoint that answers HTML 503 to everything', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drill-html-'));
    fs.writeFileSync(path.join(dir, 'cdk-outputs.json'), JSON.stringify(outputsFor()));
    for (const name of ENDPOINT_VARIABLES_SET) delete process.env[name];
    process.env.AWS_ENDPOINT_URL = 'https://aws.proxy.example.com';
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    for (const name of ENDPOINT_VARIABLES_SET) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  test('THEN it stops with AWS_ERROR (exit 9), the HTTP status per region and the endpoint hint, no SDK deserialization text', async () => {
    const { handler } = fixedHandler(503, HTML_503, { 'content-type': 'text/html' });
    let stdout = '';
    let stderr = '';

    const code = await main(
      ['status', '--outputs', path.join(dir, 'cdk-outputs.json'), '--max-attempts', '1'],
      {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        clientSettings: {
          credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
          requestHandler: handler as ClientSettings['requestHandler'],
        },
      },
    );

    expect(code).toBe(9);
    expect(stdout).toBe('');
    const notAws =
      'HTTP 503 with a body that is not an AWS error response (content-type text/html, no AWS request id): ' +
      'a proxy, a load balancer or an AWS-compatible endpoint answered, not the AWS API';
    expect(stderr).toBe(
      [
        'error [AWS_ERROR]: could not read global cluster multi-region-ref-global in any region:',
        `  us-east-1: rds DescribeGlobalClusters in us-east-1: ${notAws}`,
        `  us-west-2: rds DescribeGlobalClusters in us-west-2: ${notAws}`,
        '  next: Check what answered: AWS_ENDPOINT_URL=https://aws.proxy.example.com (AWS_ENDPOINT_URL_RDS is not set); ' +
          'any proxy or load balancer on the way (the drill configures no proxy itself); the health of rds in us-west-2 ' +
          '(https://health.aws.amazon.com/health/status).',
        '  next: The SDK retries HTTP 5xx answers (1 attempt(s) here; more with --max-attempts), and a waiting step polls ' +
          'through them until its timeout; rerun once the endpoint answers (a stopped drill continues with its resume command).',
        '',
      ].join('\n'),
    );
    expect(stderr).not.toContain('Deserialization error');
  });
});
