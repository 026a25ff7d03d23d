import { statusCommand } from '../commands';
import { rpoCalls, rpoChecks, alignManagedRpo } from './managed-rpo';
import { type StepDefinition } from './types';

export const settleRpoStep: StepDefinition<'settle-rpo'> = {
  id: 'settle-rpo',
  kinds: ['switchover', 'failback'],
  title: (p) =>
    `Enforce the RPO on ${p.target.region} now that ${p.from.region} is a healthy secondary`,
  purpose:
    'The old writer region is a healthy secondary again (the step before waited for it): apply the ' +
    'managed-RPO policy once more, so the new writer enforces the RPO it can now satisfy.',
  calls: (p) => rpoCalls(p, p.target),
  checks: (p) => rpoChecks(p),
  ifItFails: (p) =>
    `The drill's move is done and ${p.from.region} serves again; the RPO may not be enforced yet (safe for ` +
    `commits, unbounded data loss). Check with \`${statusCommand()}\`, then run the resume command below.`,
  underCanary: true,
  run: (ctx) => alignManagedRpo(ctx, undefined),
};
