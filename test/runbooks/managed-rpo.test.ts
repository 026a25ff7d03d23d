import {
  ModifyDBClusterParameterGroupCommand,
  ResetDBClusterParameterGroupCommand,
} from '@aws-sdk/client-rds';
import { AwsCaller, sdkAdapters } from '../../runbooks/drill/aws/adapters';
import { AwsClients, DEFAULT_CLIENT_SETTINGS } from '../../runbooks/drill/aws/clients';
import { DEFAULT_TIMING, type DrillKind } from '../../runbooks/drill/model';
import { planView, stepsFor, type StepId } from '../../runbooks/drill/steps';
import type { JournalEntry } from '../../runbooks/drill/store';
import {
  drillIds,
  firstCall,
  lastCall,
  PRIMARY,
  readCanary,
  readJournal,
  readRecordFile,
  SECONDARY,
  useFakeAws,
  type Harness,
  NO_CLIENT_NETWORK,
} from './harness';

const THIRD = 'us-east-2';
const RPO = 'rds.global_db_rpo';

/** What every deployed member's cluster parameter group enforces now, by region. */
function enforced(h: Harness): Record<string, number | null> {
  return Object.fromEntries(
    [...h.world.regions.keys()].map((region) => [region, h.world.managedRpoOf(region)]),
  );
}

/** The managed-RPO calls that changed a group, in order: `Modify us-west-2`, `Reset us-east-1`. */
function rpoChanges(h: Harness, since = 0): string[] {
  return h.world.calls
    .slice(since)
    .filter((c) =>
      ['rds:ModifyDBClusterParameterGroup', 'rds:ResetDBClusterParameterGroup'].includes(
        c.operation,
      ),
    )
    .map((c) => `${c.operation.replace(/^rds:|DBClusterParameterGroup$/g, '')} ${c.region}`);
}

function stepOf(h: Harness, kind: string, stepId: string) {
  const id = drillIds(h.stateDir).find((d) => d.startsWith(`${kind}-`))!;
  return readRecordFile(h.stateDir, id).steps.find((s) => s.id === stepId)!;
}

function groupOf(h: Harness, region: string): string {
  return h.world.deployed(region).clusterParameterGroupName;
}

describe('managed RPO with two regions (the default)', () => {
  const h = useFakeAws();

  test('GIVEN the synthesized deployment THEN only the writer’s group enforces the RPO', () => {
    expect(enforced(h)).toEqual({ [PRIMARY]: 30, [SECONDARY]: null });
  });

  test('GIVEN a switchover WHEN executed THEN align-rpo sets the RPO on the new writer (the old one is a healthy secondary) and resets it on the new secondary', async () => {
    const result = await h.run(h.switchover());

    expect(result.code).toBe(0);
    expect(enforced(h)).toEqual({ [PRIMARY]: null, [SECONDARY]: 30 });
    // The writer first; right after the move, before the writes are verified.
    expect(rpoChanges(h)).toEqual([`Modify ${SECONDARY}`, `Reset ${PRIMARY}`]);
    const modified = firstCall(h.world, 'rds:ModifyDBClusterParameterGroup');
    expect(modified).toBeGreaterThan(firstCall(h.world, 'rds:SwitchoverGlobalCluster'));
    expect(modified).toBeLessThan(
      lastCall(h.world, 'ssm:PutParameter', (i) => i.Value === 'false'),
    );
    // Once the old writer serves again, settle-rpo finds nothing left to change.
    expect(stepOf(h, 'switchover', 'settle-rpo').status).toBe('skipped');
    expect(h.mocks.rds.commandCalls(ModifyDBClusterParameterGroupCommand)[0].args[0].input).toEqual(
      {
        DBClusterParameterGroupName: groupOf(h, SECONDARY),
        Parameters: [{ ParameterName: RPO, ParameterValue: '30', ApplyMethod: 'immediate' }],
      },
    );
    expect(h.mocks.rds.commandCalls(ResetDBClusterParameterGroupCommand)[0].args[0].input).toEqual({
      DBClusterParameterGroupName: groupOf(h, PRIMARY),
      Parameters: [{ ParameterName: RPO, ApplyMethod: 'immediate' }],
    });

    const step = stepOf(h, 'switchover', 'align-rpo');
    expect(step.status).toBe('completed');
    expect(step.summary).toBe(
      'managed RPO: us-west-2 enforces 30 s (set, was not enforced); us-east-1 does not enforce (cleared, was 30 s)',
    );
    // Typed outcomes in the journal, before the step ends.
    const [id] = drillIds(h.stateDir);
    const notes = readJournal(h.stateDir, id).filter(
      (e): e is Extract<JournalEntry, { type: 'step' }> =>
        e.type === 'step' && e.step === 'align-rpo' && e.event === 'note',
    );
    expect(notes.at(-1)?.details).toEqual({
      rpo: [
        {
          region: SECONDARY,
          parameterGroup: groupOf(h, SECONDARY),
          enforce: true,
          reason: 'the writer, and us-east-1 can satisfy the RPO',
          before: null,
          action: 'set',
        },
        {
          region: PRIMARY,
          parameterGroup: groupOf(h, PRIMARY),
          enforce: false,
          reason:
            'a failover to it after losing us-west-2 would leave no healthy secondary, and commits would block',
          before: 30,
          action: 'cleared',
        },
      ],
    });
  });

  test('GIVEN a switchover dry run THEN the plan shows where the RPO is set and reset, and nothing is sent', async () => {
    const result = await h.run(['switchover', '--to', SECONDARY]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '6. align-rpo: Align the managed RPO with the new writer us-west-2\n' +
        `     - rds DescribeGlobalClusters @ us-west-2 GlobalClusterIdentifier=${h.world.globalId}\n` +
        `     - rds DescribeDBClusters @ us-east-1 DBClusterIdentifier=${h.world.deployed(PRIMARY).clusterIdentifier}\n` +
        `     - cloudwatch GetMetricData @ us-east-1 MetricName=AuroraGlobalDBRPOLag DBClusterIdentifier=${h.world.deployed(PRIMARY).clusterIdentifier}\n` +
        `     - rds DescribeDBClusterParameters @ us-east-1 DBClusterParameterGroupName=${groupOf(h, PRIMARY)} Source=user\n` +
        `     - rds DescribeDBClusterParameters @ us-west-2 DBClusterParameterGroupName=${groupOf(h, SECONDARY)} Source=user\n` +
        `     - rds ModifyDBClusterParameterGroup @ us-west-2 [MUTATING] DBClusterParameterGroupName=${groupOf(h, SECONDARY)} Parameters=rds.global_db_rpo=30,ApplyMethod=immediate (unless it enforces 30 s already; only while us-east-1 can satisfy the RPO, else it is reset)\n` +
        `     - rds ResetDBClusterParameterGroup @ us-east-1 [MUTATING] DBClusterParameterGroupName=${groupOf(h, PRIMARY)} Parameters=rds.global_db_rpo,ApplyMethod=immediate (unless it enforces nothing already: a failover to it after losing us-west-2 would leave no healthy secondary, and commits would block)`,
    );
    expect(rpoChanges(h)).toEqual([]);
  });

  test('GIVEN an unplanned failover WHEN executed THEN the new writer is left unenforced, the old writer is left out, and the operator is told what sets it', async () => {
    h.world.down.add(PRIMARY);

    const result = await h.run(h.failover());

    expect(result.code).toBe(0);
    expect(rpoChanges(h)).toEqual([]);
    expect(enforced(h)).toEqual({ [PRIMARY]: 30, [SECONDARY]: null });
    const message =
      'the writer us-west-2 has no healthy secondary, so the RPO is not enforced: when us-east-1 is a healthy ' +
      'secondary again, `npx drill failback` sets it (step rejoin-rpo)';
    const step = stepOf(h, 'failover', 'align-rpo');
    expect(step.status).toBe('skipped');
    expect(step.summary).toBe(`managed RPO: us-west-2 does not enforce; ${message}`);
    expect(result.stdout).toContain(message);
    // After the promotion, the lost writer's group is not read: its region may not answer.
    const promoted = firstCall(h.world, 'rds:FailoverGlobalCluster');
    expect(
      h.world.calls
        .slice(promoted)
        .filter((c) => c.operation === 'rds:DescribeDBClusterParameters')
        .map((c) => c.region),
    ).toEqual([SECONDARY]);
  });

  test('GIVEN a failover dry run THEN the plan shows the RPO set on the new writer once a healthy secondary exists', async () => {
    const result = await h.run(['failover', '--to', SECONDARY, '--allow-data-loss']);

    expect(result.stdout).toContain(
      `     - rds ResetDBClusterParameterGroup @ us-west-2 [MUTATING] DBClusterParameterGroupName=${groupOf(h, SECONDARY)} Parameters=rds.global_db_rpo,ApplyMethod=immediate (unless it enforces nothing already: the writer has no healthy secondary, and enforcing would block every commit)\n` +
        `     - rds ModifyDBClusterParameterGroup @ us-west-2 [MUTATING] DBClusterParameterGroupName=${groupOf(h, SECONDARY)} Parameters=rds.global_db_rpo=30,ApplyMethod=immediate (once a healthy secondary exists: when us-east-1 is a healthy secondary again, \`npx drill failback\` sets it (step rejoin-rpo))`,
    );
    expect(result.stdout).not.toContain(`DBClusterParameterGroupName=${groupOf(h, PRIMARY)}`);
  });

  test('GIVEN the lost writer is not the primary region THEN the step says to set the RPO by hand once it is back (failback would not run)', async () => {
    expect((await h.run(h.switchover())).code).toBe(0);
    h.world.down.add(SECONDARY);

    const result = await h.run([
      'failover',
      '--to',
      PRIMARY,
      '--allow-data-loss',
      '--execute',
      '--yes',
      ...h.fast,
    ]);

    expect(result.code).toBe(0);
    expect(stepOf(h, 'failover', 'align-rpo').summary).toBe(
      'managed RPO: us-east-1 does not enforce; the writer us-east-1 has no healthy secondary, so the RPO is not enforced: ' +
        "when us-west-2 is a healthy secondary again, set rds.global_db_rpo to 30 in the writer's group (`npx drill status` says when)",
    );
  });

  test('GIVEN a failover left the writer unenforced WHEN failing back THEN rejoin-rpo sets it on the writer once the old primary is a healthy secondary, and align-rpo moves it back', async () => {
    expect((await h.run(h.failover())).code).toBe(0);
    const before = h.world.calls.length;

    const result = await h.run(['failback', '--execute', '--yes', ...h.fast]);

    expect(result.code).toBe(0);
    expect(rpoChanges(h, before)).toEqual([
      `Modify ${SECONDARY}`, // rejoin-rpo: us-east-1 is a healthy secondary again
      `Reset ${PRIMARY}`,
      `Modify ${PRIMARY}`, // align-rpo: the writer is back in us-east-1
      `Reset ${SECONDARY}`,
    ]);
    const served = firstCall(
      h.world,
      'ssm:PutParameter',
      (i, region) => region === PRIMARY && i.Value === 'false',
    );
    const rejoined = firstCall(h.world, 'rds:ModifyDBClusterParameterGroup');
    const fenced = lastCall(
      h.world,
      'ssm:PutParameter',
      (i, region) => region === SECONDARY && i.Value === 'true',
    );
    expect(served).toBeLessThan(rejoined);
    expect(rejoined).toBeLessThan(fenced);
    expect(stepOf(h, 'failback', 'rejoin-rpo').summary).toBe(
      'managed RPO: us-west-2 enforces 30 s (set, was not enforced); us-east-1 does not enforce (cleared, was 30 s)',
    );
    // Back to the deployed state.
    expect(enforced(h)).toEqual({ [PRIMARY]: 30, [SECONDARY]: null });
  });

  test('GIVEN the groups already match the policy WHEN the step runs again (resume) THEN it changes nothing', async () => {
    expect((await h.run(h.switchover())).code).toBe(0);
    const before = h.world.calls.length;
    // The same drill's step, run again on the aligned state, as a resume would.
    h.world.writer = SECONDARY;

    const again = await h.run(['failback', '--execute', '--yes', ...h.fast]);

    expect(again.code).toBe(0);
    // rejoin-rpo found us-west-2 enforcing and us-east-1 not: no call; align-rpo moved it back.
    expect(stepOf(h, 'failback', 'rejoin-rpo').status).toBe('skipped');
    expect(rpoChanges(h, before)).toEqual([`Modify ${PRIMARY}`, `Reset ${SECONDARY}`]);
  });
});

describe('managed RPO blocks commits: the reason for the policy', () => {
  const h = useFakeAws();
  const BLOCKED = 'commit blocked by managed RPO';

  /** Canary writes the new writer refused because of managed RPO. */
  function blockedWrites(): number {
    const id = drillIds(h.stateDir)[0];
    return readCanary(h.stateDir, id).filter((c) => !c.ok && c.error?.includes(BLOCKED)).length;
  }

  test('GIVEN the RPO set on the only secondary’s group (as every group had it) WHEN an unplanned failover loses the old primary THEN the new writer blocks the canary’s commits until align-rpo resets its group', async () => {
    h.world.parameterGroupOf(SECONDARY).parameters.set(RPO, '30');
    h.world.down.add(PRIMARY);

    // Polls 30 s apart: the canary writes to the new writer before align-rpo runs.
    const result = await h.run(h.failover('--poll-interval', '30s'));

    expect(result.code).toBe(0);
    expect(blockedWrites()).toBeGreaterThan(0);
    expect(stepOf(h, 'failover', 'align-rpo').summary).toMatch(
      /^managed RPO: us-west-2 does not enforce \(cleared, was 30 s\); the writer us-west-2 has no healthy secondary/,
    );
    expect(h.world.commitsBlocked(SECONDARY)).toBe(false);
  });

  test('GIVEN the role-aware groups of the synthesized deployment WHEN the same failover runs THEN the new writer never blocks a commit', async () => {
    h.world.down.add(PRIMARY);

    const result = await h.run(h.failover('--poll-interval', '30s'));

    expect(result.code).toBe(0);
    expect(blockedWrites()).toBe(0);
    expect(h.world.managedRpoOf(SECONDARY)).toBeNull();
  });
});

describe('managed RPO with three regions', () => {
  const h = useFakeAws([PRIMARY, SECONDARY, THIRD]);

  test('GIVEN the synthesized deployment THEN every member’s group enforces the RPO', () => {
    expect(enforced(h)).toEqual({ [PRIMARY]: 30, [SECONDARY]: 30, [THIRD]: 30 });
  });

  test('GIVEN a switchover WHEN executed THEN every group already matches the policy and nothing changes', async () => {
    const result = await h.run(h.switchover());

    expect(result.code).toBe(0);
    expect(rpoChanges(h)).toEqual([]);
    expect(stepOf(h, 'switchover', 'align-rpo').status).toBe('skipped');
    expect(enforced(h)).toEqual({ [PRIMARY]: 30, [SECONDARY]: 30, [THIRD]: 30 });
  });

  test('GIVEN an unplanned failover with a healthy third region THEN the new writer keeps the RPO and the third region’s group is reset (a failover to it would leave no secondary)', async () => {
    h.world.down.add(PRIMARY);

    const result = await h.run(h.failover());

    expect(result.code).toBe(0);
    expect(rpoChanges(h)).toEqual([`Reset ${THIRD}`]);
    expect(enforced(h)).toEqual({ [PRIMARY]: 30, [SECONDARY]: 30, [THIRD]: null });
    expect(stepOf(h, 'failover', 'align-rpo').summary).toBe(
      'managed RPO: us-west-2 enforces 30 s; us-east-2 does not enforce (cleared, was 30 s)',
    );
  });

  test('GIVEN an unplanned failover while the third region lags too THEN align-rpo resets the new writer’s group: no writer is left enforcing without a healthy secondary', async () => {
    h.world.down.add(PRIMARY);
    // The third region falls behind once the writer has moved (a wider outage).
    h.world.afterServed('rds:FailoverGlobalCluster', (w) => (w.region(THIRD).rpoLagMs = 90_000));

    const result = await h.run(h.failover('--poll-interval', '30s'));

    expect(result.code).toBe(0);
    expect(rpoChanges(h)).toEqual([`Reset ${SECONDARY}`, `Reset ${THIRD}`]);
    expect(h.world.commitsBlocked(SECONDARY)).toBe(false);
    // Until then the new writer held commits: the trade-off of enforcing on every member.
    const id = drillIds(h.stateDir)[0];
    expect(
      readCanary(h.stateDir, id).some(
        (c) => !c.ok && c.error?.includes('commit blocked by managed RPO'),
      ),
    ).toBe(true);
  });
});

describe('drill status judges the managed RPO against the policy', () => {
  const h = useFakeAws();

  test('GIVEN the deployed groups THEN status says they match the policy', async () => {
    const result = await h.run(['status']);

    expect(result.stdout).toContain('managed RPO: every group as the policy says\n');
  });

  test('GIVEN a failover made outside the drill with the RPO on the only secondary THEN status names the writer that blocks commits', async () => {
    // As the old templates deployed it, then FailoverGlobalCluster from the console.
    h.world.parameterGroupOf(SECONDARY).parameters.set(RPO, '30');
    h.world.writer = SECONDARY;
    h.world.down.add(PRIMARY);

    const result = await h.run(['status']);

    expect(result.stdout).toContain(
      'managed RPO differs from the policy (see the README, Recovery point):\n' +
        '  us-west-2 enforces 30 s but should not (the writer has no healthy secondary, and enforcing would block every commit)\n',
    );
  });

  test('GIVEN a switchover made outside the drill THEN status says the new writer should enforce and the old one should not', async () => {
    h.world.writer = SECONDARY;

    const result = await h.run(['status']);

    expect(result.stdout).toContain(
      'managed RPO differs from the policy (see the README, Recovery point):\n' +
        '  us-east-1 enforces 30 s but should not (a failover to it after losing us-west-2 would leave no healthy secondary, and commits would block)\n' +
        '  us-west-2 should enforce 30 s, it does not (the writer, and us-east-1 can satisfy the RPO)\n',
    );
  });
});

describe('the managed-RPO steps call only what they declare', () => {
  const h = useFakeAws([PRIMARY, SECONDARY, THIRD]);

  /** Runs one step on the fake, as the executor would, and returns what it sent. */
  async function runStep(stepId: StepId, kind: DrillKind, from: string, to: string) {
    const clients = new AwsClients({
      ...DEFAULT_CLIENT_SETTINGS,
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    });
    try {
      const plan = planView(h.world.topology, kind, from, to, PRIMARY);
      const step = stepsFor(kind).find((s) => s.id === stepId)!;
      const since = h.world.calls.length;
      await step.run({
        params: { drillId: 'd', kind, fromRegion: from, targetRegion: to, allowDataLoss: false },
        plan,
        topology: h.world.topology,
        aws: sdkAdapters(clients, new AwsCaller('execute'), PRIMARY, NO_CLIENT_NETWORK),
        clock: h.world.clock,
        timing: DEFAULT_TIMING,
        timeoutMs: 60_000,
        canary: { writeOnce: () => Promise.reject(new Error('no canary')), samples: () => [] },
        progress: () => undefined,
        earlier: () => undefined,
        note: () => undefined,
      });
      const sent = [...new Set(h.world.calls.slice(since).map((c) => c.operation))].sort();
      const declared = [
        ...new Set(step.calls(plan).map((c) => `${c.operation.service}:${c.operation.operation}`)),
      ].sort();
      return { sent, declared };
    } finally {
      clients.destroy();
    }
  }

  test.each<[StepId, DrillKind]>([
    ['align-rpo', 'switchover'],
    ['settle-rpo', 'switchover'],
    ['rejoin-rpo', 'failback'],
  ])(
    'GIVEN %s of a %s that has to change groups THEN every call it sends is declared',
    async (stepId, kind) => {
      // The writer moved to us-west-2 and us-east-2's group lost its RPO: both need changes.
      h.world.writer = SECONDARY;
      h.world.parameterGroupOf(THIRD).parameters.delete(RPO);
      h.world.parameterGroupOf(SECONDARY).parameters.delete(RPO);
      const [from, to] = kind === 'failback' ? [SECONDARY, PRIMARY] : [PRIMARY, SECONDARY];

      const { sent, declared } = await runStep(stepId, kind, from, to);

      expect(sent).toEqual(expect.arrayContaining(['rds:ModifyDBClusterParameterGroup']));
      expect(declared).toEqual(expect.arrayContaining(sent));
    },
  );
});
