// The SDK's own retries, with the settings the drill uses, against an in-process HTTP handler
// (no mocks of `send`, no network): throttling, 5xx and timeouts are retried until they pass.
import { Readable } from 'node:stream';
import { AwsCaller, sdkAdapters } from '../../runbooks/drill/aws/adapters';
import {
  AwsClients,
  DEFAULT_CLIENT_SETTINGS,
  type ClientSettings,
} from '../../runbooks/drill/aws/clients';
import { sdkCallerIdentitySource } from '../../runbooks/drill/aws/identity';

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
    aws: sdkAdapters(
      clients,
      new AwsCaller('dry-run'),
      'us-east-1',
      sdkCallerIdentitySource(clients.settings),
    ),
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
