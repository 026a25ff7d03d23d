import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient, type RDSClientConfig } from '@aws-sdk/client-rds';
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { Route53Client } from '@aws-sdk/client-route-53';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { ArcRegionSwitchClient } from '../../../constructs/aws-api/arc-region-switch';
import { FisClient } from '../../../constructs/aws-api/fis';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { version as CDK_VERSION } from 'aws-cdk-lib/package.json';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { DrillError } from '../errors';

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
  /**
   * Called with each client once it is made: `drill rehearse` adds the simulation's middleware
   * (runbooks/simulation/sdk.ts), so every call is answered in process.
   */
  readonly decorate?: (
    client:
      | RDSClient
      | RDSDataClient
      | Route53Client
      | CloudWatchClient
      | SSMClient
      | STSClient
      | ServiceQuotasClient
      | ArcRegionSwitchClient
      | FisClient,
  ) => void;
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

  serviceQuotas(region: string): ServiceQuotasClient {
    return this.get('servicequotas', region, (c) => new ServiceQuotasClient(c));
  }

  /** The regional STS endpoint (GetCallerIdentity: who runs the drill). */
  sts(region: string): STSClient {
    return this.get('sts', region, (c) => new STSClient(c));
  }

  /**
   * ARC Region switch on the data plane of `region` (the in-house signed client: no SDK client is
   * published). It takes no retry settings; the drill's polls run again on their own interval.
   */
  arc(region: string): ArcRegionSwitchClient {
    return this.get(
      'arc-region-switch',
      region,
      (c) =>
        new ArcRegionSwitchClient({
          region,
          credentials: this.clientCredentials(),
          ...(c.requestHandler ? { requestHandler: c.requestHandler as never } : {}),
        }),
    );
  }

  /**
   * FIS in `region` (the in-house signed client, constructs/aws-api): the same credentials and
   * request handler; it does not retry (the game day polls through transient errors) and reads
   * no endpoint variable.
   */
  fis(region: string): FisClient {
    return this.get(
      'fis',
      region,
      (c) =>
        new FisClient({
          region,
          credentials: this.clientCredentials(),
          ...(c.requestHandler ? { requestHandler: c.requestHandler as never } : {}),
        }),
    );
  }

  /**
   * The credentials the SDK clients use, for signing the client canary's requests: the same
   * chain (profile, MFA prompt) or, without settings, the SDK's default chain.
   */
  clientCredentials(): NonNullable<RDSClientConfig['credentials']> {
    const { profile } = this.settings;
    return this.credentials ?? defaultProvider(profile ? { profile } : {});
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
      this.settings.decorate?.(client as never);
      this.cache.set(key, client);
    }
    return client;
  }
}

type CommonConfig = Pick<
  RDSClientConfig,
  'region' | 'maxAttempts' | 'retryMode' | 'profile' | 'credentials' | 'requestHandler'
>;

/** Where the SDK reads profiles, and the profiles it finds there. */
export interface SharedProfiles {
  readonly configFile: string;
  readonly credentialsFile: string;
  readonly names: readonly string[];
}

function sectionNames(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split(/\r?\n/).flatMap((line) => {
    const m = /^\s*\[([^\]]+)\]\s*(?:[;#].*)?$/.exec(line);
    return m ? [m[1].trim()] : [];
  });
}

function expandHome(file: string): string {
  return file.startsWith('~/') ? path.join(os.homedir(), file.slice(2)) : file;
}

/**
 * The profiles of the shared config and credentials files, read as the SDK reads them:
 * `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/config` / `~/.aws/credentials`;
 * `[profile NAME]` (or `[default]`) in the config file, `[NAME]` in the credentials file
 * (AWS SDKs and Tools Reference Guide, "Shared config and credentials files", "Format of the
 * config file" and "Location of the shared files").
 */
export function sharedProfiles(env: NodeJS.ProcessEnv = process.env): SharedProfiles {
  const configFile = expandHome(env.AWS_CONFIG_FILE || path.join(os.homedir(), '.aws', 'config'));
  const credentialsFile = expandHome(
    env.AWS_SHARED_CREDENTIALS_FILE || path.join(os.homedir(), '.aws', 'credentials'),
  );
  const fromConfig = sectionNames(configFile).flatMap((s) => {
    if (s === 'default') return [s];
    const m = /^profile\s+(\S+)$/.exec(s);
    return m ? [m[1]] : [];
  });
  const names = [...new Set([...fromConfig, ...sectionNames(credentialsFile)])].sort();
  return { configFile, credentialsFile, names };
}

/** Refuses a `--profile` that neither shared file defines, before any SDK call. */
export function checkProfile(profile: string, env: NodeJS.ProcessEnv = process.env): void {
  const found = sharedProfiles(env);
  if (found.names.includes(profile)) return;
  throw new DrillError(
    'NO_CREDENTIALS',
    `--profile ${profile}: no such profile in ${found.configFile} ([profile ${profile}]) or ` +
      `${found.credentialsFile} ([${profile}]); ` +
      (found.names.length
        ? `the profiles there: ${found.names.join(', ')}`
        : 'neither file defines any profile'),
    {
      hint:
        `Check the name (\`aws configure list-profiles\`), or create it: \`aws configure sso --profile ${profile}\` ` +
        `or \`aws configure --profile ${profile}\` (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE choose other files)`,
    },
  );
}

/** Regions aws-cdk-lib knows, offline: the partitions' public, China, GovCloud and ISO regions. */
export function knownRegions(): readonly string[] {
  return RegionInfo.regions.map((r) => r.name);
}

/** Refuses a region option that is not an AWS region name this build knows. */
export function checkRegion(option: string, region: string, fix: string): void {
  const known = knownRegions();
  if (known.includes(region)) return;
  const prefix = region.split('-')[0];
  const near = known.filter((r) => r.startsWith(`${prefix}-`));
  const shape = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/.test(region)
    ? `is not an AWS region aws-cdk-lib ${CDK_VERSION} knows`
    : 'is not an AWS region name (like us-east-1)';
  throw new DrillError(
    'USAGE',
    `${option} ${region} ${shape}; ` +
      (near.length
        ? `the ${prefix}- regions are ${near.join(', ')}`
        : `it knows ${known.length} regions, e.g. us-east-1, eu-west-1, ap-southeast-2`),
    { hint: fix },
  );
}
