import { DrillError } from './errors';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `500ms`, `10s`, `5m`, `1h` or a bare number of seconds into milliseconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) {
    throw new DrillError(
      'USAGE',
      `${option} must be a duration such as 500ms, 10s, 5m or 1h, got: '${text}'`,
    );
  }
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']);
}

/**
 * parseDuration for intervals and timeouts: zero (or less than 1 ms) would poll, write or
 * time out without pause, so it is refused with the flag, the value and a value to pass.
 */
export function parsePositiveDuration(text: string, option: string, suggestion: string): number {
  const ms = parseDuration(text, option);
  if (ms < 1) {
    throw new DrillError(
      'USAGE',
      `${option} must be greater than 0, got: '${text}'; pass a duration such as ${suggestion}`,
    );
  }
  return ms;
}

/** `950ms`, `12.3s`, `4m 05s`, `1h 02m`: short enough for a table cell. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const minutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}
