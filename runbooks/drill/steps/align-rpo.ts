import { statusCommand } from '../commands';
import { ALL, MANAGED_RPO } from './shared';
import { rpoCalls, rpoChecks, alignManagedRpo } from './managed-rpo';
import { type StepDefinition } from './types';

export const alignRpoStep: StepDefinition<'align-rpo'> = {
  id: 'align-rpo',
  kinds: ALL,
  title: (p) => `Align the managed RPO with the new writer ${p.target.region}`,
  purpose:
    "Aurora holds commits when no secondary has an RPO lag under rds.global_db_rpo of the writer's " +
    'cluster parameter group. Right after the move, before any write is verified: a new writer without ' +
    'a healthy secondary stops enforcing (so it never blocks every commit), and the RPO is set where a ' +
    'healthy secondary can satisfy it now; a secondary enforces only where another would remain after ' +
    'an unplanned failover to it.',
  calls: (p) => rpoCalls(p, p.target, p.kind === 'failover' ? p.from : undefined),
  checks: (p) => rpoChecks(p, p.kind === 'failover' ? p.from : undefined),
  ifItFails: (p) =>
    `The move is done. A group may be half aligned: check what each cluster enforces with \`${statusCommand()}\`; ` +
    `if ${p.target.region} enforces the RPO without a healthy secondary, its commits block: run the resume command below, ` +
    `or reset ${MANAGED_RPO} in ${p.target.clusterParameterGroupName} by hand.`,
  underCanary: true,
  run: (ctx) => alignManagedRpo(ctx, ctx.params.kind === 'failover' ? ctx.plan.from : undefined),
};
