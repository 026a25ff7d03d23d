/** Names both runtimes (the stacks and the drill) derive the same way. */

/**
 * Route 53's home region: it publishes health-check metrics (`AWS/Route53`) only in
 * US East (N. Virginia), so the routing stack and its alarms live there.
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
 */
export const ROUTE53_HOME_REGION = 'us-east-1';

/**
 * The only Region with ARC Region switch's control plane (plans, their health checks); every
 * Region has its data plane (AWS General Reference, "Amazon Application Recovery Controller
 * (ARC) endpoints and quotas", Region switch).
 */
export const ARC_CONTROL_PLANE_REGION = 'us-east-1';

/** A stack's name: `<stackPrefix>-<layer>`, and `-<region>` for a regional stack. */
export function stackName(stackPrefix: string, layer: string, region?: string): string {
  return [stackPrefix, layer, region].filter(Boolean).join('-');
}

/**
 * What the name of every alarm of the app begins with: alarms are named after their stack
 * (`<stack>-<metric>-<level>` by the alarm factory; CloudFormation's generated names, like
 * `MyStack-MyBucket-abcdefghijk1`, otherwise) and every {@link stackName} begins with this.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html
 */
export function alarmNamePrefix(stackPrefix: string): string {
  return `${stackPrefix}-`;
}

/** Name of the global database's master secret (the primary creates it, replicas keep it). */
export function masterSecretName(globalClusterIdentifier: string): string {
  return `${globalClusterIdentifier}/master`;
}

/**
 * A global cluster identifier as RDS accepts it: 1 to 63 letters, digits or hyphens, starting
 * with a letter, not ending with a hyphen, no two hyphens in a row. The pattern is the shape;
 * {@link isGlobalClusterIdentifier} adds the length.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyGlobalCluster.html (NewGlobalClusterIdentifier, Constraints)
 */
export const GLOBAL_CLUSTER_IDENTIFIER_PATTERN = /^[a-zA-Z][a-zA-Z0-9]*(-[a-zA-Z0-9]+)*$/;
/** The longest global cluster identifier RDS accepts. */
export const MAX_GLOBAL_CLUSTER_IDENTIFIER_LENGTH = 63;

/** Whether RDS accepts `id` as a global cluster identifier (shape and length). */
export function isGlobalClusterIdentifier(id: string): boolean {
  return (
    id.length <= MAX_GLOBAL_CLUSTER_IDENTIFIER_LENGTH && GLOBAL_CLUSTER_IDENTIFIER_PATTERN.test(id)
  );
}

/** How the service spreads traffic over the regions. */
export const TRAFFIC_MODES = ['active-passive', 'active-active'] as const;
export type TrafficMode = (typeof TRAFFIC_MODES)[number];

/**
 * The Aurora PostgreSQL managed RPO (`rds.global_db_rpo`) in seconds: the least it can enforce
 * and the most it takes.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html#aurora-global-database-manage-recovery (Managing RPOs)
 */
export const MANAGED_RPO_SECONDS = { min: 20, max: 2_147_483_647 } as const;

/** The four stock cdk-nag packs, as they name themselves in rule ids and reports. */
export const STOCK_PACKS = [
  'AwsSolutions',
  'NIST.800.53.R5',
  'HIPAA.Security',
  'PCI.DSS.321',
] as const;
export type StockPack = (typeof STOCK_PACKS)[number];
/** The project's own pack. */
export const MULTI_REGION_PACK = 'MultiRegion';
/** Every pack the app registers, as reports name them. */
export const PACK_NAMES = [...STOCK_PACKS, MULTI_REGION_PACK] as const;
export type PackName = (typeof PACK_NAMES)[number];
