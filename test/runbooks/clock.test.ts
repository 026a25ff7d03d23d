import { systemClock } from '../../runbooks/drill/clock';

describe('the system clock', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('GIVEN a sleep that is aborted THEN it resolves at once and leaves no timer to keep the process alive', async () => {
    const stop = new AbortController();
    const sleeping = systemClock.sleep(60_000, stop.signal);
    expect(jest.getTimerCount()).toBe(1);

    stop.abort();

    await expect(sleeping).resolves.toBeUndefined();
    expect(jest.getTimerCount()).toBe(0);
  });

  test('GIVEN an already aborted signal THEN no timer is set', async () => {
    const stop = new AbortController();
    stop.abort();

    await systemClock.sleep(60_000, stop.signal);

    expect(jest.getTimerCount()).toBe(0);
  });

  test('GIVEN no signal THEN it sleeps the time given', async () => {
    let woke = false;
    const sleeping = systemClock.sleep(10_000).then(() => (woke = true));
    jest.advanceTimersByTime(9_999);
    await Promise.resolve();
    expect(woke).toBe(false);

    jest.advanceTimersByTime(1);
    await sleeping;
    expect(woke).toBe(true);
  });
});
