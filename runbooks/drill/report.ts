import { formatDuration } from './duration';
import type { AttemptEnd, AttemptRecord, DrillRecord, StepRecord, StepRun } from './record';

export type ReportFormat = 'json' | 'md' | 'html';

export function renderReport(record: DrillRecord, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(record, null, 2)}\n`;
  return format === 'md' ? renderMarkdown(record) : renderHtml(record);
}

const duration = (ms: number | undefined) => (ms === undefined ? '-' : formatDuration(ms));

const NOT_RECORDED = 'not recorded';

export interface MeasureRow {
  readonly measure: string;
  readonly value: string;
  readonly objective: string;
}

/** What a step that did not complete did instead, for "not measured" texts. */
function notCompleted(step: StepRecord | undefined, id: string): string {
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

const stepOf = (record: DrillRecord, id: string) => record.steps.find((s) => s.id === id);

/** The client-seen RTO, or why it was not measured. */
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
        measure: 'AuroraGlobalDBRPOLag at promotion',
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

function measureRows(record: DrillRecord): MeasureRow[] {
  const m = record.measures;
  const o = record.objectives;
  return [
    {
      measure: 'client-seen RTO (first failed to next acknowledged canary write)',
      value: clientRtoText(record),
      objective: `RTO ${o.rtoSeconds} s (computed floor ${o.rtoFloorSeconds} s)`,
    },
    {
      measure: 'data loss: acknowledged canary rows missing on the new writer',
      value: lostRowsText(record),
      objective: `RPO ${o.rpoSeconds} s`,
    },
    ...promotionRows(record),
    {
      measure: 'canary writes',
      value: `${m.canaryWrites} (${m.canaryFailures} failed)`,
      objective: `one every ${formatDuration(record.timing.canaryIntervalMs)}`,
    },
    { measure: 'total drill time', value: duration(record.totalMs), objective: '' },
  ];
}

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
    return run.error ? `failed: [${run.error.code}] ${run.error.message}` : 'failed';
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

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function mdTable(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`),
  ].join('\n');
}

export function renderMarkdown(record: DrillRecord): string {
  const parts = [
    `# Drill ${record.drillId}`,
    `${record.kind} of \`${record.globalClusterIdentifier}\` from ${record.fromRegion} to ${record.targetRegion}: **${record.outcome}**`,
    mdTable(['field', 'value'], fieldRows(record)),
    '## Attempts',
    mdTable(ATTEMPT_HEAD, attemptRows(record)),
    '## Measures',
    mdTable(
      ['measure', 'value', 'objective'],
      measureRows(record).map((r) => [r.measure, r.value, r.objective]),
    ),
    '## Steps',
    mdTable(['#', 'step', 'status', 'started', 'duration', 'result'], stepRows(record)),
  ];
  const failedRuns = failedRunRows(record);
  if (failedRuns.length) {
    parts.push('## Failed and interrupted step runs', mdTable(FAILED_RUN_HEAD, failedRuns));
  }
  if (record.preflight) {
    parts.push(
      '## Preflight',
      mdTable(
        ['check', 'result', 'reason'],
        record.preflight.map((c) => [c.id, c.ok ? 'pass' : 'FAIL', c.reason]),
      ),
    );
  }
  if (record.measures.outageWindows.length) {
    parts.push(
      '## Canary outage windows',
      mdTable(
        ['from', 'to', 'duration', 'failed writes'],
        record.measures.outageWindows.map((w) => [
          w.startedAt,
          w.endedAt ?? 'still failing',
          duration(w.durationMs),
          String(w.failedWrites),
        ]),
      ),
    );
  }
  return `${parts.join('\n\n')}\n`;
}

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function htmlTable(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c).replace(/\r?\n/g, '<br>')}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const STATUS_COLOURS: Record<string, string> = {
  completed: '#2e7d32',
  skipped: '#78909c',
  failed: '#c62828',
  interrupted: '#ef6c00',
  running: '#1565c0',
  pending: '#cfd8dc',
};

/**
 * Steps as bars on one time axis (one bar per run, failed and interrupted ones included),
 * canary outages below them, each resume and the promotion as lines.
 */
export function timelineSvg(record: DrillRecord): string {
  const start = Date.parse(record.startedAt);
  const lastSeen = (run: StepRun) =>
    Date.parse(
      record.attempts.find((a) => a.attempt === run.attempt)?.lastEntryAt ?? run.startedAt,
    );
  const runEndAt = (run: StepRun) =>
    run.durationMs !== undefined ? Date.parse(run.startedAt) + run.durationMs : lastSeen(run);
  const ends = record.steps.flatMap((s) => s.runs.map(runEndAt));
  const end = Math.max(
    record.finishedAt ? Date.parse(record.finishedAt) : start,
    ...record.attempts.map((a) => Date.parse(a.lastEntryAt)),
    ...ends,
    start + 1,
  );
  const span = end - start;
  const labelWidth = 190;
  const chartWidth = 700;
  const rowHeight = 24;
  const top = 16; // room for the resume labels
  const rows = record.steps.length + 1;
  const height = top + rows * rowHeight + 40;
  const x = (t: number) => labelWidth + ((t - start) / span) * chartWidth;
  const parts: string[] = [];
  record.steps.forEach((s, i) => {
    const y = top + i * rowHeight + 10;
    parts.push(`<text x="4" y="${y + 15}" font-size="12">${esc(`${i + 1}. ${s.id}`)}</text>`);
    for (const run of s.runs) {
      const from = Date.parse(run.startedAt);
      const width = Math.max(2, ((runEndAt(run) - from) / span) * chartWidth);
      const result = run.error ? `[${run.error.code}] ${run.error.message}` : (run.summary ?? '');
      parts.push(
        `<rect x="${x(from).toFixed(1)}" y="${y + 3}" width="${width.toFixed(1)}" height="${rowHeight - 8}" fill="${STATUS_COLOURS[run.status] ?? '#999'}">` +
          `<title>${esc(`${s.id} attempt ${run.attempt} ${run.status} ${duration(run.durationMs)}${result ? `: ${result}` : ''}`)}</title></rect>`,
      );
    }
    const lastRun = s.runs.at(-1);
    if (lastRun) {
      parts.push(
        `<text x="${(x(runEndAt(lastRun)) + 4).toFixed(1)}" y="${y + 15}" font-size="11">${esc(duration(s.durationMs))}</text>`,
      );
    }
  });
  const canaryY = top + record.steps.length * rowHeight + 10;
  const bottom = top + rows * rowHeight + 10;
  parts.push(`<text x="4" y="${canaryY + 15}" font-size="12">canary writes failing</text>`);
  for (const w of record.measures.outageWindows) {
    const from = Date.parse(w.startedAt);
    const to = w.endedAt ? Date.parse(w.endedAt) : end;
    parts.push(
      `<rect x="${x(from).toFixed(1)}" y="${canaryY + 3}" width="${Math.max(2, x(to) - x(from)).toFixed(1)}" height="${rowHeight - 8}" fill="#c62828" opacity="0.7">` +
        `<title>${esc(`${w.failedWrites} failed writes, ${duration(w.durationMs)}`)}</title></rect>`,
    );
  }
  for (const a of record.attempts.slice(1)) {
    const ax = x(Date.parse(a.at)).toFixed(1);
    parts.push(
      `<line x1="${ax}" y1="${top}" x2="${ax}" y2="${bottom}" stroke="#616161" stroke-dasharray="2 2"/>`,
      `<text x="${ax}" y="12" font-size="11" fill="#616161">${esc(`attempt ${a.attempt} (resumed)`)}</text>`,
    );
  }
  const marker = promotionMarker(record);
  if (marker) {
    const px = x(marker.at).toFixed(1);
    parts.push(
      `<line x1="${px}" y1="${top}" x2="${px}" y2="${bottom}" stroke="${marker.colour}" stroke-dasharray="4 3"/>`,
      `<text x="${px}" y="${bottom + 14}" font-size="11" fill="${marker.colour}">${esc(marker.label)}</text>`,
    );
  }
  const axisY = bottom + 26;
  for (let i = 0; i <= 4; i++) {
    const t = start + (span * i) / 4;
    parts.push(
      `<text x="${x(t).toFixed(1)}" y="${axisY}" font-size="10" text-anchor="middle">${esc(duration(t - start))}</text>`,
    );
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + chartWidth + 60}" height="${height}" ` +
    `role="img" aria-label="drill timeline">${parts.join('')}</svg>`
  );
}

/** A promotion is drawn only as what it was: accepted, failed, or of unknown fate. */
function promotionMarker(
  record: DrillRecord,
): { at: number; label: string; colour: string } | undefined {
  const p = record.measures.promotion;
  if (p?.status === 'accepted' && p.requestedAt) {
    return { at: Date.parse(p.requestedAt), label: 'promotion', colour: '#1565c0' };
  }
  const failedRun = stepOf(record, 'promote')?.runs.at(-1);
  if (p?.status === 'failed' && failedRun?.finishedAt) {
    return { at: Date.parse(failedRun.finishedAt), label: 'promotion failed', colour: '#c62828' };
  }
  if (p?.status === 'interrupted' && p.requestAttemptedAt) {
    return {
      at: Date.parse(p.requestAttemptedAt),
      label: 'promotion request: outcome unknown',
      colour: '#ef6c00',
    };
  }
  return undefined;
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

export function renderHtml(record: DrillRecord): string {
  const title = `Drill ${record.drillId}`;
  const rows = stepRows(record);
  const failedRuns = failedRunRows(record);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #212121; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #cfd8dc; padding: 4px 8px; text-align: left; vertical-align: top; font-size: 14px; }
th { background: #eceff1; }
.outcome-succeeded { color: #2e7d32; } .outcome-stopped { color: #c62828; } .outcome-interrupted { color: #ef6c00; } .outcome-running { color: #1565c0; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p>${esc(`${record.kind} of ${record.globalClusterIdentifier} from ${record.fromRegion} to ${record.targetRegion}`)}:
<strong class="outcome-${record.outcome}">${esc(record.outcome)}</strong>; started ${esc(record.startedAt)}, total ${esc(duration(record.totalMs))}${
    record.forceReason ? `; started despite failed preflight: ${esc(record.forceReason)}` : ''
  }${record.error ? `; stopped with [${esc(record.error.code)}] ${esc(record.error.message)}` : ''}</p>
${htmlTable(['field', 'value'], fieldRows(record))}
<h2>Attempts</h2>
${htmlTable(ATTEMPT_HEAD, attemptRows(record))}
<h2>Timeline</h2>
${timelineSvg(record)}
<h2>Measures</h2>
${htmlTable(
  ['measure', 'value', 'objective'],
  measureRows(record).map((r) => [r.measure, r.value, r.objective]),
)}
<h2>Steps</h2>
${htmlTable(['#', 'step', 'status', 'started', 'duration', 'result'], rows)}
${failedRuns.length ? `<h2>Failed and interrupted step runs</h2>\n${htmlTable(FAILED_RUN_HEAD, failedRuns)}\n` : ''}${
    record.preflight
      ? `<h2>Preflight</h2>\n${htmlTable(
          ['check', 'result', 'reason'],
          record.preflight.map((c) => [c.id, c.ok ? 'pass' : 'FAIL', c.reason]),
        )}`
      : ''
  }
</body>
</html>
`;
}
