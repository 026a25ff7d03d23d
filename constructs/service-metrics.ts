/**
 * The sample service's own CloudWatch metrics: the health function writes them
 * (embedded metric format), the alarms and the dashboard read them. No
 * aws-cdk-lib import, so the bundled function can use it too.
 */
export const SERVICE_METRIC_NAMESPACE = 'MultiRegion/Service';

/** The one dimension every service metric carries: the region that reports it. */
export const SERVICE_METRIC_DIMENSION = 'Region';

/** Names of the service's metrics, each 0 or 1 unless said otherwise. */
export const SERVICE_METRICS = {
  /** 1 when this region's cluster holds the global writer (read from the data plane). */
  isWriter: 'IsWriter',
  /** 1 when this region can serve (a real query on the local cluster, not drained). */
  serving: 'Serving',
  /** 1 when an operator drained this region. */
  drained: 'Drained',
  /** Count of secondary regions whose RPO lag is under the RPO, as the global database reports it. */
  secondariesWithinRpo: 'SecondariesWithinRpo',
} as const;
