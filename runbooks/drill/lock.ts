// The drill lock in AWS, taken and renewed by a running drill (lock-state.ts: reading it).
import type { DrillAws } from './aws/adapters';
import type { Clock } from './clock';
import type { DrillTopology } from './discovery';
import { DrillError, errorText } from './errors';
import { attemptAll } from './lock-attempt';
import {
  holderState,
  iso,
  LOCK_HEARTBEAT_MS,
  LOCK_TTL_MS,
  lockedError,
  parseLockValue,
  regionList,
  releaseWhere,
  sameHolder,
  targetsOf,
  unreachable,
  type AcquireOptions,
  type LockValue,
  type LockRecord,
  type Target,
} from './lock-state';
import { isFatal } from './observe';
export {
  type AcquireOptions,
  holderState,
  LOCK_HEARTBEAT_MS,
  LOCK_TTL_MS,
  lockedError,
  lockParameterName,
  lockStatusText,
  parseLockValue,
  processIsAlive,
  readLocks,
  releaseLockOf,
  type LockRecord,
  type LockValue,
  type RegionLock,
} from './lock-state';

/**
 * The drill lock: one SSM parameter per region, created conditionally (Overwrite=false) in
 * every region that answers, so two operators on different machines cannot both hold it, and a
 * region that is down does not stop a drill (the lock is then held in the others; with the
 * regions split between two operators by a partition both could hold it: no lock on two
 * regions can prevent that). Kept while a drill is stopped but unfinished; released when it
 * finishes or is abandoned.
 */
export class DrillLock {
  /** Set when a renewal found the lock taken from this process (or removed). */
  lost?: { readonly region: string; readonly holder?: LockValue };
  private value: LockValue;
  private readonly held: Set<string>;
  private readonly unreachable: Map<string, string>;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private stopSleeping = new AbortController();

  private constructor(
    private readonly aws: DrillAws,
    private readonly clock: Clock,
    private readonly targets: readonly Target[],
    value: LockValue,
    held: readonly string[],
    unreachableRegions: ReadonlyMap<string, string>,
  ) {
    this.value = value;
    this.held = new Set(held);
    this.unreachable = new Map(unreachableRegions);
  }

  /** Takes the lock in every reachable region, or refuses (and gives back what it took). */
  static async acquire(
    aws: DrillAws,
    topology: DrillTopology,
    clock: Clock,
    options: AcquireOptions,
  ): Promise<DrillLock> {
    const now = clock.now();
    const targets = targetsOf(topology);
    const value: LockValue = {
      drillId: options.drillId,
      ...(options.owner ? { owner: options.owner } : {}),
      host: options.host,
      pid: options.pid,
      acquiredAt: iso(now),
      expiresAt: iso(now + LOCK_TTL_MS),
    };
    const text = JSON.stringify(value);
    const attempts = await attemptAll(aws, targets, text);
    const created = attempts.flatMap((a) => (a.outcome === 'created' ? [a.target] : []));
    const rollback = async () => {
      await Promise.allSettled(created.map((t) => aws.locks.remove(t.region, t.name)));
    };
    const refuse = async (error: unknown): Promise<never> => {
      await rollback();
      throw error;
    };

    const held = attempts.flatMap((a) => (a.outcome === 'held' ? [a] : []));
    const other = held.find((a) => !options.takeOver || a.holder.drillId !== options.drillId);
    if (other) {
      const regions = held
        .filter((a) => a.holder.drillId === other.holder.drillId)
        .map((a) => a.target.region);
      await refuse(
        lockedError(
          other.holder,
          regions,
          other.target.name,
          now,
          options.host,
          options.isProcessAlive,
        ),
      );
    }
    const failed = attempts.find((a) => a.outcome === 'failed');
    if (failed && failed.outcome === 'failed') await refuse(failed.error);

    // Resume: this drill's own lock, held by a process that no longer runs it.
    const unreachableRegions = new Map(
      attempts.flatMap((a) =>
        a.outcome === 'unreachable' ? [[a.target.region, a.error] as const] : [],
      ),
    );
    const running = held.find(
      (a) => holderState(a.holder, now, options.host, options.isProcessAlive).running,
    );
    if (running) {
      await refuse(
        lockedError(
          running.holder,
          held.map((a) => a.target.region),
          running.target.name,
          now,
          options.host,
          options.isProcessAlive,
        ),
      );
    }
    const takenOver: string[] = [];
    for (const a of held) {
      // SSM has no compare-and-set: two resumes of one drill at the same moment could both
      // write here. The renewal re-reads the lock and stops a drill that lost it.
      try {
        await aws.locks.overwrite(a.target.region, a.target.name, text);
        takenOver.push(a.target.region);
      } catch (err) {
        if (isFatal(err) || !unreachable(err)) await refuse(err);
        unreachableRegions.set(a.target.region, errorText(err));
      }
    }

    const heldIn = targets
      .map((t) => t.region)
      .filter((r) => created.some((t) => t.region === r) || takenOver.includes(r));
    if (heldIn.length === 0) {
      throw new DrillError(
        'AWS_ERROR',
        `could not take the drill lock ${targets[0]?.name}: no region answered (` +
          [...unreachableRegions].map(([r, e]) => `${r}: ${e}`).join('; ') +
          ')',
        {
          hint: 'Check network access and credentials, then rerun; a drill needs the lock in at least one region',
          transient: true,
        },
      );
    }
    return new DrillLock(aws, clock, targets, value, heldIn, unreachableRegions);
  }

  get drillId(): string {
    return this.value.drillId;
  }

  /** For the journal: where the lock is held and which regions did not answer. */
  record(): LockRecord {
    return {
      parameterName: this.targets[0].name,
      heldIn: this.targets.map((t) => t.region).filter((r) => this.held.has(r)),
      unreachable: [...this.unreachable].map(([region, error]) => ({ region, error })),
    };
  }

  /** One line for the progress output. */
  describe(): string {
    const r = this.record();
    const missing = r.unreachable.length
      ? `; not in ${r.unreachable.map((u) => `${u.region} (unreachable: ${u.error})`).join(', ')}`
      : '';
    return `lock: ${r.parameterName} held in ${regionList(r.heldIn)} until ${this.value.expiresAt}, renewed every ${LOCK_HEARTBEAT_MS / 1000} s${missing}`;
  }

  startHeartbeat(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = (async () => {
      while (this.running) {
        await this.clock.sleep(LOCK_HEARTBEAT_MS, this.stopSleeping.signal);
        if (!this.running) break;
        await this.renew({ expiresAt: iso(this.clock.now() + LOCK_TTL_MS) });
      }
    })();
  }

  async stopHeartbeat(): Promise<void> {
    this.running = false;
    this.stopSleeping.abort();
    await this.loopDone;
    this.stopSleeping = new AbortController();
  }

  /** The drill stopped unfinished: the lock stays, marked so nobody waits for its expiry. */
  async markStopped(stop: { readonly step?: string; readonly code: string }): Promise<void> {
    const at = iso(this.clock.now());
    await this.renew({
      expiresAt: at,
      stopped: { at, ...(stop.step ? { step: stop.step } : {}), code: stop.code },
    });
  }

  /** Deletes the lock where this process holds it; says where it could not. */
  async release(): Promise<{ released: string[]; left: { region: string; error: string }[] }> {
    const result = await releaseWhere(this.aws, this.targets, (h) => sameHolder(h, this.value));
    for (const r of result.released) this.held.delete(r);
    return result;
  }

  /**
   * Re-reads the lock where this process holds it and writes `change` only where it is still
   * its own; takes regions that did not answer before if they are free now.
   */
  private async renew(change: Partial<LockValue>): Promise<void> {
    const next: LockValue = { ...this.value, ...change };
    const text = JSON.stringify(next);
    await Promise.all(
      this.targets.map(async ({ region, name }) => {
        try {
          if (this.held.has(region)) {
            const current = await this.aws.locks.read(region, name);
            const holder = current === undefined ? undefined : parseLockValue(current);
            if (!holder || !sameHolder(holder, this.value)) {
              this.held.delete(region);
              this.lost ??= { region, ...(holder ? { holder } : {}) };
              return;
            }
            await this.aws.locks.overwrite(region, name, text);
          } else if (this.unreachable.has(region)) {
            if (await this.aws.locks.create(region, name, text)) {
              this.unreachable.delete(region);
              this.held.add(region);
            } else {
              const current = await this.aws.locks.read(region, name);
              const holder = current === undefined ? undefined : parseLockValue(current);
              if (holder && holder.drillId !== this.value.drillId) {
                // Someone took it while the region was out of our reach: not exclusive any more.
                this.unreachable.delete(region);
                this.lost ??= { region, holder };
              }
            }
          }
        } catch (err) {
          // A renewal that fails is retried at the next beat; the lock lasts LOCK_TTL_MS.
          if (this.unreachable.has(region)) this.unreachable.set(region, errorText(err));
        }
      }),
    );
    this.value = next;
  }
}
