/**
 * Evidence of what the compliance packs checked, written next to the templates.
 *
 * `validation-report.json` lists only plugins that reported something, so a clean
 * pack and a pack that never ran look the same there. Each registered plugin is
 * wrapped so that, while it validates, it records how many rules it evaluated on
 * how many resources, each rule's level and the control ids its pack gives.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CfnResource,
  CloudFormationValidatePlugin,
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
} from 'aws-cdk-lib';
import { IApplyRule, NagMessageLevel, NagPack } from 'cdk-nag';

/** File written into the cloud assembly directory. */
export const EVIDENCE_FILE = 'compliance-evidence.json';

/** One rule a pack evaluated. */
export interface RuleEvidence {
  /** Rule id without a finding suffix (`HIPAA.Security-RDSInBackupPlan`). */
  readonly id: string;
  readonly level: 'error' | 'warning';
  /** Control ids the pack gives in the rule's description (NIST, HIPAA, PCI). */
  readonly controls: readonly string[];
}

/** What one plugin checked during this synth. */
export interface PackEvidence {
  readonly name: string;
  readonly version?: string;
  /** Distinct rules evaluated; absent when the engine does not list its rules. */
  readonly rulesEvaluated?: number;
  readonly resourcesChecked: number;
  readonly rules: readonly RuleEvidence[];
}

/** The resolved topology, as the synth saw it. */
export interface TopologyEvidence {
  /** Canonical JSON (keys sorted, durations in seconds). */
  readonly json: string;
  readonly sha256: string;
}

export interface ComplianceEvidence {
  readonly packs: readonly PackEvidence[];
  readonly topology?: TopologyEvidence;
}

/**
 * Control ids from a cdk-nag rule description: `... - (Control IDs: AC-4(21), SC-7).`
 * gives `['AC-4(21)', 'SC-7']`; AwsSolutions rules give none.
 */
export function controlIdsOf(info: string): string[] {
  const start = info.search(/\(Control IDs?: /);
  if (start < 0) return [];
  const body = info.slice(info.indexOf(':', start) + 2);
  // The list ends at the parenthesis that closes "(Control ID...", ids carry their own.
  let depth = 0;
  let end = 0;
  for (; end < body.length; end++) {
    if (body[end] === '(') depth++;
    else if (body[end] === ')' && depth-- === 0) break;
  }
  return body
    .slice(0, end)
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
}

function canonicalJson(value: unknown): string {
  const normalize = (v: unknown): unknown => {
    if (
      v &&
      typeof v === 'object' &&
      typeof (v as { toSeconds?: unknown }).toSeconds === 'function'
    ) {
      return `${(v as { toSeconds: () => number }).toSeconds()}s`;
    }
    if (Array.isArray(v)) return v.map(normalize);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, normalize((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(normalize(value));
}

/** The topology's canonical JSON and its SHA-256, for the report's provenance block. */
export function topologyEvidence(topology: unknown): TopologyEvidence {
  const json = canonicalJson(topology);
  return { json, sha256: createHash('sha256').update(json).digest('hex') };
}

function resourcesInTemplates(context: IPolicyValidationContext): number {
  return context.templatePaths.reduce((sum, file) => {
    const template = JSON.parse(fs.readFileSync(file, 'utf8')) as { Resources?: object };
    return sum + Object.keys(template.Resources ?? {}).length;
  }, 0);
}

/** Collects evidence from wrapped plugins and rewrites the evidence file after each one. */
export class EvidenceRecorder {
  private readonly packs = new Map<string, PackEvidence>();

  /**
   * @param outdir the cloud assembly directory (`app.outdir`)
   * @param topology the resolved topology, hashed into the evidence
   */
  constructor(
    private readonly outdir: string,
    private readonly topology?: unknown,
  ) {}

  /** Wraps a plugin so that its validation is recorded. */
  wrap(plugin: IPolicyValidationPlugin): IPolicyValidationPlugin {
    if (plugin instanceof NagPack) return this.wrapNagPack(plugin);
    return {
      name: plugin.name,
      version: plugin.version,
      ruleIds: plugin.ruleIds,
      validate: (context) => {
        const report = plugin.validate(context);
        this.record({
          name: plugin.name,
          version: plugin.version,
          rulesEvaluated: plugin.ruleIds?.length,
          resourcesChecked: resourcesInTemplates(context),
          rules: [],
        });
        return report;
      },
    };
  }

  /**
   * aws-cdk-lib's built-in template validator, recorded. Registering it replaces the
   * default instance (aws-cdk-lib checks `instanceof CloudFormationValidatePlugin`);
   * its engine lists no rules, so only the resources it read are counted.
   */
  builtinValidator(): CloudFormationValidatePlugin {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const recorder = this;
    return new (class extends CloudFormationValidatePlugin {
      validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
        const report = super.validate(context);
        recorder.record({
          name: this.name,
          version: this.version,
          resourcesChecked: resourcesInTemplates(context),
          rules: [],
        });
        return report;
      }
    })();
  }

  private wrapNagPack(pack: NagPack): NagPack {
    const rules = new Map<string, RuleEvidence>();
    let resources = 0;
    // cdk-nag 3 calls checkResource once per CfnResource and applyRule once per rule
    // and resource: counting both is counting what the pack evaluated.
    const target = pack as unknown as {
      applyRule(params: IApplyRule): void;
      checkResource(node: CfnResource): void;
      validate(context: IPolicyValidationContext): PolicyValidationPluginReport;
      packName: string;
    };
    const applyRule = target.applyRule.bind(pack);
    const checkResource = target.checkResource.bind(pack);
    const validate = target.validate.bind(pack);
    target.applyRule = (params) => {
      const id = `${target.packName}-${params.ruleSuffixOverride ?? params.rule.name}`;
      if (!rules.has(id)) {
        rules.set(id, {
          id,
          level: params.level === NagMessageLevel.ERROR ? 'error' : 'warning',
          controls: controlIdsOf(params.info),
        });
      }
      applyRule(params);
    };
    target.checkResource = (node) => {
      resources++;
      checkResource(node);
    };
    target.validate = (context) => {
      rules.clear();
      resources = 0;
      const report = validate(context);
      this.record({
        name: pack.name,
        version: pack.version,
        rulesEvaluated: rules.size,
        resourcesChecked: resources,
        rules: [...rules.values()].sort((a, b) => a.id.localeCompare(b.id)),
      });
      return report;
    };
    return pack;
  }

  private record(evidence: PackEvidence): void {
    this.packs.set(evidence.name, evidence);
    const file: ComplianceEvidence = {
      packs: [...this.packs.values()],
      topology: this.topology === undefined ? undefined : topologyEvidence(this.topology),
    };
    fs.mkdirSync(this.outdir, { recursive: true });
    fs.writeFileSync(path.join(this.outdir, EVIDENCE_FILE), JSON.stringify(file, undefined, 2));
  }
}
