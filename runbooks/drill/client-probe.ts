// One look, before a drill, at what the client canary will need: this machine's resolver
// answers the public names with a region's target, and one signed read through app. reaches
// the items API. Not an AWS API call: the client canary's own network (aws.client).
import { DRILL_ROLE_OUTPUT_KEYS, ITEM_ROUTES } from '../../constructs/contract';
import { normalizeHostname, type ClientNetworkApi, type DnsAnswerView } from './aws/ports';
import { CLIENT_REQUEST_TIMEOUT_MS } from './client-canary';
import { clientItemId } from './client-model';
import type { Clock } from './clock';
import type { DrillTopology } from './discovery';
import { errorText } from './errors';

/** The drill id of the probe's item outside a drill (`drill preflight`, a dry run). */
export const PROBE_DRILL_ID = 'preflight';

/** What the resolver answered for one name. */
export interface ProbedName {
  readonly name: string;
  /** The chain's last CNAME target. */
  readonly target?: string;
  /** The region whose target that is. */
  readonly region?: string;
  readonly address?: string;
  readonly error?: string;
}

/** The probe's one request: its status, or the error when no response came. */
export interface ProbedRequest {
  readonly method: 'GET';
  readonly path: string;
  readonly address: string;
  readonly region: string;
  readonly status?: number;
  /** The gateway's or the service's message, or why no response came. */
  readonly error?: string;
}

export type ClientProbe =
  | { readonly skipped: string }
  | { readonly write: ProbedName; readonly app: ProbedName; readonly request?: ProbedRequest };

/** `work`, or a rejection after `ms` on the drill's clock (a hung resolver or socket). */
async function bounded<T>(clock: Clock, work: Promise<T>, ms: number, what: string): Promise<T> {
  const timer = new AbortController();
  work.catch(() => undefined);
  const timeout = clock
    .sleep(ms, timer.signal)
    .then(() => Promise.reject(new Error(`no ${what} within ${ms} ms`)));
  timeout.catch(() => undefined);
  try {
    return await Promise.race([work, timeout]);
  } finally {
    timer.abort();
  }
}

async function resolveName(
  network: ClientNetworkApi,
  topology: DrillTopology,
  clock: Clock,
  name: string,
): Promise<ProbedName> {
  let view: DnsAnswerView;
  try {
    view = await bounded(clock, network.resolve(name), CLIENT_REQUEST_TIMEOUT_MS, 'DNS answer');
  } catch (err) {
    return { name, error: errorText(err) };
  }
  const last = view.cnames.at(-1);
  const target = last ? normalizeHostname(last.target) : undefined;
  const region = target
    ? topology.regions.find(
        (r) =>
          normalizeHostname(r.writeTarget) === target || normalizeHostname(r.appTarget) === target,
      )?.region
    : undefined;
  const address = view.addresses[0]?.address;
  return {
    name,
    ...(target !== undefined ? { target } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(address !== undefined ? { address } : {}),
  };
}

/**
 * Resolves `write.` and `app.` through the client canary's resolver, then sends one signed
 * `GET /items/<clientItemId(drillId, 0)>` through `app.`: an item no canary wrote, so the
 * service's 404 proves DNS, TLS, SigV4 and `execute-api:Invoke` without writing anything.
 */
export async function probeClient(
  network: ClientNetworkApi,
  topology: DrillTopology,
  clock: Clock,
  drillId: string = PROBE_DRILL_ID,
): Promise<ClientProbe> {
  if (typeof network.unavailable === 'string') return { skipped: network.unavailable };
  const [write, app] = await Promise.all([
    resolveName(network, topology, clock, topology.writeHostname),
    resolveName(network, topology, clock, topology.appHostname),
  ]);
  if (app.region === undefined || app.address === undefined) return { write, app };
  const path = ITEM_ROUTES.read.path.replace('{id}', encodeURIComponent(clientItemId(drillId, 0)));
  const base = { method: 'GET' as const, path, address: app.address, region: app.region };
  try {
    const response = await bounded(
      clock,
      network.send({
        method: 'GET',
        hostname: topology.appHostname,
        address: app.address,
        path,
        signingRegion: app.region,
        headers: {},
        timeoutMs: CLIENT_REQUEST_TIMEOUT_MS,
      }),
      CLIENT_REQUEST_TIMEOUT_MS,
      'response',
    );
    const message = messageOf(response.body);
    return {
      write,
      app,
      request: {
        ...base,
        status: response.status,
        ...(message !== undefined ? { error: message } : {}),
      },
    };
  } catch (err) {
    return { write, app, request: { ...base, error: errorText(err) } };
  }
}

/** The `message` (API Gateway) or `error` (the items function) of a JSON body, if any. */
function messageOf(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') {
      const { message, error } = parsed as Record<string, unknown>;
      const text = typeof message === 'string' ? message : typeof error === 'string' ? error : '';
      return text.trim() || undefined;
    }
  } catch {
    // Not JSON: the status says enough.
  }
  return undefined;
}

/**
 * What to do when the items API answered 403: the caller lacks `execute-api:Invoke`. "API Gateway
 * invokes your API route only if the client has execute-api permission for the route" (API
 * Gateway Developer Guide, "Control access to HTTP APIs with IAM authorization"); a caller
 * without it gets 403 (AWS re:Post Knowledge Center, "How do I troubleshoot HTTP 403 errors from
 * API Gateway?", "not authorized to perform: execute-api:Invoke"). A signature scoped to the
 * wrong region is refused with 403 too, so that case gets the same advice: a drill role's profile.
 */
export function notAllowedToInvoke(topology: DrillTopology): string {
  return (
    'the caller may not invoke the items API (execute-api:Invoke): the drill roles have it ' +
    `(${DRILL_ROLE_OUTPUT_KEYS.operator} and ${DRILL_ROLE_OUTPUT_KEYS.failover} in ${topology.source}); ` +
    'run with --profile <a profile that assumes one of them>'
  );
}

/** What to suspect when a request got no response: the path to the service, not AWS. */
export function noResponseCause(error: string | undefined): string {
  return `the network, a proxy or this machine's resolver is the likely cause (${error ?? 'no error recorded'})`;
}
