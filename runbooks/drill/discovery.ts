import * as fs from 'node:fs';
import {
  DRILL_OUTPUT_KEYS,
  type DrillDatabaseOutput,
  type DrillOutputKey,
  type DrillOutputs,
  type DrillRoutingOutput,
  type DrillServiceOutput,
  type HealthCheckIdsOutput,
} from '../../constructs/contract';
import { DrillError } from './errors';

/** What `cdk deploy --outputs-file` writes: stack name -> output key -> value. */
type OutputsFile = Record<string, Record<string, string>>;

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
  /** Alarm names start with their stack's name; this prefix selects the project's alarms. */
  readonly alarmNamePrefix: string;
  readonly regions: readonly RegionTopology[];
}

/** Values that flags may set instead of (or over) the outputs file. */
export interface TopologyOverrides {
  readonly globalClusterIdentifier?: string;
  readonly hostedZoneId?: string;
  readonly alarmNamePrefix?: string;
}

export const DEPLOY_HINT =
  'Deploy and write the outputs file with: npx cdk deploy --all --outputs-file cdk-outputs.json ' +
  '(or point --outputs at the file your deploy wrote)';

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
      },
    };
  });

  const primaryRegion = reader.string(routing, 'primaryRegion');
  if (reader.string(primary, 'region') !== primaryRegion) {
    throw reader.problem(
      `DrillRouting.primaryRegion is ${primaryRegion} but the primary DrillDatabase is in ${primary.value.region}`,
    );
  }
  return {
    source,
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
    alarmNamePrefix:
      overrides.alarmNamePrefix ??
      commonPrefix([routing, ...databases, ...services].map((o) => o.stack)),
    regions: regionTopologies,
  };
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

function commonPrefix(names: string[]): string {
  if (names.length === 0) return '';
  let prefix = names[0];
  for (const name of names) {
    while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  // Cut back to a whole word so `MultiRegion-` does not become `MultiRegion-R`.
  const cut = prefix.lastIndexOf('-');
  return cut >= 0 ? prefix.slice(0, cut + 1) : prefix;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One Drill* output of one stack, not yet checked field by field. */
interface ParsedOutput<K extends DrillOutputKey> {
  readonly stack: string;
  readonly key: K;
  readonly value: { readonly [F in keyof DrillOutputs[K]]?: unknown };
}

/** The fields of output `K` whose contract type is `T` (so a renamed field is a compile error). */
type FieldOf<K extends DrillOutputKey, T> = {
  [F in keyof DrillOutputs[K]]-?: NonNullable<DrillOutputs[K][F]> extends T ? F : never;
}[keyof DrillOutputs[K]] &
  string;

/** Finds Drill* outputs by key in any stack and reads typed fields with precise errors. */
class OutputReader {
  constructor(
    private readonly outputs: OutputsFile,
    private readonly source: string,
  ) {}

  all<K extends DrillOutputKey>(key: K): ParsedOutput<K>[] {
    const found: ParsedOutput<K>[] = [];
    for (const [stack, stackOutputs] of Object.entries(this.outputs)) {
      const raw = stackOutputs[key];
      if (raw === undefined) continue;
      let value: unknown;
      try {
        value = typeof raw === 'string' ? JSON.parse(raw) : raw;
      } catch (err) {
        throw this.problem(
          `output ${key} of stack ${stack} is not a JSON string: ${(err as Error).message}`,
        );
      }
      if (!isRecord(value))
        throw this.problem(`output ${key} of stack ${stack} must be a JSON object`);
      found.push({ stack, key, value });
    }
    if (found.length === 0) {
      const stacks = Object.keys(this.outputs);
      throw this.problem(
        `no stack has the output ${key} (stacks in the file: ${stacks.length ? stacks.join(', ') : 'none'})`,
      );
    }
    return found;
  }

  single<K extends DrillOutputKey>(key: K): ParsedOutput<K> {
    const found = this.all(key);
    if (found.length > 1) {
      throw this.problem(
        `expected one ${key} output, found ${found.length}: ${found.map((f) => f.stack).join(', ')}`,
      );
    }
    return found[0];
  }

  string<K extends DrillOutputKey>(output: ParsedOutput<K>, field: FieldOf<K, string>): string {
    const value = output.value[field];
    if (typeof value !== 'string' || value === '') {
      throw this.problem(
        `${output.key}.${field} of stack ${output.stack} must be a non-empty string`,
      );
    }
    return value;
  }

  number<K extends DrillOutputKey>(output: ParsedOutput<K>, field: FieldOf<K, number>): number {
    const value = output.value[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw this.problem(`${output.key}.${field} of stack ${output.stack} must be a number`);
    }
    return value;
  }

  stringList<K extends DrillOutputKey>(
    output: ParsedOutput<K>,
    field: FieldOf<K, readonly string[]>,
  ): string[] {
    const value = output.value[field];
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
      throw this.problem(
        `${output.key}.${field} of stack ${output.stack} must be a list of regions`,
      );
    }
    return value as string[];
  }

  object<K extends DrillOutputKey>(
    output: ParsedOutput<K>,
    field: FieldOf<K, Readonly<Record<string, unknown>>>,
  ): { value: Record<string, unknown> } {
    const value = output.value[field];
    if (!isRecord(value)) {
      throw this.problem(`${output.key}.${field} of stack ${output.stack} must be an object`);
    }
    return { value };
  }

  problem(message: string): DrillError {
    return new DrillError('DISCOVERY_FAILED', `${this.source}: ${message}`, { hint: DEPLOY_HINT });
  }
}
