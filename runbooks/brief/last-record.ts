// The drill or rehearsal the brief reports as "last measured": the newest record of this
// topology's global database in the drill's state directory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DrillRecord } from '../drill/record';
import { DrillStore } from '../drill/store';

/** A record the drill wrote, with where it was read from. */
export interface StoredRecord {
  readonly file: string;
  readonly record: DrillRecord;
  /**
   * When the file was last written (ms): what "newest" means, because every rehearsal's
   * virtual clock starts at the same instant.
   */
  readonly writtenAt: number;
}

/** Reads one `record.json` (`drill report --format json` writes the same file). */
export function readRecord(file: string): StoredRecord {
  if (!fs.existsSync(file)) {
    throw new Error(`--record ${file}: no such file; give a record.json the drill wrote`);
  }
  let record: DrillRecord;
  try {
    record = JSON.parse(fs.readFileSync(file, 'utf8')) as DrillRecord;
  } catch (e) {
    throw new Error(
      `--record ${file}: not JSON (${(e as Error).message}); give a record.json the drill wrote`,
    );
  }
  if (record?.version !== 2 || typeof record.drillId !== 'string') {
    throw new Error(
      `--record ${file}: not a drill record (version 2 with a drillId); give a record.json the drill wrote`,
    );
  }
  return { file, record, writtenAt: fs.statSync(file).mtimeMs };
}

/** Real drills live in `<state-dir>/<id>`, rehearsals in `<state-dir>/rehearsals/<scenario>/<id>`. */
const REHEARSALS_DIR = 'rehearsals';

function storedRecords(dir: string): StoredRecord[] {
  const store = new DrillStore(dir);
  return store.drillIds().flatMap((id) => {
    const file = path.join(store.drillDir(id), 'record.json');
    return fs.existsSync(file) ? [readRecord(file)] : [];
  });
}

/**
 * The newest record of `globalClusterIdentifier` per real drill kind and per rehearsal
 * scenario in `stateDir` (the drill's `--state-dir`, default `.drill`), real drills first,
 * newest first; empty when there is none (or no such directory).
 */
export function latestRecords(stateDir: string, globalClusterIdentifier: string): StoredRecord[] {
  const rehearsals = path.join(stateDir, REHEARSALS_DIR);
  const scenarioDirs = fs.existsSync(rehearsals)
    ? fs
        .readdirSync(rehearsals, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => path.join(rehearsals, d.name))
    : [];
  const newest = new Map<string, StoredRecord>();
  for (const stored of [stateDir, ...scenarioDirs].flatMap(storedRecords)) {
    const { record } = stored;
    if (record.globalClusterIdentifier !== globalClusterIdentifier) continue;
    const key = record.rehearsal
      ? `rehearsal ${record.rehearsal.scenario}`
      : `drill ${record.kind}`;
    const seen = newest.get(key);
    if (!seen || stored.writtenAt >= seen.writtenAt) {
      newest.set(key, stored);
    }
  }
  return [...newest.values()].sort(
    (a, b) =>
      Number(a.record.rehearsal !== undefined) - Number(b.record.rehearsal !== undefined) ||
      b.writtenAt - a.writtenAt ||
      a.record.drillId.localeCompare(b.record.drillId),
  );
}
