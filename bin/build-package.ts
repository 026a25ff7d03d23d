// `npm run build`: the package's JavaScript in dist/ (see package.json `files`). tsc compiles
// the public entry point and the drill CLI with everything they import; esbuild bundles the
// health handler with the options the constructs use at synth; the secret-host handler, plain
// JavaScript shipped as a folder, is copied as it is.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import {
  ARC_FENCE_BUNDLE_FOLDER,
  ARC_HEALTH_CHECKS_BUNDLE_FOLDER,
  HEALTH_BUNDLE_FOLDER,
  HEALTH_BUNDLING,
  HEALTH_RUNTIME,
  ITEMS_BUNDLE_FOLDER,
  READINESS_BUNDLE_FOLDER,
} from '../constructs/handlers/health-code';

const root = path.resolve(__dirname, '..');

/**
 * Bundles the health handler into `outfile` as NodejsFunction does at synth for the same props:
 * bundle for the runtime's Node.js version, CommonJS, `index.js` exporting `handler`
 * (aws-cdk-lib, aws-lambda-nodejs README, "Configuring esbuild").
 */
export function bundleHealthHandler(outfile: string, entry = 'health.ts'): void {
  buildSync({
    entryPoints: [path.join(root, 'constructs', 'handlers', entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: HEALTH_RUNTIME.name.replace(/^nodejs(\d+).*$/, 'node$1'),
    minify: HEALTH_BUNDLING.minify,
    sourcemap: HEALTH_BUNDLING.sourceMap,
    external: [...HEALTH_BUNDLING.externalModules],
    logLevel: 'warning',
  });
}

function build(): void {
  const dist = path.join(root, 'dist');
  fs.rmSync(dist, { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')],
    { stdio: 'inherit' },
  );
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // Every function the constructs bundle at synth, with the same runtime and options: health,
  // items, the ARC fence and health-check custom resource, and readiness (the drill's preflight
  // inside).
  for (const [folder, entry] of [
    [HEALTH_BUNDLE_FOLDER, 'health.ts'],
    [ITEMS_BUNDLE_FOLDER, 'items.ts'],
    [ARC_FENCE_BUNDLE_FOLDER, 'arc-fence.ts'],
    [ARC_HEALTH_CHECKS_BUNDLE_FOLDER, 'arc-health-checks.ts'],
    [READINESS_BUNDLE_FOLDER, 'readiness.ts'],
  ]) {
    bundleHealthHandler(path.join(dist, 'constructs', 'handlers', folder, 'index.js'), entry);
  }
  fs.cpSync(
    path.join(root, 'constructs', 'secret-host-handler'),
    path.join(dist, 'constructs', 'secret-host-handler'),
    { recursive: true },
  );
  console.log(`built ${path.relative(process.cwd(), dist) || '.'}`);
}

if (require.main === module) build();
