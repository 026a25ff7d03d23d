import { DrillError, errorText } from '../errors';
import { DRILL_IAM_ACTIONS, type AwsOperation } from './operations';

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number; requestId?: string };
  /** The raw HTTP response, which the SDK attaches (not enumerable) to its errors. */
  $response?: { headers?: Record<string, string | undefined> };
}

/**
 * `AWS_ENDPOINT_URL_<SERVICE>` of each service the drill calls: the SDK upper-cases the
 * client's serviceId and joins its words with `_` (AWS SDKs and Tools Reference Guide,
 * "Service-specific endpoints" and "Identifiers for service-specific endpoints").
 */
export const ENDPOINT_VARIABLES: Record<
  Exclude<AwsOperation['service'], 'arc-region-switch' | 'fis'>,
  string
> = {
  rds: 'AWS_ENDPOINT_URL_RDS',
  'rds-data': 'AWS_ENDPOINT_URL_RDS_DATA',
  route53: 'AWS_ENDPOINT_URL_ROUTE_53',
  cloudwatch: 'AWS_ENDPOINT_URL_CLOUDWATCH',
  ssm: 'AWS_ENDPOINT_URL_SSM',
  sts: 'AWS_ENDPOINT_URL_STS',
  servicequotas: 'AWS_ENDPOINT_URL_SERVICE_QUOTAS',
};

/** The SDK appends this when a response body is not the protocol's JSON or XML. */
const DESERIALIZATION_HINT = 'Deserialization error: to see the raw response';
/** What the SDK names an error whose body carries no AWS error code. */
const NO_ERROR_CODE = new Set(['Unknown', 'UnknownError']);

/**
 * True when the HTTP answer was not an AWS error response: the body did not parse (an HTML
 * page from a proxy or load balancer), or parsed without an error code (an empty body).
 */
function notAnAwsError(e: SdkErrorShape): boolean {
  if (e.$metadata?.httpStatusCode === undefined) return false;
  if (e.$fault === undefined && (e.message ?? '').includes(DESERIALIZATION_HINT)) return true;
  // REST-XML names a 404 without an error code 'NotFound' (from the status, not the body).
  return (
    (NO_ERROR_CODE.has(e.name ?? '') || e.name === 'NotFound') && NO_ERROR_CODE.has(e.message ?? '')
  );
}

function headerOf(e: SdkErrorShape, name: string): string | undefined {
  const headers = e.$response?.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** Which endpoint the SDK was told to use, from the variables it reads. */
function endpointText(
  service: AwsOperation['service'],
  region: string,
  env: NodeJS.ProcessEnv,
): string {
  // The in-house ARC client (constructs/aws-api) is no SDK client: it reads no endpoint variable.
  if (service === 'arc-region-switch')
    return `the ARC data plane arc-region-switch.${region}.api.aws`;
  // The in-house FIS client (constructs/aws-api) always calls fis.<region>.amazonaws.com.
  if (service === 'fis') return `the drill called fis.${region}.amazonaws.com`;
  const own = ENDPOINT_VARIABLES[service];
  if (env[own]) return `${own}=${env[own]}`;
  if (env.AWS_ENDPOINT_URL) return `AWS_ENDPOINT_URL=${env.AWS_ENDPOINT_URL} (${own} is not set)`;
  return (
    `neither ${own} nor AWS_ENDPOINT_URL is set, so the SDK called the AWS endpoint of ` +
    `${service} in ${region} unless endpoint_url is set in the profile`
  );
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
export function toDrillError(
  err: unknown,
  operation: AwsOperation,
  region: string,
  env: NodeJS.ProcessEnv = process.env,
): DrillError {
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
  if (status !== undefined && notAnAwsError(e)) {
    const serverSide = status >= 500;
    const requestId = e.$metadata?.requestId;
    const evidence = [
      `content-type ${headerOf(e, 'content-type') ?? 'none'}`,
      requestId ? `request id ${requestId}` : 'no AWS request id',
    ].join(', ');
    // Standard and adaptive retry modes retry HTTP 500, 502, 503 and 504 (AWS SDKs and Tools
    // Reference Guide, "Retry behavior"); other statuses are not retried.
    const retries = serverSide
      ? `The SDK retries HTTP 5xx answers (${attempts ?? 1} attempt(s) here; more with --max-attempts), ` +
        'and a waiting step polls through them until its timeout; rerun once the endpoint answers ' +
        '(a stopped drill continues with its resume command).'
      : `HTTP ${status} is not retried: fix the endpoint, then rerun (a stopped drill continues with its resume command).`;
    return new DrillError(
      'AWS_ERROR',
      `${where}: HTTP ${status}${afterRetries} with a body that is not an AWS error response ` +
        `(${evidence}): a proxy, a load balancer or an AWS-compatible endpoint answered, not the AWS API`,
      {
        hint:
          `Check what answered: ${endpointText(operation.service, region, env)}; any proxy or load balancer ` +
          `on the way (the drill configures no proxy itself); the health of ${operation.service} in ${region} ` +
          '(https://health.aws.amazon.com/health/status).\n' +
          retries,
        transient: serverSide,
        cause: err,
      },
    );
  }
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
  if (network) {
    hint =
      `Check this host's network access to ${operation.service} in ${region} (VPN, firewall, DNS); ` +
      'if it was a blip, wait a minute, then rerun (a stopped drill continues with its resume command)';
  } else if (transient) {
    hint =
      'This is usually temporary: wait a minute, then rerun (a stopped drill continues with its resume command)';
  } else if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    hint = `Grant the drill role ${operation.iamActions.join(', ')} (all actions: DRILL_IAM_ACTIONS, ${DRILL_IAM_ACTIONS.length} in total)`;
  } else {
    hint =
      'Check the message above and fix the cause, then rerun (a stopped drill continues with its resume command)';
  }
  return new DrillError('AWS_ERROR', `${where} ${kind}${afterRetries}: ${errorText(err)}`, {
    hint,
    transient,
    cause: err,
  });
}
