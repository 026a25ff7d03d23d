// Semantics the simulation had before the realistic model, now tested on the synthesized app:
// the Data API and writes answer only on the writer, failover records answer the secondary
// when the primary is unhealthy and the primary when both are, latency records skip
// unhealthy endpoints.
import { BadRequestException } from '@aws-sdk/client-rds-data';
import {
  PRIMARY,
  SECONDARY,
  insertRow,
  instantWorld,
  pass,
  promote,
  realisticWorld,
} from './world-helpers';

const DRILL = 'drill-1';

describe('the Data API and writes answer only on the writer', () => {
  test('GIVEN the deployed writer THEN an insert through the secondary Data API is refused as read-only, through the writer it lands', () => {
    const world = instantWorld();
    expect(() => insertRow(world, SECONDARY, DRILL, 1)).toThrow(BadRequestException);
    expect(() => insertRow(world, SECONDARY, DRILL, 1)).toThrow(
      'ERROR: cannot execute statement in a read-only transaction',
    );
    insertRow(world, PRIMARY, DRILL, 1);
    expect(world.rowsIn(PRIMARY, DRILL)).toEqual([1]);
  });

  test('GIVEN a switchover THEN the Data API takes writes in the new writer only, after the promotion', async () => {
    const world = realisticWorld({ promotionMs: 60_000 });
    promote(world, 'switchover', SECONDARY);
    await pass(world, 30_000);
    expect(() => insertRow(world, SECONDARY, DRILL, 1)).toThrow(
      'ERROR: cannot execute statement in a read-only transaction',
    );
    await pass(world, 30_000);
    world.advance();
    insertRow(world, SECONDARY, DRILL, 1);
    expect(() => insertRow(world, PRIMARY, DRILL, 2)).toThrow(
      'ERROR: cannot execute statement in a read-only transaction',
    );
  });
});

describe('failover records: the secondary when the primary is unhealthy, the primary when both are', () => {
  const answer = (world: ReturnType<typeof instantWorld>) =>
    world.dnsAnswer(world.topology.writeHostname);

  test('GIVEN both writer checks as deployed THEN write answers the primary (only it holds the writer)', () => {
    const world = instantWorld();
    expect(world.checkHealthy(world.checkId(SECONDARY, 'writer'))).toBe(false);
    expect(answer(world)).toEqual([world.deployed(PRIMARY).writeTarget]);
  });

  test('GIVEN the primary region down THEN both checks are unhealthy and write still answers the primary', () => {
    const world = instantWorld();
    world.regionOutage(PRIMARY);
    expect(world.checkHealthy(world.checkId(PRIMARY, 'writer'))).toBe(false);
    expect(world.checkHealthy(world.checkId(SECONDARY, 'writer'))).toBe(false);
    expect(answer(world)).toEqual([world.deployed(PRIMARY).writeTarget]);
  });

  test('GIVEN a failover to the secondary with the primary down THEN write answers the secondary', async () => {
    const world = instantWorld();
    world.regionOutage(PRIMARY);
    promote(world, 'failover', SECONDARY);
    await pass(world, world.promotionMs);
    world.advance();
    expect(world.checkHealthy(world.checkId(SECONDARY, 'writer'))).toBe(true);
    expect(answer(world)).toEqual([world.deployed(SECONDARY).writeTarget]);
  });
});

describe('latency records skip unhealthy endpoints', () => {
  test('GIVEN a resolver near the primary THEN app answers the primary, and the secondary once the primary is drained', () => {
    const world = instantWorld();
    const app = world.topology.appHostname;
    expect(world.dnsAnswer(app, PRIMARY)).toEqual([world.deployed(PRIMARY).appTarget]);

    world.setDrain(PRIMARY, 'true');
    expect(world.checkHealthy(world.checkId(PRIMARY, 'serving'))).toBe(false);
    expect(world.dnsAnswer(app, PRIMARY)).toEqual([world.deployed(SECONDARY).appTarget]);
  });

  test('GIVEN every latency record unhealthy THEN app answers the nearest one', () => {
    const world = instantWorld();
    const app = world.topology.appHostname;
    world.regionOutage(PRIMARY);
    world.regionOutage(SECONDARY);
    expect(world.dnsAnswer(app, SECONDARY)).toEqual([world.deployed(SECONDARY).appTarget]);
  });
});
