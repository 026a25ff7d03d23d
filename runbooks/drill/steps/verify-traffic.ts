import { HEALTH_PATHS } from '../../../constructs/contract';
import { resolveChain } from '../observe';
import { checkers } from '../preflight';
import { waitFor } from '../wait';
import { ALL, ops } from './shared';
import { call, type StepDefinition } from './types';

export const verifyTrafficStep: StepDefinition<'verify-traffic'> = {
  id: 'verify-traffic',
  kinds: ALL,
  title: (p) => `Verify ${p.writeHostname} moved to ${p.target.region}`,
  purpose:
    "The target's writer health check must pass and Route 53 must answer the write name with the " +
    "target's write target (its API Gateway regional domain, as the DrillService output publishes it): " +
    'the write path follows the writer without any Route 53 change.',
  calls: (p) => [
    call(
      ops.getHealthCheckStatus,
      p.homeRegion,
      { HealthCheckId: p.target.healthChecks.writer },
      'polled',
    ),
    call(
      ops.testDnsAnswer,
      p.homeRegion,
      { HostedZoneId: p.hostedZoneId, RecordName: p.writeHostname, RecordType: 'CNAME' },
      'polled, following CNAMEs',
    ),
  ],
  checks: (p) => [
    `the writer health check of ${p.target.region} is healthy (most checkers report success)`,
    `${p.writeHostname} resolves (through the zone's CNAMEs) to the write target of ${p.target.region}, ${p.target.writeTarget}`,
  ],
  ifItFails: (p) =>
    `The writer has moved; writes through ${p.writeHostname} may fail until DNS follows. Check the ` +
    `${HEALTH_PATHS.writer} endpoint of ${p.target.regionalHostname} and the health check in Route 53, then run the resume command below.`,
  underCanary: true,
  async run(ctx) {
    const { target } = ctx.plan;
    const state = await waitFor({
      stepId: 'verify-traffic',
      what: `${ctx.plan.writeHostname} to answer ${target.writeTarget} (${target.region})`,
      clock: ctx.clock,
      timeoutMs: ctx.timeoutMs,
      pollIntervalMs: ctx.timing.pollIntervalMs,
      poll: async () => {
        const [health, chain] = await Promise.all([
          ctx.aws.routing.healthCheckStatus(target.healthChecks.writer),
          resolveChain(ctx.aws, ctx.topology, ctx.plan.writeHostname),
        ]);
        return { health, chain };
      },
      done: ({ health, chain }) => health.healthy && chain.at(-1) === target.writeTarget,
      describe: ({ health, chain }) =>
        `writer check of ${target.region} ${health.healthy ? 'healthy' : 'unhealthy'} (${checkers(health)}); ` +
        `${ctx.plan.writeHostname} -> ${chain.length ? chain.join(' -> ') : 'no answer'}`,
      progress: (m) => ctx.progress(m),
      onTimeout: this.ifItFails(ctx.plan),
    });
    return {
      status: 'completed',
      summary: `${ctx.plan.writeHostname} -> ${state.chain.join(' -> ')}; ${checkers(state.health)}`,
    };
  },
};
