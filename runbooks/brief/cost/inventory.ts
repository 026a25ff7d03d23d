// The bill of materials per Region, read from the synthesized templates (never from the
// topology config): what is deployed is what is billed.
import {
  ARC_HEALTH_CHECKS_RESOURCE_TYPE,
  LAG_METRICS,
  READINESS_METRICS,
  SERVICE_METRICS,
} from '../../../constructs/contract';
import type { DeployedResource, SimulatedDeployment } from '../../simulation/deployment';

/** One Route 53 health check and the options it is billed for. */
export interface HealthCheckItem {
  readonly logicalId: string;
  /** HTTPS, HTTP, TCP, HTTPS_STR_MATCH, CALCULATED, CLOUDWATCH_METRIC... */
  readonly type: string;
  readonly calculated: boolean;
  /** Seconds between checks (10 = fast, 30 = standard); undefined for calculated checks. */
  readonly requestIntervalSeconds?: number;
  readonly failureThreshold?: number;
  readonly https: boolean;
  readonly stringMatching: boolean;
  readonly measureLatency: boolean;
  /** The Region whose endpoint it probes (calculated: its children's). */
  readonly region: string;
}

/** A Lambda function and what invokes it. */
export interface FunctionItem {
  readonly logicalId: string;
  readonly memoryMb: number;
  readonly architecture: 'arm64' | 'x86_64';
  /**
   * api: an HTTP API route; schedule: a Scheduler schedule; on-demand: anything else
   * (custom resources at deploy time, ARC plan steps during a switch), not priced.
   */
  readonly invokedBy: 'api' | 'schedule' | 'on-demand';
  /** The Scheduler expressions that invoke it (schedule only). */
  readonly schedules?: readonly string[];
}

/** The billable resources of one Region. */
export interface RegionInventory {
  readonly region: string;
  readonly role: 'primary' | 'secondary';
  /** DB instances by class (a headless secondary has none). */
  readonly instances: readonly { readonly instanceClass: string; readonly count: number }[];
  /** Aurora storage configuration: aurora (Standard) or aurora-iopt1 (I/O-Optimized). */
  readonly storageType?: string;
  /** Automated backup retention of the Region's cluster, days. */
  readonly backupRetentionDays?: number;
  /** AWS Backup rules: retention in days and the Regions each copies to. */
  readonly backupRules: readonly {
    readonly retentionDays: number;
    readonly copyRegions: readonly string[];
  }[];
  readonly healthChecks: readonly HealthCheckItem[];
  readonly httpApis: number;
  readonly functions: readonly FunctionItem[];
  readonly kmsKeys: number;
  /** Secrets whose primary copy lives here. */
  readonly secrets: number;
  /** Replicas of other Regions' secrets placed here (each billed as a secret). */
  readonly secretReplicas: number;
  /** Interface endpoints with the number of subnets (one per AZ) each sits in. */
  readonly interfaceEndpoints: readonly { readonly service: string; readonly azs: number }[];
  /** Inter-Region peering connections requested from here, by peer Region. */
  readonly peerings: readonly string[];
  /** CloudWatch alarms by the number of metrics each reads (billed per metric). */
  readonly alarmMetrics: number;
  readonly alarms: number;
  /**
   * Of those, the alarms (and their metrics) that exist only because there are other Regions
   * or failover routing: global-database lag, standby readiness, secondaries within the RPO,
   * Route 53 health checks. A single-Region service would not have them.
   */
  readonly multiRegionAlarms: number;
  readonly multiRegionAlarmMetrics: number;
  /**
   * Route 53 health-check alarms watching this Region's checks, wherever they live: the
   * metrics that read its checks, and the alarms that read only its checks.
   */
  readonly routingAlarmsWatching: { readonly alarms: number; readonly metrics: number };
  readonly dashboards: number;
  readonly regionSwitchPlans: number;
  readonly schedules: number;
  readonly buckets: number;
  readonly fisTemplates: number;
}

/** A DNS name and how Route 53 answers it. */
export interface DnsName {
  readonly name: string;
  readonly routing: 'latency' | 'failover' | 'simple';
  readonly records: number;
}

/** Everything billable in the deployment, primary Region first. */
export interface Inventory {
  readonly primaryRegion: string;
  readonly regions: readonly RegionInventory[];
  readonly dnsNames: readonly DnsName[];
  /** Route 53 health checks ARC creates for the plans' health-check blocks (one per Region). */
  readonly arcManagedHealthChecks: number;
  /** The Region of the alarms that read Route 53 health-check metrics (the routing stack's). */
  readonly routingAlarmRegion?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

/**
 * Invocations a month of a Scheduler expression, for `rate(...)` expressions; cron and at()
 * schedules count once a day (a floor; say so if a template uses them).
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (Rate-based schedules)
 */
export function invocationsPerMonth(expression: string, hoursPerMonth: number): number {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!rate) return hoursPerMonth / 24;
  const every = Number(rate[1]);
  const minutes = rate[2].startsWith('minute')
    ? every
    : rate[2].startsWith('hour')
      ? every * 60
      : every * 1440;
  return (hoursPerMonth * 60) / minutes;
}

/** The bill of materials of `deployment`, Region by Region. */
export function inventory(deployment: SimulatedDeployment): Inventory {
  const of = (type: string) => deployment.resources(type);
  const clusters = of('AWS::RDS::DBCluster');
  const globalClusters = of('AWS::RDS::GlobalCluster');
  const primaryRegion =
    globalClusters[0]?.region ??
    clusters.find((c) => c.properties.GlobalClusterIdentifier === undefined)?.region ??
    deployment.resources('AWS::RDS::DBInstance')[0]?.region;
  if (!primaryRegion) {
    throw new Error('the deployment has no Aurora cluster: there is nothing to price');
  }
  const regionNames = [primaryRegion];
  const stackRegions = new Set<string>();
  for (const type of ['AWS::RDS::DBCluster', 'AWS::ApiGatewayV2::Api', 'AWS::KMS::Key']) {
    for (const r of of(type)) stackRegions.add(r.region);
  }
  for (const r of [...stackRegions].sort()) if (!regionNames.includes(r)) regionNames.push(r);

  // Which Region each health check probes: the regional record its FQDN names.
  const recordRegion = new Map<string, string>();
  for (const r of of('AWS::Route53::RecordSet')) {
    const name = str(r.properties.Name)?.replace(/\.$/, '');
    if (name && r.properties.SetIdentifier === undefined) {
      recordRegion.set(name, r.region);
    }
  }
  const checkResources = of('AWS::Route53::HealthCheck');
  const checkRegionById = new Map<string, string>();
  const endpointRegion = (r: DeployedResource): string => {
    const config = (r.properties.HealthCheckConfig ?? {}) as Record<string, unknown>;
    const fqdn = str(config.FullyQualifiedDomainName);
    return (fqdn && recordRegion.get(fqdn)) || r.region;
  };
  for (const r of checkResources) checkRegionById.set(r.physicalId, endpointRegion(r));
  const healthChecks: HealthCheckItem[] = checkResources.map((r) => {
    const config = (r.properties.HealthCheckConfig ?? {}) as Record<string, unknown>;
    const type = str(config.Type) ?? 'HTTP';
    const calculated = type === 'CALCULATED';
    const children = Array.isArray(config.ChildHealthChecks) ? config.ChildHealthChecks : [];
    const region = calculated
      ? (children.map((c) => checkRegionById.get(String(c))).find(Boolean) ?? r.region)
      : endpointRegion(r);
    return {
      logicalId: r.logicalId,
      type,
      calculated,
      requestIntervalSeconds: calculated ? undefined : (num(config.RequestInterval) ?? 30),
      failureThreshold: calculated ? undefined : (num(config.FailureThreshold) ?? 3),
      https: type.startsWith('HTTPS'),
      stringMatching: type.endsWith('_STR_MATCH'),
      measureLatency: config.MeasureLatency === true,
      region,
    };
  });

  const apiFunctions = new Set(
    of('AWS::ApiGatewayV2::Integration').map((r) => str(r.properties.IntegrationUri) ?? ''),
  );
  const scheduleTargets = of('AWS::Scheduler::Schedule').map((r) => ({
    arn: str((r.properties.Target as Record<string, unknown> | undefined)?.Arn) ?? '',
    expression: str(r.properties.ScheduleExpression) ?? '',
  }));

  const secrets = of('AWS::SecretsManager::Secret');
  const replicaRegions = secrets.flatMap((s) =>
    (Array.isArray(s.properties.ReplicaRegions) ? s.properties.ReplicaRegions : []).map((rr) =>
      String((rr as Record<string, unknown>).Region),
    ),
  );

  const regions = regionNames.map((region): RegionInventory => {
    const here = (type: string) => of(type).filter((r) => r.region === region);
    const byClass = new Map<string, number>();
    for (const i of here('AWS::RDS::DBInstance')) {
      const cls = str(i.properties.DBInstanceClass) ?? 'unknown';
      byClass.set(cls, (byClass.get(cls) ?? 0) + 1);
    }
    const cluster = here('AWS::RDS::DBCluster')[0];
    const functions = here('AWS::Lambda::Function').map((f): FunctionItem => {
      const arch = Array.isArray(f.properties.Architectures)
        ? f.properties.Architectures[0]
        : undefined;
      const matches = (uri: string) =>
        uri.endsWith(`/${f.physicalId}`) || uri.endsWith(`:${f.physicalId}`);
      const schedules = scheduleTargets.filter((s) => matches(s.arn));
      return {
        logicalId: f.logicalId,
        // Lambda's default memory is 128 MB and architecture x86_64 when the template omits them.
        memoryMb: num(f.properties.MemorySize) ?? 128,
        architecture: arch === 'arm64' ? 'arm64' : 'x86_64',
        invokedBy: [...apiFunctions].some(matches)
          ? 'api'
          : schedules.length > 0
            ? 'schedule'
            : 'on-demand',
        ...(schedules.length > 0 ? { schedules: schedules.map((s) => s.expression) } : {}),
      };
    });
    const alarms = here('AWS::CloudWatch::Alarm');
    const multiRegion = alarms.filter((a) => alarmMetrics(a).some(isMultiRegionMetric));
    const watching = of('AWS::CloudWatch::Alarm').map((a) =>
      alarmMetrics(a).map((m) => checkRegionById.get(m.healthCheckId ?? '')),
    );
    return {
      region,
      role: region === primaryRegion ? 'primary' : 'secondary',
      instances: [...byClass]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([instanceClass, count]) => ({ instanceClass, count })),
      ...(cluster
        ? {
            storageType: str(cluster.properties.StorageType) ?? 'aurora',
            backupRetentionDays: num(cluster.properties.BackupRetentionPeriod) ?? 1,
          }
        : {}),
      backupRules: here('AWS::Backup::BackupPlan').flatMap((p) => {
        const plan = (p.properties.BackupPlan ?? {}) as Record<string, unknown>;
        const rules = Array.isArray(plan.BackupPlanRule) ? plan.BackupPlanRule : [];
        return rules.map((rule: Record<string, unknown>) => ({
          retentionDays:
            num((rule.Lifecycle as Record<string, unknown> | undefined)?.DeleteAfterDays) ?? 0,
          copyRegions: (Array.isArray(rule.CopyActions) ? rule.CopyActions : []).map(
            (c: Record<string, unknown>) =>
              str(c.DestinationBackupVaultArn)?.split(':')[3] ?? 'unknown',
          ),
        }));
      }),
      healthChecks: healthChecks.filter((h) => h.region === region),
      httpApis: here('AWS::ApiGatewayV2::Api').filter((a) => a.properties.ProtocolType === 'HTTP')
        .length,
      functions,
      kmsKeys: here('AWS::KMS::Key').length,
      secrets: here('AWS::SecretsManager::Secret').length,
      secretReplicas: replicaRegions.filter((r) => r === region).length,
      interfaceEndpoints: here('AWS::EC2::VPCEndpoint')
        .filter((e) => e.properties.VpcEndpointType === 'Interface')
        .map((e) => ({
          service: str(e.properties.ServiceName) ?? 'unknown',
          azs: Array.isArray(e.properties.SubnetIds) ? e.properties.SubnetIds.length : 1,
        })),
      peerings: here('AWS::EC2::VPCPeeringConnection')
        .map((p) => str(p.properties.PeerRegion) ?? region)
        .filter((peer) => peer !== region),
      alarms: alarms.length,
      alarmMetrics: alarms.reduce((sum, a) => sum + alarmMetricCount(a), 0),
      multiRegionAlarms: multiRegion.length,
      multiRegionAlarmMetrics: multiRegion.reduce((sum, a) => sum + alarmMetricCount(a), 0),
      routingAlarmsWatching: {
        alarms: watching.filter((w) => w.length > 0 && w.every((r) => r === region)).length,
        metrics: watching.reduce((sum, w) => sum + w.filter((r) => r === region).length, 0),
      },
      dashboards: here('AWS::CloudWatch::Dashboard').length,
      regionSwitchPlans: here('AWS::ARCRegionSwitch::Plan').length,
      schedules: here('AWS::Scheduler::Schedule').length,
      buckets: here('AWS::S3::Bucket').length,
      fisTemplates: here('AWS::FIS::ExperimentTemplate').length,
    };
  });

  const byName = new Map<string, DeployedResource[]>();
  for (const r of of('AWS::Route53::RecordSet')) {
    const name = str(r.properties.Name) ?? r.logicalId;
    byName.set(name, [...(byName.get(name) ?? []), r]);
  }
  const dnsNames = [...byName]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, records]): DnsName => ({
      name,
      routing: records.some((r) => r.properties.Region !== undefined)
        ? 'latency'
        : records.some((r) => r.properties.Failover !== undefined)
          ? 'failover'
          : 'simple',
      records: records.length,
    }));

  const arcManagedHealthChecks = of(ARC_HEALTH_CHECKS_RESOURCE_TYPE).reduce(
    (sum, r) => sum + (Array.isArray(r.properties.Regions) ? r.properties.Regions.length : 0),
    0,
  );
  const routingAlarmRegion = of('AWS::CloudWatch::Alarm').find((a) =>
    alarmMetrics(a).some((m) => m.healthCheckId !== undefined),
  )?.region;
  return {
    primaryRegion,
    regions,
    dnsNames,
    arcManagedHealthChecks,
    ...(routingAlarmRegion ? { routingAlarmRegion } : {}),
  };
}

/**
 * Metrics an alarm reads: one for a single-metric alarm, one per `MetricStat` of a metric
 * math alarm (CloudWatch bills alarms per metric they evaluate).
 * @see https://aws.amazon.com/cloudwatch/pricing/ (Paid tier, Alarms)
 */
function alarmMetricCount(alarm: DeployedResource): number {
  const metrics = alarm.properties.Metrics;
  if (!Array.isArray(metrics)) return 1;
  return Math.max(
    1,
    metrics.filter((m) => (m as Record<string, unknown>).MetricStat !== undefined).length,
  );
}

/** One metric an alarm reads. */
interface AlarmMetric {
  readonly namespace?: string;
  readonly metricName?: string;
  readonly healthCheckId?: string;
}

/** The metrics an alarm reads: its own, or each `MetricStat` of its metric math. */
function alarmMetrics(alarm: DeployedResource): AlarmMetric[] {
  const of = (m: Record<string, unknown>): AlarmMetric => {
    const dims = Array.isArray(m.Dimensions) ? (m.Dimensions as Record<string, unknown>[]) : [];
    return {
      namespace: str(m.Namespace),
      metricName: str(m.MetricName),
      healthCheckId: str(dims.find((d) => d.Name === 'HealthCheckId')?.Value),
    };
  };
  const metrics = alarm.properties.Metrics;
  if (!Array.isArray(metrics)) return [of(alarm.properties)];
  return metrics
    .map(
      (m) =>
        ((m as Record<string, unknown>).MetricStat as Record<string, unknown> | undefined)?.Metric,
    )
    .filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null)
    .map(of);
}

const MULTI_REGION_METRICS = new Set<string>([
  ...Object.values(LAG_METRICS),
  ...Object.values(READINESS_METRICS),
  SERVICE_METRICS.secondariesWithinRpo,
]);

/**
 * True for a metric that exists only with other Regions or failover routing: the global
 * database's lag, the standby readiness verdicts, the secondaries within the RPO, and Route 53
 * health-check metrics (namespace AWS/Route53).
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html (Monitoring health checks using CloudWatch)
 */
function isMultiRegionMetric(m: AlarmMetric): boolean {
  return (
    (m.metricName !== undefined && MULTI_REGION_METRICS.has(m.metricName)) ||
    m.namespace === 'AWS/Route53'
  );
}
