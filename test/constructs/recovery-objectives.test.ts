import { Duration } from 'aws-cdk-lib';
import { computeRtoFloors } from '../../constructs';
import { readPathFloor, writePathFloor } from '../../constructs/recovery-objectives';

const inputs = (
  interval: number,
  threshold: number,
  cache: number,
  ttl: number,
  promotion: number,
  hops: number,
) => ({
  healthCheckInterval: Duration.seconds(interval),
  failureThreshold: threshold,
  healthSignalCacheTtl: Duration.seconds(cache),
  recordTtl: Duration.seconds(ttl),
  promotionEstimate: Duration.seconds(promotion),
  readHops: hops,
  writeHops: hops,
});

describe('read path floor', () => {
  test.each([
    // interval, threshold, cache, ttl, hops, expected total
    [10, 3, 5, 60, 1, 95],
    [30, 3, 5, 60, 1, 155],
    [10, 1, 0, 30, 2, 70],
  ])(
    'GIVEN interval %ss x %s, cache %ss, TTL %ss x %s hops THEN %ss (no promotion)',
    (interval, threshold, cache, ttl, hops, total) => {
      const floor = readPathFloor(inputs(interval, threshold, cache, ttl, 120, hops));
      expect(floor.total.toSeconds()).toBe(total);
      expect(floor.detection.toSeconds()).toBe(interval * threshold);
      expect(floor.promotion.toSeconds()).toBe(0);
      expect(floor.dnsTtl.toSeconds()).toBe(ttl * hops);
    },
  );
});

describe('write path floor', () => {
  test.each([
    // interval, threshold, cache, ttl, promotion, hops, expected total
    [10, 3, 5, 60, 120, 1, 215],
    [10, 3, 5, 60, 120, 2, 275],
    [30, 3, 5, 60, 120, 1, 275],
    [10, 1, 0, 30, 60, 1, 100],
  ])(
    'GIVEN interval %ss x %s, cache %ss, TTL %ss, promotion %ss, %s hops THEN %ss',
    (interval, threshold, cache, ttl, promotion, hops, total) => {
      const floor = writePathFloor(inputs(interval, threshold, cache, ttl, promotion, hops));
      expect(floor.total.toSeconds()).toBe(total);
      expect(floor.hops).toBe(hops);
    },
  );
});

describe('explanations', () => {
  test('GIVEN sub-second cache settings THEN they are kept and each path says what it adds', () => {
    const floors = computeRtoFloors({
      ...inputs(10, 3, 0, 60, 120, 1),
      healthSignalCacheTtl: Duration.millis(1500),
      writeHops: 2,
    });
    expect(floors.read.total.toMilliseconds()).toBe(91_500);
    expect(floors.write.total.toMilliseconds()).toBe(271_500);
    expect(floors.read.explanation).toBe(
      "read path: failed region's checks 10s x 3 = 30s + health signal cache 1.5s + DNS TTL 60s x 1 hop = 91.5s",
    );
    expect(floors.write.explanation).toBe(
      "write path: promotion estimate 120s + new writer's checks passing 10s x 3 = 30s + health signal cache 1.5s + DNS TTL 60s x 2 hops = 271.5s",
    );
    expect(floors.slowest).toBe(floors.write);
  });

  test('GIVEN no hop counts THEN each path assumes one hop', () => {
    const floors = computeRtoFloors({
      healthCheckInterval: Duration.seconds(10),
      failureThreshold: 3,
      healthSignalCacheTtl: Duration.seconds(5),
      recordTtl: Duration.seconds(60),
      promotionEstimate: Duration.seconds(120),
    });
    expect([floors.read.hops, floors.write.hops]).toEqual([1, 1]);
  });

  test('GIVEN a promotion of zero THEN the read path is the slowest when it is longer', () => {
    const floors = computeRtoFloors({ ...inputs(10, 3, 5, 60, 0, 1), readHops: 2 });
    expect(floors.slowest).toBe(floors.read);
  });
});
