import { errorText } from '../errors';
import { isFatal } from '../observe';
import { checkers } from '../preflight';
import { waitFor } from '../wait';
import { ALL, ops, tolerated, FAILOVER_FENCE_WAIT_MS } from './shared';
import { call, type StepDefinition } from './types';

export const fenceStep: StepDefinition<'fence'> = {
  id: 'fence',
  kinds: ALL,
  engines: ['native'],
  title: (p) => `Fence writes in ${p.from.region}`,
  purpose:
    "Set the old writer region's drain switch to 'true' before the writer moves, so its service " +
    'refuses traffic and its health checks fail: no region serves writes it cannot keep (no split ' +
    'brain). DNS keeps answering it until another region passes its writer check: when every ' +
    'record of a failover pair is unhealthy, Route 53 answers the PRIMARY.',
  calls: (p) => [
    call(ops.getParameter, p.from.region, { Name: p.from.drainParameterName }),
    call(
      ops.putParameter,
      p.from.region,
      { Name: p.from.drainParameterName, Value: 'true', Overwrite: 'true' },
      "unless already 'true'",
    ),
    call(
      ops.getHealthCheckStatus,
      p.homeRegion,
      { HealthCheckId: p.from.healthChecks.writer },
      'polled until unhealthy',
    ),
  ],
  checks: (p) => [
    "skips the write when the drain switch is already 'true'",
    p.kind === 'failover'
      ? `the writer health check of ${p.from.region} turns unhealthy (polled for at most ${FAILOVER_FENCE_WAIT_MS / 1000} s: a failed region may never answer)`
      : `the writer health check of ${p.from.region} turns unhealthy (polled)`,
  ],
  ifItFails: (p) =>
    p.kind === 'failover'
      ? `The old region may be unreachable: the failure is recorded and the drill continues only because --allow-data-loss was given (its writes are lost anyway).`
      : `The writer has not moved. ${p.from.region} may be drained: its service refuses traffic, but ${p.writeHostname} ` +
        `still answers ${p.from.region} (Route 53 answers the PRIMARY while every writer check is unhealthy). ` +
        `To back out, set ${p.from.drainParameterName} to 'false' in ${p.from.region}; to go on, run the resume command below.`,
  underCanary: true,
  async run(ctx) {
    const { from } = ctx.plan;
    let alreadyFenced: boolean;
    try {
      alreadyFenced = (await ctx.aws.switches.get(from.region, from.drainParameterName)) === 'true';
      if (!alreadyFenced) await ctx.aws.switches.put(from.region, from.drainParameterName, 'true');
    } catch (err) {
      if (!tolerated(ctx, err)) throw err;
      ctx.note({ fenceFailed: errorText(err) });
      return {
        status: 'skipped',
        summary: `fencing ${from.region} failed (${errorText(err)}); continuing because --allow-data-loss`,
        details: { fenceFailed: errorText(err) },
      };
    }
    try {
      const health = await waitFor({
        stepId: 'fence',
        what: `the writer health check of ${from.region} to be unhealthy`,
        clock: ctx.clock,
        // A dead region's check may never turn; an unplanned failover does not wait for it
        // longer than a bounded wait (unless --timeout fence= says otherwise).
        timeoutMs:
          ctx.params.kind === 'failover' && ctx.timing.stepTimeoutsMs.fence === undefined
            ? Math.min(ctx.timeoutMs, FAILOVER_FENCE_WAIT_MS)
            : ctx.timeoutMs,
        pollIntervalMs: ctx.timing.pollIntervalMs,
        poll: () => ctx.aws.routing.healthCheckStatus(from.healthChecks.writer),
        done: (h) => !h.healthy,
        describe: (h) => `${h.healthy ? 'healthy' : 'unhealthy'}, ${checkers(h)}`,
        progress: (m) => ctx.progress(m),
        onTimeout: this.ifItFails(ctx.plan),
      });
      return {
        status: alreadyFenced ? 'skipped' : 'completed',
        summary: `${from.region} drained${alreadyFenced ? ' already' : ''}; its writer check is unhealthy (${checkers(health)})`,
      };
    } catch (err) {
      if (ctx.params.kind !== 'failover' || isFatal(err)) throw err;
      return {
        status: 'completed',
        summary: `${from.region} drained, but its writer check did not turn (${errorText(err)}); continuing because --allow-data-loss`,
      };
    }
  },
};
