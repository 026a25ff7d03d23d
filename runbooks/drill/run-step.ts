import type { DrillAws } from './aws/ports';
import type { CanaryControl } from './canary';
import type { Clock } from './clock';
import type { DrillTopology } from './discovery';
import { formatDuration } from './duration';
import { DrillError } from './errors';
import { asDrillError, stepOutcome } from './executor-end';
import { timeoutFor, type DrillParams, type Timing } from './model';
import { inStepScope } from './step-scope';
import type { StepDetails, StepId } from './steps/outcomes';
import type { PlanView, StepContext, StepDefinition, StepResult } from './steps/types';
import type { DrillStore, StepEntry, StepEntryOf } from './store';

/** What one run of the drill gives every step. */
export interface StepRunner {
  readonly drillId: string;
  readonly params: DrillParams;
  readonly plan: PlanView;
  readonly topology: DrillTopology;
  readonly aws: DrillAws;
  readonly store: DrillStore;
  readonly clock: Clock;
  readonly timing: Timing;
  readonly forceReason?: string;
  readonly canary: CanaryControl;
  /** A progress line, prefixed with the elapsed time; silent after Ctrl-C. */
  say(text: string): void;
  /** A line printed even after Ctrl-C. */
  line(text: string): void;
  elapsed(): string;
  /** Set once Ctrl-C was pressed. */
  interrupted(): DrillError | undefined;
  /** Rejects on Ctrl-C. */
  readonly interruption: Promise<never>;
}

/**
 * A journal entry of step `K`, typed by its id: outcomes are written through `StepDetails<K>`.
 * (TypeScript cannot see that `StepEntryOf<K>` for a generic K is a member of the union.)
 */
function entry<K extends StepId>(fields: StepEntryOf<K>): StepEntry {
  return fields as StepEntry;
}

/**
 * Runs one step: journals its start, its notes and how it ended (the typed outcome with it),
 * prints its progress. The step's own code runs in its scope: the calls it declared.
 */
export async function runStep<K extends StepId>(
  step: StepDefinition<K>,
  label: string,
  run: StepRunner,
): Promise<void> {
  const { drillId, store, clock, plan } = run;
  const append = (fields: Omit<StepEntryOf<K>, 'type' | 'at' | 'step'>) =>
    store.append(drillId, entry<K>({ type: 'step', at: clock.now(), step: step.id, ...fields }));
  const title = step.title(plan);
  append({ event: 'started', summary: title });
  run.say(`${label}: ${title}`);
  const ctx: StepContext<K> = {
    params: run.params,
    plan,
    topology: run.topology,
    aws: run.aws,
    clock,
    timing: run.timing,
    ...(run.forceReason ? { forceReason: run.forceReason } : {}),
    timeoutMs: timeoutFor(run.timing, step.id),
    canary: run.canary,
    progress: (message) => run.say(`    ${message}`),
    earlier: (id) => {
      const parts = store
        .journal(drillId)
        .flatMap((e) => (e.type === 'step' && e.step === id && e.details ? [e.details] : []));
      return parts.length ? Object.assign({}, ...parts) : undefined;
    },
    finishedAt: (id) => {
      const end = stepOutcome(store.journal(drillId), id);
      return end?.event === 'completed' ? end.at : undefined;
    },
    note: (details: StepDetails<K>) => {
      if (!run.interrupted()) append({ event: 'note', details });
    },
  };
  const startedAt = clock.now();
  let result: StepResult<K>;
  try {
    const running = inStepScope(step.id, step.calls(plan), () => step.run(ctx));
    running.catch(() => undefined);
    result = await Promise.race([running, run.interruption]);
  } catch (err) {
    const interrupted = run.interrupted();
    const error = asDrillError(interrupted ?? err);
    if (interrupted) {
      // Not a failure of the step: it is left started, so resume runs it again.
      run.line(
        `[${run.elapsed()}] ${label}: INTERRUPTED after ${formatDuration(clock.now() - startedAt)}`,
      );
      throw error;
    }
    append({
      event: 'failed',
      durationMs: clock.now() - startedAt,
      error: { code: error.code, message: error.message },
    });
    run.say(`${label}: FAILED after ${formatDuration(clock.now() - startedAt)} [${error.code}]`);
    throw error;
  }
  const durationMs = clock.now() - startedAt;
  append({
    event: result.status,
    summary: result.summary,
    durationMs,
    ...(result.details ? { details: result.details } : {}),
  });
  run.say(`${label}: ${result.status} in ${formatDuration(durationMs)}: ${result.summary}`);
}
