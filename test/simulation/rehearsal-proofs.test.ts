// Proof that a rehearsal can fail: defects put into a copy of the synthesized assembly (template
// edits, as a wrong construct prop would synthesize them) change what the rehearsal reports, and
// a rehearsal follows the topology the assembly holds. Nothing here types a topology: regions,
// names and settings come from the assembly.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MANAGED_RPO_PARAMETER } from '../../constructs/managed-rpo-policy';
import { topologyFromOutputs } from '../../runbooks/drill/discovery';
import type { DrillRecord } from '../../runbooks/drill/record';
import { SimulatedDeployment, type DeployedResource } from '../../runbooks/simulation/deployment';
import { runRehearsal } from '../../runbooks/simulation/rehearsal';
import {
  DEFAULT_ASSUMPTIONS,
  type RehearsalResult,
  type Scenario,
} from '../../runbooks/simulation/scenario';
import { DEFAULT_TIMING } from '../../runbooks/drill/model';
import { scenarioNamed } from '../../runbooks/simulation/scenarios';
import { assemblyDir } from '../deployed-app';
import { drillDirOf, recordIn, rehearseCli } from '../runbooks/rehearse-helpers';
import { EXIT_CODES } from '../../runbooks/drill/errors';

// Each rehearsal takes up to a few seconds of wall time; a busy 2-core CI machine needs more
// than jest's 5 s default (the speed target lives in npm run bench:rehearse).
jest.setTimeout(60_000);

/** How often the drill polls Aurora (wait-writer), by default. */
const POLL_MS = DEFAULT_TIMING.pollIntervalMs;

const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

function builtIn(name: string): Scenario {
  const scenario = scenarioNamed(name);
  if (!scenario) throw new Error(`no built-in scenario ${name}`);
  return scenario;
}

async function rehearse(dir: string, scenario: Scenario): Promise<RehearsalResult> {
  return runRehearsal(SimulatedDeployment.fromAssembly(dir), {
    assemblyDir: dir,
    stateDir: tempDir('rehearsal-state-'),
    scenario,
  });
}

function topologyOf(dir: string) {
  return topologyFromOutputs(SimulatedDeployment.fromAssembly(dir).outputsFile(), dir);
}

/**
 * A copy of the assembly in `source` where `edit` changed the raw template resources that
 * `pick` chooses among the deployed ones (found with their properties resolved).
 */
function editedCopy(
  source: string,
  type: string,
  pick: (r: DeployedResource) => boolean,
  edit: (properties: Record<string, unknown>) => void,
): { dir: string; edited: DeployedResource[] } {
  const dir = path.join(tempDir('edited-assembly-'), 'cdk.out');
  fs.cpSync(source, dir, { recursive: true });
  const edited = SimulatedDeployment.fromAssembly(source).resources(type).filter(pick);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { properties?: { templateFile?: string } }>;
  };
  for (const stack of new Set(edited.map((r) => r.stack))) {
    const file = path.join(dir, manifest.artifacts[stack].properties!.templateFile!);
    const template = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      Resources: Record<string, { Properties: Record<string, unknown> }>;
    };
    for (const r of edited.filter((x) => x.stack === stack)) {
      edit(template.Resources[r.logicalId].Properties);
    }
    fs.writeFileSync(file, JSON.stringify(template, null, 1));
  }
  return { dir, edited };
}

const verdict = (result: RehearsalResult, objective: string) =>
  result.verdicts.find((v) => v.objective === objective);

function recordOf(result: RehearsalResult): DrillRecord {
  return JSON.parse(
    fs.readFileSync(path.join(result.stateDir, result.drillId, 'record.json'), 'utf8'),
  ) as DrillRecord;
}

describe('managed RPO on the only secondary (a template edit)', () => {
  /** The copy whose only secondary's cluster parameter group sets rds.global_db_rpo. */
  function managedRpoOnTheSecondary() {
    const source = assemblyDir();
    const topology = topologyOf(source);
    const secondaries = topology.regions.filter((r) => r.role === 'secondary');
    expect(secondaries).toHaveLength(1);
    const { dir, edited } = editedCopy(
      source,
      'AWS::RDS::DBClusterParameterGroup',
      (g) => g.properties.DBClusterParameterGroupName === secondaries[0].clusterParameterGroupName,
      (p) => {
        p.Parameters = {
          ...(p.Parameters as object),
          [MANAGED_RPO_PARAMETER]: String(topology.rpoSeconds),
        };
      },
    );
    expect(edited).toHaveLength(1);
    return { source, dir, topology, secondary: secondaries[0] };
  }

  /**
   * The built-in region outage, where Aurora's promotion ends between two of the drill's polls
   * (half a poll interval later than the default): a real promotion ends whenever it ends, so
   * wait-writer sees the new writer up to a poll interval late, and align-rpo clears the RPO
   * only then.
   */
  function outageBetweenPolls(): Scenario {
    const outage = builtIn('region-outage');
    return {
      ...outage,
      name: 'region-outage-between-polls',
      assumptions: { promotionMs: DEFAULT_ASSUMPTIONS.promotionMs + POLL_MS / 2 },
    };
  }

  test('GIVEN the copy WHEN the writer region fails THEN the rehearsal reports the new writer blocking every commit with no secondary to satisfy its RPO until the drill cleared it; the unedited assembly meets it', async () => {
    const { source, dir, secondary, topology } = managedRpoOnTheSecondary();
    const scenario = outageBetweenPolls();

    const unedited = await rehearse(source, scenario);
    const defective = await rehearse(dir, scenario);

    expect(defective.targetRegion).toBe(secondary.region);
    const found = verdict(defective, 'managed RPO')!;
    expect(found.met).toBe(false);
    // From the promotion (Aurora: request + promotionMs) to the drill's clearing in align-rpo.
    const record = recordOf(defective);
    const promoted =
      Date.parse(record.measures.promotion!.requestedAt!) + scenario.assumptions!.promotionMs!;
    const cleared = Date.parse(record.steps.find((x) => x.id === 'align-rpo')!.finishedAt!);
    expect(found.measuredMs).toBeGreaterThan(0);
    expect(found.measuredMs).toBe(cleared - promoted);
    expect(found.line).toBe(
      `managed RPO: commits on ${secondary.region} blocked ${found.measuredMs! / 1000} s with no secondary able to satisfy ${MANAGED_RPO_PARAMETER}=${topology.rpoSeconds} (set in ${secondary.clusterParameterGroupName}): missed`,
    );
    expect(record.rehearsal?.findings?.unsatisfiableRpo).toEqual([
      expect.objectContaining({
        region: secondary.region,
        rpoSeconds: topology.rpoSeconds,
        ms: found.measuredMs,
      }),
    ]);
    expect(defective.passed).toBe(false);
    // The reports carry the same line.
    for (const file of ['report.md', 'report.html']) {
      expect(
        fs.readFileSync(path.join(defective.stateDir, defective.drillId, file), 'utf8'),
      ).toContain(found.line);
    }
    // The drill limited the damage: writes resumed once it cleared the RPO.
    expect(defective.measures.writesResumed).toBe(true);

    expect(verdict(unedited, 'managed RPO')).toEqual({
      objective: 'managed RPO',
      measuredMs: 0,
      objectiveMs: 0,
      met: true,
      line: `managed RPO: commits blocked 0 s with no secondary able to satisfy ${MANAGED_RPO_PARAMETER}: met`,
    });
    expect(unedited.passed).toBe(true);
  });

  test('GIVEN the copy WHEN `drill rehearse --scenario-file` runs that outage THEN it prints the managed RPO verdict missed and exits REHEARSAL_MISSED', async () => {
    const { dir, secondary, topology } = managedRpoOnTheSecondary();
    const scenario = outageBetweenPolls();
    const stateDir = tempDir('rehearsal-state-');
    const file = path.join(stateDir, 'scenario.json');
    fs.writeFileSync(file, JSON.stringify(scenario));

    const run = await rehearseCli([
      'rehearse',
      '--assembly',
      dir,
      '--scenario-file',
      file,
      '--state-dir',
      stateDir,
    ]);

    expect(run.code).toBe(EXIT_CODES.REHEARSAL_MISSED);
    const windows = recordIn(drillDirOf(stateDir, scenario.name)).rehearsal!.findings!
      .unsatisfiableRpo;
    expect(windows).toHaveLength(1);
    expect(windows[0].ms).toBeGreaterThan(0);
    expect(run.stdout).toContain(
      `\n  managed RPO: commits on ${secondary.region} blocked ${windows[0].ms / 1000} s with no secondary able to satisfy ${MANAGED_RPO_PARAMETER}=${topology.rpoSeconds} (set in ${secondary.clusterParameterGroupName}): missed\n`,
    );
  });

  test('GIVEN the copy WHEN the built-in region outage is rehearsed THEN the rehearsal reports the finding and the record shows the drill clearing the RPO the template set on the new writer', async () => {
    const { dir, secondary, topology } = managedRpoOnTheSecondary();

    const result = await rehearse(dir, builtIn('region-outage'));

    // The drill cleared it as soon as it saw the promotion: the finding stands at 0 s.
    expect(verdict(result, 'managed RPO')!.line).toBe(
      `managed RPO: commits on ${secondary.region} blocked 0 s with no secondary able to satisfy ${MANAGED_RPO_PARAMETER}=${topology.rpoSeconds} (set in ${secondary.clusterParameterGroupName}): missed`,
    );
    const align = recordOf(result).steps.find((x) => x.id === 'align-rpo');
    expect(align?.status).toBe('completed');
    expect(align?.summary).toContain(
      `managed RPO: ${secondary.region} does not enforce (cleared, was ${topology.rpoSeconds} s)`,
    );
  });
});

describe('routed records with TTL 300 instead of 60 (a template edit)', () => {
  /** `drill rehearse --assembly <dir> --scenario region-outage --json`, as a user types it. */
  async function regionOutageJson(dir: string): Promise<RehearsalResult> {
    const run = await rehearseCli([
      'rehearse',
      '--assembly',
      dir,
      '--scenario',
      'region-outage',
      '--json',
      '--state-dir',
      tempDir('rehearsal-state-'),
    ]);
    expect(run.stderr).toBe('');
    const results = JSON.parse(run.stdout) as RehearsalResult[];
    expect(results).toHaveLength(1);
    return results[0];
  }

  test('GIVEN a copy whose every app. and write. record has TTL 300 WHEN the region outage is rehearsed with --json THEN the client write RTO is at least 240 s longer than on the unedited assembly', async () => {
    const source = assemblyDir();
    const topology = topologyOf(source);
    const routed = [topology.appHostname, topology.writeHostname].map((n) => `${n}.`);
    const { dir, edited } = editedCopy(
      source,
      'AWS::Route53::RecordSet',
      (r) => routed.includes(String(r.properties.Name)) && r.properties.Type === 'CNAME',
      (p) => {
        p.TTL = '300';
      },
    );

    const unedited = await regionOutageJson(source);
    const defective = await regionOutageJson(dir);

    // Every routed record had the TTL the topology publishes: 60 s -> 300 s is +240 s.
    expect(new Set(edited.map((r) => r.properties.Name))).toEqual(new Set(routed));
    expect(edited.map((r) => Number(r.properties.TTL))).toEqual(
      edited.map(() => topology.ttlSeconds),
    );
    expect(300 - topology.ttlSeconds).toBe(240);
    expect(unedited.measures.writesResumed).toBe(true);
    expect(defective.measures.writesResumed).toBe(true);
    expect(
      defective.measures.clientWriteRtoMs! - unedited.measures.clientWriteRtoMs!,
    ).toBeGreaterThanOrEqual(240_000);
  });
});

describe('the rehearsal follows the topology of the assembly (-c topology.secondaryRegions)', () => {
  test.each([[['us-east-1', 'us-west-2', 'us-east-2']], [['us-east-1', 'us-east-2', 'us-west-2']]])(
    'GIVEN secondaries %j THEN the region outage fails over from the primary to the first secondary of the assembly',
    async (regions) => {
      const dir = assemblyDir(regions);
      const topology = topologyOf(dir);

      const result = await rehearse(dir, builtIn('region-outage'));

      const secondaries = topology.regions.filter((r) => r.role === 'secondary');
      expect(topology.regions.map((r) => r.region)).toEqual(regions);
      expect(result.fromRegion).toBe(topology.primaryRegion);
      expect(result.targetRegion).toBe(secondaries[0].region);
      expect(recordOf(result).targetRegion).toBe(secondaries[0].region);
      expect(result.measures.writesResumed).toBe(true);
    },
  );
});
