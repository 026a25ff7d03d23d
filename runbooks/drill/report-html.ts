import type { DrillRecord, StepRun } from './record';
import { duration, reportTables, stepOf, type ReportTable } from './report-rows';

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function htmlTable({ head, rows }: ReportTable): string {
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

export function renderHtml(record: DrillRecord): string {
  const title = `Drill ${record.drillId}`;
  const tables = reportTables(record);
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
${htmlTable(tables.fields)}
<h2>Attempts</h2>
${htmlTable(tables.attempts)}
<h2>Timeline</h2>
${timelineSvg(record)}
<h2>Measures</h2>
${htmlTable(tables.measures)}
<h2>Steps</h2>
${htmlTable(tables.steps)}
${tables.failedRuns.rows.length ? `<h2>Failed and interrupted step runs</h2>\n${htmlTable(tables.failedRuns)}\n` : ''}${
    tables.preflight ? `<h2>Preflight</h2>\n${htmlTable(tables.preflight)}` : ''
  }
</body>
</html>
`;
}
