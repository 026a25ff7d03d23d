import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  MultiRegionChecks,
  RegionalDataKey,
  serviceHostnames,
  timingPolicy,
} from '../../constructs';
import { buildMultiRegionApp, MultiRegionStacks } from '../../lib/multi-region-app';
import { RoutingStack } from '../../lib/routing-stack';
import { loadTopology } from '../../lib/topology';
import {
  CDK_CONTEXT,
  ELEVEN_SECONDARIES,
  importedMember,
  nagFindings,
  stockPacks,
  testApp,
} from '../util';

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
        `MultiRegion-Peering-${r}`,
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

  test('THEN references within a region are strong (Fn::ImportValue) and only the routing, peering and service stacks (the writer endpoint) read other regions, weakly (Fn::GetStackOutput, no custom resources)', () => {
    const crossRegionReads: string[] = [];
    const serviceReads: string[] = [];
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
        expect(region).toBeDefined();
        expect(region).not.toBe(stack.region);
        if (stack.stackName.startsWith('MultiRegion-Peering-')) {
          // Peer VPC ids (requesting side) and peering connection ids (accepting side).
          expect(producer).toMatch(/^MultiRegion-(Foundation|Peering)-/);
          continue;
        }
        if (stack.stackName.startsWith('MultiRegion-Service-')) {
          // The items API's global writer endpoint, from the primary's database stack, and
          // every other member's cluster resource id (the items role's rds-db:connect).
          expect(producer).toMatch(/^MultiRegion-Database-/);
          serviceReads.push(`${stack.stackName} <- ${producer}`);
          continue;
        }
        expect({ stack: stack.stackName, producer }).toEqual({
          stack: stacks.routing.stackName,
          producer: expect.stringMatching(/^MultiRegion-Service-/),
        });
        crossRegionReads.push(producer);
      }
    }
    // Two API targets (app. and write.) of every region but the routing stack's own, its
    // API id in the drill role's two items routes (PUT and GET), its ARC fence function's ARN
    // in its plan (the fence step of both workflows and the execution role's policy), and its
    // report bucket (the plan's report path, the role's s3:PutObject, the drill output and its
    // SSM mirror for the readiness functions) and that bucket's key (the role's kms grant).
    expect(crossRegionReads.sort()).toEqual(
      regions
        .filter((r) => r !== 'us-east-1')
        .flatMap((r) => Array<string>(4 + 3 + 4 + 1).fill(`MultiRegion-Service-${r}`))
        .sort(),
    );
    // One writer endpoint per secondary region's service (the primary's reads it strongly),
    // and one cluster resource id of each other region's member per service.
    expect(serviceReads.sort()).toEqual(
      regions
        .flatMap((r) =>
          [...(r === 'us-east-1' ? [] : ['us-east-1']), ...regions.filter((o) => o !== r)].map(
            (o) => `MultiRegion-Service-${r} <- MultiRegion-Database-${o}`,
          ),
        )
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

  test("THEN the write path's PRIMARY record requires the primary region's writer check and ARC's check of it in every plan", () => {
    const template = Template.fromStack(stacks.routing);
    const [primary] = Object.values(
      template.findResources('AWS::Route53::RecordSet', {
        Properties: { Name: 'write.example.com.', Failover: 'PRIMARY' },
      }),
    );
    const resources = template.toJSON().Resources;
    const gate = resources[primary.Properties.HealthCheckId.Ref].Properties.HealthCheckConfig;
    const [writer, ...arcChecks] = gate.ChildHealthChecks;
    expect(resources[writer.Ref].Properties.HealthCheckConfig).toMatchObject({
      FullyQualifiedDomainName: 'us-east-1.app.example.com',
      ResourcePath: '/health/writer',
    });
    // One ARC check per plan (one plan per secondary), index 0: the plan's primary region.
    expect(arcChecks).toEqual(
      regions.slice(1).map((r) => ({
        'Fn::GetAtt': [
          expect.stringMatching(`^RegionSwitch${r.replace(/-/g, '')}HealthChecks`),
          'HealthCheckId0',
        ],
      })),
    );
    expect(gate).toMatchObject({ Type: 'CALCULATED', HealthThreshold: regions.length });
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

  test('THEN every region, the primary too, has replication- and RPO-lag alarms at RPO/2 and RPO, each with actions', () => {
    for (const { database } of stacks.regions) {
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

/** Where a resource type keeps the physical name a redeploy would collide with. */
const PHYSICAL_NAME: Record<string, string | undefined> = {
  'AWS::RDS::GlobalCluster': 'GlobalClusterIdentifier',
  'AWS::RDS::DBCluster': 'DBClusterIdentifier',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::RDS::DBSubnetGroup': 'DBSubnetGroupName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Backup::BackupVault': 'BackupVaultName',
  'AWS::SSM::Parameter': 'Name',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::KMS::Key': undefined,
  'AWS::S3::Bucket': 'BucketName',
};

interface CfnResourceJson {
  readonly Type: string;
  readonly DeletionPolicy?: string;
  readonly Properties?: Record<string, unknown>;
}

interface Leftover {
  readonly stack: string;
  readonly type: string;
  readonly name?: string;
}

/** Every resource a stack deletion leaves behind, with its fixed physical name if it has one. */
function leftovers(app: App): Leftover[] {
  return allStacks(app).flatMap((stack) =>
    Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, CfnResourceJson>)
      .filter((r) => r.DeletionPolicy !== undefined && r.DeletionPolicy !== 'Delete')
      .map((r) => {
        if (!(r.Type in PHYSICAL_NAME)) {
          throw new Error(`add the physical-name property of retained ${r.Type} to PHYSICAL_NAME`);
        }
        const key = PHYSICAL_NAME[r.Type];
        const name = key && r.Properties?.[key];
        return {
          stack: stack.stackName,
          type: r.Type,
          ...(typeof name === 'string' ? { name } : {}),
        };
      }),
  );
}

const TEN_SECONDARIES = ELEVEN_SECONDARIES.slice(0, 10);

describe('destroy safety', () => {
  describe.each<[string, Record<string, unknown>, number]>([
    ['two regions (defaults)', {}, 3],
    ['three regions', { 'topology.secondaryRegions': 'us-west-2,us-east-2' }, 4],
    ['a headless secondary', { 'topology.readersByRegion': '{"us-west-2":0}' }, 2],
    [
      'eleven regions (ten secondaries, the most Aurora allows)',
      {
        'topology.secondaryRegions': TEN_SECONDARIES.join(','),
        'topology.allowedRegions': ['us-east-1', ...TEN_SECONDARIES].join(','),
      },
      12,
    ],
  ])('GIVEN %s WHEN synthesized', (_name, overrides, instanceCount) => {
    const { app, stacks } = build(overrides);
    const assembly = app.synth();

    test('THEN every DB instance is retained when its stack is deleted or it is replaced', () => {
      const instances = allStacks(app).flatMap((s) =>
        Object.values(Template.fromStack(s).findResources('AWS::RDS::DBInstance')),
      );
      expect(instances).toHaveLength(instanceCount);
      for (const instance of instances) {
        expect(instance.DeletionPolicy).toBe('RetainExceptOnCreate');
        expect(instance.UpdateReplacePolicy).toBe('Retain');
      }
    });

    test('THEN the foundation (KMS key) and database stacks have termination protection, the service and routing stacks do not', () => {
      const protectedStacks = (names: string[]) =>
        names.map((n) => [n, assembly.getStackByName(n).terminationProtection ?? false]);
      const dataAndKeys = stacks.regions.flatMap((r) => [
        r.foundation.stackName,
        r.database.stackName,
      ]);
      // Stateless: a redeploy recreates them exactly, and their log groups are retained anyway.
      const stateless = [
        ...stacks.regions.map((r) => r.service.stackName),
        stacks.routing.stackName,
      ];
      expect(protectedStacks(dataAndKeys)).toEqual(dataAndKeys.map((n) => [n, true]));
      expect(protectedStacks(stateless)).toEqual(stateless.map((n) => [n, false]));
    });
  });

  test('GIVEN the default app THEN what a stack deletion leaves with a fixed name is exactly what the README lists', () => {
    const named = leftovers(build().app).filter((l) => l.name !== undefined);
    expect(named.map((l) => `${l.stack} ${l.type} ${l.name}`).sort()).toEqual(
      [
        'MultiRegion-Database-us-east-1 AWS::Backup::BackupVault MultiRegionDatabaseuseast1BackupVaultC3F10F10',
        'MultiRegion-Database-us-east-1 AWS::Logs::LogGroup /aws/rds/cluster/multi-region-ref-global-us-east-1/postgresql',
        'MultiRegion-Database-us-east-1 AWS::RDS::DBCluster multi-region-ref-global-us-east-1',
        'MultiRegion-Database-us-east-1 AWS::RDS::DBInstance multi-region-ref-global-us-east-1-reader1',
        'MultiRegion-Database-us-east-1 AWS::RDS::DBInstance multi-region-ref-global-us-east-1-writer',
        'MultiRegion-Database-us-east-1 AWS::RDS::GlobalCluster multi-region-ref-global',
        'MultiRegion-Database-us-east-1 AWS::SecretsManager::Secret multi-region-ref-global/master',
        'MultiRegion-Database-us-west-2 AWS::Backup::BackupVault MultiRegionDatabaseuswest2BackupVaultF878C968',
        'MultiRegion-Database-us-west-2 AWS::Logs::LogGroup /aws/rds/cluster/multi-region-ref-global-us-west-2/postgresql',
        'MultiRegion-Database-us-west-2 AWS::RDS::DBCluster multi-region-ref-global-us-west-2',
        'MultiRegion-Database-us-west-2 AWS::RDS::DBInstance multi-region-ref-global-us-west-2-reader1',
      ].sort(),
    );
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Destroy and redeploy'));
    const documented = section.slice(0, section.indexOf('\n## ', 1));
    for (const type of new Set(named.map((l) => l.type))) {
      expect(documented).toContain(`\`${type}\``);
    }
  });

  test('GIVEN a new globalClusterIdentifier and stackPrefix WHEN synthesized THEN no fixed name collides with what the default app leaves behind', () => {
    const taken = new Set(
      leftovers(build().app).flatMap((l) => (l.name ? [`${l.type} ${l.name}`] : [])),
    );
    const renamed = build({
      'topology.globalClusterIdentifier': 'multi-region-ref-global-2',
      'topology.stackPrefix': 'MultiRegion2',
    });
    const fixedNames = allStacks(renamed.app).flatMap((stack) =>
      Object.values(
        Template.fromStack(stack).toJSON().Resources as Record<string, CfnResourceJson>,
      ).flatMap((r) => {
        const key = PHYSICAL_NAME[r.Type];
        const name = key && r.Properties?.[key];
        return typeof name === 'string' ? [`${r.Type} ${name}`] : [];
      }),
    );
    expect(fixedNames.length).toBeGreaterThan(taken.size);
    expect(fixedNames.filter((n) => taken.has(n))).toEqual([]);
  });
});

describe('eleven regions', () => {
  test('GIVEN ten secondaries WHEN synthesized THEN no-healthy-writer is a composite of two alarms of at most 10 writer checks each', () => {
    const { stacks } = build({
      'topology.secondaryRegions': TEN_SECONDARIES.join(','),
      'topology.allowedRegions': ['us-east-1', ...TEN_SECONDARIES].join(','),
    });
    const template = Template.fromStack(stacks.routing);
    const parts = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmDescription: Match.stringLikeRegexp('^No region of ') },
    });
    const descriptions = Object.values(parts).map((a) => a.Properties.AlarmDescription);
    expect(descriptions.sort()).toEqual([
      'No region of ap-northeast-1 passes its writer health check (part of the no-healthy-writer composite alarm)',
      'No region of us-east-1, us-east-2, us-west-1, us-west-2, ca-central-1, eu-west-1, eu-west-2, eu-west-3, eu-central-1, eu-north-1 passes its writer health check (part of the no-healthy-writer composite alarm)',
    ]);
    for (const part of Object.values(parts)) {
      const metricStats = part.Properties.Metrics.filter(
        (m: { MetricStat?: unknown }) => m.MetricStat,
      );
      expect(metricStats.length).toBeLessThanOrEqual(10);
      expect(part.Properties.AlarmActions).toBeUndefined();
    }
    const composites = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(composites).toHaveLength(1);
    expect(composites[0].Properties).toMatchObject({
      AlarmDescription: 'No region passes its writer health check: writes are failing everywhere',
      AlarmActions: [expect.anything()],
      OKActions: [expect.anything()],
    });
    const rule = JSON.stringify(composites[0].Properties.AlarmRule);
    expect(rule.match(/ALARM\(/g)).toHaveLength(2);
    expect(rule).toContain(' AND ');
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

  test("GIVEN a routing stack whose topology's timing policy has a 20 s cache THEN both floors include it", () => {
    const app = testApp();
    const loaded = loadTopology((key) => app.node.tryGetContext(key));
    const topology = {
      ...loaded,
      timing: timingPolicy({ healthSignalCacheTtl: Duration.seconds(20) }),
    };
    const elsewhere = new Stack(app, 'Elsewhere', {
      env: { account: topology.account, region: 'us-east-1' },
    });
    const routing = new RoutingStack(app, 'Routing', {
      env: { account: topology.account, region: 'us-east-1' },
      topology,
      hostnames: serviceHostnames(topology.domainName),
      regions: topology.regions.map((region) => ({
        region,
        appTarget: `d-app.${region}.example`,
        writeTarget: `d-write.${region}.example`,
        database: importedMember(elsewhere, region),
        drainSwitch: ssm.StringParameter.fromStringParameterName(
          elsewhere,
          `Drain-${region}`,
          '/multi-region-ref/drain',
        ),
      })),
      masterSecret: secretsmanager.Secret.fromSecretNameV2(elsewhere, 'Secret', 'orders/master'),
      dataKeyAlias: kms.Alias.fromAliasName(elsewhere, 'KeyAlias', RegionalDataKey.DEFAULT_ALIAS),
    });
    expect(routing.routing.rtoFloors.read.total.toSeconds()).toBe(110);
    expect(routing.routing.rtoFloors.write.total.toSeconds()).toBe(230);
  });
});
