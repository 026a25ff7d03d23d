import { DrillError, errorText } from '../errors';
import { DRILL_IAM_ACTIONS, type AwsOperation } from './operations';

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'TokenProviderError',
]);
const THROTTLING_ERRORS = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'PriorRequestNotComplete',
]);
const NETWORK_ERRORS = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Turns an SDK failure into a DrillError with a stable code and a next step. The SDK has
 * already retried throttling, 5xx and network errors by the time one reaches here.
 */
export function toDrillError(err: unknown, operation: AwsOperation, region: string): DrillError {
  if (err instanceof DrillError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  const name = e.name ?? '';
  const where = `${operation.service} ${operation.operation} in ${region}`;
  const attempts = e.$metadata?.attempts;
  const afterRetries = attempts && attempts > 1 ? ` (after ${attempts} attempts)` : '';

  if (CREDENTIAL_ERRORS.has(name) || /could not load credentials/i.test(e.message ?? '')) {
    return new DrillError(
      'NO_CREDENTIALS',
      `no usable AWS credentials for ${where}: ${errorText(err)}`,
      {
        hint:
          'Set credentials the SDK can find (AWS_PROFILE or --profile, environment variables, ' +
          'or `aws sso login` for an expired session), then rerun',
        cause: err,
      },
    );
  }
  if (name === 'GlobalClusterNotFoundFault') {
    return new DrillError('UNKNOWN_GLOBAL_CLUSTER', `${where}: ${errorText(err)}`, {
      hint:
        'Check the account and --profile, and the global cluster id (DrillDatabase output, ' +
        'or --global-cluster); list them with `aws rds describe-global-clusters`',
      cause: err,
    });
  }
  const status = e.$metadata?.httpStatusCode;
  const throttled = THROTTLING_ERRORS.has(name);
  const network = NETWORK_ERRORS.has(name) || NETWORK_ERRORS.has(e.code ?? '');
  const serverFault = e.$fault === 'server' || (status !== undefined && status >= 500);
  const transient = throttled || network || serverFault;
  const kind = throttled
    ? 'throttled'
    : network
      ? 'network failure'
      : serverFault
        ? 'AWS server error'
        : 'failed';
  let hint: string;
  if (transient) {
    hint =
      'This is usually temporary: wait a minute, then `drill resume` continues where it stopped';
  } else if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    hint = `Grant the drill role ${operation.iamActions.join(', ')} (all actions: DRILL_IAM_ACTIONS, ${DRILL_IAM_ACTIONS.length} in total)`;
  } else {
    hint = 'Check the message above; fix the cause, then `drill resume` continues where it stopped';
  }
  return new DrillError('AWS_ERROR', `${where} ${kind}${afterRetries}: ${errorText(err)}`, {
    hint,
    transient,
    cause: err,
  });
}
