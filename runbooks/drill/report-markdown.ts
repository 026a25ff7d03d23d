import type { DrillRecord } from './record';
import { rehearsalSection } from './record-rehearsal';
import { duration, reportTables, type ReportTable } from './report-rows';

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function mdTable({ head, rows }: ReportTable): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`),
  ].join('\n');
}

/** A rehearsal's banner, scenario, assumptions, timeline and verdicts; nothing for a real drill. */
function rehearsalMarkdown(record: DrillRecord): string[] {
  const r = rehearsalSection(record);
  if (!r) return [];
  return [
    `> **${r.banner}**: ${r.scenario}`,
    '## Verdicts',
    r.verdicts.map((v) => `- ${v.line}`).join('\n'),
    '## Assumptions',
    mdTable(r.assumptions),
    r.events.length ? r.events.map((e) => `- ${e}`).join('\n') : 'No fault on the timeline.',
  ];
}

export function renderMarkdown(record: DrillRecord): string {
  const tables = reportTables(record);
  const parts = [
    `# Drill ${record.drillId}`,
    `${record.kind} of \`${record.globalClusterIdentifier}\` from ${record.fromRegion} to ${record.targetRegion}: **${record.outcome}**`,
    ...rehearsalMarkdown(record),
    mdTable(tables.fields),
    '## Attempts',
    mdTable(tables.attempts),
    '## Measures',
    mdTable(tables.objectives),
    mdTable(tables.measures),
    '## Steps',
    mdTable(tables.steps),
  ];
  if (tables.client) {
    const c = tables.client;
    parts.push('## Client canary', ...c.lines);
    if (c.lost) parts.push('### Lost client writes', mdTable(c.lost));
    parts.push(
      '### DNS answer changes',
      c.dns.rows.length ? mdTable(c.dns) : 'No answer changed.',
      '### Health check flips',
      c.health.rows.length ? mdTable(c.health) : 'No health check changed state.',
    );
  }
  if (tables.arc) {
    parts.push(
      '## ARC Region switch execution',
      tables.arc.lines.map((l) => `- ${l}`).join('\n'),
      mdTable(tables.arc.steps),
      '### ARC events',
      tables.arc.events.rows.length ? mdTable(tables.arc.events) : 'No event was read.',
    );
  }
  if (tables.failedRuns.rows.length) {
    parts.push('## Failed and interrupted step runs', mdTable(tables.failedRuns));
  }
  if (tables.preflight) parts.push('## Preflight', mdTable(tables.preflight));
  if (record.measures.outageWindows.length) {
    parts.push(
      '## Canary outage windows',
      mdTable({
        head: ['from', 'to', 'duration', 'failed writes'],
        rows: record.measures.outageWindows.map((w) => [
          w.startedAt,
          w.endedAt ?? 'still failing',
          duration(w.durationMs),
          String(w.failedWrites),
        ]),
      }),
    );
  }
  return `${parts.join('\n\n')}\n`;
}
