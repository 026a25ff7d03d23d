import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTopology, topologyFromOutputs, withArnRegion } from '../../runbooks/drill/discovery';
import { DrillError } from '../../runbooks/drill/errors';
import { deployedApp } from '../deployed-app';
import { outputsFor, PRIMARY, SECONDARY, useFakeAws } from './harness';

const h = useFakeAws();
const HINT = 'npx cdk deploy --all --outputs-file cdk-outputs.json';

function withOutputs(
  edit: (outputs: Record<string, Record<string, string>>) => void,
): Record<string, Record<string, string>> {
  const outputs = outputsFor();
  edit(outputs);
  return outputs;
}

function discoveryError(run: () => unknown): DrillError {
  try {
    run();
  } catch (err) {
    if (err instanceof DrillError) return err;
    throw err;
  }
  throw new Error('expected a DrillError');
}

describe('discovery from the cdk outputs file', () => {
  test('GIVEN the outputs of a deploy THEN every region is found by output key, whatever the stack names', () => {
    const renamed = Object.fromEntries(
      Object.entries(outputsFor()).map(([stack, o]) => [`Prod-${stack}`, o]),
    );
    const topology = topologyFromOutputs(renamed, 'cdk-outputs.json');

    expect(topology.globalClusterIdentifier).toBe('multi-region-ref-global');
    expect(topology.primaryRegion).toBe(PRIMARY);
    expect(topology.databaseName).toBe('app');
    // The global writer endpoint, as the global cluster returns it and the secret holds it.
    const [global] = deployedApp().resources('AWS::RDS::GlobalCluster');
    const [host] = deployedApp().resources('Custom::DatabaseSecretHost');
    expect(topology.globalWriterEndpoint).toBe(
      (host.properties.GlobalEndpoint as { Address: string }).Address,
    );
    expect(topology.globalWriterEndpoint).toMatch(
      new RegExp(`^${global.physicalId}\\.global-\\w+\\.global\\.rds\\.amazonaws\\.com$`),
    );
    expect(topology.rpoSeconds).toBe(30);
    // Published by the stacks, not guessed from the (here renamed) stack names.
    expect(topology.alarmNamePrefix).toBe('MultiRegion-');
    expect(topology.regions.map((r) => [r.region, r.role])).toEqual([
      [PRIMARY, 'primary'],
      [SECONDARY, 'secondary'],
    ]);
    // A replica secret keeps its name and suffix; only the region differs.
    const [secret] = deployedApp().resources('AWS::SecretsManager::Secret');
    expect(topology.regions[1].secretArn).toBe(withArnRegion(secret.physicalId, SECONDARY));
    expect(topology.regions[1].secretArn).toMatch(
      /^arn:aws:secretsmanager:us-west-2:123456789012:secret:multi-region-ref-global\/master-\w{6}$/,
    );
  });

  describe.each([
    ['two regions', [PRIMARY, SECONDARY]],
    ['three regions', [PRIMARY, SECONDARY, 'us-east-2']],
  ])('GIVEN the synthesized app with %s', (_name, regions) => {
    const deployment = deployedApp(regions);
    const topology = topologyFromOutputs(deployment.outputsFile(), 'cdk-outputs.json');
    const records = deployment.resources('AWS::Route53::RecordSet');
    const valuesOf = (name: string) =>
      records
        .filter((r) => r.properties.Name === `${name}.`)
        .flatMap((r) => r.properties.ResourceRecords as string[]);
    const inZone = (value: string) =>
      value.endsWith(`.${topology.appHostname.split('.').slice(1).join('.')}`);

    test('THEN every region target discovery derives is what the routing records answer', () => {
      for (const [name, field] of [
        [topology.writeHostname, 'writeTarget'],
        [topology.appHostname, 'appTarget'],
      ] as const) {
        // Follow in-zone names (standby sets) to the values that leave the zone.
        const external: string[] = [];
        const visit = (n: string) =>
          valuesOf(n).forEach((v) => (inZone(v) ? visit(v) : external.push(v)));
        visit(name);
        expect(external.sort()).toEqual(topology.regions.map((r) => r[field]).sort());
        for (const r of topology.regions) {
          expect(r[field]).toMatch(
            new RegExp(`^d-\\w+\\.execute-api\\.${r.region}\\.amazonaws\\.com$`),
          );
        }
      }
    });

    test("THEN each region's health check ids are the routing stack's checks of its routes", () => {
      const checks = deployment.resources('AWS::Route53::HealthCheck');
      for (const r of topology.regions) {
        for (const [kind, path] of [
          ['serving', '/health'],
          ['writer', '/health/writer'],
        ] as const) {
          const check = checks.find((c) => c.physicalId === r.healthChecks[kind]);
          expect(check?.properties.HealthCheckConfig).toMatchObject({
            FullyQualifiedDomainName: r.regionalHostname,
            ResourcePath: path,
          });
        }
      }
    });
  });

  test('GIVEN overriding flags THEN they win over the outputs', () => {
    const topology = topologyFromOutputs(outputsFor(), 'f', {
      globalClusterIdentifier: 'other',
      alarmNamePrefix: '',
    });

    expect(topology.globalClusterIdentifier).toBe('other');
    expect(topology.alarmNamePrefix).toBe('');
  });

  test.each<[string, (o: Record<string, Record<string, string>>) => void, string]>([
    [
      'no routing output',
      (o) => delete o['MultiRegion-Routing'],
      'cdk-outputs.json: no stack has the output DrillRouting (stacks in the file: MultiRegion-Foundation-us-east-1, MultiRegion-Foundation-us-west-2, MultiRegion-Database-us-east-1, MultiRegion-Database-us-west-2, MultiRegion-Peering-us-east-1, MultiRegion-Peering-us-west-2, MultiRegion-Service-us-east-1, MultiRegion-Service-us-west-2)',
    ],
    [
      'no service output for a region',
      (o) => delete o['MultiRegion-Service-us-west-2'],
      'cdk-outputs.json: no DrillService output for region us-west-2',
    ],
    [
      'an output that is not JSON',
      (o) => (o['MultiRegion-Database-us-west-2'].DrillDatabase = '{oops'),
      'cdk-outputs.json: output DrillDatabase of stack MultiRegion-Database-us-west-2 is not a JSON string',
    ],
    [
      'a missing field',
      (o) => {
        const routing = JSON.parse(o['MultiRegion-Routing'].DrillRouting);
        delete routing.hostedZoneId;
        o['MultiRegion-Routing'].DrillRouting = JSON.stringify(routing);
      },
      'cdk-outputs.json: DrillRouting.hostedZoneId of stack MultiRegion-Routing must be a non-empty string',
    ],
    [
      'no global writer endpoint',
      (o) => {
        const db = JSON.parse(o['MultiRegion-Database-us-east-1'].DrillDatabase);
        delete db.globalWriterEndpoint;
        o['MultiRegion-Database-us-east-1'].DrillDatabase = JSON.stringify(db);
      },
      'cdk-outputs.json: DrillDatabase.globalWriterEndpoint of stack MultiRegion-Database-us-east-1 must be a non-empty string',
    ],
    [
      'two primaries',
      (o) => {
        const db = JSON.parse(o['MultiRegion-Database-us-west-2'].DrillDatabase);
        o['MultiRegion-Database-us-west-2'].DrillDatabase = JSON.stringify({
          ...db,
          role: 'primary',
        });
      },
      "cdk-outputs.json: exactly one DrillDatabase output must have role 'primary', found 2",
    ],
  ])('GIVEN %s THEN DISCOVERY_FAILED names the key and what to do', (_case, edit, message) => {
    const err = discoveryError(() => topologyFromOutputs(withOutputs(edit), 'cdk-outputs.json'));

    expect(err.code).toBe('DISCOVERY_FAILED');
    expect(err.message.startsWith(message)).toBe(true);
    expect(err.hint).toContain(HINT);
  });

  test('GIVEN a missing file or bad JSON THEN the error names the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drill-discovery-'));
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"MultiRegion-Routing": ');

    expect(discoveryError(() => loadTopology(path.join(dir, 'missing.json'))).message).toBe(
      `outputs file ${path.join(dir, 'missing.json')} does not exist`,
    );
    expect(discoveryError(() => loadTopology(bad)).message).toMatch(
      new RegExp(`^outputs file ${bad} is not valid JSON: `),
    );
    fs.rmSync(dir, { recursive: true });
  });

  test('GIVEN the CLI and no outputs file THEN it exits 3 with the deploy command to run', async () => {
    fs.rmSync(h.outputsFile);

    const result = await h.run(['status']);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `error [DISCOVERY_FAILED]: outputs file ${h.outputsFile} does not exist`,
    );
    expect(result.stderr).toContain(`next: Deploy and write the outputs file with: ${HINT}`);
    expect(h.world.calls).toEqual([]);
  });

  test('withArnRegion swaps only the region field', () => {
    expect(withArnRegion('arn:aws:secretsmanager:us-east-1:1:secret:a:b-XyZ', 'eu-west-1')).toBe(
      'arn:aws:secretsmanager:eu-west-1:1:secret:a:b-XyZ',
    );
  });
});

describe('the alarm name prefix the drill lists alarms by', () => {
  /** Edits the DrillDatabase output of one stack. */
  const editDatabase =
    (stack: string, edit: (db: Record<string, unknown>) => void) =>
    (o: Record<string, Record<string, string>>) => {
      const db = JSON.parse(o[stack].DrillDatabase) as Record<string, unknown>;
      edit(db);
      o[stack].DrillDatabase = JSON.stringify(db);
    };
  const withoutPrefix = (db: Record<string, unknown>) => delete db.alarmNamePrefix;

  test.each([
    ['two regions', [PRIMARY, SECONDARY]],
    ['three regions', [PRIMARY, SECONDARY, 'us-east-2']],
  ])(
    'GIVEN the synthesized app with %s THEN every alarm of every stack begins with the published prefix',
    (_name, regions) => {
      const deployment = deployedApp(regions);
      const topology = topologyFromOutputs(deployment.outputsFile(), 'cdk-outputs.json');
      // A named alarm has its AlarmName; CloudFormation names the others after their stack.
      const names = [
        ...deployment
          .resources('AWS::CloudWatch::Alarm')
          .map((a) => a.properties.AlarmName ?? a.stack),
        ...deployment
          .resources('AWS::CloudWatch::CompositeAlarm')
          .map((a) => a.properties.AlarmName ?? a.stack),
      ] as string[];

      expect(topology.alarmNamePrefix).toBe('MultiRegion-');
      // The lag alarms of each region, by the names the alarm factory gives them.
      for (const region of regions) {
        expect(names).toContain(`MultiRegion-Database-${region}-AuroraGlobalDBRPOLag-critical`);
      }
      expect(names.filter((n) => !n.startsWith(topology.alarmNamePrefix))).toEqual([]);
      expect(
        Object.keys(deployment.outputsFile()).filter((s) => !s.startsWith('MultiRegion-')),
      ).toEqual([]);
    },
  );

  test('GIVEN outputs of a deployment before the prefix was published THEN discovery says to redeploy or pass --alarm-prefix', () => {
    const outputs = withOutputs(editDatabase('MultiRegion-Database-us-west-2', withoutPrefix));

    const err = discoveryError(() => topologyFromOutputs(outputs, 'cdk-outputs.json'));

    expect(err.code).toBe('DISCOVERY_FAILED');
    expect(err.message).toBe(
      'cdk-outputs.json: DrillDatabase.alarmNamePrefix of stack MultiRegion-Database-us-west-2 is missing (outputs of a deployment older than this drill): redeploy to write it, or pass --alarm-prefix <prefix>',
    );
    expect(err.hint).toContain(HINT);
  });

  test('GIVEN such old outputs and --alarm-prefix THEN the flag is the prefix', () => {
    const outputs = withOutputs((o) => {
      editDatabase('MultiRegion-Database-us-east-1', withoutPrefix)(o);
      editDatabase('MultiRegion-Database-us-west-2', withoutPrefix)(o);
    });

    expect(
      topologyFromOutputs(outputs, 'cdk-outputs.json', { alarmNamePrefix: 'Legacy-' })
        .alarmNamePrefix,
    ).toBe('Legacy-');
  });

  test('GIVEN regions that publish different prefixes THEN discovery names each stack and value', () => {
    const outputs = withOutputs(
      editDatabase('MultiRegion-Database-us-west-2', (db) => (db.alarmNamePrefix = 'Other-')),
    );

    expect(discoveryError(() => topologyFromOutputs(outputs, 'cdk-outputs.json')).message).toBe(
      "cdk-outputs.json: DrillDatabase.alarmNamePrefix differs between stacks (MultiRegion-Database-us-east-1: 'MultiRegion-', MultiRegion-Database-us-west-2: 'Other-'): deploy every stack from one app, or pass --alarm-prefix <prefix>",
    );
  });

  test('GIVEN a prefix that is not a string THEN the field is named', () => {
    const outputs = withOutputs(
      editDatabase('MultiRegion-Database-us-east-1', (db) => (db.alarmNamePrefix = 7)),
    );

    expect(discoveryError(() => topologyFromOutputs(outputs, 'cdk-outputs.json')).message).toBe(
      'cdk-outputs.json: DrillDatabase.alarmNamePrefix of stack MultiRegion-Database-us-east-1 must be a non-empty string',
    );
  });
});
