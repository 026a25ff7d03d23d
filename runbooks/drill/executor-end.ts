import type { DrillAws } from './aws/ports';
import type { CommandPlace } from './commands';
import { abandonCommand } from './commands';
import { DrillError, errorText } from './errors';
import { summaryTable } from './format';
import { drillState } from './journal';
import type { DrillLock } from './lock';
import { buildRecord, type DrillRecord } from './record';
import type { DrillStore, JournalEntry, JournalHeader, StepEntry } from './store';
import type { ExecutorDeps } from './executor';

/** The last end event of a step after its last start, if it ended. */
export function stepOutcome(
  journal: readonly JournalEntry[],
  stepId: string,
): StepEntry | undefined {
  const entries = journal.filter((e): e is StepEntry => e.type === 'step' && e.step === stepId);
  const last = [...entries].reverse().find((e) => e.event !== 'note');
  return last && last.event !== 'started' ? last : undefined;
}

/** Refuses every AWS call once `stopped()`: what a step still runs after Ctrl-C changes nothing. */
export function guarded(aws: DrillAws, stopped: () => boolean): DrillAws {
  const wrap = <T extends object>(api: T): T =>
    new Proxy(api, {
      get(target, key) {
        const value = Reflect.get(target, key) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          stopped()
            ? Promise.reject(
                new DrillError('INTERRUPTED', 'the drill was interrupted; no AWS call is made'),
              )
            : (value as (...a: unknown[]) => unknown).apply(target, args);
      },
    });
  return {
    ...aws,
    database: wrap(aws.database),
    sql: wrap(aws.sql),
    routing: wrap(aws.routing),
    metrics: wrap(aws.metrics),
    switches: wrap(aws.switches),
    arc: wrap(aws.arc),
  };
}

/**
 * A stopped drill that changed something keeps its lock (marked stopped), so no other drill
 * starts on top of what it left; one that changed nothing gives it back.
 */
export async function keepOrRelease(
  lock: DrillLock,
  header: JournalHeader,
  step: string | undefined,
  code: string,
  deps: ExecutorDeps,
): Promise<void> {
  const drillId = header.params.drillId;
  const { changed } = drillState(deps.store.journal(drillId));
  if (changed.length === 0) {
    const { released } = await lock.release();
    deps.out.line(
      `lock: released in ${released.join(', ') || 'no region'} (the drill changed nothing)`,
    );
    return;
  }
  await lock.markStopped({ ...(step ? { step } : {}), code });
  deps.out.line(
    `lock: kept in ${lock.record().heldIn.join(', ')} (the drill ${changed.map((s) => `started ${s}`).join(', ')}): ` +
      `no other drill starts until it is resumed or abandoned (\`${abandonCommand(drillId, placeOf(header, deps.store))}\`)`,
  );
}

export function lostLockError(lock: DrillLock, stepId: string): DrillError {
  const lost = lock.lost!;
  const by = lost.holder
    ? `is now held by drill ${lost.holder.drillId} (pid ${lost.holder.pid} on ${lost.holder.host})`
    : 'was removed by someone else';
  return new DrillError(
    'DRILL_LOCKED',
    `the drill lock ${lock.record().parameterName} in ${lost.region} ${by}; drill ${lock.drillId} stops before step ${stepId}`,
    { hint: 'Run `npx drill status` to see who holds the lock before doing anything else' },
  );
}

/** The options a printed command needs to find this drill again. */
export function placeOf(header: JournalHeader, store: DrillStore): CommandPlace {
  return { outputs: header.outputsFile, stateDir: store.dir, region: header.homeRegion };
}

export function finish(drillId: string, deps: ExecutorDeps): DrillRecord {
  const record = buildRecord(deps.store.journal(drillId), deps.store.canary(drillId), {
    client: deps.store.client(drillId),
  });
  const file = deps.store.writeRecord(drillId, record);
  deps.out.line('');
  deps.out.line(summaryTable(record));
  deps.out.line(`record: ${file}`);
  return record;
}

export function asDrillError(err: unknown): DrillError {
  if (err instanceof DrillError) return err;
  return new DrillError('INTERNAL', `unexpected error: ${errorText(err)}`, { cause: err });
}

/** `+1:02.5`: minutes and seconds since the drill started. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  const minutes = Math.floor(seconds / 60);
  return `+${minutes}:${(seconds - minutes * 60).toFixed(1).padStart(4, '0')}`;
}
