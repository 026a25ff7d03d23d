/** The CloudWatch metrics both the stacks (alarms, dashboard) and the drill read. */
export {
  SERVICE_METRIC_DIMENSION,
  SERVICE_METRIC_NAMESPACE,
  SERVICE_METRICS,
} from '../service-metrics';

/**
 * The lag metrics of a global database, as Aurora publishes them (`AWS/RDS`, milliseconds,
 * dimension `DBClusterIdentifier`, per secondary cluster in its own region).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
 */
export const LAG_METRICS = {
  replication: 'AuroraGlobalDBReplicationLag',
  rpo: 'AuroraGlobalDBRPOLag',
  progress: 'AuroraGlobalDBProgressLag',
} as const;

/** Which global-database lag metric. */
export type LagKind = keyof typeof LAG_METRICS;
