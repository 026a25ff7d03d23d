import { LAG_METRICS } from '../../constructs/contract';
import { formatDuration } from './duration';
import type { ClientMeasures, ClientReadRto, DnsAnswerChange, DrillRecord } from './record';
import { clientRtoText, duration, notCompleted, stepOf, type MeasureRow } from './report-measures';

// The client-level figures in the report: the objectives against the database-level and the
// client-level figure, and the client section (lost writes, DNS answer changes, health flips).

export interface ClientTable {
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

const NO_CLIENT_LOG = 'not measured: the drill has no client canary log';

/** Why a drill has no client-level figure: the operator's `--no-client-canary`, or no log. */
const noClientFigure = (record: DrillRecord) =>
  record.measures.clientNotMeasured
    ? `not measured: ${record.measures.clientNotMeasured}`
    : NO_CLIENT_LOG;

const verdict = (ms: number, objectiveSeconds: number) =>
  ms <= objectiveSeconds * 1000 ? 'pass' : 'FAIL';

function outageSince(o: { readonly failed: number; readonly startedAt: string }): string {
  return `${o.failed} failed since ${o.startedAt}`;
}

export function clientWriteRtoText(c: ClientMeasures): string {
  const r = c.writeRto;
  if (r.ms !== null) return formatDuration(r.ms);
  if (r.reason === 'no-requests') return 'not measured: the client canary sent no write';
  if (r.reason === 'no-failure') return 'no failed client write';
  const open = r.outages.at(-1)!;
  return `not measured: client writes were still failing when the canary stopped (${outageSince(open)})`;
}

export function clientReadRtoText(r: ClientReadRto): string {
  if (r.ms !== null) return formatDuration(r.ms);
  const open = r.outages.find((o) => o.endedAt === undefined)!;
  return `not measured: reads answered by ${r.region} were still failing when the canary stopped (${outageSince(open)})`;
}

export function clientDataLossText(record: DrillRecord, c: ClientMeasures): string {
  const loss = c.dataLoss;
  if (loss === null) {
    const verify = stepOf(record, 'verify-writes');
    return verify?.status === 'completed'
      ? "not verified: step verify-writes did not count the client canary's writes on the new writer"
      : `not verified: ${notCompleted(verify, 'verify-writes')}`;
  }
  const of = loss.acknowledged === undefined ? '' : ` of ${loss.acknowledged} acknowledged`;
  if (loss.count === 0) return `0${of}`;
  const seqs = `seq ${loss.writes.map((w) => w.seq).join(', ')}`;
  const window =
    loss.firstAt && loss.lastAt
      ? `, sent from ${loss.firstAt} to ${loss.lastAt} (window ${formatDuration(loss.windowMs!)}${loss.keptAt ? ` since the newest write kept, ${loss.keptAt}` : ''})`
      : '';
  return `${loss.count}${of} (${seqs})${window}`;
}

/**
 * The last client write acknowledged before the promotion, next to the client data loss: in a
 * planned drill the fence stops acknowledged writes before the promotion, so the loss is read
 * against it. Undefined when no promotion was accepted.
 */
export function lastAcknowledgedText(c: ClientMeasures): string | undefined {
  const last = c.lastAcknowledgedBeforePromotion;
  if (last === undefined) return undefined;
  if (last === null) return 'no client write was acknowledged before the promotion';
  const through = last.region ? ` (through ${last.region})` : '';
  return `last acknowledged client write before the promotion: ${last.acknowledgedAt}, ${formatDuration(last.beforePromotionMs)} before it${through}`;
}

/** Why a zero client loss is the drill's order, not the database's property. */
export function fencedWritesNote(record: DrillRecord): string {
  return `Writes fenced before the promotion cannot be lost (they were refused, never acknowledged), so the client data loss measures what replication had not carried to ${record.targetRegion} when Aurora promoted it.`;
}

/** "200 x20, 503 x30, no response x1": the statuses in numeric order. */
function statusesText(statuses: Readonly<Record<string, number>>): string {
  const keys = Object.keys(statuses).sort((a, b) =>
    a === 'none' ? 1 : b === 'none' ? -1 : Number(a) - Number(b),
  );
  return keys.map((k) => `${k === 'none' ? 'no response' : k} x${statuses[k]}`).join(', ');
}

export function clientRequestsText(c: ClientMeasures): string {
  const r = c.requests;
  const statuses = statusesText(r.statuses);
  return `${r.writes} writes (${r.writeFailures} failed), ${r.reads} reads (${r.readFailures} failed)${statuses ? `; statuses ${statuses}` : ''}`;
}

export function dnsChangeText(change: DnsAnswerChange): string {
  const moved = `${change.fromRegion ?? change.fromTarget} -> ${change.toRegion ?? change.toTarget} at ${change.at}`;
  const flip = change.healthFlip;
  if (!flip) return `${moved}, with no health check flip of those regions before it`;
  return `${moved}, ${formatDuration(change.delayMs!)} after the ${flip.region} ${flip.check} check turned ${flip.healthy ? 'healthy' : 'unhealthy'} (old answer's TTL ${change.previousTtlSeconds} s)`;
}

/** The client-level rows of the measures table; none for a drill without a client log. */
export function clientMeasureRows(record: DrillRecord): MeasureRow[] {
  const c = record.measures.client;
  if (!c) return [];
  const rto = `RTO ${record.objectives.rtoSeconds} s`;
  return [
    {
      measure: 'client-level write RTO (first failed to first acknowledged client write after)',
      value: clientWriteRtoText(c),
      objective: rto,
    },
    ...c.readRto.map((r) => ({
      measure: `client-level read RTO in ${r.region} (failed reads answered there to the next successful read)`,
      value: clientReadRtoText(r),
      objective: rto,
    })),
    {
      measure: 'client-level data loss: acknowledged client writes missing on the new writer',
      value: [clientDataLossText(record, c), lastAcknowledgedText(c)]
        .filter((t) => t !== undefined)
        .join('; '),
      objective: `RPO ${record.objectives.rpoSeconds} s`,
    },
    ...c.dns.map((d) => ({
      measure: `DNS cutover of ${d.name}`,
      value: d.changes.length
        ? d.changes.map(dnsChangeText).join('\n')
        : `the answer did not change${d.failedQueries ? ` (${d.failedQueries} failed queries)` : ''}`,
      objective: '',
    })),
    { measure: 'client requests', value: clientRequestsText(c), objective: '' },
  ];
}

/** The client-level RTO: the longest write or read outage; FAIL as soon as one exceeds the objective. */
function clientRtoCell(c: ClientMeasures, objectiveSeconds: number): string {
  const parts = [
    c.writeRto.ms === null ? clientWriteRtoText(c) : `write RTO ${formatDuration(c.writeRto.ms)}`,
    ...c.readRto.map((r) =>
      r.ms === null ? clientReadRtoText(r) : `read RTO in ${r.region} ${formatDuration(r.ms)}`,
    ),
  ];
  const figures = [c.writeRto, ...c.readRto];
  const measured = figures.flatMap((f) => (f.ms === null ? [] : [f.ms]));
  const unmeasured = figures.some(
    (f) => f.ms === null && (f.reason === 'still-failing' || f.reason === 'no-requests'),
  );
  const text = parts.join('; ');
  if (measured.some((ms) => ms > objectiveSeconds * 1000)) return `${text}: FAIL`;
  return unmeasured ? text : `${text}: pass`;
}

function databaseRtoCell(record: DrillRecord): string {
  const ms = record.measures.clientRtoMs;
  const objective = record.objectives.rtoSeconds;
  if (ms !== null) return `${formatDuration(ms)}: ${verdict(ms, objective)}`;
  const text = clientRtoText(record);
  return text.startsWith('not measured') ? text : `${text}: pass`;
}

function databaseRpoCell(record: DrillRecord): string {
  const m = record.measures;
  if (m.lostRows === null) {
    return `not verified: ${notCompleted(stepOf(record, 'verify-writes'), 'verify-writes')}`;
  }
  const lag = m.rpoLagMsAtPromotion;
  const text = `${m.lostRows.length} canary rows lost; ${LAG_METRICS.rpo} at promotion ${lag === null ? 'not reported' : `${lag} ms`}`;
  if (lag !== null) return `${text}: ${verdict(lag, record.objectives.rpoSeconds)}`;
  return m.lostRows.length === 0 ? `${text}: pass` : text;
}

function clientRpoCell(record: DrillRecord, c: ClientMeasures): string {
  const loss = c.dataLoss;
  if (loss === null) return clientDataLossText(record, c);
  if (loss.count === 0) return '0 client writes lost: pass';
  const text = `${loss.count} client writes lost`;
  if (loss.windowMs === undefined) return `${text} (not in the client log: no window)`;
  return `${text} over ${formatDuration(loss.windowMs)}: ${verdict(loss.windowMs, record.objectives.rpoSeconds)}`;
}

/** Each objective against the database-level (canary through the Data API) and the client-level figure. */
export function objectivesTable(record: DrillRecord): ClientTable {
  const o = record.objectives;
  const c = record.measures.client;
  return {
    head: ['objective', 'database-level', 'client-level'],
    rows: [
      [
        `RTO ${o.rtoSeconds} s (computed floor ${o.rtoFloorSeconds} s)`,
        databaseRtoCell(record),
        c ? clientRtoCell(c, o.rtoSeconds) : noClientFigure(record),
      ],
      [
        `RPO ${o.rpoSeconds} s`,
        databaseRpoCell(record),
        c ? clientRpoCell(record, c) : noClientFigure(record),
      ],
    ],
  };
}

/**
 * What a client elsewhere may see beyond the canary, and why: a resolver may cache a record
 * for its TTL before it asks again (RFC 1035, section 3.2.1, TTL), and Route 53's TTL is how
 * long recursive resolvers cache the record, so changes take that long to take effect (Route 53
 * Developer Guide, "Values specific for latency records", TTL (seconds)).
 */
export function resolverNote(c: ClientMeasures): string {
  const ttl = Math.max(0, ...c.dns.map((d) => d.ttlSeconds));
  return (
    "The canary resolved the public names from where the drill ran, through that host's resolver, and kept each answer for its TTL. " +
    `A client behind another resolver may see up to one TTL${ttl ? ` (${ttl} s)` : ''} more: its resolver may have cached the old answer just before the change, and may keep it for the whole TTL (RFC 1035, section 3.2.1; Route 53 Developer Guide, "Values specific for latency records", TTL (seconds)).`
  );
}

const capitalized = (text: string) => text[0].toUpperCase() + text.slice(1);

/** The client section: its lines and tables, for both reports. */
export function clientSection(record: DrillRecord):
  | {
      readonly lines: readonly string[];
      readonly lost?: ClientTable;
      readonly dns: ClientTable;
      readonly health: ClientTable;
    }
  | undefined {
  const c = record.measures.client;
  if (!c) return undefined;
  const loss = c.dataLoss;
  const writer = [
    c.promotedAt ? `promotion requested at ${c.promotedAt}` : 'no promotion accepted',
    c.writerMovedAt
      ? `${record.targetRegion} held the writer at ${c.writerMovedAt} (step wait-writer)`
      : `step wait-writer did not see ${record.targetRegion} hold the writer`,
  ].join('; ');
  const lines = [
    `Writer: ${writer}.`,
    `Requests: ${clientRequestsText(c)}.`,
    loss === null
      ? `Lost client writes: ${clientDataLossText(record, c)}.`
      : loss.count === 0
        ? 'Lost client writes: none (every acknowledged client write is on the new writer).'
        : `Lost client writes: ${loss.count} acknowledged but missing on the new writer.`,
    ...(c.lastAcknowledgedBeforePromotion !== undefined
      ? [`${capitalized(lastAcknowledgedText(c)!)}. ${fencedWritesNote(record)}`]
      : []),
    resolverNote(c),
  ];
  const dnsRows = c.dns.flatMap((d) =>
    d.changes.map((ch) => [
      d.name,
      ch.at,
      ch.fromRegion ?? ch.fromTarget ?? '-',
      ch.toRegion ?? ch.toTarget ?? '-',
      ch.healthFlip
        ? `${ch.healthFlip.region} ${ch.healthFlip.check} ${ch.healthFlip.healthy ? 'healthy' : 'unhealthy'} at ${ch.healthFlip.at}`
        : 'none',
      duration(ch.delayMs),
      `${ch.previousTtlSeconds} s`,
    ]),
  );
  return {
    lines,
    ...(loss && loss.count
      ? {
          lost: {
            head: ['seq', 'item', 'sent', 'acknowledged by'],
            rows: loss.writes.map((w) => [
              String(w.seq),
              w.itemId ?? 'not in the client log',
              w.at ?? '-',
              w.region ?? '-',
            ]),
          },
        }
      : {}),
    dns: {
      head: [
        'name',
        'answer changed',
        'from',
        'to',
        'health check flip before it',
        'delay',
        "old answer's TTL",
      ],
      rows: dnsRows,
    },
    health: {
      head: ['at', 'region', 'check', 'became', 'checkers reporting success'],
      rows: c.healthFlips.map((f) => [
        f.at,
        f.region,
        f.check,
        f.healthy ? 'healthy' : 'unhealthy',
        `${f.succeeding}/${f.reporting}`,
      ]),
    },
  };
}
