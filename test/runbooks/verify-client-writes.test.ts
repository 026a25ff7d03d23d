// Step verify-client-writes through the harness: the drill waits until the client canary, whose
// cached answer of write.<domain> lasts the record's TTL, has a write acknowledged by the new
// writer, so the client write RTO is measured instead of "still failing".
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClientCanary } from '../../runbooks/drill/client-canary';
import type {
  ClientLogEntry,
  ClientRequestSample,
  DnsObservation,
} from '../../runbooks/drill/client-model';
import { formatDuration } from '../../runbooks/drill/duration';
import type { DrillRecord } from '../../runbooks/drill/record';
import { deployedApp } from '../deployed-app';
import { FULL_TTL } from './fake-client-network';
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

/** The TTL the routing template publishes for `name` (one value over its record sets). */
function templateTtl(name: string): number {
  const ttls = new Set(
    deployedApp()
      .resources('AWS::Route53::RecordSet')
      .filter((r) => r.properties.Name === `${name}.`)
      .map((r) => Number(r.properties.TTL)),
  );
  expect(ttls.size).toBe(1);
  return [...ttls][0];
}

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
