// ARC Region switch's health checks in the simulation: read from the deployment's
// Custom::ArcHealthChecks resources, starting healthy (an assumption, see SimulatedWorld), and
// required by the calculated write gates of the write records.
import { DRILL_OUTPUT_KEYS, type DrillRegionSwitchOutput } from '../../constructs/contract';
import { deployedApp } from '../deployed-app';
import { PRIMARY, SECONDARY, instantWorld, pass, promote } from './world-helpers';

function arcCheckOf(world: ReturnType<typeof instantWorld>, region: string): string {
  const [id] = [...world.arcHealthChecks].find(([, c]) => c.region === region)!;
  return id;
}

describe("ARC's health checks of the default deployment", () => {
  test('GIVEN the deployment THEN there is one per region of the plan, on the write name, healthy', () => {
    const deployment = deployedApp();
    const routing = Object.values(deployment.outputsFile()).find(
      (o) => o[DRILL_OUTPUT_KEYS.regionSwitch],
    )!;
    const output = JSON.parse(routing[DRILL_OUTPUT_KEYS.regionSwitch]) as DrillRegionSwitchOutput;
    const world = instantWorld(deployment);
    expect(
      [...world.arcHealthChecks.values()]
        .map((c) => ({ ...c }))
        .sort((a, b) => a.region.localeCompare(b.region)),
    ).toEqual(
      [PRIMARY, SECONDARY].map((region) => ({
        planArn: output.plans[SECONDARY].planArn,
        region,
        recordName: 'write.example.com',
        status: 'healthy',
      })),
    );
    expect(output.plans[SECONDARY].planArn).toMatch(
      /^arn:aws:arc-region-switch::123456789012:plan\/MultiRegion-us-west-2:[0-9a-f]{6}$/,
    );
  });

  test('GIVEN an id the deployment does not have THEN setArcHealthCheck names it and the known ids', () => {
    const world = instantWorld();
    const known = [...world.arcHealthChecks.keys()].join(', ');
    expect(() => world.setArcHealthCheck('nope', 'unhealthy')).toThrow(
      `fake: no ARC health check nope; the deployment's are: ${known}`,
    );
  });
});

describe('the write records require the writer check AND ARC', () => {
  const answer = (world: ReturnType<typeof instantWorld>) =>
    world.dnsAnswer(world.topology.writeHostname);

  test('GIVEN a switchover and ARC activating the secondary THEN write answers the secondary', async () => {
    const world = instantWorld();
    promote(world, 'switchover', SECONDARY);
    await pass(world, world.promotionMs);
    world.advance();
    world.setArcHealthCheck(arcCheckOf(world, PRIMARY), 'unhealthy');
    expect(answer(world)).toEqual([world.deployed(SECONDARY).writeTarget]);
  });

  test('GIVEN the secondary holds the writer but ARC deactivated it THEN write does not answer it', async () => {
    const world = instantWorld();
    promote(world, 'switchover', SECONDARY);
    await pass(world, world.promotionMs);
    world.advance();
    expect(answer(world)).toEqual([world.deployed(SECONDARY).writeTarget]);
    world.setArcHealthCheck(arcCheckOf(world, SECONDARY), 'unhealthy');
    // Both gates unhealthy (the primary no longer holds the writer): Route 53 answers PRIMARY.
    expect(world.checkHealthy(world.checkId(SECONDARY, 'writer'))).toBe(true);
    expect(answer(world)).toEqual([world.deployed(PRIMARY).writeTarget]);
  });

  test('GIVEN ARC deactivated the primary while it still holds the writer THEN write still answers the primary (DNS follows the writer)', () => {
    const world = instantWorld();
    world.setArcHealthCheck(arcCheckOf(world, PRIMARY), 'unhealthy');
    expect(answer(world)).toEqual([world.deployed(PRIMARY).writeTarget]);
    world.setArcHealthCheck(arcCheckOf(world, PRIMARY), 'healthy');
    expect(answer(world)).toEqual([world.deployed(PRIMARY).writeTarget]);
  });
});
