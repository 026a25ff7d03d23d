// A rehearsal's marks on a drill's record: what was rehearsed (journal header -> record ->
// report banner) and one verdict per objective, judged from the record alone, so the CLI, the
// JSON result and the report all show the same lines.
import type { DrillRecord } from './record-types';

/** What a rehearsal journals in the drill's header (`drill rehearse`; absent for a real drill). */
export interface RehearsalMarker {
  readonly scenario: string;
  readonly summary: string;
  /** The cloud assembly the simulation was built from. */
  readonly assembly: string;
  /** Every assumption the simulation ran with (name -> value). */
  readonly assumptions: Readonly<Record<string, string | number>>;
  /** The scenario's timeline, as given (seconds after the drill start, regions by role). */
  readonly events: readonly Readonly<Record<string, unknown>>[];
}

/** One objective's verdict (the shape of runbooks/simulation/scenario.ts ObjectiveVerdict). */
export interface RehearsalVerdict {
  readonly objective: string;
  readonly measuredMs: number | null;
  readonly objectiveMs: number | null;
  readonly met: boolean;
  readonly line: string;
}

/** The banner of a rehearsal's report. */
export const REHEARSAL_BANNER = 'REHEARSAL (simulation, not AWS)';

/** `12 s`, `0.8 s`: seconds as the objectives are given. */
export function seconds(ms: number): string {
  return ms % 1000 === 0 || ms >= 10_000
    ? `${Math.round(ms / 1000)} s`
    : `${(ms / 1000).toFixed(1)} s`;
}

function judged(
  objective: string,
  measuredMs: number | null,
  objectiveMs: number,
  detail: string,
  why?: string,
): RehearsalVerdict {
  if (measuredMs === null) {
    return {
      objective,
      measuredMs,
      objectiveMs,
      met: false,
      line: `${objective} not measured (${why}), objective ${seconds(objectiveMs)}: missed`,
    };
  }
  const met = measuredMs <= objectiveMs;
  return {
    objective,
    measuredMs,
    objectiveMs,
    met,
    line: `${objective} ${seconds(measuredMs)}${detail} ${met ? '<=' : '>'} ${seconds(objectiveMs)}: ${met ? 'met' : 'missed'}`,
  };
}

/** When the drill stopped, why, on one line (for the lines that have no figure). */
function stoppedWhy(record: DrillRecord): string {
  const error = record.error;
  return error
    ? `the drill stopped: [${error.code}] ${error.message.split('\n')[0].replace(/:$/, '')}`
    : '';
}

/**
 * The verdicts of a rehearsed drill against the topology's objectives (from the outputs, in
 * the record): client write RTO, client read RTO and database RTO against the RTO; the window
 * of acknowledged client writes lost against the RPO; and whether a client write was
 * acknowledged through write. by the target after the promotion.
 */
export function rehearsalVerdicts(record: DrillRecord): RehearsalVerdict[] {
  const rto = record.objectives.rtoSeconds * 1000;
  const rpo = record.objectives.rpoSeconds * 1000;
  const client = record.measures.client;
  const stopped = stoppedWhy(record);
  const NO_CLIENT = stopped || 'no client canary log';
  const verdicts: RehearsalVerdict[] = [];

  const write = client?.writeRto;
  verdicts.push(
    judged(
      'client write RTO',
      write ? (write.ms ?? (write.reason === 'no-failure' ? 0 : null)) : null,
      rto,
      '',
      !write
        ? NO_CLIENT
        : write.reason === 'still-failing'
          ? `client writes still failing when the canary stopped${stopped ? `; ${stopped}` : ''}`
          : stopped || 'no client write sent',
    ),
  );

  const reads = client?.readRto ?? [];
  const readStillFailing = reads.find((r) => r.ms === null && r.reason === 'still-failing');
  const readMs = reads.reduce((m, r) => Math.max(m, r.ms ?? 0), 0);
  verdicts.push(
    judged(
      'client read RTO',
      !client || readStillFailing ? null : readMs,
      rto,
      '',
      !client ? NO_CLIENT : `client reads answered by ${readStillFailing?.region} still failing`,
    ),
  );

  const m = record.measures;
  const verified = record.steps.some((s) => s.id === 'verify-writes' && s.status === 'completed');
  verdicts.push(
    judged(
      'database RTO',
      m.clientRtoMs ?? (verified && m.canaryFailures === 0 ? 0 : null),
      rto,
      '',
      stopped || 'the new writer took no canary write',
    ),
  );

  const loss = client?.dataLoss;
  verdicts.push(
    judged(
      'RPO',
      loss ? (loss.count === 0 ? 0 : (loss.windowMs ?? null)) : null,
      rpo,
      loss ? ` (${loss.count} acknowledged client write${loss.count === 1 ? '' : 's'} lost)` : '',
      !client ? NO_CLIENT : stopped || 'the client writes on the new writer were not counted',
    ),
  );

  const movedAt = m.promotedAt ? Date.parse(m.promotedAt) : undefined;
  const resumed =
    movedAt === undefined
      ? undefined
      : client?.marks.find(
          (k) =>
            k.path === 'write' &&
            k.ok &&
            k.targetRegion === record.targetRegion &&
            Date.parse(k.at) >= movedAt,
        );
  verdicts.push({
    objective: 'writes resume',
    measuredMs: resumed ? Date.parse(resumed.at) - movedAt! : null,
    objectiveMs: null,
    met: resumed !== undefined,
    line: resumed
      ? `writes resume: yes, a client write through write. acknowledged by ${record.targetRegion} ${seconds(Date.parse(resumed.at) - movedAt!)} after the promotion: met`
      : `writes resume: no client write through write. acknowledged by ${record.targetRegion} after the ${movedAt === undefined ? 'drill (no promotion was accepted)' : 'promotion'}${stopped ? `; ${stopped}` : ''}: missed`,
  });
  return verdicts;
}

/** What a rehearsal's report shows above everything else; undefined for a real drill. */
export function rehearsalSection(record: DrillRecord):
  | {
      readonly banner: string;
      readonly scenario: string;
      readonly assumptions: { readonly head: string[]; readonly rows: string[][] };
      readonly events: readonly string[];
      readonly verdicts: readonly RehearsalVerdict[];
    }
  | undefined {
  const r = record.rehearsal;
  if (!r) return undefined;
  return {
    banner: REHEARSAL_BANNER,
    scenario: `scenario ${r.scenario}: ${r.summary} (assembly ${r.assembly})`,
    assumptions: {
      head: ['assumption', 'value'],
      rows: Object.entries(r.assumptions).map(([k, v]) => [k, String(v)]),
    },
    events: r.events.map(eventText),
    verdicts: rehearsalVerdicts(record),
  };
}

/** `+0 s region-outage writer`, `+30 s lag-spike target lagMs=45000 forSeconds=60`. */
function eventText(event: Readonly<Record<string, unknown>>): string {
  const { atSeconds, kind, ...rest } = event;
  const args = Object.entries(rest).map(([k, v]) =>
    k === 'region' ? String(v) : `${k}=${Array.isArray(v) ? v.join('/') : String(v)}`,
  );
  return [`+${String(atSeconds)} s`, String(kind), ...args].join(' ');
}
