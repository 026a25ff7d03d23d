import type { ClientMeasures, DrillRecord, StepRun } from './record';
import { rehearsalSection } from './record-rehearsal';
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
  const client = record.measures.client;
  const end = Math.max(
    ...clientTimes(record),
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
  // The client view: writes, reads, then DNS answers and health flips with two label lines each.
  const clientRows = client ? 2 + 2 * 2 : 0;
  const rows = record.steps.length + 1 + clientRows;
  // Below the rows: the promotion's label, the writer's (its own line: they are often close), the axis.
  const height = top + rows * rowHeight + 54;
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
  parts.push(
    `<text x="4" y="${canaryY + 15}" font-size="12">${client ? 'database canary failing' : 'canary writes failing'}</text>`,
  );
  for (const w of record.measures.outageWindows) {
    const from = Date.parse(w.startedAt);
    const to = w.endedAt ? Date.parse(w.endedAt) : end;
    parts.push(
      `<rect x="${x(from).toFixed(1)}" y="${canaryY + 3}" width="${Math.max(2, x(to) - x(from)).toFixed(1)}" height="${rowHeight - 8}" fill="#c62828" opacity="0.7">` +
        `<title>${esc(`${w.failedWrites} failed writes, ${duration(w.durationMs)}`)}</title></rect>`,
    );
  }
  if (client) {
    parts.push(...clientView(client, { x, y: canaryY + rowHeight, rowHeight }));
  }
  const writerMoved = client?.writerMovedAt;
  if (writerMoved) {
    const wx = x(Date.parse(writerMoved)).toFixed(1);
    parts.push(
      `<line x1="${wx}" y1="${top}" x2="${wx}" y2="${bottom}" stroke="#2e7d32" stroke-dasharray="4 3"/>`,
      `<text x="${wx}" y="${bottom + 28}" font-size="11" fill="#2e7d32">writer moved</text>`,
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
  const axisY = bottom + 42;
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

/** Every moment of the client log the timeline must reach (none without a client log). */
function clientTimes(record: DrillRecord): number[] {
  const c = record.measures.client;
  if (!c) return [];
  return [
    ...c.marks.map((m) => Date.parse(m.at)),
    ...c.dns.flatMap((d) => d.changes.map((ch) => Date.parse(ch.at))),
    ...c.healthFlips.map((f) => Date.parse(f.at)),
  ];
}

const OK_COLOUR = '#2e7d32';
const FAILED_COLOUR = '#c62828';

/**
 * The client rows of the timeline: each request a thin mark (green acknowledged, red failed)
 * on its path's row, then each DNS answer change and each health check flip as a labelled mark,
 * labels alternating between two lines so neighbours do not overlap.
 */
function clientView(
  c: ClientMeasures,
  at: { readonly x: (t: number) => number; readonly y: number; readonly rowHeight: number },
): string[] {
  const { x, rowHeight } = at;
  const parts: string[] = [];
  const rowY = (i: number) => at.y + i * rowHeight;
  (['write', 'read'] as const).forEach((path, i) => {
    const y = rowY(i);
    const own = c.marks.filter((m) => m.path === path);
    const failed = own.filter((m) => !m.ok).length;
    parts.push(
      `<text x="4" y="${y + 15}" font-size="12">${esc(`client ${path}s (${failed} of ${own.length} failed)`)}</text>`,
    );
    for (const m of own) {
      const what = `${path} ${m.ok ? 'ok' : 'failed'} ${m.status ?? 'no response'}${m.targetRegion ? ` via ${m.targetRegion}` : ''} at ${m.at}`;
      parts.push(
        `<rect x="${x(Date.parse(m.at)).toFixed(1)}" y="${y + (m.ok ? 5 : 3)}" width="2" height="${rowHeight - (m.ok ? 12 : 8)}" fill="${m.ok ? OK_COLOUR : FAILED_COLOUR}"><title>${esc(what)}</title></rect>`,
      );
    }
  });
  const labelled = (
    row: number,
    title: string,
    marks: readonly { at: string; label: string; colour: string }[],
  ) => {
    const y = rowY(row);
    parts.push(`<text x="4" y="${y + 15}" font-size="12">${esc(title)}</text>`);
    [...marks]
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
      .forEach((m, i) => {
        const mx = x(Date.parse(m.at));
        const line = (i % 2) * rowHeight;
        parts.push(
          `<rect x="${(mx - 1).toFixed(1)}" y="${y + 3 + line}" width="3" height="${rowHeight - 8}" fill="${m.colour}"><title>${esc(`${m.label} at ${m.at}`)}</title></rect>`,
          `<text x="${(mx + 4).toFixed(1)}" y="${y + 14 + line}" font-size="10" fill="${m.colour}">${esc(m.label)}</text>`,
        );
      });
  };
  labelled(
    2,
    'DNS answer changes',
    c.dns.flatMap((d) =>
      d.changes.map((ch) => ({
        at: ch.at,
        label: `${d.name.split('.')[0]}. -> ${ch.toRegion ?? ch.toTarget ?? '?'}`,
        colour: '#1565c0',
      })),
    ),
  );
  labelled(
    4,
    'health check flips',
    c.healthFlips.map((f) => ({
      at: f.at,
      label: `${f.region} ${f.check} ${f.healthy ? 'healthy' : 'unhealthy'}`,
      colour: f.healthy ? OK_COLOUR : FAILED_COLOUR,
    })),
  );
  return parts;
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

function clientHtml(c: ReturnType<typeof reportTables>['client']): string {
  if (!c) return '';
  return [
    '<h2>Client canary</h2>',
    ...c.lines.map((l) => `<p>${esc(l)}</p>`),
    ...(c.lost ? ['<h3>Lost client writes</h3>', htmlTable(c.lost)] : []),
    '<h3>DNS answer changes</h3>',
    c.dns.rows.length ? htmlTable(c.dns) : '<p>No answer changed.</p>',
    '<h3>Health check flips</h3>',
    c.health.rows.length ? htmlTable(c.health) : '<p>No health check changed state.</p>',
    '',
  ].join('\n');
}

/** A rehearsal's banner, scenario, verdicts, assumptions and timeline; nothing for a real drill. */
function rehearsalHtml(record: DrillRecord): string {
  const r = rehearsalSection(record);
  if (!r) return '';
  return [
    `<p class="rehearsal"><strong>${esc(r.banner)}</strong>: ${esc(r.scenario)}</p>`,
    '<h2>Verdicts</h2>',
    `<ul>${r.verdicts.map((v) => `<li class="${v.met ? 'met' : 'missed'}">${esc(v.line)}</li>`).join('')}</ul>`,
    '<h2>Assumptions</h2>',
    htmlTable(r.assumptions),
    r.events.length
      ? `<ul>${r.events.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>`
      : '<p>No fault on the timeline.</p>',
    '',
  ].join('\n');
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
.rehearsal { background: #fff3e0; border: 2px solid #ef6c00; padding: 8px; } .met { color: #2e7d32; } .missed { color: #c62828; }
.outcome-succeeded { color: #2e7d32; } .outcome-stopped { color: #c62828; } .outcome-interrupted { color: #ef6c00; } .outcome-running { color: #1565c0; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p>${esc(`${record.kind} of ${record.globalClusterIdentifier} from ${record.fromRegion} to ${record.targetRegion}`)}:
<strong class="outcome-${record.outcome}">${esc(record.outcome)}</strong>; started ${esc(record.startedAt)}, total ${esc(duration(record.totalMs))}${
    record.forceReason ? `; started despite failed preflight: ${esc(record.forceReason)}` : ''
  }${record.error ? `; stopped with [${esc(record.error.code)}] ${esc(record.error.message)}` : ''}</p>
${rehearsalHtml(record)}${htmlTable(tables.fields)}
<h2>Attempts</h2>
${htmlTable(tables.attempts)}
<h2>Timeline</h2>
${timelineSvg(record)}
<h2>Measures</h2>
${htmlTable(tables.objectives)}
${htmlTable(tables.measures)}
${clientHtml(tables.client)}<h2>Steps</h2>
${htmlTable(tables.steps)}
${
  tables.arc
    ? `<h2>ARC Region switch execution</h2>\n<ul>${tables.arc.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>\n${htmlTable(tables.arc.steps)}\n<h3>ARC events</h3>\n${htmlTable(tables.arc.events)}\n`
    : ''
}${tables.failedRuns.rows.length ? `<h2>Failed and interrupted step runs</h2>\n${htmlTable(tables.failedRuns)}\n` : ''}${
    tables.preflight ? `<h2>Preflight</h2>\n${htmlTable(tables.preflight)}` : ''
  }
</body>
</html>
`;
}
