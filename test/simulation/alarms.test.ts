// The synthesized CloudWatch alarms in the simulation: listed after `assume`, OK at start,
// evaluated on the world's own series as CloudWatch documents it (M out of N, TreatMissingData)
// where the world models the metric, "not evaluated" elsewhere; a scenario's alarm event, and
// the drill's no-alarms preflight check refusing on it in a rehearsal.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SERVICE_METRIC_NAMESPACE } from '../../constructs/contract';
import { EXIT_CODES } from '../../runbooks/drill/errors';
import { runRehearsal } from '../../runbooks/simulation/rehearsal';
import { DEFAULT_ASSUMPTIONS, type Scenario } from '../../runbooks/simulation/scenario';
import { SimulatedDeployment } from '../../runbooks/simulation/deployment';
import { assemblyDir, deployedApp } from '../deployed-app';
import { PRIMARY, SECONDARY, instantWorld, pass, realisticWorld } from './world-helpers';

// Each rehearsal takes up to a few seconds of wall time; a busy 2-core CI machine needs more
// than jest's 5 s default (the speed target lives in npm run bench:rehearse).
jest.setTimeout(60_000);

/**
 * The synthesized alarms of the default topology, by name: its AlarmName, else the name
 * CloudFormation generates from the stack name, the logical id and a unique suffix (the
 * physical id the simulated deployment gives it).
 */
function synthesizedAlarms() {
  return new Map(
    deployedApp()
      .resources('AWS::CloudWatch::Alarm')
      .map((a) => [String(a.properties.AlarmName ?? `${a.stack}-${a.physicalId}`), a]),
  );
}

const alarmName = (region: string, suffix: string) => `MultiRegion-Database-${region}-${suffix}`;

function stateOf(world: ReturnType<typeof realisticWorld>, name: string) {
  const alarm = world.alarms.find((a) => a.AlarmName === name);
  if (!alarm) throw new Error(`no alarm ${name} listed`);
  return alarm;
}

describe('the world lists every synthesized alarm of each region once assumed', () => {
  test('GIVEN the instant model THEN it lists none (the drill tests add their own)', () => {
    expect(instantWorld().alarms).toEqual([]);
  });

  test('GIVEN assume THEN every AWS::CloudWatch::Alarm is listed in its stack region, as synthesized, OK', () => {
    const world = realisticWorld();
    const synthesized = synthesizedAlarms();

    expect(world.alarms.map((a) => a.AlarmName).sort()).toEqual([...synthesized.keys()].sort());
    // Unnamed ones (the routing stack's) carry the stack's name, so the app's prefix finds them.
    const routing = world.alarms.filter((a) => a.AlarmName?.startsWith('MultiRegion-Routing-'));
    expect(routing).toHaveLength(3);
    expect(routing.every((a) => a.AlarmName?.startsWith(world.topology.alarmNamePrefix))).toBe(
      true,
    );
    for (const alarm of world.alarms) {
      const p = synthesized.get(alarm.AlarmName!)!.properties;
      expect(alarm).toMatchObject({
        region: synthesized.get(alarm.AlarmName!)!.region,
        StateValue: 'OK',
        Threshold: p.Threshold,
        ComparisonOperator: p.ComparisonOperator,
        EvaluationPeriods: p.EvaluationPeriods,
        TreatMissingData: p.TreatMissingData,
      });
      if (p.Metrics) expect(alarm.Metrics).toEqual(p.Metrics);
      else expect(alarm).toMatchObject({ MetricName: p.MetricName, Dimensions: p.Dimensions });
    }
  });

  test('GIVEN assume THEN alarms whose metric the world does not model are listed as not evaluated, with why', () => {
    const world = realisticWorld();
    const notEvaluated = world.alarmsNotEvaluated();

    expect(notEvaluated).toContainEqual({
      region: PRIMARY,
      name: alarmName(PRIMARY, 'SecretRotation-failed'),
      why: 'metric AWS/Events MatchedEvents is not simulated',
    });
    expect(notEvaluated).toContainEqual({
      region: PRIMARY,
      name: alarmName(PRIMARY, 'SecretRotationFunction-errors'),
      why: 'metric AWS/Lambda Errors is not simulated',
    });
    expect(notEvaluated).toContainEqual({
      region: SECONDARY,
      name: alarmName(SECONDARY, 'protected'),
      why: `metric ${SERVICE_METRIC_NAMESPACE} IsWriter is not simulated`,
    });
    // Everything else is evaluated: the lag alarms and the routing stack's health-check alarms.
    const evaluated = world.alarms
      .map((a) => a.AlarmName!)
      .filter((n) => !notEvaluated.some((x) => x.name === n));
    expect(evaluated.every((n) => /Lag-(warning|critical)$|^MultiRegion-Routing/.test(n))).toBe(
      true,
    );
    expect(evaluated.filter((n) => n.startsWith('MultiRegion-Routing'))).toHaveLength(3);
    expect(stateOf(world, alarmName(PRIMARY, 'protected')).StateReason).toBe(
      `simulated: not evaluated (metric ${SERVICE_METRIC_NAMESPACE} IsWriter is not simulated)`,
    );
  });
});

describe('a lag alarm follows the secondary lag with its threshold, periods and missing data', () => {
  const synthesized = synthesizedAlarms();
  const warning = synthesized.get(alarmName(SECONDARY, 'AuroraGlobalDBRPOLag-warning'))!;
  const critical = synthesized.get(alarmName(SECONDARY, 'AuroraGlobalDBRPOLag-critical'))!;
  // Between the two thresholds, so only the warning breaches.
  const lagMs = (Number(warning.properties.Threshold) + Number(critical.properties.Threshold)) / 2;

  test('GIVEN the synthesized lag alarms THEN they are 1 out of 1 over a minute, missing data not breaching', () => {
    expect(warning.properties).toMatchObject({
      Period: 60,
      Statistic: 'Maximum',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(lagMs).toBe(22_500);
  });

  test('GIVEN a lag spike between the thresholds WHEN the minute is evaluated THEN the warning alarms, the critical does not, with its datapoint', async () => {
    const world = realisticWorld();
    world.lagSpike(SECONDARY, lagMs, world.clock.now() + 600_000);

    await pass(world, 59_999);
    expect(stateOf(world, alarmName(SECONDARY, 'AuroraGlobalDBRPOLag-warning')).StateValue).toBe(
      'OK',
    );

    // Just after the minute's evaluation (a sleeper due at 60 s may wake before it).
    await pass(world, 2);
    const alarm = stateOf(world, alarmName(SECONDARY, 'AuroraGlobalDBRPOLag-warning'));
    expect(alarm.StateValue).toBe('ALARM');
    expect(alarm.StateReason).toBe(
      'simulated: 1 of the last 1 datapoints [22500] breaching (GreaterThanThreshold 15000, 1 to alarm, missing data notBreaching)',
    );
    expect(stateOf(world, alarmName(SECONDARY, 'AuroraGlobalDBRPOLag-critical')).StateValue).toBe(
      'OK',
    );
  });

  test('GIVEN the spike ends THEN the alarm is OK again the first minute whose maximum is under the threshold', async () => {
    const world = realisticWorld();
    world.lagSpike(SECONDARY, lagMs, world.clock.now() + 90_000);
    await pass(world, 60_001);
    expect(stateOf(world, alarmName(SECONDARY, 'AuroraGlobalDBRPOLag-warning')).StateValue).toBe(
      'ALARM',
    );

    // The minute [60 s, 120 s) still holds the spike until 90 s.
    await pass(world, 60_000);
    expect(stateOf(world, alarmName(SECONDARY, 'AuroraGlobalDBRPOLag-warning')).StateValue).toBe(
      'ALARM',
    );
    await pass(world, 60_000);
    const alarm = stateOf(world, alarmName(SECONDARY, 'AuroraGlobalDBRPOLag-warning'));
    expect(alarm.StateValue).toBe('OK');
    expect(alarm.StateReason).toBe(
      `simulated: 0 of the last 1 datapoints [${DEFAULT_ASSUMPTIONS.replicationLagMs}] breaching (GreaterThanThreshold 15000, 1 to alarm, missing data notBreaching)`,
    );
  });

  test('GIVEN the writer (no lag datapoints) THEN its lag alarms stay OK: missing data is not breaching', async () => {
    const world = realisticWorld();
    world.lagSpike(SECONDARY, lagMs, world.clock.now() + 600_000);
    await pass(world, 180_000);

    for (const suffix of [
      'AuroraGlobalDBRPOLag-critical',
      'AuroraGlobalDBReplicationLag-warning',
    ]) {
      expect(stateOf(world, alarmName(PRIMARY, suffix)).StateValue).toBe('OK');
    }
  });
});

const copies: string[] = [];
afterAll(() => copies.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A copy of the assembly whose alarm `name` (in `region`'s database stack) has `changes`. */
function withAlarm(
  region: string,
  name: string,
  changes: Record<string, unknown>,
): SimulatedDeployment {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'simulation-alarm-'));
  copies.push(copy);
  fs.cpSync(assemblyDir(), copy, { recursive: true });
  const file = path.join(copy, `MultiRegion-Database-${region}.template.json`);
  const template = JSON.parse(fs.readFileSync(file, 'utf8'));
  const resources = template.Resources as Record<string, { Properties: Record<string, unknown> }>;
  const alarm = Object.values(resources).find((r) => r.Properties?.AlarmName === name)!;
  Object.assign(alarm.Properties, changes);
  fs.writeFileSync(file, JSON.stringify(template));
  return SimulatedDeployment.fromAssembly(copy);
}

describe('missing datapoints count as the alarm says (TreatMissingData)', () => {
  // The writer reports no lag datapoint: every period of its lag alarms is missing.
  const name = alarmName(PRIMARY, 'AuroraGlobalDBRPOLag-warning');
  test.each([
    ['breaching', 'ALARM'],
    ['notBreaching', 'OK'],
    ['ignore', 'OK'],
    ['missing', 'INSUFFICIENT_DATA'],
  ])(
    'GIVEN the writer lag alarm treats missing data as %s THEN it is %s after a minute',
    async (treat, state) => {
      const world = realisticWorld({}, withAlarm(PRIMARY, name, { TreatMissingData: treat }));
      await pass(world, 60_001);

      expect(stateOf(world, name).StateValue).toBe(state);
    },
  );

  test('GIVEN 2 out of 3 periods WHEN only one minute breaches THEN it stays OK; WHEN two do THEN ALARM', async () => {
    const secondary = alarmName(SECONDARY, 'AuroraGlobalDBRPOLag-warning');
    const world = realisticWorld(
      {},
      withAlarm(SECONDARY, secondary, { EvaluationPeriods: 3, DatapointsToAlarm: 2 }),
    );
    world.lagSpike(SECONDARY, 22_500, world.clock.now() + 600_000);

    await pass(world, 60_001);
    expect(stateOf(world, secondary).StateValue).toBe('OK');
    await pass(world, 60_000);
    expect(stateOf(world, secondary)).toMatchObject({
      StateValue: 'ALARM',
      StateReason:
        'simulated: 2 of the last 3 datapoints [1000, 22500, 22500] breaching (GreaterThanThreshold 15000, 2 to alarm, missing data notBreaching)',
    });
  });
});

describe('the routing alarms follow the health checks they watch', () => {
  test('GIVEN the secondary region goes down THEN its serving alarm is ALARM at the first minute it was unhealthy in', async () => {
    const world = realisticWorld();
    const name = world.alarms.find(
      (a) =>
        a.Dimensions?.[0]?.Value === world.checkId(SECONDARY, 'serving') &&
        a.MetricName === 'HealthCheckStatus',
    )!.AlarmName!;
    world.regionOutage(SECONDARY);

    // The serving check turns unhealthy at 28.75 s (health-checks.test.ts): minimum 0 in [0, 60 s).
    await pass(world, 60_001);
    expect(stateOf(world, name)).toMatchObject({
      StateValue: 'ALARM',
      StateReason:
        'simulated: 1 of the last 1 datapoints [0] breaching (LessThanThreshold 1, 1 to alarm, missing data breaching)',
    });
    const primaryServing = world.alarms.find(
      (a) => a.Dimensions?.[0]?.Value === world.checkId(PRIMARY, 'serving'),
    )!;
    expect(primaryServing.StateValue).toBe('OK');
  });

  test('GIVEN the writer region goes down THEN no region passes a writer check and the no-healthy-writer alarm fires', async () => {
    const world = realisticWorld();
    const noWriter = world.alarms.find((a) =>
      a.Metrics?.some((m) => m.Expression?.startsWith('MAX')),
    )!;
    await pass(world, 60_001);
    expect(noWriter.StateValue).toBe('OK');

    world.regionOutage(PRIMARY);
    await pass(world, 60_000);
    expect(noWriter.StateValue).toBe('ALARM');
  });
});

describe('a scenario puts alarms into ALARM', () => {
  test('GIVEN setAlarm with a prefix THEN the matching alarms of that region are ALARM and stay so', async () => {
    const world = realisticWorld();
    world.setAlarm(SECONDARY, alarmName(SECONDARY, 'AuroraGlobalDBRPOLag'), 'ALARM');

    await pass(world, 120_000);
    const inAlarm = world.alarms.filter((a) => a.StateValue === 'ALARM').map((a) => a.AlarmName);
    expect(inAlarm.sort()).toEqual(
      ['critical', 'not-reported', 'warning']
        .map((s) => alarmName(SECONDARY, `AuroraGlobalDBRPOLag-${s}`))
        .sort(),
    );
    expect(stateOf(world, alarmName(SECONDARY, 'AuroraGlobalDBRPOLag-warning')).StateReason).toBe(
      'simulated: set to ALARM by the scenario',
    );
  });

  test('GIVEN a prefix no alarm of the region has THEN setAlarm says which names there are', () => {
    const world = realisticWorld();
    const names = world.alarms.filter((a) => a.region === SECONDARY).map((a) => a.AlarmName);

    expect(() => world.setAlarm(SECONDARY, 'Nope-', 'ALARM')).toThrow(
      `no synthesized alarm in ${SECONDARY} is named Nope-*: give a prefix of one of ${names.join(', ')}`,
    );
  });

  test('GIVEN a rehearsal whose target has an alarm in ALARM THEN the drill refuses at preflight on no-alarms alone', async () => {
    const scenario: Scenario = {
      name: 'alarm-in-target',
      summary: 'an alarm fires in the target: the switchover must refuse',
      description: 'A lag alarm of the target is in ALARM when the operator starts.',
      drill: { kind: 'switchover' },
      events: [
        {
          atSeconds: 0,
          kind: 'alarm',
          region: 'target',
          namePrefix: alarmName(SECONDARY, 'AuroraGlobalDBRPOLag-critical'),
        },
      ],
      expect: { refusal: { check: 'no-alarms' } },
    };
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alarm-rehearsal-'));
    try {
      const result = await runRehearsal(deployedApp(), {
        assemblyDir: assemblyDir(),
        stateDir,
        scenario,
      });

      expect(result.drillExitCode).toBe(EXIT_CODES.PREFLIGHT_FAILED);
      expect(result.verdicts.map((v) => v.line)).toEqual([
        'refusal: the drill refused at preflight on no-alarms, as expected: the safety check held: met',
      ]);
      const log = fs.readFileSync(path.join(stateDir, 'drill.log'), 'utf8');
      expect(log).toContain(
        `no-alarms: no alarm named MultiRegion-* in ALARM: ${SECONDARY}: ${alarmName(SECONDARY, 'AuroraGlobalDBRPOLag-critical')}`,
      );
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
