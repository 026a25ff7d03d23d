import { PRIMARY, SECONDARY, useFakeAws } from './harness';
import type { Snapshot } from '../../runbooks/drill/observe';

// A two-region deployment whose secondary runs no DB instance (readersByRegion 0).
const HEADLESS = SECONDARY;
const h = useFakeAws([PRIMARY, HEADLESS], {
  'topology.readersByRegion': JSON.stringify({ [HEADLESS]: 0 }),
});

describe('a headless secondary in the drill', () => {
  test('THEN discovery reads no serving check for it and keeps its writer check', () => {
    const region = h.world.deployed(HEADLESS);
    expect(region.healthChecks.serving).toBeUndefined();
    expect(region.healthChecks.writer).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('THEN status shows no serving check for it, and the read name answers the primary', async () => {
    const result = await h.run(['status', '--json']);
    const snapshot = JSON.parse(result.stdout) as Snapshot;
    const headless = snapshot.regions.find((r) => r.region === HEADLESS)!;
    expect(headless.servingCheck).toBeUndefined();
    expect(headless.writerCheck).toMatchObject({ ok: true });
    expect(snapshot.dns.app.answers).toEqual({
      ok: true,
      value: [h.world.deployed(PRIMARY).appTarget],
    });
  });

  test('THEN a switchover to it is refused by preflight: it needs an instance first', async () => {
    const result = await h.run(['preflight', '--to', HEADLESS]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(
      /target-not-headless +│ FAIL +│ headless: add an instance before it can take the writer/,
    );
    // Its missing serving check is not a health-check failure.
    expect(result.stdout).toMatch(/health-checks +│ pass/);
  });
});
