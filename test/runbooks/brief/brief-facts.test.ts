import {
  COMPLIANCE_FACTS_OUTPUT_KEY,
  DRILL_OUTPUT_KEYS,
  ROUTE53_HOME_REGION,
  type DrillRoutingOutput,
} from '../../../constructs/contract';
import { readComplianceReport, type ComplianceFacts } from '../../../constructs/nag/report';
import { briefMarkdown, secondsText } from '../../../runbooks/brief/brief';
import { readArchitectureFacts, type ArchitectureFacts } from '../../../runbooks/brief/facts';
import { SimulatedDeployment } from '../../../runbooks/simulation/deployment';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assemblyDir, deployedApp } from '../../deployed-app';

const THREE_REGIONS = ['us-east-1', 'us-west-2', 'us-east-2'];
const HEADLESS = { 'topology.readersByRegion': '{"us-west-2":0}' };

const TOPOLOGIES: [string, () => SimulatedDeployment, string][] = [
  ['the default two regions', () => deployedApp(), assemblyDir()],
  ['three regions', () => deployedApp(THREE_REGIONS), assemblyDir(THREE_REGIONS)],
  [
    'a headless secondary',
    () => deployedApp(undefined, HEADLESS),
    assemblyDir(undefined, HEADLESS),
  ],
];

/** The one stack's output `key`, parsed. */
function published<T>(deployment: SimulatedDeployment, key: string): T {
  const file = deployment.outputsFile();
  const stacks = Object.keys(file).filter((s) => file[s][key] !== undefined);
  expect(stacks).toHaveLength(1);
  return JSON.parse(file[stacks[0]][key]) as T;
}

const facts = new Map<string, ArchitectureFacts>();
beforeAll(async () => {
  for (const [name, deployment] of TOPOLOGIES) {
    facts.set(name, await readArchitectureFacts(deployment()));
  }
}, 300_000);

describe.each(TOPOLOGIES)('the facts of %s', (name, deployment, assembly) => {
  test('GIVEN the synthesized app WHEN the facts are read THEN the objectives, floors, RPO and TTL are the ones DrillRouting and ComplianceFacts publish, and the brief prints them', () => {
    const routing = published<DrillRoutingOutput>(deployment(), DRILL_OUTPUT_KEYS.routing);
    const compliance = published<ComplianceFacts>(deployment(), COMPLIANCE_FACTS_OUTPUT_KEY);
    const f = facts.get(name)!;

    expect(f.routing).toEqual({
      hostedZoneId: routing.hostedZoneId,
      appHostname: routing.appHostname,
      writeHostname: routing.writeHostname,
      ttlSeconds: routing.ttlSeconds,
      rpoSeconds: routing.rpoSeconds,
      rtoSeconds: routing.rtoSeconds,
      rtoFloorSeconds: routing.rtoFloorSeconds,
      readRtoFloorSeconds: routing.readRtoFloorSeconds,
      writeRtoFloorSeconds: routing.writeRtoFloorSeconds,
      promotionEstimateSeconds: routing.promotionEstimateSeconds,
    });
    expect(f.rtoFloors).toEqual(compliance.rtoFloors);
    expect(f.mode).toBe(compliance.mode);
    expect(f.allowedRegions).toEqual(compliance.allowedRegions);
    expect(f.regions).toEqual(routing.regions);
    const brief = briefMarkdown(f);
    for (const figure of [
      routing.rtoFloorSeconds,
      routing.readRtoFloorSeconds,
      routing.writeRtoFloorSeconds,
      routing.rpoSeconds,
      routing.ttlSeconds,
    ]) {
      expect(brief).toContain(secondsText(figure));
    }
    expect(brief).toContain(
      `| Computed RTO floor | ${secondsText(routing.rtoFloorSeconds)}: reads ${secondsText(routing.readRtoFloorSeconds)}, writes ${secondsText(routing.writeRtoFloorSeconds)} |`,
    );
  });

  test("GIVEN the published floors WHEN their parts are read THEN they add up to DrillRouting's floor of each path, and the brief's floor table shows them", () => {
    const routing = published<DrillRoutingOutput>(deployment(), DRILL_OUTPUT_KEYS.routing);
    const { read, write } = facts.get(name)!.rtoFloors!;

    for (const [floor, total] of [
      [read, routing.readRtoFloorSeconds],
      [write, routing.writeRtoFloorSeconds],
    ] as const) {
      expect(floor.totalSeconds).toBe(total);
      expect(
        floor.promotionSeconds +
          floor.detectionSeconds +
          floor.signalStalenessSeconds +
          floor.dnsTtlSeconds,
      ).toBe(total);
      expect(floor.detectionSeconds).toBe(
        floor.healthCheckIntervalSeconds * floor.failureThreshold,
      );
      expect(floor.dnsTtlSeconds).toBe(floor.ttlSeconds * floor.hops);
      expect(floor.ttlSeconds).toBe(routing.ttlSeconds);
    }
    expect(write.promotionSeconds).toBe(routing.promotionEstimateSeconds);
    expect(briefMarkdown(facts.get(name)!)).toContain(
      `| Writes | ${write.promotionSeconds} s | ${write.detectionSeconds} s (${write.healthCheckIntervalSeconds} s × ${write.failureThreshold}) | ${write.signalStalenessSeconds} s | ${write.dnsTtlSeconds} s (${write.ttlSeconds} s × ${write.hops}) | **${secondsText(write.totalSeconds)}** |`,
    );
  });

  test('GIVEN the templates WHEN the facts are read THEN every Route 53 record and health check they create is there, and the brief has a row for each', () => {
    const d = deployment();
    const f = facts.get(name)!;
    const brief = briefMarkdown(f);
    const records = d.resources('AWS::Route53::RecordSet');
    const checks = d.resources('AWS::Route53::HealthCheck');

    expect(records.length).toBeGreaterThan(0);
    expect(
      f.records.map((r) => `${r.name}. ${r.setIdentifier ?? ''} ${r.healthCheckId ?? ''}`).sort(),
    ).toEqual(
      records
        .map(
          (r) =>
            `${String(r.properties.Name)} ${String(r.properties.SetIdentifier ?? '')} ${String(r.properties.HealthCheckId ?? '')}`,
        )
        .sort(),
    );
    for (const r of f.records) {
      expect(r.ttlSeconds).toBe(f.routing.ttlSeconds);
      expect(brief).toContain(`| \`${r.name}\` | ${r.type} | ${r.ttlSeconds} s |`);
    }
    expect(checks.length).toBeGreaterThan(0);
    for (const c of checks) {
      expect(f.healthChecks.map((h) => h.id)).toContain(c.physicalId);
    }
    // Every check a record or a calculated check names is described (ARC creates its own).
    const described = new Set(f.healthChecks.map((h) => h.id));
    for (const id of [
      ...f.records.flatMap((r) => (r.healthCheckId ? [r.healthCheckId] : [])),
      ...f.healthChecks.flatMap((h) => h.children),
    ]) {
      expect(described).toContain(id);
    }
    expect(f.healthChecks.filter((h) => h.role === 'other')).toEqual([]);
    expect(
      brief
        .split('\n')
        .filter((l) => /^\| `[a-z0-9-]+` \| (serving|writer|write gate|ARC)/.test(l)),
    ).toHaveLength(f.healthChecks.filter((h) => h.region).length);
  });

  test('GIVEN DrillRouting.healthChecks WHEN the facts are read THEN each published id has its role and region, and HTTPS checks carry their FQDN, path, interval and threshold', () => {
    const routing = published<DrillRoutingOutput>(deployment(), DRILL_OUTPUT_KEYS.routing);
    const f = facts.get(name)!;
    const byId = new Map(f.healthChecks.map((h) => [h.id, h]));

    for (const [region, ids] of Object.entries(routing.healthChecks)) {
      if (ids.serving) expect(byId.get(ids.serving)).toMatchObject({ role: 'serving', region });
      expect(byId.get(ids.writer)).toMatchObject({
        role: 'writer',
        region,
        type: 'HTTPS',
        fqdn: f.services.find((s) => s.region === region)!.regionalHostname,
        intervalSeconds: f.rtoFloors!.write.healthCheckIntervalSeconds,
        failureThreshold: f.rtoFloors!.write.failureThreshold,
        inverted: false,
      });
      // ARC's own checks of the region, one per plan that holds it, named by their plan.
      const plans = f.regionSwitchPlans.filter(
        (p) => p.primaryRegion === region || p.targetRegion === region,
      );
      expect(
        f.healthChecks
          .filter((h) => h.role === 'ARC Region switch' && h.region === region)
          .map((h) => h.planName)
          .sort(),
      ).toEqual(plans.map((p) => p.planName).sort());
      if (ids.writeGate) {
        expect(byId.get(ids.writeGate)).toMatchObject({ role: 'write gate', type: 'CALCULATED' });
        expect(byId.get(ids.writeGate)!.children).toContain(ids.writer);
      }
    }
  });

  test('GIVEN each DrillDatabase WHEN the facts are read THEN role, cluster, writer endpoint and RPO are the published ones, with the instances and managed RPO of the templates', () => {
    const d = deployment();
    const f = facts.get(name)!;
    const file = d.outputsFile();
    const published = Object.values(file)
      .filter((o) => o[DRILL_OUTPUT_KEYS.database] !== undefined)
      .map((o) => JSON.parse(o[DRILL_OUTPUT_KEYS.database]) as Record<string, unknown>);

    expect(f.databases.map((db) => db.region)).toEqual(f.regions);
    for (const db of f.databases) {
      const out = published.find((p) => p.region === db.region)!;
      expect(db).toMatchObject({
        role: out.role,
        clusterIdentifier: out.clusterIdentifier,
        rpoSeconds: out.rpoSeconds,
        clusterParameterGroupName: out.clusterParameterGroupName,
      });
      expect(db.globalWriterEndpoint).toBe(out.globalWriterEndpoint);
      const instances = d
        .resources('AWS::RDS::DBInstance')
        .filter((r) => r.properties.DBClusterIdentifier === db.clusterIdentifier);
      expect(db.instances.map((i) => i.identifier).sort()).toEqual(
        instances.map((r) => String(r.properties.DBInstanceIdentifier)).sort(),
      );
      const group = d
        .resources('AWS::RDS::DBClusterParameterGroup')
        .find((r) => r.physicalId === db.clusterParameterGroupName)!;
      const parameters = group.properties.Parameters as Record<string, string>;
      expect(db.managedRpoSeconds).toBe(
        parameters['rds.global_db_rpo'] === undefined
          ? undefined
          : Number(parameters['rds.global_db_rpo']),
      );
    }
    expect(f.databases.filter((db) => db.globalWriterEndpoint)).toHaveLength(1);
  });

  test('GIVEN the assembly WHEN residency is read THEN it is what the compliance report reads, and the brief names every region holding customer data and every region holding anything', () => {
    const f = facts.get(name)!;
    const brief = briefMarkdown(f);

    expect(f.residency).toEqual(readComplianceReport(assembly).residency);
    const data = f.residency.filter((r) => r.customerData.length > 0).map((r) => r.region);
    expect(data.sort()).toEqual([...f.regions].sort());
    const line = brief.split('\n').find((l) => l.startsWith('- Customer data is stored in'))!;
    for (const region of data) expect(line).toContain(`\`${region}\``);
    const anything = brief.split('\n').find((l) => l.startsWith('- Something'))!;
    for (const r of f.residency) expect(anything).toContain(`\`${r.region}\``);
    expect(f.routingRegion).toBe(ROUTE53_HOME_REGION);
    for (const r of f.residency) {
      const total = r.resources.reduce((n, t) => n + t.count, 0);
      expect(brief).toContain(
        `| \`${r.region}\` | ${r.customerData.join(', ')} | ${total} in ${r.stacks.length} stacks |`,
      );
    }
  });
});

describe('a headless secondary', () => {
  test('GIVEN us-west-2 with no readers WHEN the brief is written THEN its database is headless, it has no serving check or read record, and the brief says what that means for a failover', () => {
    const f = facts.get('a headless secondary')!;
    const brief = briefMarkdown(f);

    expect(f.databases.find((d) => d.region === 'us-west-2')).toMatchObject({
      headless: true,
      instances: [],
    });
    expect(f.databases.find((d) => d.region === 'us-east-1')!.headless).toBe(false);
    expect(f.healthChecks.filter((h) => h.region === 'us-west-2' && h.role === 'serving')).toEqual(
      [],
    );
    expect(
      f.records.filter((r) => r.latencyRegion === 'us-west-2' && r.name === f.routing.appHostname),
    ).toEqual([]);
    expect(brief).toContain(
      '- `us-west-2` is headless: it replicates storage but has no instance, so it serves no reads and cannot be promoted. Add an instance before failing over to it (`drill preflight` refuses it as a target).',
    );
    expect(brief).toContain('| `us-west-2` | secondary | **headless**: none |');
    expect(brief).toContain(
      '**Active-passive warm standby.** `us-east-1` answers every read and write; the other regions replicate the database and wait to take over.',
    );
  });

  test('GIVEN two serving regions WHEN the brief is written THEN the pattern is active-active reads with a single writer', () => {
    expect(briefMarkdown(facts.get('the default two regions')!)).toContain(
      '**Active-active reads with a single writer.** `us-east-1` and `us-west-2` all answer reads for the users nearest to them. Every write goes to one region, the writer (`us-east-1` as deployed).',
    );
  });
});

describe('the write chain with more than one secondary', () => {
  test("GIVEN three regions WHEN the brief is written THEN the write name's SECONDARY points at the standby name, whose latency records carry each secondary's write gate", () => {
    const f = facts.get('three regions')!;
    const brief = briefMarkdown(f);

    expect(brief).toContain(
      "| `write.example.com` | CNAME | 60 s | failover SECONDARY → `standby.write.example.com` | standby writers | Answers when the PRIMARY's check fails and its standby writers check is healthy; if both fail, Route 53 answers the PRIMARY. |",
    );
    for (const region of ['us-west-2', 'us-east-2']) {
      expect(brief).toContain(
        `| \`standby.write.example.com\` | CNAME | 60 s | latency \`${region}\` | write gate \`${region}\` | Drops out when its write gate \`${region}\` check fails; the nearest healthy region answers. |`,
      );
    }
  });
});

describe('managed RPO where it is enforced', () => {
  test('GIVEN two regions WHEN the brief is written THEN rds.global_db_rpo is enforced in the primary only, and the brief says why the secondary has none', () => {
    const f = facts.get('the default two regions')!;

    expect(f.databases.map((d) => [d.region, d.managedRpoSeconds])).toEqual([
      ['us-east-1', f.routing.rpoSeconds],
      ['us-west-2', undefined],
    ]);
    expect(briefMarkdown(f)).toContain(
      "- Managed RPO (`rds.global_db_rpo`) is enforced in `us-east-1`: there Aurora blocks commits when no secondary's lag is under it, so no more than that much is at risk. Not set in `us-west-2`: with no other healthy secondary to satisfy it, it would stop every commit after a failover; the drill sets and clears it as roles change.",
    );
  });

  test('GIVEN three regions WHEN the brief is written THEN every region enforces it', () => {
    const f = facts.get('three regions')!;

    expect(f.databases.map((d) => d.managedRpoSeconds)).toEqual(
      [30, 30, 30].map(() => f.routing.rpoSeconds),
    );
    expect(briefMarkdown(f)).toContain(
      "- Managed RPO (`rds.global_db_rpo`) is enforced in `us-east-1`, `us-west-2` and `us-east-2`: there Aurora blocks commits when no secondary's lag is under it, so no more than that much is at risk.\n",
    );
  });
});

describe('the routing region without customer data', () => {
  test('GIVEN data regions us-west-2 and us-east-2 WHEN the brief is written THEN us-east-1 holds the routing stack and no customer data, and is listed among the regions holding anything', async () => {
    const regions = ['us-west-2', 'us-east-2'];
    const f = await readArchitectureFacts(deployedApp(regions));
    const brief = briefMarkdown(f);

    expect(f.routingRegion).toBe(ROUTE53_HOME_REGION);
    const home = f.residency.find((r) => r.region === ROUTE53_HOME_REGION)!;
    expect(home.customerData).toEqual([]);
    expect(home.stacks.length).toBeGreaterThan(0);
    expect(brief).toContain('- Customer data is stored in `us-east-2` and `us-west-2`.\n');
    expect(brief).toContain(
      '- Something (data, configuration, keys, health checks, logs) is in `us-east-1`, `us-east-2` and `us-west-2`.\n',
    );
    expect(brief).toContain(
      '- `us-east-1` holds the routing stack (Route 53 health-check alarms, dashboard, plans) and no customer data.\n',
    );
    expect(brief).toContain(`| \`${ROUTE53_HOME_REGION}\` | none |`);
  }, 300_000);
});

describe('an assembly without the routing stack', () => {
  test('GIVEN the assembly with the routing stack left out of its manifest WHEN the facts are read THEN the error names the missing output and says to synthesize the whole app', async () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'brief-no-routing-'));
    try {
      fs.cpSync(assemblyDir(), copy, { recursive: true });
      const manifestFile = path.join(copy, 'manifest.json');
      const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {
        artifacts: Record<string, unknown>;
      };
      delete manifest.artifacts['MultiRegion-Routing'];
      fs.writeFileSync(manifestFile, JSON.stringify(manifest));

      await expect(readArchitectureFacts(SimulatedDeployment.fromAssembly(copy))).rejects.toThrow(
        new Error(
          "the assembly must have exactly one ComplianceFacts output (the routing stack's), found 0: synthesize the whole app (npx cdk synth --no-lookups)",
        ),
      );
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
