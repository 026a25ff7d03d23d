// Rehearses every built-in scenario (`drill rehearse`, all of them) on the default topology, in a
// fresh Node process as `npx drill rehearse` runs, and prints each scenario's wall time, the
// total (Node start-up and module loading included) against the 10 s target, and the peak RSS.
// One assembly: --assembly DIR (e.g. cdk.out after `npx cdk synth`), else the tests' cached
// synth of the default topology (test/deployed-app.ts assemblyDir, synthesized once).
// Run: npm run bench:rehearse [-- --assembly cdk.out]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { SimulatedDeployment } from '../runbooks/simulation/deployment';
import { runRehearsal } from '../runbooks/simulation/rehearsal';
import { SCENARIOS } from '../runbooks/simulation/scenarios';
import { assemblyDir } from '../test/deployed-app';
import { below, REHEARSE_TARGET_SECONDS } from './targets';

interface ChildMeasures {
  /** Process start until the benchmark runs: Node start-up, tsx, the drill, SDK and simulation. */
  readonly startupMs: number;
  /** Reading and evaluating the assembly once. */
  readonly loadMs: number;
  readonly scenarios: readonly {
    readonly name: string;
    readonly wallMs: number;
    readonly passed: boolean;
    readonly drillExitCode: number;
  }[];
  /** Peak resident set size of the process (kB). */
  readonly maxRssKb: number;
}

async function child(assembly: string): Promise<void> {
  const startupMs = process.uptime() * 1000;
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rehearse-'));
  const loadStart = performance.now();
  const deployment = SimulatedDeployment.fromAssembly(assembly);
  const loadMs = performance.now() - loadStart;
  const scenarios: ChildMeasures['scenarios'][number][] = [];
  for (const scenario of SCENARIOS) {
    const start = performance.now();
    const result = await runRehearsal(deployment, {
      assemblyDir: assembly,
      stateDir: path.join(state, scenario.name),
      scenario,
    });
    scenarios.push({
      name: scenario.name,
      wallMs: performance.now() - start,
      passed: result.passed,
      drillExitCode: result.drillExitCode,
    });
  }
  fs.rmSync(state, { recursive: true, force: true });
  const measures: ChildMeasures = {
    startupMs,
    loadMs,
    scenarios,
    maxRssKb: process.resourceUsage().maxRSS,
  };
  process.stdout.write(`${JSON.stringify(measures)}\n`);
}

function parent(): void {
  const { values } = parseArgs({ options: { assembly: { type: 'string' } } });
  const assembly = values.assembly ?? assemblyDir();
  if (!fs.existsSync(path.join(assembly, 'manifest.json'))) {
    console.error(
      `--assembly ${assembly} is not a cloud assembly (no manifest.json): run \`npx cdk synth\` first, or leave --assembly out`,
    );
    process.exit(2);
  }
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `rehearse bench: every built-in scenario, one process, ${os.cpus().length} cores; assembly ${assembly}`,
  );
  const start = performance.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', assembly], {
    cwd: path.resolve(__dirname, '..'),
    encoding: 'utf8',
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const wallMs = performance.now() - start;
  let m: ChildMeasures;
  try {
    m = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as ChildMeasures;
  } catch {
    console.error(
      `the rehearsals failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
    process.exit(1);
  }
  const width = Math.max(...m.scenarios.map((s) => s.name.length));
  for (const s of m.scenarios) {
    const outcome = s.passed
      ? 'every verdict met'
      : `verdict missed (drill exit ${s.drillExitCode})`;
    console.log(`  ${s.name.padEnd(width)}  ${fmt(s.wallMs).padStart(7)}  ${outcome}`);
  }
  const rehearsing = m.scenarios.reduce((sum, s) => sum + s.wallMs, 0);
  console.log(
    `start-up and module loading ${fmt(m.startupMs)}, assembly ${fmt(m.loadMs)}, rehearsals ${fmt(rehearsing)}`,
  );
  console.log(
    `total wall ${fmt(wallMs)}: ${below(wallMs / 1000, REHEARSE_TARGET_SECONDS, ' s')} on ${os.cpus().length} cores`,
  );
  console.log(`peak RSS ${(m.maxRssKb / 1024).toFixed(0)} MiB`);
}

if (process.argv.includes('--child')) {
  child(process.argv[process.argv.indexOf('--child') + 1]).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  parent();
}
