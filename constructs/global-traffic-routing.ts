import { Annotations, CfnOutput, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  DEFAULT_HEALTH_SIGNAL_CACHE_TTL,
  DEFAULT_PROMOTION_ESTIMATE,
  PathRtoFloor,
  RtoFloors,
  computeRtoFloors,
} from './recovery-objectives';
import { AlarmFactory, HealthCheckMetrics } from './monitoring';
import {
  HEALTH_PATHS,
  MAX_ROUTED_TTL_SECONDS,
  ROUTE53_HOME_REGION,
  type TrafficMode,
} from './contract';
import { ServiceHostnames } from './service-hostnames';
import { DEFAULT_TIMING_POLICY, TimingPolicy } from './timing-policy';
import { throwIfProblems } from './invalid-props-error';
import { acknowledgeFindings, inPacks } from './nag/acknowledge';

/**
 * Route 53's view of a health check (1 healthy, 0 not), one-minute minimum, in us-east-1:
 * {@link HealthCheckMetrics.status}.
 */
export function healthCheckStatusMetric(
  check: route53.IHealthCheck,
  label?: string,
): cloudwatch.Metric {
  return HealthCheckMetrics.status(check, label);
}

/** How the user-facing name spreads traffic (the deployment contract's `TrafficMode`). */
export type RoutingMode = TrafficMode;

/** One region behind the global names. */
export interface RoutedRegion {
  /** Region name. */
  readonly region: string;
  /** API Gateway target of the user-facing name in that region. */
  readonly appTarget: string;
  /** API Gateway target of the write-path name in that region. */
  readonly writeTarget: string;
  /**
   * A secondary whose cluster has no DB instance: it cannot serve reads, so it
   * gets no serving check or alarm and is left out of the read latency set. It
   * keeps its writer check and its place in the write failover chain: that
   * check passes only once the region holds the writer, which first needs an
   * instance (Aurora promotes a cluster, not storage alone).
   *
   * @default false
   */
  readonly headless?: boolean;
}

/** Properties of a {@link GlobalTrafficRouting}. */
export interface GlobalTrafficRoutingProps {
  /** The public hosted zone (imported by attributes). */
  readonly hostedZone: route53.IHostedZone;
  /** The regions, primary first, then secondaries in failover preference order. */
  readonly regions: readonly RoutedRegion[];
  /** The service's names. */
  readonly hostnames: ServiceHostnames;
  /**
   * How the service spreads traffic. Both modes get the same records: reads
   * on latency records over every serving region, writes on failover records
   * that follow the database writer.
   *
   * @default 'active-passive'
   * @deprecated the records no longer depend on the mode
   */
  readonly mode?: RoutingMode;
  /** Recovery time objective; synth fails if either path's computed floor exceeds it. */
  readonly rto: Duration;
  /** Topic that receives every alarm's ALARM and OK notifications. */
  readonly alarmTopic: sns.ITopic;
  /**
   * TTL of every record that moves traffic; at most 60 seconds.
   *
   * @default Duration.seconds(60)
   */
  readonly ttl?: Duration;
  /**
   * Route 53 health check request interval: 10 (fast) or 30 seconds.
   *
   * @default Duration.seconds(10)
   */
  readonly healthCheckInterval?: Duration;
  /**
   * Consecutive failures before an endpoint is unhealthy (1 to 10; above 3 warns).
   *
   * @default 3
   */
  readonly failureThreshold?: number;
  /**
   * How long the regional health endpoints cache their signals (part of the
   * RTO floors): pass the service's `RegionalService.healthSignalCacheTtl`.
   *
   * @default DEFAULT_HEALTH_SIGNAL_CACHE_TTL (5 seconds, the service's default)
   */
  readonly healthSignalCacheTtl?: Duration;
  /**
   * Estimated promotion time of the database (part of the RTO floor).
   *
   * @default DEFAULT_PROMOTION_ESTIMATE (2 minutes)
   */
  readonly promotionEstimate?: Duration;
  /**
   * More health checks that each region's write records require besides its writer check,
   * keyed by region: ARC Region switch's health checks of the write name
   * (RegionSwitchPlan `healthChecks`; a region in two plans has two). A region with gates gets
   * a calculated check that is healthy only while its writer check and every gate are
   * (HealthThreshold = number of children), and its write records use it: DNS still follows
   * the writer, and ARC's deactivation keeps writes off the region it deactivates.
   *
   * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html#health-checks-creating-values-calculated
   * @default - the write records use the writer checks alone
   */
  readonly writeGates?: Readonly<Record<string, readonly route53.IHealthCheck[]>>;
}

/**
 * The set identifier of `region`'s record of the write name (`regions` primary first): the
 * primary's PRIMARY record, the only secondary's SECONDARY record, or, with several
 * secondaries, the SECONDARY record that points at their latency set.
 */
export function writeRecordSetIdentifier(regions: readonly string[], region: string): string {
  if (region === regions[0]) return `${region}-primary`;
  return regions.length === 2 ? `${region}-secondary` : 'standby-secondary';
}

/**
 * Route 53 health checks, latency and failover records, and health-check
 * alarms for a multi-region service.
 *
 * Each serving region gets two HTTPS health checks on its region-specific
 * name: *serving* (`/health`) and *writer* (`/health/writer`); a headless
 * secondary gets only the writer check. The user-facing name (the read path)
 * is a latency set over the serving checks of every serving region, so reads
 * are answered locally wherever a reader runs. The write-path name uses
 * failover records over the writer checks, so DNS follows the database writer
 * after a switchover or failover with no Route 53 API call. Every traffic
 * record is a CNAME with a real TTL.
 *
 * Must live in us-east-1, where Route 53 publishes health-check metrics.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-complex-configs.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-latency.html
 */
export class GlobalTrafficRouting extends Construct {
  /** Serving health check per serving region (none for a headless secondary). */
  readonly servingChecks: Partial<Record<string, route53.HealthCheck>> = {};
  /** Writer health check per region. */
  readonly writerChecks: Record<string, route53.HealthCheck> = {};
  /**
   * The check each region's write records carry: its writer check, or with `writeGates` the
   * calculated AND of it and the region's gates.
   */
  readonly writeChecks: Record<string, route53.HealthCheck> = {};
  /** The computed RTO floors of these settings, read path and write path. */
  readonly rtoFloors: RtoFloors;
  readonly alarms: cloudwatch.IAlarm[] = [];
  /** The regions that serve reads (every region but the headless secondaries). */
  readonly servingRegions: readonly string[];
  /** The health signal cache the floors assume. */
  readonly healthSignalCacheTtl: Duration;
  /** Every setting the floors were computed with (pass it to the nag pack and the drill's outputs). */
  readonly timing: TimingPolicy;

  /** TTL of every traffic record. */
  readonly ttl: Duration;
  private readonly props: GlobalTrafficRoutingProps;

  constructor(scope: Construct, id: string, props: GlobalTrafficRoutingProps) {
    super(scope, id);
    this.props = props;
    this.ttl = props.ttl ?? DEFAULT_TIMING_POLICY.ttl;
    const interval = props.healthCheckInterval ?? DEFAULT_TIMING_POLICY.healthCheckInterval;
    const failureThreshold = props.failureThreshold ?? DEFAULT_TIMING_POLICY.failureThreshold;
    this.healthSignalCacheTtl = props.healthSignalCacheTtl ?? DEFAULT_HEALTH_SIGNAL_CACHE_TTL;
    this.timing = {
      ttl: this.ttl,
      healthCheckInterval: interval,
      failureThreshold,
      healthSignalCacheTtl: this.healthSignalCacheTtl,
      promotionEstimate: props.promotionEstimate ?? DEFAULT_PROMOTION_ESTIMATE,
      homeRegion: ROUTE53_HOME_REGION,
    };
    this.servingRegions = props.regions.filter((r) => !r.headless).map((r) => r.region);
    this.rtoFloors = computeRtoFloors({
      healthCheckInterval: interval,
      failureThreshold,
      healthSignalCacheTtl: this.healthSignalCacheTtl,
      recordTtl: this.ttl,
      promotionEstimate: this.timing.promotionEstimate,
      // One latency set: app. -> a region.
      readHops: 1,
      // With several secondaries: write. -> standby.write. -> a region (see failoverPair).
      writeHops: props.regions.length > 2 ? 2 : 1,
    });
    this.validate(interval, failureThreshold);

    for (const { region, headless } of props.regions) {
      const hostname = props.hostnames.regional(region);
      const check = (path: string) => ({
        type: route53.HealthCheckType.HTTPS,
        fqdn: hostname,
        port: 443,
        resourcePath: path,
        requestInterval: interval,
        failureThreshold,
        enableSNI: true,
        measureLatency: true,
      });
      // A headless region's serving check could never pass: it would only feed an alarm.
      if (!headless) {
        this.servingChecks[region] = new route53.HealthCheck(
          this,
          `Serving-${region}`,
          check(HEALTH_PATHS.serving),
        );
      }
      this.writerChecks[region] = new route53.HealthCheck(
        this,
        `Writer-${region}`,
        check(HEALTH_PATHS.writer),
      );
    }

    for (const { region } of props.regions) {
      const gates = props.writeGates?.[region] ?? [];
      this.writeChecks[region] =
        gates.length === 0
          ? this.writerChecks[region]
          : new route53.HealthCheck(this, `WriteGate-${region}`, {
              // Route 53 Developer Guide, "Values that you specify when you create or update
              // health checks", calculated health checks: healthy when at least HealthThreshold
              // children are; all of them here.
              type: route53.HealthCheckType.CALCULATED,
              childHealthChecks: [this.writerChecks[region], ...gates],
              healthThreshold: gates.length + 1,
            });
    }

    this.addReadPathRecords();
    this.addWritePathRecords();
    this.addAlarms();

    new CfnOutput(this, 'ReadRtoFloorSeconds', {
      value: String(this.rtoFloors.read.total.toSeconds({ integral: false })),
      description: `Computed RTO floor, ${this.rtoFloors.read.explanation}`,
    });
    new CfnOutput(this, 'WriteRtoFloorSeconds', {
      value: String(this.rtoFloors.write.total.toSeconds({ integral: false })),
      description: `Computed RTO floor, ${this.rtoFloors.write.explanation}`,
    });
    new CfnOutput(this, 'RtoObjectiveSeconds', { value: String(props.rto.toSeconds()) });
  }

  private validate(interval: Duration, failureThreshold: number): void {
    const { props } = this;
    const problems: string[] = [];
    if (!this.ttl.isUnresolved() && this.ttl.toSeconds() > MAX_ROUTED_TTL_SECONDS) {
      problems.push(
        `ttl must be at most ${MAX_ROUTED_TTL_SECONDS} seconds for failover and latency records, got: ${this.ttl.toHumanString()}`,
      );
    }
    if (!interval.isUnresolved() && ![10, 30].includes(interval.toSeconds())) {
      problems.push(
        `healthCheckInterval must be 10 or 30 seconds (the intervals Route 53 offers), got: ${interval.toHumanString()}`,
      );
    }
    if (!Number.isInteger(failureThreshold) || failureThreshold < 1 || failureThreshold > 10) {
      problems.push(
        `failureThreshold must be a whole number from 1 to 10, got: ${failureThreshold}`,
      );
    }
    const names = props.regions.map((r) => r.region);
    if (names.length < 2) {
      problems.push(`regions must list at least two regions, got: ${JSON.stringify(names)}`);
    }
    const duplicates = names.filter((r, i) => names.indexOf(r) !== i);
    if (duplicates.length > 0) {
      problems.push(`regions must be distinct, got ${duplicates.join(', ')} more than once`);
    }
    if (props.regions[0]?.headless) {
      problems.push(
        `regions[0] (${names[0]}) is the primary and holds the writer instance, so it cannot be headless; set headless only on secondaries`,
      );
    }
    const unknownGates = Object.keys(props.writeGates ?? {}).filter((r) => !names.includes(r));
    if (unknownGates.length > 0) {
      problems.push(
        `writeGates must be keyed by the routed regions (${names.join(', ')}), got: ${unknownGates.join(', ')}`,
      );
    }
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region) && region !== ROUTE53_HOME_REGION) {
      problems.push(
        `GlobalTrafficRouting must be in a ${ROUTE53_HOME_REGION} stack, where Route 53 publishes health-check metrics, got: ${region}`,
      );
    }
    if (problems.length === 0) {
      const fixes: Record<PathRtoFloor['path'], string> = {
        read: 'shorten the interval, threshold, TTL or cache',
        write: 'shorten the interval, threshold, TTL, cache or promotion estimate',
      };
      for (const floor of [this.rtoFloors.read, this.rtoFloors.write]) {
        if (floor.total.toMilliseconds() <= props.rto.toMilliseconds()) continue;
        problems.push(
          `rto ${props.rto.toHumanString()} is below the computed ${floor.path}-path RTO floor of ${floor.total.toHumanString()} ` +
            `(${floor.explanation}); raise the objective, or ${fixes[floor.path]}`,
        );
      }
    }
    throwIfProblems('GlobalTrafficRouting', this, problems);
    for (const r of props.regions.filter((x) => x.headless)) {
      Annotations.of(this).addWarningV2(
        'multi-region:headless-secondary',
        `${r.region} is a headless secondary (no DB instance): it serves no reads, so it has no serving check or alarm ` +
          `and is not in the ${props.hostnames.app} latency set. It stays in the ${props.hostnames.write} failover chain, ` +
          'but promoting it first needs a DB instance in its cluster (until then its writer check cannot pass and writes stay where they are); ' +
          'deploy it with readers to serve reads',
      );
    }
    if (failureThreshold > 3) {
      Annotations.of(this).addWarningV2(
        'multi-region:slow-detection',
        `failureThreshold ${failureThreshold} is above 3: detection takes ${interval.toSeconds() * failureThreshold} seconds`,
      );
    }
    const slowest = this.rtoFloors.slowest;
    if (slowest.total.toMilliseconds() > 0.8 * props.rto.toMilliseconds()) {
      Annotations.of(this).addWarningV2(
        'multi-region:rto-margin',
        `the computed ${slowest.path}-path RTO floor ${slowest.total.toHumanString()} is within 20% of the objective ${props.rto.toHumanString()}: ` +
          'an operator has almost no time to decide',
      );
    }
  }

  /**
   * Latency records over the serving checks of every serving region: a client
   * reads from the nearest region whose local cluster answers. A secondary
   * serves reads locally (Aurora secondaries are read-only), so the read path
   * needs no failover: a failed region simply drops out of the set.
   */
  private addReadPathRecords(): void {
    const { regions, hostnames } = this.props;
    this.latencySet(
      'App',
      hostnames.app,
      regions.filter((r) => !r.headless),
      (r) => r.appTarget,
      this.servingChecks,
    );
  }

  /** Failover records over the writer checks (gated, see writeGates): DNS follows the database writer. */
  private addWritePathRecords(): void {
    const { hostnames } = this.props;
    this.failoverPair(
      'Write',
      hostnames.write,
      hostnames.writeStandby,
      (r) => r.writeTarget,
      this.writeChecks,
    );
  }

  /**
   * PRIMARY is the primary region. SECONDARY is the only secondary, or, with
   * several, a CNAME to a latency set over all of them guarded by a
   * calculated check that is healthy while any of them is.
   */
  private failoverPair(
    id: string,
    name: string,
    standbyName: string,
    target: (r: RoutedRegion) => string,
    checks: Record<string, route53.HealthCheck>,
  ): void {
    // Headless secondaries stay in: their writer check passes once they hold the writer.
    const [primary, ...secondaries] = this.props.regions;
    const names = this.props.regions.map((r) => r.region);
    this.record(`${id}Primary`, name, target(primary), {
      setIdentifier: writeRecordSetIdentifier(names, primary.region),
      failover: route53.Failover.PRIMARY,
      healthCheck: checks[primary.region],
    });
    if (secondaries.length === 1) {
      this.record(`${id}Secondary`, name, target(secondaries[0]), {
        setIdentifier: writeRecordSetIdentifier(names, secondaries[0].region),
        failover: route53.Failover.SECONDARY,
        healthCheck: checks[secondaries[0].region],
      });
      return;
    }
    this.latencySet(`${id}Standby`, standbyName, secondaries, target, checks);
    const anyStandby = new route53.HealthCheck(this, `${id}AnyStandby`, {
      type: route53.HealthCheckType.CALCULATED,
      childHealthChecks: secondaries.map((r) => checks[r.region]),
      healthThreshold: 1,
    });
    this.record(`${id}Secondary`, name, standbyName, {
      setIdentifier: writeRecordSetIdentifier(names, secondaries[0].region),
      failover: route53.Failover.SECONDARY,
      healthCheck: anyStandby,
    });
  }

  private latencySet(
    id: string,
    name: string,
    regions: readonly RoutedRegion[],
    target: (r: RoutedRegion) => string,
    checks: Partial<Record<string, route53.HealthCheck>>,
  ): void {
    for (const r of regions) {
      this.record(`${id}-${r.region}`, name, target(r), {
        setIdentifier: r.region,
        region: r.region,
        healthCheck: checks[r.region],
      });
    }
  }

  private record(
    id: string,
    recordName: string,
    domainName: string,
    routing: Pick<
      route53.RecordSetOptions,
      'setIdentifier' | 'failover' | 'region' | 'healthCheck'
    >,
  ): void {
    // Plain CNAMEs, not aliases: an alias record's TTL is not ours to set.
    new route53.CnameRecord(this, id, {
      zone: this.props.hostedZone,
      recordName,
      domainName,
      ttl: this.ttl,
      ...routing,
    });
  }

  /**
   * One alarm per serving check, and one when no region holds a healthy writer. Their names
   * stay the ones CloudFormation generated at first deploy (`<stack>-<logical id>-<suffix>`,
   * so they start with the stack name the drill selects by): naming them would replace them.
   */
  private addAlarms(): void {
    const alarms = new AlarmFactory(this, { alarmTopic: this.props.alarmTopic });
    const status = (check: route53.IHealthCheck) => HealthCheckMetrics.status(check);
    for (const region of this.servingRegions) {
      const alarm = alarms.addAlarm(`ServingAlarm-${region}`, {
        alarmDescription: `${region} fails its serving health check: traffic is moving away from it`,
        metric: status(this.servingChecks[region]!),
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 1,
        // A check that stops reporting is not a healthy check.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      this.alarms.push(alarm);
    }
    // An alarm on metric math reads at most 10 metrics (CloudWatch User Guide, alarm limits,
    // "Limits that apply to alarms based on metric math expressions"): with more regions, one
    // alarm per group of 10 and a composite alarm that is in ALARM when every group is.
    const writerMetrics = this.props.regions.map((r) => status(this.writerChecks[r.region]));
    const groups = Array.from({ length: Math.ceil(writerMetrics.length / 10) }, (_, g) =>
      writerMetrics.slice(g * 10, g * 10 + 10),
    );
    const noWriterIn = (
      id: string,
      metrics: cloudwatch.IMetric[],
      description: string,
      notify?: boolean,
    ) =>
      alarms.addAlarm(id, {
        notify,
        alarmDescription: description,
        metric: new cloudwatch.MathExpression({
          expression: `MAX([${metrics.map((_, i) => `w${i}`).join(',')}])`,
          usingMetrics: Object.fromEntries(metrics.map((m, i) => [`w${i}`, m])),
          period: Duration.minutes(1),
          label: 'Healthy writer regions (max of writer checks)',
        }),
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    const description = 'No region passes its writer health check: writes are failing everywhere';
    if (groups.length === 1) {
      this.alarms.push(noWriterIn('NoHealthyWriterAlarm', groups[0], description));
    } else {
      const parts = groups.map((metrics, g) => {
        const regions = this.props.regions.slice(g * 10, g * 10 + 10).map((r) => r.region);
        const part = noWriterIn(
          `NoHealthyWriterAlarm-${g + 1}`,
          metrics,
          `No region of ${regions.join(', ')} passes its writer health check (part of the no-healthy-writer composite alarm)`,
          false,
        );
        acknowledgeFindings(
          part,
          inPacks('CloudWatchAlarmAction', ['NIST.800.53.R5', 'HIPAA.Security']),
          'A part of the no-healthy-writer composite alarm, which carries the alarm and OK actions; actions here would notify twice for one outage.',
        );
        return part;
      });
      this.alarms.push(
        alarms.addCompositeAlarm('NoHealthyWriterAlarm', {
          alarmDescription: description,
          alarmRule: cloudwatch.AlarmRule.allOf(...parts),
        }),
      );
    }
  }
}
