/**
 * The stack outputs the drill reads: their keys and the shape of each JSON value. The stacks
 * write them through `lib/drill-outputs.ts` and `runbooks/drill/discovery.ts` parses them into
 * these types, so a renamed field fails to compile on both sides.
 */

/** Every `Drill*` output key, each a JSON object in one stack (routing) or every region's. */
export const DRILL_OUTPUT_KEYS = {
  database: 'DrillDatabase',
  service: 'DrillService',
  routing: 'DrillRouting',
  regionSwitch: 'DrillRegionSwitch',
} as const;

/**
 * The routing stack's output of the multi-region facts a compliance reviewer asks about (JSON,
 * `ComplianceFacts` in constructs/nag/report.ts): the compliance report and the brief read it.
 */
export const COMPLIANCE_FACTS_OUTPUT_KEY = 'ComplianceFacts';

/** The routing stack's outputs with the drill roles' ARNs (assume one to run the drill). */
export const DRILL_ROLE_OUTPUT_KEYS = {
  operator: 'DrillOperatorRoleArn',
  failover: 'DrillFailoverRoleArn',
} as const;

/** What the drill needs about one region's database member (`DrillDatabase`). */
export interface DrillDatabaseOutput {
  readonly region: string;
  /** Role at deploy time; the writer may have moved since. */
  readonly role: 'primary' | 'secondary';
  readonly clusterIdentifier: string;
  readonly clusterArn: string;
  readonly globalClusterIdentifier: string;
  /** The master secret (primary only): replicas keep the name and suffix, only the region differs. */
  readonly secretArn?: string;
  /** Aurora's global writer endpoint (primary only). */
  readonly globalWriterEndpoint?: string;
  /** The database the primary creates (primary only). */
  readonly databaseName?: string;
  readonly rpoSeconds: number;
  /** Where the drill sets and clears `rds.global_db_rpo`. */
  readonly clusterParameterGroupName: string;
  /**
   * What the name of every alarm of the app begins with (`alarmNamePrefix`), this region's
   * lag alarms included: the drill lists the alarms in ALARM by it.
   */
  readonly alarmNamePrefix: string;
}

/** What the drill needs about one region's service (`DrillService`). */
export interface DrillServiceOutput {
  readonly region: string;
  readonly drainParameterName: string;
  readonly regionalHostname: string;
  readonly appHostname: string;
  readonly writeHostname: string;
  /** What the records of the app name answer for this region. */
  readonly appTarget: string;
  /** What the records of the write name answer for this region. */
  readonly writeTarget: string;
  /**
   * This region's FIS game-day template (`drill game-day --from <region>`); absent in
   * deployments from before it existed.
   */
  readonly gameDay?: GameDayOutput;
}

/** One region's FIS experiment template that isolates its application subnets. */
export interface GameDayOutput {
  readonly experimentTemplateId: string;
  /** The FIS action the template runs (`aws:network:disrupt-connectivity`). */
  readonly actionId: string;
  /** How long the isolation lasts unless stopped first. */
  readonly durationSeconds: number;
  /** The CloudWatch alarms (in this region) that stop the experiment. */
  readonly stopConditionAlarmNames: readonly string[];
  /** The subnet group it isolates (every subnet of it): the application subnets. */
  readonly subnetGroupName: string;
  /** Where FIS writes the experiment log. */
  readonly logGroupName: string;
}

/** One region's Route 53 health check ids; a headless secondary has no serving check. */
export interface HealthCheckIdsOutput {
  readonly serving?: string;
  readonly writer: string;
  /**
   * The calculated check the region's write records carry when ARC Region switch gates them
   * (its writer check AND ARC's checks of the region); absent: the records carry `writer`.
   */
  readonly writeGate?: string;
}

/** What the drill needs about health checks, records and objectives (`DrillRouting`). */
export interface DrillRoutingOutput {
  readonly primaryRegion: string;
  /** Primary first, then secondaries. */
  readonly regions: readonly string[];
  readonly hostedZoneId: string;
  readonly appHostname: string;
  readonly writeHostname: string;
  /** TTL of every record that moves traffic (the timing policy's `ttl`). */
  readonly ttlSeconds: number;
  readonly rpoSeconds: number;
  readonly rtoSeconds: number;
  /** The slower path's floor: no recovery of both reads and writes is faster. */
  readonly rtoFloorSeconds: number;
  readonly readRtoFloorSeconds: number;
  readonly writeRtoFloorSeconds: number;
  /**
   * The timing policy's promotion estimate behind the write floor (`drill rehearse` takes its
   * default promotion time from it); absent in assemblies synthesized before it was published.
   */
  readonly promotionEstimateSeconds?: number;
  readonly healthChecks: Readonly<Record<string, HealthCheckIdsOutput>>;
}

/** One ARC Region switch plan: the primary and one secondary (a plan holds exactly two regions). */
export interface RegionSwitchPlanOutput {
  readonly planArn: string;
  readonly planName: string;
  /** The plan's primary region (the topology's primary). */
  readonly primaryRegion: string;
  /** The secondary this plan activates (or fails back from). */
  readonly targetRegion: string;
  /** The manual approval step's name in each workflow, when the plan asks for approval. */
  readonly approvalStepName?: string;
  /** Where ARC writes each execution's report. */
  readonly reportBucketName: string;
  /**
   * The key prefix the plan's reports go under in that bucket (its report configuration's
   * `bucketPath` is `<bucket>/<prefix>`); absent in assemblies synthesized before it was published.
   */
  readonly reportPrefix?: string;
}

/** The ARC Region switch plans (`DrillRegionSwitch`, routing stack). */
export interface DrillRegionSwitchOutput {
  /** One plan per secondary region, keyed by that secondary. */
  readonly plans: Readonly<Record<string, RegionSwitchPlanOutput>>;
}

/** Each output key with the type of its value. */
export interface DrillOutputs {
  readonly [DRILL_OUTPUT_KEYS.database]: DrillDatabaseOutput;
  readonly [DRILL_OUTPUT_KEYS.service]: DrillServiceOutput;
  readonly [DRILL_OUTPUT_KEYS.routing]: DrillRoutingOutput;
  readonly [DRILL_OUTPUT_KEYS.regionSwitch]: DrillRegionSwitchOutput;
}

/** A `Drill*` output key. */
export type DrillOutputKey = keyof DrillOutputs;

/** What each output's description says in the template. */
export const DRILL_OUTPUT_DESCRIPTIONS: Readonly<Record<DrillOutputKey, string>> = {
  DrillDatabase: "What the drill CLI needs about this region's database (JSON)",
  DrillService: "What the drill CLI needs about this region's service (JSON)",
  DrillRouting: 'What the drill CLI needs about health checks and records (JSON)',
  DrillRegionSwitch: 'The ARC Region switch plans the drill drives with --engine arc (JSON)',
};

/**
 * The `Drill*` outputs that are also kept in an SSM parameter of their stack's region, with
 * the same JSON: the readiness function (constructs/readiness-check.ts) has no outputs file,
 * and the routing stack's values (health check ids) exist only after the service stacks deploy.
 */
export const MIRRORED_DRILL_OUTPUT_KEYS: readonly DrillOutputKey[] = [
  DRILL_OUTPUT_KEYS.database,
  DRILL_OUTPUT_KEYS.service,
  DRILL_OUTPUT_KEYS.routing,
  DRILL_OUTPUT_KEYS.regionSwitch,
];

/** The SSM parameter that mirrors output `key` of stack `stackName`. */
export function drillOutputParameterName(stackName: string, key: DrillOutputKey): string {
  return `/drill-outputs/${stackName}/${key}`;
}
