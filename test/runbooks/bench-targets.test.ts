import { atMost, below, REHEARSE_TARGET_SECONDS, summary } from '../../bench/targets';

describe('bench:synth verdicts', () => {
  test.each([
    [2.03, 'MISSED: 2.03x > 1.50x target'],
    [1.5, 'met (1.50x <= 1.50x target)'],
    [1.2, 'met (1.20x <= 1.50x target)'],
  ])('GIVEN a ratio of %d THEN the verdict is %s', (ratio, verdict) => {
    expect(atMost(ratio, 1.5, 'x')).toBe(verdict);
  });

  test.each([
    [61.4, 'MISSED: 61.40 s >= 60.00 s target'],
    [60, 'MISSED: 60.00 s >= 60.00 s target'],
    [42, 'met (42.00 s < 60.00 s target)'],
  ])('GIVEN npm test took %d s THEN the verdict is %s', (seconds, verdict) => {
    expect(below(seconds, 60, ' s')).toBe(verdict);
  });

  test('GIVEN one missed target of three THEN the closing line names it', () => {
    expect(
      summary([
        { label: 'ratio full/trivial, validated (default)', verdict: atMost(2.03, 1.5, 'x') },
        { label: 'ratio full/trivial, --no-validation', verdict: atMost(1.1, 1.5, 'x') },
        { label: 'npm test wall time', verdict: below(42, 60, ' s') },
      ]),
    ).toBe('MISSED 1 of 3 targets: ratio full/trivial, validated (default) (2.03x > 1.50x target)');
  });

  test('GIVEN every target met THEN the closing line says so', () => {
    expect(summary([{ label: 'a', verdict: atMost(1, 1.5, 'x') }])).toBe('all 1 targets met');
  });
});

describe('bench:rehearse verdict', () => {
  test.each([
    [10.4, 'MISSED: 10.40 s >= 10.00 s target'],
    [1.94, 'met (1.94 s < 10.00 s target)'],
  ])('GIVEN every scenario rehearsed in %d s THEN the verdict is %s', (seconds, verdict) => {
    expect(below(seconds, REHEARSE_TARGET_SECONDS, ' s')).toBe(verdict);
  });
});
