import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { bundleHealthHandler } from '../../bin/build-package';
import * as publicApi from '../../constructs';
import { healthFunctionCode, readinessFunctionCode } from '../../constructs/handlers/health-code';

describe('the public entry point', () => {
  test('exports the constructs and the values their props take, no internal helper', () => {
    // GIVEN the package's entry point (package.json `exports`)
    // WHEN its runtime exports are listed (types have none)
    const names = Object.keys(publicApi).sort();

    // THEN they are exactly the public API: a helper the constructs share is not among them.
    // A new public construct is added here on purpose, a leaked helper fails this test.
    expect(names).toEqual([
      'AlarmFactory',
      'AlarmTopic',
      'ArcFenceFunction',
      'AuroraGlobalMember',
      'AuroraGlobalPrimary',
      'AuroraGlobalSecondary',
      'ClusterBackup',
      'DEFAULT_FAILOVER_PERMISSION_SET',
      'DEFAULT_GAME_DAY_DURATION',
      'DEFAULT_HEALTH_SIGNAL_CACHE_TTL',
      'DEFAULT_OPERATOR_PERMISSION_SET',
      'DEFAULT_PROMOTION_ESTIMATE',
      'DEFAULT_READINESS_INTERVAL',
      'DEFAULT_TIMING_POLICY',
      'DatabaseSchema',
      'DatabaseSecretHost',
      'DrillOperatorRole',
      'GAME_DAY_ACTION_ID',
      'GameDayExperiment',
      'GlobalDatabaseMetrics',
      'GlobalTrafficRouting',
      'HEALTH_PATHS',
      'HealthCheckMetrics',
      'InvalidPropsError',
      'MIN_MANAGED_RPO',
      'MultiRegionChecks',
      'MultiRegionDashboard',
      'REGION_SWITCH_STEP_NAMES',
      'ReadinessCheck',
      'RegionPeering',
      'RegionSwitchPlan',
      'RegionSwitchReportBucket',
      'RegionalDataKey',
      'RegionalNetwork',
      'RegionalService',
      'RegionalServiceMetrics',
      'ReplicationLagAlarms',
      'SecretRotationAlarms',
      'SecretRotationMetrics',
      'computeRtoFloors',
      'identityCenterPrincipals',
      'managedRpoPolicy',
      'parseDrillPrincipal',
      'parseDrillPrincipals',
      'serviceHostnames',
      'timingPolicy',
      'writeRecordSetIdentifier',
    ]);
  });
});

describe("where the health function's code comes from", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'health-code-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('from the TypeScript source, NodejsFunction bundles health.ts at synth', () => {
    const code = healthFunctionCode(path.join(dir, 'health-code.ts'));

    expect(code).toMatchObject({ entry: path.join(dir, 'health.ts'), handler: 'handler' });
    expect(code.code).toBeUndefined();
    expect(code.bundling).toMatchObject({ minify: true, externalModules: ['pg-native'] });
  });

  test('from the compiled package, the prebuilt bundle beside it is the code', () => {
    // GIVEN a compiled module with the bundle `npm run build` writes beside it
    fs.mkdirSync(path.join(dir, 'health-bundle'));
    fs.writeFileSync(path.join(dir, 'health-bundle', 'index.js'), 'exports.handler = 1;\n');

    // WHEN the code is chosen
    const code = healthFunctionCode(path.join(dir, 'health-code.js'));

    // THEN it is that folder as an asset, with no esbuild at synth
    expect(code).toMatchObject({ handler: 'index.handler' });
    expect(code.entry).toBeUndefined();
    expect(code.bundling).toBeUndefined();
    const stack = new Stack(new App());
    expect(code.code?.bind(stack)).toMatchObject({
      s3Location: { bucketName: expect.any(String), objectKey: expect.stringMatching(/\.zip$/) },
    });
  });

  test('a compiled copy without its bundle is refused, naming the file and what to do', () => {
    const file = path.join(dir, 'health-bundle', 'index.js');

    expect(() => healthFunctionCode(path.join(dir, 'health-code.js'))).toThrow(
      `the health function's prebuilt bundle ${file} is missing: install the published package, or run \`npm run build\` in its source checkout`,
    );
  });

  test('the readiness function: readiness.ts from source, its own prebuilt bundle once compiled', () => {
    expect(readinessFunctionCode(path.join(dir, 'health-code.ts'))).toMatchObject({
      entry: path.join(dir, 'readiness.ts'),
      handler: 'handler',
    });
    const file = path.join(dir, 'readiness-bundle', 'index.js');
    expect(() => readinessFunctionCode(path.join(dir, 'health-code.js'))).toThrow(
      `the readiness function's prebuilt bundle ${file} is missing: install the published package, or run \`npm run build\` in its source checkout`,
    );
  });

  test("npm run build's bundle is byte for byte the one NodejsFunction makes at synth", () => {
    // GIVEN the health function bundled at synth, from source
    const outdir = path.join(dir, 'cdk.out');
    const app = new App({ outdir });
    const stack = new Stack(app, 'Health');
    new nodejs.NodejsFunction(stack, 'Health', { ...healthFunctionCode() });
    app.synth();
    const manifest = JSON.parse(
      fs.readFileSync(path.join(outdir, 'Health.assets.json'), 'utf8'),
    ) as {
      files: Record<string, { source: { path: string } }>;
    };
    const [asset] = Object.values(manifest.files).filter((f) => f.source.path.startsWith('asset.'));

    // WHEN the package build bundles it
    const prebuilt = path.join(dir, 'prebuilt', 'index.js');
    bundleHealthHandler(prebuilt);

    // THEN a consumer deploys exactly what this repository tests
    expect(fs.readFileSync(prebuilt)).toEqual(
      fs.readFileSync(path.join(outdir, asset.source.path, 'index.js')),
    );
  });
});
