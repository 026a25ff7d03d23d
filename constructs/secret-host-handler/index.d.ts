// Types of index.js for the TypeScript tests; the Lambda runtime loads index.js alone.
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface SecretHostEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: {
    readonly SecretId: string;
    readonly GlobalEndpoint?: unknown;
  };
}

export function handler(
  event: SecretHostEvent,
): Promise<{ PhysicalResourceId?: string; Data?: { Host: string } }>;
export function rewriteHost(
  client: SecretsManagerClient,
  secretId: string,
  host: string,
): Promise<'unchanged' | 'rewritten'>;
export function rotationInProgress(secretId: string, versionId: string): string;
export function addressOf(globalEndpoint: unknown): string;
