import { Duration } from 'aws-cdk-lib';
import { computeRtoFloor } from '../../constructs';

describe('computeRtoFloor', () => {
  test.each([
    // interval, threshold, cache, ttl, promotion, expected total
    [10, 3, 5, 60, 120, 215],
    [30, 3, 5, 60, 120, 275],
    [10, 1, 0, 30, 60, 100],
  ])(
    'interval %ss x %s + cache %ss + TTL %ss + promotion %ss = %ss',
    (interval, threshold, cache, ttl, promotion, total) => {
      const floor = computeRtoFloor({
        healthCheckInterval: Duration.seconds(interval),
        failureThreshold: threshold,
        healthSignalCacheTtl: Duration.seconds(cache),
        recordTtl: Duration.seconds(ttl),
        promotionEstimate: Duration.seconds(promotion),
      });
      expect(floor.total.toSeconds()).toBe(total);
      expect(floor.detection.toSeconds()).toBe(interval * threshold);
    },
  );

  test('keeps sub-second cache settings', () => {
    const floor = computeRtoFloor({
      healthCheckInterval: Duration.seconds(10),
      failureThreshold: 3,
      healthSignalCacheTtl: Duration.millis(1500),
      recordTtl: Duration.seconds(60),
      promotionEstimate: Duration.minutes(2),
    });
    expect(floor.total.toMilliseconds()).toBe(211_500);
    expect(floor.explanation).toBe(
      'detection 10s x 3 = 30s + health signal cache 1.5s + DNS TTL 60s + promotion estimate 120s = 211.5s',
    );
  });
});
