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

/** One row of the report. */
export interface ComplianceRow {
  readonly pack: string;
  readonly rule: string;
  /** `error` or `warning` for a finding; empty for an acknowledgement (the pack does not say). */
  readonly level: string;
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
}

export interface ComplianceReport {
  readonly rows: readonly ComplianceRow[];
  readonly facts?: ComplianceFacts;
  /** Every pack registered, or seen in the validation report or an acknowledgement. */
  readonly packs: readonly string[];
  /** Every stack in the assembly (stacks without rows count as clean). */
  readonly stacks: readonly string[];
  readonly generatedAt: string;
}

/** Rule-id prefixes of the packs this project registers, longest first. */
const PACK_PREFIXES = [
  'CloudFormation-Validate',
  'cdk-validator-cfnguard',
  'NIST.800.53.R5',
  'HIPAA.Security',
  'PCI.DSS.321',
  'AwsSolutions',
  'MultiRegion',
];

/**
 * The pack a rule id belongs to (`HIPAA.Security-RDSInBackupPlan` ->
 * `HIPAA.Security`; `CloudFormation-Validate::F3002` is aws-cdk-lib's own
 * template validator).
 */
export function packOf(ruleId: string): string {
  return (
    PACK_PREFIXES.find((p) => ruleId.startsWith(`${p}::`) || ruleId.startsWith(`${p}-`)) ??
    ruleId.split(/::|-/)[0]
  );
}

interface ValidationReportFile {
  pluginReports?: {
    pluginName: string;
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
      Metadata?: {
        'aws:cdk:path'?: string;
        cdk_nag?: { rules_to_suppress?: { id: string; reason: string }[] };
      };
    }
  >;
  Outputs?: Record<string, { Value?: unknown }>;
}

/** Reads a cloud assembly directory into a report. Throws with the path when it is not one. */
export function readComplianceReport(
  assemblyDir: string,
  options: { readonly registeredPacks?: readonly string[]; readonly now?: Date } = {},
): ComplianceReport {
  const reportPath = path.join(assemblyDir, 'validation-report.json');
  if (!fs.existsSync(assemblyDir) || !fs.existsSync(path.join(assemblyDir, 'manifest.json'))) {
    throw new Error(
      `${assemblyDir} is not a cloud assembly (no manifest.json): run 'npx cdk synth --no-lookups' first`,
    );
  }
  const rows: ComplianceRow[] = [];
  const packs = new Set<string>(options.registeredPacks ?? []);
  const stacks: string[] = [];
  if (fs.existsSync(reportPath)) {
    const validation = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as ValidationReportFile;
    for (const plugin of validation.pluginReports ?? []) {
      packs.add(plugin.pluginName);
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
            stack: place.split('/')[0],
            resourcePath: place,
            status: 'open',
            reason: violation.description ?? '',
          });
        }
      }
    }
  }
  let facts: ComplianceFacts | undefined;
  for (const file of fs
    .readdirSync(assemblyDir)
    .filter((f) => f.endsWith('.template.json'))
    .sort()) {
    const template = JSON.parse(
      fs.readFileSync(path.join(assemblyDir, file), 'utf8'),
    ) as TemplateFile;
    const stackName = file.replace(/\.template\.json$/, '');
    stacks.push(stackName);
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      for (const ack of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
        const pack = packOf(ack.id);
        packs.add(pack);
        rows.push({
          pack,
          rule: ack.id,
          level: '',
          stack: stackName,
          resourcePath: resource.Metadata?.['aws:cdk:path'] ?? `${stackName}/${logicalId}`,
          status: 'acknowledged',
          reason: ack.reason,
        });
      }
    }
    const factsOutput = template.Outputs?.ComplianceFacts?.Value;
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
    packs: [...packs].sort(),
    stacks,
    generatedAt: (options.now ?? new Date()).toISOString(),
  };
}

const CSV_COLUMNS: (keyof ComplianceRow)[] = [
  'pack',
  'rule',
  'level',
  'stack',
  'resourcePath',
  'status',
  'reason',
];

/** RFC 4180 CSV, one row per finding or acknowledgement. */
export function renderCsv(report: ComplianceReport): string {
  const cell = (value: string) =>
    /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  const header = ['pack', 'rule', 'level', 'stack', 'resource path', 'status', 'reason'].join(',');
  return (
    [
      header,
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

function countBy(report: ComplianceReport, key: 'pack' | 'stack'): [string, number, number][] {
  const { rows } = report;
  // Packs and stacks with nothing to report are listed too: a clean result is a result.
  const counts = new Map<string, [number, number]>(
    (key === 'pack' ? report.packs : report.stacks).map((name) => [name, [0, 0]]),
  );
  for (const row of rows) {
    const [open, acked] = counts.get(row[key]) ?? [0, 0];
    counts.set(row[key], row.status === 'open' ? [open + 1, acked] : [open, acked + 1]);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, [o, a]]) => [k, o, a]);
}

/** One self-contained HTML page (inline CSS, no scripts, no external assets). */
export function renderHtml(report: ComplianceReport): string {
  const open = report.rows.filter((r) => r.status === 'open');
  const acked = report.rows.filter((r) => r.status === 'acknowledged');
  const verdict = open.length === 0;
  const facts = report.facts;
  const seconds = (s: number) => (s >= 60 ? `${s} s (${+(s / 60).toFixed(2)} min)` : `${s} s`);
  const totals = (key: 'pack' | 'stack', title: string) => `
    <h2>${title}</h2>
    <table><thead><tr><th>${key === 'pack' ? 'Pack' : 'Stack'}</th><th class="num">Open</th><th class="num">Acknowledged</th></tr></thead><tbody>
    ${countBy(report, key)
      .map(
        ([name, o, a]) =>
          `<tr><td>${escapeHtml(name)}</td><td class="num${o > 0 ? ' bad' : ''}">${o}</td><td class="num">${a}</td></tr>`,
      )
      .join('')}
    </tbody></table>`;
  const rowsTable = (rows: readonly ComplianceRow[], reasonTitle: string) =>
    rows.length === 0
      ? '<p class="muted">None.</p>'
      : `<table class="findings"><thead><tr><th>Rule</th><th>Resource</th><th>${reasonTitle}</th></tr></thead><tbody>
    ${rows
      .map(
        (r) =>
          `<tr><td><code>${escapeHtml(r.rule)}</code><div class="muted">${escapeHtml(r.pack)}</div></td>` +
          `<td><code>${escapeHtml(r.resourcePath)}</code></td><td>${escapeHtml(r.reason)}</td></tr>`,
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
  .num { text-align: right; width: 120px; } .bad { color: #a40e26; font-weight: 600; } .good { color: #116329; font-weight: 600; }
  code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
  .muted { color: #59636e; font-size: 13px; } .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
  .findings td:nth-child(1) { width: 28%; } .findings td:nth-child(2) { width: 32%; }
</style></head>
<body><main>
<h1>Compliance report: multi-region reference infrastructure</h1>
<div class="muted">Generated ${escapeHtml(report.generatedAt)} from <code>cdk.out/validation-report.json</code> and the synthesized templates. Packs: ${report.packs.map(escapeHtml).join(', ')}.</div>
<div class="verdict ${verdict ? 'pass' : 'fail'}">${verdict ? 'PASS: no open findings' : `FAIL: ${open.length} open finding${open.length === 1 ? '' : 's'}`} · ${acked.length} acknowledged</div>
<h2>Multi-region facts</h2>
${factsTable}
<div class="grid"><div>${totals('pack', 'Totals per pack')}</div><div>${totals('stack', 'Totals per stack')}</div></div>
<h2>Open findings</h2>
${rowsTable(open, 'What is wrong')}
<h2>Acknowledgements</h2>
<p class="muted">Each acknowledgement is on the specific resource, with the reason the finding does not apply or cannot be fixed.</p>
${rowsTable(acked, 'Reason')}
</main></body></html>
`;
}
