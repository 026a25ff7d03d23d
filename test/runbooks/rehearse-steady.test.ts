// The application's steady client in a rehearsal: a write a second from the scenario's start
// until the drill ends, so the RPO verdict measures the lag the writer let build (managed RPO
// or not), not only the drill's canary, which starts with the drill and is fenced with it.
// Every figure comes from the synthesized assembly and the scenario's assumptions.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANAGED_RPO_PARAMETER } from '../../constructs/managed-rpo-policy';
import { topologyFromOutputs } from '../../runbooks/drill/discovery';
import type { DrillRecord } from '../../runbooks/drill/record';
import {
  applicationText,
  rehearsalVerdicts,
  type ApplicationClientFindings,
} from '../../runbooks/drill/record-rehearsal';
import { SimulatedDeployment } from '../../runbooks/simulation/deployment';
import { runRehearsal } from '../../runbooks/simulation/rehearsal';
import type { RehearsalResult, Scenario } from '../../runbooks/simulation/scenario';
import { scenarioNamed } from '../../runbooks/simulation/scenarios';
import { assemblyDir, deployedApp } from '../deployed-app';
import { recordIn, tempDirs } from './rehearse-helpers';

jest.setTimeout(60_000);

const tempDir = tempDirs();
/** The application client writes once a second (rehearsal.ts startApplicationClient). */
const APPLICATION_INTERVAL_MS = 1000;

/** A copy of the default assembly whose cluster parameter groups set no managed RPO. */
function withoutManagedRpo(): { dir: string; deployment: SimulatedDeployment } {
  const dir = path.join(tempDir(), 'cdk.out');
  fs.cpSync(assemblyDir(), dir, { recursive: true });
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.template.json'))) {
    const template = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
      Resources?: Record<string, { Type: string; Properties: { Parameters?: object } }>;
    };
    for (const r of Object.values(template.Resources ?? {})) {
      if (r.Type === 'AWS::RDS::DBClusterParameterGroup' && r.Properties.Parameters) {
        delete (r.Properties.Parameters as Record<string, unknown>)[MANAGED_RPO_PARAMETER];
      }
    }
    fs.writeFileSync(path.join(dir, file), JSON.stringify(template));
  }
  return { dir, deployment: SimulatedDeployment.fromAssembly(dir) };
}

/** The writer's managed RPO (ms) as synthesized, undefined when its group sets none. */
function managedRpoMs(deployment: SimulatedDeployment): number | undefined {
  const topology = topologyFromOutputs(deployment.outputsFile(), 'test');
  const group = deployment
    .resources('AWS::RDS::DBClusterParameterGroup')
    .find((r) => r.region === topology.primaryRegion)!;
  const value = (group.properties.Parameters as Record<string, string>)[MANAGED_RPO_PARAMETER];
  return value === undefined ? undefined : Number(value) * 1000;
}

async function rehearse(
  scenario: Scenario,
  deployment: SimulatedDeployment = deployedApp(),
  dir = assemblyDir(),
): Promise<{ result: RehearsalResult; record: DrillRecord; app: ApplicationClientFindings }> {
  const result = await runRehearsal(deployment, {
    assemblyDir: dir,
    stateDir: path.join(tempDir(), scenario.name),
    scenario,
  });
  const record = recordIn(path.join(result.stateDir, result.drillId));
  return { result, record, app: record.rehearsal!.findings!.applicationClient! };
}

const rpoOf = (result: RehearsalResult) => result.verdicts.find((v) => v.objective === 'RPO')!;
const seconds = (ms: number) => `${ms / 1000} s`;

/** lag-spike with the drill and the outage later by `shiftSeconds`: the lag builds longer. */
function lagSpikeLater(shiftSeconds: number): Scenario {
  const base = scenarioNamed('lag-spike')!;
  return {
    ...base,
    name: 'lag-spike-later',
    drill: { ...base.drill, startsAtSeconds: base.drill.startsAtSeconds! + shiftSeconds },
    events: base.events.map((e) =>
      e.kind === 'region-outage' ? { ...e, atSeconds: e.atSeconds + shiftSeconds } : e,
    ),
  };
}

describe('rehearse lag-spike: the application client', () => {
  test('GIVEN managed RPO on the writer THEN its writes in the stalled lag are lost, under the RPO, and the RPO verdict names them', async () => {
    const managed = managedRpoMs(deployedApp())!;
    expect(managed).toBeDefined();
    const { result, record, app } = await rehearse(scenarioNamed('lag-spike')!);
    const lag = result.assumptions.replicationLagMs;
    const rpo = record.objectives.rpoSeconds * 1000;

    // Replication stalls at +0 s with `lag` behind: the writer acknowledges while its RPO lag is
    // under the managed RPO, every one of them lost; the window is their span.
    expect(app.writer).toBe(result.targetRegion);
    expect(app.windowMs).toBeGreaterThanOrEqual(managed - lag - 2 * APPLICATION_INTERVAL_MS);
    expect(app.windowMs).toBeLessThanOrEqual(managed - lag);
    expect(app.lost).toBe(app.windowMs / APPLICATION_INTERVAL_MS + 1);
    // Larger than the canary's (it starts with the drill), so the verdict is the application's.
    expect(app.windowMs).toBeGreaterThan(record.measures.client!.dataLoss!.windowMs!);
    expect(rpoOf(result).line).toBe(
      `RPO ${seconds(app.windowMs)} (${app.lost} acknowledged application writes lost) <= ${seconds(rpo)}: met`,
    );
    expect(result.measures.rpoMs).toBe(app.windowMs);
    expect(result.measures.application).toEqual({
      sent: app.sent,
      acknowledged: app.acknowledged,
      lost: app.lost,
      lostWindowMs: app.windowMs,
    });
    expect(result.passed).toBe(true);
    // The report shows the application client's figures.
    const md = fs.readFileSync(path.join(result.stateDir, result.drillId, 'report.md'), 'utf8');
    expect(md).toContain(`| application client (measured) | ${applicationText(app)} |`);
    expect(applicationText(app)).toBe(
      `${app.sent} writes sent (one a second, from the scenario's start to the drill's end), ${app.acknowledged} acknowledged, ${app.lost} of them missing on ${app.writer} (${seconds(app.windowMs)} of data)`,
    );
  });

  test('GIVEN no managed RPO THEN the application loses every write acknowledged until the fence, more than with it', async () => {
    const copy = withoutManagedRpo();
    expect(managedRpoMs(copy.deployment)).toBeUndefined();
    const withRpo = await rehearse(scenarioNamed('lag-spike')!);
    const { result, record, app } = await rehearse(
      scenarioNamed('lag-spike')!,
      copy.deployment,
      copy.dir,
    );

    // The fence refuses the old writer's writes from some moment of its step on.
    const fence = record.steps.find((s) => s.id === 'fence')!;
    const stallAt =
      Date.parse(record.startedAt!) - scenarioNamed('lag-spike')!.drill.startsAtSeconds! * 1000;
    expect(app.windowMs).toBeGreaterThan(withRpo.app.windowMs);
    expect(app.windowMs).toBeGreaterThanOrEqual(
      Date.parse(fence.startedAt!) - stallAt - APPLICATION_INTERVAL_MS,
    );
    expect(app.windowMs).toBeLessThanOrEqual(Date.parse(fence.finishedAt!) - stallAt);
    expect(result.measures.rpoMs).toBe(app.windowMs);
  });

  test('GIVEN the lag builds past the RPO objective before the drill THEN the RPO is met with managed RPO and missed without it', async () => {
    const rpoSeconds = topologyFromOutputs(deployedApp().outputsFile(), 'test').rpoSeconds;
    // Later by the RPO objective: without managed RPO the writer acknowledges for twice as long.
    const scenario = lagSpikeLater(rpoSeconds);
    const copy = withoutManagedRpo();

    const withRpo = await rehearse(scenario);
    const without = await rehearse(scenario, copy.deployment, copy.dir);

    const rpo = rpoSeconds * 1000;
    expect(rpoOf(withRpo.result).met).toBe(true);
    expect(rpoOf(withRpo.result).line).toBe(
      `RPO ${seconds(withRpo.app.windowMs)} (${withRpo.app.lost} acknowledged application writes lost) <= ${seconds(rpo)}: met`,
    );
    expect(without.app.windowMs).toBeGreaterThan(rpo);
    expect(rpoOf(without.result)).toEqual({
      objective: 'RPO',
      measuredMs: without.app.windowMs,
      objectiveMs: rpo,
      met: false,
      line: `RPO ${seconds(without.app.windowMs)} (${without.app.lost} acknowledged application writes lost) > ${seconds(rpo)}: missed`,
    });
    expect(without.result.passed).toBe(false);
  });
});

describe('the RPO verdict: whose loss', () => {
  /** The lag-spike record with its findings' application client replaced. */
  function judgedWith(
    record: DrillRecord,
    app: ApplicationClientFindings,
    canaryAcknowledgedBeforePromotion = true,
  ) {
    const client = record.measures.client!;
    const edited: DrillRecord = {
      ...record,
      measures: {
        ...record.measures,
        client: canaryAcknowledgedBeforePromotion
          ? client
          : { ...client, lastAcknowledgedBeforePromotion: null },
      },
      rehearsal: {
        ...record.rehearsal!,
        findings: { ...record.rehearsal!.findings!, applicationClient: app },
      },
    };
    return rehearsalVerdicts(edited).find((v) => v.objective === 'RPO')!;
  }

  test('GIVEN one application write lost over a longer window than the canary THEN the line names it, singular', async () => {
    const { record, app } = await rehearse(scenarioNamed('lag-spike')!);
    const canaryMs = record.measures.client!.dataLoss!.windowMs!;
    const rpo = record.objectives.rpoSeconds * 1000;
    const verdict = judgedWith(record, { ...app, lost: 1, windowMs: canaryMs + 1000 });
    expect(verdict.line).toBe(
      `RPO ${seconds(canaryMs + 1000)} (1 acknowledged application write lost) <= ${seconds(rpo)}: met`,
    );
  });

  test('GIVEN a loss no larger than the canary THEN the line is the canary', async () => {
    const { record, app } = await rehearse(scenarioNamed('lag-spike')!);
    const loss = record.measures.client!.dataLoss!;
    const rpo = record.objectives.rpoSeconds * 1000;
    const verdict = judgedWith(record, { ...app, windowMs: loss.windowMs! });
    expect(verdict.line).toBe(
      `RPO ${seconds(loss.windowMs!)} (${loss.count} acknowledged client writes lost) <= ${seconds(rpo)}: met`,
    );
  });

  test('GIVEN only the application had a write acknowledged before the promotion THEN its loss, even 0, is the figure', async () => {
    const { record, app } = await rehearse(scenarioNamed('lag-spike')!);
    const rpo = record.objectives.rpoSeconds * 1000;
    const verdict = judgedWith(record, { ...app, lost: 0, windowMs: 0 }, false);
    expect(verdict.line).toBe(
      `RPO 0 s (0 acknowledged application writes lost) <= ${seconds(rpo)}: met`,
    );
  });

  test('GIVEN neither had a write acknowledged before the promotion THEN the RPO was not exercised', async () => {
    const { record, app } = await rehearse(scenarioNamed('lag-spike')!);
    const rpo = record.objectives.rpoSeconds * 1000;
    const late = new Date(Date.parse(record.measures.promotedAt!) + 1000).toISOString();
    const verdict = judgedWith(record, { ...app, firstAcknowledgedAt: late }, false);
    expect(verdict.line).toBe(
      `RPO not exercised (no client write was acknowledged before the promotion request, so none could be lost), objective ${seconds(rpo)}: missed`,
    );
  });
});
