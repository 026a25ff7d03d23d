// Runs a whole `drill switchover --execute` against zero-latency in-process fakes of AWS
// (aws-sdk-client-mock on the SDK's own clients) with every poll and canary interval at 1 ms,
// in a fresh Node process each time, and prints where the time goes: Node start-up and module
// loading, waiting on the fake AWS, sleeping between polls, and the drill's own work.
// Run: npm run bench:drill [-- --runs 5]
import { deployedApp } from '../test/deployed-app';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CallMeter } from '../runbooks/drill/aws/adapters';
import { systemClock } from '../runbooks/drill/clock';
import { main } from '../runbooks/drill/program';
import { createMocks, SimulatedWorld, installFakeAws } from '../test/runbooks/fake-aws';
import { outputsFor } from '../test/runbooks/outputs';

const POLL_INTERVAL = '1ms';
const CANARY_INTERVAL = '1ms';
const STEP_TIMEOUT = '1m';

interface ChildMeasures {
  readonly exitCode: number;
  /** Process start until the benchmark runs: Node start-up, tsx, loading the CLI, SDK and fakes. */
  readonly startupMs: number;
  /** main() start to its end. */
  readonly drillMs: number;
  readonly awsWaitMs: number;
  readonly awsCalls: number;
  readonly sleepMs: number;
  readonly sleeps: number;
}

async function child(): Promise<void> {
  const startupMs = process.uptime() * 1000;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-drill-'));
  const outputs = path.join(dir, 'cdk-outputs.json');
  fs.writeFileSync(outputs, JSON.stringify(outputsFor()));
  let sleepMs = 0;
  let sleeps = 0;
  const clock = {
    now: () => systemClock.now(),
    async sleep(ms: number, signal?: AbortSignal) {
      const start = performance.now();
      await systemClock.sleep(ms, signal);
      sleepMs += performance.now() - start;
      sleeps++;
    },
  };
  const world = new SimulatedWorld(deployedApp(['us-east-1', 'us-west-2']), clock);
  world.promotionMs = 0;
  world.pendingMs = 0;
  installFakeAws(createMocks(), () => world);
  const meter = new CallMeter();

  const mainStart = performance.now();
  const exitCode = await main(
    [
      'switchover',
      '--to',
      'us-west-2',
      '--execute',
      '--yes',
      '--outputs',
      outputs,
      '--state-dir',
      path.join(dir, '.drill'),
      '--poll-interval',
      POLL_INTERVAL,
      '--canary-interval',
      CANARY_INTERVAL,
      '--step-timeout',
      STEP_TIMEOUT,
    ],
    { clock, meter, stdout: () => undefined, stderr: (t) => process.stderr.write(t) },
  );
  const measures: ChildMeasures = {
    exitCode,
    startupMs,
    drillMs: performance.now() - mainStart,
    awsWaitMs: meter.busyMs,
    awsCalls: meter.calls,
    sleepMs,
    sleeps,
  };
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(measures)}\n`);
}

function parent(): void {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`--runs must be a whole number of at least 1, got: ${values.runs}`);
    process.exit(2);
  }
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `drill bench: switchover us-east-1 -> us-west-2 against zero-latency in-process fakes, ${runs} run(s), ${os.cpus().length} cores`,
  );
  console.log(
    `intervals: poll ${POLL_INTERVAL}, canary ${CANARY_INTERVAL}, step timeout ${STEP_TIMEOUT} (defaults: poll 10s, canary 1s, step timeout 15m)`,
  );
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child'], {
      cwd: path.resolve(__dirname, '..'),
      encoding: 'utf8',
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    const wallMs = performance.now() - start;
    const last = result.stdout.trim().split('\n').at(-1) ?? '';
    let m: ChildMeasures;
    try {
      m = JSON.parse(last) as ChildMeasures;
    } catch {
      console.error(
        `run ${i + 1} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`,
      );
      process.exit(1);
    }
    if (m.exitCode !== 0) {
      console.error(`run ${i + 1}: the drill exited ${m.exitCode}:\n${result.stderr}`);
      process.exit(1);
    }
    walls.push(wallMs);
    const overhead = wallMs - m.awsWaitMs - m.sleepMs;
    console.log(
      `run ${i + 1}: wall ${fmt(wallMs)} = start-up and module loading ${fmt(m.startupMs)} + drill ${fmt(m.drillMs)} + set-up and exit ${fmt(wallMs - m.startupMs - m.drillMs)}; ` +
        `waiting on fake AWS ${fmt(m.awsWaitMs)} (${m.awsCalls} calls), sleeping ${fmt(m.sleepMs)} (${m.sleeps} sleeps), ` +
        `drill overhead (wall - waiting - sleeping) ${fmt(overhead)}`,
    );
  }
  const sorted = [...walls].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`median wall ${fmt(median)} (target < 2.00 s)`);
}

if (process.argv.includes('--child')) {
  child().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  parent();
}
