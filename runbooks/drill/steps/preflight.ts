import { ITEM_ROUTES, LAG_METRICS, MAX_ROUTED_TTL_SECONDS } from '../../../constructs/contract';
import { PROMOTION_QUOTAS } from '../checks/capacity';
import { clientItemId } from '../client-model';
import { startCommand, statusCommand } from '../commands';
import { DrillError } from '../errors';
import { observe } from '../observe';
import { evaluatePreflight } from '../preflight';
import { ALL, globalClusterCall, ops } from './shared';
import { call, type StepDefinition } from './types';

export const preflightStep: StepDefinition<'preflight'> = {
  id: 'preflight',
  kinds: ALL,
  title: (p) => `Preflight checks for ${p.target.region}`,
  purpose:
    'Refuse to start unless the target can take the writer and nothing is already wrong: ' +
    'a drill must not be the second incident.',
  calls: (p) => [
    globalClusterCall(p),
    call(ops.describeDbClusters, '<each region>', { DBClusterIdentifier: '<its cluster>' }),
    call(ops.describeClusterParameters, '<each region>', {
      DBClusterParameterGroupName: '<its cluster parameter group>',
      Source: 'user',
    }),
    call(ops.getMetricData, '<each secondary region>', {
      MetricName: `${LAG_METRICS.replication}, ${LAG_METRICS.rpo}`,
      Stat: 'Maximum',
      Period: '60',
    }),
    call(ops.getHealthCheckStatus, p.homeRegion, {
      HealthCheckId: '<serving and writer check of each region>',
    }),
    call(ops.testDnsAnswer, p.homeRegion, {
      RecordName: '<app and write names, following CNAMEs>',
      RecordType: 'CNAME',
    }),
    call(ops.listResourceRecordSets, p.homeRegion, {
      HostedZoneId: p.hostedZoneId,
      StartRecordName: '<app and write names>',
    }),
    call(ops.describeAlarms, '<each region>', {
      StateValue: 'ALARM',
      AlarmNamePrefix: '<stack prefix>',
    }),
    call(ops.getParameter, '<each region>', { Name: '<its drain parameter>' }),
    call(ops.describeDbInstances, '<writer region>', {
      Filters: 'db-cluster-id=<writer cluster>',
    }),
    call(ops.describeOrderableDbInstanceOptions, p.target.region, {
      Engine: "<writer's engine>",
      EngineVersion: "<writer's version>",
      DBInstanceClass: "<each of the writer's instance classes>",
    }),
    call(ops.getServiceQuota, '<each region>', {
      ServiceCode: 'rds',
      QuotaCode: PROMOTION_QUOTAS.map((q) => q.code).join(', '),
    }),
  ],
  checks: (p) => [
    `${p.target.region} is a secondary member, available, and not headless (at least one instance)`,
    'engine versions are equal across members; every member is available',
    'no failover or switchover in progress (FailoverState empty, status available)',
    `RPO lag of every secondary under the RPO (${p.rpoLabel})`,
    'health checks healthy, except writer checks of non-writer regions (expected unhealthy)',
    `TTL of every app and write record at most ${MAX_ROUTED_TTL_SECONDS} s`,
    'no alarm in ALARM, except lag alarms of the writer and alarms on checks expected unhealthy',
    p.kind === 'failback'
      ? `every drain switch 'false' (${p.target.region} may still be drained: the next step returns it)`
      : "every drain switch 'false'",
    `${p.target.region} offers the writer's instance classes for its engine version, and its quotas (${PROMOTION_QUOTAS.map((q) => `${q.name} ${q.code}`).join(', ')}) are not below the writer region's`,
    `the client canary (unless --no-client-canary; not an AWS call): this machine's resolver answers ${p.writeHostname} and the app name with a region's target, ` +
      `and one SigV4-signed ${ITEM_ROUTES.read.method} ${ITEM_ROUTES.read.path.replace('{id}', clientItemId('<drill id>', 0))} through the app name gets 404 (DNS, TLS, SigV4 and execute-api:Invoke work)`,
  ],
  ifItFails: () =>
    'Nothing has been changed. Fix what the failed checks name and rerun; to start anyway, ' +
    'add `--force --reason "<why>"` (the reason is recorded in the journal and the report).',
  underCanary: false,
  async run(ctx) {
    const snapshot = await observe(ctx.aws, ctx.topology, {
      clock: ctx.clock,
      homeRegion: ctx.plan.homeRegion,
      preferredRegions: [ctx.plan.target.region],
      ...(ctx.timing.clientCanary === false ? {} : { client: { drillId: ctx.params.drillId } }),
      capacity: true,
    });
    if (
      snapshot.writerRegion !== ctx.params.fromRegion &&
      snapshot.writerRegion !== ctx.params.targetRegion
    ) {
      throw new DrillError(
        'UNEXPECTED_STATE',
        `the writer is in ${snapshot.writerRegion ?? 'no region'}, not in ${ctx.params.fromRegion} as when the drill was planned`,
        {
          hint: `Run \`${statusCommand()}\`, then start a new drill: \`${startCommand(ctx.params.kind, ctx.params.targetRegion)}\``,
        },
      );
    }
    const checks = evaluatePreflight(snapshot, ctx.topology, {
      kind: ctx.params.kind,
      targetRegion: ctx.params.targetRegion,
    });
    const failed = checks.filter((c) => !c.ok);
    if (failed.length === 0) {
      return {
        status: 'completed',
        summary: `${checks.length} checks passed`,
        details: { checks },
      };
    }
    if (ctx.forceReason) {
      return {
        status: 'completed',
        summary: `${failed.length} of ${checks.length} checks failed; started anyway (--force): ${ctx.forceReason}`,
        details: { checks, forced: ctx.forceReason },
      };
    }
    throw new DrillError(
      'PREFLIGHT_FAILED',
      `${failed.length} of ${checks.length} preflight checks failed:\n` +
        failed.map((c) => `  - ${c.id}: ${c.title}: ${c.reason}`).join('\n'),
      { hint: this.ifItFails(ctx.plan) },
    );
  },
};
