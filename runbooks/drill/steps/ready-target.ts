import { statusCommand } from '../commands';
import { returnToService, healthySecondaryCalls } from './return-to-service';
import { type StepDefinition } from './types';

export const readyTargetStep: StepDefinition<'ready-target'> = {
  id: 'ready-target',
  kinds: ['failback'],
  title: (p) => `Return ${p.target.region} to service before it takes the writer`,
  purpose:
    'After an unplanned failover the old primary region was left drained. Once it is a healthy ' +
    'secondary again it serves reads first, so that it is known good before it takes writes.',
  calls: (p) => healthySecondaryCalls(p.target, p),
  checks: (p) => [
    `${p.target.region} is a member, not the writer, available, RPO lag under ${p.rpoLabel} (polled)`,
    `skips the write when the drain switch is already 'false'`,
    `the serving health check of ${p.target.region} turns healthy (polled)`,
  ],
  ifItFails: (p) =>
    `The writer has not moved. ${p.target.region} may be serving reads again or still drained; both are safe. ` +
    `Check with \`${statusCommand()}\`, then run the resume command below.`,
  underCanary: true,
  run: (ctx) => returnToService(ctx, 'ready-target', ctx.plan.target),
};
