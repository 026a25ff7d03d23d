import * as fs from 'node:fs';
import * as path from 'node:path';
import { DrillError } from '../errors';
import { drillState } from '../journal';
import { buildRecord, type DrillRecord, type RecordOptions } from '../record';
import { renderReport, type ReportFormat } from '../report';
import { DrillStore } from '../store';
import type { ActionContext } from './context';
import { withGameDay } from './game-day';

export interface ReportOptions {
  drillId?: string;
  format: ReportFormat;
  out?: string;
  stateDir: string;
}

/** `drill report`: a drill's record as JSON, Markdown or HTML, from the state directory only. */
export function report(ctx: ActionContext, opts: ReportOptions): void {
  const store = new DrillStore(opts.stateDir);
  const drillId = opts.drillId ?? store.drillIds().at(-1);
  if (!drillId) {
    throw new DrillError('NO_DRILL', `no drills in ${opts.stateDir}`, {
      hint: 'Run a drill with --execute first',
    });
  }
  const record = readRecord(store, drillId, runningIn(ctx, store, drillId));
  const dir = opts.out ?? store.drillDir(drillId);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, opts.format === 'json' ? 'record.json' : `report.${opts.format}`);
  // A game day's failover carries its game-day section (actions/game-day.ts).
  fs.writeFileSync(
    file,
    withGameDay(renderReport(record, opts.format), opts.format, store.drillDir(drillId)),
  );
  ctx.say('DRILL_I0600', `${opts.format} report of ${drillId} (${record.outcome}): ${file}`);
}

/**
 * The process that runs the drill now, if any: the journal's last run that has not ended,
 * if its pid lives (report reads only the state directory, not the lock in AWS).
 */
function runningIn(
  ctx: ActionContext,
  store: DrillStore,
  drillId: string,
): RecordOptions['runningIn'] {
  const { deps } = ctx;
  const run = drillState(store.journal(drillId)).lastRun;
  if (run.ended) return undefined;
  // Another host's pid cannot be checked from here: the run stands.
  const alive = run.host !== deps.host || (run.pid > 0 && deps.isProcessAlive(run.pid));
  return alive ? { pid: run.pid, host: run.host } : undefined;
}

/** The record as the journal has it now (also for drills that stopped or are still running). */
function readRecord(
  store: DrillStore,
  drillId: string,
  running?: RecordOptions['runningIn'],
): DrillRecord {
  return buildRecord(store.journal(drillId), store.canary(drillId), {
    runningIn: running,
    client: store.client(drillId),
    rehearsalFindings: store.rehearsalFindings(drillId),
  });
}
