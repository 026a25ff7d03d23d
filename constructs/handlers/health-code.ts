import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/** The health function's runtime; the prebuilt bundle targets the same Node.js version. */
export const HEALTH_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** How esbuild bundles health.ts, at synth from this source tree and in `npm run build`. */
export const HEALTH_BUNDLING = {
  minify: true,
  sourceMap: false,
  bundleAwsSDK: true,
  // pg loads its optional native binding only when asked to; it is not installed.
  externalModules: ['pg-native'],
} as const satisfies nodejs.BundlingOptions;

/** The bundle's folder beside the compiled constructs (`npm run build` writes it). */
export const HEALTH_BUNDLE_FOLDER = 'health-bundle';

/** The items function's bundle folder (same runtime and bundling options as health). */
export const ITEMS_BUNDLE_FOLDER = 'items-bundle';

/** The readiness function's bundle folder (same runtime and bundling options as health). */
export const READINESS_BUNDLE_FOLDER = 'readiness-bundle';

/** The NodejsFunction props that say where the health function's code comes from. */
export type HealthFunctionCode = Pick<
  nodejs.NodejsFunctionProps,
  'entry' | 'handler' | 'runtime' | 'bundling' | 'code'
>;

/**
 * Where the health function's code comes from, for the module at `moduleFile` (this file).
 *
 * From the TypeScript source (this repository: jest, tsx, `cdk synth`), NodejsFunction bundles
 * health.ts with esbuild at synth. From the compiled package (an app that installed it), the
 * code is the bundle `npm run build` made with the same options: a consumer's synth needs
 * neither esbuild nor Docker, which NodejsFunction would otherwise look for (aws-cdk-lib,
 * aws-lambda-nodejs README, "Local bundling"), and deploys the code this package was tested with.
 */
export function healthFunctionCode(moduleFile: string = __filename): HealthFunctionCode {
  return functionCode(moduleFile, 'health', HEALTH_BUNDLE_FOLDER);
}

/** Where the items function's code comes from: as {@link healthFunctionCode}, for items.ts. */
export function itemsFunctionCode(moduleFile: string = __filename): HealthFunctionCode {
  return functionCode(moduleFile, 'items', ITEMS_BUNDLE_FOLDER);
}

/**
 * Where the readiness function's code comes from: as {@link healthFunctionCode}, for
 * readiness.ts (which bundles the drill's preflight module it runs).
 */
export function readinessFunctionCode(moduleFile: string = __filename): HealthFunctionCode {
  return functionCode(moduleFile, 'readiness', READINESS_BUNDLE_FOLDER);
}

function functionCode(moduleFile: string, name: string, folder: string): HealthFunctionCode {
  const dir = path.dirname(moduleFile);
  if (path.extname(moduleFile) === '.ts') {
    return {
      entry: path.join(dir, `${name}.ts`),
      handler: 'handler',
      runtime: HEALTH_RUNTIME,
      bundling: HEALTH_BUNDLING,
    };
  }
  const bundle = path.join(dir, folder);
  const file = path.join(bundle, 'index.js');
  if (!fs.existsSync(file)) {
    throw new Error(
      `the ${name} function's prebuilt bundle ${file} is missing: install the published package, or run \`npm run build\` in its source checkout`,
    );
  }
  return { code: lambda.Code.fromAsset(bundle), handler: 'index.handler', runtime: HEALTH_RUNTIME };
}
