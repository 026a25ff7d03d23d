import { statusCommand } from '../commands';
import { memberOf, writerRegionOf } from '../observe';
import { waitFor } from '../wait';
import { ALL, describeGlobal, globalCluster, globalClusterCall, ops } from './shared';
import { call, type StepDefinition } from './types';

export const waitWriterStep: StepDefinition<'wait-writer'> = {
  id: 'wait-writer',
  kinds: ALL,
  engines: ['native'],
  title: (p) => `Wait until ${p.target.region} holds the writer`,
  purpose:
    'Aurora promotes asynchronously: wait until the target is the writer and no failover state is left.',
  calls: (p) => [
    globalClusterCall(p, 'polled'),
    call(
      ops.describeDbClusters,
      p.target.region,
      { DBClusterIdentifier: p.target.clusterIdentifier },
      'polled',
    ),
  ],
  checks: (p) => [
    `${p.target.region} is the writer, FailoverState is gone, global status available, cluster available (polled)`,
    'stops (UNEXPECTED_STATE) when Aurora cancels the move, moves elsewhere, or the cluster fails',
  ],
  ifItFails: (p) =>
    `Aurora may still be moving the writer: check \`${statusCommand()}\`. ${p.from.region} stays fenced. ` +
    'If the move completes, the resume command below verifies and finishes; if Aurora cancelled it, set ' +
    `${p.from.drainParameterName} back to 'false' in ${p.from.region}.`,
  underCanary: true,
  async run(ctx) {
    const { target } = ctx.plan;
    let idlePolls = 0;
    const bad = new Set([
      'failed',
      'inaccessible-encryption-credentials',
      'stopped',
      'deleting',
      'incompatible-parameters',
    ]);
    const state = await waitFor({
      stepId: 'wait-writer',
      what: `${target.region} to hold the writer`,
      clock: ctx.clock,
      timeoutMs: ctx.timeoutMs,
      pollIntervalMs: ctx.timing.pollIntervalMs,
      poll: async () => {
        const [g, cluster] = await Promise.all([
          globalCluster(ctx),
          ctx.aws.database.describeCluster(target.region, target.clusterIdentifier),
        ]);
        return { g, cluster };
      },
      done: ({ g, cluster }) =>
        writerRegionOf(g, ctx.topology) === target.region &&
        !g.failoverState &&
        g.status === 'available' &&
        cluster.status === 'available',
      describe: ({ g, cluster }) =>
        `${describeGlobal(g, ctx.topology)}; ${target.clusterIdentifier} ${cluster.status}`,
      unexpected: ({ g, cluster }) => {
        if (g.failoverState?.status === 'cancelling')
          return 'Aurora is cancelling the move; the writer stays where it was';
        if (g.failoverState && g.failoverState.toArn !== target.clusterArn) {
          return `the move goes to ${g.failoverState.toArn ?? '?'}, not to ${target.clusterArn}`;
        }
        if (bad.has(cluster.status)) return `${target.clusterIdentifier} is ${cluster.status}`;
        if (!memberOf(g, target.clusterArn))
          return `${target.clusterIdentifier} left the global cluster`;
        // Nothing moving and the writer elsewhere, three polls in a row: the request did not take.
        idlePolls =
          !g.failoverState && writerRegionOf(g, ctx.topology) !== target.region ? idlePolls + 1 : 0;
        return idlePolls >= 3
          ? `nothing is moving and the writer is still ${writerRegionOf(g, ctx.topology)}`
          : undefined;
      },
      progress: (m) => ctx.progress(m),
      onTimeout: this.ifItFails(ctx.plan),
    });
    return { status: 'completed', summary: describeGlobal(state.g, ctx.topology) };
  },
};
