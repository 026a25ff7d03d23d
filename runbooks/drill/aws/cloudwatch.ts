import {
  GetMetricDataCommand,
  paginateDescribeAlarms,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { LAG_METRICS } from '../../../constructs/contract';
import type { AwsCaller } from './caller';
import type { AwsClients } from './clients';
import { AWS_OPERATIONS as ops } from './operations';
import type { AlarmView, MetricsApi, WatchedMetric } from './ports';

const LAG_WINDOW_MS = 5 * 60_000;

/** Lag metrics and alarms, on the CloudWatch client of each call's region. */
export function cloudWatchMetrics(clients: AwsClients, caller: AwsCaller): MetricsApi {
  return {
    async lag(region, clusterIdentifier, now) {
      const query = (id: string, metricName: string) => ({
        Id: id,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/RDS',
            MetricName: metricName,
            Dimensions: [{ Name: 'DBClusterIdentifier', Value: clusterIdentifier }],
          },
          Period: 60,
          Stat: 'Maximum',
        },
      });
      const out = await caller.call(ops.getMetricData, region, () =>
        clients.cloudwatch(region).send(
          new GetMetricDataCommand({
            StartTime: new Date(now.getTime() - LAG_WINDOW_MS),
            EndTime: now,
            ScanBy: 'TimestampDescending',
            MetricDataQueries: [
              query('replication', LAG_METRICS.replication),
              query('rpo', LAG_METRICS.rpo),
            ],
          }),
        ),
      );
      const latest = (id: string) =>
        out.MetricDataResults?.find((r) => r.Id === id)?.Values?.[0] ?? null;
      const rpoAt = out.MetricDataResults?.find((r) => r.Id === 'rpo')?.Timestamps?.[0];
      return {
        replicationMs: latest('replication'),
        rpoMs: latest('rpo'),
        rpoAtMs: rpoAt ? new Date(rpoAt).getTime() : null,
      };
    },
    async alarmsInAlarm(region, namePrefix) {
      return caller.call(ops.describeAlarms, region, async () => {
        const alarms: AlarmView[] = [];
        const pages = paginateDescribeAlarms(
          { client: clients.cloudwatch(region) },
          {
            StateValue: 'ALARM',
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            ...(namePrefix ? { AlarmNamePrefix: namePrefix } : {}),
          },
        );
        for await (const page of pages) {
          for (const alarm of page.MetricAlarms ?? []) {
            alarms.push({
              name: alarm.AlarmName ?? '',
              region,
              reason: alarm.StateReason,
              metrics: watchedMetrics(alarm),
            });
          }
          for (const alarm of page.CompositeAlarms ?? []) {
            alarms.push({
              name: alarm.AlarmName ?? '',
              region,
              reason: alarm.StateReason,
              metrics: [],
            });
          }
        }
        return alarms;
      });
    },
  };
}

function watchedMetrics(alarm: MetricAlarm): WatchedMetric[] {
  const dimensions = (list: { Name?: string; Value?: string }[] | undefined) =>
    Object.fromEntries((list ?? []).map((d) => [d.Name ?? '', d.Value ?? '']));
  if (alarm.MetricName) {
    return [
      {
        namespace: alarm.Namespace,
        metricName: alarm.MetricName,
        dimensions: dimensions(alarm.Dimensions),
      },
    ];
  }
  return (alarm.Metrics ?? []).flatMap((m) =>
    m.MetricStat?.Metric
      ? [
          {
            namespace: m.MetricStat.Metric.Namespace,
            metricName: m.MetricStat.Metric.MetricName,
            dimensions: dimensions(m.MetricStat.Metric.Dimensions),
          },
        ]
      : [],
  );
}
