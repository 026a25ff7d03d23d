// The client-canary preflight check and `--no-client-canary`, through the harness: a drill whose
// client cannot reach the items API is refused before it changes anything, and an operator can
// run a drill without the client canary, with the report saying why there are no client figures.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  ClientHttpRequest,
  ClientNetworkApi,
  DnsAnswerView,
} from '../../runbooks/drill/aws/ports';
import { CLIENT_REQUEST_TIMEOUT_MS } from '../../runbooks/drill/client-canary';
import { gatewayError } from './fake-aws';
import {
  drillIds,
  failWithoutCredentials,
  mutatingCalls,
  PRIMARY,
  readJournal,
  readRecordFile,
  SECONDARY,
  useFakeAws,
} from './harness';

const h = useFakeAws();

const TITLE =
  'the client canary resolves write.example.com and app.example.com and a signed read through app.example.com reaches the items API';
/** The probe's read: a GET of an item no canary writes (seq 0). */
const isProbe = (r: ClientHttpRequest) => r.method === 'GET' && r.path.endsWith('-0');
const probeOf = (drillId: string, address = '192.0.2.3') =>
  `GET /items/drill-${drillId}-0 through app.example.com (${address}, ${PRIMARY})`;
const invokeHint = () =>
  'the caller may not invoke the items API (execute-api:Invoke): the drill roles have it ' +
  `(DrillOperatorRoleArn and DrillFailoverRoleArn in ${h.outputsFile}); ` +
  'run with --profile <a profile that assumes one of them>';

/** The world's client network, with each request changed by `change` before it is sent. */
function rewritten(change: (r: ClientHttpRequest) => ClientHttpRequest): ClientNetworkApi {
  const client = h.world.client;
  return {
    resolve: (name) => client.resolve(name),
    send: (r) => client.send(change(r)),
  };
}

/** The refused drill's one failed check line, as the PREFLIGHT_FAILED error prints it. */
async function refusedWith(deps: Parameters<typeof h.run>[1] = {}) {
  const result = await h.run(h.switchover(), deps);
  const [drillId] = drillIds(h.stateDir);
  return { result, drillId };
}

describe('preflight check client-canary', () => {
  test('GIVEN the fakes THEN it passes: both names answer a region and the read gets 404', async () => {
    const result = await h.run(h.switchover());
    const [drillId] = drillIds(h.stateDir);

    expect(result.code).toBe(0);
    const checks = readRecordFile(h.stateDir, drillId).preflight!;
    expect(checks.find((c) => c.id === 'client-canary')).toEqual({
      id: 'client-canary',
      title: TITLE,
      ok: true,
      reason:
        `write.example.com -> ${h.world.deployed(PRIMARY).writeTarget} (${PRIMARY}); ` +
        `app.example.com -> ${h.world.deployed(PRIMARY).appTarget} (${PRIMARY}); ` +
        `${probeOf(drillId)}: 404 (DNS, TLS, SigV4 and execute-api:Invoke work)`,
    });
    // The probe's item is one no canary writes (seq 0): it reads, never writes.
    const probes = h.world.client.sent.filter((s) => s.request.path.endsWith(`${drillId}-0`));
    expect(probes.map((s) => [s.request.method, s.status])).toEqual([['GET', 404]]);
  });

  test('GIVEN requests signed for another region THEN the drill is refused with the 403 text, nothing changed', async () => {
    const { result, drillId } = await refusedWith({
      clientNetwork: rewritten((r) => ({ ...r, signingRegion: 'eu-west-1' })),
    });

    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      `  - client-canary: ${TITLE}: ${probeOf(drillId)}: 403 (Credential should be scoped to a valid region.): ${invokeHint()}\n`,
    );
    expect(mutatingCalls(h.world)).toEqual([]);
  });

  test('GIVEN the gateway answers 403 (no execute-api:Invoke) THEN the check fails naming the drill roles and --profile', async () => {
    h.world.client.faults.gateway = (r) =>
      isProbe(r) ? gatewayError(403, 'Forbidden') : undefined;

    const result = await h.run(['preflight']);

    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/│ client-canary +│ FAIL +│/);
    const { result: drill, drillId } = await refusedWith();
    expect(drill.stderr).toContain(
      `  - client-canary: ${TITLE}: ${probeOf(drillId)}: 403 (Forbidden): ${invokeHint()}\n`,
    );
  });

  test('GIVEN the read hangs (a black hole, a proxy) THEN the check fails with the no-response text and the error', async () => {
    h.world.client.faults.hang = isProbe;

    const { result, drillId } = await refusedWith();

    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      `  - client-canary: ${TITLE}: ${probeOf(drillId)}: no response: the network, a proxy or this machine's resolver is the likely cause (no response within ${CLIENT_REQUEST_TIMEOUT_MS} ms)\n`,
    );
  });

  test('GIVEN the resolver fails for app. (blocked UDP 53) THEN the check fails naming the name and error, and sends no request', async () => {
    h.world.client.faults.resolve = (name) =>
      name === 'app.example.com' ? new Error('queryA ETIMEOUT app.example.com') : undefined;

    const { result } = await refusedWith();

    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      `  - client-canary: ${TITLE}: app.example.com: queryA ETIMEOUT app.example.com\n`,
    );
    expect(h.world.client.sent).toEqual([]);
  });

  describe.each<[string, () => DnsAnswerView, (target: string) => string]>([
    ['no CNAME', () => ({ cnames: [], addresses: [] }), () => 'app.example.com: no CNAME answer'],
    [
      "a chain to none of this deployment's targets",
      () => ({
        cnames: [{ name: 'app.example.com', target: 'd-elsewhere.example.net', ttlSeconds: 60 }],
        addresses: [{ address: '198.51.100.7', ttlSeconds: 60 }],
      }),
      () =>
        "app.example.com -> d-elsewhere.example.net, none of this deployment's regions' targets",
    ],
    [
      'a target without addresses',
      () => ({
        cnames: [
          { name: 'app.example.com', target: h.world.deployed(PRIMARY).appTarget, ttlSeconds: 60 },
        ],
        addresses: [],
      }),
      (target) => `app.example.com -> ${target} (${PRIMARY}) answered no address`,
    ],
  ])('GIVEN the resolver answers app. with %s', (_name, answer, text) => {
    test('THEN the check fails naming the answer, and sends no request', async () => {
      h.world.client.faults.resolve = (name) => (name === 'app.example.com' ? answer() : undefined);

      const { result } = await refusedWith();

      expect(result.code).toBe(4);
      expect(result.stderr).toContain(
        `  - client-canary: ${TITLE}: ${text(h.world.deployed(PRIMARY).appTarget)}\n`,
      );
      expect(h.world.client.sent).toEqual([]);
    });
  });

  test('GIVEN the service answers 500 THEN the check fails with the status, expecting 404', async () => {
    h.world.client.faults.gateway = (r) =>
      isProbe(r) ? gatewayError(500, 'Internal Server Error') : undefined;

    const { result, drillId } = await refusedWith();

    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      `  - client-canary: ${TITLE}: ${probeOf(drillId)}: 500 (Internal Server Error), expected 404 (no canary wrote that item)\n`,
    );
  });

  test('GIVEN a network that says it is unavailable THEN the check passes as skipped, with its reason', async () => {
    const result = await h.run(h.switchover(), {
      clientNetwork: {
        ...h.world.client,
        resolve: (n) => h.world.client.resolve(n),
        send: (r) => h.world.client.send(r),
        unavailable: 'no client network on this host',
      },
    });
    const [drillId] = drillIds(h.stateDir);

    expect(result.code).toBe(0);
    expect(
      readRecordFile(h.stateDir, drillId).preflight!.find((c) => c.id === 'client-canary'),
    ).toEqual({
      id: 'client-canary',
      title: TITLE,
      ok: true,
      reason: 'skipped: no client network on this host',
    });
  });

  test('GIVEN a dry run without credentials THEN the check is listed and the client network is not touched', async () => {
    failWithoutCredentials(h.world);

    const result = await h.run(['switchover', '--to', SECONDARY]);

    expect(result.code).toBe(10);
    expect(result.stdout).toContain(`  - client-canary: ${TITLE}\n`);
    expect(h.world.client.queries).toEqual([]);
    expect(h.world.client.sent).toEqual([]);
  });
});

describe('--no-client-canary', () => {
  const OFF = 'the operator turned the client canary off (--no-client-canary)';

  test('GIVEN a dry run with the flag THEN the check is skipped and no client request is sent', async () => {
    const result = await h.run(['switchover', '--to', SECONDARY, '--no-client-canary']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /│ client-canary +│ pass +│ skipped: the client canary is turned off/,
    );
    expect(result.stdout).toContain(
      'timings: poll every 10s, step timeout 15m, canary every 1s; client canary turned off (--no-client-canary)',
    );
    expect(h.world.client.queries).toEqual([]);
  });

  test('GIVEN a drill with the flag THEN the canary never runs, verify-client-writes is skipped saying why, and the report says the client figures were not measured', async () => {
    const result = await h.run(h.switchover('--no-client-canary'));
    const [drillId] = drillIds(h.stateDir);

    expect(result.code).toBe(0);
    expect(h.world.client.queries).toEqual([]);
    expect(h.world.client.sent).toEqual([]);
    const record = readRecordFile(h.stateDir, drillId);
    expect(record.preflight!.find((c) => c.id === 'client-canary')).toMatchObject({
      ok: true,
      reason: 'skipped: the client canary is turned off (--no-client-canary)',
    });
    expect(record.steps.find((s) => s.id === 'verify-client-writes')).toMatchObject({
      status: 'skipped',
      summary: `no client write to wait for: ${OFF}`,
    });
    expect(record.timing.clientCanary).toBe(false);
    expect(record.measures.client).toBeUndefined();
    expect(record.measures.clientNotMeasured).toBe(OFF);

    const report = await h.run(['report', '--drill-id', drillId, '--format', 'md']);
    expect(report.code).toBe(0);
    const md = fs.readFileSync(path.join(h.stateDir, drillId, 'report.md'), 'utf8');
    expect(md).toMatch(new RegExp(`\\| RTO 900 s [^\\n]*\\| not measured: ${escape(OFF)} \\|`));
    expect(md).toMatch(new RegExp(`\\| RPO 30 s [^\\n]*\\| not measured: ${escape(OFF)} \\|`));
  });

  test('GIVEN a drill stopped with the flag WHEN resumed without it THEN it keeps the canary off; given again it stays off', async () => {
    h.world.promotionStuck = true;
    const started = await h.run(h.switchover('--no-client-canary', '--timeout', 'wait-writer=1m'));
    expect(started.code).toBe(7);
    const [drillId] = drillIds(h.stateDir);

    const dry = await h.run(['resume']);
    expect(dry.stdout).toContain(
      'timings: poll every 5.0s, step timeout 5m 00s (wait-writer=1m 00s), canary every 1.0s; client canary turned off (--no-client-canary)',
    );

    const again = await h.run(['resume', '--no-client-canary']);
    expect(again.stdout).toContain(
      'canary every 1.0s; client canary turned off (--no-client-canary)',
    );

    h.world.promotionStuck = false;
    const resumed = await h.run(['resume', '--execute', '--yes']);

    expect(resumed.code).toBe(0);
    expect(h.world.client.sent).toEqual([]);
    expect(readJournal(h.stateDir, drillId).find((e) => e.type === 'resumed')).toMatchObject({
      timing: { clientCanary: false },
    });
    const record = readRecordFile(h.stateDir, drillId);
    expect(record.steps.find((s) => s.id === 'verify-client-writes')).toMatchObject({
      status: 'skipped',
      summary: `no client write to wait for: ${OFF}`,
    });
    expect(record.measures.clientNotMeasured).toBe(OFF);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
