// The readiness function's Lambda entry point (constructs/readiness-check.ts): the
// environment the construct sets, the SDK clients, one run (readiness-run.ts).
import { READINESS_ENV } from '../contract';
import { AwsClients } from '../../runbooks/drill/aws/clients';
import { systemClock } from '../../runbooks/drill/clock';
import { runReadiness, type OutputParameter, type ReadinessResult } from './readiness-run';

/** The function's settings, from its environment; every problem names the variable. */
export function readinessSettings(env: NodeJS.ProcessEnv): {
  region: string;
  homeRegion: string;
  outputParameters: OutputParameter[];
} {
  const region = env.AWS_REGION;
  const homeRegion = env[READINESS_ENV.homeRegion];
  const raw = env[READINESS_ENV.outputParameters];
  const problems: string[] = [];
  if (!region) problems.push('AWS_REGION is not set (Lambda sets it)');
  if (!homeRegion) problems.push(`${READINESS_ENV.homeRegion} is not set`);
  let outputParameters: OutputParameter[] = [];
  try {
    outputParameters = JSON.parse(raw ?? '') as OutputParameter[];
    if (!Array.isArray(outputParameters) || outputParameters.length === 0) throw new Error();
  } catch {
    problems.push(
      `${READINESS_ENV.outputParameters} must be a JSON list of the Drill* output parameters, got: ${raw ?? '(not set)'}`,
    );
  }
  if (problems.length > 0) {
    throw new Error(
      `readiness function environment: ${problems.join('; ')}; redeploy the service stack`,
    );
  }
  return { region: region!, homeRegion: homeRegion!, outputParameters };
}

/** Runs once per schedule; a thrown error leaves no datapoint, which the alarm treats as not ready. */
export async function handler(): Promise<ReadinessResult> {
  const clients = new AwsClients({ maxAttempts: 3, retryMode: 'standard' });
  try {
    const result = await runReadiness({
      ...readinessSettings(process.env),
      clients,
      clock: systemClock,
    });
    console.log(JSON.stringify(result));
    return result;
  } finally {
    clients.destroy();
  }
}
