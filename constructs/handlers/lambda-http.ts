/**
 * What the service's Lambda functions behind the HTTP API share: the response shape, JSON
 * answers, an environment reader that collects every problem, and the entry point that builds
 * the service on a container's first request (never at module load).
 */

/** An HTTP API (payload 2.0) response. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/** A JSON answer that no cache keeps. */
export function json(
  statusCode: number,
  body: unknown,
  extra: Record<string, string> = {},
): HttpResponse {
  return { statusCode, headers: { ...JSON_HEADERS, ...extra }, body: JSON.stringify(body) };
}

/** Reads environment variables and collects every problem, so one redeploy fixes them all. */
export function envReader(env: NodeJS.ProcessEnv) {
  const problems: string[] = [];
  /** The trimmed value, or undefined when unset or empty. */
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === '' ? undefined : raw;
  };
  /** The value; when unset, a problem that says what to set it to. */
  const required = (name: string, what: string): string => {
    const v = value(name);
    if (v === undefined) problems.push(`${name} is not set: set it to ${what}`);
    return v ?? '';
  };
  return { problems, value, required };
}

/** Every configuration problem of one function at once, so one redeploy fixes them all. */
export abstract class FunctionConfigError extends Error {
  constructor(
    name: string,
    what: string,
    readonly problems: readonly string[],
  ) {
    super(`${what} configuration is invalid: ${problems.join('; ')}`);
    // A literal, not the class's name: the bundle is minified.
    this.name = name;
  }
}

/** An error carrying every configuration problem. */
type ConfigErrorClass = abstract new (...args: never[]) => Error & {
  readonly problems: readonly string[];
};

/**
 * The Lambda entry point: builds the service on the first request of a container; a bad
 * configuration is read again on each request (cheap), so it shows in every answer until fixed.
 */
export function lazyHandler<Event, Service>(props: {
  readonly build: () => Service;
  readonly handle: (service: Service, event: Event) => Promise<HttpResponse>;
  readonly configError: ConfigErrorClass;
  /** Logged before an unexpected error. */
  readonly failure: string;
}): (event: Event) => Promise<HttpResponse> {
  let service: Service | undefined;
  return async (event) => {
    try {
      service ??= props.build();
      return await props.handle(service, event);
    } catch (err) {
      if (err instanceof props.configError) {
        console.error(err.message);
        return json(500, { error: err.message, problems: err.problems });
      }
      console.error(props.failure, err);
      return json(500, { error: 'internal error' });
    }
  };
}
