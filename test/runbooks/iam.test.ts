import {
  AWS_OPERATIONS,
  AwsOperation,
  DRILL_FAILOVER_ONLY_IAM_ACTIONS,
  DRILL_ARC_IAM_ACTIONS,
  DRILL_IAM_ACTIONS,
} from '../../runbooks/drill/aws/operations';
import { PRIMARY, SECONDARY, useFakeAws } from './harness';

const h = useFakeAws();

describe('DRILL_IAM_ACTIONS', () => {
  test('THEN it is derived from the operation table: sorted, unique, every action of every operation', () => {
    expect(DRILL_IAM_ACTIONS).toEqual([
      'cloudwatch:DescribeAlarms',
      'cloudwatch:GetMetricData',
      'fis:GetExperiment',
      'fis:StartExperiment',
      'fis:StopExperiment',
      'kms:CreateGrant',
      'kms:Decrypt',
      'kms:DescribeKey',
      'rds-data:ExecuteStatement',
      'rds:CopyDBClusterSnapshot',
      'rds:DescribeDBClusterParameters',
      'rds:DescribeDBClusterSnapshots',
      'rds:DescribeDBClusters',
      'rds:DescribeDBInstances',
      'rds:DescribeGlobalClusters',
      'rds:DescribeOrderableDBInstanceOptions',
      'rds:FailoverGlobalCluster',
      'rds:ModifyDBClusterParameterGroup',
      'rds:ResetDBClusterParameterGroup',
      'rds:SwitchoverGlobalCluster',
      'route53:GetHealthCheckStatus',
      'route53:ListResourceRecordSets',
      'route53:TestDNSAnswer',
      'secretsmanager:GetSecretValue',
      'servicequotas:GetServiceQuota',
      'ssm:DeleteParameter',
      'ssm:GetParameter',
      'ssm:PutParameter',
    ]);
    expect(Object.isFrozen(DRILL_IAM_ACTIONS)).toBe(true);
  });

  test('GIVEN every command the CLI runs THEN every AWS operation it sends is in the table, and every table entry is used', async () => {
    await h.run(['status']);
    await h.run(['preflight']);
    await h.run(['switchover', '--to', SECONDARY, '--execute', '--yes', ...h.fast]);
    // The game day (FIS): the writer's region isolated, then an unplanned failover back.
    await h.run([
      'game-day',
      '--from',
      SECONDARY,
      '--allow-data-loss',
      '--execute',
      '--yes',
      ...h.fast,
    ]);
    await h.run([
      'failover',
      '--to',
      PRIMARY,
      '--allow-data-loss',
      '--execute',
      '--yes',
      ...h.fast,
    ]);

    // ARC Region switch calls are in their own table (--engine arc: arc-engine.test.ts).
    const all = new Set(h.world.calls.map((c) => c.operation));
    const arc = [...all].filter((o) => o.startsWith('arc-region-switch:'));
    const sent = new Set([...all].filter((o) => !arc.includes(o)));
    const table = new Set(Object.values(AWS_OPERATIONS).map((o) => `${o.service}:${o.operation}`));
    expect([...sent].sort()).toEqual([...table].sort());
    expect(arc.sort()).toEqual([
      'arc-region-switch:GetPlanEvaluationStatus',
      'arc-region-switch:ListRoute53HealthChecksInRegion',
    ]);
    for (const operation of arc) expect(DRILL_ARC_IAM_ACTIONS).toContain(operation);
    for (const operation of sent) {
      if (operation === 'sts:GetCallerIdentity') continue; // needs no permission
      expect(DRILL_IAM_ACTIONS).toContain(operation);
    }
    expect(AWS_OPERATIONS.getCallerIdentity.iamActions).toEqual([]);
  });
});

describe('DRILL_FAILOVER_ONLY_IAM_ACTIONS', () => {
  test("THEN only the data-losing FailoverGlobalCluster and the game day's StartExperiment (it isolates a region) are marked for the failover role", () => {
    const marked = (Object.values(AWS_OPERATIONS) as readonly AwsOperation[])
      .filter((o) => o.failoverRoleOnly)
      .map((o) => `${o.service}:${o.operation}`);
    expect(marked).toEqual(['rds:FailoverGlobalCluster', 'fis:StartExperiment']);
  });

  test('THEN it is derived from the marking: the failover operation actions, sorted, frozen, all in DRILL_IAM_ACTIONS', () => {
    expect(DRILL_FAILOVER_ONLY_IAM_ACTIONS).toEqual([
      'fis:StartExperiment',
      'rds:FailoverGlobalCluster',
    ]);
    expect(Object.isFrozen(DRILL_FAILOVER_ONLY_IAM_ACTIONS)).toBe(true);
    for (const action of DRILL_FAILOVER_ONLY_IAM_ACTIONS) {
      expect(DRILL_IAM_ACTIONS).toContain(action);
    }
  });

  test('GIVEN a planned switchover and failback WHEN run THEN every call they send is one the operator role holds', async () => {
    await h.run(['status']);
    await h.run(['preflight']);
    await h.run(['switchover', '--to', SECONDARY, '--execute', '--yes', ...h.fast]);
    await h.run(['failback', '--execute', '--yes', ...h.fast]);

    const sent = [...new Set(h.world.calls.map((c) => c.operation))];
    expect(sent).toContain('rds:SwitchoverGlobalCluster');
    expect(sent.filter((o) => DRILL_FAILOVER_ONLY_IAM_ACTIONS.includes(o))).toEqual([]);
  });
});

describe('DRILL_ARC_IAM_ACTIONS', () => {
  test('GIVEN the ARC operation table THEN --engine arc needs exactly these actions, none of them in DRILL_IAM_ACTIONS', () => {
    expect(DRILL_ARC_IAM_ACTIONS).toEqual([
      'arc-region-switch:ApprovePlanExecutionStep',
      'arc-region-switch:GetPlanEvaluationStatus',
      'arc-region-switch:GetPlanExecution',
      'arc-region-switch:ListPlanExecutionEvents',
      'arc-region-switch:ListRoute53HealthChecksInRegion',
      'arc-region-switch:StartPlanExecution',
      'arc-region-switch:UpdatePlanExecution',
    ]);
    expect(DRILL_ARC_IAM_ACTIONS.filter((a) => DRILL_IAM_ACTIONS.includes(a))).toEqual([]);
  });
});
