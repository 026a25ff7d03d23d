import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsCaller } from './caller';
import type { AwsClients } from './clients';
import { AWS_OPERATIONS as ops } from './operations';
import type { IdentityApi } from './ports';

/** The operator's identity, from STS in `homeRegion`. */
export function stsIdentity(
  clients: AwsClients,
  caller: AwsCaller,
  homeRegion: string,
): IdentityApi {
  return {
    async caller() {
      const out = await caller.call(ops.getCallerIdentity, homeRegion, () =>
        clients.sts(homeRegion).send(new GetCallerIdentityCommand({})),
      );
      return { arn: out.Arn ?? '', account: out.Account ?? '', userId: out.UserId ?? '' };
    },
  };
}
