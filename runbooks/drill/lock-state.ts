// The drill lock as read: its value, its holder, how status and refusals show it; release.
import type { DrillAws } from './aws/adapters';
import { abandonCommand, resumeCommand } from './commands';
import type { DrillTopology } from './discovery';
import { DrillError, errorText, isDrillError } from './errors';
import { drillLockParameterName } from './lock-name';
import { isFatal } from './observe';

/** A lock nobody renews for this long is no longer held by a running drill. */
export const LOCK_TTL_MS = 5 * 60_000;
/** How often a running drill renews its lock. */
export const LOCK_HEARTBEAT_MS = 60_000;

/** The value of the lock parameter (JSON). */
export interface LockValue {
  readonly drillId: string;
  /** The STS caller ARN of the operator, when it could be read. */
  readonly owner?: string;
  readonly host: string;
  readonly pid: number;
  readonly acquiredAt: string;
  readonly expiresAt: string;
  /** Set when the drill stopped unfinished: the lock is kept, but nobody is running it. */
  readonly stopped?: { readonly at: string; readonly step?: string; readonly code: string };
}

/** One region's lock parameter as read now. */
export type RegionLock = { readonly region: string; readonly parameterName: string } & (
  | { readonly state: 'free' }
  | { readonly state: 'held'; readonly holder: LockValue }
  | { readonly state: 'unreadable'; readonly error: string }
);

/** What the journal keeps of the lock a run took. */
export interface LockRecord {
  readonly parameterName: string;
  readonly heldIn: readonly string[];
  readonly unreachable: readonly { readonly region: string; readonly error: string }[];
}

export interface Target {
  readonly region: string;
  readonly name: string;
}

export function targetsOf(topology: DrillTopology): Target[] {
  return topology.regions.map((r) => ({
    region: r.region,
    name: drillLockParameterName(r.drainParameterName),
  }));
}

/** The lock parameter's name (the same in every region unless the drain switches differ). */
export function lockParameterName(topology: DrillTopology): string {
  return targetsOf(topology)[0]?.name ?? drillLockParameterName('/drain');
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** A value that is not a lock this CLI wrote still blocks: someone put it there. */
export function parseLockValue(text: string): LockValue {
  try {
    const v = JSON.parse(text) as Partial<LockValue>;
    if (typeof v.drillId === 'string' && typeof v.host === 'string') {
      return {
        drillId: v.drillId,
        ...(v.owner ? { owner: v.owner } : {}),
        host: v.host,
        pid: typeof v.pid === 'number' ? v.pid : -1,
        acquiredAt: String(v.acquiredAt ?? 'unknown'),
        expiresAt: String(v.expiresAt ?? 'unknown'),
        ...(v.stopped ? { stopped: v.stopped } : {}),
      };
    }
  } catch {
    // fall through
  }
  return {
    drillId: 'unknown',
    host: 'unknown',
    pid: -1,
    acquiredAt: 'unknown',
    expiresAt: 'unknown',
  };
}

export function sameHolder(a: LockValue, b: LockValue): boolean {
  return (
    a.drillId === b.drillId && a.pid === b.pid && a.host === b.host && a.acquiredAt === b.acquiredAt
  );
}

/** True when a process with this id exists (signal 0 only checks). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the holder's process still runs the drill, and if not, why we think so. */
export function holderState(
  holder: LockValue,
  now: number,
  host: string,
  isProcessAlive: (pid: number) => boolean,
): { readonly running: boolean; readonly why: string } {
  if (holder.stopped) {
    const at = holder.stopped.step ? ` at step ${holder.stopped.step}` : '';
    return {
      running: false,
      why: `it stopped${at} [${holder.stopped.code}] at ${holder.stopped.at}`,
    };
  }
  if (holder.host === host) {
    // On this host the process table is the truth, whatever the expiry says.
    return holder.pid > 0 && isProcessAlive(holder.pid)
      ? { running: true, why: 'its process is running' }
      : { running: false, why: `pid ${holder.pid} on ${holder.host} is not running` };
  }
  const expires = Date.parse(holder.expiresAt);
  if (Number.isNaN(expires) || expires <= now) {
    return { running: false, why: `its lock expired at ${holder.expiresAt} without a renewal` };
  }
  return { running: true, why: `its lock is renewed (expires ${holder.expiresAt})` };
}

/** Every region's lock parameter, read in parallel; a region that fails is shown as unreadable. */
export async function readLocks(aws: DrillAws, topology: DrillTopology): Promise<RegionLock[]> {
  return Promise.all(
    targetsOf(topology).map(async ({ region, name }): Promise<RegionLock> => {
      try {
        const text = await aws.locks.read(region, name);
        return text === undefined
          ? { region, parameterName: name, state: 'free' }
          : { region, parameterName: name, state: 'held', holder: parseLockValue(text) };
      } catch (err) {
        if (isFatal(err)) throw err;
        return { region, parameterName: name, state: 'unreadable', error: errorText(err) };
      }
    }),
  );
}

/** `drill status`: the lock in each region, with the holder and whether it still runs. */
export function lockStatusText(
  locks: readonly RegionLock[],
  now: number,
  host: string,
  isProcessAlive: (pid: number) => boolean,
): string {
  const names = [...new Set(locks.map((l) => l.parameterName))].join(', ');
  const lines = locks.map((l) => {
    if (l.state === 'free') return `  ${l.region}: free`;
    if (l.state === 'unreadable') return `  ${l.region}: unreadable: ${l.error}`;
    const h = l.holder;
    const state = holderState(h, now, host, isProcessAlive);
    return (
      `  ${l.region}: held by drill ${h.drillId} (${state.running ? 'running' : `not running: ${state.why}`}); ` +
      `pid ${h.pid} on ${h.host}, owner ${h.owner ?? 'unknown'}, since ${h.acquiredAt}, expires ${h.expiresAt}`
    );
  });
  return [`lock (${names}, one per region):`, ...lines].join('\n');
}

export function regionList(regions: readonly string[]): string {
  return regions.join(', ');
}

/** The refusal when `holder` holds the lock in `regions`. */
export function lockedError(
  holder: LockValue,
  regions: readonly string[],
  parameterName: string,
  now: number,
  host: string,
  isProcessAlive: (pid: number) => boolean,
): DrillError {
  const state = holderState(holder, now, host, isProcessAlive);
  if (state.running) {
    return new DrillError(
      'DRILL_LOCKED',
      `drill ${holder.drillId} is running (pid ${holder.pid} on ${holder.host}, owner ${holder.owner ?? 'unknown'}, ` +
        `since ${holder.acquiredAt}); it holds the drill lock ${parameterName} in ${regionList(regions)} until ${holder.expiresAt}`,
      {
        hint: 'Wait for it to finish, or stop it (Ctrl-C in its terminal); `npx drill status` shows the lock',
      },
    );
  }
  const where = holder.host === host ? '' : ` on ${holder.host}, where its journal is`;
  return new DrillError(
    'STALE_LOCK',
    `drill ${holder.drillId} holds the drill lock ${parameterName} in ${regionList(regions)} but is not running: ${state.why}`,
    {
      hint:
        `Continue it with \`${resumeCommand(holder.drillId)}\`${where}, ` +
        `or give it up with \`${abandonCommand(holder.drillId)}\` ` +
        '(it records the state the drill leaves, then releases the lock)',
    },
  );
}

/** Deletes the lock parameter in every region where `match` holds it. */
export async function releaseWhere(
  aws: DrillAws,
  targets: readonly Target[],
  match: (holder: LockValue) => boolean,
): Promise<{ released: string[]; left: { region: string; error: string }[] }> {
  const released: string[] = [];
  const left: { region: string; error: string }[] = [];
  await Promise.all(
    targets.map(async ({ region, name }) => {
      try {
        const current = await aws.locks.read(region, name);
        if (current === undefined || !match(parseLockValue(current))) return;
        await aws.locks.remove(region, name);
        released.push(region);
      } catch (err) {
        if (isFatal(err)) throw err;
        left.push({ region, error: errorText(err) });
      }
    }),
  );
  const order = targets.map((t) => t.region);
  const byOrder = (a: string, b: string) => order.indexOf(a) - order.indexOf(b);
  released.sort(byOrder);
  left.sort((a, b) => byOrder(a.region, b.region));
  return { released, left };
}

/** `drill abandon`: removes the lock of `drillId` wherever it is held. */
export function releaseLockOf(
  aws: DrillAws,
  topology: DrillTopology,
  drillId: string,
): Promise<{ released: string[]; left: { region: string; error: string }[] }> {
  return releaseWhere(aws, targetsOf(topology), (h) => h.drillId === drillId);
}

export interface AcquireOptions {
  readonly drillId: string;
  readonly owner?: string;
  readonly host: string;
  readonly pid: number;
  readonly isProcessAlive: (pid: number) => boolean;
  /** Resume: this drill's own lock may be taken over when no process runs the drill. */
  readonly takeOver: boolean;
}

export type Attempt =
  | { readonly target: Target; readonly outcome: 'created' }
  | { readonly target: Target; readonly outcome: 'held'; readonly holder: LockValue }
  | { readonly target: Target; readonly outcome: 'unreachable'; readonly error: string }
  | { readonly target: Target; readonly outcome: 'failed'; readonly error: unknown };

/** A region that does not answer; any other failure (access denied, ...) refuses the lock. */
export function unreachable(err: unknown): boolean {
  return isDrillError(err, 'AWS_ERROR') && err.transient;
}
