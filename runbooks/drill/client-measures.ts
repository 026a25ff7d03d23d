import {
  writeSeqOf,
  type ClientLogEntry,
  type ClientRequestSample,
  type DnsObservation,
  type HealthObservation,
} from './client-model';
import type {
  ClientDataLoss,
  ClientMeasures,
  ClientOutage,
  ClientReadRto,
  ClientRto,
  DnsAnswerChange,
  DnsCutover,
  HealthFlip,
  LastAcknowledgedWrite,
} from './record-types';

// The client-level measures: what the client canary lived, from its log only, placed against
// the journal's moments (promotion, writer moved) and verify-writes' count of lost writes.

/** What the journal says about the move, for the client log's figures. */
export interface ClientMeasureContext {
  readonly fromRegion: string;
  readonly targetRegion: string;
  /** When AWS accepted the promotion request (ms since epoch). */
  readonly promotedAt?: number;
  /** When step wait-writer saw the target hold the writer. */
  readonly writerMovedAt?: number;
  /** verify-writes' client writes acknowledged but missing; null until it completed. */
  readonly lostClientWrites: readonly number[] | null;
  readonly acknowledgedClientWrites?: number;
  readonly rpoLagMsAtPromotion: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

interface OpenOutage {
  startedAt: number;
  failed: number;
}

function closed(open: OpenOutage, endedAt: number): ClientOutage {
  return {
    startedAt: iso(open.startedAt),
    endedAt: iso(endedAt),
    durationMs: endedAt - open.startedAt,
    failed: open.failed,
  };
}

function stillOpen(open: OpenOutage): ClientOutage {
  return { startedAt: iso(open.startedAt), failed: open.failed };
}

/** The longest outage, or why there is no figure. */
function rtoOf(outages: readonly ClientOutage[], requests: number): ClientRto {
  if (requests === 0) return { ms: null, reason: 'no-requests', outages };
  if (outages.length === 0) return { ms: null, reason: 'no-failure', outages };
  if (outages.some((o) => o.durationMs === undefined)) {
    return { ms: null, reason: 'still-failing', outages };
  }
  return { ms: Math.max(...outages.map((o) => o.durationMs!)), outages };
}

const inOrder = <T extends { readonly at: number }>(entries: readonly T[]) =>
  [...entries].sort((a, b) => a.at - b.at);

/** First failed client write to the first acknowledged one after, for every outage. */
function writeRto(writes: readonly ClientRequestSample[]): ClientRto {
  const outages: ClientOutage[] = [];
  let open: OpenOutage | undefined;
  for (const w of writes) {
    if (!w.ok) {
      if (open) open.failed++;
      else open = { startedAt: w.at, failed: 1 };
    } else if (open) {
      outages.push(closed(open, w.at));
      open = undefined;
    }
  }
  if (open) outages.push(stillOpen(open));
  return rtoOf(outages, writes.length);
}

/**
 * Per region that lost read service: from a failed read whose cached answer named it to the
 * next successful read from any region (the client got its answer again). A failed read with
 * no region (the name did not resolve) counts in every open outage.
 */
function readRto(reads: readonly ClientRequestSample[]): ClientReadRto[] {
  const open = new Map<string, OpenOutage>();
  const outages = new Map<string, ClientOutage[]>();
  for (const r of reads) {
    if (r.ok) {
      for (const [region, o] of open) outages.get(region)!.push(closed(o, r.at));
      open.clear();
      continue;
    }
    for (const o of open.values()) if (r.targetRegion === undefined) o.failed++;
    if (r.targetRegion === undefined) continue;
    const o = open.get(r.targetRegion);
    if (o) {
      o.failed++;
      continue;
    }
    open.set(r.targetRegion, { startedAt: r.at, failed: 1 });
    if (!outages.has(r.targetRegion)) outages.set(r.targetRegion, []);
  }
  for (const [region, o] of open) outages.get(region)!.push(stillOpen(o));
  return [...outages].map(([region, list]) => ({ region, ...rtoOf(list, reads.length) }));
}

/**
 * Checks that changed state: every reading after a check's first whose verdict differs. The
 * readings are GetHealthCheckStatus answers (one observation per Route 53 health checker
 * reporting; Route 53 API Reference, GetHealthCheckStatus), so a flip is when the drill saw it.
 */
function healthFlips(health: readonly HealthObservation[]): HealthFlip[] {
  const last = new Map<string, boolean>();
  const flips: HealthFlip[] = [];
  for (const h of health) {
    const before = last.get(h.healthCheckId);
    last.set(h.healthCheckId, h.healthy);
    if (before === undefined || before === h.healthy) continue;
    flips.push({
      at: iso(h.at),
      healthCheckId: h.healthCheckId,
      region: h.region,
      check: h.check,
      healthy: h.healthy,
      succeeding: h.succeeding,
      reporting: h.reporting,
    });
  }
  return flips;
}

/**
 * Each change of a name's answer (failed queries change nothing: the cache keeps serving what
 * it has), next to the last flip, before it, of a check of the same kind (serving for `app.`,
 * writer for `write.`) of either region the answer moved between.
 */
function dnsCutovers(
  answers: readonly DnsObservation[],
  flips: readonly HealthFlip[],
  context: ClientMeasureContext,
): DnsCutover[] {
  const names = [...new Set(answers.map((a) => a.name))];
  return names.map((name) => {
    const own = answers.filter((a) => a.name === name);
    const path = own[0].path;
    const kind = path === 'write' ? 'writer' : 'serving';
    const changes: DnsAnswerChange[] = [];
    let previous: DnsObservation | undefined;
    for (const a of own) {
      if (a.target === undefined) continue;
      if (previous && previous.target !== a.target) {
        const regions = [previous.region, a.region].filter((r) => r !== undefined);
        const involved = regions.length ? regions : [context.fromRegion, context.targetRegion];
        const flip = flips
          .filter(
            (f) => f.check === kind && involved.includes(f.region) && Date.parse(f.at) <= a.at,
          )
          .at(-1);
        changes.push({
          at: iso(a.at),
          ...(previous.region ? { fromRegion: previous.region } : {}),
          ...(a.region ? { toRegion: a.region } : {}),
          fromTarget: previous.target,
          toTarget: a.target,
          previousTtlSeconds: previous.ttlSeconds,
          ...(flip ? { healthFlip: flip, delayMs: a.at - Date.parse(flip.at) } : {}),
        });
      }
      previous = a;
    }
    return {
      path,
      name,
      changes,
      failedQueries: own.filter((a) => a.target === undefined).length,
      ttlSeconds: Math.max(0, ...own.map((a) => a.ttlSeconds)),
    };
  });
}

function dataLoss(
  writes: readonly ClientRequestSample[],
  context: ClientMeasureContext,
): ClientDataLoss | null {
  if (context.lostClientWrites === null) return null;
  const lost = [...context.lostClientWrites]
    .sort((a, b) => a - b)
    .map((seq) => {
      // The sample that was acknowledged: a re-sent write (retryOf) carries its first seq.
      const w =
        writes.find((r) => r.ok && writeSeqOf(r) === seq) ?? writes.find((r) => r.seq === seq);
      return {
        seq,
        ...(w ? { itemId: w.itemId, at: iso(w.at) } : {}),
        ...(w?.region ? { region: w.region } : {}),
      };
    });
  const times = lost.flatMap((w) => (w.at ? [Date.parse(w.at)] : []));
  const first = times.length ? Math.min(...times) : undefined;
  const last = times.length ? Math.max(...times) : undefined;
  // The replication point as the client sees it: the newest acknowledged write the new writer
  // still has, sent before the last one it lost.
  const lostSeqs = new Set(context.lostClientWrites);
  const keptAt =
    last === undefined
      ? []
      : writes.filter((w) => w.ok && !lostSeqs.has(writeSeqOf(w)) && w.at < last).map((w) => w.at);
  const since = keptAt.length ? Math.max(...keptAt) : undefined;
  return {
    count: lost.length,
    writes: lost,
    ...(first !== undefined && last !== undefined
      ? {
          firstAt: iso(first),
          lastAt: iso(last),
          ...(since !== undefined ? { keptAt: iso(since) } : {}),
          windowMs: last - (since ?? first),
        }
      : {}),
    ...(context.acknowledgedClientWrites !== undefined
      ? { acknowledged: context.acknowledgedClientWrites }
      : {}),
  };
}

/** The write whose acknowledgement (sent + latency) came last at or before the promotion request. */
function lastAcknowledgedBefore(
  writes: readonly ClientRequestSample[],
  promotedAt: number,
): LastAcknowledgedWrite | null {
  const acked = writes
    .filter((w) => w.ok && w.at + w.latencyMs <= promotedAt)
    .sort((a, b) => a.at + a.latencyMs - (b.at + b.latencyMs));
  const last = acked.at(-1);
  if (!last) return null;
  const region = last.region ?? last.targetRegion;
  return {
    seq: last.seq,
    acknowledgedAt: iso(last.at + last.latencyMs),
    beforePromotionMs: promotedAt - (last.at + last.latencyMs),
    ...(region ? { region } : {}),
  };
}

/** The client-level measures of one drill, from its client log (`client.jsonl`). */
export function computeClientMeasures(
  entries: readonly ClientLogEntry[],
  context: ClientMeasureContext,
): ClientMeasures {
  const requests = entries
    .filter((e): e is ClientRequestSample => e.type === 'request')
    .sort((a, b) => a.at - b.at || a.seq - b.seq);
  const writes = requests.filter((r) => r.path === 'write');
  const reads = requests.filter((r) => r.path === 'read');
  const flips = healthFlips(
    inOrder(entries.filter((e): e is HealthObservation => e.type === 'health')),
  );
  const statuses: Record<string, number> = {};
  for (const r of requests) {
    const key = r.status === undefined ? 'none' : String(r.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  return {
    requests: {
      writes: writes.length,
      writeFailures: writes.filter((w) => !w.ok).length,
      reads: reads.length,
      readFailures: reads.filter((r) => !r.ok).length,
      statuses,
    },
    writeRto: writeRto(writes),
    readRto: readRto(reads),
    dataLoss: dataLoss(writes, context),
    rpoLagMsAtPromotion: context.rpoLagMsAtPromotion,
    ...(context.promotedAt !== undefined
      ? {
          promotedAt: iso(context.promotedAt),
          lastAcknowledgedBeforePromotion: lastAcknowledgedBefore(writes, context.promotedAt),
        }
      : {}),
    ...(context.writerMovedAt !== undefined ? { writerMovedAt: iso(context.writerMovedAt) } : {}),
    dns: dnsCutovers(
      inOrder(entries.filter((e): e is DnsObservation => e.type === 'dns')),
      flips,
      context,
    ),
    healthFlips: flips,
    marks: requests.map((r) => ({
      at: iso(r.at),
      path: r.path,
      ok: r.ok,
      ...(r.status !== undefined ? { status: r.status } : {}),
      ...(r.targetRegion ? { targetRegion: r.targetRegion } : {}),
    })),
  };
}
