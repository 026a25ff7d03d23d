import * as os from 'node:os';
import type { DrillAws } from './aws/adapters';
import { CanaryLoop } from './canary';
import type { Clock } from './clock';
import { reportCommand, resumeCommand, type CommandPlace } from './commands';
import type { DrillTopology } from './discovery';
import { formatDuration } from './duration';
import { DrillError, errorText } from './errors';
import { summaryTable } from './format';
import { timeoutFor, type DrillParams, type Timing } from './model';
import { buildRecord, type DrillRecord } from './record';
import { planOfJournal, planView, sqlTarget, stepsFor, type StepContext } from './steps';
import type { DrillStore, JournalEntry, JournalHeader, StepEntry } from './store';

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
  readonly isProcessAlive: (pid: number) => boolean;
}

export interface StartOptions {
  readonly topology: DrillTopology;
  readonly params: DrillParams;
  readonly timing: Timing;
  readonly homeRegion: string;
}

/** Starts a new drill: takes the lock, writes the journal header, runs every step. */
export async function startDrill(options: StartOptions, deps: ExecutorDeps): Promise<DrillRecord> {
  const { topology, params, timing, homeRegion } = options;
  deps.store.acquireLock(params.drillId, {
    pid: deps.pid,
    now: deps.clock.now(),
    isProcessAlive: deps.isProcessAlive,
  });
  const plan = planView(topology, params.kind, params.fromRegion, params.targetRegion, homeRegion);
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
    steps: stepsFor(params.kind).map((s) => ({ id: s.id, title: s.title(plan) })),
    pid: deps.pid,
    host: os.hostname(),
  };
  try {
    deps.store.create(header);
  } catch (err) {
    deps.store.releaseLock(params.drillId);
    throw err;
  }
  return execute(header, topology, timing, deps);
}

/**
 * Continues a drill from its journal: completed and skipped steps are not run again; the
 * step that was running re-checks the state before acting (every step is idempotent).
 */
export async function resumeDrill(
  drillId: string,
  topology: DrillTopology,
  timing: Timing | undefined,
  deps: ExecutorDeps,
): Promise<DrillRecord> {
  const header = deps.store.header(drillId);
  if (deps.store.journal(drillId).at(-1)?.type === 'finished') {
    throw new DrillError('NO_DRILL', `drill ${drillId} has already finished; nothing to resume`, {
      hint: `Read it with \`${reportCommand(drillId, placeOf(header, deps.store))}\``,
    });
  }
  deps.store.acquireLock(drillId, {
    pid: deps.pid,
    now: deps.clock.now(),
    isProcessAlive: deps.isProcessAlive,
    takeOverStaleFrom: drillId,
  });
  deps.store.append(drillId, {
    type: 'resumed',
    at: deps.clock.now(),
    pid: deps.pid,
    host: os.hostname(),
  });
  return execute(header, topology, timing ?? header.timing, deps);
}

/** The last end event of a step after its last start, if it ended. */
export function stepOutcome(
  journal: readonly JournalEntry[],
  stepId: string,
): StepEntry | undefined {
  const entries = journal.filter((e): e is StepEntry => e.type === 'step' && e.step === stepId);
  const last = [...entries].reverse().find((e) => e.event !== 'note');
  return last && last.event !== 'started' ? last : undefined;
}

async function execute(
  header: JournalHeader,
  topology: DrillTopology,
  timing: Timing,
  deps: ExecutorDeps,
): Promise<DrillRecord> {
  const { params } = header;
  const { store, clock, out, aws } = deps;
  const drillId = params.drillId;
  const plan = planOfJournal(topology, header);
  const steps = stepsFor(params.kind);
  const journal = store.journal(drillId);
  const canary = new CanaryLoop({
    sql: aws.sql,
    clock,
    drillId,
    targets: [sqlTarget(plan.from, plan.databaseName), sqlTarget(plan.target, plan.databaseName)],
    intervalMs: timing.canaryIntervalMs,
    history: store.canary(drillId),
    persist: (sample) => store.appendCanary(drillId, sample),
  });
  const elapsed = () => formatElapsed(clock.now() - header.at);
  const say = (text: string) => out.line(`[${elapsed()}] ${text}`);

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
      if (step.underCanary) canary.start();
      failedStep = step;
      const title = step.title(plan);
      store.append(drillId, {
        type: 'step',
        at: clock.now(),
        step: step.id,
        event: 'started',
        summary: title,
      });
      say(`${label}: ${title}`);
      const ctx: StepContext = {
        params,
        plan,
        topology,
        aws,
        clock,
        timing,
        forceReason: params.forceReason,
        timeoutMs: timeoutFor(timing, step.id),
        canary,
        progress: (message) => say(`    ${message}`),
        note: (details) =>
          store.append(drillId, {
            type: 'step',
            at: clock.now(),
            step: step.id,
            event: 'note',
            details,
          }),
      };
      const startedAt = clock.now();
      let result;
      try {
        result = await step.run(ctx);
      } catch (err) {
        const error = asDrillError(err);
        store.append(drillId, {
          type: 'step',
          at: clock.now(),
          step: step.id,
          event: 'failed',
          durationMs: clock.now() - startedAt,
          error: { code: error.code, message: error.message },
        });
        say(`${label}: FAILED after ${formatDuration(clock.now() - startedAt)} [${error.code}]`);
        throw error;
      }
      const durationMs = clock.now() - startedAt;
      store.append(drillId, {
        type: 'step',
        at: clock.now(),
        step: step.id,
        event: result.status,
        summary: result.summary,
        durationMs,
        ...(result.details ? { details: result.details } : {}),
      });
      say(`${label}: ${result.status} in ${formatDuration(durationMs)}: ${result.summary}`);
    }
    failedStep = undefined;
    await canary.stop();
    store.append(drillId, { type: 'finished', at: clock.now() });
  } catch (err) {
    await canary.stop();
    const error = asDrillError(err);
    const state = failedStep?.ifItFails(plan);
    const hints = [
      state ? `State: ${state}` : undefined,
      error.hint && error.hint !== state ? error.hint : undefined,
    ];
    if (error.code !== 'PREFLIGHT_FAILED') {
      hints.push(`Continue with: ${resumeCommand(drillId, placeOf(header, store))}`);
    }
    const hint = hints.filter(Boolean).join('\n');
    store.append(drillId, {
      type: 'stopped',
      at: clock.now(),
      error: { code: error.code, message: error.message, hint },
    });
    finish(drillId, deps);
    throw new DrillError(
      error.code,
      `drill ${drillId} stopped at ${failedStep ? `step ${failedStep.id}` : 'the end'}: ${error.message}`,
      { hint, cause: err, transient: error.transient },
    );
  }
  return finish(drillId, deps);
}

/** The options a printed command needs to find this drill again. */
export function placeOf(header: JournalHeader, store: DrillStore): CommandPlace {
  return { outputs: header.outputsFile, stateDir: store.dir, region: header.homeRegion };
}

function finish(drillId: string, deps: ExecutorDeps): DrillRecord {
  const record = buildRecord(deps.store.journal(drillId), deps.store.canary(drillId));
  const file = deps.store.writeRecord(drillId, record);
  deps.out.line('');
  deps.out.line(summaryTable(record));
  deps.out.line(`record: ${file}`);
  deps.store.releaseLock(drillId);
  return record;
}

function asDrillError(err: unknown): DrillError {
  if (err instanceof DrillError) return err;
  return new DrillError('INTERNAL', `unexpected error: ${errorText(err)}`, { cause: err });
}

/** `+1:02.5`: minutes and seconds since the drill started. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  const minutes = Math.floor(seconds / 60);
  return `+${minutes}:${(seconds - minutes * 60).toFixed(1).padStart(4, '0')}`;
}
