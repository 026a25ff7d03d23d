import * as fs from 'node:fs';
import * as path from 'node:path';
import { DrillError } from './errors';
import type { LockRecord } from './lock';
import type { ClientLogEntry } from './client-model';
import type { CanarySample, DrillKind, DrillParams, Timing } from './model';
import type { CheckResult } from './preflight';
import {
  REHEARSAL_FINDINGS_FILE,
  type RehearsalFindings,
  type RehearsalMarker,
} from './record-rehearsal';
import type { StepDetails, StepId } from './steps/outcomes';

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
  /** Where the drill lock was taken, and which regions did not answer. */
  readonly lock?: LockRecord;
  /** `drill rehearse`: the drill ran against the simulation, with this scenario. */
  readonly rehearsal?: RehearsalMarker;
}

/** A later process continued the drill. */
export interface ResumedEntry {
  readonly type: 'resumed';
  readonly at: number;
  readonly pid: number;
  readonly host: string;
  readonly operator?: OperatorIdentity;
  /** Timing of this run: the journal's, with what the command line gave over it. */
  readonly timing?: Timing;
  /** `--force --reason` of this resume: the resume gate (and the gates steps apply) waived. */
  readonly forceReason?: string;
  /** The resume gate's verdicts on the state at the moment of the resume. */
  readonly gate?: readonly CheckResult[];
  readonly lock?: LockRecord;
}

/** `drill abandon`: the drill is given up in the state it left; its lock is released. */
export interface AbandonedEntry {
  readonly type: 'abandoned';
  readonly at: number;
  readonly reason: string;
  readonly pid: number;
  readonly host: string;
  readonly operator?: OperatorIdentity;
  /** What the drill leaves, read just before the lock is released. */
  readonly state: {
    readonly writerRegion: string | null;
    /** Each region's drain switch value, or the error reading it. */
    readonly drains: Readonly<Record<string, string>>;
  };
  /** Regions whose lock parameter held this drill's lock. */
  readonly lockHeldIn: readonly string[];
}

export type StepEvent = 'started' | 'completed' | 'skipped' | 'failed' | 'note';

/**
 * One event of step `K`. `details` is the step's typed outcome (part of it in a note); the
 * JSON is what drills have always written, so older journals read into these types.
 */
export interface StepEntryOf<K extends StepId> {
  readonly type: 'step';
  readonly at: number;
  readonly step: K;
  readonly event: StepEvent;
  readonly summary?: string;
  readonly details?: StepDetails<K>;
  readonly durationMs?: number;
  readonly error?: { readonly code: string; readonly message: string };
  /** On a `failed` run with a transient AWS error and time left: the step runs again after this pause. */
  readonly retryInMs?: number;
}

/** A step event, discriminated by `step`: narrowing on the id types its `details`. */
export type StepEntry = { [K in StepId]: StepEntryOf<K> }[StepId];

export type JournalEntry =
  | JournalHeader
  | StepEntry
  | ResumedEntry
  | AbandonedEntry
  | { readonly type: 'finished'; readonly at: number }
  | StoppedEntry;

/** The drill stopped unfinished (error, timeout, Ctrl-C); its lock is kept unless it changed nothing. */
export interface StoppedEntry {
  readonly type: 'stopped';
  readonly at: number;
  /** The step that was running or about to run. */
  readonly step?: string;
  readonly error: { readonly code: string; readonly message: string; readonly hint?: string };
}

/**
 * The state directory: per drill `<id>/journal.jsonl` (steps, fsynced), `<id>/canary.jsonl`
 * (canary writes), `<id>/client.jsonl` (the client canary's DNS answers, requests and health
 * check readings) and `<id>/record.json` (the record). The lock lives in AWS (lock.ts), so that
 * operators with different state directories or machines exclude each other.
 */
export class DrillStore {
  constructor(readonly dir: string) {}

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

  appendClient(drillId: string, entry: ClientLogEntry): void {
    // Not fsynced, like the canary: a lost line changes a measure, never what the drill does.
    fs.appendFileSync(
      path.join(this.drillDir(drillId), 'client.jsonl'),
      `${JSON.stringify(entry)}\n`,
    );
  }

  /** The client canary's log; [] for a drill that has none (older drills, dry runs). */
  client(drillId: string): ClientLogEntry[] {
    const file = path.join(this.drillDir(drillId), 'client.jsonl');
    return fs.existsSync(file) ? readJsonLines<ClientLogEntry>(file) : [];
  }

  /** What a rehearsal's simulation found (record-rehearsal.ts); undefined for a real drill. */
  rehearsalFindings(drillId: string): RehearsalFindings | undefined {
    const file = path.join(this.drillDir(drillId), REHEARSAL_FINDINGS_FILE);
    return fs.existsSync(file)
      ? (JSON.parse(fs.readFileSync(file, 'utf8')) as RehearsalFindings)
      : undefined;
  }

  writeRehearsalFindings(drillId: string, findings: RehearsalFindings): void {
    fs.writeFileSync(
      path.join(this.drillDir(drillId), REHEARSAL_FINDINGS_FILE),
      `${JSON.stringify(findings, null, 2)}\n`,
    );
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
