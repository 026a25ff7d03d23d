import { DrillError } from './errors';
import type { DrillStore, JournalEntry, JournalHeader, StepEntry, StoppedEntry } from './store';
import type { Timing } from './model';
import { STATE_CHANGING_STEPS } from './steps';

/** What a journal says about where a drill is: for resume, status and abandon. */
export interface DrillState {
  readonly drillId: string;
  readonly header: JournalHeader;
  readonly finished: boolean;
  readonly abandoned: boolean;
  /** Steps that change what serves or writes (fence, promote, ...) and were started. */
  readonly changed: readonly string[];
  /** The last stop after the last start or resume; none when the process died or still runs. */
  readonly stop?: StoppedEntry;
  /** The step started last and not ended. */
  readonly openStep?: string;
  /** The timing of the latest run: the header's, or the last resume's. */
  readonly timing: Timing;
  /** The process of the latest run (start or resume), and whether that run has ended. */
  readonly lastRun: { readonly pid: number; readonly host: string; readonly ended: boolean };
}

export function drillState(journal: readonly JournalEntry[]): DrillState {
  const header = journal[0];
  if (header?.type !== 'drill') throw new Error('journal has no header');
  const steps = journal.filter((e): e is StepEntry => e.type === 'step');
  const changed = [
    ...new Set(
      steps
        .filter((e) => e.event === 'started' && STATE_CHANGING_STEPS.has(e.step))
        .map((e) => e.step),
    ),
  ];
  const lastRun = journal.reduce(
    (at, e, i) => (e.type === 'drill' || e.type === 'resumed' ? i : at),
    0,
  );
  const run = journal[lastRun] as { pid: number; host: string };
  const ended = journal
    .slice(lastRun)
    .some((e) => e.type === 'stopped' || e.type === 'finished' || e.type === 'abandoned');
  const stop = journal
    .slice(lastRun)
    .reverse()
    .find((e): e is StoppedEntry => e.type === 'stopped');
  const lastStepEvent = [...steps].reverse().find((e) => e.event !== 'note');
  const timing = journal.reduce<Timing>(
    (t, e) => (e.type === 'resumed' && e.timing ? e.timing : t),
    header.timing,
  );
  return {
    drillId: header.params.drillId,
    header,
    finished: journal.some((e) => e.type === 'finished'),
    abandoned: journal.some((e) => e.type === 'abandoned'),
    changed,
    ...(stop ? { stop } : {}),
    // A failed run that was to run again (run-step.ts) leaves the step open, as a started one does.
    ...(lastStepEvent?.event === 'started' || lastStepEvent?.retryInMs !== undefined
      ? { openStep: lastStepEvent.step }
      : {}),
    timing,
    lastRun: { pid: run.pid, host: run.host, ended },
  };
}

/** Unfinished and not abandoned. */
export function isOpen(state: DrillState): boolean {
  return !state.finished && !state.abandoned;
}

/** The refusal to `action` (resume, abandon) a drill that finished or was abandoned. */
export function closedDrillError(
  drillId: string,
  state: DrillState,
  action: string,
  hint?: string,
): DrillError {
  return new DrillError(
    'NO_DRILL',
    `drill ${drillId} has already ${state.finished ? 'finished' : 'been abandoned'}; nothing to ${action}`,
    hint ? { hint } : {},
  );
}

/** Where and why the drill stopped, in one line. */
export function stopText(state: DrillState): string {
  if (state.finished) return 'finished';
  if (state.abandoned) return 'abandoned';
  if (state.stop) {
    const where = state.stop.step ? `at step ${state.stop.step}` : 'at the end';
    return `stopped ${where} [${state.stop.error.code}] at ${new Date(state.stop.at).toISOString()}: ${state.stop.error.message}`;
  }
  return state.openStep
    ? `no stop recorded: the process ended (or still runs) during step ${state.openStep}`
    : 'no stop recorded: the process ended (or still runs) between steps';
}

/** `changed: fence, promote` or `changed nothing`. */
export function changedText(state: DrillState): string {
  return state.changed.length ? `changed: ${state.changed.join(', ')}` : 'changed nothing';
}

/** Every drill of the state directory that is neither finished nor abandoned, oldest first. */
export function openDrills(store: DrillStore): DrillState[] {
  return store
    .drillIds()
    .map((id) => drillState(store.journal(id)))
    .filter(isOpen);
}

/**
 * The drill `resume` continues when none is named: among the open drills, those that changed
 * something come first (a drill that failed preflight left nothing to finish); among them the
 * lock holder, then the latest.
 */
export function resumeCandidate(
  store: DrillStore,
  lockHolders: readonly string[],
): DrillState | undefined {
  const open = openDrills(store);
  const changed = open.filter((s) => s.changed.length > 0);
  const pool = changed.length ? changed : open;
  return pool.find((s) => lockHolders.includes(s.drillId)) ?? pool.at(-1);
}
