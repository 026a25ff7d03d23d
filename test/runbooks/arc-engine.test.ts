// `--engine arc`: the drill drives the ARC Region switch plan the app synthesizes, through the
// in-house ARC client (mocked with aws-sdk-client-mock), against the fake ARC that executes the
// plan's workflow as synthesized (runbooks/simulation/arc.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DRILL_OUTPUT_KEYS } from '../../constructs/contract';
import { REGION_SWITCH_STEP_NAMES as STEP } from '../../constructs/region-switch-plan';
import { simulatedArc } from '../../runbooks/simulation/arc';
import type { JournalEntry } from '../../runbooks/drill/store';
import { deployedApp } from '../deployed-app';
import { VirtualClock } from './fake-aws';
import {
  drillIds,
  failWithoutCredentials,
  PRIMARY,
  readRecordFile,
  runAsFailoverRole,
  SECONDARY,
  until,
  useFakeAws,
} from './harness';

const h = useFakeAws();
const newProcess = { pid: 5000, isProcessAlive: (pid: number) => pid === 5000 };

const plan = () => h.world.topology.regionSwitch!.plans[SECONDARY];
const arcCalls = (operation?: string) =>
  h.world.calls
    .filter((c) => c.operation.startsWith('arc-region-switch:'))
    .filter((c) => !operation || c.operation === `arc-region-switch:${operation}`);
const journalOf = (drillId: string): JournalEntry[] =>
  fs
    .readFileSync(path.join(h.stateDir, drillId, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as JournalEntry);
const asFailoverRole = () => runAsFailoverRole(h.world);

// ARC executions are the failover role's (IAM cannot tell graceful from ungraceful starts).
beforeEach(asFailoverRole);

describe('the synthesized app has the plan the drill drives', () => {
  test('GIVEN the default app THEN DrillRegionSwitch names the us-west-2 plan and the fake ARC reads its workflow in template order', () => {
    expect(Object.keys(h.world.topology.regionSwitch!.plans)).toEqual([SECONDARY]);
    const fake = simulatedArc(h.world).plan(plan().planArn);
    expect(
      fake.workflows.map((w) => [w.action, w.targetRegion, w.steps.map((s) => s.name)]),
    ).toEqual([
      ['activate', SECONDARY, [STEP.approval, STEP.fence, STEP.aurora, STEP.healthChecks]],
      ['activate', PRIMARY, [STEP.approval, STEP.fence, STEP.aurora, STEP.healthChecks]],
    ]);
  });
});

describe('the report location', () => {
  test('GIVEN the synthesized plan THEN DrillRegionSwitch publishes the prefix its report configuration writes under', () => {
    const [deployed] = deployedApp([PRIMARY, SECONDARY])
      .resources('AWS::ARCRegionSwitch::Plan')
      .filter((p) => p.properties.Name === plan().planName);
    const config = deployed.properties.ReportConfiguration as {
      ReportOutput: { S3Configuration: { BucketPath: string } }[];
    };
    expect(config.ReportOutput[0].S3Configuration.BucketPath).toBe(
      `${plan().reportBucketName}/${plan().reportPrefix}`,
    );
  });
});

describe('drill switchover --engine arc (dry run)', () => {
  test('GIVEN the outputs WHEN switchover --to us-west-2 --engine arc runs dry THEN it prints every ARC call in the data plane of us-west-2 and sends none that changes anything', async () => {
    const result = await h.run(['switchover', '--to', SECONDARY, '--engine', 'arc']);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { planArn, planName, reportBucketName } = plan();
    expect(result.stdout).toContain(
      `\nARC Region switch: plan ${planName} (${planArn}), action activate us-west-2, mode graceful; ` +
        'every ARC call goes to the data plane of us-west-2, the region being activated (arc-region-switch.us-west-2.api.aws); ' +
        `execution report in s3://${reportBucketName}/${planName}/\n`,
    );
    expect(result.stdout).toContain(
      `     - arc-region-switch StartPlanExecution @ us-west-2 (arc-region-switch.us-west-2.api.aws) [MUTATING] planArn=${planArn} ` +
        'targetRegion=us-west-2 action=activate mode=graceful (unless this drill started its execution already (resume re-attaches to it))\n',
    );
    for (const op of [
      'GetPlanExecution',
      'ListPlanExecutionEvents',
      'ApprovePlanExecutionStep',
      'UpdatePlanExecution',
    ]) {
      expect(result.stdout).toContain(
        `arc-region-switch ${op} @ us-west-2 (arc-region-switch.us-west-2.api.aws)`,
      );
    }
    // ARC replaces fence, promote and wait-writer; the rest is the native plan.
    expect(result.stdout).toMatch(
      /1\. preflight:[\s\S]*2\. prepare-canary:[\s\S]*3\. arc-execution: Run ARC Region switch plan [^\n]*: activate us-west-2 \(graceful\)[\s\S]*4\. align-rpo:/,
    );
    expect(result.stdout).not.toContain('. promote:');
    expect(arcCalls().map((c) => c.operation)).toEqual([
      'arc-region-switch:ListRoute53HealthChecksInRegion',
    ]);
  });

  test('GIVEN no credentials WHEN the same dry run runs THEN it still prints the ARC calls, offline from the outputs file', async () => {
    failWithoutCredentials(h.world);

    const result = await h.run(['switchover', '--to', SECONDARY, '--engine', 'arc']);

    expect(result.code).toBe(10);
    expect(result.stdout).toContain(
      'DRY RUN (offline): switchover of multi-region-ref-global from us-east-1 to us-west-2',
    );
    expect(result.stdout).toContain(
      'every ARC call goes to the data plane of us-west-2, the region being activated',
    );
    expect(result.stdout).toContain(
      'arc-region-switch StartPlanExecution @ us-west-2 (arc-region-switch.us-west-2.api.aws) [MUTATING]',
    );
    expect(arcCalls('StartPlanExecution')).toEqual([]);
  });

  test('GIVEN outputs without DrillRegionSwitch WHEN --engine arc is asked THEN it names the output and says to deploy the routing stack, before any AWS call', async () => {
    const outputs = JSON.parse(fs.readFileSync(h.outputsFile, 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    for (const stack of Object.values(outputs)) delete stack[DRILL_OUTPUT_KEYS.regionSwitch];
    fs.writeFileSync(h.outputsFile, JSON.stringify(outputs));

    const result = await h.run(['switchover', '--to', SECONDARY, '--engine', 'arc']);

    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `error [DISCOVERY_FAILED]: --engine arc needs the DrillRegionSwitch output (the ARC Region switch plans), and ${h.outputsFile} has none\n` +
        '  next: Deploy the routing stack (it creates the plans) and write the outputs file again: npx cdk deploy --all --outputs-file cdk-outputs.json; or run the drill with --engine native\n',
    );
    expect(h.world.calls).toEqual([]);
  });
});

describe('drill switchover --engine arc --execute (happy path, approval by --yes)', () => {
  test('GIVEN a healthy pair WHEN executed THEN ARC moves the writer, each ARC step shows with its duration, and the drill measures it like its own', async () => {
    const result = await h.run(h.switchover('--engine', 'arc'));

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
    // One execution, started and watched in the region being activated.
    expect(arcCalls('StartPlanExecution').map((c) => [c.region, c.input])).toEqual([
      [
        SECONDARY,
        {
          planArn: plan().planArn,
          targetRegion: SECONDARY,
          action: 'activate',
          mode: 'graceful',
          comment: `drill ${drillIds(h.stateDir)[0]}`,
        },
      ],
    ]);
    expect(
      new Set(
        arcCalls()
          .filter((c) => c.operation !== 'arc-region-switch:ListRoute53HealthChecksInRegion')
          .map((c) => c.region),
      ),
    ).toEqual(new Set([SECONDARY]));
    expect(
      arcCalls('ApprovePlanExecutionStep').map((c) => (c.input as { stepName: string }).stepName),
    ).toEqual([STEP.approval]);
    expect(result.stdout).toContain(' on ARC Region switch (--engine arc) (journal: ');
    expect(result.stdout).toContain(`    ARC step ${STEP.fence}: completed in 15.0s (graceful)\n`);
    expect(result.stdout).toContain(`    ARC step ${STEP.aurora}: completed in 40.0s (graceful)\n`);
    expect(result.stdout).toContain(
      `    ARC step ${STEP.healthChecks}: completed in 5.0s (graceful)\n`,
    );
    expect(result.stdout).toContain(`    ApprovePlanExecutionStep ${STEP.approval} in us-west-2\n`);
    // The plan's fence drained us-east-1; return-old-writer returned it.
    expect(h.world.region(PRIMARY).drain).toBe('false');
  });

  test('THEN the journal holds every state change and event, and the record and reports show the execution, its events and the report bucket', async () => {
    await h.run(h.switchover('--engine', 'arc'));
    const [drillId] = drillIds(h.stateDir);
    const journal = journalOf(drillId);

    expect(journal[0]).toMatchObject({ type: 'drill', params: { engine: 'arc' } });
    const notes = journal.flatMap((e) =>
      e.type === 'step' && e.step === 'arc-execution' && e.event === 'note' ? [e.details] : [],
    );
    expect(notes[0]).toMatchObject({
      planArn: plan().planArn,
      arcRegion: SECONDARY,
      mode: 'graceful',
    });
    expect(notes[1]).toEqual({ executionId: 'us-west-2/0000000000000001' });
    expect(notes.map((n) => n?.executionState).filter(Boolean)).toEqual([
      'pendingManualApproval',
      'inProgress',
      'inProgress',
      'inProgress',
      'completed',
    ]);

    const record = readRecordFile(h.stateDir, drillId);
    expect(record.outcome).toBe('succeeded');
    const arc = record.steps.find((s) => s.id === 'arc-execution')!;
    expect(
      arc.details?.arcEvents?.map((e) => `${e.type}${e.stepName ? ` ${e.stepName}` : ''}`),
    ).toEqual([
      'executionStarted',
      `stepStarted ${STEP.approval}`,
      `stepPendingApproval ${STEP.approval}`,
      'executionPendingApproval',
      `stepSucceeded ${STEP.approval}`,
      `stepStarted ${STEP.fence}`,
      `stepSucceeded ${STEP.fence}`,
      `stepStarted ${STEP.aurora}`,
      `stepSucceeded ${STEP.aurora}`,
      `stepStarted ${STEP.healthChecks}`,
      `stepSucceeded ${STEP.healthChecks}`,
      'executionSucceeded',
    ]);
    expect(arc.details?.reportLocation).toBe(`s3://${plan().reportBucketName}/${plan().planName}/`);
    // The Aurora block is the promotion the record measures.
    expect(record.measures.promotion?.status).toBe('accepted');
    expect(record.measures.promotedAt).toBe('2025-03-01T10:00:15.000Z');

    expect((await h.run(['report', '--format', 'md'])).code).toBe(0);
    const md = fs.readFileSync(path.join(h.stateDir, drillId, 'report.md'), 'utf8');
    expect(md).toContain('## ARC Region switch execution');
    expect(md).toContain(
      `- ARC execution report: s3://${plan().reportBucketName}/${plan().planName}/`,
    );
    expect(md).toContain(
      `| ${STEP.aurora} | completed | 2025-03-01T10:00:15.000Z | 40.0s | graceful |`,
    );
    expect(md).toContain(
      `| 2025-03-01T10:00:55.000Z | stepSucceeded | ${STEP.aurora} | AuroraGlobalDatabase |  |`,
    );
    expect((await h.run(['report', '--format', 'html'])).code).toBe(0);
    expect(fs.readFileSync(path.join(h.stateDir, drillId, 'report.html'), 'utf8')).toContain(
      '<h2>ARC Region switch execution</h2>',
    );
  });
});

describe('drill failback --engine arc', () => {
  test('GIVEN an ARC switchover to us-west-2 WHEN failback --engine arc executes THEN the same plan activates us-east-1, in us-east-1', async () => {
    expect((await h.run(h.switchover('--engine', 'arc'))).code).toBe(0);

    const result = await h.run(['failback', '--engine', 'arc', '--execute', '--yes', ...h.fast]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(arcCalls('StartPlanExecution').map((c) => [c.region, c.input])).toEqual([
      [SECONDARY, expect.objectContaining({ planArn: plan().planArn, targetRegion: SECONDARY })],
      [
        PRIMARY,
        expect.objectContaining({
          planArn: plan().planArn,
          targetRegion: PRIMARY,
          action: 'activate',
          mode: 'graceful',
        }),
      ],
    ]);
    expect(h.world.writer).toBe(PRIMARY);
    expect([...h.world.arcHealthChecks.values()].map((c) => [c.region, c.status])).toEqual([
      [PRIMARY, 'healthy'],
      [SECONDARY, 'unhealthy'],
    ]);
  });
});

describe('an approval step pending, then approved after confirmation', () => {
  test('GIVEN a terminal and no --yes WHEN the execution waits on the approval step THEN the drill asks as it did at the start and approves only after the target is typed', async () => {
    const questions: string[] = [];
    const ask = async (q: string) => {
      questions.push(q);
      return SECONDARY;
    };

    const result = await h.run(
      ['switchover', '--to', SECONDARY, '--engine', 'arc', '--execute', ...h.fast],
      { isTTY: true, ask },
    );

    expect(result.code).toBe(0);
    expect(questions).toEqual([
      'About to execute a switchover of multi-region-ref-global: writer us-east-1 -> us-west-2.\nType the target region (us-west-2) to continue: ',
      'About to execute a approval of ARC step approve (execution us-west-2/0000000000000001, activate us-west-2).\nType the target region (us-west-2) to continue: ',
    ]);
    expect(arcCalls('ApprovePlanExecutionStep')).toHaveLength(1);
  });

  test('GIVEN the operator refuses the approval THEN nothing is approved, the execution stays pending and the drill stops NOT_CONFIRMED with its resume command', async () => {
    const answers = [SECONDARY, 'no'];

    const result = await h.run(
      ['switchover', '--to', SECONDARY, '--engine', 'arc', '--execute', ...h.fast],
      { isTTY: true, ask: async () => answers.shift()! },
    );

    expect(result.code).toBe(12);
    expect(result.stderr).toContain(
      "stopped at step arc-execution: not confirmed (got 'no'); nothing was changed",
    );
    expect(arcCalls('ApprovePlanExecutionStep')).toEqual([]);
    expect([...simulatedArc(h.world).executions.values()].map((e) => e.state)).toEqual([
      'pendingManualApproval',
    ]);
    expect(h.world.writer).toBe(PRIMARY);
  });
});

describe('a step of the plan that fails', () => {
  test("GIVEN the fence custom action fails WHEN executed THEN the drill stops UNEXPECTED_STATE naming the step and ARC's message, the writer unmoved", async () => {
    simulatedArc(h.world).failingSteps.set(STEP.fence, 'Lambda function timed out after 60 s');

    const result = await h.run(h.switchover('--engine', 'arc'));

    expect(result.code).toBe(8);
    const [drillId] = drillIds(h.stateDir);
    expect(result.stderr).toContain(
      `error [UNEXPECTED_STATE]: drill ${drillId} stopped at step arc-execution: ARC execution us-west-2/0000000000000001 of plan ${plan().planName} ended pausedByFailedStep: step ${STEP.fence} failed: Lambda function timed out after 60 s\n`,
    );
    expect(result.stderr).toContain(
      `read the execution's report in s3://${plan().reportBucketName}/${plan().planName}/`.replace(
        'read',
        'Read',
      ),
    );
    expect(h.world.writer).toBe(PRIMARY);
  });
});

describe('resume after the drill process died', () => {
  test('GIVEN the process died while polling the execution WHEN a new process resumes THEN it re-attaches to the same execution and never starts a second', async () => {
    h.world.killWhen('arc-region-switch:GetPlanExecution');
    void h.run(h.switchover('--engine', 'arc')); // never settles
    await until(() => arcCalls('GetPlanExecution').length === 1);
    const killedAt = h.world.clock.now();
    (h.world.clock as VirtualClock).stop();
    h.world.clock = new VirtualClock(killedAt + 10_000);

    const result = await h.run(['resume', '--execute', '--yes', ...h.fast], newProcess);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '    re-attaching to ARC execution us-west-2/0000000000000001 in us-west-2 (no second StartPlanExecution)\n',
    );
    expect(arcCalls('StartPlanExecution')).toHaveLength(1);
    expect(h.world.writer).toBe(SECONDARY);
    expect(readRecordFile(h.stateDir, drillIds(h.stateDir)[0]).outcome).toBe('succeeded');
  });
});

describe('unplanned: failover --engine arc runs ungracefully, and --ungraceful switches a running execution', () => {
  const asOperatorRole = () =>
    (h.world.callerIdentity = {
      ...h.world.callerIdentity,
      Arn: 'arn:aws:sts::123456789012:assumed-role/DrillOperator/alice',
    });

  test('GIVEN the operator role WHEN failover --engine arc executes THEN it refuses before anything starts: the failover role is needed', async () => {
    asOperatorRole();
    const result = await h.run(h.failover('--engine', 'arc'));

    expect(result.code).toBe(10);
    expect(result.stderr).toBe(
      `error [NO_CREDENTIALS]: an ungraceful ARC execution fails the writer over with data loss, so it runs as the drill failover role ${h.world.topology.failoverRoleArn}; the caller is arn:aws:sts::123456789012:assumed-role/DrillOperator/alice\n` +
        '  next: Run it with a profile that assumes DrillFailoverRoleArn (--profile), as a native `npx drill failover` needs\n',
    );
    expect(arcCalls('StartPlanExecution')).toEqual([]);
  });

  test('GIVEN the operator role WHEN switchover --engine arc executes THEN it refuses too: IAM cannot tell a graceful start from an ungraceful one', async () => {
    asOperatorRole();
    const result = await h.run(h.switchover('--engine', 'arc'));

    expect(result.code).toBe(10);
    expect(result.stderr).toBe(
      `error [NO_CREDENTIALS]: IAM cannot tell a graceful ARC execution from an ungraceful one (data loss), and either can be switched to ungraceful, so it runs as the drill failover role ${h.world.topology.failoverRoleArn}; the caller is arn:aws:sts::123456789012:assumed-role/DrillOperator/alice\n` +
        '  next: Run it with a profile that assumes DrillFailoverRoleArn (--profile), as a native `npx drill failover` needs\n',
    );
    expect(arcCalls('StartPlanExecution')).toEqual([]);
  });

  test('GIVEN the failover role WHEN failover --engine arc executes THEN the execution is ungraceful: the fence is skipped and Aurora fails over', async () => {
    asFailoverRole();

    const result = await h.run(h.failover('--engine', 'arc'));

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((arcCalls('StartPlanExecution')[0].input as { mode: string }).mode).toBe('ungraceful');
    expect(result.stdout).toContain(`    ARC step ${STEP.fence}: skipped in 0ms (ungraceful)\n`);
    expect(h.world.callsOf('rds:FailoverGlobalCluster')).toEqual([]); // ARC's block did it, not the drill
    expect(h.world.writer).toBe(SECONDARY);
    // Ungraceful runs skip the fence: ARC's unhealthy check keeps write DNS off us-east-1.
    expect(h.world.region(PRIMARY).drain).toBe('false');
    expect([...h.world.arcHealthChecks.values()].map((c) => [c.region, c.status])).toEqual([
      [PRIMARY, 'unhealthy'],
      [SECONDARY, 'healthy'],
    ]);
  });

  test('GIVEN a graceful execution paused on its failed fence WHEN resume --ungraceful --allow-data-loss runs as the failover role THEN UpdatePlanExecution switches it and the writer moves', async () => {
    simulatedArc(h.world).failingSteps.set(STEP.fence, 'us-east-1 does not answer');
    expect((await h.run(h.switchover('--engine', 'arc'))).code).toBe(8);
    asFailoverRole();

    const refused = await h.run(['resume', '--ungraceful', '--execute', '--yes', ...h.fast]);
    expect(refused.stderr).toBe(
      'error [USAGE]: --ungraceful fails the Aurora block over and skips the fencing custom action: writes not yet replicated are lost; pass --allow-data-loss to confirm\n',
    );

    const result = await h.run([
      'resume',
      '--ungraceful',
      '--allow-data-loss',
      '--execute',
      '--yes',
      ...h.fast,
    ]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(
      arcCalls('UpdatePlanExecution').map((c) => [
        c.region,
        (c.input as { action: string }).action,
      ]),
    ).toEqual([[SECONDARY, 'switchToUngraceful']]);
    expect(arcCalls('StartPlanExecution')).toHaveLength(1);
    expect(result.stdout).toContain('    ARC event executionBehaviorChangedToUngraceful at ');
    expect(h.world.writer).toBe(SECONDARY);
  });
});

describe('native preflight: the target region ARC deactivated', () => {
  const arcCheckOf = (region: string) =>
    [...h.world.arcHealthChecks].find(([, c]) => c.region === region)![0];

  test('GIVEN the ARC-managed check of us-west-2 is unhealthy WHEN a native switchover to us-west-2 starts THEN preflight refuses, naming the region and the way out', async () => {
    const id = arcCheckOf(SECONDARY);
    h.world.setArcHealthCheck(id, 'unhealthy');

    const result = await h.run(h.switchover());

    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      '  - arc-health-check: the ARC-managed health check of us-west-2 is healthy (write DNS can move there): ' +
        `plan ${plan().planName}: ${id} is unhealthy: us-west-2's write record is AND(its writer check, its ARC check), ` +
        'so a native drill cannot move write DNS to us-west-2; run the drill with --engine arc (or activate us-west-2 with ARC)\n',
    );
    expect(h.world.writer).toBe(PRIMARY);
  });

  test('GIVEN it is healthy THEN the check passes and names it; --engine arc does not gate on it', async () => {
    expect((await h.run(h.switchover())).code).toBe(0);
    const native = readRecordFile(h.stateDir, drillIds(h.stateDir)[0]);
    expect(native.preflight?.find((c) => c.id === 'arc-health-check')).toEqual({
      id: 'arc-health-check',
      title: 'the ARC-managed health check of us-west-2 is healthy (write DNS can move there)',
      ok: true,
      reason: `${plan().planName}: ${arcCheckOf(SECONDARY)} healthy`,
    });
  });
});

describe('drill status: plan evaluation', () => {
  test('GIVEN the plan THEN status shows its evaluation state, last evaluation, warnings and ARC checks', async () => {
    const result = await h.run(['status']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'ARC Region switch plans:\n' +
        `  ${plan().planName} (us-east-1 <-> us-west-2, read in us-west-2): evaluation passed, last evaluated 2025-03-01T10:00:00.000Z, no warnings\n` +
        '    ARC-managed health checks: us-east-1 healthy, us-west-2 healthy\n',
    );
  });

  test('GIVEN a headless secondary THEN the evaluation warns of it', async () => {
    h.world.headless(SECONDARY);

    const result = await h.run(['status']);

    expect(result.stdout).toContain(
      `evaluation actionRequired, last evaluated 2025-03-01T10:00:00.000Z, 1 warning(s)\n` +
        `    warning (active): cluster ${h.world.clusterArn(SECONDARY)} has no DB instance [${h.world.clusterArn(SECONDARY)}]\n`,
    );
  });

  test('GIVEN outputs without DrillRegionSwitch THEN status says there are none and how to get them', async () => {
    const outputs = JSON.parse(fs.readFileSync(h.outputsFile, 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    for (const stack of Object.values(outputs)) delete stack[DRILL_OUTPUT_KEYS.regionSwitch];
    fs.writeFileSync(h.outputsFile, JSON.stringify(outputs));

    const result = await h.run(['status']);

    expect(result.stdout).toContain(
      `ARC Region switch plans: none (${h.outputsFile} has no DrillRegionSwitch output; deploy the routing stack to create them)\n`,
    );
    expect(arcCalls()).toEqual([]);
  });
});
