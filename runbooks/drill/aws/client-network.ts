// The client canary's network on this machine: the operator's DNS resolver and SigV4-signed
// HTTPS to the public names. Not an AWS SDK client: it measures what a user of the service lives.
import type { RDSClientConfig } from '@aws-sdk/client-rds';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/transport';
import { SignatureV4 } from '@smithy/signature-v4';
import * as dnsPacket from 'dns-packet';
import { randomInt } from 'node:crypto';
import * as dgram from 'node:dgram';
import * as dns from 'node:dns';
import * as https from 'node:https';
import * as net from 'node:net';
import type {
  ClientHttpRequest,
  ClientHttpResponse,
  ClientNetworkApi,
  DnsAnswerView,
} from './ports';
import { normalizeHostname } from './ports';

/** Signing credentials: the SDK clients' own chain (AwsClients.clientCredentials). */
export type SigningCredentials = NonNullable<RDSClientConfig['credentials']>;

/** The SigV4 service name of API Gateway's invoke API (`execute-api:Invoke`). */
export const EXECUTE_API_SIGNING_NAME = 'execute-api';

/**
 * How long one DNS query may take before the next server is asked. glibc's stub resolver waits
 * 5 s and sends 2 attempts by default (resolv.conf(5), options timeout:n "the default is
 * RES_TIMEOUT (currently 5)" and attempts:n "the default is RES_DFLRETRY (currently 2)"): up to
 * 10 s, ten canary ticks at the default 1 s interval with no answer at all. The canary keeps the
 * 2 attempts but waits 2 s each, so a resolution that fails costs at most DNS_ATTEMPTS x 2 s,
 * inside one request timeout (CLIENT_REQUEST_TIMEOUT_MS, 5 s) and a few ticks.
 */
export const DEFAULT_DNS_TIMEOUT_MS = 2000;

/** Queries per resolution: glibc's default (resolv.conf(5), attempts:n), one retry. */
export const DNS_ATTEMPTS = 2;

/** A CNAME chain longer than this is a loop or a misconfiguration, never this deployment's. */
const MAX_CNAME_HOPS = 8;

/** Where requests go: node:https by default, another `request` (http, in tests) if given. */
export interface ClientTransport {
  readonly request: typeof https.request;
  /** @default 443 */
  readonly port?: number;
}

/** What tests (and an operator's unusual machine) may change; defaults are this machine's. */
export interface ClientNetworkOptions {
  /**
   * Resolvers, as `dns.getServers()` lists them (`1.2.3.4`, `1.2.3.4:5353`, `[::1]:53`).
   *
   * @default - dns.getServers(): the resolvers this machine's Node.js uses
   */
  readonly servers?: readonly string[];
  /** @default DEFAULT_DNS_TIMEOUT_MS */
  readonly dnsTimeoutMs?: number;
  /** @default - node:https on port 443 */
  readonly transport?: ClientTransport;
  /** The signing clock. @default - the system clock */
  readonly now?: () => Date;
}

/** This machine's resolver and HTTPS, requests signed with `credentials`. */
export function nodeClientNetwork(
  credentials: SigningCredentials,
  options: ClientNetworkOptions = {},
): ClientNetworkApi {
  const timeoutMs = options.dnsTimeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
  const transport = options.transport ?? { request: https.request };
  const now = options.now ?? (() => new Date());
  return {
    resolve: (name) => resolveA(name, options.servers ?? dns.getServers(), timeoutMs),
    send: (request) => sendSigned(request, credentials, transport, now),
  };
}

/** A resolver's address and port, from the forms `dns.getServers()` returns. */
export function parseServer(server: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (bracketed) return { host: bracketed[1], port: Number(bracketed[2] ?? 53) };
  if (net.isIP(server)) return { host: server, port: 53 };
  const colon = server.lastIndexOf(':');
  if (colon > 0 && net.isIPv4(server.slice(0, colon)) && /^\d+$/.test(server.slice(colon + 1))) {
    return { host: server.slice(0, colon), port: Number(server.slice(colon + 1)) };
  }
  throw new Error(`DNS server '${server}' is not an IP address with an optional port`);
}

/** A decoded message: dns-packet also sets `rcode` (its types omit it). */
type Answer = dnsPacket.DecodedPacket & { readonly rcode?: string };

/** A failed attempt that the next server may answer (timeout, SERVFAIL, a network error). */
class RetryableDnsError extends Error {}

/**
 * One query of type A with recursion desired, as a stub resolver sends it: UDP first, TCP when
 * the answer is truncated, one retry on the next server after a timeout or SERVFAIL. NXDOMAIN
 * is an answer: no retry. RFC 1035 4.1.1 (RD and TC bits), 4.2.1 (UDP, "messages carried by
 * UDP are restricted to 512 bytes"; longer ones set TC) and 4.2.2 (TCP, two-byte length prefix).
 */
async function resolveA(
  rawName: string,
  servers: readonly string[],
  timeoutMs: number,
): Promise<DnsAnswerView> {
  const name = normalizeHostname(rawName);
  if (servers.length === 0) {
    throw new Error(
      `cannot resolve ${name}: this machine has no DNS server configured (dns.getServers() is empty); configure a resolver and run the drill again`,
    );
  }
  const failures: string[] = [];
  // The first server, then one retry on the next (the same one when there is only one).
  const tried = Array.from({ length: DNS_ATTEMPTS }, (_, i) => servers[i % servers.length]);
  for (const server of tried) {
    try {
      return await queryServer(name, server, timeoutMs);
    } catch (err) {
      if (!(err instanceof RetryableDnsError)) throw err;
      failures.push(err.message);
    }
  }
  throw new Error(`cannot resolve ${name}: ${failures.join('; then ')}`);
}

async function queryServer(
  name: string,
  server: string,
  timeoutMs: number,
): Promise<DnsAnswerView> {
  const { host, port } = parseServer(server);
  const query: dnsPacket.Packet = {
    type: 'query',
    // An unpredictable id: an answer with another id is not taken (RFC 5452, forged answers).
    id: randomInt(0x10000),
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'A', class: 'IN', name }],
  };
  let answer: Answer = await overUdp(query, host, port, server, timeoutMs);
  if (answer.flag_tc) answer = await overTcp(query, host, port, server, timeoutMs);
  const rcode = answer.rcode ?? 'NOERROR';
  if (rcode === 'NXDOMAIN') {
    throw new Error(
      `cannot resolve ${name}: ${server} answered NXDOMAIN (no such name); check the domain name in the outputs and that the hosted zone is delegated`,
    );
  }
  if (rcode !== 'NOERROR') throw new RetryableDnsError(`${server} answered ${rcode}`);
  return chainOf(name, answer);
}

/** The CNAME chain from `name`, then the A records of its last target, each with its TTL. */
function chainOf(name: string, answer: Answer): DnsAnswerView {
  const records = (answer.answers ?? []).filter(
    (r): r is dnsPacket.StringAnswer => r.type === 'A' || r.type === 'CNAME',
  );
  const cnames: { name: string; target: string; ttlSeconds: number }[] = [];
  let current = name;
  for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
    const cname = records.find((r) => r.type === 'CNAME' && normalizeHostname(r.name) === current);
    if (!cname) break;
    const target = normalizeHostname(cname.data);
    // The TTL as this resolver answered it: "the time interval (in seconds) that the resource
    // record may be cached before it should be discarded" (RFC 1035 4.1.3); Route 53 answers
    // the record's own "resource record cache time to live (TTL), in seconds" (Route 53 API
    // Reference, ResourceRecordSet, TTL), a caching resolver what is left of it.
    cnames.push({ name: current, target, ttlSeconds: cname.ttl ?? 0 });
    current = target;
  }
  const addresses = records
    .filter((r) => r.type === 'A' && normalizeHostname(r.name) === current)
    .map((r) => ({ address: r.data, ttlSeconds: r.ttl ?? 0 }));
  return { cnames, addresses };
}

/** An answer to `query` (same id and question); other datagrams are ignored, as stub resolvers do. */
function isAnswerTo(query: dnsPacket.Packet, answer: dnsPacket.Packet): boolean {
  const asked = query.questions?.[0];
  const echoed = answer.questions?.[0];
  return (
    answer.type === 'response' &&
    answer.id === query.id &&
    echoed !== undefined &&
    asked !== undefined &&
    normalizeHostname(echoed.name) === asked.name &&
    echoed.type === asked.type
  );
}

/**
 * One exchange on a socket that settles once: with `resolve`/`fail` from `start`, at the first
 * socket error (`<label>: <message>`), or at the timeout (`silence`); each closes the socket.
 */
function exchange(
  label: string,
  silence: string,
  timeoutMs: number,
  open: () => dgram.Socket | net.Socket,
  start: (
    socket: dgram.Socket | net.Socket,
    resolve: (answer: Answer) => void,
    fail: (message: string) => void,
  ) => void,
): Promise<Answer> {
  return new Promise((settle, reject) => {
    const socket = open();
    const done = (finish: () => void) => {
      clearTimeout(timer);
      if (socket instanceof net.Socket) socket.destroy();
      else socket.close();
      finish();
    };
    const fail = (message: string) => done(() => reject(new RetryableDnsError(message)));
    const timer = setTimeout(() => fail(silence), timeoutMs);
    socket.on('error', (err: Error) => fail(`${label}: ${err.message}`));
    start(socket, (answer) => done(() => settle(answer)), fail);
  });
}

function overUdp(
  query: dnsPacket.Packet,
  host: string,
  port: number,
  server: string,
  timeoutMs: number,
): Promise<Answer> {
  return exchange(
    server,
    `${server} did not answer within ${timeoutMs} ms`,
    timeoutMs,
    () => dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4'),
    (socket, resolve) => {
      const udp = socket as dgram.Socket;
      udp.on('message', (message) => {
        let answer: Answer;
        try {
          answer = dnsPacket.decode(message);
        } catch {
          return; // not a DNS message: keep waiting for the answer
        }
        if (isAnswerTo(query, answer)) resolve(answer);
      });
      udp.send(dnsPacket.encode(query), port, host);
    },
  );
}

function overTcp(
  query: dnsPacket.Packet,
  host: string,
  port: number,
  server: string,
  timeoutMs: number,
): Promise<Answer> {
  const label = `${server} over TCP`;
  return exchange(
    label,
    `${server} did not answer over TCP within ${timeoutMs} ms`,
    timeoutMs,
    () => net.connect({ host, port }),
    (socket, resolve, fail) => {
      const tcp = socket as net.Socket;
      let received = Buffer.alloc(0);
      tcp.on('connect', () => tcp.write(dnsPacket.streamEncode(query)));
      tcp.on('data', (chunk) => {
        received = Buffer.concat([received, chunk]);
        if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
        let answer: Answer;
        try {
          // streamDecode decodes as decode does; its types say only Packet.
          answer = dnsPacket.streamDecode(received) as Answer;
        } catch (err) {
          fail(`${label}: ${(err as Error).message}`);
          return;
        }
        if (isAnswerTo(query, answer)) resolve(answer);
        else fail(`${label} answered another query`);
      });
    },
  );
}

/**
 * One request to the items API, signed as API Gateway's IAM authorization requires: "clients
 * must use Signature Version 4 (SigV4) to sign their requests", and the caller needs
 * `execute-api:Invoke` on the route (API Gateway Developer Guide, "Control access to HTTP APIs
 * with IAM authorization"). The credential scope names one region (IAM User Guide, "Elements
 * of an AWS API request signature": `<date>/<region>/<service>/aws4_request`), so the request is
 * signed for the region of the answer it goes to. It connects to `request.address`, the canary's
 * cached answer, never a fresh lookup; TLS SNI and Host carry the public name (the custom
 * domain's certificate and API mapping).
 */
async function sendSigned(
  request: ClientHttpRequest,
  credentials: SigningCredentials,
  transport: ClientTransport,
  now: () => Date,
): Promise<ClientHttpResponse> {
  const signer = new SignatureV4({
    service: EXECUTE_API_SIGNING_NAME,
    region: request.signingRegion,
    credentials,
    sha256: Sha256,
  });
  const body = request.body;
  const unsigned = new HttpRequest({
    method: request.method,
    protocol: 'https:',
    hostname: request.hostname,
    path: request.path,
    headers: {
      ...Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
      host: request.hostname,
      ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
    },
    body,
  });
  const signed = await signer.sign(unsigned, { signingDate: now() });
  const where = `${request.method} https://${request.hostname}${request.path} via ${request.address}`;
  return new Promise((resolve, reject) => {
    const family = net.isIP(request.address);
    const req = transport.request(
      {
        method: request.method,
        host: request.hostname,
        servername: request.hostname,
        port: transport.port ?? 443,
        path: request.path,
        headers: signed.headers,
        // The cached answer's address: Node.js asks `lookup` for the host (with `all` when it
        // tries several addresses), and gets only this one.
        lookup: ((_hostname: string, opts: { all?: boolean }, callback: LookupCallback) => {
          if (opts?.all) callback(null, [{ address: request.address, family }]);
          else callback(null, request.address, family);
        }) as unknown as net.LookupFunction,
        // A new connection per request: each goes to the address of the answer cached when it
        // is sent, not to a kept-alive socket of an earlier answer.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => fail(err));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: Object.fromEntries(
              Object.entries(res.headers)
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : String(v)]),
            ),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      req.destroy();
      reject(new Error(`${where}: ${err.message}`));
    };
    // The whole exchange, connect to the last byte of the body, within the bound.
    const timer = setTimeout(
      () => fail(new Error(`no complete answer within ${request.timeoutMs} ms`)),
      request.timeoutMs,
    );
    req.on('error', fail);
    req.end(body);
  });
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | { address: string; family: number }[],
  family?: number,
) => void;
