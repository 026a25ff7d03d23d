// The package as a platform team gets it: `npm pack`, the tarball installed into an empty
// folder with production dependencies only, `npx drill --help` there, and the example app
// compiled against the installed type declarations and synthesized. It builds dist/ and
// installs from the npm registry (a minute or two), so it runs only when asked:
// `PACKAGE_TEST=1 npx jest test/package/packed-package.test.ts` (.ci/run does, after the tests).
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assemblyDir } from '../deployed-app';

const root = path.join(__dirname, '..', '..');
const asked = process.env.PACKAGE_TEST === '1';

function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Runs a command that must succeed; its output is the failure message otherwise. */
function mustRun(command: string, args: readonly string[], options: SpawnSyncOptions = {}) {
  const result = run(command, args, options);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/** The environment of a consumer's shell: no jest settings, no validator switch. */
function consumerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1' };
  delete env.CDK_VALIDATION;
  delete env.NODE_OPTIONS;
  delete env.JEST_WORKER_ID;
  return env;
}

(asked ? describe : describe.skip)('the packed package, installed with --omit=dev', () => {
  let work: string;
  let consumer: string;
  let packedFiles: string[];

  beforeAll(() => {
    // GIVEN the package built and packed as `npm pack` publishes it (.npmrc's ignore-scripts
    // skips a prepack script, so the build is its own step)
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'package-test-'));
    mustRun('npm', ['run', 'build'], { cwd: root });
    const packed = JSON.parse(
      mustRun('npm', ['pack', '--json', '--pack-destination', work], { cwd: root }).stdout,
    ) as { filename: string; files: { path: string }[] }[];
    packedFiles = packed[0].files.map((f) => f.path);
    const tarball = path.join(work, packed[0].filename);

    // AND an empty folder holding only the example app, with the tarball installed into it
    consumer = path.join(work, 'consumer');
    fs.mkdirSync(consumer);
    for (const file of ['app.ts', 'package.json']) {
      fs.copyFileSync(path.join(root, 'examples', 'consumer', file), path.join(consumer, file));
    }
    mustRun(
      'npm',
      ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', tarball],
      { cwd: consumer, env: consumerEnv() },
    );
  }, 600_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('the tarball holds compiled JavaScript, declarations, the bin, the bundles and LICENSE, no TypeScript source', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'package.json',
        'runbooks/bin/drill.cjs',
        'dist/constructs/index.js',
        'dist/constructs/index.d.ts',
        'dist/runbooks/drill/cli.js',
        'dist/constructs/handlers/health-bundle/index.js',
        'dist/constructs/secret-host-handler/index.js',
      ]),
    );
    expect(packedFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(packedFiles.filter((f) => /^(test|bin|lib|bench|examples)\//.test(f))).toEqual([]);
  });

  test('a production install has no devDependency of the package', () => {
    const devDependencies = Object.keys(
      (
        JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
          devDependencies: Record<string, string>;
        }
      ).devDependencies,
    );
    const peers = ['aws-cdk-lib', 'cdk-nag', 'constructs'];

    const installed = devDependencies.filter(
      (name) => !peers.includes(name) && fs.existsSync(path.join(consumer, 'node_modules', name)),
    );

    expect(installed).toEqual([]);
    // the peers came with it, as npm installs peer dependencies
    for (const peer of peers) {
      expect(fs.existsSync(path.join(consumer, 'node_modules', peer, 'package.json'))).toBe(true);
    }
  });

  test('npx drill --help runs the compiled CLI', () => {
    const result = run('npx', ['drill', '--help'], { cwd: consumer, env: consumerEnv() });

    expect(result.stderr).not.toContain('Error');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: drill [options] [command]');
  });

  test('npx drill rehearse runs on a synthesized assembly without pg, credentials or a network', () => {
    // GIVEN an assembly of this repository's app, and no AWS settings in the environment
    const assembly = assemblyDir();
    const env = consumerEnv();
    for (const key of Object.keys(env)) if (key.startsWith('AWS_')) delete env[key];

    // WHEN the compiled CLI rehearses the regional outage (the items service runs in process)
    const result = run(
      'npx',
      ['drill', 'rehearse', '--assembly', assembly, '--scenario', 'region-outage', '--json'],
      {
        cwd: consumer,
        env: {
          ...env,
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
          AWS_CONFIG_FILE: '/nonexistent',
        },
      },
    );

    // THEN it measures the same figures the source checkout does
    expect(result.stderr).not.toContain('Error');
    expect(result.status).toBe(0);
    const [rehearsal] = JSON.parse(result.stdout) as { scenario: string; passed: boolean }[];
    expect(rehearsal).toMatchObject({ scenario: 'region-outage', passed: true });
    expect(fs.existsSync(path.join(consumer, 'node_modules', 'pg'))).toBe(false);
  });

  test('the entry point exports no deep path: internal modules stay unreachable', () => {
    const result = run(
      process.execPath,
      ['-e', "require('multi-region-reference/dist/constructs/nag/acknowledge')"],
      { cwd: consumer, env: consumerEnv() },
    );

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  test('the example app compiles against the installed declarations and synthesizes the prebuilt health bundle', () => {
    // WHEN the example is compiled with the package's .d.ts files and run as a CDK app
    fs.writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['app.ts'],
      }),
    );
    mustRun(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', consumer]);
    const outdir = path.join(consumer, 'cdk.out');
    mustRun(process.execPath, ['app.js'], {
      cwd: consumer,
      env: { ...consumerEnv(), CDK_OUTDIR: outdir },
    });

    // THEN the health function deploys the bundle the package ships, byte for byte
    const template = JSON.parse(
      fs.readFileSync(path.join(outdir, 'Orders-us-east-1.template.json'), 'utf8'),
    ) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const health = Object.entries(template.Resources).find(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('ServiceHealthFunction'),
    );
    expect(health?.[1].Properties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
    });
    const assets = JSON.parse(
      fs.readFileSync(path.join(outdir, 'Orders-us-east-1.assets.json'), 'utf8'),
    ) as { files: Record<string, { source: { path: string } }> };
    const key = (health?.[1].Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
    const shipped = path.join(
      consumer,
      'node_modules',
      'multi-region-reference',
      'dist',
      'constructs',
      'handlers',
      'health-bundle',
      'index.js',
    );
    expect(fs.readFileSync(path.join(outdir, assets.files[key].source.path, 'index.js'))).toEqual(
      fs.readFileSync(shipped),
    );
  });
});
