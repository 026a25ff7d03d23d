import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as rds from 'aws-cdk-lib/aws-rds';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MultiRegionChecks } from '../../constructs';
import { buildMultiRegionApp, MultiRegionStacks } from '../../lib/multi-region-app';
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

  test('THEN only the routing stack reads other regions, through Fn::GetStackOutput (no custom resources)', () => {
    for (const stack of allStacks(app)) {
      const template = JSON.stringify(Template.fromStack(stack).toJSON());
      expect(template).not.toMatch(/Custom::(CrossRegion|Export)/);
      const regionsRead = [
        ...template.matchAll(/"Fn::GetStackOutput":\{"StackName":"([^"]+)","Region":"([^"]+)"/g),
      ];
      for (const [, producer, region] of regionsRead) {
        if (stack === stacks.routing) {
          expect(producer).toMatch(/^MultiRegion-(Service|Foundation)-/);
        } else {
          expect(region).toBe(stack.region);
        }
      }
    }
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

  test('THEN the routing stack publishes the computed RTO floor', () => {
    Template.fromStack(stacks.routing).hasOutput('*', { Value: '215' });
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

  test('THEN the writer’s cluster enforces the RPO, a secondary’s only with three or more regions (managedRpoPolicy)', () => {
    const rpoOf = (database: Stack) =>
      Object.values(
        Template.fromStack(database).findResources('AWS::RDS::DBClusterParameterGroup'),
      ).map((g) => g.Properties.Parameters['rds.global_db_rpo']);
    expect(stacks.regions.map(({ database }) => rpoOf(database))).toEqual(
      regions.map((_r, i) => [i === 0 || regions.length >= 3 ? '30' : undefined]),
    );
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
  test('GIVEN readersByRegion 0 for a secondary WHEN synthesized THEN that region runs no instance', () => {
    const { stacks } = build({ 'topology.readersByRegion': '{"us-west-2":0}' });
    Template.fromStack(stacks.regions[1].database).resourceCountIs('AWS::RDS::DBInstance', 0);
    Template.fromStack(stacks.regions[0].database).resourceCountIs('AWS::RDS::DBInstance', 2);
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
      /rto 3 minutes is below the computed RTO floor of 3 minutes 35 seconds/,
    );
  });
});

describe('RPO from config', () => {
  test('GIVEN -c topology.rpo=60s THEN the managed RPO and the alarm thresholds follow', () => {
    const { stacks } = build({ 'topology.rpo': '60s' });
    Template.fromStack(stacks.regions[0].database).hasResourceProperties(
      'AWS::RDS::DBClusterParameterGroup',
      { Parameters: Match.objectLike({ 'rds.global_db_rpo': '60' }) },
    );
    const template = Template.fromStack(stacks.regions[1].database);
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
      'GlobalTrafficRouting MultiRegion-Routing/Routing: rto 2 minutes is below the computed RTO floor of 3 minutes 35 seconds (detection 10s x 3 = 30s + health signal cache 5s + DNS TTL 60s + promotion estimate 120s = 215s); raise the objective, or shorten the interval, threshold, TTL or cache',
    );
  });
});
