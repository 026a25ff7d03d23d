// The shared test set-up: one set of SDK client mocks per test file, reset before each test
// with a fresh fake world, a temporary state directory and an outputs file.
import type { ClientNetworkApi } from '../../runbooks/drill/aws/ports';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main, type CliDeps } from '../../runbooks/drill/program';
import type { CanarySample } from '../../runbooks/drill/model';
import type { DrillRecord } from '../../runbooks/drill/record';
import type { JournalEntry } from '../../runbooks/drill/store';
import { deployedApp } from '../deployed-app';
import { createMocks, faults, SimulatedWorld, installFakeAws } from './fake-aws';
import { outputsFor, PRIMARY, SECONDARY } from './outputs';

export { outputsFor, PRIMARY, SECONDARY };

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Harness {
  world: SimulatedWorld;
  readonly mocks: ReturnType<typeof createMocks>;
  dir: string;
  outputsFile: string;
  stateDir: string;
  /**
   * Runs `drill <args>` in-process with the shared options, on the world's virtual clock;
   * `stateDir` stands for another operator's state directory.
   */
  run(args: readonly string[], deps?: Partial<CliDeps>, stateDir?: string): Promise<CliResult>;
  /** Fast timings for executing drills. */
  readonly fast: readonly string[];
  /** Arguments of an executed, confirmed switchover to the secondary, with fast timings. */
  switchover(...extra: string[]): string[];
  /** Arguments of an executed, confirmed failover to the secondary, with fast timings. */
  failover(...extra: string[]): string[];
}

/** Call once at the top of a test file; `context` is extra `-c` context of the synthesized app. */
export function useFakeAws(
  regions: readonly string[] = [PRIMARY, SECONDARY],
  context: Readonly<Record<string, string>> = {},
): Harness {
  const mocks = createMocks();
  const harness: Harness = {
    world: new SimulatedWorld(deployedApp(regions, context)),
    mocks,
    dir: '',
    outputsFile: '',
    stateDir: '',
    fast: ['--poll-interval', '5s', '--step-timeout', '5m', '--canary-interval', '1s'],
    switchover: (...extra) => [
      'switchover',
      '--to',
      SECONDARY,
      '--execute',
      '--yes',
      ...harness.fast,
      ...extra,
    ],
    failover: (...extra) => [
      'failover',
      '--to',
      SECONDARY,
      '--allow-data-loss',
      '--execute',
      '--yes',
      ...harness.fast,
      ...extra,
    ],
    async run(args, deps = {}, stateDir = harness.stateDir) {
      let stdout = '';
      let stderr = '';
      // report reads only the state directory.
      const common =
        args[0] === 'report'
          ? ['--state-dir', stateDir]
          : ['--outputs', harness.outputsFile, '--state-dir', stateDir];
      const code = await main([...args, ...common], {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        clock: harness.world.clock,
        isTTY: false,
        pid: 4242,
        isProcessAlive: (pid) => pid === 4242,
        onInterrupt: () => () => undefined,
        // Never this machine's resolver and HTTPS in a test: the world's DNS and items service.
        clientNetwork: harness.world.client,
        ...deps,
      });
      return { code, stdout, stderr };
    },
  };
  beforeEach(() => {
    for (const mock of Object.values(mocks)) mock.reset();
    harness.world = new SimulatedWorld(deployedApp(regions, context));
    installFakeAws(mocks, () => harness.world);
    harness.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drill-test-'));
    harness.outputsFile = path.join(harness.dir, 'cdk-outputs.json');
    harness.stateDir = path.join(harness.dir, '.drill');
    fs.writeFileSync(harness.outputsFile, JSON.stringify(outputsFor(regions, context), null, 2));
  });
  afterEach(() => {
    fs.rmSync(harness.dir, { recursive: true, force: true });
    // Every drill a test runs checks that its steps called only what they declare (the dry
    // run and the runbooks show those calls), even where a step tolerated the refusal.
    const undeclared = harness.world.undeclaredCalls;
    if (undeclared.length > 0) {
      throw new Error(`a step made calls it does not declare:\n${undeclared.join('\n')}`);
    }
  });
  afterAll(() => {
    for (const mock of Object.values(mocks)) mock.restore();
  });
  return harness;
}

/** True for a call on the drill lock parameter (not on what serves or writes). */
function onLock(world: SimulatedWorld, c: { region: string; input: object }): boolean {
  return (c.input as { Name?: string }).Name === world.lockName(c.region);
}

/**
 * Operations that change what serves or writes, in the order the fake served them, without
 * the polling noise of reads and without the lock's own calls (see lockCalls).
 */
export function mutatingCalls(world: SimulatedWorld, since = 0): string[] {
  return world.calls
    .slice(since)
    .filter(
      (c) =>
        ['ssm:PutParameter', 'rds:SwitchoverGlobalCluster', 'rds:FailoverGlobalCluster'].includes(
          c.operation,
        ) && !onLock(world, c),
    )
    .map((c) => `${c.operation} ${c.region}`);
}

/** Writes to the drill lock parameter: `ssm:PutParameter us-east-1 create`, `... overwrite`, `ssm:DeleteParameter ...`. */
export function lockCalls(world: SimulatedWorld): string[] {
  return world.calls
    .filter(
      (c) => ['ssm:PutParameter', 'ssm:DeleteParameter'].includes(c.operation) && onLock(world, c),
    )
    .map(
      (c) =>
        `${c.operation} ${c.region}${c.operation === 'ssm:PutParameter' ? ((c.input as { Overwrite?: boolean }).Overwrite ? ' overwrite' : ' create') : ''}`,
    );
}

/** Lets the in-process CLI run until `condition` holds (the virtual clock moves meanwhile). */
export async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i > 100_000) throw new Error('until: the condition never held');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Another operator: another machine and process, with its own state directory. */
export const otherOperator = {
  host: 'ops-host-2',
  pid: 7000,
  isProcessAlive: (pid: number) => pid === 7000,
};

/** Index in the served-call log of the first call matching, or -1. */
export function firstCall(
  world: SimulatedWorld,
  operation: string,
  match: (input: Record<string, unknown>, region: string) => boolean = () => true,
): number {
  return world.calls.findIndex(
    (c) => c.operation === operation && match(c.input as Record<string, unknown>, c.region),
  );
}

/** Index of the last call matching, or -1. */
export function lastCall(
  world: SimulatedWorld,
  operation: string,
  match: (input: Record<string, unknown>, region: string) => boolean = () => true,
): number {
  for (let i = world.calls.length - 1; i >= 0; i--) {
    const c = world.calls[i];
    if (c.operation === operation && match(c.input as Record<string, unknown>, c.region)) return i;
  }
  return -1;
}

/** The drill ids in the state directory. */
export function drillIds(stateDir: string): string[] {
  return fs.existsSync(stateDir)
    ? fs.readdirSync(stateDir).filter((d) => fs.statSync(path.join(stateDir, d)).isDirectory())
    : [];
}

export function readRecordFile(stateDir: string, drillId: string): DrillRecord {
  return JSON.parse(
    fs.readFileSync(path.join(stateDir, drillId, 'record.json'), 'utf8'),
  ) as DrillRecord;
}

export function readJournal(stateDir: string, drillId: string): JournalEntry[] {
  return fs
    .readFileSync(path.join(stateDir, drillId, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as JournalEntry);
}

export function readCanary(stateDir: string, drillId: string): CanarySample[] {
  return fs
    .readFileSync(path.join(stateDir, drillId, 'canary.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as CanarySample);
}

/** For tests of the AWS adapters alone: the client canary's network is not reachable there. */
export const NO_CLIENT_NETWORK: ClientNetworkApi = {
  resolve: (name) => Promise.reject(new Error(`no client network in this test (resolve ${name})`)),
  send: (r) => Promise.reject(new Error(`no client network in this test (${r.method} ${r.path})`)),
  unavailable: 'no client network in this test',
};

/** Every AWS read the drill makes fails as it does on a machine without credentials. */
export function failWithoutCredentials(world: SimulatedWorld): void {
  for (const operation of [
    'rds:DescribeGlobalClusters',
    'rds:DescribeDBClusters',
    'ssm:GetParameter',
    'route53:GetHealthCheckStatus',
    'route53:TestDNSAnswer',
    'route53:ListResourceRecordSets',
    'cloudwatch:GetMetricData',
    'cloudwatch:DescribeAlarms',
  ]) {
    world.fail(operation, faults.noCredentials(), { times: 100 });
  }
}

/** Runs as the drill failover role the routing stack publishes (an assumed-role session). */
export function runAsFailoverRole(world: SimulatedWorld): void {
  const role = world.topology.failoverRoleArn!.split('/').at(-1);
  world.callerIdentity = {
    ...world.callerIdentity,
    Arn: `arn:aws:sts::123456789012:assumed-role/${role}/bob`,
  };
}
