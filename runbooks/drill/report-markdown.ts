import type { DrillRecord } from './record';
import {
  ATTEMPT_HEAD,
  attemptRows,
  duration,
  FAILED_RUN_HEAD,
  failedRunRows,
  fieldRows,
  measureRows,
  stepRows,
} from './report-rows';

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
