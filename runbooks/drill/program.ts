import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Command, CommanderError, Option } from 'commander';
import { AwsCaller, CallMeter, sdkAdapters, type DrillAws, type RunMode } from './aws/adapters';
import { AwsClients, DEFAULT_CLIENT_SETTINGS, type ClientSettings } from './aws/clients';
import { systemClock, type Clock } from './clock';
import { resumeCommand, startCommand, statusCommand } from './commands';
import { loadTopology, regionOf, type DrillTopology } from './discovery';
import { parsePositiveDuration } from './duration';
import { DrillError, EXIT_CODES, EXIT_CODE_MEANINGS, errorText } from './errors';
import { resumeDrill, startDrill, stepOutcome } from './executor';
import { planText, preflightText, statusText } from './format';
import {
  DEFAULT_TIMING,
  DRILL_KINDS,
  type DrillKind,
  type DrillParams,
  type Timing,
} from './model';
import { describeGlobalCluster, observe, writerRegionOf, type Snapshot } from './observe';
import { evaluatePreflight } from './preflight';
import { buildRecord, type DrillRecord, type RecordOptions } from './record';
import { renderReport, type ReportFormat } from './report';
import { planOfJournal, planView, STEPS, stepsFor } from './steps';
import { DrillStore, processIsAlive } from './store';

/** Everything the CLI takes from its environment, replaceable in tests and the benchmark. */
export interface CliDeps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly clock: Clock;
  /** Merged over the default client settings (tests pass credentials or a request handler). */
  readonly clientSettings: Partial<ClientSettings>;
  readonly isTTY: boolean;
  /** Asks a question on the terminal and returns the answer. */
  readonly ask: (question: string) => Promise<string>;
  readonly pid: number;
  readonly isProcessAlive: (pid: number) => boolean;
  /** Collects the time spent waiting on AWS (the benchmark reads it). */
  readonly meter?: CallMeter;
}

const defaultDeps: CliDeps = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  clock: systemClock,
  clientSettings: {},
  isTTY: process.stdin.isTTY === true,
  ask: async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
  pid: process.pid,
  isProcessAlive: processIsAlive,
};

interface CommonOptions {
  outputs: string;
  profile?: string;
  region: string;
  stateDir: string;
  globalCluster?: string;
  hostedZoneId?: string;
  alarmPrefix?: string;
  maxAttempts: string;
}

interface ActOptions extends CommonOptions {
  execute?: boolean;
  yes?: boolean;
  force?: boolean;
  reason?: string;
  pollInterval: string;
  stepTimeout: string;
  timeout: string[];
  canaryInterval: string;
}

const HOME_REGION = 'us-east-1';

const EXIT_CODE_HELP = `
Exit codes:
${Object.entries(EXIT_CODES)
  .map(
    ([code, n]) =>
      `  ${String(n).padStart(2)}  ${code.padEnd(22)} ${EXIT_CODE_MEANINGS[code as keyof typeof EXIT_CODES]}`,
  )
  .join('\n')}

Defaults: dry run (nothing is changed without --execute); poll interval ${DEFAULT_TIMING.pollIntervalMs / 1000}s,
step timeout ${DEFAULT_TIMING.stepTimeoutMs / 60_000}m, canary interval ${DEFAULT_TIMING.canaryIntervalMs / 1000}s,
SDK retries: ${DEFAULT_CLIENT_SETTINGS.maxAttempts} attempts (${DEFAULT_CLIENT_SETTINGS.retryMode}).
Credentials: the SDK's default chain, or --profile. AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> are honoured.
Runbooks: runbooks/switchover.md, failover.md, failback.md; details in runbooks/README.md.
`;

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(
  argv: readonly string[],
  overrides: Partial<CliDeps> = {},
): Promise<number> {
  const deps: CliDeps = { ...defaultDeps, ...overrides };
  const out = (text = '') => deps.stdout(`${text}\n`);
  let exitCode: number = EXIT_CODES.OK;
  const cleanups: (() => void)[] = [];

  const withCommon = (cmd: Command): Command =>
    cmd
      .option('--outputs <file>', 'the file `cdk deploy --outputs-file` wrote', 'cdk-outputs.json')
      .option('--profile <name>', 'AWS profile (default: the SDK default credential chain)')
      .option(
        '--region <region>',
        'region of the Route 53 calls and the routing stack alarms',
        HOME_REGION,
      )
      .option('--state-dir <dir>', 'where journals, records and the lock live', '.drill')
      .option('--global-cluster <id>', 'global cluster id (default: from the DrillDatabase output)')
      .option('--hosted-zone-id <id>', 'hosted zone id (default: from the DrillRouting output)')
      .option(
        '--alarm-prefix <prefix>',
        "alarm name prefix for the alarm check ('' = every alarm; default: the stacks' common prefix)",
      )
      .option(
        '--max-attempts <n>',
        'SDK attempts per AWS call (throttling, 5xx, timeouts are retried)',
        String(DEFAULT_CLIENT_SETTINGS.maxAttempts),
      );

  const withAct = (cmd: Command): Command =>
    withCommon(cmd)
      .option('--execute', 'act (default: dry run: print the plan and every call, change nothing)')
      .option(
        '--yes',
        'do not ask for confirmation (required with --execute when stdin is not a terminal)',
      )
      .option('--force', 'start even when preflight checks fail (needs --reason)')
      .option('--reason <text>', 'why --force was used; recorded in the journal and the report')
      .option(
        '--poll-interval <duration>',
        'time between polls while waiting',
        `${DEFAULT_TIMING.pollIntervalMs / 1000}s`,
      )
      .option(
        '--step-timeout <duration>',
        'longest wait of any one step',
        `${DEFAULT_TIMING.stepTimeoutMs / 60_000}m`,
      )
      .addOption(
        new Option(
          '--timeout <step=duration>',
          'timeout of one step, e.g. wait-writer=30m (repeatable)',
        )
          .argParser(collect)
          .default([], 'none'),
      )
      .option(
        '--canary-interval <duration>',
        'time between canary writes',
        `${DEFAULT_TIMING.canaryIntervalMs / 1000}s`,
      );

  const context = (opts: CommonOptions, mode: RunMode) => {
    const topology = loadTopology(opts.outputs, {
      globalClusterIdentifier: opts.globalCluster,
      hostedZoneId: opts.hostedZoneId,
      alarmNamePrefix: opts.alarmPrefix,
    });
    const maxAttempts = Number(opts.maxAttempts);
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new DrillError(
        'USAGE',
        `--max-attempts must be a whole number of at least 1, got: ${opts.maxAttempts}`,
      );
    }
    const clients = new AwsClients({
      ...DEFAULT_CLIENT_SETTINGS,
      maxAttempts,
      ...(opts.profile ? { profile: opts.profile } : {}),
      ...deps.clientSettings,
    });
    cleanups.push(() => clients.destroy());
    const aws = sdkAdapters(
      clients,
      new AwsCaller(mode, deps.meter ?? new CallMeter()),
      opts.region,
    );
    return { topology, aws, store: new DrillStore(opts.stateDir) };
  };

  const program = new Command('drill')
    .description(
      'Failover drills for the Aurora global database: status, preflight, switchover, failover, failback.',
    )
    .exitOverride()
    .configureOutput({ writeOut: deps.stdout, writeErr: deps.stderr })
    .addHelpText('after', EXIT_CODE_HELP)
    .showHelpAfterError('(run with --help for usage)');

  withCommon(
    program
      .command('status')
      .description(
        'where the writer is, member states, lag, health checks, DNS answers, drain switches',
      )
      .option('--json', 'print the snapshot as JSON'),
  ).action(async (opts: CommonOptions & { json?: boolean }) => {
    const { topology, aws } = context(opts, 'dry-run');
    const snapshot = await observe(aws, topology, { clock: deps.clock, homeRegion: opts.region });
    out(opts.json ? JSON.stringify(snapshot, null, 2) : statusText(snapshot, topology));
  });

  withCommon(
    program
      .command('preflight')
      .description('every check that must pass before a drill, each with pass/fail and reason')
      .option(
        '--to <region>',
        'target region (default: the primary region when the writer is elsewhere, else the only secondary)',
      )
      .addOption(new Option('--for <kind>', 'judge for this kind of drill').choices(DRILL_KINDS)),
  ).action(async (opts: CommonOptions & { to?: string; for?: DrillKind }) => {
    const { topology, aws } = context(opts, 'dry-run');
    const snapshot = await observe(aws, topology, {
      clock: deps.clock,
      homeRegion: opts.region,
      preferredRegions: opts.to ? [opts.to] : [],
    });
    const target = opts.to ? regionOf(topology, opts.to).region : defaultTarget(snapshot, topology);
    const kind: DrillKind =
      opts.for ??
      (target === topology.primaryRegion && snapshot.writerRegion !== target
        ? 'failback'
        : 'switchover');
    const results = evaluatePreflight(snapshot, topology, { kind, targetRegion: target });
    out(
      `preflight for a ${kind} of ${topology.globalClusterIdentifier}: ${snapshot.writerRegion ?? '?'} -> ${target}`,
    );
    out(preflightText(results));
    if (results.some((r) => !r.ok)) exitCode = EXIT_CODES.PREFLIGHT_FAILED;
  });

  const drillCommand = (kind: DrillKind, description: string) => {
    const cmd = program.command(kind).description(description);
    if (kind !== 'failback') cmd.requiredOption('--to <region>', 'region to move the writer to');
    if (kind === 'failover')
      cmd.option('--allow-data-loss', 'required: writes not yet replicated are lost');
    withAct(cmd).action(async (opts: ActOptions & { to?: string; allowDataLoss?: boolean }) => {
      exitCode = await runDrill(kind, opts);
    });
  };
  drillCommand(
    'switchover',
    'planned move of the writer to --to, no data loss (SwitchoverGlobalCluster)',
  );
  drillCommand(
    'failover',
    'unplanned move of the writer to --to (FailoverGlobalCluster, AllowDataLoss)',
  );
  drillCommand(
    'failback',
    "move the writer back to the region whose role is 'primary' in the outputs",
  );

  withAct(
    program
      .command('resume')
      .description(
        'continue an interrupted drill from its journal (state is re-checked before every step)',
      )
      .option(
        '--drill-id <id>',
        'drill to resume (default: the lock holder, else the latest unfinished drill)',
      ),
  ).action(async (opts: ActOptions & { drillId?: string }) => {
    exitCode = await runResume(opts);
  });

  /** The live holder of the drill's lock: the journal alone cannot tell running from dead. */
  function runningIn(store: DrillStore, drillId: string): RecordOptions['runningIn'] {
    const lock = store.readLock();
    if (lock?.drillId !== drillId) return undefined;
    // Another host's pid cannot be checked from here: its lock stands, as for acquireLock.
    const alive = lock.host !== os.hostname() || (lock.pid > 0 && deps.isProcessAlive(lock.pid));
    return alive ? { pid: lock.pid, host: lock.host } : undefined;
  }

  program
    .command('report')
    .description("render a drill's record as JSON, Markdown or a self-contained HTML page")
    .option('--drill-id <id>', 'drill to report (default: the latest)')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['json', 'md', 'html'])
        .default('md'),
    )
    .option(
      '--out <dir>',
      "directory to write report.<format> into (default: the drill's directory)",
    )
    .option('--state-dir <dir>', 'where journals, records and the lock live', '.drill')
    .action((opts: { drillId?: string; format: ReportFormat; out?: string; stateDir: string }) => {
      const store = new DrillStore(opts.stateDir);
      const drillId = opts.drillId ?? store.drillIds().at(-1);
      if (!drillId) {
        throw new DrillError('NO_DRILL', `no drills in ${opts.stateDir}`, {
          hint: 'Run a drill with --execute first',
        });
      }
      const record = readRecord(store, drillId, runningIn(store, drillId));
      const dir = opts.out ?? store.drillDir(drillId);
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, opts.format === 'json' ? 'record.json' : `report.${opts.format}`);
      fs.writeFileSync(file, renderReport(record, opts.format));
      out(`${opts.format} report of ${drillId} (${record.outcome}): ${file}`);
    });

  async function runDrill(
    kind: DrillKind,
    opts: ActOptions & { to?: string; allowDataLoss?: boolean },
  ): Promise<number> {
    if (kind === 'failover' && !opts.allowDataLoss) {
      throw new DrillError(
        'USAGE',
        'failover promotes at once and loses writes not yet replicated; pass --allow-data-loss to confirm',
        {
          hint: `For a planned move without data loss use \`${startCommand('switchover', opts.to ?? '<region>')}\``,
        },
      );
    }
    const forceReason = forceReasonOf(opts);
    const timing = timingOf(opts);
    const { topology, aws, store } = context(opts, opts.execute ? 'execute' : 'dry-run');
    const targetRegion =
      kind === 'failback' ? topology.primaryRegion : regionOf(topology, opts.to!).region;
    const global = await describeGlobalCluster(aws, topology, [targetRegion]);
    const fromRegion = writerRegionOf(global, topology);
    if (!fromRegion) {
      throw new DrillError(
        'UNEXPECTED_STATE',
        `global cluster ${topology.globalClusterIdentifier} has no writer`,
        {
          hint:
            `Run \`${statusCommand(opts)}\`; an unplanned failover may be needed: ` +
            `\`${startCommand('failover', targetRegion)}\``,
        },
      );
    }
    if (fromRegion === targetRegion) {
      const lock = store.readLock();
      out(
        `nothing to do: ${targetRegion} already holds the writer of ${topology.globalClusterIdentifier}` +
          (lock
            ? `; drill ${lock.drillId} holds the lock: \`${resumeCommand(lock.drillId, opts)}\` finishes it`
            : ''),
      );
      return EXIT_CODES.OK;
    }
    const plan = planView(topology, kind, fromRegion, targetRegion, opts.region);
    const steps = stepsFor(kind);

    if (!opts.execute) {
      const snapshot = await observe(aws, topology, {
        clock: deps.clock,
        homeRegion: opts.region,
        preferredRegions: [targetRegion],
      });
      const results = evaluatePreflight(snapshot, topology, { kind, targetRegion });
      out(
        `DRY RUN: ${kind} of ${topology.globalClusterIdentifier} from ${fromRegion} to ${targetRegion}; nothing will be changed.`,
      );
      out(`\npreflight (read-only calls):`);
      out(preflightText(results));
      out(`\nplan: ${steps.length} steps, and every AWS call they would make:`);
      out(planText(plan, steps));
      out(
        `\ntimings: poll every ${opts.pollInterval}, step timeout ${opts.stepTimeout}, canary every ${opts.canaryInterval}`,
      );
      out(
        `to act, rerun with --execute${results.some((r) => !r.ok) && !forceReason ? ' (after fixing the failed checks)' : ''}`,
      );
      return results.some((r) => !r.ok) && !forceReason
        ? EXIT_CODES.PREFLIGHT_FAILED
        : EXIT_CODES.OK;
    }

    await confirm(
      opts,
      `${kind} of ${topology.globalClusterIdentifier}: writer ${fromRegion} -> ${targetRegion}`,
      targetRegion,
    );
    const params: DrillParams = {
      drillId: store.newDrillId(kind, targetRegion, deps.clock.now()),
      kind,
      fromRegion,
      targetRegion,
      allowDataLoss: kind === 'failover',
      ...(forceReason ? { forceReason } : {}),
    };
    out(
      `drill ${params.drillId}: ${kind} ${fromRegion} -> ${targetRegion} (journal: ${store.drillDir(params.drillId)})`,
    );
    await startDrill(
      { topology, params, timing, homeRegion: opts.region },
      executorDeps(aws, store),
    );
    return EXIT_CODES.OK;
  }

  async function runResume(opts: ActOptions & { drillId?: string }): Promise<number> {
    const store = new DrillStore(opts.stateDir);
    const drillId = opts.drillId ?? store.readLock()?.drillId ?? latestUnfinished(store);
    if (!drillId) {
      throw new DrillError('NO_DRILL', `no unfinished drill in ${opts.stateDir}`, {
        hint: `Start one with ${DRILL_KINDS.map((k) => `\`${startCommand(k, '<region>')}\``).join(', ')}`,
      });
    }
    if (opts.force || opts.reason !== undefined) {
      throw new DrillError(
        'USAGE',
        '--force and --reason apply when a drill starts, not to resume',
        {
          hint: `Start a new drill with --force --reason "<why>" (drill ${drillId} is kept as it is)`,
        },
      );
    }
    const header = store.header(drillId);
    const timing = timingOf(opts);
    const { topology, aws } = context(opts, opts.execute ? 'execute' : 'dry-run');
    const { params } = header;
    const journal = store.journal(drillId);
    const plan = planOfJournal(topology, header);
    const remaining = stepsFor(params.kind).filter((s) => {
      const outcome = stepOutcome(journal, s.id);
      return !outcome || outcome.event === 'failed';
    });
    if (!opts.execute) {
      out(
        `DRY RUN: resume of ${drillId} (${params.kind} ${params.fromRegion} -> ${params.targetRegion}); nothing will be changed.`,
      );
      out(`remaining steps (each re-checks the state before acting):`);
      out(planText(plan, remaining));
      out('to act, rerun with --execute');
      return EXIT_CODES.OK;
    }
    await confirm(
      opts,
      `resume ${drillId}: ${params.kind} ${params.fromRegion} -> ${params.targetRegion}`,
      params.targetRegion,
    );
    await resumeDrill(drillId, topology, timing, executorDeps(aws, store));
    return EXIT_CODES.OK;
  }

  function executorDeps(aws: DrillAws, store: DrillStore) {
    return {
      aws,
      store,
      clock: deps.clock,
      out: { line: (text: string) => out(text) },
      pid: deps.pid,
      isProcessAlive: deps.isProcessAlive,
    };
  }

  async function confirm(opts: ActOptions, what: string, targetRegion: string): Promise<void> {
    if (opts.yes) return;
    if (!deps.isTTY) {
      throw new DrillError(
        'NOT_CONFIRMED',
        `refusing to --execute a ${what} without confirmation: stdin is not a terminal`,
        {
          hint: 'Add --yes to confirm non-interactively',
        },
      );
    }
    const answer = await deps.ask(
      `About to execute a ${what}.\nType the target region (${targetRegion}) to continue: `,
    );
    if (answer.trim() !== targetRegion) {
      throw new DrillError(
        'NOT_CONFIRMED',
        `not confirmed (got '${answer.trim()}'); nothing was changed`,
      );
    }
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every parse error is a usage error.
      return err.exitCode === 0 ? EXIT_CODES.OK : EXIT_CODES.USAGE;
    }
    if (err instanceof DrillError) {
      deps.stderr(`error [${err.code}]: ${err.message}\n`);
      if (err.hint) deps.stderr(`${err.hint.replace(/^/gm, '  next: ')}\n`);
      return err.exitCode;
    }
    deps.stderr(`error [INTERNAL]: ${errorText(err)}\n`);
    if (process.env.DRILL_DEBUG && err instanceof Error) deps.stderr(`${err.stack}\n`);
    return EXIT_CODES.INTERNAL;
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function forceReasonOf(opts: ActOptions): string | undefined {
  if (opts.reason !== undefined && !opts.force) {
    throw new DrillError('USAGE', '--reason is only used with --force');
  }
  if (!opts.force) return undefined;
  if (!opts.reason?.trim()) {
    throw new DrillError(
      'USAGE',
      '--force needs --reason "<why>": the reason is recorded in the journal and the report',
    );
  }
  return opts.reason.trim();
}

function timingOf(opts: ActOptions): Timing {
  const stepTimeoutsMs: Record<string, number> = {};
  const known = new Set<string>(STEPS.map((s) => s.id));
  for (const entry of opts.timeout) {
    const [step, duration] = entry.split('=');
    if (!known.has(step) || duration === undefined) {
      throw new DrillError(
        'USAGE',
        `--timeout must be <step>=<duration> with a step of ${[...known].join(', ')}, got: '${entry}'`,
      );
    }
    stepTimeoutsMs[step] = parsePositiveDuration(
      duration,
      `--timeout ${step}`,
      `${step}=${DEFAULT_TIMING.stepTimeoutMs / 60_000}m`,
    );
  }
  const byDefault = (text: string) => `${text} (the default)`;
  return {
    pollIntervalMs: parsePositiveDuration(
      opts.pollInterval,
      '--poll-interval',
      byDefault(`${DEFAULT_TIMING.pollIntervalMs / 1000}s`),
    ),
    stepTimeoutMs: parsePositiveDuration(
      opts.stepTimeout,
      '--step-timeout',
      byDefault(`${DEFAULT_TIMING.stepTimeoutMs / 60_000}m`),
    ),
    stepTimeoutsMs,
    canaryIntervalMs: parsePositiveDuration(
      opts.canaryInterval,
      '--canary-interval',
      byDefault(`${DEFAULT_TIMING.canaryIntervalMs / 1000}s`),
    ),
  };
}

/** Failback target when the writer is away from the primary region, else the only other region. */
function defaultTarget(snapshot: Snapshot, topology: DrillTopology): string {
  if (snapshot.writerRegion && snapshot.writerRegion !== topology.primaryRegion)
    return topology.primaryRegion;
  const others = topology.regions.filter((r) => r.region !== snapshot.writerRegion);
  if (others.length === 1) return others[0].region;
  throw new DrillError(
    'USAGE',
    `more than one possible target (${others.map((r) => r.region).join(', ')}); pass --to <region>`,
  );
}

function latestUnfinished(store: DrillStore): string | undefined {
  return store
    .drillIds()
    .reverse()
    .find((id) => store.journal(id).at(-1)?.type !== 'finished');
}

/** The record as the journal has it now (also for drills that stopped or are still running). */
function readRecord(
  store: DrillStore,
  drillId: string,
  running?: RecordOptions['runningIn'],
): DrillRecord {
  return buildRecord(store.journal(drillId), store.canary(drillId), { runningIn: running });
}
