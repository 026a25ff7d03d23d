import { mockClient } from 'aws-sdk-client-mock';
import {
  ArcRegionSwitchClient,
  ListRoute53HealthChecksCommand,
} from '../../../constructs/aws-api/arc-region-switch';
import {
  type ArcHealthChecksEvent,
  isComplete,
  onEvent,
} from '../../../constructs/handlers/arc-health-checks';

const arc = mockClient(ArcRegionSwitchClient);
const PLAN = 'arn:aws:arc-region-switch::123456789012:plan/MultiRegion-us-west-2:abc123';
const PROPS = {
  PlanArn: PLAN,
  HostedZoneId: 'Z0000000000EXAMPLE',
  RecordName: 'write.example.com',
  Regions: ['us-east-1', 'us-west-2'],
};
const event = (
  RequestType: ArcHealthChecksEvent['RequestType'] = 'Create',
  props: Partial<typeof PROPS> = {},
): ArcHealthChecksEvent => ({ RequestType, ResourceProperties: { ...PROPS, ...props } });
const check = (region: string, healthCheckId?: string, recordName = 'write.example.com.') => ({
  hostedZoneId: 'Z0000000000EXAMPLE',
  recordName,
  region,
  ...(healthCheckId ? { healthCheckId } : {}),
});

let client: ArcRegionSwitchClient;
beforeEach(() => {
  arc.reset();
  client = new ArcRegionSwitchClient({ region: 'us-east-1', controlPlane: true });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('isComplete waits for ARC to create the plan health checks', () => {
  test('GIVEN ARC lists no health check yet WHEN asked THEN not complete, and it says which regions it waits for', async () => {
    arc.on(ListRoute53HealthChecksCommand).resolves({ healthChecks: [] });
    await expect(isComplete(event(), client)).resolves.toEqual({ IsComplete: false });
    expect(console.log).toHaveBeenCalledWith(
      `ARC lists no health check yet for us-east-1, us-west-2 on write.example.com of plan ${PLAN}; asking again`,
    );
  });

  test('GIVEN one region has a check and the other one is pending (no id) WHEN asked THEN not complete', async () => {
    arc
      .on(ListRoute53HealthChecksCommand)
      .resolves({ healthChecks: [check('us-east-1', 'hc-east'), check('us-west-2')] });
    await expect(isComplete(event(), client)).resolves.toEqual({ IsComplete: false });
    expect(console.log).toHaveBeenCalledWith(
      `ARC lists no health check yet for us-west-2 on write.example.com of plan ${PLAN}; asking again`,
    );
  });

  test('GIVEN every region has one WHEN asked THEN complete with their ids in the order of Regions, from the plan, zone and record asked for', async () => {
    arc
      .on(ListRoute53HealthChecksCommand)
      .resolves({ healthChecks: [check('us-west-2', 'hc-west'), check('us-east-1', 'hc-east')] });
    await expect(isComplete(event('Update'), client)).resolves.toEqual({
      IsComplete: true,
      Data: { HealthCheckId0: 'hc-east', HealthCheckId1: 'hc-west' },
    });
    expect(arc.commandCalls(ListRoute53HealthChecksCommand).map((c) => c.args[0].input)).toEqual([
      { arn: PLAN, hostedZoneId: 'Z0000000000EXAMPLE', recordName: 'write.example.com' },
    ]);
  });

  test('GIVEN the checks span two pages and another record has one too WHEN asked THEN it reads every page and only this record', async () => {
    arc
      .on(ListRoute53HealthChecksCommand)
      .resolvesOnce({
        healthChecks: [
          check('us-west-2', 'hc-other', 'app.example.com.'),
          check('us-east-1', 'hc-east'),
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({ healthChecks: [check('us-west-2', 'hc-west', 'WRITE.example.com')] });
    await expect(isComplete(event(), client)).resolves.toEqual({
      IsComplete: true,
      Data: { HealthCheckId0: 'hc-east', HealthCheckId1: 'hc-west' },
    });
    expect(arc.commandCalls(ListRoute53HealthChecksCommand)[1].args[0].input).toEqual({
      arn: PLAN,
      hostedZoneId: 'Z0000000000EXAMPLE',
      recordName: 'write.example.com',
      nextToken: 'page-2',
    });
  });

  test('GIVEN a delete WHEN asked THEN complete without a call (ARC deletes its checks with the plan)', async () => {
    await expect(isComplete(event('Delete'), client)).resolves.toEqual({ IsComplete: true });
    expect(arc.calls()).toHaveLength(0);
  });

  test('GIVEN ARC refuses WHEN asked THEN the error fails the custom resource', async () => {
    arc.on(ListRoute53HealthChecksCommand).rejects(new Error('AccessDeniedException'));
    await expect(isComplete(event(), client)).rejects.toThrow('AccessDeniedException');
  });
});

describe('onEvent', () => {
  test('GIVEN a create THEN the physical id names the plan and the record (a new plan replaces the resource)', async () => {
    await expect(onEvent(event())).resolves.toEqual({
      PhysicalResourceId: `${PLAN}|write.example.com`,
    });
  });

  test('GIVEN a delete THEN it keeps the physical id', async () => {
    await expect(onEvent({ ...event('Delete'), PhysicalResourceId: 'kept' })).resolves.toEqual({
      PhysicalResourceId: 'kept',
    });
  });

  test('GIVEN empty properties THEN it names each, with what it must be', async () => {
    await expect(
      onEvent(event('Create', { PlanArn: '', RecordName: '', Regions: [] })),
    ).rejects.toThrow(
      'Custom::ArcHealthChecks properties are invalid: PlanArn must be a non-empty string, got: ""; RecordName must be a non-empty string, got: ""; Regions must list the plan\'s regions, got: []',
    );
  });
});
