import { AWS_OPERATIONS } from '../../runbooks/drill/aws/operations';
import { inStepScope, undeclaredCall } from '../../runbooks/drill/step-scope';
import { fenceStep } from '../../runbooks/drill/steps/fence';
import { drillIds, readRecordFile, useFakeAws } from './harness';

const h = useFakeAws();

describe('a step may call only the operations its calls() declare', () => {
  test('GIVEN the fence step leaves GetHealthCheckStatus out of its calls() WHEN a switchover runs THEN the fake refuses the call, the drill stops at fence and the call is named', async () => {
    const declared = fenceStep.calls.bind(fenceStep);
    const spy = jest
      .spyOn(fenceStep, 'calls')
      .mockImplementation((plan) =>
        declared(plan).filter((c) => c.operation !== AWS_OPERATIONS.getHealthCheckStatus),
      );
    try {
      const result = await h.run(h.switchover());

      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('stopped at step fence');
      const refusal =
        'step fence called route53:GetHealthCheckStatus, which its calls() do not declare (declared: ssm:GetParameter, ssm:PutParameter)';
      expect(result.stderr).toContain(refusal);
      expect(h.world.undeclaredCalls[0]).toBe(refusal);
      expect(new Set(h.world.undeclaredCalls)).toEqual(new Set([refusal]));
      const record = readRecordFile(h.stateDir, drillIds(h.stateDir)[0]);
      expect(record.steps.find((s) => s.id === 'fence')?.status).toBe('failed');
      expect(h.world.callsOf('rds:SwitchoverGlobalCluster')).toEqual([]);
    } finally {
      spy.mockRestore();
      // Seen: the harness would fail this test for it after it ends.
      h.world.undeclaredCalls.length = 0;
    }
  });

  test('GIVEN every step as declared WHEN a switchover runs THEN no call is refused', async () => {
    const result = await h.run(h.switchover());

    expect(result.code).toBe(0);
    expect(h.world.undeclaredCalls).toEqual([]);
  });
});

describe('the step scope', () => {
  const calls = fenceStep.calls(
    // Only the operations matter here.
    {
      from: { region: 'r', drainParameterName: 'd', healthChecks: { writer: 'w' } },
      homeRegion: 'us-east-1',
    } as unknown as Parameters<typeof fenceStep.calls>[0],
  );

  test('GIVEN no step runs THEN any call is allowed (the lock, the canary loop)', () => {
    expect(undeclaredCall('rds:FailoverGlobalCluster')).toBeUndefined();
  });

  test('GIVEN a step runs THEN its declared operations are allowed and others are named', async () => {
    const verdicts = await inStepScope('fence', calls, async () => {
      await Promise.resolve();
      return [undeclaredCall('ssm:PutParameter'), undeclaredCall('rds:FailoverGlobalCluster')];
    });

    expect(verdicts).toEqual([
      undefined,
      'step fence called rds:FailoverGlobalCluster, which its calls() do not declare (declared: route53:GetHealthCheckStatus, ssm:GetParameter, ssm:PutParameter)',
    ]);
    expect(undeclaredCall('rds:FailoverGlobalCluster')).toBeUndefined();
  });
});
