import type { DrillAws, OperatorIdentity } from './aws/ports';
import { CanaryLoop, type CanaryControl } from './canary';
import { CLIENT_CANARY_TURNED_OFF, ClientCanary } from './client-canary';
import type { Clock } from './clock';
import { abandonCommand, reportCommand, resumeCommand } from './commands';
import type { DrillTopology } from './discovery';
import { DrillError } from './errors';
import {
  asDrillError,
  finish,
  formatElapsed,
  guarded,
  keepOrRelease,
  lostLockError,
  placeOf,
  stepOutcome,
} from './executor-end';
import { closedDrillError, drillState, isOpen } from './journal';
import { DrillLock } from './lock';
import type { DrillParams, Timing } from './model';
import type { CheckResult } from './preflight';
import type { DrillRecord } from './record';
import { runStep, type StepRunner } from './run-step';
import {
  CLEAN_CANARY_STEP_ID,
  canaryLeftoverText,
  planOfJournal,
  planView,
  sqlTarget,
  stepsFor,
} from './steps';
import type { RehearsalMarker } from './record-rehearsal';
import type { DrillStore, JournalHeader } from './store';

export { formatElapsed, placeOf, stepOutcome };

/** Where progress lines go. */
export interface Printer {
  line(text: string): void;
}

export interface ExecutorDeps {
  readonly aws: DrillAws;
  readonly clock: Clock;
  readonly store: DrillStore;
  readonly out: Printer;
  readonly pid: number;
  readonly host: string;
  readonly isProcessAlive: (pid: number) => boolean;
  /** The STS caller, when it could be read: journal header, resumed entries, lock owner. */
  readonly operator?: OperatorIdentity;
  /** Calls `handler` on Ctrl-C (SIGINT); returns what stops listening. */
  readonly onInterrupt: (handler: () => void) => () => void;
  /** `drill rehearse`: journaled in the header, so the record and report say so. */
  readonly rehearsal?: RehearsalMarker;
  /** The drill's confirmation (a step asks before an act the operator must approve). */
  readonly confirm?: (what: string, expected: string) => Promise<void>;
}

export interface StartOptions {
  readonly topology: DrillTopology;
  readonly params: DrillParams;
  readonly timing: Timing;
  readonly homeRegion: string;
}

/**
 * Starts a new drill: takes the lock (nothing is printed or journaled before it is held),
 * writes the journal header, runs every step.
 */
export async function startDrill(options: StartOptions, deps: ExecutorDeps): Promise<DrillRecord> {
  const { topology, params, timing, homeRegion } = options;
  const lock = await DrillLock.acquire(deps.aws, topology, deps.clock, {
    drillId: params.drillId,
    ...(deps.operator ? { owner: deps.operator.arn } : {}),
    host: deps.host,
    pid: deps.pid,
    isProcessAlive: deps.isProcessAlive,
    takeOver: false,
  });
  deps.out.line(
    `drill ${params.drillId}: ${params.kind} ${params.fromRegion} -> ${params.targetRegion}${params.engine === 'arc' ? ' on ARC Region switch (--engine arc)' : ''} (journal: ${deps.store.drillDir(params.drillId)})`,
  );
  deps.out.line(lock.describe());
  const plan = planView(
    topology,
    params.kind,
    params.fromRegion,
    params.targetRegion,
    homeRegion,
    params.engine ?? 'native',
  );
  const header: JournalHeader = {
    type: 'drill',
    at: deps.clock.now(),
    params,
    timing,
    homeRegion,
    objectives: {
      rpoSeconds: topology.rpoSeconds,
      rtoSeconds: topology.rtoSeconds,
      rtoFloorSeconds: topology.rtoFloorSeconds,
    },
    globalClusterIdentifier: topology.globalClusterIdentifier,
    outputsFile: topology.source,
    steps: stepsFor(params.kind, params.engine ?? 'native').map((s) => ({
      id: s.id,
      title: s.title(plan),
    })),
    pid: deps.pid,
    host: deps.host,
    ...(deps.operator ? { operator: deps.operator } : {}),
    lock: lock.record(),
    ...(deps.rehearsal ? { rehearsal: deps.rehearsal } : {}),
  };
  try {
    deps.store.create(header);
  } catch (err) {
    await lock.release();
    throw err;
  }
  return execute(header, topology, { timing, forceReason: params.forceReason }, lock, deps);
}

/** What one resume runs with. */
export interface ResumeOptions {
  readonly timing: Timing;
  /** `--force --reason` of this resume. */
  readonly forceReason?: string;
  /** The resume gate's verdicts, journaled with the resume. */
  readonly gate?: readonly CheckResult[];
  /** `--ungraceful` (ARC drills): switch the running execution to ungraceful. */
  readonly switchToUngraceful?: boolean;
}

/**
 * Continues a drill from its journal: completed and skipped steps are not run again; the
 * step that was running re-checks the state before acting (every step is idempotent). The
 * drill's own lock is taken over when no process runs it (stopped, dead, or expired).
 */
export async function resumeDrill(
  drillId: string,
  topology: DrillTopology,
  run: ResumeOptions,
  deps: ExecutorDeps,
): Promise<DrillRecord> {
  const header = deps.store.header(drillId);
  const state = drillState(deps.store.journal(drillId));
  if (!isOpen(state)) {
    throw closedDrillError(
      drillId,
      state,
      'resume',
      `Read it with \`${reportCommand(drillId, placeOf(header, deps.store))}\``,
    );
  }
  const lock = await DrillLock.acquire(deps.aws, topology, deps.clock, {
    drillId,
    ...(deps.operator ? { owner: deps.operator.arn } : {}),
    host: deps.host,
    pid: deps.pid,
    isProcessAlive: deps.isProcessAlive,
    takeOver: true,
  });
  const { params } = header;
  deps.out.line(
    `drill ${drillId}: resuming ${params.kind} ${params.fromRegion} -> ${params.targetRegion} (journal: ${deps.store.drillDir(drillId)})`,
  );
  deps.out.line(lock.describe());
  deps.store.append(drillId, {
    type: 'resumed',
    at: deps.clock.now(),
    pid: deps.pid,
    host: deps.host,
    ...(deps.operator ? { operator: deps.operator } : {}),
    timing: run.timing,
    ...(run.forceReason ? { forceReason: run.forceReason } : {}),
    ...(run.gate ? { gate: run.gate } : {}),
    lock: lock.record(),
  });
  return execute(header, topology, run, lock, deps);
}

async function execute(
  header: JournalHeader,
  topology: DrillTopology,
  run: {
    readonly timing: Timing;
    readonly forceReason?: string;
    readonly switchToUngraceful?: boolean;
  },
  lock: DrillLock,
  deps: ExecutorDeps,
): Promise<DrillRecord> {
  const { params } = header;
  const { timing } = run;
  const { store, clock, out } = deps;
  const drillId = params.drillId;
  const plan = planOfJournal(topology, header);
  const steps = stepsFor(params.kind, params.engine ?? 'native');
  const journal = store.journal(drillId);

  // Ctrl-C: the running step is abandoned where it is (every step re-checks on resume).
  let interrupted: DrillError | undefined;
  let onInterrupt: (err: DrillError) => void = () => undefined;
  const interruption = new Promise<never>((_, reject) => (onInterrupt = reject));
  interruption.catch(() => undefined);
  const stopListening = deps.onInterrupt(() => {
    interrupted ??= new DrillError('INTERRUPTED', 'interrupted by Ctrl-C (SIGINT)');
    onInterrupt(interrupted);
  });
  const aws = guarded(deps.aws, () => interrupted !== undefined);

  const canary = new CanaryLoop({
    sql: aws.sql,
    clock,
    drillId,
    targets: [sqlTarget(plan.from, plan.databaseName), sqlTarget(plan.target, plan.databaseName)],
    intervalMs: timing.canaryIntervalMs,
    history: store.canary(drillId),
    persist: (sample) => store.appendCanary(drillId, sample),
  });
  // Beside the Data API canary (the database-level figures): the client's figures, through the
  // public names. Outside every step's scope, like the canary loop: its GetHealthCheckStatus
  // reads are the drill's own, not a step's (step-scope.ts).
  const clientCanary = new ClientCanary({
    network: aws.client,
    routing: aws.routing,
    clock,
    drillId,
    topology,
    intervalMs: timing.canaryIntervalMs,
    history: store.client(drillId),
    persist: (entry) => store.appendClient(drillId, entry),
  });
  // The operator's `--no-client-canary` (journaled in the timing): it never starts.
  const clientOff = timing.clientCanary === false;
  const canaries: CanaryControl = {
    writeOnce: (target, source) => canary.writeOnce(target, source),
    samples: () => canary.samples(),
    clientEntries: () => clientCanary.entries(),
    clientUnavailable: () =>
      (clientOff ? CLIENT_CANARY_TURNED_OFF : aws.client.unavailable) ??
      (clientCanary.isRunning ? undefined : 'the client canary is not running'),
  };
  const stopCanaries = () => Promise.all([canary.stop(), clientCanary.stop()]);
  const elapsed = () => formatElapsed(clock.now() - header.at);
  const say = (text: string) => {
    if (!interrupted) out.line(`[${elapsed()}] ${text}`);
  };
  lock.startHeartbeat();
  const runner: StepRunner = {
    drillId,
    params,
    plan,
    topology,
    aws,
    store,
    clock,
    timing,
    ...(run.forceReason ? { forceReason: run.forceReason } : {}),
    ...(run.switchToUngraceful ? { switchToUngraceful: true } : {}),
    ...(deps.confirm
      ? { confirm: (what: string) => deps.confirm!(what, params.targetRegion) }
      : {}),
    canary: canaries,
    say,
    line: (text) => out.line(text),
    elapsed,
    interrupted: () => interrupted,
    interruption,
  };

  let failedStep: (typeof steps)[number] | undefined;
  try {
    for (const [index, step] of steps.entries()) {
      const label = `${index + 1}/${steps.length} ${step.id}`;
      const previous = stepOutcome(journal, step.id);
      if (previous && previous.event !== 'failed') {
        say(
          `${label}: already ${previous.event}${previous.summary ? `: ${previous.summary}` : ''}`,
        );
        continue;
      }
      failedStep = step;
      if (interrupted) throw interrupted;
      if (lock.lost) throw lostLockError(lock, step.id);
      if (step.underCanary) {
        canary.start();
        if (!clientOff) clientCanary.start();
      }
      // The cleanup deletes the canaries' rows: nothing may write one after it.
      if (step.id === CLEAN_CANARY_STEP_ID) await stopCanaries();
      await runStep(step, label, runner);
    }
    failedStep = undefined;
    await stopCanaries();
    await lock.stopHeartbeat();
    store.append(drillId, { type: 'finished', at: clock.now() });
  } catch (err) {
    stopListening();
    // After Ctrl-C an AWS call in flight may never answer: do not wait for the canary.
    if (interrupted) void stopCanaries();
    else await stopCanaries();
    await lock.stopHeartbeat();
    const error = asDrillError(err);
    const state = failedStep?.ifItFails(plan);
    // The writer holds the canaries' rows: the target once the promotion completed.
    const promotion = stepOutcome(store.journal(drillId), 'promote');
    const promoted = promotion !== undefined && promotion.event !== 'failed';
    const hints = [
      state ? `State: ${state}` : undefined,
      error.hint && error.hint !== state ? error.hint : undefined,
      failedStep
        ? canaryLeftoverText(promoted ? plan.target : plan.from, plan.databaseName, drillId, {
            canarySamples: canary.samples(),
            clientEntries: clientCanary.entries(),
          })
        : undefined,
    ];
    if (error.code !== 'PREFLIGHT_FAILED') {
      hints.push(`Continue with: ${resumeCommand(drillId, placeOf(header, store))}`);
    }
    const hint = hints.filter(Boolean).join('\n');
    const where = failedStep ? `step ${failedStep.id}` : 'the end';
    store.append(drillId, {
      type: 'stopped',
      at: clock.now(),
      ...(failedStep ? { step: failedStep.id } : {}),
      error: { code: error.code, message: error.message, hint },
    });
    finish(drillId, deps);
    await keepOrRelease(lock, header, failedStep?.id, error.code, deps);
    throw new DrillError(error.code, `drill ${drillId} stopped at ${where}: ${error.message}`, {
      hint,
      cause: err,
      transient: error.transient,
    });
  }
  stopListening();
  const record = finish(drillId, deps);
  const { released, left } = await lock.release();
  out.line(
    `lock: released in ${released.join(', ') || 'no region'}` +
      (left.length
        ? `; still held in ${left.map((l) => `${l.region} (${l.error})`).join(', ')}: ` +
          `release it with \`${abandonCommand(drillId, placeOf(header, store), 'finished; lock left')}\` once the region answers`
        : ''),
  );
  return record;
}
