import { formatDuration } from './duration';
import type { DrillRecord, StepRecord } from './record';

export type ReportFormat = 'json' | 'md' | 'html';

export function renderReport(record: DrillRecord, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(record, null, 2)}\n`;
  return format === 'md' ? renderMarkdown(record) : renderHtml(record);
}

const duration = (ms: number | undefined) => (ms === undefined ? '-' : formatDuration(ms));

interface MeasureRow {
  readonly measure: string;
  readonly value: string;
  readonly objective: string;
}

function measureRows(record: DrillRecord): MeasureRow[] {
  const m = record.measures;
  const o = record.objectives;
  return [
    {
      measure: 'client-seen RTO (first failed to next acknowledged canary write)',
      value: m.clientRtoMs === null ? 'no failed write' : formatDuration(m.clientRtoMs),
      objective: `RTO ${o.rtoSeconds} s (computed floor ${o.rtoFloorSeconds} s)`,
    },
    {
      measure: 'data loss: acknowledged canary rows missing on the new writer',
      value:
        m.lostRows === null
          ? 'not verified'
          : m.lostRows.length === 0
            ? '0'
            : `${m.lostRows.length} (seq ${m.lostRows.join(', ')})`,
      objective: `RPO ${o.rpoSeconds} s`,
    },
    {
      measure: 'AuroraGlobalDBRPOLag at promotion',
      value: m.rpoLagMsAtPromotion === null ? 'not reported' : `${m.rpoLagMsAtPromotion} ms`,
      objective: `RPO ${o.rpoSeconds} s`,
    },
    {
      measure: 'canary writes',
      value: `${m.canaryWrites} (${m.canaryFailures} failed)`,
      objective: `one every ${formatDuration(record.timing.canaryIntervalMs)}`,
    },
    { measure: 'total drill time', value: duration(record.totalMs), objective: '' },
  ];
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
    mdTable(
      ['field', 'value'],
      [
        ['started', record.startedAt],
        ['finished', record.finishedAt ?? '-'],
        ['total', duration(record.totalMs)],
        ['resumed', record.resumedAt.length ? record.resumedAt.join(', ') : 'never'],
        ...(record.forceReason
          ? [['started despite failed preflight (--force)', record.forceReason]]
          : []),
        ...(record.error
          ? [['stopped with', `[${record.error.code}] ${record.error.message}`]]
          : []),
      ],
    ),
    '## Measures',
    mdTable(
      ['measure', 'value', 'objective'],
      measureRows(record).map((r) => [r.measure, r.value, r.objective]),
    ),
    '## Steps',
    mdTable(['#', 'step', 'status', 'started', 'duration', 'result'], stepRows(record)),
  ];
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
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const STATUS_COLOURS: Record<string, string> = {
  completed: '#2e7d32',
  skipped: '#78909c',
  failed: '#c62828',
  interrupted: '#ef6c00',
  pending: '#cfd8dc',
};

/** Steps as bars on one time axis, canary outages below them, promotion as a line. */
export function timelineSvg(record: DrillRecord): string {
  const start = Date.parse(record.startedAt);
  const ends = record.steps.flatMap((s) =>
    s.startedAt && s.durationMs !== undefined ? [Date.parse(s.startedAt) + s.durationMs] : [],
  );
  const end = Math.max(
    record.finishedAt ? Date.parse(record.finishedAt) : start,
    ...ends,
    start + 1,
  );
  const span = end - start;
  const labelWidth = 190;
  const chartWidth = 700;
  const rowHeight = 24;
  const rows = record.steps.length + 1;
  const height = rows * rowHeight + 40;
  const x = (t: number) => labelWidth + ((t - start) / span) * chartWidth;
  const parts: string[] = [];
  record.steps.forEach((s, i) => {
    const y = i * rowHeight + 10;
    parts.push(`<text x="4" y="${y + 15}" font-size="12">${esc(`${i + 1}. ${s.id}`)}</text>`);
    if (!s.startedAt) return;
    const from = Date.parse(s.startedAt);
    const width = Math.max(2, ((s.durationMs ?? 0) / span) * chartWidth);
    parts.push(
      `<rect x="${x(from).toFixed(1)}" y="${y + 3}" width="${width.toFixed(1)}" height="${rowHeight - 8}" fill="${STATUS_COLOURS[s.status] ?? '#999'}">` +
        `<title>${esc(`${s.id} ${s.status} ${duration(s.durationMs)}: ${stepResult(s)}`)}</title></rect>`,
      `<text x="${(x(from) + width + 4).toFixed(1)}" y="${y + 15}" font-size="11">${esc(duration(s.durationMs))}</text>`,
    );
  });
  const canaryY = record.steps.length * rowHeight + 10;
  parts.push(`<text x="4" y="${canaryY + 15}" font-size="12">canary writes failing</text>`);
  for (const w of record.measures.outageWindows) {
    const from = Date.parse(w.startedAt);
    const to = w.endedAt ? Date.parse(w.endedAt) : end;
    parts.push(
      `<rect x="${x(from).toFixed(1)}" y="${canaryY + 3}" width="${Math.max(2, x(to) - x(from)).toFixed(1)}" height="${rowHeight - 8}" fill="#c62828" opacity="0.7">` +
        `<title>${esc(`${w.failedWrites} failed writes, ${duration(w.durationMs)}`)}</title></rect>`,
    );
  }
  if (record.measures.promotedAt) {
    const px = x(Date.parse(record.measures.promotedAt)).toFixed(1);
    parts.push(
      `<line x1="${px}" y1="0" x2="${px}" y2="${rows * rowHeight + 10}" stroke="#1565c0" stroke-dasharray="4 3"/>`,
      `<text x="${px}" y="${rows * rowHeight + 24}" font-size="11" fill="#1565c0">promotion</text>`,
    );
  }
  const axisY = rows * rowHeight + 36;
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
.outcome-succeeded { color: #2e7d32; } .outcome-stopped { color: #c62828; } .outcome-running { color: #ef6c00; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p>${esc(`${record.kind} of ${record.globalClusterIdentifier} from ${record.fromRegion} to ${record.targetRegion}`)}:
<strong class="outcome-${record.outcome}">${esc(record.outcome)}</strong>; started ${esc(record.startedAt)}, total ${esc(duration(record.totalMs))}${
    record.forceReason ? `; started despite failed preflight: ${esc(record.forceReason)}` : ''
  }${record.error ? `; stopped with [${esc(record.error.code)}] ${esc(record.error.message)}` : ''}</p>
<h2>Timeline</h2>
${timelineSvg(record)}
<h2>Measures</h2>
${htmlTable(
  ['measure', 'value', 'objective'],
  measureRows(record).map((r) => [r.measure, r.value, r.objective]),
)}
<h2>Steps</h2>
${htmlTable(['#', 'step', 'status', 'started', 'duration', 'result'], rows)}
${
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
