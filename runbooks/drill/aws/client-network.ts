// The client canary's network on this machine: the operator's DNS resolver and SigV4-signed
// HTTPS to the public names. Not an AWS SDK client: it measures what a user of the service lives.
import type { RDSClientConfig } from '@aws-sdk/client-rds';
import { DrillError } from '../errors';
import type { ClientNetworkApi } from './ports';

/** Signing credentials: the SDK clients' own chain (AwsClients.clientCredentials). */
export type SigningCredentials = NonNullable<RDSClientConfig['credentials']>;

/** This machine's resolver and HTTPS, requests signed with `credentials`. */
export function nodeClientNetwork(credentials: SigningCredentials): ClientNetworkApi {
  void credentials;
  const missing = () =>
    Promise.reject(
      new DrillError('USAGE', 'the client canary network is not built yet (work in progress)'),
    );
  return { resolve: missing, send: missing };
}
