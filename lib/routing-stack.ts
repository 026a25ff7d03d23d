import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as kms from 'aws-cdk-lib/aws-kms';
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
  RoutedRegion,
  ServiceHostnames,
} from '../constructs';
import { DRILL_OUTPUT_KEYS, DRILL_ROLE_OUTPUT_KEYS } from '../constructs/contract';
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

  constructor(scope: Construct, id: string, props: RoutingStackProps) {
    super(scope, id, props);
    const zone = importHostedZone(this, props.topology);
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
      alarmTopic: props.alarmTopic ?? this.ownAlarmTopic(props.alarmEmails),
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
    });
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
    new CfnOutput(this, 'ComplianceFacts', {
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

  private ownAlarmTopic(emails: readonly string[] = []): sns.ITopic {
    const key = new RegionalDataKey(this, 'AlarmKey');
    return new AlarmTopic(this, 'Alarms', { encryptionKey: key.key, emails }).topic;
  }
}
