// `--engine arc`: the refusals and stops around the execution, each with its exact text.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { topologyFromOutputs } from '../../runbooks/drill/discovery';
import { simulatedArc } from '../../runbooks/simulation/arc';
import type { JournalEntry } from '../../runbooks/drill/store';
import { drillIds, runAsFailoverRole, SECONDARY, useFakeAws } from './harness';

const h = useFakeAws();
// ARC executions are the failover role's (IAM cannot tell graceful from ungraceful starts).
beforeEach(() => runAsFailoverRole(h.world));

const plan = () => h.world.topology.regionSwitch!.plans[SECONDARY];
const starts = () => h.world.callsOf('arc-region-switch:StartPlanExecution');

describe('the lag gate before StartPlanExecution', () => {
  test('GIVEN the RPO lag grows past the RPO after preflight THEN no execution starts and the drill says how to go on', async () => {
    h.world.afterServed(
      'rds-data:ExecuteStatement',
      (w) => (w.region(SECONDARY).rpoLagMs = 45_000),
    );

    const result = await h.run(h.switchover('--engine', 'arc'));

    expect(result.code).toBe(4);
    const [drillId] = drillIds(h.stateDir);
    expect(result.stderr).toContain(
      `error [PREFLIGHT_FAILED]: drill ${drillId} stopped at step arc-execution: ARC execution refused: ` +
        'RPO lag of multi-region-ref-global-us-west-2 is 45000 ms, not under the RPO (30 s)\n',
    );
    expect(result.stderr).toContain(
      `  next: Nothing was started. Wait until the lag is under the RPO (\`npx drill status\`), then \`npx drill resume --drill-id ${drillId} --execute\`; to run anyway, resume with --force --reason "<why>"\n`,
    );
    expect(starts()).toEqual([]);
  });
});

describe('an execution id that was never journaled', () => {
  test('GIVEN the journal says StartPlanExecution was sent but holds no execution id WHEN resumed THEN it refuses to start a second execution and says where to look', async () => {
    simulatedArc(h.world).failingSteps.set('fence-writes', 'x');
    await h.run(h.switchover('--engine', 'arc'));
    const [drillId] = drillIds(h.stateDir);
    const file = path.join(h.stateDir, drillId, 'journal.jsonl');
    // A crash between the request and its answer: the id note is lost.
    const kept = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .filter((l) => {
        const e = JSON.parse(l) as JournalEntry;
        return !(
          e.type === 'step' &&
          e.step === 'arc-execution' &&
          e.event === 'note' &&
          e.details?.executionId
        );
      });
    fs.writeFileSync(file, `${kept.join('\n')}\n`);

    const result = await h.run(['resume', '--execute', '--yes', ...h.fast]);

    expect(result.code).toBe(8);
    expect(result.stderr).toContain(
      `stopped at step arc-execution: StartPlanExecution of plan ${plan().planName} was sent at 2025-03-01T10:00:00.000Z but its execution id was not journaled\n`,
    );
    expect(result.stderr).toContain(
      `  next: Find the execution in the ARC console (Region switch, plan ${plan().planName}, us-west-2) or with ` +
        `\`aws arc-region-switch list-plan-executions --plan-arn ${plan().planArn} --region us-west-2\`; ` +
        'let it finish there, then give this drill up with `npx drill abandon`\n',
    );
    expect(starts()).toHaveLength(1);
  });
});

describe('an execution that outlasts the step timeout', () => {
  test('GIVEN the approval never comes back in time THEN the drill stops STEP_TIMEOUT and the execution runs on', async () => {
    h.world.afterServed('arc-region-switch:ApprovePlanExecutionStep', (w) => {
      simulatedArc(w).customActionMs = 3_600_000;
    });

    const result = await h.run(h.switchover('--engine', 'arc', '--timeout', 'arc-execution=1m'));

    expect(result.code).toBe(7);
    expect(result.stderr).toContain(
      'stopped at step arc-execution: step arc-execution timed out after 1m 00s waiting for ARC execution us-west-2/0000000000000001 (state inProgress)\n',
    );
    expect(result.stderr).toContain(
      '  next: The execution runs on in ARC. Resume with a longer wait (`--timeout arc-execution=60m`): it re-attaches to the same execution\n',
    );
  });
});

describe('--ungraceful on a drill the native engine runs', () => {
  test('GIVEN a stopped native drill WHEN resumed with --ungraceful THEN it is a usage error naming the drill', async () => {
    h.world.fail('ssm:PutParameter', new Error('denied'), { name: '/multi-region-ref/drain' });
    await h.run(h.switchover());
    const [drillId] = drillIds(h.stateDir);

    const result = await h.run([
      'resume',
      '--ungraceful',
      '--allow-data-loss',
      '--execute',
      '--yes',
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error [USAGE]: --ungraceful switches an ARC Region switch execution, and drill ${drillId} runs on the native engine\n` +
        '  next: For an unplanned move start a failover: `npx drill failover --to us-west-2 --allow-data-loss`\n',
    );
  });
});

describe('the DrillRegionSwitch output, checked field by field', () => {
  const withPlan = (change: (p: Record<string, unknown>) => void) => {
    const outputs = JSON.parse(fs.readFileSync(h.outputsFile, 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    const stack = Object.keys(outputs).find((s) => outputs[s].DrillRegionSwitch)!;
    const value = JSON.parse(outputs[stack].DrillRegionSwitch) as {
      plans: Record<string, Record<string, unknown>>;
    };
    change(value.plans[SECONDARY]);
    outputs[stack].DrillRegionSwitch = JSON.stringify(value);
    return { outputs, stack };
  };

  test.each([
    [
      'a plan without its ARN',
      (p: Record<string, unknown>) => delete p.planArn,
      (stack: string) =>
        `DrillRegionSwitch.plans.us-west-2 of stack ${stack}.planArn must be a non-empty string`,
    ],
    [
      'a plan keyed by a region it does not activate',
      (p: Record<string, unknown>) => (p.targetRegion = 'eu-west-1'),
      (stack: string) =>
        `DrillRegionSwitch.plans.us-west-2 of stack ${stack} must activate us-west-2, a region of DrillRouting.regions (us-east-1, us-west-2), got targetRegion eu-west-1`,
    ],
    [
      'a plan of another primary',
      (p: Record<string, unknown>) => (p.primaryRegion = 'eu-west-1'),
      (stack: string) =>
        `DrillRegionSwitch.plans.us-west-2 of stack ${stack}.primaryRegion is eu-west-1 but DrillRouting.primaryRegion is us-east-1`,
    ],
  ])('GIVEN %s THEN discovery fails naming the field and the stack', (_what, change, message) => {
    const { outputs, stack } = withPlan(change);
    expect(() => topologyFromOutputs(outputs, 'cdk-outputs.json')).toThrow(
      `cdk-outputs.json: ${message(stack)}`,
    );
  });
});
