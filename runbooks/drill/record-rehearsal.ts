// A rehearsal's marks on a drill's record: what was rehearsed (journal header -> record ->
// report banner) and one verdict per objective, judged from the record alone, so the CLI, the
// JSON result and the report all show the same lines.
import { MANAGED_RPO_PARAMETER } from '../../constructs/managed-rpo-policy';
import type { ObjectiveVerdict } from '../simulation/scenario';
import type { DrillRecord } from './record-types';

/** What a rehearsal journals in the drill's header (`drill rehearse`; absent for a real drill). */
export interface RehearsalMarker {
  readonly scenario: string;
  readonly summary: string;
  /** The cloud assembly the simulation was built from. */
  readonly assembly: string;
  /** Every assumption the simulation ran with (name -> value). */
  readonly assumptions: Readonly<Record<string, string | number>>;
  /** The scenario's timeline, as given (seconds after the scenario start, regions by role). */
  readonly events: readonly Readonly<Record<string, unknown>>[];
  /** When on the timeline the drill started (s), when not at once. */
  readonly drillStartsAtSeconds?: number;
  /** The scenario's expected refusal (scenario.ts ScenarioExpectation); absent: a move. */
  readonly expect?: { readonly refusal?: { readonly check: string } };
  /** What the simulation saw that the drill cannot (after the drill, not in the journal). */
  readonly findings?: RehearsalFindings;
}

/**
 * A window when managed RPO blocked every commit on the writer while no other member could
 * satisfy it (every other region down, or an old primary not yet rebuilt): the hazard of
 * managed RPO on the only secondary of a two-region topology after an unplanned failover.
 */
export interface UnsatisfiableRpoWindow {
  readonly region: string;
  /** rds.global_db_rpo in the writer's cluster parameter group (s). */
  readonly rpoSeconds: number;
  readonly parameterGroup: string;
  readonly from: string;
  readonly to: string;
  readonly ms: number;
}

/**
 * The application's client of a rehearsal (runbooks/simulation/rehearsal.ts): one write per
 * second through the write name from the scenario's start until the drill ended, and which of
 * its acknowledged writes the writer no longer had then.
 */
export interface ApplicationClientFindings {
  /** What every item it wrote begins with. */
  readonly itemPrefix: string;
  /** The writer whose items table was counted (the new writer after a move). */
  readonly writer: string;
  /** Writes sent (a re-sent write counts once). */
  readonly sent: number;
  readonly acknowledged: number;
  /** Acknowledged writes missing on the writer. */
  readonly lost: number;
  /** The data lost, in time (as ClientDataLoss.windowMs); 0 when none was lost. */
  readonly windowMs: number;
  /** When its first acknowledged write was sent; absent when none was acknowledged. */
  readonly firstAcknowledgedAt?: string;
}

/**
 * What the simulation observed during a rehearsal, kept in `<drill>/rehearsal.json` next to
 * the journal (written by `drill rehearse` once the drill ended; absent for a real drill).
 */
export interface RehearsalFindings {
  /** Oldest first; empty when managed RPO never blocked commits that way. */
  readonly unsatisfiableRpo: readonly UnsatisfiableRpoWindow[];
  /** The scenario's events that never fired (eventText), when some did not. */
  readonly eventsNotFired?: readonly string[];
  /** The application's client (absent in the findings of an older rehearsal). */
  readonly applicationClient?: ApplicationClientFindings;
}

/** The rehearsal's findings file in a drill's directory. */
export const REHEARSAL_FINDINGS_FILE = 'rehearsal.json';

/** One verdict: the one type, runbooks/simulation/scenario.ts ObjectiveVerdict. */
export type RehearsalVerdict = ObjectiveVerdict;

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
  if (!error) return '';
  const first = error.message.split('\n')[0].replace(/:$/, '');
  if (error.code !== 'PREFLIGHT_FAILED') return `the drill stopped: [${error.code}] ${first}`;
  // The CLI's own hint (--force --reason) is not the scenario's: its field is.
  const failed = failedChecksOf(error.message);
  return `the drill stopped: [${error.code}] ${first} (${failed.join(', ')}); add drill.forceReason to the scenario to start despite ${failed.length === 1 ? 'it' : 'them'}`;
}

/**
 * The ids of the checks a preflight refusal names: it journals no check results, only its
 * error, one `  - <id>: <title>: <reason>` line per failed check (steps/preflight.ts).
 */
function failedChecksOf(message: string): string[] {
  return [...message.matchAll(/^ {2}- ([a-z0-9-]+): /gm)].map((m) => m[1]);
}

/**
 * The verdicts of a rehearsed drill against the topology's objectives (from the outputs, in
 * the record): client write RTO, client read RTO and database RTO against the RTO; the window
 * of acknowledged client writes lost against the RPO (not exercised, and missed, when none was
 * acknowledged before the promotion request); and whether a client write was acknowledged
 * through the write name by the target after the promotion request. A scenario that expects a
 * refusal has that one verdict instead (refusalVerdict).
 */
export function rehearsalVerdicts(record: DrillRecord): RehearsalVerdict[] {
  const refusal = record.rehearsal?.expect?.refusal;
  if (refusal) return [refusalVerdict(refusal.check, record)];
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

  verdicts.push(rpoVerdict(record, rpo, !client ? NO_CLIENT : stopped));

  const movedAt = m.promotedAt ? Date.parse(m.promotedAt) : undefined;
  const host = client?.dns.find((d) => d.path === 'write')?.name ?? 'the write name';
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
      ? `writes resume: yes, a client write through ${host} acknowledged by ${record.targetRegion} ${seconds(Date.parse(resumed.at) - movedAt!)} after the promotion request: met`
      : `writes resume: no client write through ${host} acknowledged by ${record.targetRegion} after the ${movedAt === undefined ? 'drill (no promotion was accepted)' : 'promotion request'}${stopped ? `; ${stopped}` : ''}: missed`,
  });
  const findings = record.rehearsal?.findings;
  if (findings) verdicts.push(managedRpoVerdict(findings));
  return verdicts;
}

/**
 * The RPO verdict: the larger loss of the drill's client canary and the application's client
 * (the findings' applicationClient), naming whose. The canary starts with the drill and is fenced
 * with the old writer, so only the application's client, writing since the scenario started,
 * sees the lag the writer let build. Not exercised, and missed, when neither had a write
 * acknowledged before the promotion request: no write could be lost, so "0 lost" measures nothing.
 */
function rpoVerdict(record: DrillRecord, rpo: number, why: string): RehearsalVerdict {
  const m = record.measures;
  const client = m.client;
  const loss = client?.dataLoss;
  const app = record.rehearsal?.findings?.applicationClient;
  const canaryExercised = !(
    loss &&
    client?.lastAcknowledgedBeforePromotion === null &&
    m.promotedAt !== undefined
  );
  const appExercised =
    app?.firstAcknowledgedAt !== undefined &&
    (m.promotedAt === undefined || Date.parse(app.firstAcknowledgedAt) < Date.parse(m.promotedAt));
  const canaryMs = loss && canaryExercised ? lostWindowMs(record) : null;
  // The application's loss when it is the larger, or the only one exercised.
  if (
    app &&
    appExercised &&
    (!canaryExercised || (app.lost > 0 && app.windowMs > (canaryMs ?? -1)))
  ) {
    return judged(
      'RPO',
      app.windowMs,
      rpo,
      ` (${app.lost} acknowledged application write${app.lost === 1 ? '' : 's'} lost)`,
    );
  }
  if (!canaryExercised) {
    return {
      objective: 'RPO',
      measuredMs: null,
      objectiveMs: rpo,
      met: false,
      line: `RPO not exercised (no client write was acknowledged before the promotion request, so none could be lost), objective ${seconds(rpo)}: missed`,
    };
  }
  return judged(
    'RPO',
    loss ? lostWindowMs(record) : null,
    rpo,
    loss ? ` (${loss.count} acknowledged client write${loss.count === 1 ? '' : 's'} lost)` : '',
    why || 'the client writes on the new writer were not counted',
  );
}

/** The data a client lost, in time (ClientDataLoss.windowMs); 0 when nothing was lost. */
function lostWindowMs(record: DrillRecord): number | null {
  const loss = record.measures.client!.dataLoss!;
  if (loss.count === 0) return 0;
  return loss.windowMs ?? null;
}

/**
 * Whether managed RPO ever blocked the writer's commits with no secondary able to satisfy it.
 * Missed on any such window, even one the drill closed at once: the topology let the writer
 * enforce an RPO that nothing could meet, so every commit waited on the drill (or a person).
 * A secondary that merely lags is managed RPO doing its job, not this finding.
 */
export function managedRpoVerdict(findings: RehearsalFindings): RehearsalVerdict {
  const windows = findings.unsatisfiableRpo;
  const totalMs = windows.reduce((sum, w) => sum + w.ms, 0);
  const blocked = windows.map(
    (w) =>
      `commits on ${w.region} blocked ${seconds(w.ms)} with no secondary able to satisfy ${MANAGED_RPO_PARAMETER}=${w.rpoSeconds} (set in ${w.parameterGroup})`,
  );
  return {
    objective: 'managed RPO',
    measuredMs: totalMs,
    objectiveMs: 0,
    met: windows.length === 0,
    line:
      windows.length === 0
        ? `managed RPO: commits blocked 0 s with no secondary able to satisfy ${MANAGED_RPO_PARAMETER}: met`
        : `managed RPO: ${blocked.join('; ')}: missed`,
  };
}

/**
 * The one verdict of a scenario that expects the drill to refuse at preflight on `check`
 * alone: met when it did exactly that (its safety check held), missed on any other outcome.
 * `why`: what happened when there is no record.
 */
export function refusalVerdict(
  check: string,
  record: DrillRecord | undefined,
  why = 'the drill left no record',
): RehearsalVerdict {
  const refused = record?.error?.code === 'PREFLIGHT_FAILED';
  const failed = refused ? failedChecksOf(record.error!.message) : [];
  const met = refused && failed.length === 1 && failed[0] === check;
  const what = !record
    ? why
    : !refused
      ? `it did not refuse (outcome ${record.outcome}${record.error ? `, [${record.error.code}]` : ''})`
      : `it refused on ${failed.join(', ') || 'no check'}`;
  return {
    objective: 'refusal',
    measuredMs: null,
    objectiveMs: null,
    met,
    line: met
      ? `refusal: the drill refused at preflight on ${check}, as expected: the safety check held: met`
      : `refusal: expected the drill to refuse at preflight on ${check} alone, but ${what}: missed`,
  };
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
      rows: [
        ...Object.entries(r.assumptions).map(([k, v]) => [k, String(v)]),
        ...(r.findings?.applicationClient
          ? [['application client (measured)', applicationText(r.findings.applicationClient)]]
          : []),
      ],
    },
    events: [
      ...r.events,
      ...(r.drillStartsAtSeconds
        ? [{ atSeconds: r.drillStartsAtSeconds, kind: 'drill starts' }]
        : []),
    ]
      .sort((x, y) => Number(x.atSeconds) - Number(y.atSeconds))
      .map(eventText)
      .map((text) =>
        r.findings?.eventsNotFired?.includes(text) ? `${text} (${NEVER_FIRED})` : text,
      ),
    verdicts: rehearsalVerdicts(record),
  };
}

/**
 * `114 writes sent (one a second, from the scenario's start to the drill's end), 94 acknowledged,
 * 29 of them missing on us-west-2 (28 s of data)`: the application client's figures on the report.
 */
export function applicationText(app: ApplicationClientFindings): string {
  return `${app.sent} writes sent (one a second, from the scenario's start to the drill's end), ${app.acknowledged} acknowledged, ${app.lost} of them missing on ${app.writer} (${seconds(app.windowMs)} of data)`;
}

/** How the report and the summary mark an event that never fired. */
export const NEVER_FIRED = 'never fired: the drill ended first';

/**
 * `+0 s region-outage writer`, `+30 s lag-spike target lagMs=45000 forSeconds=60`,
 * `+0 s after 3 acknowledged client writes region-outage writer`.
 */
export function eventText(event: Readonly<Record<string, unknown>>): string {
  const { atSeconds, kind, afterClientWrites, ...rest } = event;
  const args = Object.entries(rest).map(([k, v]) =>
    k === 'region' ? String(v) : `${k}=${Array.isArray(v) ? v.join('/') : String(v)}`,
  );
  const after =
    afterClientWrites === undefined
      ? []
      : [`after ${String(afterClientWrites)} acknowledged client writes`];
  return [`+${String(atSeconds)} s`, ...after, String(kind), ...args].join(' ');
}
