import * as fs from 'node:fs';
import * as path from 'node:path';
import { SimulatedDeployment } from '../../simulation/deployment';
import { checkScenario, runRehearsal } from '../../simulation/rehearsal';
import { SimulatedWorld } from '../../simulation/world';
import type { RehearsalResult, Scenario } from '../../simulation/scenario';
import { loadScenarioFile } from '../../simulation/scenario-file';
import { SCENARIOS, scenarioNamed } from '../../simulation/scenarios';
import { DrillError, EXIT_CODES, errorText } from '../errors';
import { NEVER_FIRED, REHEARSAL_BANNER } from '../record-rehearsal';
import type { ActionContext } from './context';

export interface RehearseOptions {
  scenario: string[];
  scenarioFile?: string;
  assembly: string;
  stateDir: string;
  json?: boolean;
  list?: boolean;
}

const SYNTH_HINT =
  'Run `npx cdk synth` first, or pass --assembly DIR: the directory `cdk synth` wrote (default cdk.out)';

/**
 * `drill rehearse`: each scenario's drill against the simulation of the cloud assembly, in its
 * own state directory (`<state-dir>/<scenario>`); exit 0 only when every verdict is met.
 */
export async function rehearse(ctx: ActionContext, opts: RehearseOptions): Promise<number> {
  if (opts.list) {
    const width = Math.max(...SCENARIOS.map((s) => s.name.length));
    ctx.say(
      'DRILL_I0701',
      SCENARIOS.map((s) => `${s.name.padEnd(width)}  ${s.summary}`).join('\n'),
    );
    return EXIT_CODES.OK;
  }
  const scenarios = scenariosOf(opts);
  const deployment = deploymentOf(opts.assembly);
  // Every scenario's events are checked against the topology before any is rehearsed.
  for (const scenario of scenarios) checkScenario(deployment, scenario);
  const results: RehearsalResult[] = [];
  for (const scenario of scenarios) {
    const result = await runRehearsal(deployment, {
      assemblyDir: opts.assembly,
      stateDir: path.join(opts.stateDir, scenario.name),
      scenario,
    });
    results.push(result);
    if (!opts.json) ctx.say('DRILL_I0700', resultText(result));
  }
  if (opts.json) ctx.say('DRILL_I0702', JSON.stringify(results, null, 2));
  return results.every((r) => r.passed) ? EXIT_CODES.OK : EXIT_CODES.REHEARSAL_MISSED;
}

/** One scenario's verdicts as printed: the measures next to their objectives. */
export function resultText(r: RehearsalResult): string {
  const drill = r.drillId ? path.join(r.stateDir, r.drillId) : r.stateDir;
  return [
    `${REHEARSAL_BANNER} ${r.scenario}: writer ${r.fromRegion} -> ${r.targetRegion}, drill exit ${r.drillExitCode}: ${r.passed ? 'every verdict met' : 'verdict missed'}`,
    ...(r.forcedPastChecks
      ? [`  preflight: forced past the failed check(s) ${r.forcedPastChecks.join(', ')}`]
      : []),
    ...(r.eventsNotFired ? r.eventsNotFired.map((e) => `  event ${e}: ${NEVER_FIRED}`) : []),
    ...r.verdicts.map((v) => `  ${v.line}`),
    `  record and report: ${drill} (drill output: ${path.join(r.stateDir, 'drill.log')})`,
  ].join('\n');
}

function scenariosOf(opts: RehearseOptions): Scenario[] {
  const names = opts.scenario.length === 0 && !opts.scenarioFile ? ['all'] : opts.scenario;
  const chosen: Scenario[] = [];
  for (const name of names) {
    if (name === 'all') {
      chosen.push(...SCENARIOS);
      continue;
    }
    const found = scenarioNamed(name);
    if (!found) {
      throw new DrillError(
        'USAGE',
        `unknown scenario '${name}'; the scenarios are: ${SCENARIOS.map((s) => s.name).join(', ')}, all`,
        { hint: 'Run `npx drill rehearse --list` for what each one rehearses' },
      );
    }
    chosen.push(found);
  }
  if (opts.scenarioFile) {
    const own = loadScenarioFile(opts.scenarioFile);
    if (scenarioNamed(own.name)) {
      throw new DrillError(
        'USAGE',
        `scenario file ${opts.scenarioFile} is named "${own.name}", the name of a built-in scenario`,
        { hint: 'Give the scenario in the file a name of its own (its "name" field)' },
      );
    }
    chosen.push(own);
  }
  return chosen.filter((s, i) => chosen.findIndex((o) => o.name === s.name) === i);
}

function deploymentOf(dir: string): SimulatedDeployment {
  if (!fs.existsSync(dir)) {
    throw new DrillError('DISCOVERY_FAILED', `cloud assembly ${dir} does not exist`, {
      hint: SYNTH_HINT,
    });
  }
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    throw new DrillError('DISCOVERY_FAILED', `${dir} is not a cloud assembly (no manifest.json)`, {
      hint: SYNTH_HINT,
    });
  }
  try {
    const deployment = SimulatedDeployment.fromAssembly(dir);
    // Everything the simulation reads (outputs, clusters, checks, records) is there.
    void new SimulatedWorld(deployment);
    return deployment;
  } catch (err) {
    throw new DrillError(
      'DISCOVERY_FAILED',
      `cloud assembly ${dir} cannot be rehearsed: ${errorText(err)}`,
      {
        hint: "Synthesize the app again (`npx cdk synth`) and pass the directory it wrote; a hand-edited template must stay valid JSON with the app's stacks and outputs",
      },
    );
  }
}
