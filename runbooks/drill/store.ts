import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DrillError } from './errors';
import type { CanarySample, DrillKind, DrillParams, Timing } from './model';

/**
 * The AWS principal that ran an attempt: the `Arn`, `Account` and `UserId` that STS
 * GetCallerIdentity returns (AWS STS API Reference, GetCallerIdentity, Response Elements).
 */
export interface OperatorIdentity {
  readonly arn: string;
  readonly account: string;
  readonly userId: string;
}

/** Settings of the run that matter to a reader of the journal. */
export interface JournalHeader {
  readonly type: 'drill';
  readonly at: number;
  readonly params: DrillParams;
  readonly timing: Timing;
  readonly homeRegion: string;
  /** Objectives from the outputs, for the report. */
  readonly objectives: {
    readonly rpoSeconds: number;
    readonly rtoSeconds: number;
    readonly rtoFloorSeconds: number;
  };
  readonly globalClusterIdentifier: string;
  readonly outputsFile: string;
  /** The plan as started: step ids and titles, in order. */
  readonly steps: readonly { readonly id: string; readonly title: string }[];
  readonly pid: number;
  readonly host: string;
  /** Who started the drill; absent in journals written before it was captured. */
  readonly operator?: OperatorIdentity;
}

export type StepEvent = 'started' | 'completed' | 'skipped' | 'failed' | 'note';

export interface StepEntry {
  readonly type: 'step';
  readonly at: number;
  readonly step: string;
  readonly event: StepEvent;
  readonly summary?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly durationMs?: number;
  readonly error?: { readonly code: string; readonly message: string };
}

export type JournalEntry =
  | JournalHeader
  | StepEntry
  | {
      readonly type: 'resumed';
      readonly at: number;
      readonly pid: number;
      readonly host: string;
      /** Who resumed the drill; absent in journals written before it was captured. */
      readonly operator?: OperatorIdentity;
    }
  | { readonly type: 'finished'; readonly at: number }
  | {
      readonly type: 'stopped';
      readonly at: number;
      readonly error: { readonly code: string; readonly message: string; readonly hint?: string };
    };

/** Who holds the lock. */
export interface LockInfo {
  readonly drillId: string;
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

export interface LockOptions {
  readonly pid: number;
  readonly now: number;
  readonly isProcessAlive: (pid: number) => boolean;
  /** Resume of this drill may take over its own lock when the holder is dead. */
  readonly takeOverStaleFrom?: string;
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

/**
 * The state directory: `lock`, and per drill `<id>/journal.jsonl` (steps, fsynced),
 * `<id>/canary.jsonl` (canary writes) and `<id>/record.json` (the finished record).
 */
export class DrillStore {
  constructor(readonly dir: string) {}

  get lockPath(): string {
    return path.join(this.dir, 'lock');
  }

  drillDir(drillId: string): string {
    return path.join(this.dir, drillId);
  }

  /** `<kind>-<UTC timestamp>-<target>`, with a counter if that exists already. */
  newDrillId(kind: DrillKind, targetRegion: string, now: number): string {
    const stamp = new Date(now)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const base = `${kind}-${stamp}-${targetRegion}`;
    let id = base;
    for (let n = 2; fs.existsSync(this.drillDir(id)); n++) id = `${base}-${n}`;
    return id;
  }

  create(header: JournalHeader): void {
    fs.mkdirSync(this.drillDir(header.params.drillId), { recursive: true });
    this.append(header.params.drillId, header);
  }

  append(drillId: string, entry: JournalEntry): void {
    appendDurably(path.join(this.drillDir(drillId), 'journal.jsonl'), `${JSON.stringify(entry)}\n`);
  }

  journal(drillId: string): JournalEntry[] {
    const file = path.join(this.drillDir(drillId), 'journal.jsonl');
    if (!fs.existsSync(file)) {
      throw new DrillError('NO_DRILL', `no journal for drill ${drillId} in ${this.dir}`, {
        hint: `List drills with: ls ${this.dir}`,
      });
    }
    return readJsonLines<JournalEntry>(file);
  }

  header(drillId: string): JournalHeader {
    const first = this.journal(drillId)[0];
    if (first?.type !== 'drill') {
      throw new DrillError('NO_DRILL', `journal of drill ${drillId} has no header line`);
    }
    return first;
  }

  appendCanary(drillId: string, sample: CanarySample): void {
    // Not fsynced: a canary sample lost in a crash changes a measure, never what the drill does.
    fs.appendFileSync(
      path.join(this.drillDir(drillId), 'canary.jsonl'),
      `${JSON.stringify(sample)}\n`,
    );
  }

  canary(drillId: string): CanarySample[] {
    const file = path.join(this.drillDir(drillId), 'canary.jsonl');
    return fs.existsSync(file) ? readJsonLines<CanarySample>(file) : [];
  }

  writeRecord(drillId: string, record: unknown): string {
    const file = path.join(this.drillDir(drillId), 'record.json');
    const temporary = `${file}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
    fs.renameSync(temporary, file);
    return file;
  }

  /** Every drill in the directory, oldest first. */
  drillIds(): string[] {
    if (!fs.existsSync(this.dir)) return [];
    return fs
      .readdirSync(this.dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(this.dir, d.name, 'journal.jsonl')))
      .map((d) => ({ id: d.name, at: this.header(d.name).at }))
      .sort((a, b) => a.at - b.at || a.id.localeCompare(b.id))
      .map((d) => d.id);
  }

  readLock(): LockInfo | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.lockPath, 'utf8')) as LockInfo;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      // Unreadable or half-written: treat as held by nobody alive.
      return { drillId: 'unknown', pid: -1, host: os.hostname(), startedAt: 'unknown' };
    }
  }

  /** Creates the lock atomically, or explains who holds it and what to do. */
  acquireLock(drillId: string, options: LockOptions): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const info: LockInfo = {
      drillId,
      pid: options.pid,
      host: os.hostname(),
      startedAt: new Date(options.now).toISOString(),
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(this.lockPath, JSON.stringify(info), { flag: 'wx' });
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = this.readLock();
      if (!holder) continue;
      const sameHost = holder.host === os.hostname();
      const alive = !sameHost || (holder.pid > 0 && options.isProcessAlive(holder.pid));
      if (alive) {
        throw new DrillError(
          'DRILL_LOCKED',
          `drill ${holder.drillId} is running (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}); lock: ${this.lockPath}`,
          {
            hint: 'Wait for it to finish, or stop that process; then `drill resume` continues it if needed',
          },
        );
      }
      if (holder.drillId === options.takeOverStaleFrom) {
        fs.rmSync(this.lockPath, { force: true });
        continue;
      }
      throw new DrillError(
        'STALE_LOCK',
        `drill ${holder.drillId} stopped without releasing the lock (pid ${holder.pid} is not running, started ${holder.startedAt}); lock: ${this.lockPath}`,
        {
          hint:
            `Continue it with \`drill resume --drill-id ${holder.drillId} --execute\` (it takes the lock over), ` +
            `or read it with \`drill report --drill-id ${holder.drillId}\` and then remove ${this.lockPath}`,
        },
      );
    }
    throw new DrillError('DRILL_LOCKED', `could not take the lock ${this.lockPath}`);
  }

  releaseLock(drillId: string): void {
    if (this.readLock()?.drillId === drillId) fs.rmSync(this.lockPath, { force: true });
  }
}

function appendDurably(file: string, text: string): void {
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function readJsonLines<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as T];
      } catch {
        // A line cut short by a crash: everything before it still counts.
        return [];
      }
    });
}
