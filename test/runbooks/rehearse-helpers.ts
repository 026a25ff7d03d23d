// Shared by the rehearse tests: `drill rehearse` in-process, with no AWS credentials in the
// environment, in a temporary state directory.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../runbooks/drill/program';
import type { DrillRecord } from '../../runbooks/drill/record';
import type { JournalEntry } from '../../runbooks/drill/store';
import { assemblyDir } from '../deployed-app';

export interface RehearseRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `drill <args>` with every AWS_* variable removed from the environment. */
export async function rehearseCli(args: readonly string[]): Promise<RehearseRun> {
  const saved = Object.entries(process.env).filter(([k]) => k.startsWith('AWS_'));
  for (const [k] of saved) delete process.env[k];
  let stdout = '';
  let stderr = '';
  try {
    const code = await main(args, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    });
    return { code, stdout, stderr };
  } finally {
    for (const [k, v] of saved) process.env[k] = v;
  }
}

/** `drill rehearse <args> --assembly <assembly> --state-dir <stateDir>` (see rehearseCli). */
export function rehearseIn(
  stateDir: string,
  args: readonly string[],
  assembly: string = assemblyDir(),
): Promise<RehearseRun> {
  return rehearseCli(['rehearse', ...args, '--assembly', assembly, '--state-dir', stateDir]);
}

/** A fresh temporary directory, removed after the file's tests. */
export function tempDirs(): () => string {
  const made: string[] = [];
  afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  return () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-test-'));
    made.push(dir);
    return dir;
  };
}

/** The one drill directory of a scenario's state directory. */
export function drillDirOf(stateDir: string, scenario: string): string {
  const dir = path.join(stateDir, scenario);
  const drills = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  if (drills.length === 0) throw new Error(`no drill in ${dir}`);
  return path.join(dir, drills.sort().at(-1)!);
}

export function recordIn(drillDir: string): DrillRecord {
  return JSON.parse(fs.readFileSync(path.join(drillDir, 'record.json'), 'utf8')) as DrillRecord;
}

export function journalIn(drillDir: string): JournalEntry[] {
  return fs
    .readFileSync(path.join(drillDir, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as JournalEntry);
}
