import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/transport';
import { SignatureV4 } from '@smithy/signature-v4';
import * as dnsPacket from 'dns-packet';
import { execFileSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_DNS_TIMEOUT_MS,
  DNS_ATTEMPTS,
  nodeClientNetwork,
  parseServer,
  type ClientNetworkOptions,
} from '../../runbooks/drill/aws/client-network';
import { CLIENT_REQUEST_TIMEOUT_MS } from '../../runbooks/drill/client-canary';
import type { ClientHttpRequest } from '../../runbooks/drill/aws/ports';

/** A resolver on 127.0.0.1: UDP, and TCP on the same port; `answer` returns null to stay silent. */
interface FakeResolver {
  readonly server: string;
  readonly udpQueries: dnsPacket.DecodedPacket[];
  readonly tcpQueries: dnsPacket.Packet[];
  close(): Promise<void>;
}

type Responder = (query: dnsPacket.DecodedPacket) => dnsPacket.Packet | null;

const open: FakeResolver[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

async function fakeResolver(udp: Responder, tcp: Responder = udp): Promise<FakeResolver> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  const udpQueries: dnsPacket.DecodedPacket[] = [];
  const tcpQueries: dnsPacket.Packet[] = [];
  socket.on('message', (message, from) => {
    const query = dnsPacket.decode(message);
    udpQueries.push(query);
    const answer = udp(query);
    if (answer) socket.send(dnsPacket.encode(answer), from.port, from.address);
  });
  const tcpServer = net.createServer((conn) => {
    conn.on('data', (data) => {
      const query = dnsPacket.streamDecode(data) as dnsPacket.DecodedPacket;
      tcpQueries.push(query);
      const answer = tcp(query);
      if (answer) conn.end(dnsPacket.streamEncode(answer));
    });
  });
  await new Promise<void>((resolve) => tcpServer.listen(port, '127.0.0.1', resolve));
  const resolver: FakeResolver = {
    server: `127.0.0.1:${port}`,
    udpQueries,
    tcpQueries,
    close: () =>
      new Promise((resolve) => {
        socket.close();
        tcpServer.close(() => resolve());
      }),
  };
  open.push(resolver);
  return resolver;
}

const APP = 'app.example.test';
const TARGET = 'd-abc123.execute-api.eu-west-1.amazonaws.com';

/** A response to `query`: app. is a CNAME to the target (TTL 60), the target has two addresses. */
function chainAnswer(
  query: dnsPacket.Packet,
  extra: Partial<dnsPacket.Packet> = {},
): dnsPacket.Packet {
  return {
    type: 'response',
    id: query.id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: query.questions,
    answers: [
      { type: 'CNAME', name: APP, ttl: 60, data: TARGET },
      { type: 'A', name: TARGET, ttl: 42, data: '192.0.2.10' },
      { type: 'A', name: TARGET, ttl: 41, data: '192.0.2.11' },
    ],
    ...extra,
  };
}

function withRcode(query: dnsPacket.Packet, rcode: number): dnsPacket.Packet {
  return {
    type: 'response',
    id: query.id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode,
    questions: query.questions,
  };
}

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
};

function network(options: ClientNetworkOptions) {
  return nodeClientNetwork(CREDENTIALS, options);
}

describe('resolve: one A query to the resolver, the CNAME chain and addresses with their TTLs', () => {
  test('GIVEN a resolver answering a CNAME chain WHEN resolving THEN the chain and addresses keep each TTL, from one query with recursion desired', async () => {
    const resolver = await fakeResolver((q) => chainAnswer(q));

    const answer = await network({ servers: [resolver.server] }).resolve('App.Example.Test.');

    expect(answer).toEqual({
      cnames: [{ name: APP, target: TARGET, ttlSeconds: 60 }],
      addresses: [
        { address: '192.0.2.10', ttlSeconds: 42 },
        { address: '192.0.2.11', ttlSeconds: 41 },
      ],
    });
    expect(resolver.udpQueries).toHaveLength(1);
    expect(resolver.udpQueries[0].flag_rd).toBe(true);
    expect(resolver.udpQueries[0].questions).toEqual([{ type: 'A', class: 'IN', name: APP }]);
    expect(resolver.tcpQueries).toHaveLength(0);
  });

  test('GIVEN a two-hop chain (write. to standby.write. to the target) THEN every hop is listed in order', async () => {
    const resolver = await fakeResolver((q) => ({
      type: 'response',
      id: q.id,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: q.questions,
      answers: [
        { type: 'A', name: TARGET, ttl: 30, data: '192.0.2.20' },
        { type: 'CNAME', name: 'standby.write.example.test', ttl: 55, data: TARGET },
        { type: 'CNAME', name: 'write.example.test', ttl: 60, data: 'standby.write.example.test' },
      ],
    }));

    const answer = await network({ servers: [resolver.server] }).resolve('write.example.test');

    expect(answer).toEqual({
      cnames: [
        { name: 'write.example.test', target: 'standby.write.example.test', ttlSeconds: 60 },
        { name: 'standby.write.example.test', target: TARGET, ttlSeconds: 55 },
      ],
      addresses: [{ address: '192.0.2.20', ttlSeconds: 30 }],
    });
  });

  test('GIVEN a truncated UDP answer (TC bit) THEN the query is repeated over TCP and its answer is returned', async () => {
    const resolver = await fakeResolver(
      (q) => ({ ...withRcode(q, 0), flags: dnsPacket.TRUNCATED_RESPONSE }),
      (q) => chainAnswer(q),
    );

    const answer = await network({ servers: [resolver.server] }).resolve(APP);

    expect(resolver.udpQueries).toHaveLength(1);
    expect(resolver.tcpQueries).toHaveLength(1);
    expect(answer.addresses.map((a) => a.address)).toEqual(['192.0.2.10', '192.0.2.11']);
  });

  test('GIVEN a datagram that answers another query first THEN it is ignored and the real answer is used', async () => {
    // A resolver that first sends an answer with another id (a late or spoofed datagram).
    const resolver = await fakeResolver(() => null);
    const relay = dgram.createSocket('udp4');
    await new Promise<void>((r) => relay.bind(0, '127.0.0.1', r));
    relay.on('message', (message, from) => {
      const q = dnsPacket.decode(message);
      const otherId = ((q.id ?? 0) + 1) & 0xffff;
      relay.send(dnsPacket.encode(chainAnswer(q, { id: otherId })), from.port, from.address);
      const real = chainAnswer(q, {
        answers: [{ type: 'A', name: APP, ttl: 5, data: '192.0.2.99' }],
      });
      relay.send(dnsPacket.encode(real), from.port, from.address);
    });

    try {
      const answer = await network({
        servers: [`127.0.0.1:${relay.address().port}`, resolver.server],
      }).resolve(APP);
      expect(answer).toEqual({ cnames: [], addresses: [{ address: '192.0.2.99', ttlSeconds: 5 }] });
      expect(resolver.udpQueries).toHaveLength(0);
    } finally {
      relay.close();
    }
  });

  test('GIVEN NXDOMAIN THEN the error names the name and the server, and no other server is asked', async () => {
    const first = await fakeResolver((q) => withRcode(q, 3));
    const second = await fakeResolver((q) => chainAnswer(q));

    await expect(network({ servers: [first.server, second.server] }).resolve(APP)).rejects.toThrow(
      new Error(
        `cannot resolve app.example.test: ${first.server} answered NXDOMAIN (no such name); check the domain name in the outputs and that the hosted zone is delegated`,
      ),
    );
    expect(first.udpQueries).toHaveLength(1);
    expect(second.udpQueries).toHaveLength(0);
  });

  test('GIVEN SERVFAIL from the first server THEN the next server is asked once and its answer returned', async () => {
    const first = await fakeResolver((q) => withRcode(q, 2));
    const second = await fakeResolver((q) => chainAnswer(q));

    const answer = await network({ servers: [first.server, second.server] }).resolve(APP);

    expect(answer.cnames[0].target).toBe(TARGET);
    expect(first.udpQueries).toHaveLength(1);
    expect(second.udpQueries).toHaveLength(1);
  });

  test('GIVEN SERVFAIL from both servers THEN the error names the name and each server', async () => {
    const first = await fakeResolver((q) => withRcode(q, 2));
    const second = await fakeResolver((q) => withRcode(q, 2));

    await expect(network({ servers: [first.server, second.server] }).resolve(APP)).rejects.toThrow(
      new Error(
        `cannot resolve app.example.test: ${first.server} answered SERVFAIL; then ${second.server} answered SERVFAIL`,
      ),
    );
  });

  test('GIVEN a resolver that never answers THEN it is asked twice (one retry) and the timeout names the name and server', async () => {
    const silent = await fakeResolver(() => null);

    await expect(
      network({ servers: [silent.server], dnsTimeoutMs: 100 }).resolve(APP),
    ).rejects.toThrow(
      new Error(
        `cannot resolve app.example.test: ${silent.server} did not answer within 100 ms; then ${silent.server} did not answer within 100 ms`,
      ),
    );
    expect(silent.udpQueries).toHaveLength(DNS_ATTEMPTS);
  });

  test("GIVEN the defaults THEN a resolution that gets no answer ends within one request timeout (glibc's 5 s x 2 attempts would take ten 1 s ticks)", () => {
    expect(DNS_ATTEMPTS).toBe(2);
    expect(DEFAULT_DNS_TIMEOUT_MS * DNS_ATTEMPTS).toBeLessThanOrEqual(CLIENT_REQUEST_TIMEOUT_MS);
  });

  test('GIVEN two resolvers that never answer THEN each is asked once, in order', async () => {
    const first = await fakeResolver(() => null);
    const second = await fakeResolver(() => null);

    await expect(
      network({ servers: [first.server, second.server], dnsTimeoutMs: 100 }).resolve(APP),
    ).rejects.toThrow(
      new Error(
        `cannot resolve app.example.test: ${first.server} did not answer within 100 ms; then ${second.server} did not answer within 100 ms`,
      ),
    );
    expect([first.udpQueries.length, second.udpQueries.length]).toEqual([1, 1]);
  });

  test('GIVEN no DNS server on the machine THEN the error says so and what to do', async () => {
    await expect(network({ servers: [] }).resolve(APP)).rejects.toThrow(
      new Error(
        'cannot resolve app.example.test: this machine has no DNS server configured (dns.getServers() is empty); configure a resolver and run the drill again',
      ),
    );
  });
});

describe('parseServer: the forms dns.getServers() returns', () => {
  test.each([
    ['192.0.2.53', { host: '192.0.2.53', port: 53 }],
    ['192.0.2.53:5353', { host: '192.0.2.53', port: 5353 }],
    ['2001:db8::53', { host: '2001:db8::53', port: 53 }],
    ['[2001:db8::53]:5353', { host: '2001:db8::53', port: 5353 }],
    ['[::1]', { host: '::1', port: 53 }],
  ])('%s', (server, expected) => {
    expect(parseServer(server)).toEqual(expected);
  });

  test('GIVEN a name instead of an address THEN the error names it', () => {
    expect(() => parseServer('resolver.example')).toThrow(
      new Error("DNS server 'resolver.example' is not an IP address with an optional port"),
    );
  });
});

/** An HTTP server on 127.0.0.1 that records each request with its body. */
interface Received {
  readonly method?: string;
  readonly url?: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly localAddress?: string;
}

async function fakeApi(
  handle: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void,
): Promise<{ port: number; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body,
        localAddress: req.socket.localAddress,
      });
      handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const SIGNING_DATE = new Date('2026-12-01T16:00:00Z');

/** The Authorization a verifier computes from the received request's signed headers and body. */
async function expectedAuthorization(got: Received, signedHeaders: string[], region: string) {
  const headers = Object.fromEntries(signedHeaders.map((h) => [h, String(got.headers[h])]));
  const verifier = new SignatureV4({
    service: 'execute-api',
    region,
    credentials: CREDENTIALS,
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: got.method,
    protocol: 'https:',
    hostname: String(got.headers.host),
    path: got.url,
    headers,
    body: got.body,
  });
  const signed = await verifier.sign(request, { signingDate: SIGNING_DATE });
  return signed.headers.authorization;
}

function put(overrides: Partial<ClientHttpRequest> = {}): ClientHttpRequest {
  return {
    method: 'PUT',
    // A reserved name that resolves nowhere: only the given address can be reached.
    hostname: 'write.example.test',
    address: '127.0.0.1',
    path: '/items/drill-d1-7',
    signingRegion: 'eu-west-1',
    headers: { 'Idempotency-Key': 'drill-d1-7', 'content-type': 'application/json' },
    body: '{"value":"canary 7"}',
    timeoutMs: 2000,
    ...overrides,
  };
}

describe('send: a SigV4-signed request to the cached address, its whole answer read', () => {
  test('GIVEN a write WHEN sent THEN it reaches the given address with Host, a SigV4 execute-api scope for the answer region, x-amz-date and the body', async () => {
    const api = await fakeApi((_req, res) => {
      res.writeHead(503, { 'Retry-After': '10', 'content-type': 'application/json' });
      res.end('{"error":"drained"}');
    });
    try {
      const response = await network({
        transport: { request: http.request, port: api.port },
        now: () => SIGNING_DATE,
      }).send(put());

      expect(response).toEqual({
        status: 503,
        headers: expect.objectContaining({
          'retry-after': '10',
          'content-type': 'application/json',
        }),
        body: '{"error":"drained"}',
      });
      expect(api.received).toHaveLength(1);
      const [got] = api.received;
      expect(got.localAddress).toBe('127.0.0.1');
      expect(got.method).toBe('PUT');
      expect(got.url).toBe('/items/drill-d1-7');
      expect(got.body).toBe('{"value":"canary 7"}');
      expect(got.headers.host).toBe('write.example.test');
      expect(got.headers['idempotency-key']).toBe('drill-d1-7');
      expect(got.headers['x-amz-date']).toBe('20261201T160000Z');
      expect(got.headers['x-amz-security-token']).toBe('session-token');
      const authorization = String(got.headers.authorization);
      expect(authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261201\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
      );
      const signed = /SignedHeaders=([^,]+)/.exec(authorization)![1].split(';');
      expect(signed).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'idempotency-key']));
      // What arrived is what was signed: API Gateway recomputes the signature from the request.
      expect(await expectedAuthorization(got, signed, 'eu-west-1')).toBe(authorization);
    } finally {
      await api.close();
    }
  });

  test('GIVEN two regions WHEN the same request is signed for each THEN each scope names its region', async () => {
    const api = await fakeApi((_req, res) => res.end('{}'));
    try {
      const client = network({
        transport: { request: http.request, port: api.port },
        now: () => SIGNING_DATE,
      });
      await client.send(put({ method: 'GET', body: undefined, signingRegion: 'us-west-2' }));
      await client.send(put({ method: 'GET', body: undefined, signingRegion: 'eu-west-1' }));

      const scopes = api.received.map(
        (r) =>
          /Credential=AKIDEXAMPLE\/(\d{8}\/[^/]+\/[^/]+\/aws4_request)/.exec(
            String(r.headers.authorization),
          )?.[1],
      );
      expect(scopes).toEqual([
        '20261201/us-west-2/execute-api/aws4_request',
        '20261201/eu-west-1/execute-api/aws4_request',
      ]);
      expect(api.received.map((r) => r.body)).toEqual(['', '']);
    } finally {
      await api.close();
    }
  });

  test('GIVEN a server that sends its headers but never finishes the body THEN the request is aborted at the timeout', async () => {
    const api = await fakeApi((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
    });
    try {
      await expect(
        network({ transport: { request: http.request, port: api.port } }).send(
          put({ timeoutMs: 150 }),
        ),
      ).rejects.toThrow(
        new Error(
          'PUT https://write.example.test/items/drill-d1-7 via 127.0.0.1: no complete answer within 150 ms',
        ),
      );
    } finally {
      await api.close();
    }
  });

  test('GIVEN nothing listening at the address THEN the error names the request, the address and the cause', async () => {
    const api = await fakeApi((_req, res) => res.end());
    const { port } = api;
    await api.close();

    await expect(
      network({ transport: { request: http.request, port } }).send(put()),
    ).rejects.toThrow(
      new Error(
        `PUT https://write.example.test/items/drill-d1-7 via 127.0.0.1: connect ECONNREFUSED 127.0.0.1:${port}`,
      ),
    );
  });
});

/** A self-signed certificate for `name`, made with openssl at test time (no key is committed). */
function selfSigned(name: string): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canary-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        `/CN=${name}`,
        '-addext',
        `subjectAltName=DNS:${name}`,
      ],
      { stdio: 'ignore' },
    );
    return {
      key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('send over TLS: the public name as SNI and as the name the certificate must hold', () => {
  async function tlsApi(certName: string) {
    const { key, cert } = selfSigned(certName);
    const servernames: (string | false | null)[] = [];
    const server = https.createServer({ key, cert }, (req, res) => {
      servernames.push((req.socket as import('node:tls').TLSSocket).servername);
      req.resume();
      req.on('end', () => res.end('{"ok":true}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    // The default transport, trusting only this test's certificate.
    const request = ((
      options: https.RequestOptions,
      callback?: (res: http.IncomingMessage) => void,
    ) => https.request({ ...options, ca: cert }, callback)) as typeof https.request;
    return {
      servernames,
      client: network({ transport: { request, port } }),
      port,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  test('GIVEN a server whose certificate names write.<domain> THEN the request connects to the address, sends SNI write.<domain> and verifies the certificate', async () => {
    const api = await tlsApi('write.example.test');
    try {
      const response = await api.client.send(put());
      expect(response.status).toBe(200);
      expect(response.body).toBe('{"ok":true}');
      expect(api.servernames).toEqual(['write.example.test']);
    } finally {
      await api.close();
    }
  });

  test("GIVEN a certificate for another name THEN the request fails with TLS's reason", async () => {
    const api = await tlsApi('other.example.test');
    try {
      await expect(api.client.send(put())).rejects.toThrow(
        new Error(
          "PUT https://write.example.test/items/drill-d1-7 via 127.0.0.1: Hostname/IP does not match certificate's altnames: Host: write.example.test. is not in the cert's altnames: DNS:other.example.test",
        ),
      );
      expect(api.servernames).toEqual([]);
    } finally {
      await api.close();
    }
  });
});
