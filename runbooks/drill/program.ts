import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Command, CommanderError, Option } from 'commander';
import {
  AwsCaller,
  CallMeter,
  sdkAdapters,
  type DrillAws,
  type GlobalClusterView,
  type OperatorIdentity,
  type RunMode,
} from './aws/adapters';
import {
  AwsClients,
  checkProfile,
  checkRegion,
  DEFAULT_CLIENT_SETTINGS,
  type ClientSettings,
} from './aws/clients';
import { systemClock, type Clock } from './clock';
import { reportCommand, resumeCommand, startCommand, statusCommand } from './commands';
import { loadTopology, regionOf, type DrillTopology } from './discovery';
import { parsePositiveDuration } from './duration';
import { DrillError, EXIT_CODES, EXIT_CODE_MEANINGS, errorText, isDrillError } from './errors';
import { resumeDrill, startDrill, stepOutcome, type ExecutorDeps } from './executor';
import { formatDuration } from './duration';
import { checkRecordTargets, recordTargetText } from './record-targets';
import { planText, preflightText, statusText } from './format';
import {
  changedText,
  closedDrillError,
  drillState,
  isOpen,
  openDrills,
  resumeCandidate,
  stopText,
  type DrillState,
} from './journal';
import {
  holderState,
  lockedError,
  lockStatusText,
  processIsAlive,
  readLocks,
  releaseLockOf,
  type RegionLock,
} from './lock';
import {
  DEFAULT_TIMING,
  DRILL_KINDS,
  type DrillKind,
  type DrillParams,
  type Timing,
} from './model';
import { describeGlobalCluster, isFatal, observe, writerRegionOf, type Snapshot } from './observe';
import { evaluatePreflight, evaluateResumeGate, type CheckResult } from './preflight';
import { buildRecord, type DrillRecord, type RecordOptions } from './record';
import { renderReport, type ReportFormat } from './report';
import { planOfJournal, planView, STEPS, stepsFor } from './steps';
import { DrillStore } from './store';

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
  /** This machine's name, in the lock and the journal. */
  readonly host: string;
  readonly isProcessAlive: (pid: number) => boolean;
  /** Calls `handler` on Ctrl-C (SIGINT) while a drill executes; returns what stops listening. */
  readonly onInterrupt: (handler: () => void) => () => void;
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
  host: os.hostname(),
  isProcessAlive: processIsAlive,
  onInterrupt: (handler) => {
    process.once('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
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
      `  ${String(n).padStart(3)}  ${code.padEnd(22)} ${EXIT_CODE_MEANINGS[code as keyof typeof EXIT_CODES]}`,
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
    checkRegion(
      '--region',
      opts.region,
      `--region is where the drill calls Route 53 and reads the routing stack's alarms: leave it out for ${HOME_REGION} (the default)`,
    );
    if (opts.profile) checkProfile(opts.profile);
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
    const settings: ClientSettings = {
      ...DEFAULT_CLIENT_SETTINGS,
      maxAttempts,
      ...(opts.profile ? { profile: opts.profile } : {}),
      mfaCodeProvider: (serial) => askMfaCode(serial, opts.profile),
      ...deps.clientSettings,
    };
    const clients = new AwsClients(settings);
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
    const { topology, aws, store } = context(opts, 'dry-run');
    const [snapshot, locks] = await Promise.all([
      observe(aws, topology, { clock: deps.clock, homeRegion: opts.region }),
      readLocks(aws, topology),
    ]);
    const open = openDrills(store);
    const recordTargets = await checkRecordTargets(aws, topology, snapshot.records);
    if (opts.json) {
      out(
        JSON.stringify(
          {
            ...snapshot,
            recordTargetMismatches: recordTargets,
            drillLock: locks,
            unfinishedDrills: open.map((d) => ({
              drillId: d.drillId,
              kind: d.header.params.kind,
              fromRegion: d.header.params.fromRegion,
              targetRegion: d.header.params.targetRegion,
              changed: d.changed,
              stopped: stopText(d),
            })),
          },
          null,
          2,
        ),
      );
      return;
    }
    out(statusText(snapshot, topology));
    out('');
    out(lockStatusText(locks, deps.clock.now(), deps.host, deps.isProcessAlive));
    out('');
    out(unfinishedText(open, opts.stateDir));
    out('');
    out(recordTargetText(recordTargets));
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
        'drill to resume (default: the unfinished drill that changed something, the lock holder first)',
      ),
  ).action(async (opts: ActOptions & { drillId?: string }, self: Command) => {
    exitCode = await runResume(opts, self);
  });

  withCommon(
    program
      .command('abandon')
      .description(
        'give up an unfinished drill: journal the state it leaves (writer, drain switches), then release its lock',
      )
      .argument('<drill-id>', 'the drill to give up')
      .option('--reason <text>', 'why it is given up (required; recorded in the journal)')
      .option('--execute', 'act (default: dry run: show what would be recorded and released)')
      .option(
        '--yes',
        'do not ask for confirmation (required with --execute when stdin is not a terminal)',
      ),
  ).action(async (drillId: string, opts: AbandonOptions) => {
    exitCode = await runAbandon(drillId, opts);
  });

  /**
   * The process that runs the drill now, if any: the journal's last run that has not ended,
   * if its pid lives (report reads only the state directory, not the lock in AWS).
   */
  function runningIn(store: DrillStore, drillId: string): RecordOptions['runningIn'] {
    const run = drillState(store.journal(drillId)).lastRun;
    if (run.ended) return undefined;
    // Another host's pid cannot be checked from here: the run stands.
    const alive = run.host !== deps.host || (run.pid > 0 && deps.isProcessAlive(run.pid));
    return alive ? { pid: run.pid, host: run.host } : undefined;
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
    let global: GlobalClusterView;
    let offline: DrillError | undefined;
    try {
      global = await describeGlobalCluster(aws, topology, [targetRegion]);
    } catch (err) {
      // A dry run needs no credentials: the outputs file names everything the plan calls.
      if (opts.execute || !isDrillError(err, 'NO_CREDENTIALS')) throw err;
      offline = err;
      global = assumedGlobalCluster(topology, assumedWriter(topology, targetRegion, err));
    }
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
      const holder = heldLocks(await readLocks(aws, topology))[0]?.holder;
      out(
        `nothing to do: ${targetRegion} already holds the writer of ${topology.globalClusterIdentifier}` +
          (holder
            ? `; drill ${holder.drillId} holds the lock: \`${resumeCommand(holder.drillId, opts)}\` finishes it`
            : ''),
      );
      return EXIT_CODES.OK;
    }
    const plan = planView(topology, kind, fromRegion, targetRegion, opts.region);
    const steps = stepsFor(kind);

    if (!opts.execute && offline) {
      out(
        `DRY RUN (offline): ${kind} of ${topology.globalClusterIdentifier} from ${fromRegion} to ${targetRegion}; nothing will be changed.`,
      );
      out(
        `writer region: not read: no credentials; assumed ${fromRegion}, the ${fromRegion === topology.primaryRegion ? 'primary' : 'only secondary'} region in ${topology.source}`,
      );
      // Every check reads live state; list them with the identifiers they would read.
      const checks = evaluatePreflight(
        await observe(offlineAws(global), topology, {
          clock: deps.clock,
          homeRegion: opts.region,
          preferredRegions: [targetRegion],
        }),
        topology,
        { kind, targetRegion },
      );
      out(`\npreflight: ${checks.length} live checks not run (not read: no credentials):`);
      for (const c of checks) out(`  - ${c.id}: ${c.title}`);
      out(`\nplan: ${steps.length} steps, and every AWS call they would make:`);
      out(planText(plan, steps));
      out(
        `\ntimings: poll every ${opts.pollInterval}, step timeout ${opts.stepTimeout}, canary every ${opts.canaryInterval}`,
      );
      out(`not read: ${offline.message}`);
      out(
        `next: ${offline.hint ?? 'Set credentials'} (the dry run then reads the writer and runs the ${checks.length} checks; --execute acts)`,
      );
      return EXIT_CODES.NO_CREDENTIALS;
    }
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
    const operator = await operatorOf(aws);
    const params: DrillParams = {
      drillId: store.newDrillId(kind, targetRegion, deps.clock.now()),
      kind,
      fromRegion,
      targetRegion,
      allowDataLoss: kind === 'failover',
      ...(forceReason ? { forceReason } : {}),
    };
    // startDrill names the drill and its journal only once it holds the lock.
    await startDrill(
      { topology, params, timing, homeRegion: opts.region },
      executorDeps(aws, store, operator),
    );
    return EXIT_CODES.OK;
  }

  async function runResume(opts: ActOptions & { drillId?: string }, cmd: Command): Promise<number> {
    const forceReason = forceReasonOf(opts);
    const { topology, aws, store } = context(opts, opts.execute ? 'execute' : 'dry-run');
    const locks = await readLocks(aws, topology);
    let state: DrillState | undefined;
    if (opts.drillId) {
      state = drillState(store.journal(opts.drillId));
    } else {
      state = resumeCandidate(
        store,
        heldLocks(locks).map((l) => l.holder.drillId),
      );
      if (!state) {
        throw new DrillError('NO_DRILL', `no unfinished drill in ${opts.stateDir}`, {
          hint: `Start one with ${DRILL_KINDS.map((k) => `\`${startCommand(k, '<region>')}\``).join(', ')}`,
        });
      }
    }
    const { drillId } = state;
    if (!isOpen(state)) {
      throw closedDrillError(
        drillId,
        state,
        'resume',
        `Read it with \`${reportCommand(drillId, opts)}\``,
      );
    }
    const { header } = state;
    const { params } = header;
    const timing = resumeTiming(opts, cmd, state.timing);
    const journal = store.journal(drillId);
    const plan = planOfJournal(topology, header);
    const remaining = stepsFor(params.kind).filter((s) => {
      const outcome = stepOutcome(journal, s.id);
      return !outcome || outcome.event === 'failed';
    });
    // Resume re-gates: the state may have moved since the drill stopped (lag, alarms, members).
    const snapshot = await observe(aws, topology, {
      clock: deps.clock,
      homeRegion: header.homeRegion,
      preferredRegions: [params.targetRegion],
    });
    const gate = evaluateResumeGate(
      snapshot,
      topology,
      { kind: params.kind, targetRegion: params.targetRegion, fromRegion: params.fromRegion },
      remaining.map((s) => s.id),
    );
    const gateFailed = gate.filter((c) => !c.ok);
    if (!opts.execute) {
      out(
        `DRY RUN: resume of ${drillId} (${params.kind} ${params.fromRegion} -> ${params.targetRegion}); nothing will be changed.`,
      );
      out(`where it is: ${stopText(state)}; ${changedText(state)}`);
      if (state.stop?.error.hint) out(state.stop.error.hint.replace(/^/gm, '  '));
      out('');
      out(lockStatusText(locks, deps.clock.now(), deps.host, deps.isProcessAlive));
      out(`\nresume gate (read-only calls):`);
      out(gateText(gate));
      out(`\nremaining steps (each re-checks the state before acting):`);
      out(planText(plan, remaining));
      out(`\ntimings: ${timingText(timing)}`);
      out(
        `to act, rerun with: ${resumeCommand(drillId, opts)}` +
          (gateFailed.length && !forceReason
            ? ' (after fixing the failed checks, or with --force --reason "<why>")'
            : forceReason
              ? ` --force --reason ${shellQuote(forceReason)}`
              : ''),
      );
      return gateFailed.length && !forceReason ? EXIT_CODES.PREFLIGHT_FAILED : EXIT_CODES.OK;
    }
    if (gateFailed.length && !forceReason) {
      throw new DrillError(
        'PREFLIGHT_FAILED',
        `resume of ${drillId} refused: ${gateFailed.length} of ${gate.length} resume checks failed:\n` +
          gateFailed.map((c) => `  - ${c.id}: ${c.title}: ${c.reason}`).join('\n'),
        {
          hint:
            'Nothing was changed. Fix what the failed checks name and rerun; to resume anyway, add ' +
            '`--force --reason "<why>"` (the reason is recorded in the journal)',
        },
      );
    }
    await confirm(
      opts,
      `resume ${drillId}: ${params.kind} ${params.fromRegion} -> ${params.targetRegion}`,
      params.targetRegion,
    );
    const operator = await operatorOf(aws);
    await resumeDrill(
      drillId,
      topology,
      { timing, ...(forceReason ? { forceReason } : {}), gate },
      executorDeps(aws, store, operator),
    );
    return EXIT_CODES.OK;
  }

  async function runAbandon(drillId: string, opts: AbandonOptions): Promise<number> {
    const reason = opts.reason?.trim();
    if (!reason) {
      throw new DrillError(
        'USAGE',
        `abandon needs --reason "<why>": it is recorded in the journal of drill ${drillId}`,
      );
    }
    const { topology, aws, store } = context(opts, opts.execute ? 'execute' : 'dry-run');
    const state = store.drillIds().includes(drillId)
      ? drillState(store.journal(drillId))
      : undefined;
    const locks = await readLocks(aws, topology);
    const held = heldLocks(locks).filter((l) => l.holder.drillId === drillId);
    if (!state && held.length === 0) {
      throw new DrillError(
        'NO_DRILL',
        `no journal of drill ${drillId} in ${opts.stateDir}, and it holds no drill lock`,
        { hint: '`npx drill status` lists the lock and the unfinished drills' },
      );
    }
    if (state && !isOpen(state) && held.length === 0) {
      throw closedDrillError(drillId, state, 'abandon');
    }
    const now = deps.clock.now();
    const running = held.find(
      (l) => holderState(l.holder, now, deps.host, deps.isProcessAlive).running,
    );
    if (running) {
      throw lockedError(
        running.holder,
        held.map((l) => l.region),
        running.parameterName,
        now,
        deps.host,
        deps.isProcessAlive,
      );
    }
    const left = await leftState(aws, topology);
    const heldIn = held.map((l) => l.region);
    const stateLine = `writer ${left.writerRegion ?? 'unknown'}; drain switches: ${Object.entries(
      left.drains,
    )
      .map(([region, value]) => `${region} ${value}`)
      .join(', ')}`;
    const journalFile = path.join(store.drillDir(drillId), 'journal.jsonl');
    const records = state && isOpen(state);
    if (!opts.execute) {
      out(`DRY RUN: abandon of drill ${drillId}; nothing will be changed.`);
      if (state) out(`where it is: ${stopText(state)}; ${changedText(state)}`);
      out(`state it leaves: ${stateLine}`);
      out(
        records
          ? `would journal an 'abandoned' entry with that state and the reason in ${journalFile}`
          : `no open journal of ${drillId} in ${opts.stateDir}: nothing would be journaled here`,
      );
      out(`would release the drill lock in: ${heldIn.join(', ') || 'no region (it holds none)'}`);
      out('to act, rerun with --execute');
      return EXIT_CODES.OK;
    }
    await confirm(opts, `lock release of drill ${drillId} (abandon)`, drillId, 'the drill id');
    const operator = await operatorOf(aws);
    if (records) {
      store.append(drillId, {
        type: 'abandoned',
        at: deps.clock.now(),
        reason,
        pid: deps.pid,
        host: deps.host,
        ...(operator ? { operator } : {}),
        state: { writerRegion: left.writerRegion, drains: left.drains },
        lockHeldIn: heldIn,
      });
    }
    const release = await releaseLockOf(aws, topology, drillId);
    out(
      records
        ? `drill ${drillId} abandoned (${reason}); it leaves: ${stateLine}; journaled in ${journalFile}`
        : `drill ${drillId}: no open journal in ${opts.stateDir}, nothing journaled; it leaves: ${stateLine}`,
    );
    out(
      `lock: released in ${release.released.join(', ') || 'no region'}` +
        (release.left.length
          ? `; not released in ${release.left.map((l) => `${l.region} (${l.error})`).join(', ')}: rerun when it answers`
          : ''),
    );
    for (const region of topology.regions) {
      if (left.drains[region.region] === "'true'") {
        out(
          `${region.region} stays drained: set ${region.drainParameterName} to 'false' in ${region.region} when it should serve again`,
        );
      }
    }
    return release.left.length ? EXIT_CODES.AWS_ERROR : EXIT_CODES.OK;
  }

  /** The writer and every drain switch, as an abandoned drill leaves them. */
  async function leftState(
    aws: DrillAws,
    topology: DrillTopology,
  ): Promise<{ writerRegion: string | null; drains: Record<string, string> }> {
    let writerRegion: string | null = null;
    try {
      writerRegion = writerRegionOf(await describeGlobalCluster(aws, topology), topology) ?? null;
    } catch (err) {
      if (isFatal(err)) throw err;
    }
    const drains = Object.fromEntries(
      await Promise.all(
        topology.regions.map(async (r): Promise<[string, string]> => {
          try {
            const value = await aws.switches.get(r.region, r.drainParameterName);
            return [r.region, value === undefined ? 'not set' : `'${value}'`];
          } catch (err) {
            if (isFatal(err)) throw err;
            return [r.region, `unreadable (${errorText(err)})`];
          }
        }),
      ),
    );
    return { writerRegion, drains };
  }

  /** The STS caller, or nothing (said once) when it cannot be read; credentials errors stop. */
  async function operatorOf(aws: DrillAws): Promise<OperatorIdentity | undefined> {
    try {
      return await aws.identity.caller();
    } catch (err) {
      if (isFatal(err)) throw err;
      out(`operator: not recorded (${errorText(err)})`);
      return undefined;
    }
  }

  function executorDeps(
    aws: DrillAws,
    store: DrillStore,
    operator: OperatorIdentity | undefined,
  ): ExecutorDeps {
    return {
      aws,
      store,
      clock: deps.clock,
      out: { line: (text: string) => out(text) },
      pid: deps.pid,
      host: deps.host,
      isProcessAlive: deps.isProcessAlive,
      ...(operator ? { operator } : {}),
      onInterrupt: deps.onInterrupt,
    };
  }

  async function askMfaCode(serial: string, profile: string | undefined): Promise<string> {
    const name = profile ?? process.env.AWS_PROFILE ?? 'default';
    if (!deps.isTTY) {
      throw new DrillError(
        'NO_CREDENTIALS',
        `profile ${name} assumes its role with MFA (mfa_serial ${serial}), and stdin is not a terminal to ask for the code`,
        {
          hint: `Run it in a terminal, or export session credentials first: eval "$(aws configure export-credentials --profile ${name} --format env)"`,
        },
      );
    }
    return (await deps.ask(`MFA code for ${serial} (profile ${name}): `)).trim();
  }

  async function confirm(
    opts: { yes?: boolean },
    what: string,
    expected: string,
    label = 'the target region',
  ): Promise<void> {
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
      `About to execute a ${what}.\nType ${label} (${expected}) to continue: `,
    );
    if (answer.trim() !== expected) {
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

/**
 * The writer an offline dry run plans for: the primary region of the outputs, or, for a move
 * to the primary, the only secondary (with more than one, the plan would be a guess).
 */
function assumedWriter(topology: DrillTopology, targetRegion: string, cause: DrillError): string {
  if (targetRegion !== topology.primaryRegion) return topology.primaryRegion;
  const others = topology.regions.filter((r) => r.region !== targetRegion);
  if (others.length === 1) return others[0].region;
  throw cause;
}

/** The global cluster as the outputs file describes it, with the writer in `writerRegion`. */
function assumedGlobalCluster(topology: DrillTopology, writerRegion: string): GlobalClusterView {
  return {
    identifier: topology.globalClusterIdentifier,
    status: 'not read',
    members: topology.regions.map((r) => ({
      arn: r.clusterArn,
      isWriter: r.region === writerRegion,
    })),
  };
}

/**
 * AWS for an offline dry run: the assumed global cluster, and every other read fails as
 * "not read" (a non-fatal error, so the snapshot records it and the checks can be listed).
 */
function offlineAws(global: GlobalClusterView): DrillAws {
  const notRead = () => Promise.reject(new DrillError('AWS_ERROR', 'not read: no credentials'));
  const api = new Proxy({}, { get: () => notRead });
  const database = new Proxy(
    {},
    { get: (_t, key) => (key === 'describeGlobalCluster' ? async () => global : notRead) },
  );
  return new Proxy({} as DrillAws, {
    get: (_t, key) => (key === 'database' ? database : key === 'meter' ? new CallMeter() : api),
  });
}

interface AbandonOptions extends CommonOptions {
  reason?: string;
  execute?: boolean;
  yes?: boolean;
}

function heldLocks(locks: readonly RegionLock[]) {
  return locks.flatMap((l) => (l.state === 'held' ? [l] : []));
}

/**
 * The journal's timing (the start's, or the last resume's), with what the command line gives
 * over it: an option counts only when it was typed, not when commander filled in its default.
 */
function resumeTiming(opts: ActOptions, cmd: Command, journaled: Timing): Timing {
  const given = (key: string) => cmd.getOptionValueSource(key) === 'cli';
  const typed = timingOf(opts);
  return {
    pollIntervalMs: given('pollInterval') ? typed.pollIntervalMs : journaled.pollIntervalMs,
    stepTimeoutMs: given('stepTimeout') ? typed.stepTimeoutMs : journaled.stepTimeoutMs,
    stepTimeoutsMs: given('timeout')
      ? { ...journaled.stepTimeoutsMs, ...typed.stepTimeoutsMs }
      : journaled.stepTimeoutsMs,
    canaryIntervalMs: given('canaryInterval') ? typed.canaryIntervalMs : journaled.canaryIntervalMs,
  };
}

function timingText(timing: Timing): string {
  const steps = Object.entries(timing.stepTimeoutsMs)
    .map(([step, ms]) => `${step}=${formatDuration(ms)}`)
    .join(', ');
  return (
    `poll every ${formatDuration(timing.pollIntervalMs)}, step timeout ${formatDuration(timing.stepTimeoutMs)}` +
    `${steps ? ` (${steps})` : ''}, canary every ${formatDuration(timing.canaryIntervalMs)}`
  );
}

function gateText(gate: readonly CheckResult[]): string {
  return gate.length ? preflightText(gate) : 'no checks apply to the remaining steps';
}

/** `drill status`: the drills of the state directory that are neither finished nor abandoned. */
function unfinishedText(open: readonly DrillState[], stateDir: string): string {
  if (open.length === 0) return `unfinished drills in ${stateDir}: none`;
  return [
    `unfinished drills in ${stateDir}:`,
    ...open.map(
      (d) =>
        `  ${d.drillId} (${d.header.params.kind} ${d.header.params.fromRegion} -> ${d.header.params.targetRegion}, ` +
        `started ${new Date(d.header.at).toISOString()} on ${d.header.host}): ${stopText(d)}; ${changedText(d)}`,
    ),
  ].join('\n');
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The record as the journal has it now (also for drills that stopped or are still running). */
function readRecord(
  store: DrillStore,
  drillId: string,
  running?: RecordOptions['runningIn'],
): DrillRecord {
  return buildRecord(store.journal(drillId), store.canary(drillId), { runningIn: running });
}
