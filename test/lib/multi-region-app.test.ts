import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as rds from 'aws-cdk-lib/aws-rds';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MultiRegionChecks, serviceHostnames } from '../../constructs';
import { buildMultiRegionApp, MultiRegionStacks } from '../../lib/multi-region-app';
import { RoutingStack } from '../../lib/routing-stack';
import { loadTopology } from '../../lib/topology';
import { CDK_CONTEXT, nagFindings, stockPacks, testApp } from '../util';

function build(overrides: Record<string, unknown> = {}): { app: App; stacks: MultiRegionStacks } {
  const app = testApp(overrides);
  const topology = loadTopology((key) => app.node.tryGetContext(key));
  return { app, stacks: buildMultiRegionApp(app, topology) };
}

function allStacks(app: App): Stack[] {
  return app.node.children.filter((c): c is Stack => c instanceof Stack);
}

function countAcrossApp(app: App, type: string): number {
  return allStacks(app).reduce(
    (n, s) => n + Object.keys(Template.fromStack(s).findResources(type)).length,
    0,
  );
}

describe.each([
  ['two regions (defaults)', {}, ['us-east-1', 'us-west-2']],
  [
    'three regions',
    { 'topology.secondaryRegions': 'us-west-2,us-east-2' },
    ['us-east-1', 'us-west-2', 'us-east-2'],
  ],
])('the whole app with %s', (_name, overrides, regions) => {
  const { app, stacks } = build(overrides);

  test('THEN each region has foundation, database and service stacks, and one routing stack is in us-east-1', () => {
    const names = allStacks(app).map((s) => s.stackName);
    const expected = [
      ...regions.flatMap((r) => [
        `MultiRegion-Database-${r}`,
        `MultiRegion-Foundation-${r}`,
        `MultiRegion-Service-${r}`,
      ]),
      'MultiRegion-Routing',
    ];
    expect(names.sort()).toEqual(expected.sort());
    for (const { region, foundation, database, service } of stacks.regions) {
      expect([foundation.region, database.region, service.region]).toEqual([
        region,
        region,
        region,
      ]);
    }
    expect(stacks.routing.region).toBe('us-east-1');
  });

  test('THEN exactly one global cluster exists, in the primary region', () => {
    expect(countAcrossApp(app, 'AWS::RDS::GlobalCluster')).toBe(1);
    Template.fromStack(stacks.regions[0].database).resourceCountIs('AWS::RDS::GlobalCluster', 1);
  });

  test('THEN each region has one DB cluster and one KMS key', () => {
    for (const { foundation, database } of stacks.regions) {
      Template.fromStack(database).resourceCountIs('AWS::RDS::DBCluster', 1);
      Template.fromStack(foundation).resourceCountIs('AWS::KMS::Key', 1);
      Template.fromStack(foundation).hasResourceProperties('AWS::KMS::Alias', {
        AliasName: 'alias/multi-region-ref/data',
      });
    }
  });

  test('THEN every secondary joins by the fixed identifier, without a master user', () => {
    for (const { database } of stacks.regions.slice(1)) {
      Template.fromStack(database).hasResourceProperties('AWS::RDS::DBCluster', {
        GlobalClusterIdentifier: 'multi-region-ref-global',
        EngineVersion: '16.6',
        MasterUsername: Match.absent(),
        MasterUserPassword: Match.absent(),
      });
    }
  });

  test('THEN the secret is replicated to every secondary region', () => {
    const secret = Template.fromStack(stacks.regions[0].database).findResources(
      'AWS::SecretsManager::Secret',
    );
    const replicas = Object.values(secret).flatMap((s) =>
      (s.Properties.ReplicaRegions as { Region: string }[]).map((r) => r.Region),
    );
    expect(replicas).toEqual(regions.slice(1));
  });

  test('THEN the deploy order is foundations, primary database, secondary databases', () => {
    const [primary, ...secondaries] = stacks.regions;
    const deps = (s: Stack) => s.dependencies.map((d) => d.stackName).sort();
    expect(deps(primary.database)).toEqual(
      stacks.regions.map((r) => r.foundation.stackName).sort(),
    );
    for (const s of secondaries) {
      expect(deps(s.database)).toEqual([primary.database.stackName, s.foundation.stackName].sort());
    }
  });

  test('THEN references within a region are strong (Fn::ImportValue) and only the routing stack reads other regions, weakly (Fn::GetStackOutput, no custom resources)', () => {
    const crossRegionReads: string[] = [];
    for (const stack of allStacks(app)) {
      const template = JSON.stringify(Template.fromStack(stack).toJSON());
      // Strong cross-region references would need Lambda-backed ExportWriter/ExportReader.
      expect(template).not.toMatch(/Custom::(CrossRegion|Export)/);
      const weak = [
        ...template.matchAll(
          /"Fn::GetStackOutput":\{"StackName":"([^"]+)"(?:,"Region":"([^"]+)")?/g,
        ),
      ];
      for (const [, producer, region] of weak) {
        // No Region means the consumer's own region: a same-region weak reference.
        expect({ stack: stack.stackName, producer, region }).toEqual({
          stack: stacks.routing.stackName,
          producer: expect.stringMatching(/^MultiRegion-Service-/),
          region: expect.not.stringMatching(new RegExp(`^${stack.region}$`)),
        });
        crossRegionReads.push(producer);
      }
    }
    // Two API targets (app. and write.) of every region but the routing stack's own.
    expect(crossRegionReads.sort()).toEqual(
      regions
        .filter((r) => r !== 'us-east-1')
        .flatMap((r) => [`MultiRegion-Service-${r}`, `MultiRegion-Service-${r}`])
        .sort(),
    );
  });

  test("THEN the routing stack imports its own region's API targets and alarm topic strongly", () => {
    const imports = JSON.stringify(Template.fromStack(stacks.routing).toJSON()).match(
      /"Fn::ImportValue":"[^"]+"/g,
    );
    expect(imports?.some((i) => i.includes('MultiRegion-Service-us-east-1'))).toBe(true);
    expect(imports?.some((i) => i.includes('MultiRegion-Foundation-us-east-1'))).toBe(true);
  });

  test('THEN every routed record has TTL 60, a set identifier and a health check', () => {
    const records = Template.fromStack(stacks.routing).findResources('AWS::Route53::RecordSet');
    const routed = Object.values(records).filter(
      (r) => r.Properties.Failover || r.Properties.Region,
    );
    expect(routed.length).toBeGreaterThanOrEqual(4);
    for (const record of routed) {
      expect(record.Properties).toMatchObject({
        TTL: '60',
        SetIdentifier: expect.any(String),
        HealthCheckId: expect.anything(),
      });
    }
  });

  test('THEN every HTTPS health check polls every 10 s and fails after at most 3 misses', () => {
    const checks = Template.fromStack(stacks.routing).findResources('AWS::Route53::HealthCheck', {
      Properties: { HealthCheckConfig: { Type: 'HTTPS' } },
    });
    expect(Object.keys(checks)).toHaveLength(regions.length * 2);
    for (const check of Object.values(checks)) {
      expect(check.Properties.HealthCheckConfig.RequestInterval).toBe(10);
      expect(check.Properties.HealthCheckConfig.FailureThreshold).toBeLessThanOrEqual(3);
    }
  });

  test("THEN the write path's PRIMARY record uses the primary region's writer check", () => {
    const template = Template.fromStack(stacks.routing);
    const [primary] = Object.values(
      template.findResources('AWS::Route53::RecordSet', {
        Properties: { Name: 'write.example.com.', Failover: 'PRIMARY' },
      }),
    );
    const check = template.toJSON().Resources[primary.Properties.HealthCheckId.Ref];
    expect(check.Properties.HealthCheckConfig).toMatchObject({
      FullyQualifiedDomainName: 'us-east-1.app.example.com',
      ResourcePath: '/health/writer',
    });
  });

  test('THEN the routing stack publishes the read and write RTO floors (two hops on the write name with 2+ secondaries)', () => {
    const template = Template.fromStack(stacks.routing);
    template.hasOutput('*', {
      Value: '95',
      Description: Match.stringLikeRegexp('^Computed RTO floor, read path'),
    });
    template.hasOutput('*', {
      Value: regions.length > 2 ? '275' : '215',
      Description: Match.stringLikeRegexp(
        `^Computed RTO floor, write path: .* x ${regions.length > 2 ? '2 hops' : '1 hop'} = `,
      ),
    });
  });

  test('THEN every secondary has replication- and RPO-lag alarms at RPO/2 and RPO, each with actions', () => {
    for (const { database } of stacks.regions.slice(1)) {
      const template = Template.fromStack(database);
      for (const metric of ['AuroraGlobalDBReplicationLag', 'AuroraGlobalDBRPOLag']) {
        const found = Object.values(
          template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: metric } }),
        );
        expect(found.map((a) => a.Properties.Threshold).sort()).toEqual([15_000, 30_000]);
        for (const alarm of found) {
          expect(alarm.Properties.AlarmActions).toHaveLength(1);
          expect(alarm.Properties.OKActions).toHaveLength(1);
        }
      }
    }
    Template.fromStack(stacks.regions[0].database).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('THEN every cluster enforces the RPO through its parameter group', () => {
    for (const { database } of stacks.regions) {
      Template.fromStack(database).hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
        Parameters: Match.objectLike({ 'rds.global_db_rpo': '30' }),
      });
    }
  });

  test('THEN the routing stack has one dashboard', () => {
    Template.fromStack(stacks.routing).resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  test('THEN synthesis needs no context lookup', () => {
    const assembly = app.synth();
    expect(assembly.manifest.missing ?? []).toEqual([]);
  });

  test('THEN the four stock packs and MultiRegionChecks find nothing unacknowledged', () => {
    const topology = loadTopology((key) => app.node.tryGetContext(key));
    for (const pack of [
      ...stockPacks(),
      new MultiRegionChecks(undefined, {
        allowedRegions: topology.allowedRegions,
        rto: topology.rto,
      }),
    ]) {
      expect(nagFindings(pack, app)).toEqual([]);
    }
  });
});

describe('the nag harness', () => {
  test('GIVEN an unprotected cluster WHEN the packs run THEN they report it (the harness is not blind)', () => {
    const { app, stacks } = build();
    const stack = stacks.regions[1].database;
    new rds.DatabaseCluster(stack, 'Unprotected', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({
        version: rds.AuroraPostgresEngineVersion.of('16.6', '16'),
      }),
      writer: rds.ClusterInstance.provisioned('Writer'),
      vpc: stacks.regions[1].foundation.network.vpc,
      vpcSubnets: stacks.regions[1].foundation.network.dataSubnets,
    });
    expect(nagFindings(new AwsSolutionsChecks(), app)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^AwsSolutions-RDS10 @ MultiRegion-Database-us-west-2\/Unprotected\//,
        ),
      ]),
    );
  });
});

describe('headless secondary', () => {
  const { stacks } = build({ 'topology.readersByRegion': '{"us-west-2":0}' });

  test('GIVEN readersByRegion 0 for a secondary WHEN synthesized THEN that region runs no instance', () => {
    Template.fromStack(stacks.regions[1].database).resourceCountIs('AWS::RDS::DBInstance', 0);
    Template.fromStack(stacks.regions[0].database).resourceCountIs('AWS::RDS::DBInstance', 2);
  });

  test('THEN the routing stack gives it a writer check only, and the drill output lists no serving check for it', () => {
    const template = Template.fromStack(stacks.routing);
    const paths = Object.values(
      template.findResources('AWS::Route53::HealthCheck', {
        Properties: {
          HealthCheckConfig: { FullyQualifiedDomainName: 'us-west-2.app.example.com' },
        },
      }),
    ).map((c) => c.Properties.HealthCheckConfig.ResourcePath);
    expect(paths).toEqual(['/health/writer']);
    const drill = JSON.stringify(template.toJSON().Outputs.DrillRouting.Value);
    expect(drill).toMatch(/\\"us-west-2\\":\{\\"writer\\":/);
    expect(drill).toMatch(/\\"us-east-1\\":\{\\"serving\\":/);
  });

  test('THEN synth warns that promoting it first needs an instance', () => {
    Annotations.fromStack(stacks.routing).hasWarning(
      '/MultiRegion-Routing/Routing',
      Match.stringLikeRegexp(
        '^us-west-2 is a headless secondary .*promoting it first needs a DB instance',
      ),
    );
  });
});

describe('the default deployment (two regions, active-passive)', () => {
  const template = Template.fromStack(build().stacks.routing);

  test('THEN it has failover records on the write name and latency records on the read name, all TTL 60 with health checks', () => {
    const records = Object.values(template.findResources('AWS::Route53::RecordSet')).map(
      (r) => r.Properties,
    );
    const failover = records.filter((r) => r.Failover);
    const latency = records.filter((r) => r.Region);
    expect(failover.map((r) => [r.Name, r.Failover])).toEqual([
      ['write.example.com.', 'PRIMARY'],
      ['write.example.com.', 'SECONDARY'],
    ]);
    expect(latency.map((r) => [r.Name, r.Region])).toEqual([
      ['app.example.com.', 'us-east-1'],
      ['app.example.com.', 'us-west-2'],
    ]);
    for (const r of [...failover, ...latency]) {
      expect(r).toMatchObject({ TTL: '60', HealthCheckId: { Ref: expect.any(String) } });
    }
  });
});

describe('mode from config only', () => {
  test('GIVEN -c topology.mode=active-active WHEN synthesized THEN the user-facing name uses latency records', () => {
    const { stacks } = build({ 'topology.mode': 'active-active' });
    const template = Template.fromStack(stacks.routing);
    for (const region of ['us-east-1', 'us-west-2']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'app.example.com.',
        Region: region,
        SetIdentifier: region,
        TTL: '60',
      });
    }
    expect(
      Object.keys(
        template.findResources('AWS::Route53::RecordSet', {
          Properties: { Name: 'app.example.com.', Failover: Match.anyValue() },
        }),
      ),
    ).toHaveLength(0);
  });

  test('GIVEN an RTO objective below the floor WHEN the app is built THEN it fails with the floor', () => {
    expect(() => build({ 'topology.rto': '3m' })).toThrow(
      /rto 3 minutes is below the computed write-path RTO floor of 3 minutes 35 seconds/,
    );
  });
});

describe('RPO from config', () => {
  test('GIVEN -c topology.rpo=60s THEN the managed RPO and the alarm thresholds follow', () => {
    const { stacks } = build({ 'topology.rpo': '60s' });
    const template = Template.fromStack(stacks.regions[1].database);
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Parameters: Match.objectLike({ 'rds.global_db_rpo': '60' }),
    });
    const thresholds = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: 'AuroraGlobalDBRPOLag' },
      }),
    ).map((a) => a.Properties.Threshold);
    expect(thresholds.sort()).toEqual([30_000, 60_000]);
  });
});

describe('the app entry point', () => {
  test('GIVEN an RTO below the floor WHEN cdk synth runs bin/app.ts THEN it prints the reason, no stack trace, and exits 1', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: path.join(__dirname, '..', '..'),
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({
          ...CDK_CONTEXT,
          'topology.rto': '2m',
          'aws:cdk:bundling-stacks': [],
        }),
        CDK_OUTDIR: fs.mkdtempSync(path.join(os.tmpdir(), 'app-')),
      },
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      "GlobalTrafficRouting MultiRegion-Routing/Routing: rto 2 minutes is below the computed write-path RTO floor of 3 minutes 35 seconds (write path: promotion estimate 120s + new writer's checks passing 10s x 3 = 30s + health signal cache 5s + DNS TTL 60s x 1 hop = 215s); raise the objective, or shorten the interval, threshold, TTL, cache or promotion estimate",
    );
  });
});

describe('the health signal cache behind the RTO floors', () => {
  test("GIVEN the app THEN the routing stack's floors use the services' own cache value", () => {
    const { stacks } = build();
    expect(stacks.routing.routing.healthSignalCacheTtl).toBe(
      stacks.regions[0].service.service.healthSignalCacheTtl,
    );
  });

  test('GIVEN a routing stack given a 20 s cache THEN both floors include it', () => {
    const app = testApp();
    const topology = loadTopology((key) => app.node.tryGetContext(key));
    const routing = new RoutingStack(app, 'Routing', {
      env: { account: topology.account, region: 'us-east-1' },
      topology,
      hostnames: serviceHostnames(topology.domainName),
      regions: topology.regions.map((region) => ({
        region,
        appTarget: `d-app.${region}.example`,
        writeTarget: `d-write.${region}.example`,
      })),
      healthSignalCacheTtl: Duration.seconds(20),
      clusterIdentifiers: topology.regions.map((region) => `cluster-${region}`),
      drainParameterName: '/multi-region-ref/drain',
    });
    expect(routing.routing.rtoFloors.read.total.toSeconds()).toBe(110);
    expect(routing.routing.rtoFloors.write.total.toSeconds()).toBe(230);
  });
});
