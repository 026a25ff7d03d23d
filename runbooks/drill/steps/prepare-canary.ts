import { errorText } from '../errors';
import { CANARY_SQL } from '../canary';
import { CLIENT_HEALTH_INTERVAL_MS } from '../client-canary';
import { ALL, ops, sqlCall, sqlTarget, tolerated } from './shared';
import { call, type StepDefinition } from './types';

export const prepareCanaryStep: StepDefinition<'prepare-canary'> = {
  id: 'prepare-canary',
  kinds: ALL,
  title: (p) => `Prepare canary writes on ${p.from.region}`,
  purpose:
    'Create the drill_canary table on the current writer (it replicates everywhere), then write ' +
    'a row every canary interval to whichever writer accepts it: the database-level RTO is the first ' +
    'failed write to the next acknowledged one, and rows acknowledged but missing after the move are the RPO.',
  calls: (p) => [
    sqlCall(p, p.from, 'CREATE TABLE IF NOT EXISTS drill_canary (...)'),
    sqlCall(p, p.from, 'INSERT INTO drill_canary ...', {
      region: `${p.from.region}, then ${p.target.region}`,
      when: 'every canary interval until the drill ends, to the writer that accepts it',
    }),
    ...p.regions.flatMap((r) =>
      [r.healthChecks.serving, r.healthChecks.writer].flatMap((id) =>
        id
          ? [
              call(
                ops.getHealthCheckStatus,
                p.homeRegion,
                { HealthCheckId: id },
                `by the client canary, at most every ${CLIENT_HEALTH_INTERVAL_MS / 1000} s until the drill ends`,
              ),
            ]
          : [],
      ),
    ),
  ],
  checks: () => ['CREATE TABLE IF NOT EXISTS is idempotent: running it again changes nothing'],
  ifItFails: (p) =>
    p.kind === 'failover'
      ? `In a failover the old writer may be unreachable: the step is recorded as skipped and the table is created on ${p.target.region} in verify-writes (the measured RTO then ends no earlier than that step).`
      : `Nothing has been changed. Check the Data API is enabled on ${p.from.clusterIdentifier} and the drill role may read ${p.from.secretArn}, then run the resume command below.`,
  underCanary: false,
  async run(ctx) {
    try {
      await ctx.aws.sql.execute(
        sqlTarget(ctx.plan.from, ctx.plan.databaseName),
        CANARY_SQL.createTable,
      );
    } catch (err) {
      if (!tolerated(ctx, err)) throw err;
      return {
        status: 'skipped',
        summary: `could not create the canary table on ${ctx.plan.from.region} (${errorText(err)}); continuing because --allow-data-loss`,
      };
    }
    return {
      status: 'completed',
      summary: `drill_canary ready on ${ctx.plan.from.clusterIdentifier}`,
    };
  },
};
