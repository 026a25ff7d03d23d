// The synthesized CloudWatch alarms in the simulation: read from the templates as deployed,
// and evaluated as CloudWatch documents it ("Alarm evaluation" and "Configuring how CloudWatch
// alarms treat missing data", Amazon CloudWatch User Guide) on the world's own metric series.
// An alarm whose metric the world does not model is listed, stays OK and is "not evaluated".
import type {
  ComparisonOperator,
  MetricAlarm,
  MetricDataQuery,
  StateValue,
} from '@aws-sdk/client-cloudwatch';
import { FAKE_ACCOUNT, type DeployedResource } from './deployment';

/** A metric as an alarm names it. */
export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/**
 * The world's value of a metric in a region now: a number, null (no datapoint now), or
 * undefined (the world does not model this metric).
 */
export type MetricSampler = (region: string, metric: MetricRef) => number | null | undefined;

/** One metric of an alarm, with the statistic and period it is aggregated over. */
interface StatQuery {
  readonly id: string;
  readonly metric: MetricRef;
  readonly periodMs: number;
  readonly stat: string;
}

/** A synthesized alarm: what DescribeAlarms lists, and how the world evaluates it. */
export interface SimulatedAlarm {
  /** The object DescribeAlarms answers (its StateValue changes as the alarm is evaluated). */
  readonly view: MetricAlarm & { region: string };
  readonly queries: readonly StatQuery[];
  /** Metric math the world can compute: MAX or MIN of a list of the queries. */
  readonly expression?: { readonly fn: 'MAX' | 'MIN'; readonly ids: readonly string[] };
  readonly periodMs: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: string;
  readonly treatMissingData: string;
  /** Why the world does not evaluate it (it stays OK); undefined: evaluated. */
  readonly notEvaluated?: string;
  /** Set by a scenario (`setAlarm`): evaluation leaves its state alone. */
  pinned: boolean;
}

/** Statistics the world aggregates samples with (CloudWatch User Guide, "Statistics definitions"). */
const STATISTICS: Record<string, (values: readonly number[]) => number> = {
  Maximum: (v) => Math.max(...v),
  Minimum: (v) => Math.min(...v),
  Average: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  Sum: (v) => v.reduce((a, b) => a + b, 0),
  SampleCount: (v) => v.length,
};

/** The static-threshold operators (PutMetricAlarm API Reference, ComparisonOperator). */
const COMPARISONS: Record<string, (value: number, threshold: number) => boolean> = {
  GreaterThanOrEqualToThreshold: (v, t) => v >= t,
  GreaterThanThreshold: (v, t) => v > t,
  LessThanThreshold: (v, t) => v < t,
  LessThanOrEqualToThreshold: (v, t) => v <= t,
};

function dimensionsOf(list: unknown): Record<string, string> {
  return Object.fromEntries(
    ((list as { Name: string; Value: unknown }[] | undefined) ?? []).map((d) => [
      d.Name,
      String(d.Value),
    ]),
  );
}

function refOf(metric: Record<string, unknown>): MetricRef {
  return {
    namespace: String(metric.Namespace),
    metricName: String(metric.MetricName),
    dimensions: dimensionsOf(metric.Dimensions),
  };
}

/** A synthesized AWS::CloudWatch::Alarm, OK at start (deployed long before the rehearsal). */
export function alarmOf(
  resource: DeployedResource,
  sampler: MetricSampler,
  at: number,
): SimulatedAlarm {
  const p = resource.properties;
  // Unnamed: CloudFormation generates a unique physical id from the stack name, the logical id
  // and a suffix ("MyStack-MyBucket-abcdefghijk1": CloudFormation Template Reference,
  // "CloudFormation resource custom naming"); the simulated physical id is the latter two.
  const name = String(p.AlarmName ?? `${resource.stack}-${resource.physicalId}`);
  const metrics = p.Metrics as MetricDataQuery[] | undefined;
  const queries: StatQuery[] = [];
  let expression: SimulatedAlarm['expression'];
  let notEvaluated: string | undefined;
  if (metrics) {
    for (const m of metrics) {
      if (!m.MetricStat) continue;
      queries.push({
        id: String(m.Id),
        metric: refOf(m.MetricStat.Metric as Record<string, unknown>),
        periodMs: Number(m.MetricStat.Period) * 1000,
        stat: String(m.MetricStat.Stat),
      });
    }
    const returned = metrics.find((m) => m.ReturnData !== false) ?? metrics[0];
    const math = /^\s*(MAX|MIN)\(\[([\w\s,]+)\]\)\s*$/.exec(returned.Expression ?? '');
    if (math) {
      expression = { fn: math[1] as 'MAX' | 'MIN', ids: math[2].split(',').map((s) => s.trim()) };
    } else if (returned.Expression !== undefined) {
      notEvaluated = `metric math ${returned.Expression} is not simulated`;
    }
  } else {
    queries.push({
      id: 'm',
      metric: refOf(p),
      periodMs: Number(p.Period) * 1000,
      stat: String(p.Statistic ?? p.ExtendedStatistic),
    });
  }
  const unmodelled = queries.find((q) => sampler(resource.region, q.metric) === undefined);
  if (unmodelled) {
    notEvaluated = `metric ${unmodelled.metric.namespace} ${unmodelled.metric.metricName} is not simulated`;
  } else if (!notEvaluated) {
    const stat = queries.find((q) => !STATISTICS[q.stat]);
    if (stat) notEvaluated = `statistic ${stat.stat} is not simulated`;
    else if (!COMPARISONS[String(p.ComparisonOperator)]) {
      notEvaluated = `comparison ${String(p.ComparisonOperator)} is not simulated`;
    }
  }
  const evaluationPeriods = Number(p.EvaluationPeriods);
  const periodMs = metrics ? Math.max(...queries.map((q) => q.periodMs)) : queries[0].periodMs;
  return {
    view: {
      region: resource.region,
      AlarmName: name,
      AlarmArn: `arn:aws:cloudwatch:${resource.region}:${FAKE_ACCOUNT}:alarm:${name}`,
      AlarmDescription: p.AlarmDescription as string | undefined,
      ...(metrics
        ? { Metrics: metrics }
        : {
            Namespace: p.Namespace as string,
            MetricName: p.MetricName as string,
            Dimensions: p.Dimensions as MetricAlarm['Dimensions'],
            Statistic: p.Statistic as MetricAlarm['Statistic'],
            Period: Number(p.Period),
          }),
      EvaluationPeriods: evaluationPeriods,
      DatapointsToAlarm:
        p.DatapointsToAlarm === undefined ? undefined : Number(p.DatapointsToAlarm),
      Threshold: Number(p.Threshold),
      ComparisonOperator: p.ComparisonOperator as ComparisonOperator,
      TreatMissingData: p.TreatMissingData as string | undefined,
      StateValue: 'OK',
      StateReason: notEvaluated
        ? `simulated: not evaluated (${notEvaluated})`
        : 'simulated: OK at the start of the simulation',
      StateUpdatedTimestamp: new Date(at),
    },
    queries,
    expression,
    periodMs,
    evaluationPeriods,
    // DatapointsToAlarm "is used only if you are setting an 'M out of N' alarm" (PutMetricAlarm
    // API Reference): without it, every one of the N periods must breach.
    datapointsToAlarm: Number(p.DatapointsToAlarm ?? evaluationPeriods),
    threshold: Number(p.Threshold),
    comparison: String(p.ComparisonOperator),
    // "The default behavior is missing" (CloudWatch User Guide, "Configuring how CloudWatch
    // alarms treat missing data").
    treatMissingData: String(p.TreatMissingData ?? 'missing'),
    ...(notEvaluated ? { notEvaluated } : {}),
    pinned: false,
  };
}

/** The samples the world took of one metric, oldest first (value null: no datapoint then). */
export type Samples = readonly { readonly at: number; readonly value: number | null }[];

/**
 * The alarm's datapoint for the period [start, end): its statistic over the samples taken in
 * it; a period that began before the first sample is the steady state of that first sample.
 * Null: missing.
 */
function datapoint(
  alarm: SimulatedAlarm,
  samplesOf: (q: StatQuery) => Samples,
  start: number,
  end: number,
): number | null {
  const valueOf = (q: StatQuery): number | null => {
    const all = samplesOf(q);
    const inPeriod = all.filter((s) => s.at >= start && s.at < end);
    if (all.length > 0 && start < all[0].at && !inPeriod.includes(all[0])) inPeriod.push(all[0]);
    const values = inPeriod.flatMap((s) => (s.value === null ? [] : [s.value]));
    return values.length === 0 ? null : STATISTICS[q.stat](values);
  };
  if (!alarm.expression) return valueOf(alarm.queries[0]);
  // A metric math function over a list ignores the missing members; all missing: missing.
  const values = alarm.expression.ids.flatMap((id) => {
    const q = alarm.queries.find((x) => x.id === id);
    const v = q ? valueOf(q) : null;
    return v === null ? [] : [v];
  });
  if (values.length === 0) return null;
  return alarm.expression.fn === 'MAX' ? Math.max(...values) : Math.min(...values);
}

/**
 * Evaluates an alarm at `now` over its last EvaluationPeriods periods: ALARM when at least
 * DatapointsToAlarm of them breach ("Alarm evaluation", CloudWatch User Guide: M out of N),
 * missing datapoints counted as TreatMissingData says ("breaching", "notBreaching"; "ignore":
 * the state is kept; "missing": INSUFFICIENT_DATA when every one is missing: "Configuring how
 * CloudWatch alarms treat missing data"). Updates the alarm's state and reason on a change.
 */
export function evaluateAlarm(
  alarm: SimulatedAlarm,
  samplesOf: (q: StatQuery) => Samples,
  now: number,
): void {
  if (alarm.notEvaluated || alarm.pinned) return;
  const points = Array.from({ length: alarm.evaluationPeriods }, (_, i) =>
    datapoint(alarm, samplesOf, now - (i + 1) * alarm.periodMs, now - i * alarm.periodMs),
  ).reverse();
  const compare = COMPARISONS[alarm.comparison];
  const missing = points.filter((v) => v === null).length;
  const breaching = points.filter((v) =>
    v === null ? alarm.treatMissingData === 'breaching' : compare(v, alarm.threshold),
  ).length;
  let state: StateValue;
  if (missing === points.length && alarm.treatMissingData === 'ignore') return;
  if (missing === points.length && alarm.treatMissingData === 'missing') {
    state = 'INSUFFICIENT_DATA';
  } else {
    state = breaching >= alarm.datapointsToAlarm ? 'ALARM' : 'OK';
  }
  if (state === alarm.view.StateValue) return;
  const shown = points.map((v) => (v === null ? 'missing' : String(v))).join(', ');
  alarm.view.StateValue = state;
  alarm.view.StateReason =
    `simulated: ${breaching} of the last ${points.length} datapoints [${shown}] breaching ` +
    `(${alarm.comparison} ${alarm.threshold}, ${alarm.datapointsToAlarm} to alarm, missing data ${alarm.treatMissingData})`;
  alarm.view.StateUpdatedTimestamp = new Date(now);
}

/** The key of a metric in a region, for its samples. */
export function metricKey(region: string, metric: MetricRef): string {
  const dims = Object.entries(metric.dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${region}|${metric.namespace}|${metric.metricName}|${dims}`;
}
