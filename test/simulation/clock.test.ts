// The simulation's own loops sleep in the background of the virtual clock: they wake on the way
// to a foreground sleeper's time and never move time by themselves.
import { VirtualClock } from '../../runbooks/simulation/clock';
import { PRIMARY, pass, realisticWorld } from './world-helpers';

/** Real time passing (several event-loop turns), as a wait on real I/O would. */
const realWait = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('background sleepers on the virtual clock', () => {
  test('GIVEN only a background sleeper THEN the clock stays put and it does not wake', async () => {
    const clock = new VirtualClock(0);
    let woke = false;
    void clock.sleepInBackground(1_000).then(() => (woke = true));

    await realWait();
    expect(clock.now()).toBe(0);
    expect(woke).toBe(false);
  });

  test('GIVEN a foreground sleep past it THEN the background sleeper wakes first, at its own time', async () => {
    const clock = new VirtualClock(0);
    const woke: [string, number][] = [];
    void clock.sleepInBackground(1_000).then(() => woke.push(['background', clock.now()]));
    await clock.sleep(5_000);
    woke.push(['foreground', clock.now()]);

    expect(woke).toEqual([
      ['background', 1_000],
      ['foreground', 5_000],
    ]);
  });

  test('GIVEN a realistic world WHEN the caller waits on real I/O THEN the checkers do not move time, and a sleep still advances it exactly', async () => {
    const world = realisticWorld();
    const start = world.clock.now();
    await realWait();
    expect(world.clock.now()).toBe(start);

    await pass(world, 30_001);
    expect(world.clock.now()).toBe(start + 30_001);
    const checked = world
      .healthCheck(world.checkId(PRIMARY, 'serving'))
      .HealthCheckObservations.map((o) => o.StatusReport.CheckedTime.getTime() - start);
    // 16 checkers, 625 ms apart: each probed last within the final interval.
    expect(Math.min(...checked)).toBe(20_625);
    expect(Math.max(...checked)).toBe(30_000);
  });
});
