// Taking the drill lock: one conditional create per region, all at once (lock.ts decides).
import type { DrillAws } from './aws/adapters';
import { DrillError, errorText } from './errors';
import { parseLockValue, unreachable, type Attempt, type Target } from './lock-state';
import { isFatal } from './observe';

/**
 * Tries to create the lock `text` in every target region: created, held by someone (with the
 * holder), unreachable, or failed. Never throws: a failed region is an outcome.
 */
export async function attemptAll(
  aws: DrillAws,
  targets: readonly Target[],
  text: string,
): Promise<Attempt[]> {
  const settled = await Promise.allSettled(
    targets.map(async (target): Promise<Attempt> => {
      try {
        // Twice: a lock released between the create and the read is free again.
        for (let attempt = 0; attempt < 2; attempt++) {
          if (await aws.locks.create(target.region, target.name, text)) {
            return { target, outcome: 'created' };
          }
          const existing = await aws.locks.read(target.region, target.name);
          if (existing !== undefined) {
            return { target, outcome: 'held', holder: parseLockValue(existing) };
          }
        }
        return {
          target,
          outcome: 'failed',
          error: new DrillError(
            'DRILL_LOCKED',
            `the drill lock ${target.name} in ${target.region} changed while it was being taken`,
            { hint: 'Another drill is starting: run `npx drill status`' },
          ),
        };
      } catch (err) {
        if (isFatal(err) || !unreachable(err)) return { target, outcome: 'failed', error: err };
        return { target, outcome: 'unreachable', error: errorText(err) };
      }
    }),
  );
  return settled.map((s) =>
    s.status === 'fulfilled' ? s.value : ({ outcome: 'failed', error: s.reason } as Attempt),
  );
}
