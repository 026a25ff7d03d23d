import * as fs from 'node:fs';
import { Duration } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import {
  DEFAULT_FAILOVER_PERMISSION_SET,
  DEFAULT_OPERATOR_PERMISSION_SET,
  identityCenterPrincipals,
  parseDrillPrincipals,
} from '../constructs/drill-principals';
import {
  GLOBAL_CLUSTER_IDENTIFIER_PATTERN,
  MANAGED_RPO_SECONDS,
  TRAFFIC_MODES,
  type TrafficMode,
} from '../constructs/contract';
import { MIN_MANAGED_RPO } from '../constructs/managed-rpo';
import { TimingPolicy, timingPolicy } from '../constructs/timing-policy';
import { DATA_RESIDENCY_RULE_ID, residencyViolation } from '../constructs/nag/rules/data-residency';

/** How traffic is spread over the regions (the deployment contract's union). */
export type { TrafficMode } from '../constructs/contract';

/**
 * The validated, typed description of a multi-region deployment.
 *
 * Built once by {@link loadTopology} from `cdk.json` context and overrides;
 * every stack reads it, nothing else reads raw context.
 */
export interface Topology {
  /** Account all stacks deploy to. */
  readonly account: string;
  /** Region that holds the global database writer on first deploy. */
  readonly primaryRegion: string;
  /** Regions that hold secondary clusters, in failover preference order (1 to 10). */
  readonly secondaryRegions: readonly string[];
  /** Primary first, then secondaries. */
  readonly regions: readonly string[];
  /** Apex domain of the public hosted zone. */
  readonly domainName: string;
  /** Id of the existing public hosted zone for `domainName`. */
  readonly hostedZoneId: string;
  /** Recovery time objective. */
  readonly rto: Duration;
  /** Recovery point objective; drives managed RPO, lag alarms and drill gates. */
  readonly rpo: Duration;
  readonly mode: TrafficMode;
  /** Data residency: every region holding data must be in this list. */
  readonly allowedRegions: readonly string[];
  /** Aurora PostgreSQL engine version, identical in every region (for example `16.6`). */
  readonly engineVersion: string;
  /** Instance class without the `db.` prefix (for example `r6g.large`). */
  readonly instanceClass: string;
  /** Reader instances per region; 0 in a secondary region makes it headless. */
  readonly readersByRegion: Readonly<Record<string, number>>;
  /** Fixed identifier of the `AWS::RDS::GlobalCluster`, shared by every region. */
  readonly globalClusterIdentifier: string;
  /** Prefix of every stack name. */
  readonly stackPrefix: string;
  /** E-mail addresses subscribed to the alarm topics (may be empty). */
  readonly alarmEmails: readonly string[];
  /**
   * `aws:PrincipalArn` patterns of who may assume the drill operator role (every drill call
   * but the data-losing failover): IAM Identity Center permission-set roles, IAM roles or users.
   */
  readonly drillOperatorPrincipals: readonly string[];
  /** Who may assume the drill failover role (adds FailoverGlobalCluster); keep it shorter. */
  readonly drillFailoverPrincipals: readonly string[];
  /**
   * The timing policy behind the RTO floors (TTL, checks, signal cache, promotion estimate,
   * Route 53's home region): every stack and the nag pack take it from here.
   */
  readonly timing: TimingPolicy;
}

/** Context key holding the topology object in `cdk.json`. */
export const TOPOLOGY_CONTEXT_KEY = 'topology';
/** Context key naming a JSON file whose fields override `cdk.json`. */
export const TOPOLOGY_FILE_CONTEXT_KEY = 'topologyFile';
/** Prefix of single-field overrides: `-c topology.rpo=60s`. */
export const TOPOLOGY_FIELD_PREFIX = 'topology.';

/** Placeholder used when neither context nor the CLI's credentials give an account. */
export const PLACEHOLDER_ACCOUNT = '123456789012';

/**
 * "An Aurora global database can have up to 10 secondary AWS Regions."
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.configuration.requirements.html (Configuration requirements of an Amazon Aurora global database)
 */
const MAX_SECONDARY_REGIONS = 10;

/**
 * The largest `rds.global_db_rpo` Aurora PostgreSQL accepts.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html#aurora-global-database-manage-recovery (Managing RPOs)
 */
export const MAX_MANAGED_RPO_SECONDS = MANAGED_RPO_SECONDS.max;

/**
 * DB cluster and DB instance identifiers are 1 to 63 characters.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html (DBClusterIdentifier)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (DBInstanceIdentifier)
 */
const MAX_RDS_IDENTIFIER = 63;

/** Most readers per region (an Aurora cluster holds up to 15 Aurora Replicas). */
const MAX_READERS = 15;

/**
 * Instance class families for an Aurora global database, which "requires DB instance classes
 * that are optimized for memory-intensive applications" (db.r5 or higher recommended).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.configuration.requirements.html (DB instance class requirements)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.SupportAurora.html
 */
const GLOBAL_DATABASE_FAMILIES = ['r5', 'r6g', 'r6i', 'r7g', 'r7i', 'r8g', 'x2g'];
/** Sizes of those families; none of them has a `medium` or `small` Aurora class. */
const GLOBAL_DATABASE_SIZES = [
  'large',
  'xlarge',
  '2xlarge',
  '4xlarge',
  '8xlarge',
  '12xlarge',
  '16xlarge',
  '24xlarge',
  '32xlarge',
  '48xlarge',
];

/**
 * The Aurora PostgreSQL versions the installed aws-cdk-lib knows (its
 * `AuroraPostgresEngineVersion` static members), without the Limitless Database builds,
 * which need a cluster type these constructs do not create.
 */
export function knownEngineVersions(): readonly string[] {
  return Object.getOwnPropertyNames(rds.AuroraPostgresEngineVersion)
    .map((name) => (rds.AuroraPostgresEngineVersion as unknown as Record<string, unknown>)[name])
    .filter(
      (v): v is rds.AuroraPostgresEngineVersion => v instanceof rds.AuroraPostgresEngineVersion,
    )
    .map((v) => v.auroraPostgresFullVersion)
    .filter((v) => !v.includes('-'));
}

/** `16.6` -> `16`, `9.6.8` -> `9.6`. */
function majorOf(version: string): string {
  return version.split('.').slice(0, -1).join('.');
}

const FIELDS = [
  'account',
  'primaryRegion',
  'secondaryRegions',
  'domainName',
  'hostedZoneId',
  'rto',
  'rpo',
  'mode',
  'allowedRegions',
  'engineVersion',
  'instanceClass',
  'readers',
  'readersByRegion',
  'globalClusterIdentifier',
  'stackPrefix',
  'alarmEmails',
  'drillOperatorPrincipals',
  'drillFailoverPrincipals',
] as const;
type Field = (typeof FIELDS)[number];

/** The raw, unvalidated shape: what a user writes in JSON or on the command line. */
export type RawTopology = Partial<Record<Field, unknown>>;

/** Thrown with every problem of a topology at once. */
export class TopologyError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid topology (${problems.length} problem${problems.length === 1 ? '' : 's'}); ` +
        `fix it in cdk.json "context.topology", a -c topologyFile=... JSON file or -c topology.<field>=...:\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'TopologyError';
  }
}

/** The topology's public hosted zone, imported by attributes (never looked up). */
export function importHostedZone(scope: Construct, topology: Topology): route53.IHostedZone {
  return route53.HostedZone.fromHostedZoneAttributes(scope, 'Zone', {
    hostedZoneId: topology.hostedZoneId,
    zoneName: topology.domainName,
  });
}

/** What {@link loadTopology} needs besides the context reader. */
export interface LoadTopologyOptions {
  /**
   * Account of the CLI's credentials (`CDK_DEFAULT_ACCOUNT`), used when `account` is not set.
   * @default - {@link PLACEHOLDER_ACCOUNT}
   */
  readonly defaultAccount?: string;
  /**
   * Every context key the app was given (`Object.keys(app.node.getAllContext())`): a key that
   * looks like a topology key but is not one is an error instead of being ignored.
   * @default - no check of context keys
   */
  readonly contextKeys?: readonly string[];
}

/** Reads the context a CDK app was given and returns a validated topology. */
export function loadTopology(
  context: (key: string) => unknown,
  options: LoadTopologyOptions = {},
): Topology {
  const problems = misspelledTopologyKeys(options.contextKeys ?? []);
  const whole = context(TOPOLOGY_CONTEXT_KEY);
  // `-c key=value` always gives a string, and it replaces cdk.json's value of that key
  // whole: merging is impossible, so refuse rather than drop cdk.json's other fields.
  if (typeof whole === 'string') {
    problems.push(
      `${TOPOLOGY_CONTEXT_KEY}: -c ${TOPOLOGY_CONTEXT_KEY}=... replaces the whole topology of cdk.json and would drop its other fields; ` +
        `set fields with -c ${TOPOLOGY_FIELD_PREFIX}<field>=..., or put them in a JSON file and pass -c ${TOPOLOGY_FILE_CONTEXT_KEY}=<path>`,
    );
  }
  let raw: RawTopology = {
    ...asObject(typeof whole === 'string' ? undefined : whole, TOPOLOGY_CONTEXT_KEY, problems),
  };

  const file = context(TOPOLOGY_FILE_CONTEXT_KEY);
  if (file !== undefined) {
    raw = { ...raw, ...readTopologyFile(String(file), problems) };
  }
  for (const field of FIELDS) {
    const value = context(`${TOPOLOGY_FIELD_PREFIX}${field}`);
    if (value !== undefined) raw[field] = value;
  }
  if (problems.length > 0) throw new TopologyError(problems);
  return validateTopology(raw, options);
}

/** Every key this app reads from context for its topology. */
export const TOPOLOGY_CONTEXT_KEYS: readonly string[] = [
  TOPOLOGY_CONTEXT_KEY,
  TOPOLOGY_FILE_CONTEXT_KEY,
  ...FIELDS.map((f) => `${TOPOLOGY_FIELD_PREFIX}${f}`),
];

/**
 * One problem per context key that looks like a topology key (its part before the first
 * dot is at most two edits from `topology` or `topologyFile`, case ignored) but is not one,
 * naming the nearest key that is.
 */
export function misspelledTopologyKeys(keys: readonly string[]): string[] {
  return keys
    .filter((key) => !TOPOLOGY_CONTEXT_KEYS.includes(key))
    .filter((key) => {
      const head = key.toLowerCase().split('.')[0];
      return editDistance(head, 'topology') <= 2 || editDistance(head, 'topologyfile') <= 2;
    })
    .map(
      (key) =>
        `${key}: not a topology setting, so it would be ignored; did you mean ${nearest(key, TOPOLOGY_CONTEXT_KEYS)}?`,
    );
}

/** The candidate fewest edits away (case ignored); the first one on a tie. */
function nearest(key: string, candidates: readonly string[]): string {
  const score = (c: string) => editDistance(key.toLowerCase(), c.toLowerCase());
  return candidates.reduce((best, c) => (score(c) < score(best) ? c : best));
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

function readTopologyFile(path: string, problems: string[]): RawTopology {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    problems.push(`topologyFile: cannot read '${path}' (${(e as Error).message})`);
    return {};
  }
  try {
    return asObject(JSON.parse(text), `topologyFile '${path}'`, problems);
  } catch (e) {
    problems.push(`topologyFile: '${path}' is not valid JSON (${(e as Error).message})`);
    return {};
  }
}

function asObject(value: unknown, name: string, problems: string[]): RawTopology {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${name}: must be a JSON object, got: ${JSON.stringify(value)}`);
    return {};
  }
  const unknown = Object.keys(value).filter((k) => !(FIELDS as readonly string[]).includes(k));
  for (const key of unknown) {
    problems.push(
      `${name}.${key}: unknown field; did you mean ${nearest(key, FIELDS)}? known fields are ${FIELDS.join(', ')}`,
    );
  }
  return value as RawTopology;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Validates a raw topology and fills in defaults; throws one {@link TopologyError}
 * naming every bad field and value.
 */
export function validateTopology(
  raw: RawTopology,
  env: { readonly defaultAccount?: string } = {},
): Topology {
  const problems: string[] = [];
  const v = new FieldReader(raw, problems);

  const account = v.string('account', env.defaultAccount ?? PLACEHOLDER_ACCOUNT);
  if (!/^\d{12}$/.test(account)) {
    problems.push(`account: must be a 12-digit AWS account id, got: '${account}'`);
  }

  const primaryRegion = v.string('primaryRegion', 'us-east-1');
  const secondaryRegions = v.list('secondaryRegions', ['us-west-2']);
  const regions = [primaryRegion, ...secondaryRegions];
  checkRegion('primaryRegion', primaryRegion, problems);
  secondaryRegions.forEach((r, i) => checkRegion(`secondaryRegions[${i}]`, r, problems));
  if (secondaryRegions.length < 1 || secondaryRegions.length > MAX_SECONDARY_REGIONS) {
    problems.push(
      `secondaryRegions: an Aurora global database takes 1 to ${MAX_SECONDARY_REGIONS} secondary regions, ` +
        `got ${secondaryRegions.length}: ${JSON.stringify(secondaryRegions)}`,
    );
  }
  const seen = new Set<string>();
  for (const region of regions) {
    if (seen.has(region)) {
      problems.push(
        `secondaryRegions: region '${region}' appears more than once across primaryRegion and secondaryRegions; each region holds one cluster`,
      );
    }
    seen.add(region);
  }
  const partitions = new Set(regions.map((r) => RegionInfo.get(r).partition).filter(Boolean));
  if (partitions.size > 1) {
    problems.push(
      `secondaryRegions: all regions must be in one AWS partition, got ${[...partitions].join(', ')} for ${regions.join(', ')}`,
    );
  }

  const allowedRegions = v.list('allowedRegions', [...regions]);
  if (raw.allowedRegions !== undefined) {
    allowedRegions.forEach((r, i) => checkRegion(`allowedRegions[${i}]`, r, problems));
  }
  for (const region of regions.filter(isRegion)) {
    if (!allowedRegions.includes(region)) {
      problems.push(
        `allowedRegions: ${residencyViolation('the database cluster', region, allowedRegions)} ` +
          `(${DATA_RESIDENCY_RULE_ID}); add it to allowedRegions or pick an allowed region`,
      );
    }
  }

  const domainName = v.string('domainName', 'example.com');
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domainName)) {
    problems.push(
      `domainName: must be a lower-case DNS name such as 'example.com', got: '${domainName}'`,
    );
  }
  // Route 53 ids are at most 32 characters (Route 53 API Reference, HostedZone, Id). The ids it
  // assigns are 'Z' and upper-case letters and digits, well over 10 long (e.g. ZD3IYMVP1KDDM):
  // a shorter one is a placeholder or a typo. The minimum is ours, not documented.
  const hostedZoneId = v.string('hostedZoneId', 'Z0000000000EXAMPLE');
  if (!/^Z[A-Z0-9]{9,31}$/.test(hostedZoneId)) {
    problems.push(
      `hostedZoneId: must be a Route 53 hosted zone id, 'Z' and 9 to 31 upper-case letters or digits such as 'Z0123456789ABCDEFGHIJ' (aws route53 list-hosted-zones), got: '${hostedZoneId}'`,
    );
  }

  const rto = v.duration('rto', Duration.minutes(15));
  const rpo = v.duration('rpo', Duration.seconds(30));
  if (rpo && rpo.toSeconds() < MIN_MANAGED_RPO.toSeconds()) {
    problems.push(
      `rpo: Aurora PostgreSQL managed RPO (rds.global_db_rpo) cannot enforce less than ${MIN_MANAGED_RPO.toSeconds()} seconds, got: ${rpo.toHumanString()}`,
    );
  } else if (rpo && rpo.toSeconds() > MAX_MANAGED_RPO_SECONDS) {
    problems.push(
      `rpo: Aurora PostgreSQL managed RPO (rds.global_db_rpo) takes at most ${MAX_MANAGED_RPO_SECONDS} seconds, got: ${rpo.toSeconds()} seconds; use a shorter rpo`,
    );
  }
  if (rto && rto.toSeconds() <= 0) {
    problems.push(`rto: must be positive, got: ${rto.toHumanString()}`);
  }

  const mode = v.string('mode', 'active-passive');
  if (!(TRAFFIC_MODES as readonly string[]).includes(mode)) {
    problems.push(
      `mode: must be ${TRAFFIC_MODES.map((m) => `'${m}'`).join(' or ')}, got: '${mode}'`,
    );
  }

  const engineVersion = v.string('engineVersion', '16.6');
  const versions = knownEngineVersions();
  if (!versions.includes(engineVersion)) {
    const sameMajor = versions.filter((known) => majorOf(known) === majorOf(engineVersion));
    const hint =
      sameMajor.length > 0
        ? `known ${majorOf(engineVersion)}.x versions: ${sameMajor.join(', ')}`
        : `known major versions: ${[...new Set(versions.map(majorOf))].join(', ')}`;
    problems.push(
      `engineVersion: '${engineVersion}' is not an Aurora PostgreSQL version aws-cdk-lib knows; ${hint}; for example '16.6'`,
    );
  }
  const instanceClass = v.string('instanceClass', 'r6g.large');
  const [family, size, ...rest] = instanceClass.split('.');
  if (/^(db\.)?serverless$/.test(instanceClass)) {
    problems.push(
      `instanceClass: '${instanceClass}' (Aurora Serverless v2) is not supported by this app's constructs, which create provisioned instances; use a memory-optimized class such as 'r6g.large'`,
    );
  } else if (/^(db\.)?t\d/.test(instanceClass)) {
    problems.push(
      `instanceClass: Aurora global databases do not support burstable T classes, got: '${instanceClass}'; use a memory-optimized class such as 'r6g.large'`,
    );
  } else if (family === 'db') {
    problems.push(
      `instanceClass: write it without the 'db.' prefix, got: '${instanceClass}'; use '${instanceClass.slice(3)}'`,
    );
  } else if (
    rest.length > 0 ||
    !GLOBAL_DATABASE_FAMILIES.includes(family) ||
    !GLOBAL_DATABASE_SIZES.includes(size)
  ) {
    problems.push(
      `instanceClass: Aurora global databases take memory-optimized classes (${GLOBAL_DATABASE_FAMILIES.join(', ')}) of size large or more, got: '${instanceClass}'; use one such as 'r6g.large'`,
    );
  }

  const readers = v.count('readers', 1);
  const readersByRegion: Record<string, number> = Object.fromEntries(
    regions.map((r) => [r, readers]),
  );
  const perRegion = raw.readersByRegion === undefined ? {} : v.object('readersByRegion');
  for (const [region, value] of Object.entries(perRegion)) {
    if (!regions.includes(region)) {
      problems.push(
        `readersByRegion.${region}: not one of the configured regions ${JSON.stringify(regions)}`,
      );
      continue;
    }
    const n = typeof value === 'string' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_READERS) {
      problems.push(
        `readersByRegion.${region}: must be a whole number from 0 to ${MAX_READERS}, got: ${JSON.stringify(value)}`,
      );
      continue;
    }
    readersByRegion[region] = n;
  }

  const globalClusterIdentifier = v.string('globalClusterIdentifier', 'multi-region-ref-global');
  if (!GLOBAL_CLUSTER_IDENTIFIER_PATTERN.test(globalClusterIdentifier)) {
    problems.push(
      `globalClusterIdentifier: must start with a letter and hold letters, digits and single hyphens, got: '${globalClusterIdentifier}'`,
    );
  } else {
    // The app names each region's cluster '<id>-<region>' and its instances
    // '<id>-<region>-writer' / '-reader<n>': the longest of those must fit.
    const suffixes = regions.map((region) => {
      const readers = readersByRegion[region];
      if (readers > 0) return `-${region}-reader${readers}`;
      return region === primaryRegion ? `-${region}-writer` : `-${region}`;
    });
    const longest = suffixes.reduce((a, b) => (b.length > a.length ? b : a));
    const limit = MAX_RDS_IDENTIFIER - longest.length;
    if (globalClusterIdentifier.length > limit) {
      problems.push(
        `globalClusterIdentifier: at most ${limit} characters with these regions and readers, because '<globalClusterIdentifier>${longest}' must fit RDS's ${MAX_RDS_IDENTIFIER}, got ${globalClusterIdentifier.length}: '${globalClusterIdentifier}'; shorten it`,
      );
    }
  }
  const stackPrefix = v.string('stackPrefix', 'MultiRegion');
  if (!/^[A-Za-z][A-Za-z0-9-]{0,39}$/.test(stackPrefix)) {
    problems.push(
      `stackPrefix: must start with a letter and hold letters, digits and hyphens (at most 40), got: '${stackPrefix}'`,
    );
  }
  const alarmEmails = v.list('alarmEmails', []);
  alarmEmails.forEach((email, i) => {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      problems.push(`alarmEmails[${i}]: not an e-mail address: '${email}'`);
    }
    // One subscription per address and topic: a repeat would fail synth in aws-sns.
    const first = alarmEmails.findIndex((e) => e.toLowerCase() === email.toLowerCase());
    if (first < i) {
      problems.push(
        `alarmEmails[${i}]: '${email}' repeats alarmEmails[${first}] ('${alarmEmails[first]}'; case is ignored); remove one of them`,
      );
    }
  });

  // Only the default Identity Center permission sets, never the bare account root.
  const regionPartition = partitions.size === 1 ? [...partitions][0] : undefined;
  const principalLists = (
    [
      ['drillOperatorPrincipals', DEFAULT_OPERATOR_PERMISSION_SET],
      ['drillFailoverPrincipals', DEFAULT_FAILOVER_PERMISSION_SET],
    ] as const
  ).map(([field, permissionSet]) => {
    const patterns = v.list(
      field,
      identityCenterPrincipals(regionPartition ?? 'aws', account, permissionSet),
    );
    if (raw[field] !== undefined) {
      problems.push(
        ...parseDrillPrincipals(field, patterns, permissionSet, regionPartition).problems,
      );
    }
    return patterns;
  });
  const [drillOperatorPrincipals, drillFailoverPrincipals] = principalLists;

  if (problems.length > 0) throw new TopologyError(problems);
  return {
    account,
    primaryRegion,
    secondaryRegions,
    regions,
    domainName,
    hostedZoneId,
    rto: rto!,
    rpo: rpo!,
    mode: mode as TrafficMode,
    allowedRegions,
    engineVersion,
    instanceClass,
    readersByRegion,
    globalClusterIdentifier,
    stackPrefix,
    alarmEmails,
    drillOperatorPrincipals,
    drillFailoverPrincipals,
    timing: timingPolicy(),
  };
}

function isRegion(region: string): boolean {
  return RegionInfo.regions.some((r) => r.name === region);
}

function checkRegion(field: string, region: string, problems: string[]): void {
  if (!isRegion(region)) {
    problems.push(`${field}: '${region}' is not an AWS region name (for example 'us-east-1')`);
  }
}

/** Reads one field of the raw topology as a given type, recording type errors. */
class FieldReader {
  constructor(
    private readonly raw: RawTopology,
    private readonly problems: string[],
  ) {}

  string(field: Field, fallback: string): string {
    const value = this.raw[field];
    if (value === undefined) return fallback;
    if (typeof value === 'number') {
      this.problems.push(
        `${field}: got the JSON number ${value}; quote it ("${field}": "${value}"), because a number loses leading and trailing zeros`,
      );
      return fallback;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.problems.push(`${field}: must be a non-empty string, got: ${JSON.stringify(value)}`);
      return fallback;
    }
    return value.trim();
  }

  /** A JSON array of strings, or (from `-c`) a comma-separated string. */
  list(field: Field, fallback: string[]): string[] {
    const value = this.raw[field];
    if (value === undefined) return fallback;
    const items =
      typeof value === 'string'
        ? value.trim().startsWith('[')
          ? safeJson(value)
          : value
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== '')
        : value;
    if (!Array.isArray(items) || items.some((i) => typeof i !== 'string')) {
      this.problems.push(
        `${field}: must be a list of strings (JSON array or comma-separated), got: ${JSON.stringify(value)}`,
      );
      return fallback;
    }
    return items.map((i: string) => i.trim());
  }

  /** Seconds as a number, or a string such as `30s`, `15m`, `1h`. */
  duration(field: Field, fallback: Duration): Duration | undefined {
    const value = this.raw[field];
    if (value === undefined) return fallback;
    const parsed = parseDuration(value);
    if (!parsed) {
      this.problems.push(
        `${field}: must be a duration such as '30s', '15m' or '1h' (or a number of seconds), got: ${JSON.stringify(value)}`,
      );
      return undefined;
    }
    return parsed;
  }

  count(field: Field, fallback: number): number {
    const value = this.raw[field];
    if (value === undefined) return fallback;
    const n = typeof value === 'string' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_READERS) {
      this.problems.push(
        `${field}: must be a whole number from 0 to ${MAX_READERS}, got: ${JSON.stringify(value)}`,
      );
      return fallback;
    }
    return n;
  }

  object(field: Field): Record<string, unknown> {
    const value = this.raw[field];
    const parsed = typeof value === 'string' ? safeJson(value) : value;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.problems.push(`${field}: must be a JSON object, got: ${JSON.stringify(value)}`);
      return {};
    }
    return parsed as Record<string, unknown>;
  }
}

/** Parses `30`, `'30'`, `'30s'`, `'15m'`, `'1h'` into a Duration. */
export function parseDuration(value: unknown): Duration | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 ? Duration.seconds(value) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+)\s*(s|m|h)?$/.exec(value.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  switch (match[2]) {
    case 'm':
      return Duration.minutes(amount);
    case 'h':
      return Duration.hours(amount);
    default:
      return Duration.seconds(amount);
  }
}
