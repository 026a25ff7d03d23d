import { DrillError } from '../errors';
import type { ClientSettings } from './clients';

/** What sts:GetCallerIdentity answers (STS API Reference, GetCallerIdentity, Response Elements). */
export interface CallerIdentityOutput {
  readonly Arn?: string;
  readonly Account?: string;
  readonly UserId?: string;
}

/** The one STS call the drill makes, behind an interface so tests serve it from the fake. */
export interface CallerIdentitySource {
  getCallerIdentity(region: string): Promise<CallerIdentityOutput>;
}

// @aws-sdk/client-sts is not a dependency yet: it is loaded by name, so the CLI builds and runs
// without it (the operator is then not recorded). Once it is added at the version line of the
// other clients, import STSClient and GetCallerIdentityCommand statically and add `sts(region)`
// to AwsClients.
const STS_MODULE = '@aws-sdk/client-sts';

interface StsModule {
  STSClient: new (config: object) => { send(command: object): Promise<CallerIdentityOutput> };
  GetCallerIdentityCommand: new (input: object) => object;
}

/** GetCallerIdentity through the SDK's STS client, built like every other client. */
export function sdkCallerIdentitySource(settings: ClientSettings): CallerIdentitySource {
  return {
    async getCallerIdentity(region) {
      let sts: StsModule;
      try {
        sts = (await import(STS_MODULE)) as StsModule;
      } catch {
        throw new DrillError(
          'AWS_ERROR',
          `sts GetCallerIdentity in ${region}: ${STS_MODULE} is not installed`,
          { hint: `Add ${STS_MODULE} to the dependencies to record who runs a drill` },
        );
      }
      const { profile, maxAttempts, retryMode, credentials, requestHandler } = settings;
      const client = new sts.STSClient({
        region,
        maxAttempts,
        retryMode,
        ...(profile ? { profile } : {}),
        ...(credentials ? { credentials } : {}),
        ...(requestHandler ? { requestHandler } : {}),
      });
      try {
        return await client.send(new sts.GetCallerIdentityCommand({}));
      } finally {
        (client as unknown as { destroy(): void }).destroy();
      }
    },
  };
}
