// The drill's ARC port on the in-house ARC Region switch client, with aws-sdk-client-mock:
// pages, timestamps, the region of every call, and the dry run's refusal of what changes.
import { mockClient } from 'aws-sdk-client-mock';
import {
  ApprovePlanExecutionStepCommand,
  ArcRegionSwitchClient,
  GetPlanEvaluationStatusCommand,
  GetPlanExecutionCommand,
  ListPlanExecutionEventsCommand,
  ListRoute53HealthChecksInRegionCommand,
  StartPlanExecutionCommand,
} from '../../constructs/aws-api/arc-region-switch';
import { arcRegionSwitch, arcTime } from '../../runbooks/drill/aws/arc';
import { AwsCaller } from '../../runbooks/drill/aws/caller';
import { AwsClients, DEFAULT_CLIENT_SETTINGS } from '../../runbooks/drill/aws/clients';

const arc = mockClient(ArcRegionSwitchClient);
const PLAN = 'arn:aws:arc-region-switch::123456789012:plan/MultiRegion-us-west-2:abc123';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

function port(mode: 'dry-run' | 'execute' = 'execute') {
  const clients = new AwsClients({ ...DEFAULT_CLIENT_SETTINGS, credentials });
  return { clients, api: arcRegionSwitch(clients, new AwsCaller(mode)) };
}

beforeEach(() => arc.reset());
afterAll(() => arc.restore());

describe('ARC timestamps', () => {
  test.each([
    [1740823200, 1740823200000],
    [1740823200.5, 1740823200500],
    ['2025-03-01T10:00:00.000Z', 1740823200000],
    [undefined, undefined],
    ['not a date', undefined],
  ])('GIVEN %p THEN ms since epoch %p', (value, ms) => {
    expect(arcTime(value)).toBe(ms);
  });
});

describe('GetPlanExecution and ListPlanExecutionEvents through the port', () => {
  test('GIVEN two pages of step states and of events THEN the port reads every page, in the region asked', async () => {
    arc
      .on(GetPlanExecutionCommand)
      .resolvesOnce({
        executionId: 'us-west-2/0000000000000001',
        executionState: 'inProgress',
        executionMode: 'graceful',
        startTime: 1740823200,
        stepStates: [
          { name: 'approve', status: 'completed', startTime: 1740823200, endTime: 1740823210 },
        ],
        nextToken: 'p2',
      })
      .resolvesOnce({
        stepStates: [{ name: 'move-writer', status: 'running', startTime: 1740823210 }],
      });
    arc
      .on(ListPlanExecutionEventsCommand)
      .resolvesOnce({
        items: [{ eventId: 'e1', type: 'executionStarted', timestamp: 1740823200 }],
        nextToken: 'n',
      })
      .resolvesOnce({
        items: [
          {
            eventId: 'e2',
            type: 'stepFailed',
            stepName: 'fence-writes',
            executionBlockType: 'CustomActionLambda',
            error: 'boom',
            timestamp: 1740823215,
          },
        ],
      });
    const { api, clients } = port();

    const execution = await api.execution('us-west-2', PLAN, 'us-west-2/0000000000000001');
    const events = await api.events('us-west-2', PLAN, 'us-west-2/0000000000000001');

    expect(execution).toEqual({
      executionId: 'us-west-2/0000000000000001',
      state: 'inProgress',
      mode: 'graceful',
      startedAt: 1740823200000,
      steps: [
        { name: 'approve', status: 'completed', startedAt: 1740823200000, endedAt: 1740823210000 },
        { name: 'move-writer', status: 'running', startedAt: 1740823210000 },
      ],
    });
    expect(events).toEqual([
      { eventId: 'e1', type: 'executionStarted', at: 1740823200000 },
      {
        eventId: 'e2',
        type: 'stepFailed',
        at: 1740823215000,
        stepName: 'fence-writes',
        blockType: 'CustomActionLambda',
        error: 'boom',
      },
    ]);
    expect(arc.commandCalls(GetPlanExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { planArn: PLAN, executionId: 'us-west-2/0000000000000001' },
      { planArn: PLAN, executionId: 'us-west-2/0000000000000001', nextToken: 'p2' },
    ]);
    const regions = await Promise.all(
      arc.calls().map((c) => (c.thisValue as ArcRegionSwitchClient).config.region()),
    );
    expect(new Set(regions)).toEqual(new Set(['us-west-2']));
    clients.destroy();
  });
});

describe('StartPlanExecution, approvals and reads', () => {
  test('GIVEN an execute run THEN start and approve send what the API reference names', async () => {
    arc.on(StartPlanExecutionCommand).resolves({ executionId: 'us-west-2/0000000000000001' });
    arc.on(ApprovePlanExecutionStepCommand).resolves({});
    const { api, clients } = port();

    const id = await api.startExecution('us-west-2', {
      planArn: PLAN,
      targetRegion: 'us-west-2',
      action: 'activate',
      mode: 'ungraceful',
      comment: 'drill d1',
    });
    await api.approve('us-west-2', PLAN, id, 'approve', 'drill d1');

    expect(id).toBe('us-west-2/0000000000000001');
    expect(arc.commandCalls(StartPlanExecutionCommand)[0].args[0].input).toEqual({
      planArn: PLAN,
      targetRegion: 'us-west-2',
      action: 'activate',
      mode: 'ungraceful',
      comment: 'drill d1',
    });
    expect(arc.commandCalls(ApprovePlanExecutionStepCommand)[0].args[0].input).toEqual({
      planArn: PLAN,
      executionId: id,
      stepName: 'approve',
      approval: 'approve',
      comment: 'drill d1',
    });
    clients.destroy();
  });

  test('GIVEN a dry run THEN StartPlanExecution is refused before it reaches ARC', async () => {
    const { api, clients } = port('dry-run');

    const err = await api
      .startExecution('us-west-2', {
        planArn: PLAN,
        targetRegion: 'us-west-2',
        action: 'activate',
        mode: 'graceful',
        comment: 'x',
      })
      .catch((e: unknown) => e);

    expect((err as Error).message).toBe(
      'dry run tried to call arc-region-switch StartPlanExecution in us-west-2; nothing was sent',
    );
    expect(arc.calls()).toEqual([]);
    clients.destroy();
  });

  test('GIVEN health checks and an evaluation with warnings THEN the port reads status, state, time and every warning', async () => {
    arc.on(ListRoute53HealthChecksInRegionCommand).resolves({
      healthChecks: [
        {
          hostedZoneId: 'Z1',
          recordName: 'write.example.com',
          region: 'us-east-1',
          healthCheckId: 'h1',
          status: 'unhealthy',
        },
        { hostedZoneId: 'Z1', recordName: 'write.example.com', region: 'us-west-2' },
      ],
    });
    arc.on(GetPlanEvaluationStatusCommand).resolves({
      planArn: PLAN,
      evaluationState: 'actionRequired',
      lastEvaluationTime: 1740823200,
      warnings: [
        {
          version: '1',
          stepName: 'move-writer',
          warningStatus: 'active',
          warningMessage: 'cluster has no instance',
        },
        { version: '1' },
      ],
    });
    const { api, clients } = port('dry-run');

    expect(await api.healthChecks('us-west-2', PLAN)).toEqual([
      {
        region: 'us-east-1',
        recordName: 'write.example.com',
        healthCheckId: 'h1',
        status: 'unhealthy',
      },
      { region: 'us-west-2', recordName: 'write.example.com', status: 'unknown' },
    ]);
    expect(await api.evaluation('us-west-2', PLAN)).toEqual({
      state: 'actionRequired',
      lastEvaluatedAt: 1740823200000,
      warnings: [
        { stepName: 'move-writer', status: 'active', message: 'cluster has no instance' },
        { message: 'no message' },
      ],
    });
    clients.destroy();
  });
});
