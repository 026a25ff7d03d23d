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

/**
 * The readiness function's metrics (constructs/readiness-check.ts): every few minutes each
 * region's function runs `drill preflight`'s checks with its own region as the target and
 * publishes the verdict here.
 */
export const READINESS_METRIC_NAMESPACE = 'MultiRegion/Readiness';

/** Names of the readiness metrics. */
export const READINESS_METRICS = {
  /** 1 when this region would pass preflight as the target of a move (or holds the writer), else 0. */
  ready: 'StandbyReady',
  /** 1 for each preflight check that failed in a run (dimension `Check`: the check's id). */
  checkFailed: 'PreflightCheckFailed',
} as const;

/** The dimensions of the readiness metrics. */
export const READINESS_DIMENSIONS = {
  /** The region judged as the target (the function's own region). */
  region: 'Region',
  /** The failed check's id (`lag-under-rpo`, `drains-off`, ...), on `checkFailed` only. */
  check: 'Check',
} as const;

/** The readiness function's environment: what the construct sets and the handler reads. */
export const READINESS_ENV = {
  /** JSON list of `{ region, name }`: the SSM parameters that mirror the Drill* outputs. */
  outputParameters: 'READINESS_OUTPUT_PARAMETERS',
  /** Region of the Route 53 calls and the routing stack's alarms. */
  homeRegion: 'READINESS_HOME_REGION',
} as const;
