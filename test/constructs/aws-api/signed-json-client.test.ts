import type { HttpRequest } from '@smithy/core/transport';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import {
  ArcRegionSwitchClient,
  AwsServiceError,
  FisClient,
  GetExperimentCommand,
  ListRoute53HealthChecksCommand,
  StartExperimentCommand,
  StartPlanExecutionCommand,
  StopExperimentCommand,
} from '../../../constructs/aws-api';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/** A request handler that records each signed request and answers `status` with `body`. */
function recorder(status = 200, body: unknown = {}, headers: Record<string, string> = {}) {
  const sent: HttpRequest[] = [];
  return {
    sent,
    handler: {
      handle: async (request: HttpRequest) => {
        sent.push(request);
        return {
          response: {
            statusCode: status,
            headers: { 'x-amzn-requestid': 'req-1', ...headers },
            body: Readable.from([Buffer.from(JSON.stringify(body))]),
          },
        };
      },
    },
  };
}

const PLAN = 'arn:aws:arc-region-switch::123456789012:plan/orders-to-us-west-2:abc123';

describe('ARC Region switch client', () => {
  test('GIVEN a data-plane call WHEN sent THEN it goes to the region, AWS JSON 1.0, signed for arc-region-switch there', async () => {
    const { sent, handler } = recorder(200, { executionId: 'e-1' });
    const client = new ArcRegionSwitchClient({
      region: 'us-west-2',
      credentials,
      requestHandler: handler as never,
    });
    const out = await client.send(
      new StartPlanExecutionCommand({
        planArn: PLAN,
        targetRegion: 'us-west-2',
        action: 'activate',
        mode: 'graceful',
      }),
    );
    expect(out.executionId).toBe('e-1');
    expect(out.$metadata).toEqual({ httpStatusCode: 200, requestId: 'req-1' });
    const [request] = sent;
    expect(request.hostname).toBe('arc-region-switch.us-west-2.api.aws');
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/');
    expect(request.headers['x-amz-target']).toBe('ArcRegionSwitch.StartPlanExecution');
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(request.headers.authorization).toMatch(
      /Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/arc-region-switch\/aws4_request/,
    );
    expect(JSON.parse(String(request.body))).toEqual({
      planArn: PLAN,
      targetRegion: 'us-west-2',
      action: 'activate',
      mode: 'graceful',
    });
  });

  test('GIVEN a control-plane call from a client in us-west-2 WHEN sent THEN it goes to us-east-1 and is signed there', async () => {
    const { sent, handler } = recorder(200, { healthChecks: [] });
    const client = new ArcRegionSwitchClient({
      region: 'us-west-2',
      credentials,
      requestHandler: handler as never,
    });
    await client.send(new ListRoute53HealthChecksCommand({ arn: PLAN }));
    expect(sent[0].hostname).toBe('arc-region-switch-control-plane.us-east-1.api.aws');
    expect(sent[0].headers['x-amz-target']).toBe('ArcRegionSwitch.ListRoute53HealthChecks');
    expect(sent[0].headers.authorization).toMatch(/\/us-east-1\/arc-region-switch\/aws4_request/);
  });

  test('GIVEN an error answer WHEN sent THEN it throws with the error code as name, the message and the status', async () => {
    const { handler } = recorder(
      409,
      { message: 'plan has an active execution' },
      {
        'x-amzn-errortype': 'IllegalStateException:http://internal.amazon.com/coral/',
      },
    );
    const client = new ArcRegionSwitchClient({
      region: 'us-west-2',
      credentials,
      requestHandler: handler as never,
    });
    const error = await client
      .send(
        new StartPlanExecutionCommand({
          planArn: PLAN,
          targetRegion: 'us-west-2',
          action: 'activate',
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({
      name: 'IllegalStateException',
      message: 'plan has an active execution',
      $fault: 'client',
      $metadata: { httpStatusCode: 409, requestId: 'req-1' },
    });
  });

  test('GIVEN a body error type with a namespace WHEN a 500 answers THEN the name drops the namespace and the fault is the server', async () => {
    const { handler } = recorder(500, {
      __type: 'com.amazonaws.arcregionswitch#InternalServerException',
      message: 'oops',
    });
    const client = new ArcRegionSwitchClient({
      region: 'us-east-1',
      credentials,
      requestHandler: handler as never,
    });
    const error = await client
      .send(new ListRoute53HealthChecksCommand({ arn: PLAN }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'InternalServerException',
      message: 'oops',
      $fault: 'server',
    });
  });

  test('GIVEN an error answer that is not JSON (a proxy page) WHEN sent THEN an AwsServiceError with the status and the start of the text', async () => {
    const sent: HttpRequest[] = [];
    const handler = {
      handle: async (request: HttpRequest) => {
        sent.push(request);
        return {
          response: {
            statusCode: 503,
            headers: {},
            body: Readable.from([Buffer.from('<html>Service Unavailable</html>')]),
          },
        };
      },
    };
    const client = new ArcRegionSwitchClient({
      region: 'us-west-2',
      credentials,
      requestHandler: handler as never,
    });
    const error = await client
      .send(new ListRoute53HealthChecksCommand({ arn: PLAN }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({
      name: 'HTTP503',
      message: '<html>Service Unavailable</html>',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
    });
  });

  test('GIVEN aws-sdk-client-mock on the client class WHEN a command is sent THEN the mock answers it', async () => {
    const mock = mockClient(ArcRegionSwitchClient);
    try {
      mock
        .on(StartPlanExecutionCommand, { action: 'activate' })
        .resolves({ executionId: 'mocked', $metadata: {} });
      const client = new ArcRegionSwitchClient({ region: 'us-west-2', credentials });
      const out = await client.send(
        new StartPlanExecutionCommand({
          planArn: PLAN,
          targetRegion: 'us-west-2',
          action: 'activate',
        }),
      );
      expect(out.executionId).toBe('mocked');
      expect(mock.commandCalls(StartPlanExecutionCommand)).toHaveLength(1);
    } finally {
      mock.restore();
    }
  });
});

describe('FIS client', () => {
  test.each([
    [
      'StartExperiment',
      new StartExperimentCommand({ experimentTemplateId: 'EXT1', clientToken: 't-1' }),
      'POST',
      '/experiments',
      { experimentTemplateId: 'EXT1', clientToken: 't-1' },
    ],
    [
      'GetExperiment',
      new GetExperimentCommand({ id: 'EXP1' }),
      'GET',
      '/experiments/EXP1',
      undefined,
    ],
    [
      'StopExperiment',
      new StopExperimentCommand({ id: 'EXP1' }),
      'DELETE',
      '/experiments/EXP1',
      undefined,
    ],
  ])(
    'GIVEN %s WHEN sent THEN REST JSON to fis.<region>, signed for fis',
    async (_name, command, method, path, body) => {
      const { sent, handler } = recorder(200, {
        experiment: { id: 'EXP1', state: { status: 'running' } },
      });
      const client = new FisClient({
        region: 'eu-west-1',
        credentials,
        requestHandler: handler as never,
      });
      const out = await client.send(command as StartExperimentCommand);
      expect(out.experiment?.state?.status).toBe('running');
      expect(sent[0]).toMatchObject({ hostname: 'fis.eu-west-1.amazonaws.com', method, path });
      expect(sent[0].headers.authorization).toMatch(/\/eu-west-1\/fis\/aws4_request/);
      expect(sent[0].body === undefined ? undefined : JSON.parse(String(sent[0].body))).toEqual(
        body,
      );
    },
  );
});
