import { LAG_METRICS } from '../../constructs/contract';
import { formatDuration } from './duration';
import type { DrillRecord, StepRecord } from './record';

// The measures of a drill, and why one was not measured.

export const duration = (ms: number | undefined) => (ms === undefined ? '-' : formatDuration(ms));

export const stepOf = (record: DrillRecord, id: string) => record.steps.find((s) => s.id === id);

export interface MeasureRow {
  readonly measure: string;
  readonly value: string;
  readonly objective: string;
}

/** What a step that did not complete did instead, for "not measured" texts. */
export function notCompleted(step: StepRecord | undefined, id: string): string {
  if (!step) return `the drill has no ${id} step`;
  switch (step.status) {
    case 'failed':
      return `step ${id} failed${step.error ? ` ([${step.error.code}] ${step.error.message})` : ''}`;
    case 'interrupted':
      return `step ${id} was interrupted`;
    case 'running':
      return `step ${id} is running`;
    case 'skipped':
      return `step ${id} was skipped`;
    default:
      return `step ${id} did not run`;
  }
}

/** The database-level RTO (the canary through the RDS Data API), or why it was not measured. */
export function clientRtoText(record: DrillRecord): string {
  const m = record.measures;
  if (m.clientRtoMs !== null) return formatDuration(m.clientRtoMs);
  const verify = stepOf(record, 'verify-writes');
  if (verify?.status !== 'completed') {
    return `not measured: the new writer has not taken a canary write (${notCompleted(verify, 'verify-writes')})`;
  }
  const open = m.outageWindows.find((w) => w.endedAt === undefined);
  if (open) {
    return `not measured: canary writes were still failing when the canary stopped (${open.failedWrites} failed since ${open.startedAt})`;
  }
  return 'no failed canary write';
}

function lostRowsText(record: DrillRecord): string {
  const rows = record.measures.lostRows;
  if (rows === null) {
    return `not verified: ${notCompleted(stepOf(record, 'verify-writes'), 'verify-writes')}`;
  }
  return rows.length === 0 ? '0' : `${rows.length} (seq ${rows.join(', ')})`;
}

/** The point-of-failure snapshot kept after an unplanned failover, or why there is none. */
export function failoverSnapshotText(record: DrillRecord): string {
  const s = record.measures.failoverSnapshot;
  if (!s) {
    return `not recorded: ${notCompleted(stepOf(record, 'keep-failover-snapshot'), 'keep-failover-snapshot')}`;
  }
  switch (s.status) {
    case 'copied':
      return s.source
        ? `${s.source} copied to manual snapshot ${s.copy}`
        : `manual snapshot ${s.copy} (copied by an earlier run)`;
    case 'not-found':
      return `none: ${s.reason}. ${s.next}`;
    case 'copy-failed':
      return `not kept${s.source ? `: ${s.source} found` : ''}, copy ${s.copy}: ${s.reason}${s.next ? `. ${s.next}` : ''}`;
    default:
      return `copy ${s.copy} of ${s.source} started, not seen available`;
  }
}

/** The promotion and the RPO lag read for it; a lag "at promotion" only when AWS accepted it. */
export function promotionRows(record: DrillRecord): MeasureRow[] {
  const p = record.measures.promotion;
  if (!p) return [];
  const objective = `RPO ${record.objectives.rpoSeconds} s`;
  const lag = (ms: number | null | undefined) =>
    ms === null || ms === undefined ? 'not reported' : `${ms} ms`;
  if (p.status === 'accepted') {
    return [
      {
        measure: 'promotion',
        value: p.requestedAt ? `requested at ${p.requestedAt}, accepted` : 'accepted',
        objective: '',
      },
      {
        measure: `${LAG_METRICS.rpo} at promotion`,
        value: lag(p.rpoLagMsBeforeRequest),
        objective,
      },
    ];
  }
  const error = p.error ? `[${p.error.code}] ${p.error.message}` : 'no error recorded';
  const value = {
    failed: `FAILED: ${error}${p.requestAttemptedAt ? ` (request attempted at ${p.requestAttemptedAt})` : ''}`,
    interrupted: p.requestAttemptedAt
      ? `unknown: the process ended inside step promote after it set out to send the request at ${p.requestAttemptedAt}; \`npx drill status\` shows where the writer is`
      : 'not requested: the process ended inside step promote before it sent the request',
    running: 'in progress',
    'not-requested': `not requested by this drill${p.summary ? `: ${p.summary}` : ''}`,
    pending: 'not requested: step promote did not run',
  }[p.status];
  const rows: MeasureRow[] = [{ measure: 'promotion', value, objective: '' }];
  if (p.rpoLagMsBeforeRequest !== undefined) {
    rows.push({
      measure: 'RPO lag read before the promotion request',
      value: lag(p.rpoLagMsBeforeRequest),
      objective,
    });
  }
  return rows;
}

/** The promotion for the summary table: the lag at an accepted one, else what happened instead. */
export function promotionSummary(record: DrillRecord): string {
  const rows = promotionRows(record);
  const shown = record.measures.promotion?.status === 'accepted' ? rows.slice(1) : rows;
  return shown.map((r) => `${r.measure}: ${r.value}`).join('; ');
}

/** The database-level rows, then `clientRows` (the client-level ones), then the totals. */
export function measureRows(
  record: DrillRecord,
  clientRows: readonly MeasureRow[] = [],
): MeasureRow[] {
  const m = record.measures;
  const o = record.objectives;
  return [
    {
      measure: 'database-level RTO (first failed to next acknowledged canary write)',
      value: clientRtoText(record),
      objective: `RTO ${o.rtoSeconds} s (computed floor ${o.rtoFloorSeconds} s)`,
    },
    {
      measure: 'database-level data loss: acknowledged canary rows missing on the new writer',
      value: lostRowsText(record),
      objective: `RPO ${o.rpoSeconds} s`,
    },
    ...(m.failoverSnapshot === undefined
      ? []
      : [
          {
            measure: 'point-of-failure snapshot of the old primary (lost writes)',
            value: failoverSnapshotText(record),
            objective: '',
          },
        ]),
    ...promotionRows(record),
    ...clientRows,
    {
      measure: 'canary writes',
      value: `${m.canaryWrites} (${m.canaryFailures} failed)`,
      objective: `one every ${formatDuration(record.timing.canaryIntervalMs)}`,
    },
    { measure: 'total drill time', value: duration(record.totalMs), objective: '' },
  ];
}
