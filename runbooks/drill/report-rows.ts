import { clientMeasureRows, clientSection, objectivesTable } from './report-client';
import { duration, measureRows } from './report-measures';
import type { AttemptEnd, AttemptRecord, DrillRecord, StepRecord, StepRun } from './record';

// The rows and texts the Markdown and HTML reports share.

const NOT_RECORDED = 'not recorded';

function where(end: { readonly step?: string; readonly afterStep?: string }): string {
  if (end.step) return `in step ${end.step}`;
  return end.afterStep ? `after step ${end.afterStep}` : 'before the first step';
}

function endedText(attempt: AttemptRecord): string {
  const e: AttemptEnd = attempt.ended;
  switch (e.how) {
    case 'finished':
      return `finished at ${e.at}`;
    case 'stopped':
      return `stopped at ${e.at} ${where(e)}: [${e.error.code}] ${e.error.message}`;
    case 'interrupted':
      return `interrupted ${where(e)}: its last journal entry is at ${attempt.lastEntryAt} and no process is running it`;
    case 'running':
      return `running ${where(e)} (pid ${e.runningIn.pid} on ${e.runningIn.host})`;
  }
}

/** "State / next" of an attempt: the stopped entry's hint, or how to continue an interrupted drill. */
function attemptNext(record: DrillRecord, attempt: AttemptRecord): string {
  if (attempt.ended.how === 'stopped') return attempt.ended.error.hint ?? '';
  const isLast = attempt === record.attempts.at(-1);
  return isLast && attempt.ended.how === 'interrupted' ? (record.next ?? '') : '';
}

/** One row per attempt: the start and every resume, who ran it and how it ended. */
function attemptRows(record: DrillRecord): string[][] {
  return record.attempts.map((a) => [
    String(a.attempt),
    `${a.began} ${a.at}`,
    String(a.pid),
    a.host,
    a.operator?.arn ?? NOT_RECORDED,
    a.operator?.account ?? NOT_RECORDED,
    endedText(a),
    attemptNext(record, a),
  ]);
}

const ATTEMPT_HEAD = [
  'attempt',
  'began',
  'pid',
  'host',
  'operator',
  'account',
  'ended',
  'state / next',
];

function runEnd(run: StepRun): string {
  if (run.status === 'failed') {
    const failed = run.error ? `failed: [${run.error.code}] ${run.error.message}` : 'failed';
    return run.retryInMs === undefined
      ? failed
      : `${failed}; transient, run again after ${duration(run.retryInMs)}`;
  }
  return run.status === 'interrupted'
    ? 'interrupted: the process ended inside the step'
    : run.status;
}

/** Runs that failed or were interrupted, including those a resume later completed. */
function failedRunRows(record: DrillRecord): string[][] {
  return record.steps.flatMap((s) =>
    s.runs
      .filter((r) => r.status === 'failed' || r.status === 'interrupted')
      .map((r) => [s.id, String(r.attempt), r.startedAt, duration(r.durationMs), runEnd(r)]),
  );
}

const FAILED_RUN_HEAD = ['step', 'attempt', 'started', 'duration', 'how it ended'];

/** The drill's fields: times, why and where it stopped, and what to do next. */
function fieldRows(record: DrillRecord): string[][] {
  const rows = [
    ['started', record.startedAt],
    ['finished', record.finishedAt ?? '-'],
    ['total', duration(record.totalMs)],
    ['resumed', record.resumedAt.length ? record.resumedAt.join(', ') : 'never'],
  ];
  if (record.forceReason) {
    rows.push(['started despite failed preflight (--force)', record.forceReason]);
  }
  if (record.abandoned) {
    const a = record.abandoned;
    const drains = Object.entries(a.state.drains)
      .map(([region, value]) => `${region} ${value}`)
      .join(', ');
    rows.push(
      [
        'abandoned',
        `${a.at} by ${a.operator?.arn ?? 'operator not recorded'} on ${a.host}: ${a.reason}`,
      ],
      [
        'left in this state',
        `writer ${a.state.writerRegion ?? 'unknown'}; drain switches: ${drains}`,
      ],
    );
  }
  const last = record.attempts.at(-1)!;
  const e = last.ended;
  if (e.how === 'stopped') {
    rows.push(
      ['stopped with', `[${e.error.code}] ${e.error.message}`],
      ['stopped', `${where(e)} (attempt ${last.attempt})`],
    );
    if (e.error.hint) rows.push(['State / next', e.error.hint]);
  } else if (e.how === 'interrupted') {
    rows.push(
      [
        'interrupted',
        `the journal ends at ${last.lastEntryAt} ${where(e)} (attempt ${last.attempt}, pid ${last.pid} on ${last.host}) and no process is running the drill`,
      ],
      ['State / next', record.next ?? ''],
    );
  } else if (e.how === 'running') {
    rows.push([
      'running',
      `${where(e)}: pid ${e.runningIn.pid} on ${e.runningIn.host} runs it; last journal entry at ${last.lastEntryAt}`,
    ]);
  }
  return rows;
}

function stepResult(step: StepRecord): string {
  return step.error ? `[${step.error.code}] ${step.error.message}` : (step.summary ?? '');
}

/** One row per step: number, id and title, status, start, duration, result. */
function stepRows(record: DrillRecord): string[][] {
  return record.steps.map((s, i) => [
    String(i + 1),
    `${s.id}: ${s.title}`,
    s.attempts > 1 ? `${s.status} (${s.attempts} runs)` : s.status,
    s.startedAt ?? '-',
    duration(s.durationMs),
    stepResult(s),
  ]);
}

export interface ReportTable {
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The tables both reports show; `failedRuns` may have no rows, `preflight` is absent when not run. */
export function reportTables(record: DrillRecord): {
  readonly fields: ReportTable;
  readonly attempts: ReportTable;
  readonly measures: ReportTable;
  /** Each objective against the database-level and the client-level figure. */
  readonly objectives: ReportTable;
  /** Absent for a drill without a client log. */
  readonly client: ReturnType<typeof clientSection>;
  readonly steps: ReportTable;
  readonly failedRuns: ReportTable;
  readonly preflight?: ReportTable;
  /** `--engine arc`: the ARC execution, its steps and its own events; absent otherwise. */
  readonly arc?: ArcSection;
} {
  const arc = arcSection(record);
  return {
    ...(arc ? { arc } : {}),
    fields: { head: ['field', 'value'], rows: fieldRows(record) },
    attempts: { head: ATTEMPT_HEAD, rows: attemptRows(record) },
    measures: {
      head: ['measure', 'value', 'objective'],
      rows: measureRows(record, clientMeasureRows(record)).map((r) => [
        r.measure,
        r.value,
        r.objective,
      ]),
    },
    objectives: objectivesTable(record),
    client: clientSection(record),
    steps: {
      head: ['#', 'step', 'status', 'started', 'duration', 'result'],
      rows: stepRows(record),
    },
    failedRuns: { head: FAILED_RUN_HEAD, rows: failedRunRows(record) },
    ...(record.preflight
      ? {
          preflight: {
            head: ['check', 'result', 'reason'],
            rows: record.preflight.map((c) => [c.id, c.ok ? 'pass' : 'FAIL', c.reason]),
          },
        }
      : {}),
  };
}

export { duration, stepOf } from './report-measures';

/** The ARC execution of an `--engine arc` drill, as the report shows it. */
export interface ArcSection {
  readonly lines: readonly string[];
  readonly steps: ReportTable;
  readonly events: ReportTable;
}

const isoOf = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString());

/** The arc-execution step's outcome: plan, execution, its steps, events and report location. */
export function arcSection(record: DrillRecord): ArcSection | undefined {
  const step = record.steps.find((s) => s.id === 'arc-execution');
  if (!step) return undefined;
  const d = step.details ?? {};
  return {
    lines: [
      `plan: ${d.planName ?? '?'} (${d.planArn ?? '?'}), ${d.mode ?? '?'}, data plane of ${d.arcRegion ?? '?'}`,
      `execution: ${d.executionId ?? 'not started'}${d.executionState ? `, ${d.executionState}` : ''}` +
        (d.approvals?.length
          ? `; approved: ${d.approvals.map((a) => `${a.step} at ${isoOf(a.at)}`).join(', ')}`
          : '') +
        (d.switchedToUngracefulAt !== undefined
          ? `; switched to ungraceful at ${isoOf(d.switchedToUngracefulAt)}`
          : ''),
      `ARC execution report: ${d.reportLocation ?? 'not recorded'}`,
    ],
    steps: {
      head: ['ARC step', 'status', 'started', 'duration', 'mode'],
      rows: (d.arcSteps ?? []).map((s) => [
        s.name,
        s.status,
        isoOf(s.startedAt),
        s.startedAt !== undefined && s.endedAt !== undefined
          ? duration(s.endedAt - s.startedAt)
          : '-',
        s.mode ?? '-',
      ]),
    },
    events: {
      head: ['time', 'event', 'step', 'block', 'message'],
      rows: (d.arcEvents ?? []).map((e) => [
        isoOf(e.at),
        e.type,
        e.stepName ?? '-',
        e.blockType ?? '-',
        e.error ?? e.description ?? '',
      ]),
    },
  };
}
