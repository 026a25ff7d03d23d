/**
 * Write fencing for ARC Region switch: the custom action Lambda block of a plan's activate and
 * deactivate workflows runs this in the DEACTIVATING region (`regionToRun: deactivatingRegion`),
 * and it sets that region's own drain switch to `true`, the value the health and items
 * functions read: the region's writer check fails and its items API refuses writes with 503
 * before the Aurora block moves the writer. It touches only its own region's SSM parameter (a
 * regional data-plane call), so it works while other regions are impaired.
 *
 * ARC skips custom Lambda blocks in ungraceful executions (ARC User Guide, "Custom action Lambda
 * execution block", How it works): then nothing runs this, and the data-plane design keeps
 * writes off the old region instead: its writer check passes only while its local cluster holds
 * the writer, and the items API commits only through the global writer endpoint.
 */
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { envReader, FunctionConfigError } from './lambda-http';

/** The variables the function reads (AWS_REGION is Lambda's). */
export const ARC_FENCE_ENV = {
  region: 'AWS_REGION',
  drainParameterName: 'DRAIN_PARAMETER_NAME',
} as const;

/** The value the health and items functions read as "drained" (see health.ts, items-service.ts). */
export const DRAINED_VALUE = 'true';

export interface ArcFenceConfig {
  readonly region: string;
  readonly drainParameterName: string;
}

/** Every configuration problem at once, so one redeploy fixes them all. */
export class ArcFenceConfigError extends FunctionConfigError {
  constructor(problems: readonly string[]) {
    super('ArcFenceConfigError', 'ARC fence', problems);
  }
}

export function readArcFenceConfig(env: NodeJS.ProcessEnv): ArcFenceConfig {
  const { problems, required } = envReader(env);
  const region = required(
    ARC_FENCE_ENV.region,
    'the region this function runs in (Lambda sets it)',
  );
  const drainParameterName = required(
    ARC_FENCE_ENV.drainParameterName,
    "the name of this region's SSM drain parameter (value 'true' or 'false')",
  );
  if (problems.length > 0) throw new ArcFenceConfigError(problems);
  return { region, drainParameterName };
}

/** What the function answers ARC (logged in the execution's events). */
export interface ArcFenceResult {
  readonly region: string;
  readonly drainParameterName: string;
  readonly drained: true;
}

/** Sets the drain switch of `config.region`; idempotent, so ARC's retries are safe. */
export async function fence(ssm: SSMClient, config: ArcFenceConfig): Promise<ArcFenceResult> {
  await ssm.send(
    new PutParameterCommand({
      Name: config.drainParameterName,
      Value: DRAINED_VALUE,
      Type: 'String',
      Overwrite: true,
    }),
  );
  console.log(
    `fenced ${config.region}: SSM parameter ${config.drainParameterName} set to '${DRAINED_VALUE}'`,
  );
  return { region: config.region, drainParameterName: config.drainParameterName, drained: true };
}

/** The Lambda entry point; the client is built on the first invocation, never at module load. */
export function createArcFenceHandler(
  makeClient: (region: string) => SSMClient = (region) => new SSMClient({ region }),
  env: NodeJS.ProcessEnv = process.env,
): (event: unknown) => Promise<ArcFenceResult> {
  let client: SSMClient | undefined;
  return async () => {
    const config = readArcFenceConfig(env);
    client ??= makeClient(config.region);
    return fence(client, config);
  };
}

export const handler = createArcFenceHandler();
