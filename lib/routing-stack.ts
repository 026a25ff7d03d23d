import { CfnOutput, Duration, Lazy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  AlarmTopic,
  DrillOperatorRole,
  GlobalTrafficRouting,
  IAuroraGlobalMember,
  MultiRegionDashboard,
  RegionalDataKey,
  RegionSwitchPlan,
  RegionSwitchReportBucket,
  RoutedRegion,
  ServiceHostnames,
  writeRecordSetIdentifier,
} from '../constructs';
import {
  COMPLIANCE_FACTS_OUTPUT_KEY,
  DRILL_OUTPUT_KEYS,
  DRILL_ROLE_OUTPUT_KEYS,
  type PathRtoFloorBreakdown,
  type RtoFloorBreakdown,
} from '../constructs/contract';
import type { PathRtoFloor } from '../constructs/recovery-objectives';
import type { TimingPolicy } from '../constructs/timing-policy';
import { regionSwitchPlanArnPattern, regionSwitchPlanName } from '../constructs/region-switch-plan';
import { addDrillOutput } from './drill-outputs';
import { referenceFrom } from './references';
import { Topology, importHostedZone } from './topology';

/** One region as the routing stack sees it: its targets, its database and its drain switch. */
export interface RoutingStackRegion extends RoutedRegion {
  /** The region's member of the global database (dashboard, drill role). */
  readonly database: IAuroraGlobalMember;
  /** The region's own drain switch (drill role). */
  readonly drainSwitch: ssm.IStringParameter;
  /**
   * The region's API with the items routes (drill role: the client canary invokes them).
   *
   * @default - no items API: the drill role may invoke nothing in this region
   */
  readonly itemsApi?: apigwv2.IHttpApi;
  /**
   * The region's ARC Region switch write fence (ServiceStack `arcFence`).
   *
   * @default - no fence: the stack creates no Region switch plan unless every region has one
   */
  readonly fenceFunction?: lambda.IFunction;
  /**
   * The region's ARC Region switch report bucket (ServiceStack `regionSwitchReports`): the plan
   * that targets this secondary writes its reports there.
   *
   * @default - none: the stack creates no plan for this region
   */
  readonly reportBucket?: RegionSwitchReportBucket;
}

/** Properties of a {@link RoutingStack}. */
export interface RoutingStackProps extends StackProps {
  readonly topology: Topology;
  readonly hostnames: ServiceHostnames;
  readonly regions: readonly RoutingStackRegion[];
  /**
   * Topic for the health-check alarms.
   *
   * @default - the stack creates its own encrypted topic (when us-east-1 holds no data region)
   */
  readonly alarmTopic?: sns.ITopic;
  /** E-mail addresses subscribed to the topic this stack creates. */
  readonly alarmEmails?: readonly string[];
  /** The global database's master secret (drill role). */
  readonly masterSecret: secretsmanager.ISecret;
  /**
   * This region's data key (when us-east-1 is a data region): it encrypts the logs of the ARC
   * health-check custom resource.
   *
   * @default - the key of the alarm topic this stack creates
   */
  readonly dataKey?: kms.IKey;
  /** The alias every region's data key has, the secret's keys included (drill role). */
  readonly dataKeyAlias: kms.IAlias;
}

/**
 * Health checks, traffic records, health-check alarms and the cross-region
 * dashboard, in us-east-1 where
 * Route 53 publishes its metrics. Route 53 answers and health checks run on
 * its global data plane: this stack is only touched at deploy time.
 */
export class RoutingStack extends Stack {
  readonly routing: GlobalTrafficRouting;
  readonly dashboard: MultiRegionDashboard;
  /** One ARC Region switch plan per secondary, keyed by that secondary. */
  readonly regionSwitchPlans: Readonly<Record<string, RegionSwitchPlan>>;

  constructor(scope: Construct, id: string, props: RoutingStackProps) {
    super(scope, id, props);
    const zone = importHostedZone(this, props.topology);
    // The drill's operator role approves plan steps; it is built from the routing's checks,
    // after the plans, so the plans read its ARN lazily.
    const approver: { roleArn?: string } = {};
    const alarmTopic = props.alarmTopic ?? this.ownAlarmTopic(props.alarmEmails);
    const plans = this.regionSwitchPlansOf(
      props,
      zone,
      props.dataKey ??
        this.ownKey ??
        new RegionalDataKey(this, 'DeployLogsKey', {
          aliasName: 'alias/multi-region-ref/deploy-logs',
        }).key,
      iam.Role.fromRoleArn(
        this,
        'RegionSwitchApprover',
        Lazy.string({ produce: () => approver.roleArn }),
        { mutable: false },
      ),
    );
    this.regionSwitchPlans = Object.fromEntries(plans.map((p) => [p.targetRegion, p]));
    this.routing = new GlobalTrafficRouting(this, 'Routing', {
      hostedZone: zone,
      regions: props.regions.map((r) => this.readAcrossRegions(r)),
      hostnames: props.hostnames,
      rto: props.topology.rto,
      // The one timing policy: the services cache their signal as long as the floors assume.
      ttl: props.topology.timing.ttl,
      healthCheckInterval: props.topology.timing.healthCheckInterval,
      failureThreshold: props.topology.timing.failureThreshold,
      healthSignalCacheTtl: props.topology.timing.healthSignalCacheTtl,
      promotionEstimate: props.topology.timing.promotionEstimate,
      alarmTopic,
      // ARC's health checks of each region (one per plan the region is in) gate its write
      // records: writes follow the writer, and stay off a region ARC deactivated.
      ...(plans.length > 0
        ? {
            writeGates: Object.fromEntries(
              props.topology.regions.map((r) => [
                r,
                plans.flatMap((p) => (p.healthChecks[r] ? [p.healthChecks[r]] : [])),
              ]),
            ),
          }
        : {}),
    });
    // The serving alarms and the no-healthy-writer alarm: ARC shows their states.
    plans.forEach((p) => p.addApplicationHealthAlarms(...this.routing.alarms));
    addDrillOutput(this, DRILL_OUTPUT_KEYS.regionSwitch, {
      plans: Object.fromEntries(
        plans.map((p) => [
          p.targetRegion,
          {
            planArn: p.planArn,
            planName: p.planName,
            primaryRegion: p.primaryRegion,
            targetRegion: p.targetRegion,
            ...(p.approvalStepName ? { approvalStepName: p.approvalStepName } : {}),
            reportBucketName: p.reportBucketName,
            reportPrefix: p.reportPrefix,
          },
        ]),
      ),
    });
    const floors = this.routing.rtoFloors;
    const seconds = (d: Duration) => d.toSeconds({ integral: false });
    addDrillOutput(this, DRILL_OUTPUT_KEYS.routing, {
      primaryRegion: props.topology.primaryRegion,
      regions: props.topology.regions,
      hostedZoneId: props.topology.hostedZoneId,
      appHostname: props.hostnames.app,
      writeHostname: props.hostnames.write,
      ttlSeconds: this.routing.ttl.toSeconds(),
      rpoSeconds: props.topology.rpo.toSeconds(),
      rtoSeconds: props.topology.rto.toSeconds(),
      // The slower path's floor: no recovery of both reads and writes is faster.
      rtoFloorSeconds: seconds(floors.slowest.total),
      readRtoFloorSeconds: seconds(floors.read.total),
      writeRtoFloorSeconds: seconds(floors.write.total),
      promotionEstimateSeconds: seconds(props.topology.timing.promotionEstimate),
      // A headless secondary has no serving check: the drill reads its absence.
      healthChecks: Object.fromEntries(
        props.topology.regions.map((region) => [
          region,
          {
            ...(this.routing.servingChecks[region]
              ? { serving: this.routing.servingChecks[region].healthCheckId }
              : {}),
            writer: this.routing.writerChecks[region].healthCheckId,
            ...(this.routing.writeChecks[region] !== this.routing.writerChecks[region]
              ? { writeGate: this.routing.writeChecks[region].healthCheckId }
              : {}),
          },
        ]),
      ),
    });
    const operator = new DrillOperatorRole(this, 'DrillOperator', {
      regions: props.regions.map(({ region, database, drainSwitch, itemsApi }) => ({
        member: database,
        drainSwitch,
        ...(itemsApi ? { itemsApi: this.itemsApiOf(region, itemsApi) } : {}),
      })),
      masterSecret: props.masterSecret,
      keyAlias: props.dataKeyAlias,
      hostedZone: zone,
      healthChecks: [
        ...Object.values(this.routing.servingChecks).filter((c) => c !== undefined),
        ...Object.values(this.routing.writerChecks),
      ],
      operatorPrincipals: props.topology.drillOperatorPrincipals,
      failoverPrincipals: props.topology.drillFailoverPrincipals,
      // By name: the plans name the operator role as approver (a reference back would cycle).
      regionSwitchPlanArns: plans.map((p) => regionSwitchPlanArnPattern(this, p.planName)),
    });
    approver.roleArn = operator.role.roleArn;
    new CfnOutput(this, DRILL_ROLE_OUTPUT_KEYS.operator, {
      value: operator.role.roleArn,
      description:
        'Assume this role (or use a profile with role_arn) to run the drill CLI; it cannot run the data-losing failover',
    });
    new CfnOutput(this, DRILL_ROLE_OUTPUT_KEYS.failover, {
      value: operator.failoverRole.roleArn,
      description:
        'Assume this role (a profile with role_arn) for drill failover (FailoverGlobalCluster, data loss); trusted by drillFailoverPrincipals only',
    });
    new CfnOutput(this, COMPLIANCE_FACTS_OUTPUT_KEY, {
      description: 'The multi-region facts a compliance reviewer asks about (JSON)',
      value: JSON.stringify({
        primaryRegion: props.topology.primaryRegion,
        regions: props.topology.regions,
        allowedRegions: props.topology.allowedRegions,
        mode: props.topology.mode,
        rtoSeconds: props.topology.rto.toSeconds(),
        rpoSeconds: props.topology.rpo.toSeconds(),
        rtoFloorSeconds: seconds(floors.slowest.total),
        rtoFloorExplanation: `${floors.read.explanation}; ${floors.write.explanation}`,
        readRtoFloorSeconds: seconds(floors.read.total),
        writeRtoFloorSeconds: seconds(floors.write.total),
        // The floors' parts, so a brief or a reviewer reads them instead of recomputing them.
        rtoFloors: rtoFloorBreakdown(floors, this.routing.timing),
      }),
    });
    this.dashboard = new MultiRegionDashboard(this, 'Dashboard', {
      dashboardName: `${props.topology.stackPrefix}-${props.topology.globalClusterIdentifier}`,
      rpo: props.topology.rpo,
      regions: props.regions.map(({ region, database }) => ({
        database,
        servingCheck: this.routing.servingChecks[region],
        writerCheck: this.routing.writerChecks[region],
      })),
    });
  }

  /**
   * One ARC Region switch plan per secondary (a plan holds exactly two regions), when every
   * region has its write fence; they share one report bucket.
   */
  private regionSwitchPlansOf(
    props: RoutingStackProps,
    zone: ReturnType<typeof importHostedZone>,
    logsEncryptionKey: kms.IKey,
    approvalRole: iam.IRole,
  ): RegionSwitchPlan[] {
    const [primary, ...secondaries] = props.regions;
    if (
      props.regions.length < 2 ||
      props.regions.some((r) => !r.fenceFunction) ||
      secondaries.some((r) => !r.reportBucket)
    ) {
      return [];
    }
    const names = props.regions.map((r) => r.region);
    const fences = new Map<string, lambda.IFunction>();
    const planRegion = (r: RoutingStackRegion) => ({
      member: r.database,
      // Another region's function ARN is read weakly, this region's strongly (see referenceFrom).
      fenceFunction:
        fences.get(r.region) ??
        fences
          .set(
            r.region,
            lambda.Function.fromFunctionArn(
              this,
              `ArcFence-${r.region}`,
              referenceFrom(this, r.region, arnOf(r.fenceFunction!)),
            ),
          )
          .get(r.region)!,
      writeRecordSetIdentifier: writeRecordSetIdentifier(names, r.region),
    });
    // Each plan reports into its target region (healthy when the plan fails over into it); the
    // bucket and its key are read weakly from that region's service stack.
    const reportsOf = (r: RoutingStackRegion) => {
      const reports = r.reportBucket!;
      return {
        bucket: s3.Bucket.fromBucketAttributes(this, `RegionSwitchReports-${r.region}`, {
          bucketName: referenceFrom(
            this,
            r.region,
            (reports.bucket.node.defaultChild as s3.CfnBucket).ref,
          ),
          region: r.region,
        }),
        encryptionKey: kms.Key.fromKeyArn(
          this,
          `RegionSwitchReportsKey-${r.region}`,
          referenceFrom(
            this,
            r.region,
            (reports.encryptionKey.node.defaultChild as kms.CfnKey).attrArn,
          ),
        ),
      };
    };
    return secondaries.map(
      (target) =>
        new RegionSwitchPlan(this, `RegionSwitch-${target.region}`, {
          planName: regionSwitchPlanName(
            props.topology.stackPrefix,
            props.topology.globalClusterIdentifier,
            target.region,
          ),
          primary: planRegion(primary),
          target: planRegion(target),
          hostedZone: zone,
          writeRecordName: props.hostnames.write,
          reportBucket: reportsOf(target),
          logsEncryptionKey,
          approval: { approvalRole },
          recoveryTimeObjective: props.topology.rto,
        }),
    );
  }

  /** Another region's API targets are read weakly, this region's strongly (see referenceFrom). */
  private readAcrossRegions(r: RoutedRegion): RoutedRegion {
    return {
      region: r.region,
      headless: r.headless,
      appTarget: referenceFrom(this, r.region, r.appTarget),
      writeTarget: referenceFrom(this, r.region, r.writeTarget),
    };
  }

  /** Another region's API id is read weakly, this region's strongly (see referenceFrom). */
  private itemsApiOf(region: string, api: apigwv2.IHttpApi): apigwv2.IHttpApi {
    return apigwv2.HttpApi.fromHttpApiAttributes(this, `ItemsApi-${region}`, {
      httpApiId: referenceFrom(this, region, api.apiId),
    });
  }

  /** The key of the topic this stack creates (undefined when it is given one). */
  private ownKey?: kms.IKey;

  private ownAlarmTopic(emails: readonly string[] = []): sns.ITopic {
    const key = new RegionalDataKey(this, 'AlarmKey');
    this.ownKey = key.key;
    return new AlarmTopic(this, 'Alarms', { encryptionKey: key.key, emails }).topic;
  }
}

/** `<stackPrefix>-<region>` when ARC accepts it as a plan name (1 to 32 letters, digits, hyphens). */
/** A function's ARN as its resource's attribute (what a cross-stack reference reads). */
function arnOf(fn: lambda.IFunction): string {
  const cfn = fn.node.defaultChild;
  return cfn instanceof lambda.CfnFunction ? cfn.attrArn : fn.functionArn;
}

/** Both paths' floors with their parts in seconds, as `ComplianceFacts.rtoFloors` publishes them. */
function rtoFloorBreakdown(
  floors: { readonly read: PathRtoFloor; readonly write: PathRtoFloor },
  timing: TimingPolicy,
): RtoFloorBreakdown {
  const seconds = (d: Duration) => d.toSeconds({ integral: false });
  const path = (floor: PathRtoFloor): PathRtoFloorBreakdown => ({
    path: floor.path,
    promotionSeconds: seconds(floor.promotion),
    detectionSeconds: seconds(floor.detection),
    healthCheckIntervalSeconds: seconds(timing.healthCheckInterval),
    failureThreshold: timing.failureThreshold,
    signalStalenessSeconds: seconds(floor.signalStaleness),
    dnsTtlSeconds: seconds(floor.dnsTtl),
    ttlSeconds: seconds(timing.ttl),
    hops: floor.hops,
    totalSeconds: seconds(floor.total),
    explanation: floor.explanation,
  });
  return { read: path(floors.read), write: path(floors.write) };
}
