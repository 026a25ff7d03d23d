/**
 * A small SigV4-signed JSON client for the AWS APIs this project calls that have no usable
 * AWS SDK v3 package on the npm registry it installs from: ARC Region switch
 * (`@aws-sdk/client-arc-region-switch` is not published there) and FIS (only a 2024 release
 * with its own copy of the SDK core). It is a smithy `Client` with `Command`s, so
 * `aws-sdk-client-mock`, the drill's client settings and the simulation's middleware treat it
 * like any SDK client. It does not retry: callers do (the drill re-runs steps on AWS_ERROR).
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { Client, Command } from '@smithy/core/client';
import { HttpRequest } from '@smithy/core/transport';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  Handler,
  HttpHandlerOptions,
  MetadataBearer,
  MiddlewareStack,
  RequestHandler,
} from '@smithy/types';

/** How one service is reached and signed. */
export interface JsonServiceDescription {
  /** The client's name in errors and in the middleware context (`ArcRegionSwitchClient`). */
  readonly clientName: string;
  /** SigV4 signing name. */
  readonly signingName: string;
}

/** What a caller sets on a client. */
export interface SignedJsonClientConfig {
  /** The region the client calls (a data plane's region). */
  readonly region: string;
  /** Credentials; default: the SDK's default chain (environment, profile, SSO, instance role). */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** An in-process request handler (tests); default: Node.js HTTPS. */
  readonly requestHandler?: RequestHandler<HttpRequest, unknown, HttpHandlerOptions>;
}

/** The resolved configuration every command sees. */
export interface SignedJsonResolvedConfig {
  readonly region: () => Promise<string>;
  readonly credentials: AwsCredentialIdentityProvider;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly requestHandler: RequestHandler<any, any, HttpHandlerOptions>;
  readonly apiVersion: string;
  readonly service: JsonServiceDescription;
  /** The endpoint and signing region of a call (control-plane calls may go elsewhere). */
  readonly endpointFor: (plane: Plane) => {
    readonly hostname: string;
    readonly signingRegion: string;
  };
}

/** Data plane (in the client's region) or the service's control plane. */
export type Plane = 'data' | 'control';

/** One HTTP exchange of an operation. */
export interface JsonRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly plane?: Plane;
}

/** An error answer of the service, with AWS's error code as `name`. */
export class AwsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string };

  constructor(name: string, message: string, httpStatusCode: number, requestId?: string) {
    super(message);
    this.name = name;
    this.$fault = httpStatusCode >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode, ...(requestId ? { requestId } : {}) };
  }
}

/** A client of one JSON service: commands describe their request, this signs and sends it. */
export class SignedJsonClient<I extends object, O extends MetadataBearer> extends Client<
  HttpHandlerOptions,
  I,
  O,
  SignedJsonResolvedConfig
> {
  constructor(
    config: SignedJsonClientConfig,
    service: JsonServiceDescription,
    apiVersion: string,
    endpointFor: (region: string, plane: Plane) => { hostname: string; signingRegion: string },
  ) {
    const credentials = config.credentials ?? defaultProvider();
    super({
      region: async () => config.region,
      credentials: typeof credentials === 'function' ? credentials : async () => credentials,
      requestHandler: config.requestHandler ?? new NodeHttpHandler(),
      apiVersion,
      service,
      endpointFor: (plane) => endpointFor(config.region, plane),
    });
  }
}

/** One operation: its input, how it maps to HTTP, and its output. */
export abstract class JsonCommand<
  Input extends object,
  Output extends MetadataBearer,
> extends Command<Input, Output, SignedJsonResolvedConfig> {
  /** The operation's name in the API reference (`StartPlanExecution`). */
  abstract readonly operation: string;

  constructor(readonly input: Input) {
    super();
  }

  /** The HTTP request of this operation for `input`. */
  protected abstract request(input: Input): JsonRequest;

  resolveMiddleware(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    clientStack: MiddlewareStack<any, any>,
    config: SignedJsonResolvedConfig,
  ): Handler<Input, Output> {
    const stack = clientStack.concat(
      this.middlewareStack as unknown as MiddlewareStack<object, MetadataBearer>,
    );
    const send = async (args: { input: object }) => {
      const output = await sendSigned(config, this.request(args.input as Input));
      return { output: output as Output, response: undefined };
    };
    return stack.resolve(send as never, {
      clientName: config.service.clientName,
      commandName: `${this.operation}Command`,
    }) as unknown as Handler<Input, Output>;
  }
}

async function sendSigned(config: SignedJsonResolvedConfig, request: JsonRequest): Promise<object> {
  const { hostname, signingRegion } = config.endpointFor(request.plane ?? 'data');
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  const unsigned = new HttpRequest({
    method: request.method,
    protocol: 'https:',
    hostname,
    path: request.path,
    headers: {
      host: hostname,
      ...(body !== undefined
        ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }
        : {}),
      ...request.headers,
    },
    ...(body !== undefined ? { body } : {}),
  });
  const signer = new SignatureV4({
    service: config.service.signingName,
    region: signingRegion,
    credentials: config.credentials,
    sha256: Sha256,
  });
  const signed = await signer.sign(unsigned);
  const { response } = await config.requestHandler.handle(signed as HttpRequest);
  const status: number = response.statusCode;
  const text = await readBody(response.body);
  const requestId = response.headers?.['x-amzn-requestid'];
  const parsed = parseBody(text, status >= 300);
  if (status >= 300) throw serviceError(parsed, response.headers ?? {}, status, requestId);
  return { ...parsed, $metadata: { httpStatusCode: status, ...(requestId ? { requestId } : {}) } };
}

/**
 * The error code of a JSON protocol answer: the `X-Amzn-Errortype` header or the body's
 * `__type`/`code`, with any namespace (`aws.protocoltests#`) and `:suffix` removed (Smithy
 * "AWS JSON 1.0 protocol", "Operation error serialization").
 */
function serviceError(
  body: Record<string, unknown>,
  headers: Record<string, string>,
  status: number,
  requestId?: string,
): AwsServiceError {
  const raw = String(headers['x-amzn-errortype'] ?? body.__type ?? body.code ?? `HTTP${status}`);
  const name = raw.split(':')[0].split('#').pop() ?? raw;
  const message = String(body.message ?? body.Message ?? `HTTP ${status}`);
  return new AwsServiceError(name, message, status, requestId);
}

/** The JSON body; an error answer that is not JSON (a proxy's HTML 503) keeps its text as message. */
function parseBody(text: string, isError: boolean): Record<string, unknown> {
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    if (isError) return { message: text.slice(0, 200) };
    throw err;
  }
}

async function readBody(body: unknown): Promise<string> {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
