import { startCommand } from '../commands';
import { ALL } from './shared';
import { returnToService, healthySecondaryCalls } from './return-to-service';
import { type StepDefinition } from './types';

export const returnOldWriterStep: StepDefinition<'return-old-writer'> = {
  id: 'return-old-writer',
  kinds: ALL,
  title: (p) =>
    p.kind === 'failover'
      ? `Leave ${p.from.region} drained`
      : `Return ${p.from.region} to service as a secondary`,
  purpose:
    'After a planned move the old writer region serves reads again once it is a healthy secondary. ' +
    'After an unplanned failover it stays drained: it must rejoin and catch up first (drill failback).',
  calls: (p) => (p.kind === 'failover' ? [] : healthySecondaryCalls(p.from, p)),
  checks: (p) =>
    p.kind === 'failover'
      ? [`none: ${p.from.region} is left drained on purpose`]
      : [
          `${p.from.region} is a member, not the writer, available, RPO lag under ${p.rpoLabel} (polled)`,
          "skips the write when the drain switch is already 'false'",
          `the serving health check of ${p.from.region} turns healthy (polled)`,
        ],
  ifItFails: (p) =>
    `The drill's move is done; ${p.from.region} is still drained (safe: it takes no traffic). ` +
    `The resume command below finishes when it is a healthy secondary, or set ${p.from.drainParameterName} to 'false' by hand.`,
  underCanary: true,
  async run(ctx) {
    if (ctx.params.kind === 'failover') {
      const { from } = ctx.plan;
      return {
        status: 'skipped',
        summary:
          `${from.region} left drained after an unplanned failover; when it is a healthy secondary again, ` +
          (from.region === ctx.topology.primaryRegion
            ? `\`${startCommand('failback', from.region)}\` returns it to service and moves the writer back`
            : `set ${from.drainParameterName} to 'false' in ${from.region}`),
      };
    }
    return returnToService(ctx, 'return-old-writer', ctx.plan.from);
  },
};
