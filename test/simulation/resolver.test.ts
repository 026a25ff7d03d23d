// The client's resolver in a rehearsal (SimulationAssumptions.resolver), on the synthesized app:
// when a change of Route 53's answer reaches the client, and with what TTL.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClientCanary } from '../../runbooks/drill/client-canary';
import type { ClientLogEntry } from '../../runbooks/drill/client-model';
import { loadScenarioFile } from '../../runbooks/simulation/scenario-file';
import {
  DEFAULT_ASSUMPTIONS,
  type SimulationAssumptions,
} from '../../runbooks/simulation/scenario';
import { SimulatedWorld } from '../../runbooks/simulation/world';
import { deployedApp } from '../deployed-app';

const PRIMARY = 'us-east-1';
const SECONDARY = 'us-west-2';

let world: SimulatedWorld;
beforeEach(() => {
  world = new SimulatedWorld(deployedApp());
});
afterEach(() => world.stop()); // the health checkers of world.assume run until then

const app = () => world.topology.appHostname;
const appTarget = (region: string) => world.deployed(region).appTarget;
const sleep = (ms: number) => world.clock.sleep(ms);
const started = () => world.clock.now();

/** The TTL the routing template gives every record set of app. (one value). */
function deployedTtl(): number {
  const ttls = deployedApp()
    .resources('AWS::Route53::RecordSet')
    .filter((r) => r.properties.Name === `${app()}.`)
    .map((r) => Number(r.properties.TTL));
  expect(new Set(ttls).size).toBe(1);
  return ttls[0];
}

/** Sleeps until `seconds` after `t0`, then resolves app. as the client does. */
async function appAt(t0: number, seconds: number) {
  await sleep(t0 + seconds * 1000 - world.clock.now());
  return (await world.client.resolve(app())).cnames[0];
}

/** Route 53 moves app. to the secondary: the primary's serving check fails (drained). */
function drainPrimary(sample = true): void {
  world.setDrain(PRIMARY, 'true');
  if (sample) world.client.sample();
}

/** The resolver only: the world keeps its instant health model, so a change's time is exact. */
function assume(resolver: Partial<SimulationAssumptions>): void {
  world.client.assumeResolver({ ...DEFAULT_ASSUMPTIONS, ...resolver });
}

describe('worst-case: a shared resolver that fetched each answer just before Route 53 changed it', () => {
  test('GIVEN the deployed TTL (60 s) THEN a change reaches the client exactly one TTL later, the remaining TTL counted down', async () => {
    assume({ resolver: 'worst-case' });
    const ttl = deployedTtl();
    const t0 = started();
    await appAt(t0, 0);
    await sleep(10_000);
    drainPrimary();

    const before = await appAt(t0, 10 + 25);
    const last = await appAt(t0, 10 + ttl - 0.001);
    const after = await appAt(t0, 10 + ttl);

    expect(ttl).toBe(60);
    expect(world.dnsRecord(app(), PRIMARY)!.values[0]).toBe(appTarget(SECONDARY));
    expect(before).toEqual({ name: app(), target: appTarget(PRIMARY), ttlSeconds: ttl - 25 });
    expect(last).toEqual({ name: app(), target: appTarget(PRIMARY), ttlSeconds: 0 });
    expect(after).toEqual({ name: app(), target: appTarget(SECONDARY), ttlSeconds: ttl });
  });

  test('GIVEN no change THEN the TTL counts down and starts again each TTL (a warm resolver refetches)', async () => {
    assume({ resolver: 'worst-case' });
    const t0 = started();

    const first = await appAt(t0, 0);
    const later = await appAt(t0, 25);
    const refetched = await appAt(t0, 60);

    expect([first.ttlSeconds, later.ttlSeconds, refetched.ttlSeconds]).toEqual([60, 35, 60]);
    expect(refetched.target).toBe(appTarget(PRIMARY));
  });

  test('GIVEN two changes 10 s apart THEN each reaches the client one TTL after it happened', async () => {
    assume({ resolver: 'worst-case' });
    const t0 = started();
    await appAt(t0, 0);
    await sleep(10_000);
    drainPrimary();
    await sleep(10_000);
    world.setDrain(PRIMARY, 'false');
    world.client.sample();

    const first = await appAt(t0, 70);
    const second = await appAt(t0, 80);

    expect(first).toEqual({ name: app(), target: appTarget(SECONDARY), ttlSeconds: 10 });
    expect(second).toEqual({ name: app(), target: appTarget(PRIMARY), ttlSeconds: 60 });
  });

  test('GIVEN a change by what woke at 10 s, nobody sampling THEN the clock dates it at 10 s', async () => {
    assume({ resolver: 'worst-case' });
    const t0 = started();
    await appAt(t0, 0);
    await sleep(10_000);
    drainPrimary(false); // the clock samples once what woke at 10 s has run

    const last = await appAt(t0, 10 + 59.999);
    const after = await appAt(t0, 10 + 60);

    expect(last.target).toBe(appTarget(PRIMARY));
    expect(after.target).toBe(appTarget(SECONDARY));
  });

  test('GIVEN the default assumptions of a rehearsal (health checkers on the clock) THEN the client gets a change one TTL after Route 53 answers it', async () => {
    world.assume(DEFAULT_ASSUMPTIONS);
    const ttl = deployedTtl();
    await world.client.resolve(app());
    drainPrimary(false);
    // Route 53 moves the answer once the checkers see FailureThreshold failures.
    while (world.dnsRecord(app(), PRIMARY)!.values[0] === appTarget(PRIMARY)) await sleep(100);
    const changed = world.clock.now();

    const kept = await appAt(changed, ttl - 0.2);
    const moved = await appAt(changed, ttl);

    expect(DEFAULT_ASSUMPTIONS.resolver).toBe('worst-case');
    expect(kept.target).toBe(appTarget(PRIMARY));
    expect(moved.target).toBe(appTarget(SECONDARY));
  });
});

describe('stub: no shared resolver, only the client cache', () => {
  test('GIVEN a change THEN the next query gets it with the full TTL (the client keeps it at most one TTL)', async () => {
    assume({ resolver: 'stub' });
    const t0 = started();
    await appAt(t0, 0);
    await sleep(10_000);
    drainPrimary();

    const next = await appAt(t0, 10.001);

    expect(next).toEqual({ name: app(), target: appTarget(SECONDARY), ttlSeconds: deployedTtl() });
  });

  test('GIVEN a stub after a worst-case rehearsal on the same world THEN nothing shared is left', async () => {
    assume({ resolver: 'worst-case' });
    const t0 = started();
    await appAt(t0, 0);
    drainPrimary();
    assume({ resolver: 'stub' });

    expect((await appAt(t0, 1)).target).toBe(appTarget(SECONDARY));
  });
});

describe('min-ttl: a stale resolver that keeps every answer at least resolverMinTtlSeconds', () => {
  test('GIVEN 300 s over the deployed 60 s THEN a change reaches the client 300 s later and the TTL answered is 300 s', async () => {
    assume({ resolver: 'min-ttl', resolverMinTtlSeconds: 300 });
    const t0 = started();
    const first = await appAt(t0, 0);
    await sleep(10_000);
    drainPrimary();

    const held = await appAt(t0, 10 + 299);
    const after = await appAt(t0, 10 + 300);

    expect(first).toEqual({ name: app(), target: appTarget(PRIMARY), ttlSeconds: 300 });
    expect(held).toEqual({ name: app(), target: appTarget(PRIMARY), ttlSeconds: 1 });
    expect(after).toEqual({ name: app(), target: appTarget(SECONDARY), ttlSeconds: 300 });
  });

  test('GIVEN a minimum under the TTL THEN the record TTL holds', async () => {
    assume({ resolver: 'min-ttl', resolverMinTtlSeconds: 10 });
    const t0 = started();
    await appAt(t0, 0);
    drainPrimary();

    expect((await appAt(t0, 59)).target).toBe(appTarget(PRIMARY));
    expect((await appAt(t0, 60)).target).toBe(appTarget(SECONDARY));
  });

  test.each([undefined, 0, 2.5, -60])(
    'GIVEN resolverMinTtlSeconds %p THEN it names the value and what to set',
    (minTtl) => {
      expect(() => assume({ resolver: 'min-ttl', resolverMinTtlSeconds: minTtl })).toThrow(
        `resolver min-ttl needs resolverMinTtlSeconds, a whole number of seconds above 0, got: ${String(minTtl)}; set it in the scenario's assumptions (for example 300)`,
      );
    },
  );
});

describe('min-ttl in a scenario file', () => {
  test('GIVEN resolverMinTtlSeconds 0 THEN the file is refused before anything runs, naming the field and the value', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scenario-file-'));
    const file = path.join(dir, 'zero.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        name: 'zero-min-ttl',
        summary: 'a resolver that keeps nothing',
        description: 'min-ttl of 0 s.',
        drill: { kind: 'failover' },
        assumptions: { resolver: 'min-ttl', resolverMinTtlSeconds: 0 },
      }),
    );
    try {
      expect(() => loadScenarioFile(file)).toThrow(
        `scenario file ${file} is not a valid scenario:\n  - assumptions.resolverMinTtlSeconds must be at least 1, got: 0`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the client canary behind each resolver', () => {
  /** The client canary for 150 s; app. moves to the secondary at 25 s (the primary drained). */
  async function firstReadMoved(resolver: SimulationAssumptions['resolver']): Promise<number> {
    assume({ resolver });
    const log: ClientLogEntry[] = [];
    const canary = new ClientCanary({
      network: world.client,
      routing: {
        healthCheckStatus: async (id) => {
          const healthy = world.checkHealthy(id);
          return { healthy, succeeding: healthy ? 1 : 0, reporting: 1 };
        },
      },
      clock: world.clock,
      drillId: 'switchover-20250301T100000Z-us-west-2',
      topology: world.topology,
      intervalMs: 1000,
      history: [],
      persist: (entry) => log.push(entry),
    });
    const t0 = started();
    void sleep(25_000).then(() => drainPrimary(false));
    const stopped = sleep(150_000).then(() => canary.stop());
    canary.start();
    await stopped;
    const moved = log.find(
      (e) => e.type === 'request' && e.path === 'read' && e.targetRegion === SECONDARY,
    );
    expect(moved).toBeDefined();
    return ((moved as { at: number }).at - t0) / 1000;
  }

  test('GIVEN worst-case THEN the canary reads from the secondary one TTL after the change, not before', async () => {
    const at = await firstReadMoved('worst-case');

    expect(at).toBeGreaterThanOrEqual(25 + deployedTtl());
    expect(at).toBeLessThanOrEqual(25 + deployedTtl() + 1);
  });

  test('GIVEN stub THEN the canary reads from the secondary within one TTL of the change (its own cache)', async () => {
    const at = await firstReadMoved('stub');

    expect(at).toBeGreaterThan(25);
    expect(at).toBeLessThanOrEqual(25 + deployedTtl());
  });
});
