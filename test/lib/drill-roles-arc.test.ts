// The drill roles on the ARC Region switch plans, as the routing stack synthesizes them: both
// read executions and approve steps on the plans only; only the failover role starts or
// switches an execution (IAM cannot tell a graceful start from an ungraceful one).
import {
  DRILL_OUTPUT_KEYS,
  DRILL_ROLE_OUTPUT_KEYS,
  type DrillRegionSwitchOutput,
} from '../../constructs/contract';
import {
  DRILL_ARC_FAILOVER_ONLY_IAM_ACTIONS,
  DRILL_ARC_IAM_ACTIONS,
} from '../../runbooks/drill/aws/operations';
import { deployedApp } from '../deployed-app';

interface Statement {
  readonly Action: string | string[];
  readonly Resource: string | string[];
}

describe.each([
  ['two regions', ['us-west-2']],
  ['three regions', ['us-west-2', 'us-east-2']],
])('the drill roles on the ARC plans, %s', (_name, secondaries) => {
  const app = deployedApp(['us-east-1', ...secondaries]);
  const routing = app.stackNames().find((s) => s.endsWith('-Routing'))!;
  const policy = (prefix: string) =>
    app
      .resources('AWS::IAM::ManagedPolicy')
      .filter((p) => p.stack === routing && p.logicalId.startsWith(prefix))
      .flatMap((p) => (p.properties.PolicyDocument as { Statement: Statement[] }).Statement);
  // The operator role holds the operator policy; the failover role that one and its own.
  const policiesOf = {
    [DRILL_ROLE_OUTPUT_KEYS.operator]: () => policy('DrillOperatorPolicy'),
    [DRILL_ROLE_OUTPUT_KEYS.failover]: () => [
      ...policy('DrillOperatorPolicy'),
      ...policy('DrillOperatorFailoverPolicy'),
    ],
  };
  const arcActionsOf = (key: keyof typeof policiesOf) => {
    const arc = policiesOf[key]().filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('arc-region-switch:')),
    );
    return {
      actions: arc.flatMap((s) => [s.Action].flat()).sort(),
      resources: [...new Set(arc.flatMap((s) => [s.Resource].flat()))].sort(),
    };
  };
  // By name, ARC's suffix a wildcard (the plans name the operator role: no reference back).
  const planArns = Object.values(
    (JSON.parse(app.output(routing, DRILL_OUTPUT_KEYS.regionSwitch)) as DrillRegionSwitchOutput)
      .plans,
  )
    .map((p) => `${p.planArn.replace(/:[a-z0-9]{6}$/, '')}:*`)
    .sort();

  test('GIVEN the operator role THEN it reads and approves on the plans, and cannot start or switch an execution', () => {
    const { actions, resources } = arcActionsOf(DRILL_ROLE_OUTPUT_KEYS.operator);

    expect(DRILL_ARC_FAILOVER_ONLY_IAM_ACTIONS).toEqual([
      'arc-region-switch:StartPlanExecution',
      'arc-region-switch:UpdatePlanExecution',
    ]);
    expect(actions).toEqual(
      DRILL_ARC_IAM_ACTIONS.filter((a) => !DRILL_ARC_FAILOVER_ONLY_IAM_ACTIONS.includes(a)),
    );
    expect(actions).toContain('arc-region-switch:ApprovePlanExecutionStep');
    expect(resources).toEqual(planArns);
    expect(planArns).toHaveLength(secondaries.length);
  });

  test('GIVEN the failover role THEN it holds every ARC action the drill calls, on the plans only', () => {
    const { actions, resources } = arcActionsOf(DRILL_ROLE_OUTPUT_KEYS.failover);

    expect([...new Set(actions)].sort()).toEqual([...DRILL_ARC_IAM_ACTIONS].sort());
    expect(resources).toEqual(planArns);
  });
});
