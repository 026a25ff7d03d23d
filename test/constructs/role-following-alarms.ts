// A simulated world for the synthesized alarms: who holds the writer minute by minute, what
// Aurora publishes (lag only for secondaries, in their own region), what each region's health
// function emits (IsWriter, SecondariesWithinRpo), and the alarm states that follow.
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LAG_METRICS } from '../../constructs/global-database-metrics';
import {
  SERVICE_METRIC_DIMENSION,
  SERVICE_METRIC_NAMESPACE,
  SERVICE_METRICS,
} from '../../constructs/service-metrics';
import { AlarmModel, AlarmState, CfnAlarmProperties, Feed } from './alarm-evaluator';

/** Normal lag of a caught-up secondary, ms. */
export const NORMAL_LAG: Record<string, number> = {
  [LAG_METRICS.replication]: 300,
  [LAG_METRICS.rpo]: 500,
  [LAG_METRICS.progress]: 300,
};

export interface World {
  readonly regions: readonly string[];
  readonly rpoMs: number;
  /** The region holding the writer in minute t. */
  writer(t: number): string;
  /** Minute a region became a secondary (joined, or lost the writer). */
  secondarySince(region: string, t: number): number;
  /** Minutes Aurora takes to publish lag for a new secondary. */
  readonly publishDelay: number;
  /** Whether the region's health function reports in minute t. */
  healthReports(region: string, t: number): boolean;
  /** Real lag override (ms), else the normal lag. */
  trueLag?(region: string, metricName: string, t: number): number | undefined;
  /** Whether Aurora's CloudWatch lag datapoint reaches CloudWatch (default: yes). */
  lagPublished?(region: string, t: number): boolean;
}

/** The real lag of a region in minute t: none while it holds the writer. */
function realLag(world: World, region: string, metricName: string, t: number): number | undefined {
  if (world.writer(t) === region) return undefined;
  return world.trueLag?.(region, metricName, t) ?? NORMAL_LAG[metricName];
}

/** What CloudWatch holds for the world, keyed by the metric names of the shared contract. */
export function feedOf(world: World, clusterRegion: Record<string, string>): Feed {
  return (query, t) => {
    if (t < 0 || query.period !== 60) return undefined;
    if (query.namespace === 'AWS/RDS') {
      const region = clusterRegion[query.dimensions.DBClusterIdentifier];
      if (!region || world.writer(t) === region) return undefined;
      if (t < world.secondarySince(region, t) + world.publishDelay) return undefined;
      if (world.lagPublished && !world.lagPublished(region, t)) return undefined;
      return realLag(world, region, query.metricName, t);
    }
    if (query.namespace === SERVICE_METRIC_NAMESPACE) {
      const region = query.dimensions[SERVICE_METRIC_DIMENSION];
      if (!world.regions.includes(region) || !world.healthReports(region, t)) return undefined;
      if (query.metricName === SERVICE_METRICS.isWriter) return world.writer(t) === region ? 1 : 0;
      if (query.metricName === SERVICE_METRICS.secondariesWithinRpo) {
        // aurora_global_db_status() sees the real RPO lag at once, not CloudWatch's copy.
        return world.regions.filter((r) => {
          const lag = realLag(world, r, LAG_METRICS.rpo, t);
          return lag !== undefined && lag < world.rpoMs;
        }).length;
      }
    }
    return undefined;
  };
}

/** Every alarm of the stacks, by AlarmName, as synthesized. */
export function alarmsOf(stacks: readonly Stack[]): Map<string, AlarmModel> {
  const models = new Map<string, AlarmModel>();
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(
      Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'),
    )) {
      // Only the replication alarms; the primary's secret-rotation alarms are tested on their own.
      if (!logicalId.startsWith('LagAlarms')) continue;
      const props = resource.Properties as CfnAlarmProperties;
      models.set(props.AlarmName!, new AlarmModel(props));
    }
  }
  return models;
}

/** The state of every alarm after each minute 0..until. */
export function run(
  alarms: Map<string, AlarmModel>,
  feed: Feed,
  until: number,
): Map<string, AlarmState[]> {
  const history = new Map<string, AlarmState[]>();
  for (const [name, alarm] of alarms) {
    alarm.state = 'INSUFFICIENT_DATA';
    history.set(
      name,
      Array.from({ length: until + 1 }, (_, t) => alarm.evaluate(feed, t)),
    );
  }
  return history;
}

/** `name@minute` for every ALARM state in minutes [from, to]. */
export function alarmsFiring(
  history: Map<string, AlarmState[]>,
  from: number,
  to: number,
): string[] {
  const firing: string[] = [];
  for (const [name, states] of history) {
    for (let t = from; t <= to; t++) if (states[t] === 'ALARM') firing.push(`${name}@${t}`);
  }
  return firing;
}
