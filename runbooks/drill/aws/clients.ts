import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient, type RDSClientConfig } from '@aws-sdk/client-rds';
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';

/** How every SDK client is built. */
export interface ClientSettings {
  /** A profile of the shared config/credentials files; default: the SDK's default chain. */
  readonly profile?: string;
  /** Attempts per call, first try included; the SDK retries throttling, 5xx and timeouts. */
  readonly maxAttempts: number;
  readonly retryMode: 'standard' | 'adaptive';
  /** Fixed credentials (tests and the benchmark); default: the SDK's chain. */
  readonly credentials?: RDSClientConfig['credentials'];
  /** An in-process request handler (tests); default: the SDK's HTTPS handler. */
  readonly requestHandler?: RDSClientConfig['requestHandler'];
  /**
   * Asks for the code of the MFA device a profile names (`mfa_serial`) when it assumes a role:
   * the drill roles require MFA of IAM users. Without it the SDK refuses such a profile.
   */
  readonly mfaCodeProvider?: (mfaSerial: string) => Promise<string>;
}

export const DEFAULT_CLIENT_SETTINGS: ClientSettings = { maxAttempts: 5, retryMode: 'adaptive' };

interface SdkClient {
  destroy(): void;
}

/**
 * One client per service and region, created on first use with an explicit region.
 * `endpoint` is never set, so `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` work as the SDK
 * documents them.
 */
export class AwsClients {
  private readonly cache = new Map<string, SdkClient>();

  /** One memoized credential chain for every client, so an MFA code is asked once per run. */
  private readonly credentials?: RDSClientConfig['credentials'];

  constructor(readonly settings: ClientSettings = DEFAULT_CLIENT_SETTINGS) {
    const { profile, mfaCodeProvider } = settings;
    // The SDK's default chain with an MFA prompt (credential-provider-node defaultProvider,
    // mfaCodeProvider: "called when a profile has mfa_serial set").
    this.credentials =
      settings.credentials ??
      (mfaCodeProvider
        ? defaultProvider({ ...(profile ? { profile } : {}), mfaCodeProvider })
        : undefined);
  }

  rds(region: string): RDSClient {
    return this.get('rds', region, (c) => new RDSClient(c));
  }

  rdsData(region: string): RDSDataClient {
    return this.get('rds-data', region, (c) => new RDSDataClient(c));
  }

  route53(region: string): Route53Client {
    return this.get('route53', region, (c) => new Route53Client(c));
  }

  cloudwatch(region: string): CloudWatchClient {
    return this.get('cloudwatch', region, (c) => new CloudWatchClient(c));
  }

  ssm(region: string): SSMClient {
    return this.get('ssm', region, (c) => new SSMClient(c));
  }

  /** The regional STS endpoint (GetCallerIdentity: who runs the drill). */
  sts(region: string): STSClient {
    return this.get('sts', region, (c) => new STSClient(c));
  }

  /** Closes every client's sockets so the process can exit promptly. */
  destroy(): void {
    for (const client of this.cache.values()) client.destroy();
    this.cache.clear();
  }

  private get<T extends SdkClient>(
    service: string,
    region: string,
    create: (config: CommonConfig) => T,
  ): T {
    const key = `${service}:${region}`;
    let client = this.cache.get(key) as T | undefined;
    if (!client) {
      const { profile, maxAttempts, retryMode, requestHandler } = this.settings;
      const credentials = this.credentials;
      client = create({
        region,
        maxAttempts,
        retryMode,
        ...(profile ? { profile } : {}),
        ...(credentials ? { credentials } : {}),
        ...(requestHandler ? { requestHandler } : {}),
      });
      this.cache.set(key, client);
    }
    return client;
  }
}

type CommonConfig = Pick<
  RDSClientConfig,
  'region' | 'maxAttempts' | 'retryMode' | 'profile' | 'credentials' | 'requestHandler'
>;
