import { outageWindows } from './canary';
import type { CanarySample, DrillKind, Timing } from './model';
import type { CheckResult } from './preflight';
import type { JournalEntry, JournalHeader, StepEntry } from './store';

export type StepStatus = 'completed' | 'skipped' | 'failed' | 'interrupted' | 'pending';

export interface StepRecord {
  readonly id: string;
  readonly title: string;
  readonly status: StepStatus;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  /** Runs of the step: more than one after a failure or crash and a resume. */
  readonly attempts: number;
  readonly summary?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface DrillMeasures {
  /** Longest window from a failed canary write to the next acknowledged one; null without one. */
  readonly clientRtoMs: number | null;
  readonly outageWindows: readonly {
    readonly startedAt: string;
    readonly endedAt?: string;
    readonly durationMs?: number;
    readonly failedWrites: number;
  }[];
  readonly canaryWrites: number;
  readonly canaryFailures: number;
  /** Canary rows acknowledged but missing on the new writer; null until verified. */
  readonly lostRows: readonly number[] | null;
  readonly rpoLagMsAtPromotion: number | null;
  readonly promotedAt?: string;
}

/** The auditable record of one drill, derived from its journal and canary log only. */
export interface DrillRecord {
  readonly version: 1;
  readonly drillId: string;
  readonly kind: DrillKind;
  readonly globalClusterIdentifier: string;
  readonly fromRegion: string;
  readonly targetRegion: string;
  readonly homeRegion: string;
  readonly outcome: 'succeeded' | 'stopped' | 'running';
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly totalMs?: number;
  readonly forceReason?: string;
  readonly error?: { readonly code: string; readonly message: string; readonly hint?: string };
  readonly resumedAt: readonly string[];
  readonly timing: Timing;
  readonly objectives: JournalHeader['objectives'];
  readonly preflight?: readonly CheckResult[];
  readonly steps: readonly StepRecord[];
  readonly measures: DrillMeasures;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function buildRecord(
  journal: readonly JournalEntry[],
  canary: readonly CanarySample[],
): DrillRecord {
  const header = journal[0];
  if (header?.type !== 'drill') throw new Error('journal has no header');
  const stepEntries = journal.filter((e): e is StepEntry => e.type === 'step');
  const steps = header.steps.map(({ id, title }): StepRecord => {
    const entries = stepEntries.filter((e) => e.step === id);
    const starts = entries.filter((e) => e.event === 'started');
    const lastStart = starts.at(-1);
    const end = [...entries]
      .reverse()
      .find((e) => e.event === 'completed' || e.event === 'skipped' || e.event === 'failed');
    const notes = entries
      .filter((e) => e.event === 'note')
      .reduce<Record<string, unknown>>((all, e) => ({ ...all, ...e.details }), {});
    const ended = end && lastStart && end.at >= lastStart.at ? end : undefined;
    const status: StepStatus = !lastStart
      ? 'pending'
      : ended
        ? (ended.event as StepStatus)
        : 'interrupted';
    const details = { ...notes, ...ended?.details };
    return {
      id,
      title,
      status,
      startedAt: iso(lastStart?.at),
      finishedAt: iso(ended?.at),
      durationMs: ended?.durationMs,
      attempts: starts.length,
      summary: ended?.summary,
      ...(Object.keys(details).length ? { details } : {}),
      ...(ended?.error ? { error: ended.error } : {}),
    };
  });

  const last = journal.at(-1)!;
  const finished = last.type === 'finished' ? last : undefined;
  const stopped = last.type === 'stopped' ? last : undefined;
  const endAt = finished?.at ?? stopped?.at;
  const windows = outageWindows(canary);
  const closed = windows
    .filter((w) => w.endedAt !== undefined)
    .map((w) => w.endedAt! - w.startedAt);
  const stepDetail = (id: string, key: string) => steps.find((s) => s.id === id)?.details?.[key];
  const lostRows = stepDetail('verify-writes', 'lostRows');
  const rpoLag = stepDetail('promote', 'rpoLagMsAtPromotion');
  const promotedAt = stepDetail('promote', 'promotedAt');

  return {
    version: 1,
    drillId: header.params.drillId,
    kind: header.params.kind,
    globalClusterIdentifier: header.globalClusterIdentifier,
    fromRegion: header.params.fromRegion,
    targetRegion: header.params.targetRegion,
    homeRegion: header.homeRegion,
    outcome: finished ? 'succeeded' : stopped ? 'stopped' : 'running',
    startedAt: iso(header.at)!,
    finishedAt: iso(endAt),
    totalMs: endAt === undefined ? undefined : endAt - header.at,
    ...(header.params.forceReason ? { forceReason: header.params.forceReason } : {}),
    ...(stopped ? { error: stopped.error } : {}),
    resumedAt: journal.flatMap((e) => (e.type === 'resumed' ? [iso(e.at)!] : [])),
    timing: header.timing,
    objectives: header.objectives,
    preflight: stepDetail('preflight', 'checks') as CheckResult[] | undefined,
    steps,
    measures: {
      clientRtoMs: closed.length ? Math.max(...closed) : null,
      outageWindows: windows.map((w) => ({
        startedAt: iso(w.startedAt)!,
        endedAt: iso(w.endedAt),
        durationMs: w.endedAt === undefined ? undefined : w.endedAt - w.startedAt,
        failedWrites: w.failedWrites,
      })),
      canaryWrites: canary.length,
      canaryFailures: canary.filter((s) => !s.ok).length,
      lostRows: Array.isArray(lostRows) ? (lostRows as number[]) : null,
      rpoLagMsAtPromotion: typeof rpoLag === 'number' ? rpoLag : null,
      promotedAt: typeof promotedAt === 'number' ? iso(promotedAt) : undefined,
    },
  };
}
