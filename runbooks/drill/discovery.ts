import * as fs from 'node:fs';
import {
  DRILL_OUTPUT_KEYS,
  DRILL_ROLE_OUTPUT_KEYS,
  type DrillDatabaseOutput,
  type DrillRoutingOutput,
  type DrillServiceOutput,
  type GameDayOutput,
  type HealthCheckIdsOutput,
  type RegionSwitchPlanOutput,
} from '../../constructs/contract';
import { DrillError } from './errors';
import {
  DEPLOY_HINT,
  isRecord,
  OutputReader,
  type OutputsFile,
  type ParsedOutput,
} from './output-reader';

export { DEPLOY_HINT } from './output-reader';

export type DatabaseRole = DrillDatabaseOutput['role'];

/**
 * One region as the drill sees it: its database member (role at deploy time; the writer may
 * have moved since) and its service, with the fields the contract's outputs define. The app
 * and write targets are the API Gateway regional domain names
 * (`d-<id>.execute-api.<region>.amazonaws.com`) of its custom domains.
 */
export interface RegionTopology
  extends
    Pick<
      DrillDatabaseOutput,
      'region' | 'role' | 'clusterIdentifier' | 'clusterArn' | 'clusterParameterGroupName'
    >,
    Pick<
      DrillServiceOutput,
      'drainParameterName' | 'regionalHostname' | 'appTarget' | 'writeTarget'
    > {
  /** The master secret in this region (a replica keeps name and suffix; only the region differs). */
  readonly secretArn: string;
  /** Route 53 health check ids; a headless secondary serves no reads and has no serving check. */
  readonly healthChecks: HealthCheckIdsOutput;
  /** The region's FIS game-day template (absent in deployments from before it existed). */
  readonly gameDay?: GameDayOutput;
}

/** `DrillService.gameDay`, checked: every field of the contract, or a problem naming the stack. */
function gameDayOf(
  reader: OutputReader,
  value: unknown,
  stack: string,
  region: string,
): { gameDay?: GameDayOutput } {
  if (value === undefined) return {};
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (
    !isRecord(value) ||
    typeof value.experimentTemplateId !== 'string' ||
    typeof value.actionId !== 'string' ||
    typeof value.durationSeconds !== 'number' ||
    !strings(value.stopConditionAlarmNames) ||
    typeof value.subnetGroupName !== 'string' ||
    typeof value.logGroupName !== 'string'
  ) {
    throw reader.problem(
      `DrillService.gameDay of ${region} (stack ${stack}) must have experimentTemplateId, actionId, durationSeconds, stopConditionAlarmNames, subnetGroupName and logGroupName`,
    );
  }
  return { gameDay: value as unknown as GameDayOutput };
}

/** Everything a drill needs, read from the stack outputs (the contract's fields, checked). */
export interface DrillTopology extends Pick<
  DrillRoutingOutput,
  | 'primaryRegion'
  | 'hostedZoneId'
  | 'appHostname'
  | 'writeHostname'
  | 'ttlSeconds'
  | 'rpoSeconds'
  | 'rtoSeconds'
  | 'rtoFloorSeconds'
> {
  /** Where this came from, for messages. */
  readonly source: string;
  readonly globalClusterIdentifier: DrillDatabaseOutput['globalClusterIdentifier'];
  /**
   * Aurora's global writer endpoint (the master secret's host): it answers from whichever
   * region holds the writer after a managed switchover or failover.
   */
  readonly globalWriterEndpoint: string;
  readonly databaseName: string;
  /** What every alarm of the app begins with (`DrillDatabase.alarmNamePrefix`, or `--alarm-prefix`). */
  readonly alarmNamePrefix: string;
  readonly regions: readonly RegionTopology[];
  /**
   * The ARC Region switch plans (`DrillRegionSwitch`, keyed by the secondary each activates);
   * absent when the outputs have none (a deployment without the plans).
   */
  readonly regionSwitch?: {
    readonly stack: string;
    readonly plans: Readonly<Record<string, RegionSwitchPlanOutput>>;
  };
  /** The drill failover role (`DrillFailoverRoleArn`), when the outputs publish it. */
  readonly failoverRoleArn?: string;
}

/** Values that flags may set instead of (or over) the outputs file. */
export interface TopologyOverrides {
  readonly globalClusterIdentifier?: string;
  readonly hostedZoneId?: string;
  readonly alarmNamePrefix?: string;
}

/** Reads and checks the outputs file; every problem names the file and the output key. */
export function loadTopology(file: string, overrides: TopologyOverrides = {}): DrillTopology {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : String(err);
    throw new DrillError('DISCOVERY_FAILED', `outputs file ${file} ${reason}`, {
      hint: DEPLOY_HINT,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DrillError(
      'DISCOVERY_FAILED',
      `outputs file ${file} is not valid JSON: ${(err as Error).message}`,
      { hint: `${DEPLOY_HINT}; do not edit the file by hand` },
    );
  }
  if (!isRecord(parsed) || !Object.values(parsed).every(isRecord)) {
    throw new DrillError(
      'DISCOVERY_FAILED',
      `outputs file ${file} must be a JSON object of stacks, each an object of outputs`,
      { hint: DEPLOY_HINT },
    );
  }
  return topologyFromOutputs(parsed as OutputsFile, file, overrides);
}

export function topologyFromOutputs(
  outputs: OutputsFile,
  source: string,
  overrides: TopologyOverrides = {},
): DrillTopology {
  const reader = new OutputReader(outputs, source);
  const routing = reader.single(DRILL_OUTPUT_KEYS.routing);
  const databases = reader.all(DRILL_OUTPUT_KEYS.database);
  const services = reader.all(DRILL_OUTPUT_KEYS.service);

  const regions = reader.stringList(routing, 'regions');
  const primaries = databases.filter((d) => reader.string(d, 'role') === 'primary');
  if (primaries.length !== 1) {
    throw reader.problem(
      `exactly one DrillDatabase output must have role 'primary', found ${primaries.length}`,
    );
  }
  const primary = primaries[0];
  const primarySecretArn = reader.string(primary, 'secretArn');
  const healthChecks = reader.object(routing, 'healthChecks');

  const regionTopologies = regions.map((region): RegionTopology => {
    const db = databases.find((d) => d.value.region === region);
    const service = services.find((s) => s.value.region === region);
    if (!db) throw reader.problem(`no DrillDatabase output for region ${region}`);
    if (!service) throw reader.problem(`no DrillService output for region ${region}`);
    const checks: unknown = healthChecks.value[region];
    if (
      !isRecord(checks) ||
      !['string', 'undefined'].includes(typeof checks.serving) ||
      typeof checks.writer !== 'string'
    ) {
      throw reader.problem(
        `DrillRouting.healthChecks.${region} must be {"serving": "<id>", "writer": "<id>"}, "serving" left out only for a headless secondary (stack ${routing.stack})`,
      );
    }
    const role = reader.string(db, 'role');
    return {
      region,
      role: role === 'primary' ? 'primary' : 'secondary',
      clusterIdentifier: reader.string(db, 'clusterIdentifier'),
      clusterArn: reader.string(db, 'clusterArn'),
      clusterParameterGroupName: reader.string(db, 'clusterParameterGroupName'),
      secretArn: withArnRegion(primarySecretArn, region),
      drainParameterName: reader.string(service, 'drainParameterName'),
      regionalHostname: reader.string(service, 'regionalHostname'),
      appTarget: reader.string(service, 'appTarget'),
      writeTarget: reader.string(service, 'writeTarget'),
      healthChecks: {
        ...(typeof checks.serving === 'string' ? { serving: checks.serving } : {}),
        writer: checks.writer,
        ...(typeof checks.writeGate === 'string' ? { writeGate: checks.writeGate } : {}),
      },
      ...gameDayOf(reader, service.value.gameDay, service.stack, region),
    };
  });

  const primaryRegion = reader.string(routing, 'primaryRegion');
  if (reader.string(primary, 'region') !== primaryRegion) {
    throw reader.problem(
      `DrillRouting.primaryRegion is ${primaryRegion} but the primary DrillDatabase is in ${primary.value.region}`,
    );
  }
  const regionSwitch = regionSwitchOf(reader, primaryRegion, regions);
  const failoverRoleArn = Object.values(outputs)
    .map((o) => o[DRILL_ROLE_OUTPUT_KEYS.failover])
    .find((v) => typeof v === 'string' && v !== '');
  return {
    source,
    ...(failoverRoleArn ? { failoverRoleArn } : {}),
    ...(regionSwitch ? { regionSwitch } : {}),
    globalClusterIdentifier:
      overrides.globalClusterIdentifier ?? reader.string(primary, 'globalClusterIdentifier'),
    globalWriterEndpoint: reader.string(primary, 'globalWriterEndpoint'),
    primaryRegion,
    databaseName: reader.string(primary, 'databaseName'),
    hostedZoneId: overrides.hostedZoneId ?? reader.string(routing, 'hostedZoneId'),
    appHostname: reader.string(routing, 'appHostname'),
    writeHostname: reader.string(routing, 'writeHostname'),
    ttlSeconds: reader.number(routing, 'ttlSeconds'),
    rpoSeconds: reader.number(routing, 'rpoSeconds'),
    rtoSeconds: reader.number(routing, 'rtoSeconds'),
    rtoFloorSeconds: reader.number(routing, 'rtoFloorSeconds'),
    alarmNamePrefix: overrides.alarmNamePrefix ?? publishedAlarmNamePrefix(reader, databases),
    regions: regionTopologies,
  };
}

/** The optional `DrillRegionSwitch` output: every plan's fields checked, keyed by a secondary. */
function regionSwitchOf(
  reader: OutputReader,
  primaryRegion: string,
  regions: readonly string[],
): DrillTopology['regionSwitch'] {
  const output = reader.optional(DRILL_OUTPUT_KEYS.regionSwitch);
  if (!output) return undefined;
  const plans = reader.object(output, 'plans').value;
  const checked: Record<string, RegionSwitchPlanOutput> = {};
  for (const [secondary, plan] of Object.entries(plans)) {
    const where = `DrillRegionSwitch.plans.${secondary} of stack ${output.stack}`;
    const text = (field: keyof RegionSwitchPlanOutput, optional = false): string | undefined => {
      const value = isRecord(plan) ? plan[field] : undefined;
      if (value === undefined && optional) return undefined;
      if (typeof value !== 'string' || value === '') {
        throw reader.problem(`${where}.${field} must be a non-empty string`);
      }
      return value;
    };
    const approvalStepName = text('approvalStepName', true);
    const reportPrefix = text('reportPrefix', true);
    const entry: RegionSwitchPlanOutput = {
      planArn: text('planArn')!,
      planName: text('planName')!,
      primaryRegion: text('primaryRegion')!,
      targetRegion: text('targetRegion')!,
      reportBucketName: text('reportBucketName')!,
      ...(approvalStepName ? { approvalStepName } : {}),
      ...(reportPrefix ? { reportPrefix } : {}),
    };
    if (entry.targetRegion !== secondary || !regions.includes(secondary)) {
      throw reader.problem(
        `${where} must activate ${secondary}, a region of DrillRouting.regions (${regions.join(', ')}), got targetRegion ${entry.targetRegion}`,
      );
    }
    if (entry.primaryRegion !== primaryRegion) {
      throw reader.problem(
        `${where}.primaryRegion is ${entry.primaryRegion} but DrillRouting.primaryRegion is ${primaryRegion}`,
      );
    }
    checked[secondary] = entry;
  }
  return { stack: output.stack, plans: checked };
}

/** `arn:aws:secretsmanager:us-east-1:...` with another region. */
export function withArnRegion(arn: string, region: string): string {
  const parts = arn.split(':');
  if (parts.length < 6) return arn;
  parts[3] = region;
  return parts.join(':');
}

/** The region field of an ARN. */
export function arnRegion(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}

/** The region whose app or write target `name` is, if any. */
export function regionOfTarget(topology: DrillTopology, name: string): RegionTopology | undefined {
  return topology.regions.find((r) => r.appTarget === name || r.writeTarget === name);
}

/** Every name that ends a CNAME chain of the app or write name. */
export function targetNames(topology: DrillTopology): Set<string> {
  return new Set(topology.regions.flatMap((r) => [r.appTarget, r.writeTarget]));
}

export function regionOf(topology: DrillTopology, region: string): RegionTopology {
  const found = topology.regions.find((r) => r.region === region);
  if (!found) {
    throw new DrillError(
      'USAGE',
      `unknown region ${region}; ${topology.source} names ${topology.regions.map((r) => r.region).join(', ')}`,
    );
  }
  return found;
}

/**
 * The alarm name prefix every region's `DrillDatabase` publishes. Outputs written before the
 * field existed are refused (stack names are no safe guess), with the ways out.
 */
function publishedAlarmNamePrefix(
  reader: OutputReader,
  databases: readonly ParsedOutput<typeof DRILL_OUTPUT_KEYS.database>[],
): string {
  const prefixes = databases.map((db) => {
    if (db.value.alarmNamePrefix === undefined) {
      throw reader.problem(
        `DrillDatabase.alarmNamePrefix of stack ${db.stack} is missing (outputs of a deployment older than this drill): ` +
          'redeploy to write it, or pass --alarm-prefix <prefix>',
      );
    }
    return { stack: db.stack, prefix: reader.string(db, 'alarmNamePrefix') };
  });
  const distinct = [...new Set(prefixes.map((p) => p.prefix))];
  if (distinct.length > 1) {
    throw reader.problem(
      `DrillDatabase.alarmNamePrefix differs between stacks (${prefixes.map((p) => `${p.stack}: '${p.prefix}'`).join(', ')}): ` +
        'deploy every stack from one app, or pass --alarm-prefix <prefix>',
    );
  }
  return distinct[0];
}
