import { outageWindows } from './canary';
import { CLIENT_CANARY_TURNED_OFF } from './client-canary';
import { computeClientMeasures } from './client-measures';
import { resumeCommand, statusCommand } from './commands';
import type { CanarySample } from './model';
import type {
  AttemptEnd,
  AttemptRecord,
  DrillRecord,
  PromotionRecord,
  RecordOptions,
  StepRecord,
  StepRun,
} from './record-types';
import type { AnyStepDetails, StepOutcomes } from './steps/outcomes';
import type { AbandonedEntry, JournalEntry, JournalHeader, StepEntry } from './store';

export type * from './record-types';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

type AttemptStart = JournalHeader | Extract<JournalEntry, { readonly type: 'resumed' }>;

/** The journal cut at each `resumed` entry: one segment per attempt. */
function segments(
  journal: readonly JournalEntry[],
): { start: AttemptStart; entries: JournalEntry[] }[] {
  const all: { start: AttemptStart; entries: JournalEntry[] }[] = [];
  for (const entry of journal) {
    if (entry.type === 'drill' || entry.type === 'resumed') all.push({ start: entry, entries: [] });
    all.at(-1)?.entries.push(entry);
  }
  return all;
}

interface RunOf extends StepRun {
  readonly step: string;
  readonly details?: AnyStepDetails;
}

export function buildRecord(
  journal: readonly JournalEntry[],
  canary: readonly CanarySample[],
  options: RecordOptions = {},
): DrillRecord {
  const header = journal[0];
  if (header?.type !== 'drill') throw new Error('journal has no header');
  const drillId = header.params.drillId;
  const parts = segments(journal);
  const runs: RunOf[] = [];
  const attempts = parts.map(({ start, entries }, index): AttemptRecord => {
    const attempt = index + 1;
    const isLast = index === parts.length - 1;
    const finished = entries.find((e) => e.type === 'finished');
    const stopped = entries.find((e) => e.type === 'stopped');
    const live = isLast && !finished && !stopped ? options.runningIn : undefined;
    const open = new Map<string, StepEntry>();
    let afterStep: string | undefined;
    let failedStep: string | undefined;
    for (const e of entries) {
      if (e.type !== 'step' || e.event === 'note') continue;
      if (e.event === 'started') {
        open.set(e.step, e);
        failedStep = undefined;
        continue;
      }
      const started = open.get(e.step);
      if (!started) continue;
      open.delete(e.step);
      runs.push({
        step: e.step,
        attempt,
        status: e.event,
        startedAt: iso(started.at)!,
        finishedAt: iso(e.at),
        durationMs: e.durationMs,
        summary: e.summary,
        ...(e.error ? { error: e.error } : {}),
        ...(e.retryInMs !== undefined ? { retryInMs: e.retryInMs } : {}),
        ...(e.details ? { details: e.details } : {}),
      });
      if (e.event === 'failed') failedStep = e.step;
      else afterStep = e.step;
    }
    for (const started of open.values()) {
      runs.push({
        step: started.step,
        attempt,
        status: live ? 'running' : 'interrupted',
        startedAt: iso(started.at)!,
      });
    }
    const inProgress = [...open.keys()].at(-1) ?? failedStep;
    const where = inProgress ? { step: inProgress } : afterStep ? { afterStep } : {};
    const ended: AttemptEnd = finished
      ? { how: 'finished', at: iso(finished.at)! }
      : stopped
        ? { how: 'stopped', at: iso(stopped.at)!, ...where, error: stopped.error }
        : live
          ? { how: 'running', ...where, runningIn: live }
          : { how: 'interrupted', ...where };
    return {
      attempt,
      began: start.type === 'drill' ? 'started' : 'resumed',
      at: iso(start.at)!,
      pid: start.pid,
      host: start.host,
      ...(start.operator ? { operator: start.operator } : {}),
      lastEntryAt: iso(entries.at(-1)!.at)!,
      ended,
    };
  });

  const stepEntries = journal.filter((e): e is StepEntry => e.type === 'step');
  const built = header.steps.map(({ id, title }): StepRecord => {
    const own = runs.filter((r) => r.step === id);
    const lastRun = own.at(-1);
    const ended = lastRun?.finishedAt ? lastRun : undefined;
    const notes = stepEntries
      .filter((e) => e.step === id && e.event === 'note')
      .reduce<AnyStepDetails>((all, e) => ({ ...all, ...e.details }), {});
    const details: AnyStepDetails = { ...notes, ...ended?.details };
    return {
      id,
      title,
      status: lastRun?.status ?? 'pending',
      startedAt: lastRun?.startedAt,
      finishedAt: ended?.finishedAt,
      durationMs: ended?.durationMs,
      attempts: own.length,
      runs: own.map(({ step: _step, details: _details, ...run }) => run),
      summary: ended?.summary,
      ...(Object.keys(details).length ? { details } : {}),
      ...(ended?.error ? { error: ended.error } : {}),
    };
  });

  // With --engine arc the plan's Aurora block is the promotion (arc-execution's outcome).
  const promotion = promotionOf(
    built.find((s) => s.id === 'promote') ?? built.find((s) => s.id === 'arc-execution'),
  );
  // The promote step notes `promotedAt` before it calls AWS: only an accepted request keeps it.
  const steps = built.map((s): StepRecord => {
    if (s.id !== 'promote' || promotion?.status === 'accepted' || !s.details) return s;
    const { details, ...rest } = s;
    const kept = withoutPromotionNote(details);
    return kept ? { ...rest, details: kept } : rest;
  });

  const last = journal.at(-1)!;
  const finished = last.type === 'finished' ? last : undefined;
  const abandoned = last.type === 'abandoned' ? last : undefined;
  // An abandoned drill keeps the stop that preceded the abandonment as its error.
  const beforeAbandon = abandoned ? journal.at(-2) : last;
  const stopped = beforeAbandon?.type === 'stopped' ? beforeAbandon : undefined;
  const endAt = finished?.at ?? abandoned?.at ?? stopped?.at;
  const ending = attempts.at(-1)!.ended;
  const windows = outageWindows(canary);
  const stepOf = (id: string) => steps.find((s) => s.id === id);
  // Outcomes as the steps wrote them (StepOutcomes); the checks stay, for journals on disk.
  const outcome = <K extends keyof StepOutcomes>(id: K): StepOutcomes[K] | undefined =>
    stepOf(id)?.details;
  const verified = stepOf('verify-writes')?.status === 'completed';
  const lostRows = verified ? outcome('verify-writes')?.lostRows : undefined;
  const closed = windows
    .filter((w) => w.endedAt !== undefined)
    .map((w) => w.endedAt! - w.startedAt);
  // An RTO needs the new writer to have taken a write and no outage left open.
  const rtoMeasured = verified && windows.every((w) => w.endedAt !== undefined);
  const rpoLagMsAtPromotion =
    promotion?.status === 'accepted' && typeof promotion.rpoLagMsBeforeRequest === 'number'
      ? promotion.rpoLagMsBeforeRequest
      : null;
  const waitWriter = stepOf('wait-writer');
  const arcWriterMovedAt =
    stepOf('arc-execution')?.status === 'completed'
      ? outcome('arc-execution')?.writerMovedAt
      : undefined;
  const verifiedOutcome = verified ? outcome('verify-writes') : undefined;
  const lostClientWrites = verifiedOutcome?.lostClientWrites;

  return {
    version: 2,
    drillId,
    kind: header.params.kind,
    globalClusterIdentifier: header.globalClusterIdentifier,
    fromRegion: header.params.fromRegion,
    targetRegion: header.params.targetRegion,
    homeRegion: header.homeRegion,
    outcome: finished
      ? 'succeeded'
      : abandoned
        ? 'abandoned'
        : stopped
          ? 'stopped'
          : ending.how === 'running'
            ? 'running'
            : 'interrupted',
    startedAt: iso(header.at)!,
    finishedAt: iso(endAt),
    totalMs: endAt === undefined ? undefined : endAt - header.at,
    ...(header.params.forceReason ? { forceReason: header.params.forceReason } : {}),
    ...(header.rehearsal
      ? {
          rehearsal: options.rehearsalFindings
            ? { ...header.rehearsal, findings: options.rehearsalFindings }
            : header.rehearsal,
        }
      : {}),
    ...(stopped ? { error: stopped.error } : {}),
    ...(abandoned ? { abandoned: { ...withoutType(abandoned), at: iso(abandoned.at)! } } : {}),
    ...(ending.how === 'interrupted'
      ? {
          next:
            `State: not recorded (the process ended without writing it): read it with \`${statusCommand({ outputs: header.outputsFile })}\`\n` +
            `Continue with: ${resumeCommand(drillId, { outputs: header.outputsFile })}`,
        }
      : {}),
    resumedAt: journal.flatMap((e) => (e.type === 'resumed' ? [iso(e.at)!] : [])),
    attempts,
    timing: header.timing,
    objectives: header.objectives,
    preflight: outcome('preflight')?.checks,
    steps,
    measures: {
      clientRtoMs: rtoMeasured && closed.length ? Math.max(...closed) : null,
      outageWindows: windows.map((w) => ({
        startedAt: iso(w.startedAt)!,
        endedAt: iso(w.endedAt),
        durationMs: w.endedAt === undefined ? undefined : w.endedAt - w.startedAt,
        failedWrites: w.failedWrites,
      })),
      canaryWrites: canary.length,
      canaryFailures: canary.filter((s) => !s.ok).length,
      lostRows: Array.isArray(lostRows) ? lostRows : null,
      // Drills whose plan had the step (journals of older drills have none).
      ...(stepOf('keep-failover-snapshot')
        ? {
            failoverSnapshot:
              stepOf('keep-failover-snapshot')?.status === 'completed'
                ? (outcome('keep-failover-snapshot')?.snapshot ?? null)
                : null,
          }
        : {}),
      rpoLagMsAtPromotion,
      ...(promotion?.requestedAt ? { promotedAt: promotion.requestedAt } : {}),
      ...(promotion ? { promotion } : {}),
      // The last run's choice (the start's, or the last resume's timing).
      ...(journal.reduce((t, e) => (e.type === 'resumed' && e.timing ? e.timing : t), header.timing)
        .clientCanary === false && !options.client?.length
        ? { clientNotMeasured: CLIENT_CANARY_TURNED_OFF }
        : {}),
      // Only drills with a client log: the records of older drills stay as they were.
      ...(options.client?.length
        ? {
            client: computeClientMeasures(options.client, {
              fromRegion: header.params.fromRegion,
              targetRegion: header.params.targetRegion,
              ...(promotion?.requestedAt ? { promotedAt: Date.parse(promotion.requestedAt) } : {}),
              ...(waitWriter?.status === 'completed' && waitWriter.finishedAt
                ? { writerMovedAt: Date.parse(waitWriter.finishedAt) }
                : typeof arcWriterMovedAt === 'number'
                  ? { writerMovedAt: arcWriterMovedAt }
                  : {}),
              lostClientWrites: Array.isArray(lostClientWrites) ? lostClientWrites : null,
              ...(typeof verifiedOutcome?.acknowledgedClientWrites === 'number'
                ? { acknowledgedClientWrites: verifiedOutcome.acknowledgedClientWrites }
                : {}),
              rpoLagMsAtPromotion,
            }),
          }
        : {}),
    },
  };
}

/** The promote step's outcome; the step notes `promotedAt` and the lag just before it calls AWS. */
function promotionOf(step: StepRecord | undefined): PromotionRecord | undefined {
  if (!step) return undefined;
  const details: StepOutcomes['promote'] | undefined = step.details;
  const requested = details?.promotedAt;
  const lag = details?.rpoLagMsAtPromotion;
  const lagRead = typeof lag === 'number' || lag === null ? { rpoLagMsBeforeRequest: lag } : {};
  const status: PromotionRecord['status'] =
    step.status === 'completed'
      ? 'accepted'
      : step.status === 'skipped'
        ? typeof requested === 'number'
          ? 'accepted'
          : 'not-requested'
        : step.status;
  return {
    status,
    ...(typeof requested === 'number'
      ? status === 'accepted'
        ? { requestedAt: new Date(requested).toISOString() }
        : { requestAttemptedAt: new Date(requested).toISOString() }
      : {}),
    ...lagRead,
    ...(step.summary ? { summary: step.summary } : {}),
    ...(step.error ? { error: step.error } : {}),
  };
}

function withoutPromotionNote(details: AnyStepDetails): AnyStepDetails | undefined {
  const promotionNote: readonly string[] = [
    'promotedAt',
    'rpoLagMsAtPromotion',
  ] satisfies (keyof StepOutcomes['promote'])[];
  const rest = Object.entries(details).filter(([key]) => !promotionNote.includes(key));
  return rest.length ? (Object.fromEntries(rest) as AnyStepDetails) : undefined;
}

function withoutType({ type: _type, at: _at, ...rest }: AbandonedEntry) {
  return rest;
}
