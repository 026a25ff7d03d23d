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
  readonly switchToUngraceful?: boolean;
  /** Asks the operator (the target region typed, or --yes). */
  confirm?(what: string): Promise<void>;
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
    ...(run.switchToUngraceful ? { switchToUngraceful: true } : {}),
    ...(run.confirm ? { confirm: (what: string) => run.confirm!(what) } : {}),
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
  const timeoutMs = timeoutFor(run.timing, step.id);
  const startedAt = clock.now();
  const deadline = startedAt + timeoutMs;
  let runStartedAt = startedAt;
  let result: StepResult<K>;
  for (let retries = 0; ; retries++) {
    try {
      // A run again after a transient failure gets what is left of the step's timeout.
      const timed = { ...ctx, timeoutMs: Math.max(0, deadline - runStartedAt) };
      const running = inStepScope(step.id, step.calls(plan), () => step.run(timed));
      running.catch(() => undefined);
      result = await Promise.race([running, run.interruption]);
      break;
    } catch (err) {
      const interrupted = run.interrupted();
      const error = asDrillError(interrupted ?? err);
      if (interrupted) throw interruptedAt(label, startedAt, run, error);
      const delayMs = retryDelayMs(run.timing, retries);
      if (isTransient(error) && clock.now() + delayMs < deadline) {
        // Journaled as a failed run that will run again (`retryInMs`): resume re-runs a failed
        // step, and a process killed during the pause leaves the step open (journal.ts).
        append({
          event: 'failed',
          durationMs: clock.now() - runStartedAt,
          error: { code: error.code, message: error.message },
          retryInMs: delayMs,
        });
        run.say(
          `${label}: ${error.message}; transient, so the step runs again in ${formatDuration(delayMs)} ` +
            `(${formatDuration(deadline - clock.now())} of its ${formatDuration(timeoutMs)} timeout left)`,
        );
        const pause = new AbortController();
        try {
          await Promise.race([clock.sleep(delayMs, pause.signal), run.interruption]);
        } catch (stop) {
          throw interruptedAt(label, startedAt, run, asDrillError(stop));
        } finally {
          pause.abort();
        }
        const late = run.interrupted(); // Ctrl-C as the pause ended: no second run
        if (late) throw interruptedAt(label, startedAt, run, late);
        runStartedAt = clock.now();
        append({ event: 'started', summary: title });
        continue;
      }
      append({
        event: 'failed',
        durationMs: clock.now() - runStartedAt,
        error: { code: error.code, message: error.message },
      });
      run.say(`${label}: FAILED after ${formatDuration(clock.now() - startedAt)} [${error.code}]`);
      throw error;
    }
  }
  const durationMs = clock.now() - runStartedAt;
  append({
    event: result.status,
    summary: result.summary,
    durationMs,
    ...(result.details ? { details: result.details } : {}),
  });
  run.say(`${label}: ${result.status} in ${formatDuration(durationMs)}: ${result.summary}`);
}

/**
 * A failure worth running the step again for: an AWS call that failed after the SDK's own
 * retries with throttling, a 5xx or a network error (aws/errors.ts). RDS throttles API requests
 * per account and Region and asks callers to "retry the request with exponential backoff"
 * (Amazon RDS User Guide, "Request throttling for the Amazon RDS API"); the SDK retries only
 * `--max-attempts` times (AWS SDKs and Tools Reference Guide, "Retry behavior"), which a storm
 * can outlast. Running again is safe because every step reads the state before it acts: a
 * promotion that was accepted after all shows in the global cluster's FailoverState ("pending:
 * the service received a request", Amazon RDS API Reference, FailoverState) and is skipped.
 */
function isTransient(error: DrillError): boolean {
  return error.code === 'AWS_ERROR' && error.transient;
}

/** The pause before run `retries + 2`: the poll interval, doubled each time, at most 30 s. */
export function retryDelayMs(timing: Timing, retries: number): number {
  const cap = Math.max(RETRY_CAP_MS, timing.pollIntervalMs);
  return Math.min(timing.pollIntervalMs * 2 ** Math.min(retries, 16), cap);
}

const RETRY_CAP_MS = 30_000;

/** Ctrl-C: not a failure of the step; it is left as it was, so resume runs it again. */
function interruptedAt(
  label: string,
  startedAt: number,
  run: StepRunner,
  error: DrillError,
): DrillError {
  run.line(
    `[${run.elapsed()}] ${label}: INTERRUPTED after ${formatDuration(run.clock.now() - startedAt)}`,
  );
  return error;
}
