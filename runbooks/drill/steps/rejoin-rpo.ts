import { statusCommand } from '../commands';
import { rpoCalls, rpoChecks, alignManagedRpo } from './managed-rpo';
import { type StepDefinition } from './types';

export const rejoinRpoStep: StepDefinition<'rejoin-rpo'> = {
  id: 'rejoin-rpo',
  kinds: ['failback'],
  title: (p) =>
    `Enforce the RPO on ${p.from.region} now that ${p.target.region} is a healthy secondary`,
  purpose:
    'After an unplanned failover the writer ran without managed RPO (no secondary could satisfy it). ' +
    'The old primary region is a healthy secondary again: apply the managed-RPO policy, so the writer ' +
    'enforces the RPO and a secondary only where another would remain after a failover to it.',
  calls: (p) => rpoCalls(p, p.from),
  checks: (p) => rpoChecks(p),
  ifItFails: (p) =>
    `The writer has not moved; ${p.target.region} serves reads. A group may be half aligned, which is safe ` +
    `while ${p.target.region} stays healthy. Check with \`${statusCommand()}\`, then run the resume command below.`,
  underCanary: true,
  run: (ctx) => alignManagedRpo(ctx, undefined),
};
