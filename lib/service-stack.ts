import { CfnOutput } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { regionSwitchPlanName } from '../constructs/region-switch-plan';
import {
  ArcFenceFunction,
  GAME_DAY_ACTION_ID,
  GameDayExperiment,
  IAuroraGlobalMember,
  RegionSwitchReportBucket,
  RegionalDataKey,
  RegionalNetwork,
  RegionalService,
  ReadinessCheck,
  ServiceHostnames,
} from '../constructs';
import { DRILL_OUTPUT_KEYS, stackName } from '../constructs/contract';
import { addDrillOutput } from './drill-outputs';
import { referenceFrom } from './references';
import { RegionalStack, RegionalStackProps } from './regional-stack';
import { Topology, importHostedZone } from './topology';

/** Properties of a {@link ServiceStack}. */
export interface ServiceStackProps extends RegionalStackProps {
  readonly topology: Topology;
  readonly hostnames: ServiceHostnames;
  readonly network: RegionalNetwork;
  readonly dataKey: RegionalDataKey;
  readonly database: IAuroraGlobalMember;
  /**
   * Aurora's global writer endpoint as the primary's DatabaseStack publishes it; the items API
   * commits there. Referenced weakly across regions, strongly in the primary's own region.
   */
  readonly globalWriterEndpoint: string;
  /** Every member of the global database (this region's among them): the writer moves between them. */
  readonly members: readonly IAuroraGlobalMember[];
  /** This region's alarms that stop a game day (the FIS experiment that isolates its application subnets). */
  readonly gameDayStopConditions: readonly cloudwatch.IAlarm[];
  /** The region's alarm topic (the readiness alarm notifies it). */
  readonly alarmTopic: sns.ITopic;
}

/** The regional sample service: items API, deep health endpoint and drain switch. */
export class ServiceStack extends RegionalStack {
  readonly service: RegionalService;
  /** ARC Region switch's write fence of this region (sets its drain switch). */
  readonly arcFence: ArcFenceFunction;
  /** Where the ARC Region switch plan that targets this secondary writes its reports (secondaries only). */
  readonly regionSwitchReports?: RegionSwitchReportBucket;
  /** The FIS game day of this region: its application subnets isolated. */
  readonly gameDay: GameDayExperiment;
  readonly readiness: ReadinessCheck;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const zone = importHostedZone(this, props.topology);
    this.service = new RegionalService(this, 'Service', {
      vpc: props.network.vpc,
      vpcSubnets: props.network.appSubnets,
      database: props.database,
      hostedZone: zone,
      hostnames: props.hostnames,
      encryptionKey: props.dataKey.key,
      rpo: props.topology.rpo,
      healthSignalCacheTtl: props.topology.timing.healthSignalCacheTtl,
      globalWriterEndpoint: referenceFrom(
        this,
        props.topology.primaryRegion,
        props.globalWriterEndpoint,
      ),
      // Each member's cluster resource id: this region's strong, the others weak
      // (Fn::GetStackOutput), resolved only when this stack deploys (GOTCHAS). The id changes
      // only when its cluster is replaced, a deliberate stateful change; the stale value then
      // fails closed (the items function is denied that one cluster, nothing more is granted)
      // until the service stacks deploy again with `cdk deploy --force`, since their templates
      // do not change. A strong cross-region reference would need ExportWriter/ExportReader
      // custom resources (a Lambda function per pair of regions) for that rare case.
      writerClusters: props.members.map((m) => ({
        region: m.env.region,
        clusterResourceId: referenceFrom(this, m.env.region, m.clusterResourceIdentifier),
      })),
    });
    this.arcFence = new ArcFenceFunction(this, 'ArcFence', {
      drainSwitch: this.service.drainParameter,
      encryptionKey: props.dataKey.key,
    });
    if (this.region !== props.topology.primaryRegion) {
      this.regionSwitchReports = new RegionSwitchReportBucket(this, 'RegionSwitchReports');
    }
    this.gameDay = new GameDayExperiment(this, 'GameDay', {
      vpc: props.network.vpc,
      subnets: props.network.appSubnets,
      stopConditions: props.gameDayStopConditions,
      encryptionKey: props.dataKey.key,
    });
    new CfnOutput(this, 'RegionalHostname', { value: this.service.regionalHostname });
    addDrillOutput(this, DRILL_OUTPUT_KEYS.service, {
      region: this.region,
      drainParameterName: this.service.drainParameter.parameterName,
      regionalHostname: this.service.regionalHostname,
      appHostname: props.hostnames.app,
      writeHostname: props.hostnames.write,
      // What the routing records of each name answer for this region (see RoutingStack).
      appTarget: this.service.targetOf(props.hostnames.app),
      writeTarget: this.service.targetOf(props.hostnames.write),
      gameDay: {
        experimentTemplateId: this.gameDay.experimentTemplateId,
        actionId: GAME_DAY_ACTION_ID,
        durationSeconds: this.gameDay.duration.toSeconds(),
        // Literal names and a literal group: an output must not carry Fn::ImportValue (cfn-lint W6001).
        stopConditionAlarmNames: this.gameDay.stopConditionAlarmNames,
        subnetGroupName: RegionalNetwork.APP_SUBNETS,
        logGroupName: this.gameDay.logGroup.logGroupName,
      },
    });
    // Continuous readiness: drill preflight's checks with this region as the target. The
    // stack names are the app's (lib/multi-region-app.ts); each region's drain switch has the
    // same fixed name as this one's.
    const { stackPrefix, regions, timing } = props.topology;
    this.readiness = new ReadinessCheck(this, 'Readiness', {
      outputStacks: [
        ...regions.flatMap((region) => [
          {
            stackName: stackName(stackPrefix, 'Database', region),
            region,
            keys: [DRILL_OUTPUT_KEYS.database],
          },
          {
            stackName: stackName(stackPrefix, 'Service', region),
            region,
            keys: [DRILL_OUTPUT_KEYS.service],
          },
        ]),
        {
          stackName: stackName(stackPrefix, 'Routing'),
          region: timing.homeRegion,
          keys: [DRILL_OUTPUT_KEYS.routing, DRILL_OUTPUT_KEYS.regionSwitch],
        },
      ],
      // The plans the routing stack creates, one per secondary (lib/routing-stack.ts).
      regionSwitchPlanNames: regions
        .filter((r) => r !== props.topology.primaryRegion)
        .map((r) => regionSwitchPlanName(stackPrefix, props.topology.globalClusterIdentifier, r)),
      regions: props.members.map((m) => ({
        region: m.env.region,
        clusterIdentifier: m.clusterIdentifier,
        clusterParameterGroupName: m.clusterParameterGroupName,
        drainParameterName: this.service.drainParameterName,
      })),
      globalClusterIdentifier: props.database.globalClusterIdentifier,
      hostedZone: zone,
      alarmTopic: props.alarmTopic,
      encryptionKey: props.dataKey.key,
      homeRegion: timing.homeRegion,
    });
    new CfnOutput(this, 'DrainParameterName', {
      value: this.service.drainParameter.parameterName,
      description: 'Set to true to drain this region (data plane, no Route 53 call)',
    });
  }
}
