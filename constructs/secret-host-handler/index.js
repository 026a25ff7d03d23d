'use strict';
// Custom resource handler: rewrites only the `host` field of a database secret's current
// version, keeping the password and every other field. Plain JavaScript so that the
// CustomResourceProvider can ship this folder as is; the Node.js Lambda runtimes include
// the AWS SDK for JavaScript v3 (Lambda Developer Guide, "Building Lambda functions with
// Node.js", SDK versions included in the runtime).
const {
  SecretsManagerClient,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
} = require('@aws-sdk/client-secrets-manager');

/** The message for a deploy that meets a rotation in progress. */
function rotationInProgress(secretId, versionId) {
  return (
    `secret ${secretId} is being rotated (version ${versionId} is AWSPENDING, not AWSCURRENT); ` +
    'wait for the rotation to finish (aws secretsmanager describe-secret --secret-id ' +
    `${secretId}), then deploy again`
  );
}

/**
 * Sets `host` in the AWSCURRENT version to `host` and returns what it did. A pending rotation
 * is refused: the rotation function copies AWSCURRENT into AWSPENDING when it starts, so a
 * host written meanwhile would be lost when the rotation finishes
 * (Secrets Manager User Guide, "How rotation works").
 */
async function rewriteHost(client, secretId, host) {
  const described = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  for (const [versionId, stages] of Object.entries(described.VersionIdsToStages ?? {})) {
    if (stages.includes('AWSPENDING') && !stages.includes('AWSCURRENT')) {
      throw new Error(rotationInProgress(secretId, versionId));
    }
  }
  const current = await client.send(
    new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }),
  );
  let value;
  try {
    value = JSON.parse(current.SecretString ?? '');
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(
      `secret ${secretId} does not hold a JSON object; restore its AWSCURRENT version to the ` +
        'database secret (username, password, host, port, ...) and deploy again',
    );
  }
  if (value.host === host) return 'unchanged';
  // PutSecretValue moves AWSCURRENT to the new version; replicas receive it
  // (Secrets Manager User Guide, "Replicate secrets across Regions").
  await client.send(
    new PutSecretValueCommand({
      SecretId: secretId,
      SecretString: JSON.stringify({ ...value, host }),
    }),
  );
  return 'rewritten';
}

/** The address of the global cluster's GlobalEndpoint return value ({ Address }). */
function addressOf(globalEndpoint) {
  const address = globalEndpoint && globalEndpoint.Address;
  if (typeof address !== 'string' || address === '') {
    throw new Error(
      `GlobalEndpoint must be the global cluster's GlobalEndpoint return value ({"Address": "..."}), got: ${JSON.stringify(globalEndpoint)}; ` +
        'check that the global cluster exists and has a writer, then deploy again',
    );
  }
  return address;
}

async function handler(event) {
  const physicalId = `${event.ResourceProperties.SecretId}|host`;
  // Deleting the resource leaves the secret as it is: the host stays the global writer endpoint.
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const secretId = event.ResourceProperties.SecretId;
  const host = addressOf(event.ResourceProperties.GlobalEndpoint);
  const outcome = await rewriteHost(new SecretsManagerClient({}), secretId, host);
  console.log(`host of ${secretId}: ${outcome}`);
  return { PhysicalResourceId: physicalId, Data: { Host: host } };
}

module.exports = { handler, rewriteHost, rotationInProgress, addressOf };
