import type { DrillRecord } from './record';
import { renderHtml } from './report-html';
import { renderMarkdown } from './report-markdown';

export { renderHtml, timelineSvg } from './report-html';
export { renderMarkdown } from './report-markdown';
export {
  clientRtoText,
  failoverSnapshotText,
  promotionRows,
  promotionSummary,
  type MeasureRow,
} from './report-measures';

export type ReportFormat = 'json' | 'md' | 'html';

export function renderReport(record: DrillRecord, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(record, null, 2)}\n`;
  return format === 'md' ? renderMarkdown(record) : renderHtml(record);
}
