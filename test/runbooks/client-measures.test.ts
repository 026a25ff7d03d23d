// Client-level RTO and RPO computed on recorded client sequences: what the client canary's log
// of one drill says, placed against the journal's moments. The sequences are built from the
// synthesized app's topology (targets and regions as the outputs publish them).
import { clientItemId, type ClientLogEntry } from '../../runbooks/drill/client-model';
import {
  computeClientMeasures,
  type ClientMeasureContext,
} from '../../runbooks/drill/client-measures';
import { deployedApp } from '../deployed-app';
import { clientLogBuilder } from './client-log';
import { SimulatedWorld } from './fake-aws';
import { PRIMARY, SECONDARY } from './outputs';

const world = new SimulatedWorld(deployedApp());
const from = world.deployed(PRIMARY);
const to = world.deployed(SECONDARY);
const DRILL = 'switchover-20250301T100000Z-us-west-2';
const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const at = (s: number) => T0 + s * 1000;
const iso = (s: number) => new Date(at(s)).toISOString();
const TTL = world.topology.ttlSeconds;

const { request, writes, reads, answer, health } = clientLogBuilder(world.topology, DRILL, T0);

const CONTEXT: ClientMeasureContext = {
  fromRegion: PRIMARY,
  targetRegion: SECONDARY,
  promotedAt: at(10),
  writerMovedAt: at(40),
  lostClientWrites: [],
  acknowledgedClientWrites: 30,
  rpoLagMsAtPromotion: 400,
};

/** A switchover as the client lives it: writes fail from 10 s, acknowledged again at 40 s. */
const switchover: ClientLogEntry[] = [
  answer('write', 0, from),
  health(0, from, 'writer', true),
  health(0, to, 'writer', false),
  ...writes(0, 9, from, true),
  ...writes(10, 39, from, false),
  health(38, from, 'writer', false),
  health(39, to, 'writer', true),
  answer('write', 40, to),
  ...writes(40, 49, to, true),
];

describe('client write RTO', () => {
  test('GIVEN writes fail from 10 s to 40 s THEN the write RTO is first failed to first acknowledged after: 30 s', () => {
    const m = computeClientMeasures(switchover, CONTEXT);

    expect(m.writeRto).toEqual({
      ms: 30_000,
      outages: [{ startedAt: iso(10), endedAt: iso(40), durationMs: 30_000, failed: 30 }],
    });
    expect(m.requests).toEqual({
      writes: 50,
      writeFailures: 30,
      reads: 0,
      readFailures: 0,
      statuses: { '200': 20, '503': 30 },
    });
    expect(m.promotedAt).toBe(iso(10));
    expect(m.writerMovedAt).toBe(iso(40));
  });

  test('GIVEN two outages THEN the write RTO is the longest one', () => {
    const log = [
      ...writes(0, 2, from, true),
      ...writes(3, 4, from, false),
      ...writes(5, 9, from, true),
      ...writes(10, 19, from, false),
      ...writes(20, 22, to, true),
    ];

    const m = computeClientMeasures(log, CONTEXT);

    expect(m.writeRto.ms).toBe(10_000);
    expect(m.writeRto.outages.map((o) => o.durationMs)).toEqual([2_000, 10_000]);
  });

  test('GIVEN a writer that never comes back THEN the write RTO is null: still failing when the canary stopped', () => {
    const log = [...writes(0, 9, from, true), ...writes(10, 59, from, false)];

    const m = computeClientMeasures(log, { ...CONTEXT, lostClientWrites: null });

    expect(m.writeRto).toEqual({
      ms: null,
      reason: 'still-failing',
      outages: [{ startedAt: iso(10), failed: 50 }],
    });
    expect(m.dataLoss).toBeNull();
  });

  test('GIVEN writes that got no response THEN they fail and count under status none', () => {
    const log = [
      ...writes(0, 1, from, true),
      request('write', 3, 2, from, false, { status: undefined, error: 'connect ETIMEDOUT' }),
      ...writes(3, 3, to, true),
    ];

    const m = computeClientMeasures(log, CONTEXT);

    expect(m.requests.statuses).toEqual({ '200': 3, none: 1 });
    expect(m.writeRto.ms).toBe(1_000);
  });

  test.each([
    ['no write failed', writes(0, 5, from, true), 'no-failure'],
    ['the canary sent no write', reads(0, 5, from, true), 'no-requests'],
  ])('GIVEN %s THEN the write RTO is null with the reason', (_, log, reason) => {
    expect(computeClientMeasures(log, CONTEXT).writeRto).toEqual({
      ms: null,
      reason,
      outages: [],
    });
  });
});

describe('measured RPO: acknowledged client writes missing after the move', () => {
  test('GIVEN verify-writes found every acknowledged write THEN zero loss, next to the lag at promotion', () => {
    const m = computeClientMeasures(switchover, CONTEXT);

    expect(m.dataLoss).toEqual({ count: 0, writes: [], acknowledged: 30 });
    expect(m.rpoLagMsAtPromotion).toBe(400);
  });

  test('GIVEN the last acknowledged writes before the move are missing THEN they are listed, the window counted from the newest write kept', () => {
    const m = computeClientMeasures(switchover, { ...CONTEXT, lostClientWrites: [10, 9] });

    expect(m.dataLoss).toEqual({
      count: 2,
      writes: [
        { seq: 9, itemId: clientItemId(DRILL, 9), at: iso(8), region: PRIMARY },
        { seq: 10, itemId: clientItemId(DRILL, 10), at: iso(9), region: PRIMARY },
      ],
      firstAt: iso(8),
      lastAt: iso(9),
      // seq 8, sent at 7 s, is on the new writer: what was lost is 7 s to 9 s.
      keptAt: iso(7),
      windowMs: 2_000,
      acknowledged: 30,
    });
  });

  test('GIVEN a write answered "unknown", re-sent and acknowledged, then lost THEN it is listed once under its first seq, at the acknowledged re-send', () => {
    const log: ClientLogEntry[] = [
      answer('write', 0, from),
      request('write', 1, 0, from, false, { commitUnknown: true }),
      request('write', 2, 1, from, true, { itemId: clientItemId(DRILL, 1), retryOf: 1 }),
      ...writes(2, 9, from, true),
    ];

    const m = computeClientMeasures(log, { ...CONTEXT, lostClientWrites: [1] });

    expect(m.dataLoss?.writes).toEqual([
      { seq: 1, itemId: clientItemId(DRILL, 1), at: iso(1), region: PRIMARY },
    ]);
    expect(m.dataLoss?.count).toBe(1);
    // The re-send closes the write outage the unknown answer opened.
    expect(m.writeRto.outages).toEqual([
      { startedAt: iso(0), endedAt: iso(1), durationMs: 1_000, failed: 1 },
    ]);
  });

  test('GIVEN a lost seq the client log does not have THEN it is listed by seq alone, outside the window (from the newest write kept to the last lost)', () => {
    const m = computeClientMeasures(switchover, { ...CONTEXT, lostClientWrites: [10, 500] });

    expect(m.dataLoss?.writes).toEqual([
      { seq: 10, itemId: clientItemId(DRILL, 10), at: iso(9), region: PRIMARY },
      { seq: 500 },
    ]);
    expect(m.dataLoss).toMatchObject({ keptAt: iso(8), windowMs: 1_000 });
  });
});

describe('the last client write acknowledged before the promotion', () => {
  test('GIVEN acknowledged writes until 9 s and a promotion at 10 s THEN it is seq 10, acknowledged 20 ms after it was sent', () => {
    const m = computeClientMeasures(switchover, CONTEXT);

    expect(m.lastAcknowledgedBeforePromotion).toEqual({
      seq: 10,
      acknowledgedAt: new Date(at(9) + 20).toISOString(),
      beforePromotionMs: 980,
      region: PRIMARY,
    });
  });

  test('GIVEN one acknowledgement exactly at the promotion and one just after, out of order THEN the one at it counts', () => {
    const log = [
      request('write', 2, 10, from, true, { latencyMs: 1 }),
      request('write', 1, 9, from, true, { latencyMs: 1_000 }),
      request('write', 3, 5, from, false),
    ];

    const m = computeClientMeasures(log, CONTEXT);

    expect(m.lastAcknowledgedBeforePromotion).toEqual({
      seq: 1,
      acknowledgedAt: iso(10),
      beforePromotionMs: 0,
      region: PRIMARY,
    });
  });

  test('GIVEN an acknowledgement without the service region THEN it names the region DNS sent it to', () => {
    const log = [request('write', 1, 1, from, true, { region: undefined })];

    expect(computeClientMeasures(log, CONTEXT).lastAcknowledgedBeforePromotion?.region).toBe(
      PRIMARY,
    );
  });

  test('GIVEN only failed writes before the promotion THEN null; without a promotion THEN absent', () => {
    const log = [...writes(0, 9, from, false), ...writes(10, 12, to, true)];

    expect(computeClientMeasures(log, CONTEXT).lastAcknowledgedBeforePromotion).toBeNull();
    expect(computeClientMeasures(log, { ...CONTEXT, promotedAt: undefined })).not.toHaveProperty(
      'lastAcknowledgedBeforePromotion',
    );
  });
});

/**
 * Reads through app. while the old region is drained at 10 s (its serving check flips at 12 s):
 * the canary's cache took the old answer at `answeredAt` with `ttl` seconds left and keeps it
 * until it expires; then the new answer sends reads to the other region.
 */
function drainedReads(answeredAt: number, ttl: number): ClientLogEntry[] {
  const expires = answeredAt + ttl;
  return [
    answer('read', 0, from),
    health(0, from, 'serving', true),
    health(0, to, 'serving', true),
    ...reads(0, 9, from, true),
    answer('read', answeredAt, from, ttl),
    health(12, from, 'serving', false),
    ...reads(10, expires - 1, from, false),
    answer('read', expires, to),
    ...reads(expires, expires + 5, to, true),
  ];
}

describe('DNS cutover and client read RTO', () => {
  test('GIVEN a resolver whose answer expires soon after the health flip THEN the answer changes within seconds of it', () => {
    const m = computeClientMeasures(drainedReads(11, 3), CONTEXT);
    const flip = {
      at: iso(12),
      healthCheckId: from.healthChecks.serving,
      region: PRIMARY,
      check: 'serving',
      healthy: false,
      succeeding: 0,
      reporting: 16,
    };

    expect(m.dns).toEqual([
      {
        path: 'read',
        name: world.topology.appHostname,
        changes: [
          {
            at: iso(14),
            fromRegion: PRIMARY,
            toRegion: SECONDARY,
            fromTarget: from.appTarget,
            toTarget: to.appTarget,
            previousTtlSeconds: 3,
            healthFlip: flip,
            delayMs: 2_000,
          },
        ],
        failedQueries: 0,
        ttlSeconds: TTL,
      },
    ]);
    expect(m.healthFlips).toEqual([flip]);
    expect(m.readRto).toEqual([
      {
        region: PRIMARY,
        ms: 4_000,
        outages: [{ startedAt: iso(10.5), endedAt: iso(14.5), durationMs: 4_000, failed: 4 }],
      },
    ]);
  });

  test('GIVEN a resolver that keeps a stale answer for the full TTL THEN the cutover is delayed by up to one TTL and the read RTO is longer', () => {
    // The resolver answered from its cache just before the flip, with the full TTL left.
    const m = computeClientMeasures(drainedReads(11, TTL), CONTEXT);
    const change = m.dns[0].changes[0];

    expect(change.at).toBe(iso(11 + TTL));
    expect(change.previousTtlSeconds).toBe(TTL);
    expect(change.delayMs).toBe((11 + TTL - 12) * 1000);
    expect(change.delayMs).toBeLessThanOrEqual(TTL * 1000);
    expect(m.readRto[0].ms).toBe((11 + TTL - 10) * 1000);
  });

  test('GIVEN a region that keeps answering reads while the writer moves THEN it has no read RTO', () => {
    const log = [
      answer('read', 0, to),
      ...reads(0, 60, to, true),
      ...writes(0, 9, from, true),
      ...writes(10, 39, from, false),
      ...writes(40, 60, to, true),
    ];

    const m = computeClientMeasures(log, CONTEXT);

    expect(m.readRto).toEqual([]);
    expect(m.requests.readFailures).toBe(0);
    expect(m.dns[0].changes).toEqual([]);
  });

  test('GIVEN reads fail in the old region and the new one answers THEN only the old region has a read RTO', () => {
    const m = computeClientMeasures(drainedReads(11, 3), CONTEXT);

    expect(m.readRto.map((r) => r.region)).toEqual([PRIMARY]);
  });

  test('GIVEN failed queries between answers THEN the cache keeps its answer: counted, no change', () => {
    const log: ClientLogEntry[] = [
      answer('write', 0, from),
      { ...answer('write', 5, from), target: undefined, region: undefined, error: 'SERVFAIL' },
      answer('write', 10, from),
    ];

    const m = computeClientMeasures(log, CONTEXT);

    expect(m.dns).toEqual([
      {
        path: 'write',
        name: world.topology.writeHostname,
        changes: [],
        failedQueries: 1,
        ttlSeconds: TTL,
      },
    ]);
  });

  test('GIVEN the write name moves THEN the change is placed after the writer check flip of the regions involved', () => {
    const m = computeClientMeasures(switchover, CONTEXT);
    const change = m.dns[0].changes[0];

    expect(change.healthFlip?.healthCheckId).toBe(to.healthChecks.writer);
    expect(change.healthFlip?.at).toBe(iso(39));
    expect(change.delayMs).toBe(1_000);
    // A check's first reading is its state, not a flip.
    expect(m.healthFlips.map((f) => [f.region, f.healthy])).toEqual([
      [PRIMARY, false],
      [SECONDARY, true],
    ]);
  });
});

describe('pairing an answer change with its health flip', () => {
  test('GIVEN a writer flip after the answer changed THEN the change keeps the last flip before it', () => {
    const log = [...switchover, health(45, to, 'writer', false)];

    const change = computeClientMeasures(log, CONTEXT).dns[0].changes[0];

    expect(change.healthFlip?.at).toBe(iso(39));
    expect(change.delayMs).toBe(1_000);
  });

  test('GIVEN a later flip of a region the answer did not move between THEN it is not the cause', () => {
    const three = new SimulatedWorld(deployedApp([PRIMARY, SECONDARY, 'us-east-2']));
    const third = three.deployed('us-east-2');
    const b = clientLogBuilder(three.topology, DRILL, T0);
    const a = three.deployed(PRIMARY);
    const c = three.deployed(SECONDARY);
    const log = [
      b.answer('write', 0, a),
      b.health(0, c, 'writer', false),
      b.health(0, third, 'writer', true),
      b.health(30, c, 'writer', true),
      b.health(35, third, 'writer', false),
      b.answer('write', 40, c),
    ];

    const change = computeClientMeasures(log, CONTEXT).dns[0].changes[0];

    expect(change.healthFlip?.region).toBe(SECONDARY);
    expect(change.delayMs).toBe(10_000);
  });

  test('GIVEN the same verdict read again THEN it is no flip', () => {
    const log = [
      health(0, from, 'writer', true),
      health(10, from, 'writer', true),
      health(20, from, 'writer', false),
      health(30, from, 'writer', false),
    ];

    expect(computeClientMeasures(log, CONTEXT).healthFlips.map((f) => f.at)).toEqual([iso(20)]);
  });

  test('GIVEN entries out of time order (a resumed log) THEN they are measured in time order', () => {
    const shuffled = [...switchover].reverse();

    expect(computeClientMeasures(shuffled, CONTEXT)).toEqual(
      computeClientMeasures(switchover, CONTEXT),
    );
  });
});

describe('reads that could not resolve', () => {
  test('GIVEN a read with no answer inside an open outage THEN it counts there, and opens none of its own', () => {
    const unresolved = request('read', 1003, 3.5, from, false, {
      target: undefined,
      targetRegion: undefined,
      status: undefined,
      error: 'SERVFAIL',
    });
    const log = [
      ...reads(0, 0, from, true),
      ...reads(1, 2, from, false),
      unresolved,
      ...reads(4, 4, to, true),
    ];

    const m = computeClientMeasures(log, CONTEXT);

    expect(m.readRto).toEqual([
      {
        region: PRIMARY,
        ms: 3_000,
        outages: [{ startedAt: iso(1.5), endedAt: iso(4.5), durationMs: 3_000, failed: 3 }],
      },
    ]);
  });
});

describe('timeline marks', () => {
  test('GIVEN requests THEN each is a mark with its path, result, status and answer region, in time order', () => {
    const log = [
      request('read', 2, 1, to, true),
      request('write', 1, 0, from, false, { status: 503 }),
    ];

    expect(computeClientMeasures(log, CONTEXT).marks).toEqual([
      { at: iso(0), path: 'write', ok: false, status: 503, targetRegion: PRIMARY },
      { at: iso(1), path: 'read', ok: true, status: 404, targetRegion: SECONDARY },
    ]);
  });
});
