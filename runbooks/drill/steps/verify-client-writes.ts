import type { ClientLogEntry, ClientRequestSample, DnsObservation } from '../client-model';
import { noResponseCause, notAllowedToInvoke } from '../client-probe';
import type { DrillTopology } from '../discovery';
import { formatDuration } from '../duration';
import { DrillError, isDrillError } from '../errors';
import { waitFor } from '../wait';
import { ALL } from './shared';
import type { PlanView, StepDefinition } from './types';

/** What the client canary has lived since the writer moved, as this step judges it. */
interface ClientView {
  /** The first acknowledged client write sent after the move through the target's answer. */
  readonly write?: ClientRequestSample;
  /** Reads failed at some point and none succeeded after the last failure. */
  readonly readsFailing: boolean;
  /** The last client write, whatever its outcome, and the answer it went to. */
  readonly last?: ClientRequestSample;
  readonly lastAnswer?: DnsObservation;
}

const iso = (ms: number) => new Date(ms).toISOString();

function viewOf(
  entries: readonly ClientLogEntry[],
  targetRegion: string,
  writerMovedAt: number,
): ClientView {
  const requests = entries.filter((e): e is ClientRequestSample => e.type === 'request');
  const writes = requests.filter((r) => r.path === 'write');
  const write = writes.find(
    (w) => w.ok && w.at >= writerMovedAt && w.targetRegion === targetRegion,
  );
  const reads = requests.filter((r) => r.path === 'read');
  const lastFailed = reads.filter((r) => !r.ok).at(-1);
  const readsFailing = lastFailed !== undefined && !reads.some((r) => r.ok && r.at > lastFailed.at);
  const last = writes.at(-1);
  const lastAnswer =
    last?.answeredAt === undefined
      ? undefined
      : entries.find(
          (e): e is DnsObservation =>
            e.type === 'dns' && e.path === 'write' && e.at === last.answeredAt,
        );
  return {
    ...(write ? { write } : {}),
    readsFailing,
    ...(last ? { last } : {}),
    ...(lastAnswer ? { lastAnswer } : {}),
  };
}

/**
 * What the canary last saw on the write name: the status, the answer's target and region, and
 * when its cached answer expires. No sequence number: the progress shows only changes.
 */
function describeLast(view: ClientView, topology: DrillTopology): string {
  const { last, lastAnswer } = view;
  if (!last) return 'no client write sent yet';
  const outcome =
    last.status !== undefined ? `status ${last.status}` : `no response (${last.error ?? '?'})`;
  const answer = last.targetRegion
    ? `through answer ${last.target ?? '?'} (${last.targetRegion})`
    : last.target
      ? `through answer ${last.target}, none of this deployment's regions`
      : 'with no DNS answer';
  const expiry = lastAnswer
    ? `, cached until ${iso(lastAnswer.at + lastAnswer.ttlSeconds * 1000)}`
    : '';
  const reads = view.write && view.readsFailing ? '; client reads still failing' : '';
  return `last client write: ${outcome} ${answer}${expiry}${reads}${causeOf(view, topology)}`;
}

/** What a refused or unanswered last write says about the caller or the path, if anything. */
function causeOf(view: ClientView, topology: DrillTopology): string {
  const { last } = view;
  if (!last || last.ok) return '';
  if (last.status === 403) return `; ${notAllowedToInvoke(topology)}`;
  if (last.status === undefined) {
    return "; the network, a proxy or this machine's resolver is the likely cause";
  }
  return '';
}

/** The timeout's hint when the last write names its cause; undefined: the step's own. */
function timeoutHint(view: ClientView | undefined, plan: PlanView, topology: DrillTopology) {
  const last = view?.last;
  if (!last || last.ok) return undefined;
  const then =
    'then run the resume command below (or resume with --no-client-canary to finish without client-level figures)';
  if (last.status === 403) return `${notAllowedToInvoke(topology)}, ${then}`;
  if (last.status === undefined) {
    return `${noResponseCause(last.error)}: check that this machine reaches ${plan.writeHostname} on port 443, ${then}`;
  }
  return undefined;
}

/**
 * After the writer moved a client still writes through its cached answer of the write name until
 * that expires: the TTL is "the amount of time ... that you want DNS recursive resolvers to cache
 * information about this record" (Route 53 Developer Guide, "Values specific for failover
 * records", TTL (seconds)). So the drill waits here, up to the step timeout, rather than stop
 * the canary while clients still reach the fenced old writer.
 */
export const verifyClientWritesStep: StepDefinition<'verify-client-writes'> = {
  id: 'verify-client-writes',
  kinds: ALL,
  title: (p) => `Verify clients write through ${p.writeHostname} to ${p.target.region}`,
  purpose:
    'Watch the client canary (no AWS call of its own): wait until a client write sent after the ' +
    `writer moved, through the cached answer of the write name, is acknowledged by the target ` +
    'region, and, when reads were failing, a read succeeds again. The client write RTO is measured ' +
    'up to then, which can be up to a record TTL after the writer moved (clients keep an answer that long).',
  calls: () => [],
  checks: (p) => [
    `a client write through ${p.writeHostname} whose answer names ${p.target.region} is acknowledged (200), sent after the writer moved`,
    'when client reads were failing in some region, a read succeeds after the last failure',
  ],
  ifItFails: (p) =>
    `The writer has moved but clients of ${p.writeHostname} do not reach ${p.target.region}: check the ` +
    `record sets of ${p.writeHostname} in hosted zone ${p.hostedZoneId} (failover CNAMEs, their TTL) and the ` +
    `Route 53 health checks of ${p.target.region} (writer) and ${p.from.region}, then run the resume command below.`,
  underCanary: true,
  async run(ctx) {
    const { plan } = ctx;
    const entriesOf = ctx.canary.clientEntries?.bind(ctx.canary);
    const unavailable = ctx.canary.clientUnavailable?.();
    if (!entriesOf || unavailable !== undefined) {
      return {
        status: 'skipped',
        summary: `no client write to wait for: ${unavailable ?? 'the client canary does not run in this drill'}`,
      };
    }
    // When wait-writer saw the target hold the writer (the record's writer-moved moment).
    // With --engine arc: when the plan's Aurora block succeeded.
    const writerMovedAt =
      ctx.finishedAt?.('wait-writer') ??
      ctx.earlier('arc-execution')?.writerMovedAt ??
      ctx.clock.now();
    let latest: ClientView | undefined;
    const view = await waitFor({
      stepId: 'verify-client-writes',
      what: `a client write through ${plan.writeHostname} acknowledged by ${plan.target.region}`,
      clock: ctx.clock,
      timeoutMs: ctx.timeoutMs,
      pollIntervalMs: ctx.timing.pollIntervalMs,
      poll: () =>
        Promise.resolve((latest = viewOf(entriesOf(), plan.target.region, writerMovedAt))),
      done: (v) => v.write !== undefined && !v.readsFailing,
      describe: (v) => describeLast(v, ctx.topology),
      progress: (m) => ctx.progress(m),
      onTimeout: this.ifItFails(plan),
    }).catch((err: unknown) => {
      // A refused or unanswered client says what to fix, not only the records and checks.
      const hint = timeoutHint(latest, plan, ctx.topology);
      if (!hint || !isDrillError(err, 'STEP_TIMEOUT')) throw err;
      throw new DrillError('STEP_TIMEOUT', err.message, { hint, cause: err });
    });
    const write = view.write!;
    const sinceWriterMovedMs = write.at - writerMovedAt;
    return {
      status: 'completed',
      summary:
        `first acknowledged client write (seq ${write.seq}) at ${iso(write.at)}, ` +
        `${formatDuration(sinceWriterMovedMs)} after the writer moved, through ${write.target ?? '?'} (${plan.target.region})`,
      details: { firstClientWriteAt: write.at, region: plan.target.region, sinceWriterMovedMs },
    };
  },
};
