import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ArcFenceConfigError,
  createArcFenceHandler,
  readArcFenceConfig,
} from '../../../constructs/handlers/arc-fence';

const ssm = mockClient(SSMClient);
const ENV = { AWS_REGION: 'us-east-1', DRAIN_PARAMETER_NAME: '/multi-region-ref/drain' };

beforeEach(() => {
  ssm.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('the ARC fence sets its own region drain switch', () => {
  test('GIVEN its configuration WHEN ARC invokes it THEN it writes true to the drain parameter, overwriting false, and says so', async () => {
    // GIVEN
    ssm.on(PutParameterCommand).resolves({ Version: 2 });
    const handler = createArcFenceHandler(() => new SSMClient({ region: 'us-east-1' }), ENV);

    // WHEN
    const result = await handler({});

    // THEN the value the health and items functions read as drained
    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input)).toEqual([
      { Name: '/multi-region-ref/drain', Value: 'true', Type: 'String', Overwrite: true },
    ]);
    expect(result).toEqual({
      region: 'us-east-1',
      drainParameterName: '/multi-region-ref/drain',
      drained: true,
    });
    expect(console.log).toHaveBeenCalledWith(
      "fenced us-east-1: SSM parameter /multi-region-ref/drain set to 'true'",
    );
  });

  test('GIVEN SSM refuses WHEN ARC invokes it THEN the invocation fails (ARC retries the step)', async () => {
    ssm.on(PutParameterCommand).rejects(new Error('AccessDeniedException: not allowed'));
    const handler = createArcFenceHandler(() => new SSMClient({ region: 'us-east-1' }), ENV);
    await expect(handler({})).rejects.toThrow('AccessDeniedException: not allowed');
  });

  test('GIVEN the client is built once WHEN invoked twice THEN it builds it in the configured region once', async () => {
    ssm.on(PutParameterCommand).resolves({});
    const regions: string[] = [];
    const handler = createArcFenceHandler((region) => {
      regions.push(region);
      return new SSMClient({ region });
    }, ENV);
    await handler({});
    await handler({});
    expect(regions).toEqual(['us-east-1']);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(2);
  });
});

describe('the ARC fence configuration', () => {
  test('GIVEN no variables THEN it names both, with what to set them to, and sends nothing', async () => {
    const handler = createArcFenceHandler(() => new SSMClient({ region: 'us-east-1' }), {});
    await expect(handler({})).rejects.toThrow(
      new ArcFenceConfigError([
        'AWS_REGION is not set: set it to the region this function runs in (Lambda sets it)',
        "DRAIN_PARAMETER_NAME is not set: set it to the name of this region's SSM drain parameter (value 'true' or 'false')",
      ]),
    );
    expect(() => readArcFenceConfig({})).toThrow(
      "ARC fence configuration is invalid: AWS_REGION is not set: set it to the region this function runs in (Lambda sets it); DRAIN_PARAMETER_NAME is not set: set it to the name of this region's SSM drain parameter (value 'true' or 'false')",
    );
    expect(ssm.calls()).toHaveLength(0);
  });
});
