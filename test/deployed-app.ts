// The app as it synthesizes, evaluated as if deployed: what the drill's fakes answer and what
// its tests expect. Assemblies are cached in the OS temp directory by a hash of everything that
// shapes a template, so parallel test files (and mutation runs) synthesize each topology once.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SimulatedDeployment } from '../runbooks/simulation/deployment';

const ROOT = path.join(__dirname, '..');
const SOURCES = ['bin', 'lib', 'constructs'];

let sourceHash: string | undefined;
const loaded = new Map<string, SimulatedDeployment>();

/**
 * The deployment of the default topology with these regions (primary first), plus any
 * other `-c` context (for example `{ 'topology.readersByRegion': '{"us-west-2":0}' }`).
 */
export function deployedApp(
  regions: readonly string[] = ['us-east-1', 'us-west-2'],
  context: Readonly<Record<string, string>> = {},
): SimulatedDeployment {
  const key = regions.join(',') + contextKey(context);
  const cached = loaded.get(key);
  if (cached) return cached;
  const deployment = SimulatedDeployment.fromAssembly(assemblyDir(regions, context));
  loaded.set(key, deployment);
  return deployment;
}

/**
 * The cloud assembly directory of that topology (synthesized once, cached in the OS temp
 * directory), for what reads `cdk.out` itself (`drill rehearse --assembly`). Read it, never
 * change it: copy it first.
 */
export function assemblyDir(
  regions: readonly string[] = ['us-east-1', 'us-west-2'],
  context: Readonly<Record<string, string>> = {},
): string {
  const extra = contextKey(context);
  const suffix = extra ? `-${createHash('sha256').update(extra).digest('hex').slice(0, 8)}` : '';
  const dir = path.join(
    os.tmpdir(),
    `multi-region-assembly-${hashSources()}-${regions.join(',')}${suffix}`,
  );
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) synthesize(regions, dir, extra);
  return dir;
}

function contextKey(context: Readonly<Record<string, string>>): string {
  return Object.keys(context).length > 0 ? JSON.stringify(context) : '';
}

function synthesize(regions: readonly string[], dir: string, context: string): void {
  const staging = `${dir}.${process.pid}.tmp`;
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(__dirname, 'synth-app.ts'),
      staging,
      regions.join(','),
      ...(context ? [context] : []),
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, CDK_VALIDATION: 'false' },
    },
  );
  try {
    fs.renameSync(staging, dir);
  } catch {
    // Another test worker won the race: its assembly is the same.
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function hashSources(): string {
  if (sourceHash) return sourceHash;
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.(ts|json)$/.test(entry.name))
        hash.update(file.slice(ROOT.length)).update(fs.readFileSync(file));
    }
  };
  SOURCES.forEach((s) => walk(path.join(ROOT, s)));
  hash.update(fs.readFileSync(path.join(__dirname, 'synth-app.ts')));
  hash.update(fs.readFileSync(path.join(ROOT, 'cdk.json')));
  hash.update(fs.readFileSync(path.join(ROOT, 'package-lock.json')));
  sourceHash = hash.digest('hex').slice(0, 16);
  return sourceHash;
}
