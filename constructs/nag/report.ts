/**
 * Turns a cloud assembly (`cdk.out`) into reports a compliance reviewer can read
 * without running anything: one CSV row per finding or acknowledgement, and one
 * self-contained HTML page.
 *
 * Findings come from `validation-report.json` (what the packs reported);
 * acknowledgements from the `cdk_nag.rules_to_suppress` metadata that cdk-nag
 * writes into each template (`writeSuppressionsToCloudFormation`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMPLIANCE_FACTS_OUTPUT_KEY, PACK_NAMES, type RtoFloorBreakdown } from '../contract';
import { ComplianceEvidence, EVIDENCE_FILE } from './evidence';

/** One row of the report. */
export interface ComplianceRow {
  readonly pack: string;
  readonly rule: string;
  /** `error`, `warning` (or `fatal`/`informational` for aws-cdk-lib's validator), as the pack rates the rule. */
  readonly level: string;
  /** Control ids the pack maps the rule to (NIST, HIPAA, PCI), `; `-separated; empty when it gives none. */
  readonly controls: string;
  readonly stack: string;
  readonly resourcePath: string;
  readonly status: 'open' | 'acknowledged';
  /** The finding's description, or the acknowledgement's reason. */
  readonly reason: string;
}

/** The multi-region facts a reviewer asks about (the routing stack's `ComplianceFacts` output). */
export interface ComplianceFacts {
  readonly primaryRegion: string;
  readonly regions: readonly string[];
  readonly allowedRegions: readonly string[];
  readonly mode: string;
  readonly rtoSeconds: number;
  readonly rpoSeconds: number;
  readonly rtoFloorSeconds: number;
  readonly rtoFloorExplanation: string;
  /** The read path's floor; absent in assemblies synthesized before it was published. */
  readonly readRtoFloorSeconds?: number;
  /** The write path's floor; absent in assemblies synthesized before it was published. */
  readonly writeRtoFloorSeconds?: number;
  /** Each path's floor with its parts; absent in assemblies synthesized before it was published. */
  readonly rtoFloors?: RtoFloorBreakdown;
}

/** A pack that ran in this synth and what it checked. */
export interface PackSummary {
  readonly name: string;
  readonly version?: string;
  /** Distinct rules evaluated; absent when the engine does not list them. */
  readonly rulesEvaluated?: number;
  /** Resources the pack read; absent when only the validation report names the pack. */
  readonly resourcesChecked?: number;
}

/** What lands in one region. */
export interface RegionResidency {
  readonly region: string;
  readonly stacks: readonly string[];
  /** Resource type and count, most frequent first. */
  readonly resources: readonly { readonly type: string; readonly count: number }[];
  /** What stores customer data here (`database cluster`, `secret replica`, ...); empty when nothing does. */
  readonly customerData: readonly string[];
}

/** Where the report comes from. */
export interface Provenance {
  readonly commit?: string;
  readonly dirty?: boolean;
  /** Package name to version, read from each package.json. */
  readonly versions: Readonly<Record<string, string>>;
  readonly topologySource?: string;
  readonly topologySha256?: string;
  /** The cloud assembly the report was read from. */
  readonly assembly?: string;
}

export interface ComplianceReport {
  readonly rows: readonly ComplianceRow[];
  readonly facts?: ComplianceFacts;
  /** Every pack that ran (recorded evidence, or named in the validation report). */
  readonly packs: readonly PackSummary[];
  /** Acknowledgements left out because their pack did not run, by pack. */
  readonly notRun: readonly { readonly pack: string; readonly acknowledgements: number }[];
  /** Every stack in the assembly's manifest (stacks without rows count as clean). */
  readonly stacks: readonly string[];
  readonly residency: readonly RegionResidency[];
  /** The account every stack deploys to, when they share one. */
  readonly account?: string;
  readonly provenance: Provenance;
  readonly generatedAt: string;
}

/** Rule-id prefixes of the packs this project registers, longest first, and the pack's name. */
const PACK_PREFIXES: [prefix: string, pack: string][] = [
  // aws-cdk-lib's own template validator: acknowledged as `CloudFormation-Validate::<id>`,
  // reported as plugin "CloudFormation Validate"; one spelling in the report.
  ['CloudFormation-Validate', 'CloudFormation Validate'],
  ['cdk-validator-cfnguard', 'cdk-validator-cfnguard'],
  // The registered packs: a rule id starts with the pack's name.
  ...PACK_NAMES.map((pack): [string, string] => [pack, pack]),
];

/**
 * The pack a rule id belongs to (`HIPAA.Security-RDSInBackupPlan` ->
 * `HIPAA.Security`; `CloudFormation-Validate::F3002` is aws-cdk-lib's own
 * template validator, `CloudFormation Validate`).
 */
export function packOf(ruleId: string): string {
  const found = PACK_PREFIXES.find(
    ([p]) => ruleId.startsWith(`${p}::`) || ruleId.startsWith(`${p}-`),
  );
  return found ? found[1] : ruleId.split(/::|-/)[0];
}

/** The rule id without a finding's `[...]` suffix. */
function baseRuleId(ruleId: string): string {
  return ruleId.replace(/\[.*\]$/, '');
}

/**
 * Level of an acknowledged rule, which the acknowledgement does not carry: the
 * nag packs' recorded level; cfn-guard reports no severity, and aws-cdk-lib fails
 * synth on its findings as errors; the built-in validator's ids start with their
 * severity letter (E error, W warning, I informational, F fatal).
 */
function levelOf(pack: string, ruleId: string, levels: ReadonlyMap<string, string>): string {
  const recorded = levels.get(baseRuleId(ruleId));
  if (recorded) return recorded;
  if (pack === 'cdk-validator-cfnguard') return 'error';
  const letter = /::([EWIF])\d/.exec(ruleId)?.[1];
  return letter
    ? { E: 'error', W: 'warning', I: 'informational', F: 'fatal' }[letter as 'E' | 'W' | 'I' | 'F']
    : '';
}

/**
 * Resource types that store customer data, and what to call them. Everything else
 * (keys, topics, roles, alarms, dashboards, health checks, records, networks) holds
 * configuration only.
 */
const CUSTOMER_DATA_TYPES: Record<string, string> = {
  'AWS::RDS::DBCluster': 'database cluster',
  'AWS::RDS::DBInstance': 'database instance',
  'AWS::SecretsManager::Secret': 'secret',
  'AWS::Backup::BackupVault': 'backup vault (snapshots)',
  'AWS::Logs::LogGroup': 'logs',
  'AWS::S3::Bucket': 'bucket',
  'AWS::DynamoDB::Table': 'table',
};

/**
 * The metadata key that says, with a reason, that a resource of a customer-data type holds
 * none (for example the logs of a function that runs only at deploy time and logs resource
 * ids): the residency table does not count it as customer data in its region.
 */
export const NO_CUSTOMER_DATA_METADATA = 'multi-region:no-customer-data';

interface ManifestFile {
  artifacts?: Record<
    string,
    { type: string; environment?: string; properties?: { templateFile?: string } }
  >;
}

interface ValidationReportFile {
  pluginReports?: {
    pluginName: string;
    pluginVersion?: string;
    violations?: {
      ruleName: string;
      description?: string;
      severity?: string;
      violatingConstructs?: { constructPath: string }[];
      violatingResources?: { constructPath?: string; resourceLogicalId?: string }[];
    }[];
  }[];
}

interface TemplateFile {
  Resources?: Record<
    string,
    {
      Type?: string;
      Properties?: { ReplicaRegions?: { Region?: unknown }[] };
      Metadata?: {
        'aws:cdk:path'?: string;
        [NO_CUSTOMER_DATA_METADATA]?: string;
        cdk_nag?: { rules_to_suppress?: { id: string; reason: string }[] };
      };
    }
  >;
  Outputs?: Record<string, { Value?: unknown }>;
}

/** One stack as the residency table reads it: its region and its template as synthesized. */
export interface ResidencyStack {
  readonly name: string;
  readonly region: string;
  readonly template: ResidencyTemplate;
}

/** The part of a template the residency table reads. */
export interface ResidencyTemplate {
  readonly Resources?: Readonly<
    Record<
      string,
      {
        readonly Type?: string;
        readonly Properties?: unknown;
        readonly Metadata?: Readonly<Record<string, unknown>>;
      }
    >
  >;
}

/**
 * What lands in each region, sorted by region: the stacks, the resource types and counts, and
 * what stores customer data there (secret replicas count in their replica region). The
 * compliance report and the architecture brief both read residency through this.
 */
export function residencyOf(stacks: readonly ResidencyStack[]): RegionResidency[] {
  const regions = new Map<
    string,
    { stacks: string[]; types: Map<string, number>; data: Set<string> }
  >();
  const regionEntry = (region: string) => {
    if (!regions.has(region))
      regions.set(region, { stacks: [], types: new Map(), data: new Set() });
    return regions.get(region)!;
  };
  for (const stack of stacks) {
    const here = regionEntry(stack.region);
    here.stacks.push(stack.name);
    for (const resource of Object.values(stack.template.Resources ?? {})) {
      const type = resource.Type ?? 'unknown';
      here.types.set(type, (here.types.get(type) ?? 0) + 1);
      if (CUSTOMER_DATA_TYPES[type] && !resource.Metadata?.[NO_CUSTOMER_DATA_METADATA]) {
        here.data.add(CUSTOMER_DATA_TYPES[type]);
      }
      // "Secrets Manager replicates the encrypted secret data ... across the specified Regions"
      // (Secrets Manager User Guide, Replicate secrets across Regions): replicas are data there.
      const replicas = (resource.Properties as { ReplicaRegions?: unknown } | undefined)
        ?.ReplicaRegions;
      for (const replica of Array.isArray(replicas) ? replicas : []) {
        const replicaRegion = (replica as { Region?: unknown } | null)?.Region;
        if (typeof replicaRegion === 'string') {
          const other = regionEntry(replicaRegion);
          other.types.set('secret replica', (other.types.get('secret replica') ?? 0) + 1);
          other.data.add('secret replica');
        }
      }
    }
  }
  return [...regions.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([region, r]) => ({
      region,
      stacks: r.stacks,
      resources: [...r.types.entries()]
        .sort(([ta, a], [tb, b]) => b - a || ta.localeCompare(tb))
        .map(([type, count]) => ({ type, count })),
      customerData: [...r.data].sort(),
    }));
}

/**
 * Reads a cloud assembly directory into a report: only the stacks its
 * `manifest.json` lists (a directory reused across synths keeps old templates).
 * Throws with the path when it is not an assembly.
 */
export function readComplianceReport(
  assemblyDir: string,
  options: { readonly provenance?: Provenance; readonly now?: Date } = {},
): ComplianceReport {
  const manifestPath = path.join(assemblyDir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new Error(
      `${assemblyDir} is not a cloud assembly (no manifest.json): run 'npx cdk synth --no-lookups' first`,
    );
  }
  const read = <T>(file: string): T | undefined =>
    fs.existsSync(path.join(assemblyDir, file))
      ? (JSON.parse(fs.readFileSync(path.join(assemblyDir, file), 'utf8')) as T)
      : undefined;
  const manifest = read<ManifestFile>('manifest.json')!;
  const evidence = read<ComplianceEvidence>(EVIDENCE_FILE);
  const validation = read<ValidationReportFile>('validation-report.json');

  const packs = new Map<string, PackSummary>();
  const levels = new Map<string, string>();
  const controls = new Map<string, string>();
  for (const pack of evidence?.packs ?? []) {
    packs.set(pack.name, {
      name: pack.name,
      version: pack.version,
      rulesEvaluated: pack.rulesEvaluated,
      resourcesChecked: pack.resourcesChecked,
    });
    for (const rule of pack.rules) {
      levels.set(rule.id, rule.level);
      controls.set(rule.id, [...new Set(rule.controls)].join('; '));
    }
  }

  const rows: ComplianceRow[] = [];
  for (const plugin of validation?.pluginReports ?? []) {
    // A plugin in the validation report ran, even without recorded evidence.
    if (!packs.has(plugin.pluginName)) {
      packs.set(plugin.pluginName, { name: plugin.pluginName, version: plugin.pluginVersion });
    }
    for (const violation of plugin.violations ?? []) {
      const places = [
        ...(violation.violatingConstructs ?? []).map((c) => c.constructPath),
        ...(violation.violatingResources ?? []).map(
          (r) => r.constructPath ?? r.resourceLogicalId ?? '',
        ),
      ];
      for (const place of places) {
        rows.push({
          pack: plugin.pluginName,
          rule: violation.ruleName,
          level: violation.severity ?? 'error',
          controls: controls.get(baseRuleId(violation.ruleName)) ?? '',
          stack: place.split('/')[0],
          resourcePath: place,
          status: 'open',
          reason: violation.description ?? '',
        });
      }
    }
  }

  const stacks: string[] = [];
  const templates: ResidencyStack[] = [];
  const notRun = new Map<string, number>();
  const accounts = new Set<string>();
  let facts: ComplianceFacts | undefined;
  for (const [stackName, artifact] of Object.entries(manifest.artifacts ?? {})
    .filter(([, a]) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile)
    .sort(([a], [b]) => a.localeCompare(b))) {
    const template = read<TemplateFile>(artifact.properties!.templateFile!) ?? {};
    stacks.push(stackName);
    // environment is aws://<account>/<region>
    const [, , account, region = 'unknown-region'] = artifact.environment?.split('/') ?? [];
    if (account) accounts.add(account);
    templates.push({ name: stackName, region, template });
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      for (const ack of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
        const pack = packOf(ack.id);
        if (!packs.has(pack)) {
          notRun.set(pack, (notRun.get(pack) ?? 0) + 1);
          continue;
        }
        rows.push({
          pack,
          rule: ack.id,
          level: levelOf(pack, ack.id, levels),
          controls: controls.get(baseRuleId(ack.id.replace(/^cdk-validator-cfnguard::/, ''))) ?? '',
          stack: stackName,
          resourcePath: resource.Metadata?.['aws:cdk:path'] ?? `${stackName}/${logicalId}`,
          status: 'acknowledged',
          reason: ack.reason,
        });
      }
    }
    const factsOutput = template.Outputs?.[COMPLIANCE_FACTS_OUTPUT_KEY]?.Value;
    if (typeof factsOutput === 'string') facts = JSON.parse(factsOutput) as ComplianceFacts;
  }
  rows.sort(
    (a, b) =>
      a.status.localeCompare(b.status) ||
      a.pack.localeCompare(b.pack) ||
      a.rule.localeCompare(b.rule) ||
      a.resourcePath.localeCompare(b.resourcePath),
  );
  return {
    rows,
    facts,
    packs: [...packs.values()].sort((a, b) => a.name.localeCompare(b.name)),
    notRun: [...notRun.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([pack, acknowledgements]) => ({ pack, acknowledgements })),
    stacks,
    residency: residencyOf(templates),
    account: accounts.size === 1 ? [...accounts][0] : undefined,
    provenance: {
      versions: {},
      ...options.provenance,
      topologySha256: evidence?.topology?.sha256 ?? options.provenance?.topologySha256,
    },
    generatedAt: (options.now ?? new Date()).toISOString(),
  };
}

/**
 * The `cdk bootstrap` command for every region a stack of the report lands in
 * (with the routing stack, us-east-1 even when no data region is there).
 */
export function bootstrapCommand(
  report: ComplianceReport,
  account = report.account ?? 'ACCOUNT',
): string {
  return `npx cdk bootstrap ${report.residency
    .filter((r) => r.stacks.length > 0)
    .map((r) => `aws://${account}/${r.region}`)
    .join(' ')}`;
}

const CSV_COLUMNS: (keyof ComplianceRow)[] = [
  'pack',
  'rule',
  'level',
  'controls',
  'stack',
  'resourcePath',
  'status',
  'reason',
];

/** What a pack checked, in words: `131 rules evaluated on 161 resources`. */
export function packCoverage(pack: PackSummary): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const { rulesEvaluated: rules, resourcesChecked: resources } = pack;
  if (rules !== undefined && resources !== undefined) {
    return `${plural(rules, 'rule')} evaluated on ${plural(resources, 'resource')}`;
  }
  if (resources !== undefined) {
    return `${plural(resources, 'resource')} checked; the engine does not list its rules`;
  }
  if (rules !== undefined) return `${plural(rules, 'rule')} evaluated; resources not recorded`;
  return 'ran (named in the validation report); rules and resources not recorded';
}

/**
 * RFC 4180 CSV: first one `pack ran` row per pack that ran (its coverage in the
 * reason column), then one row per finding or acknowledgement.
 */
export function renderCsv(report: ComplianceReport): string {
  const cell = (value: string) =>
    /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  const header = [
    'pack',
    'rule',
    'level',
    'controls',
    'stack',
    'resource path',
    'status',
    'reason',
  ].join(',');
  const packRows = report.packs.map((p) =>
    [p.name, '', '', '', '', '', 'pack ran', packCoverage(p)].map(cell).join(','),
  );
  return (
    [
      header,
      ...packRows,
      ...report.rows.map((row) => CSV_COLUMNS.map((c) => cell(String(row[c]))).join(',')),
    ].join('\r\n') + '\r\n'
  );
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function counts(report: ComplianceReport, key: 'pack' | 'stack', name: string): [number, number] {
  const rows = report.rows.filter((r) => r[key] === name);
  const open = rows.filter((r) => r.status === 'open').length;
  return [open, rows.length - open];
}

/** A file written beside the report (same folder), which the page links to. */
export interface CompanionFile {
  readonly label: string;
  /** Its name in the report's folder. */
  readonly file: string;
}

/**
 * One self-contained HTML page (inline CSS, no scripts, no external assets); `companions` are
 * files in the same folder it links to by relative name (the architecture brief).
 */
export function renderHtml(
  report: ComplianceReport,
  companions: readonly CompanionFile[] = [],
): string {
  const open = report.rows.filter((r) => r.status === 'open');
  const acked = report.rows.filter((r) => r.status === 'acknowledged');
  const verdict = open.length === 0;
  const facts = report.facts;
  const prov = report.provenance;
  const seconds = (s: number) => (s >= 60 ? `${s} s (${+(s / 60).toFixed(2)} min)` : `${s} s`);
  const num = (n: number | undefined) =>
    n === undefined ? '<span class="muted">n/a</span>' : `${n}`;
  const packsTable = `
    <h2>Packs that ran</h2>
    <table><thead><tr><th>Pack</th><th>Version</th><th class="num">Rules evaluated</th><th class="num">Resources checked</th><th class="num">Open</th><th class="num">Acknowledged</th></tr></thead><tbody>
    ${report.packs
      .map((p) => {
        const [o, a] = counts(report, 'pack', p.name);
        return `<tr><td>${escapeHtml(p.name)}</td><td>${escapeHtml(p.version ?? '')}</td><td class="num">${num(p.rulesEvaluated)}</td><td class="num">${num(p.resourcesChecked)}</td><td class="num${o > 0 ? ' bad' : ''}">${o}</td><td class="num">${a}</td></tr>`;
      })
      .join('')}
    </tbody></table>
    ${
      report.notRun.length === 0
        ? ''
        : `<p class="muted">Did not run: ${report.notRun
            .map(
              (n) =>
                `${escapeHtml(n.pack)} (${n.acknowledgements} acknowledgement${n.acknowledgements === 1 ? '' : 's'} in the templates, not listed)`,
            )
            .join(', ')}.</p>`
    }`;
  const stacksTable = `
    <h2>Totals per stack</h2>
    <table><thead><tr><th>Stack</th><th class="num">Open</th><th class="num">Acknowledged</th></tr></thead><tbody>
    ${report.stacks
      .map((name) => {
        const [o, a] = counts(report, 'stack', name);
        return `<tr><td>${escapeHtml(name)}</td><td class="num${o > 0 ? ' bad' : ''}">${o}</td><td class="num">${a}</td></tr>`;
      })
      .join('')}
    </tbody></table>`;
  const residencyTable = `
    <table class="residency"><thead><tr><th>Region</th><th>Stacks</th><th>Resources</th><th>Customer data</th></tr></thead><tbody>
    ${report.residency
      .map(
        (r) =>
          `<tr><td><b>${escapeHtml(r.region)}</b></td><td>${r.stacks.map((s) => `<code>${escapeHtml(s)}</code>`).join('<br>') || '<span class="muted">none (replica only)</span>'}</td>` +
          `<td class="small">${r.resources.map((t) => `${t.count} × ${escapeHtml(t.type)}`).join(', ')}</td>` +
          `<td class="${r.customerData.length > 0 ? 'data' : 'good'}">${r.customerData.length > 0 ? `yes: ${r.customerData.map(escapeHtml).join(', ')}` : 'no customer data'}</td></tr>`,
      )
      .join('')}
    </tbody></table>
    <p class="muted">Bootstrap every one of these regions before the first deploy: <code>${escapeHtml(bootstrapCommand(report))}</code></p>`;
  const versions = Object.entries(prov.versions)
    .map(([name, v]) => `${escapeHtml(name)} ${escapeHtml(v)}`)
    .join(', ');
  const provenanceTable = `<table class="facts"><tbody>
      <tr><th>Commit</th><td>${prov.commit ? `<code>${escapeHtml(prov.commit)}</code>${prov.dirty ? ' <span class="bad">(working tree has uncommitted changes)</span>' : ' (clean working tree)'}` : '<span class="muted">not a git checkout</span>'}</td></tr>
      <tr><th>Versions</th><td>${versions || '<span class="muted">not recorded</span>'}</td></tr>
      <tr><th>Topology source</th><td>${prov.topologySource ? escapeHtml(prov.topologySource) : '<span class="muted">not recorded</span>'}</td></tr>
      <tr><th>Resolved topology SHA-256</th><td>${prov.topologySha256 ? `<code>${escapeHtml(prov.topologySha256)}</code>` : '<span class="muted">not recorded</span>'}</td></tr>
      <tr><th>Cloud assembly</th><td>${prov.assembly ? `<code>${escapeHtml(prov.assembly)}</code>` : '<span class="muted">not recorded</span>'}</td></tr>
    </tbody></table>`;
  const rowsTable = (rows: readonly ComplianceRow[], reasonTitle: string) =>
    rows.length === 0
      ? '<p class="muted">None.</p>'
      : `<table class="findings"><thead><tr><th>Rule</th><th>Level</th><th>Resource</th><th>${reasonTitle}</th></tr></thead><tbody>
    ${rows
      .map(
        (r) =>
          `<tr><td><code>${escapeHtml(r.rule)}</code><div class="muted">${escapeHtml(r.pack)}${r.controls ? ` · controls ${escapeHtml(r.controls)}` : ''}</div></td>` +
          `<td>${escapeHtml(r.level)}</td><td><code>${escapeHtml(r.resourcePath)}</code></td><td>${escapeHtml(r.reason)}</td></tr>`,
      )
      .join('')}
    </tbody></table>`;
  const factsTable = facts
    ? `<table class="facts"><tbody>
      <tr><th>Regions</th><td>${facts.regions.map((r) => (r === facts.primaryRegion ? `<b>${escapeHtml(r)}</b> (primary)` : escapeHtml(r))).join(', ')}</td></tr>
      <tr><th>Traffic mode</th><td>${escapeHtml(facts.mode)}</td></tr>
      <tr><th>Residency allow-list</th><td>${facts.allowedRegions.map(escapeHtml).join(', ')}</td></tr>
      <tr><th>RPO objective</th><td>${seconds(facts.rpoSeconds)} (enforced with <code>rds.global_db_rpo</code>, alarmed at RPO/2 and RPO)</td></tr>
      <tr><th>RTO objective</th><td>${seconds(facts.rtoSeconds)}</td></tr>
      <tr><th>Computed RTO floor</th><td class="${facts.rtoFloorSeconds <= facts.rtoSeconds ? 'good' : 'bad'}">${seconds(facts.rtoFloorSeconds)}<div class="muted">${escapeHtml(facts.rtoFloorExplanation)}</div></td></tr>
    </tbody></table>`
    : '<p class="muted">No ComplianceFacts output found in the assembly.</p>';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Compliance report: ${verdict ? 'no open findings' : `${open.length} open findings`}</title>
<style>
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
  main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
  h1 { font-size: 26px; margin: 8px 0 4px; } h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
  .verdict { display: inline-block; padding: 6px 14px; border-radius: 6px; font-weight: 600; margin: 8px 0; }
  .pass { background: #dafbe1; color: #116329; } .fail { background: #ffebe9; color: #a40e26; }
  table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 14px; }
  th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
  thead th { background: #f6f8fa; } .facts th { width: 220px; background: #f6f8fa; }
  .num { text-align: right; width: 110px; } .bad { color: #a40e26; font-weight: 600; } .good { color: #116329; font-weight: 600; }
  .data { color: #9a6700; font-weight: 600; } .small { font-size: 12.5px; }
  .residency td:nth-child(1), .residency td:nth-child(2) code { white-space: nowrap; word-break: normal; }
  .residency td:nth-child(4) { width: 190px; }
  code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
  .muted { color: #59636e; font-size: 13px; }
  .findings td:nth-child(1) { width: 28%; } .findings td:nth-child(2) { width: 8%; } .findings td:nth-child(3) { width: 28%; }
</style></head>
<body><main>
<h1>Compliance report: multi-region reference infrastructure</h1>
<div class="muted">Generated ${escapeHtml(report.generatedAt)} from the stacks in the assembly's <code>manifest.json</code>, its <code>validation-report.json</code> and the packs' recorded coverage. Packs that ran: ${report.packs.map((p) => escapeHtml(p.name)).join(', ')}.</div>
<div class="verdict ${verdict ? 'pass' : 'fail'}">${verdict ? 'PASS: no open findings' : `FAIL: ${open.length} open finding${open.length === 1 ? '' : 's'}`} · ${acked.length} acknowledged</div>
${
  companions.length > 0
    ? `<div class="muted">In this folder, from the same assembly: ${companions.map((c) => `<a href="${encodeURI(c.file)}">${escapeHtml(c.label)}</a>`).join(', ')}.</div>\n`
    : ''
}<h2>Provenance</h2>
${provenanceTable}
<h2>Multi-region facts</h2>
${factsTable}
<h2>Residency: where resources land</h2>
${residencyTable}
${packsTable}
${stacksTable}
<h2>Open findings</h2>
${rowsTable(open, 'What is wrong')}
<h2>Acknowledgements</h2>
<p class="muted">Each acknowledgement is on the specific resource, with the reason the finding does not apply or cannot be fixed.</p>
${rowsTable(acked, 'Reason')}
</main></body></html>
`;
}

/** What `npm run compliance` does once synth has ended. */
export interface ComplianceOutcome {
  /** Whether the CSV and HTML are written. */
  readonly writeReports: boolean;
  readonly exitCode: number;
  /** Printed to stderr, prefixed with `compliance: `. */
  readonly message?: string;
}

/**
 * Decides whether a run writes its reports and how it exits. A failed synth
 * writes a report only when its open findings explain the failure (the page then
 * says FAIL); otherwise no page is written, so no earlier PASS survives it.
 */
export function complianceOutcome(run: {
  readonly synthFailed: boolean;
  readonly assemblyWritten: boolean;
  readonly openFindings: number;
}): ComplianceOutcome {
  if (run.synthFailed && !run.assemblyWritten) {
    return {
      writeReports: false,
      exitCode: 1,
      message:
        'cdk synth failed before it wrote a cloud assembly; no report written. Fix the error above and run again',
    };
  }
  if (run.synthFailed && run.openFindings === 0) {
    return {
      writeReports: false,
      exitCode: 1,
      message:
        'cdk synth failed, but no open finding explains it; no report written. Fix the error above and run again',
    };
  }
  if (run.openFindings > 0) {
    return {
      writeReports: true,
      exitCode: 1,
      message: 'open findings; fix them or acknowledge them on the resource with a real reason',
    };
  }
  return { writeReports: true, exitCode: 0 };
}
