// Step verify-client-writes through the harness: the drill waits until the client canary, whose
// cached answer of write.<domain> lasts the record's TTL, has a write acknowledged by the new
// writer, so the client write RTO is measured instead of "still failing".
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DrillAws } from '../../runbooks/drill/aws/ports';
import { ClientCanary } from '../../runbooks/drill/client-canary';
import type {
  ClientLogEntry,
  ClientRequestSample,
  DnsObservation,
} from '../../runbooks/drill/client-model';
import { formatDuration } from '../../runbooks/drill/duration';
import { DEFAULT_TIMING } from '../../runbooks/drill/model';
import type { DrillRecord } from '../../runbooks/drill/record';
import { planView, type StepContext } from '../../runbooks/drill/steps';
import { verifyClientWritesStep } from '../../runbooks/drill/steps/verify-client-writes';
import { canaryLeftoverLines, nextLines } from './canary-leftover';
import { clientLogBuilder, templateTtl } from './client-log';
import { FULL_TTL } from './fake-aws';
import {
  drillIds,
  NO_CLIENT_NETWORK,
  PRIMARY,
  readRecordFile,
  SECONDARY,
  useFakeAws,
} from './harness';

const h = useFakeAws();
const STEP = 'verify-client-writes';

function clientLog(drillId: string): ClientLogEntry[] {
  return fs
    .readFileSync(path.join(h.stateDir, drillId, 'client.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ClientLogEntry);
}

const stepOf = (record: DrillRecord, id: string) => record.steps.find((s) => s.id === id)!;
const iso = (ms: number) => new Date(ms).toISOString();

/** The drill's record, its client log, and the moments the step is judged against. */
function outcome(drillId: string) {
  const record = readRecordFile(h.stateDir, drillId);
  const log = clientLog(drillId);
  const writeAnswers = log.filter(
    (e): e is DnsObservation => e.type === 'dns' && e.path === 'write' && !e.error,
  );
  const writes = log.filter(
    (e): e is ClientRequestSample => e.type === 'request' && e.path === 'write',
  );
  return {
    record,
    step: stepOf(record, STEP),
    writes,
    firstAnswer: writeAnswers[0],
    fencedAt: Date.parse(stepOf(record, 'fence').finishedAt!),
    writerMovedAt: Date.parse(stepOf(record, 'wait-writer').finishedAt!),
  };
}

describe.each(['switchover', 'failover'] as const)(
  'a %s: the drill waits for a client write through the new writer',
  (kind) => {
    test('THEN the client write RTO is measured, at least the TTL left at the fence, and the step says when and through which target', async () => {
      const result = await h.run(kind === 'switchover' ? h.switchover() : h.failover());
      const drillId = drillIds(h.stateDir)[0];
      const { record, step, writes, firstAnswer, fencedAt, writerMovedAt } = outcome(drillId);
      const target = h.world.deployed(SECONDARY).writeTarget;
      const ttl = templateTtl(h.world.topology.writeHostname);

      expect(result.code).toBe(0);
      // The first acknowledged write through the new answer: sent when the first answer expired.
      const first = writes.find((w) => w.ok && w.targetRegion === SECONDARY)!;
      expect(first.at).toBe(firstAnswer.at + ttl * 1000);
      expect(first.at).toBeGreaterThan(writerMovedAt);
      expect(step).toMatchObject({
        status: 'completed',
        summary:
          `first acknowledged client write (seq ${first.seq}) at ${iso(first.at)}, ` +
          `${formatDuration(first.at - writerMovedAt)} after the writer moved, through ${target} (${SECONDARY})`,
        details: {
          firstClientWriteAt: first.at,
          region: SECONDARY,
          sinceWriterMovedMs: first.at - writerMovedAt,
        },
      });
      // The fence reaches the service a few seconds after the step (its drain switch cache):
      // from the first refusal on, every write went to the old answer until it expired.
      const refusedFrom = writes.find((w) => !w.ok)!.at;
      expect(refusedFrom).toBeGreaterThanOrEqual(fencedAt);
      const ttlLeftAtFence = firstAnswer.at + ttl * 1000 - refusedFrom;
      const rto = record.measures.client!.writeRto;
      expect(rto.reason).toBeUndefined();
      expect(rto.ms).toBe(first.at - refusedFrom);
      expect(rto.ms).toBeGreaterThanOrEqual(ttlLeftAtFence);
      expect(rto.outages.every((o) => o.endedAt !== undefined)).toBe(true);
      expect(result.stdout).toContain(
        `client-level write RTO: ${formatDuration(rto.ms!)}  objective 900 s\n`,
      );
      expect(result.stdout).not.toContain('still failing');
      // The steps after it ran once it completed.
      const next = kind === 'switchover' ? 'return-old-writer' : 'keep-failover-snapshot';
      expect(Date.parse(stepOf(record, next).startedAt!)).toBe(Date.parse(step.finishedAt!));
    });
  },
);

describe('a write name published with a longer TTL', () => {
  test('GIVEN the TTL of write. raised by 120 s THEN the step waits about that much longer for the client', async () => {
    const name = h.world.topology.writeHostname;
    const templ = templateTtl(name);
    const raised = templ + 120;
    const records = h.world.records.filter((r) => r.name === `${name}.`);
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) r.ttl = raised;
    // The operator's resolver caches each record for its TTL: the CNAME of write. for the raised
    // TTL (the fake's API Gateway addresses keep their own 60 s, the smallest of the chain).
    h.world.client.resolverCacheMs = FULL_TTL;

    // Preflight refuses a TTL above the template's bound: forced, with the reason recorded.
    const result = await h.run(h.switchover('--force', '--reason', 'a longer TTL on purpose'));
    const drillId = drillIds(h.stateDir)[0];
    const { step, firstAnswer, writerMovedAt } = outcome(drillId);

    expect(result.code).toBe(0);
    expect(firstAnswer.ttlSeconds).toBe(templ);
    // The client asks again when its answer expires: the raised TTL after its first answer.
    const firstWriteAt = firstAnswer.at + raised * 1000;
    expect(step.details).toEqual({
      firstClientWriteAt: firstWriteAt,
      region: SECONDARY,
      sinceWriterMovedMs: firstWriteAt - writerMovedAt,
    });
    // With the template's TTL the write came at its expiry: 120 s earlier.
    const atTemplateTtl = firstAnswer.at + templ * 1000 - writerMovedAt;
    expect(
      (step.details as { sinceWriterMovedMs: number }).sinceWriterMovedMs - atTemplateTtl,
    ).toBe(120_000);
    // It ends at the first poll after that write (one poll interval: 5 s).
    expect(Date.parse(step.finishedAt!) - firstWriteAt).toBeLessThanOrEqual(5_000);
  });
});

describe('a write name whose answer never moves', () => {
  test('GIVEN the target writer check unhealthy once traffic was verified THEN the step times out naming the name, what the client last saw and what to check', async () => {
    const writerCheck = h.world.checkId(SECONDARY, 'writer');
    let stdout = '';
    const result = await h.run(h.switchover(), {
      // Once verify-traffic saw write. move, its failover record loses the target: Route 53
      // answers the (fenced) primary again, and the client never reaches the new writer.
      stdout: (t) => {
        stdout += t;
        if (t.includes(`${STEP}: Verify clients`)) h.world.forcedUnhealthy.add(writerCheck);
      },
    });
    const drillId = drillIds(h.stateDir)[0];
    const log = clientLog(drillId);
    const last = log
      .filter((e): e is ClientRequestSample => e.type === 'request' && e.path === 'write')
      .at(-1)!;
    const answer = log.find(
      (e): e is DnsObservation =>
        e.type === 'dns' && e.path === 'write' && e.at === last.answeredAt,
    )!;
    const primaryTarget = h.world.deployed(PRIMARY).writeTarget;
    const place = `--outputs ${h.outputsFile} --state-dir ${h.stateDir}`;

    expect(result.code).toBe(7);
    expect(last).toMatchObject({ status: 503, targetRegion: PRIMARY, target: primaryTarget });
    expect(result.stderr).toBe(
      `error [STEP_TIMEOUT]: drill ${drillId} stopped at step verify-client-writes: step verify-client-writes ` +
        'timed out after 5m 00s waiting for a client write through write.example.com acknowledged by us-west-2; ' +
        `last state: last client write: status 503 through answer ${primaryTarget} (us-east-1), ` +
        `cached until ${iso(answer.at + answer.ttlSeconds * 1000)}\n` +
        '  next: State: The writer has moved but clients of write.example.com do not reach us-west-2: check the ' +
        'record sets of write.example.com in hosted zone Z0000000000EXAMPLE (failover CNAMEs, their TTL) and the ' +
        'Route 53 health checks of us-west-2 (writer) and us-east-1, then run the resume command below.\n' +
        nextLines(canaryLeftoverLines(h.world.topology, drillId, SECONDARY))
          .map((l) => `${l}\n`)
          .join('') +
        `  next: Continue with: npx drill resume --drill-id ${drillId} --execute ${place}\n`,
    );
    // While it waited, the progress said what the client saw, once per change: the primary's
    // answer refusing, cached until the first answer expired, then until each next one did.
    const waiting = stdout
      .split('\n')
      .filter((l) => /^\[\+[\d:.]+\] +waiting for a client write/.test(l))
      .map((l) => l.replace(/^\[[^\]]+\] +/, ''));
    const expiries = log
      .filter((e): e is DnsObservation => e.type === 'dns' && e.path === 'write' && !e.error)
      .map((d) => iso(d.at + d.ttlSeconds * 1000));
    expect(waiting).toEqual(
      expiries.map(
        (until) =>
          `waiting for a client write through write.example.com acknowledged by us-west-2: last client write: status 503 through answer ${primaryTarget} (us-east-1), cached until ${until}`,
      ),
    );
    expect(readRecordFile(h.stateDir, drillId).measures.client!.writeRto.reason).toBe(
      'still-failing',
    );
  });
});

describe('a drill whose client canary cannot watch', () => {
  test('GIVEN no client network THEN the step is skipped and says why', async () => {
    const result = await h.run(h.switchover(), { clientNetwork: NO_CLIENT_NETWORK });
    const drillId = drillIds(h.stateDir)[0];

    expect(result.code).toBe(0);
    expect(stepOf(readRecordFile(h.stateDir, drillId), STEP)).toMatchObject({
      status: 'skipped',
      summary: 'no client write to wait for: no client network in this test',
    });
  });

  test('GIVEN the client canary not running THEN the step is skipped and says why', async () => {
    const off = jest.spyOn(ClientCanary.prototype, 'start').mockImplementation(() => undefined);
    try {
      const result = await h.run(h.switchover());
      const drillId = drillIds(h.stateDir)[0];

      expect(result.code).toBe(0);
      expect(stepOf(readRecordFile(h.stateDir, drillId), STEP)).toMatchObject({
        status: 'skipped',
        summary: 'no client write to wait for: the client canary is not running',
      });
    } finally {
      off.mockRestore();
    }
  });
});

describe('a dry run', () => {
  test('THEN the step is in the plan, after verify-writes, with no AWS call, and nothing runs', async () => {
    const result = await h.run(['switchover', '--to', SECONDARY]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /\n8\. verify-writes: [^\n]*\n(?: {5}- [^\n]*\n)+9\. verify-client-writes: Verify clients write through write\.example\.com to us-west-2\n10\. return-old-writer: /,
    );
    expect(drillIds(h.stateDir)).toEqual([]);
    // Only the client-canary preflight check's read of an item no canary wrote.
    expect(h.world.client.sent.map((s) => `${s.request.method} ${s.request.path}`)).toEqual([
      'GET /items/drill-preflight-0',
    ]);
  });
});

/** The step alone, on the harness's topology, with a scripted client log. */
function alone(withLog = true, timeoutMs = 10_000) {
  const log: ClientLogEntry[] = [];
  const world = h.world;
  const plan = planView(world.topology, 'switchover', PRIMARY, SECONDARY, PRIMARY);
  const progress: string[] = [];
  const t0 = world.clock.now();
  const ctx: StepContext<'verify-client-writes'> = {
    params: {
      drillId: 'd',
      kind: 'switchover',
      fromRegion: PRIMARY,
      targetRegion: SECONDARY,
      allowDataLoss: false,
    },
    plan,
    topology: world.topology,
    aws: {} as DrillAws,
    clock: world.clock,
    timing: { ...DEFAULT_TIMING, pollIntervalMs: 5_000 },
    timeoutMs,
    canary: {
      writeOnce: () => Promise.reject(new Error('not used')),
      samples: () => [],
      ...(withLog ? { clientEntries: () => log } : {}),
    },
    progress: (m) => progress.push(m),
    earlier: () => undefined,
    // The writer moved 10 s before the step.
    finishedAt: (id) => (id === 'wait-writer' ? t0 - 10_000 : undefined),
    note: () => undefined,
  };
  // The builder's second 0 is when the writer moved.
  return { ctx, log, progress, b: clientLogBuilder(world.topology, 'd', t0 - 10_000) };
}

const waited =
  'step verify-client-writes timed out after 10.0s waiting for a client write through write.example.com acknowledged by us-west-2; last state: ';

describe('what the step waits for, on a scripted client log', () => {
  const regionOf = (r: string) => h.world.deployed(r);

  test('GIVEN no client log THEN it is skipped', async () => {
    const { ctx } = alone(false);

    await expect(verifyClientWritesStep.run(ctx)).resolves.toEqual({
      status: 'skipped',
      summary: 'no client write to wait for: the client canary does not run in this drill',
    });
  });

  test('GIVEN no client write yet THEN it times out saying so', async () => {
    const { ctx } = alone();

    await expect(verifyClientWritesStep.run(ctx)).rejects.toThrow(
      `${waited}no client write sent yet`,
    );
  });

  test('GIVEN a write acknowledged by the target but sent before the writer moved THEN it does not count', async () => {
    const { ctx, log, b } = alone();
    const to = regionOf(SECONDARY);
    log.push(
      b.answer('write', -6, to),
      b.request('write', 1, -5, to, true, { answeredAt: b.at(-6) }),
    );

    await expect(verifyClientWritesStep.run(ctx)).rejects.toThrow(
      `${waited}last client write: status 200 through answer ${to.writeTarget} (us-west-2), cached until ${iso(b.at(54))}`,
    );
  });

  test('GIVEN the last write got no response THEN the state says so, with no DNS answer', async () => {
    const { b, ctx, log } = alone();
    const from = regionOf(PRIMARY);
    log.push(
      b.request('write', 1, 11, from, false, {
        status: undefined,
        target: undefined,
        targetRegion: undefined,
        error: 'DNS: write.example.com: SERVFAIL',
      }),
    );

    await expect(verifyClientWritesStep.run(ctx)).rejects.toThrow(
      `${waited}last client write: no response (DNS: write.example.com: SERVFAIL) with no DNS answer; the network, a proxy or this machine's resolver is the likely cause`,
    );
  });

  test('GIVEN the last write got 403 THEN the progress and the timeout say the caller may not invoke the items API and to use a drill role', async () => {
    const { b, ctx, log, progress } = alone();
    const to = regionOf(SECONDARY);
    log.push(b.request('write', 1, 11, to, false, { status: 403, error: 'Forbidden' }));
    const invoke =
      'the caller may not invoke the items API (execute-api:Invoke): the drill roles have it ' +
      `(DrillOperatorRoleArn and DrillFailoverRoleArn in ${h.world.topology.source}); ` +
      'run with --profile <a profile that assumes one of them>';
    const state = `last client write: status 403 through answer ${to.writeTarget} (us-west-2); ${invoke}`;

    const err = await verifyClientWritesStep.run(ctx).catch((e: unknown) => e);

    expect(progress[0]).toBe(
      `waiting for a client write through write.example.com acknowledged by us-west-2: ${state}`,
    );
    expect(err).toMatchObject({
      code: 'STEP_TIMEOUT',
      message: `${waited}${state}`,
      hint: `${invoke}, then run the resume command below (or resume with --no-client-canary to finish without client-level figures)`,
    });
  });

  test('GIVEN the last write got no response THEN the timeout names the network, a proxy or the resolver, with the error', async () => {
    const { b, ctx, log, progress } = alone();
    const to = regionOf(SECONDARY);
    log.push(
      b.request('write', 1, 11, to, false, {
        status: undefined,
        error: 'connect ETIMEDOUT 192.0.2.5:443',
      }),
    );
    const state =
      `last client write: no response (connect ETIMEDOUT 192.0.2.5:443) through answer ${to.writeTarget} (us-west-2); ` +
      "the network, a proxy or this machine's resolver is the likely cause";

    const err = await verifyClientWritesStep.run(ctx).catch((e: unknown) => e);

    expect(progress[0]).toBe(
      `waiting for a client write through write.example.com acknowledged by us-west-2: ${state}`,
    );
    expect(err).toMatchObject({
      code: 'STEP_TIMEOUT',
      message: `${waited}${state}`,
      hint:
        "the network, a proxy or this machine's resolver is the likely cause (connect ETIMEDOUT 192.0.2.5:443): " +
        'check that this machine reaches write.example.com on port 443, then run the resume command below (or resume with --no-client-canary to finish without client-level figures)',
    });
  });

  test('GIVEN the last write got 503 THEN the timeout keeps the step own hint (records and checks)', async () => {
    const { b, ctx, log } = alone();
    log.push(b.request('write', 1, 11, regionOf(PRIMARY), false, { status: 503 }));

    await expect(verifyClientWritesStep.run(ctx)).rejects.toMatchObject({
      hint: verifyClientWritesStep.ifItFails(ctx.plan),
    });
  });

  test("GIVEN the answer names none of the deployment's targets THEN the state names the target", async () => {
    const { b, ctx, log } = alone();
    const from = regionOf(PRIMARY);
    log.push(
      b.request('write', 1, 11, from, false, {
        status: undefined,
        target: 'elsewhere.example.net',
        targetRegion: undefined,
        error:
          "DNS: write.example.com answered elsewhere.example.net, none of this deployment's regions: no region to sign for",
      }),
    );

    await expect(verifyClientWritesStep.run(ctx)).rejects.toThrow(
      `${waited}last client write: no response (DNS: write.example.com answered elsewhere.example.net, none of this deployment's regions: no region to sign for) through answer elsewhere.example.net, none of this deployment's regions; the network, a proxy or this machine's resolver is the likely cause`,
    );
  });

  test('GIVEN a write after the move acknowledged through the old region THEN it does not count: the client has not reached the target', async () => {
    const { ctx, log, b } = alone();
    const from = regionOf(PRIMARY);
    log.push(
      b.answer('write', 1, from),
      b.request('write', 1, 2, from, true, { answeredAt: b.at(1) }),
    );

    await expect(verifyClientWritesStep.run(ctx)).rejects.toThrow(
      `${waited}last client write: status 200 through answer ${from.writeTarget} (us-east-1), cached until ${iso(b.at(61))}`,
    );
  });

  test('GIVEN a read that succeeded only before the last failed one THEN reads still count as failing', async () => {
    const { b, ctx, log } = alone();
    const from = regionOf(PRIMARY);
    const to = regionOf(SECONDARY);
    log.push(
      b.answer('write', 11, to),
      b.request('read', 1000, 3, from, true),
      b.request('read', 1001, 5, from, false),
      b.request('write', 2, 12, to, true, { answeredAt: b.at(11) }),
    );

    await expect(verifyClientWritesStep.run(ctx)).rejects.toThrow(
      `${waited}last client write: status 200 through answer ${to.writeTarget} (us-west-2), cached until ${iso(b.at(71))}; client reads still failing`,
    );
  });

  test('GIVEN the write acknowledged but reads still failing THEN it waits for a read, and completes once one succeeds', async () => {
    const { b, ctx, log, progress } = alone();
    const from = regionOf(PRIMARY);
    const to = regionOf(SECONDARY);
    log.push(
      b.answer('write', 11, to),
      b.request('read', 1000, 5, from, false),
      b.request('write', 2, 12, to, true, { answeredAt: b.at(11) }),
    );
    const failing = verifyClientWritesStep.run(ctx);
    failing.catch(() => undefined);

    await expect(failing).rejects.toThrow(
      `${waited}last client write: status 200 through answer ${to.writeTarget} (us-west-2), cached until ${iso(b.at(71))}; client reads still failing`,
    );

    // The same log with a read that succeeded after the failure: done at the first poll.
    log.push(b.request('read', 1001, 13, to, true));
    const result = await verifyClientWritesStep.run(ctx);
    expect(result).toEqual({
      status: 'completed',
      summary: `first acknowledged client write (seq 2) at ${iso(b.at(12))}, 12.0s after the writer moved, through ${to.writeTarget} (us-west-2)`,
      details: { firstClientWriteAt: b.at(12), region: SECONDARY, sinceWriterMovedMs: 12_000 },
    });
    expect(progress[0]).toBe(
      `waiting for a client write through write.example.com acknowledged by us-west-2: last client write: status 200 through answer ${to.writeTarget} (us-west-2), cached until ${iso(b.at(71))}; client reads still failing`,
    );
  });
});
