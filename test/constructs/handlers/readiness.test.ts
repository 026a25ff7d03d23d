// The readiness function on the simulation of the synthesized deployment: its settings come
// from the synthesized function's environment, its SDK calls are answered by the world.
import { PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { ParameterNotFound } from '@aws-sdk/client-ssm';
import { READINESS_ENV, READINESS_METRIC_NAMESPACE } from '../../../constructs/contract';
import { readinessSettings } from '../../../constructs/handlers/readiness';
import {
  READINESS_CLIENT_CANARY_SKIPPED,
  READINESS_INPUTS_CHECK,
  runReadiness,
  type OutputParameter,
  type ReadinessResult,
} from '../../../constructs/handlers/readiness-run';
import { AwsClients, DEFAULT_CLIENT_SETTINGS } from '../../../runbooks/drill/aws/clients';
import { operationKey } from '../../../runbooks/drill/step-scope';
import {
  PREFLIGHT_ARC_OPERATIONS,
  PREFLIGHT_CHECKS,
  PREFLIGHT_OPERATIONS,
} from '../../../runbooks/drill/preflight';
import { deployedApp } from '../../deployed-app';
import { PRIMARY, SECONDARY, useFakeAws } from '../../runbooks/harness';

const h = useFakeAws();

/** The environment the stacks give the readiness function in `region`. */
function environmentIn(region: string): Record<string, string> {
  const [fn] = deployedApp()
    .resources('AWS::Lambda::Function')
    .filter(
      (f) =>
        f.region === region &&
        (f.properties.Environment as { Variables?: Record<string, string> } | undefined)
          ?.Variables?.[READINESS_ENV.outputParameters] !== undefined,
    );
  return (fn.properties.Environment as { Variables: Record<string, string> }).Variables;
}

beforeEach(() => {
  h.mocks.cloudwatch.on(PutMetricDataCommand).resolves({});
});

async function runIn(region: string): Promise<ReadinessResult> {
  const clients = new AwsClients({
    ...DEFAULT_CLIENT_SETTINGS,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  });
  try {
    return await runReadiness({
      ...readinessSettings({ ...environmentIn(region), AWS_REGION: region }),
      clients,
      clock: h.world.clock,
    });
  } finally {
    clients.destroy();
  }
}

/** What the run published, as `metric dimension=value... value`. */
function published(): string[] {
  return h.mocks.cloudwatch.commandCalls(PutMetricDataCommand).flatMap((c) => {
    expect(c.args[0].input.Namespace).toBe(READINESS_METRIC_NAMESPACE);
    return (c.args[0].input.MetricData ?? []).map(
      (d: MetricDatum) =>
        `${d.MetricName} ${(d.Dimensions ?? []).map((x) => `${x.Name}=${x.Value}`).join(' ')} ${d.Value}`,
    );
  });
}

const failedIds = (r: ReadinessResult) => r.checks.filter((c) => !c.ok).map((c) => c.id);
const reasonOf = (r: ReadinessResult, id: string) => r.checks.find((c) => c.id === id)?.reason;

describe('readiness of a standby that would pass preflight', () => {
  test('GIVEN the deployment as synthesized WHEN the secondary runs THEN it publishes StandbyReady 1 and no failed check', async () => {
    const result = await runIn(SECONDARY);

    expect(failedIds(result)).toEqual([]);
    expect(result).toMatchObject({ region: SECONDARY, ready: true, kind: 'switchover' });
    expect(published()).toEqual([`StandbyReady Region=${SECONDARY} 1`]);
  });

  test('GIVEN no operator in Lambda WHEN it runs THEN the client canary check is skipped with the reason', async () => {
    const result = await runIn(SECONDARY);

    expect(reasonOf(result, 'client-canary')).toBe(`skipped: ${READINESS_CLIENT_CANARY_SKIPPED}`);
    expect(READINESS_CLIENT_CANARY_SKIPPED).toBe(
      "not run in the readiness function: the client canary resolves and calls the public names from an operator's network; `drill preflight` runs it",
    );
  });

  test('GIVEN the run WHEN its calls are listed THEN each is a preflight operation, read-only (the role allows exactly those)', async () => {
    await runIn(SECONDARY);

    const allowed = new Set(
      [...PREFLIGHT_OPERATIONS, ...PREFLIGHT_ARC_OPERATIONS].map(operationKey),
    );
    const made = [...new Set(h.world.calls.map((c) => c.operation))];
    expect(made.filter((op) => !allowed.has(op))).toEqual([]);
    expect(PREFLIGHT_OPERATIONS.every((o) => !o.mutating)).toBe(true);
  });

  test('GIVEN the writer region WHEN it runs THEN it is not a standby and publishes 1', async () => {
    const result = await runIn(PRIMARY);

    expect(result.checks).toEqual([
      {
        id: 'standby',
        title: `${PRIMARY} is a standby`,
        ok: true,
        reason: `not a standby: ${PRIMARY} holds the writer; the other regions' functions judge their readiness`,
      },
    ]);
    expect(published()).toEqual([`StandbyReady Region=${PRIMARY} 1`]);
  });
});

describe('readiness of a standby that would not pass preflight', () => {
  test('GIVEN RPO lag over the RPO WHEN the secondary runs THEN 0, with the lag check as a failed dimension', async () => {
    h.world.region(SECONDARY).rpoLagMs = 31_000;

    const result = await runIn(SECONDARY);

    expect(failedIds(result)).toEqual(['lag-under-rpo']);
    expect(reasonOf(result, 'lag-under-rpo')).toBe(`${SECONDARY}: RPO lag 31000 ms >= 30000 ms`);
    expect(published()).toEqual([
      `StandbyReady Region=${SECONDARY} 0`,
      `PreflightCheckFailed Region=${SECONDARY} Check=lag-under-rpo 1`,
    ]);
  });

  test("GIVEN the secondary's drain switch left on WHEN it runs THEN 0, with drains-off failed", async () => {
    h.world.setDrain(SECONDARY, 'true');

    const result = await runIn(SECONDARY);

    expect(result.ready).toBe(false);
    expect(failedIds(result)).toContain('drains-off');
    expect(reasonOf(result, 'drains-off')).toBe(`${SECONDARY}: 'true'`);
    expect(published()).toContain(`PreflightCheckFailed Region=${SECONDARY} Check=drains-off 1`);
    expect(published()[0]).toBe(`StandbyReady Region=${SECONDARY} 0`);
  });

  test("GIVEN the secondary's DB instances quota below the primary's WHEN it runs THEN 0, with target-capacity failed", async () => {
    h.world.lowerQuota(SECONDARY, 'L-7B6409FD', 20);

    const result = await runIn(SECONDARY);

    expect(failedIds(result)).toEqual(['target-capacity']);
    expect(reasonOf(result, 'target-capacity')).toBe(
      `${SECONDARY} DB instances quota 20 < 40 in ${PRIMARY} (L-7B6409FD): request an increase in Service Quotas`,
    );
    expect(published()).toEqual([
      `StandbyReady Region=${SECONDARY} 0`,
      `PreflightCheckFailed Region=${SECONDARY} Check=target-capacity 1`,
    ]);
  });

  test('GIVEN the routing stack not deployed yet (its output parameter missing) WHEN it runs THEN 0, with readiness-inputs failed and why', async () => {
    const routing = readinessSettings({
      ...environmentIn(SECONDARY),
      AWS_REGION: SECONDARY,
    }).outputParameters.find((p: OutputParameter) => p.key === 'DrillRouting')!;
    h.world.fail(
      'ssm:GetParameter',
      new ParameterNotFound({
        message: `Parameter ${routing.name} not found.`,
        $metadata: { httpStatusCode: 400 },
      }),
      { name: routing.name },
    );

    const result = await runIn(SECONDARY);

    expect(failedIds(result)).toEqual([READINESS_INPUTS_CHECK]);
    expect(reasonOf(result, READINESS_INPUTS_CHECK)).toBe(
      `ssm GetParameter in ${PRIMARY} failed: ParameterNotFound: Parameter ${routing.name} not found.`,
    );
    expect(published()).toEqual([
      `StandbyReady Region=${SECONDARY} 0`,
      `PreflightCheckFailed Region=${SECONDARY} Check=${READINESS_INPUTS_CHECK} 1`,
    ]);
  });
});

describe('the same checks as drill preflight', () => {
  test('GIVEN one world WHEN drill preflight and the readiness function judge us-west-2 THEN they run the same checks, in order', async () => {
    const cli = await h.run(['preflight', '--to', SECONDARY]);
    const cliIds = [...cli.stdout.matchAll(/^│ ([a-z-]+) +│ (?:pass|FAIL) +│/gm)].map((m) => m[1]);

    const result = await runIn(SECONDARY);

    // The deployment has ARC Region switch plans: their health-check check comes last.
    expect(cliIds).toHaveLength(PREFLIGHT_CHECKS.length + 1);
    expect(cliIds.at(-1)).toBe('arc-health-check');
    expect(result.checks.map((c) => c.id)).toEqual(cliIds);
  });

  test.each<[string, (w: typeof h.world) => void, string, string]>([
    [
      'an engine version mismatch',
      (w) => (w.region(SECONDARY).engineVersion = '16.4'),
      'engine-versions',
      `${PRIMARY}: 16.6; ${SECONDARY}: 16.4`,
    ],
    [
      'a headless target',
      (w) => w.headless(SECONDARY),
      'target-not-headless',
      'headless: add an instance before it can take the writer',
    ],
    [
      'a serving health check reported unhealthy',
      (w) => w.forcedUnhealthy.add(w.checkId(SECONDARY, 'serving')),
      'health-checks',
      `${SECONDARY} serving (CHECK): unhealthy, 0/16 checkers report success`,
    ],
    [
      "the writer's instance class not offered in the target",
      (w) => w.notOffered.add(`${SECONDARY}|db.r6g.large`),
      'target-capacity',
      `db.r6g.large (aurora-postgresql 16.6) is not offered in ${SECONDARY}: choose an instance class both regions offer`,
    ],
  ])(
    'GIVEN %s WHEN the secondary runs THEN 0, with the check failed and why',
    async (_name, edit, id, reason) => {
      edit(h.world);

      const result = await runIn(SECONDARY);

      expect(result.ready).toBe(false);
      expect(reasonOf(result, id)).toBe(
        reason.replace('CHECK', h.world.deployed(SECONDARY).healthChecks.serving ?? ''),
      );
      expect(published()).toContain(`PreflightCheckFailed Region=${SECONDARY} Check=${id} 1`);
    },
  );
});

describe('readiness of a standby ARC deactivated', () => {
  test('GIVEN the ARC-managed health check of the secondary unhealthy WHEN it runs THEN 0: a native drill could not move write DNS there', async () => {
    const [arc] = [...h.world.arcHealthChecks].filter(([, c]) => c.region === SECONDARY);
    h.world.setArcHealthCheck(arc[0], 'unhealthy');

    const result = await runIn(SECONDARY);

    expect(result.ready).toBe(false);
    expect(reasonOf(result, 'arc-health-check')).toBe(
      `plan MultiRegion-${SECONDARY}: ${arc[0]} is unhealthy: ${SECONDARY}'s write record is AND(its writer check, its ARC check), so a native drill cannot move write DNS to ${SECONDARY}; ` +
        `run the drill with --engine arc (or activate ${SECONDARY} with ARC)`,
    );
    expect(published()).toContain(
      `PreflightCheckFailed Region=${SECONDARY} Check=arc-health-check 1`,
    );
  });
});

describe('the readiness function environment', () => {
  test.each([
    [
      {},
      `readiness function environment: AWS_REGION is not set (Lambda sets it); ${READINESS_ENV.homeRegion} is not set; ${READINESS_ENV.outputParameters} must be a JSON list of the Drill* output parameters, got: (not set); redeploy the service stack`,
    ],
    [
      {
        AWS_REGION: 'us-west-2',
        [READINESS_ENV.homeRegion]: 'us-east-1',
        [READINESS_ENV.outputParameters]: '[]',
      },
      `readiness function environment: ${READINESS_ENV.outputParameters} must be a JSON list of the Drill* output parameters, got: []; redeploy the service stack`,
    ],
  ])('GIVEN %j THEN it refuses with every problem named', (env, message) => {
    expect(() => readinessSettings(env)).toThrow(message);
  });
});
