// Route 53 health checks in the realistic model: checkers probing at the synthesized interval,
// each changing its view after the synthesized failure threshold, the 18% rule, inverted,
// calculated and disabled checks, and what GetHealthCheckStatus reports.
import { deployedApp } from '../deployed-app';
import {
  PRIMARY,
  SECONDARY,
  THIRD,
  checkLogicalId,
  editedRouting,
  instantWorld,
  pass,
  promote,
  realisticWorld,
} from './world-helpers';

/** The write name's calculated standby check (healthy while any standby's write gate is). */
function anyStandby(deployment: ReturnType<typeof deployedApp>) {
  return deployment
    .resources('AWS::Route53::HealthCheck')
    .find((c) => c.logicalId.startsWith('RoutingWriteAnyStandby'))!;
}

/** The synthesized HealthCheckConfig of a region's serving check. */
function servingConfig(region: string) {
  const check = deployedApp()
    .resources('AWS::Route53::HealthCheck')
    .find((c) => {
      const config = c.properties.HealthCheckConfig as Record<string, unknown>;
      return config.FullyQualifiedDomainName === `${region}.app.example.com`;
    })!;
  return check.properties.HealthCheckConfig as {
    RequestInterval: number;
    FailureThreshold: number;
  };
}

describe('an HTTPS check follows its checkers: interval, failure threshold, more than 18%', () => {
  // 16 checkers staggered over the 10 s interval probe every 625 ms; checker c probes at
  // (c + 1 + 16k) * 625 ms and changes its view at its third failure, (c + 33) * 625 ms. The
  // check turns unhealthy when at most 18% (2 of 16) still report healthy: when the 14th
  // checker (c = 13) changes, at 46 * 625 = 28 750 ms.
  test('GIVEN the synthesized check (10 s, threshold 3) THEN the timings above follow from it', () => {
    expect(servingConfig(PRIMARY)).toMatchObject({ RequestInterval: 10, FailureThreshold: 3 });
  });

  test('GIVEN 16 checkers WHEN the region goes down THEN the check is healthy while 3 of 16 report healthy and unhealthy at 2', async () => {
    const world = realisticWorld({ healthCheckers: 16 });
    const id = world.checkId(PRIMARY, 'serving');
    world.regionOutage(PRIMARY);

    await pass(world, 28_749);
    const before = world.healthCheck(id).HealthCheckObservations;
    expect(before.filter((o) => o.StatusReport.Status.startsWith('Success'))).toHaveLength(3);
    expect(world.checkHealthy(id)).toBe(true);

    await pass(world, 2);
    expect(world.checkHealthy(id)).toBe(false);
    expect(world.checkHealthy(world.checkId(SECONDARY, 'serving'))).toBe(true);
  });

  test('GIVEN an unhealthy check WHEN the region returns THEN it is healthy once 3 checkers passed 3 probes in a row', async () => {
    const world = realisticWorld({ healthCheckers: 16 });
    const id = world.checkId(PRIMARY, 'serving');
    world.regionOutage(PRIMARY);
    await pass(world, 40_100); // every checker has failed 3 in a row
    expect(world.checkHealthy(id)).toBe(false);

    world.regionReturns(PRIMARY);
    // Checker c passes its third probe since then at (c + 97) * 625 ms: c = 2 at 61 875 ms.
    await pass(world, 99 * 625 - 40_100 - 1);
    expect(world.checkHealthy(id)).toBe(false);
    await pass(world, 2);
    expect(world.checkHealthy(id)).toBe(true);
  });

  test('GIVEN a check WHEN a checker is mid-way THEN GetHealthCheckStatus reports each checker with its own probe time', async () => {
    const world = realisticWorld({ healthCheckers: 4 });
    const id = world.checkId(PRIMARY, 'serving');
    world.regionOutage(PRIMARY);
    // 4 checkers, 2 500 ms apart; checker c changes at (c + 1 + 8) * 2 500 ms.
    await pass(world, 9 * 2_500 + 1);

    const observations = world.healthCheck(id).HealthCheckObservations;
    expect(observations.map((o) => o.StatusReport.Status)).toEqual([
      'Failure: HTTP Status Code 503, Service Unavailable',
      'Success: HTTP Status Code 200, OK',
      'Success: HTTP Status Code 200, OK',
      'Success: HTTP Status Code 200, OK',
    ]);
    const start = world.clock.now() - 9 * 2_500 - 1;
    expect(observations.map((o) => o.StatusReport.CheckedTime.getTime() - start)).toEqual([
      22_500, 15_000, 17_500, 20_000,
    ]);
  });

  test('GIVEN the instant model (no assume) WHEN the region goes down THEN the check is unhealthy at once', () => {
    const world = instantWorld();
    world.regionOutage(PRIMARY);
    expect(world.checkHealthy(world.checkId(PRIMARY, 'serving'))).toBe(false);
  });

  test('GIVEN a health checker count that is not a positive whole number THEN assume says so', () => {
    expect(() => realisticWorld({ healthCheckers: 0 })).toThrow(
      'healthCheckers must be a positive whole number, got: 0',
    );
  });
});

describe('stop ends the checkers, and the clock still advances', () => {
  test('GIVEN a stopped world THEN no checker probes again and a sleep takes exactly its time', async () => {
    const world = realisticWorld({ healthCheckers: 16 });
    const id = world.checkId(PRIMARY, 'serving');
    await pass(world, 10_000);
    const checked = world.healthCheck(id).HealthCheckObservations.map((o) => o.StatusReport);
    world.stop();

    const before = world.clock.now();
    await pass(world, 60_000);
    expect(world.clock.now() - before).toBe(60_000);
    expect(world.healthCheck(id).HealthCheckObservations.map((o) => o.StatusReport)).toEqual(
      checked,
    );
  });
});

describe('inverted, calculated and disabled checks', () => {
  test('GIVEN an inverted serving check (template edit) THEN it is unhealthy while the endpoint answers and healthy once the checkers see it down', async () => {
    const deployment = editedRouting((resources) => {
      const config = resources[checkLogicalId(resources, SECONDARY, '/health')].Properties
        .HealthCheckConfig as Record<string, unknown>;
      config.Inverted = true;
    });
    const world = realisticWorld({}, deployment);
    const id = world.checkId(SECONDARY, 'serving');
    expect(world.checkHealthy(id)).toBe(false);

    world.regionOutage(SECONDARY);
    await pass(world, 28_751);
    expect(world.checkHealthy(id)).toBe(true);
  });

  test('GIVEN three regions THEN the calculated standby check watches both standby write gates (threshold 1), each its writer check AND ARC, and is unhealthy while neither holds the writer', () => {
    const deployment = deployedApp([PRIMARY, SECONDARY, THIRD]);
    const checks = deployment.resources('AWS::Route53::HealthCheck');
    const calculated = anyStandby(deployment);
    const config = calculated.properties.HealthCheckConfig as {
      ChildHealthChecks: string[];
      HealthThreshold: number;
    };
    expect(config.HealthThreshold).toBe(1);
    const world = realisticWorld({}, deployment);
    const gates = config.ChildHealthChecks.map(
      (id) =>
        checks.find((c) => c.physicalId === id)!.properties.HealthCheckConfig as {
          ChildHealthChecks: string[];
          HealthThreshold: number;
        },
    );
    expect(gates.map((g) => [g.ChildHealthChecks[0], g.HealthThreshold]).sort()).toEqual(
      [SECONDARY, THIRD].map((r) => [world.checkId(r, 'writer'), 2]).sort(),
    );
    // The gate's other child: ARC's check of that region in its plan.
    expect(
      gates.map((g) => world.arcHealthChecks.get(g.ChildHealthChecks[1])?.region).sort(),
    ).toEqual([SECONDARY, THIRD].sort());
    expect(world.checkHealthy(calculated.physicalId)).toBe(false);
  });

  test('GIVEN three regions WHEN a standby child holds the writer THEN the calculated check turns healthy after its checkers', async () => {
    const deployment = deployedApp([PRIMARY, SECONDARY, THIRD]);
    const calculated = anyStandby(deployment);
    const world = realisticWorld({ promotionMs: 60_000 }, deployment);
    world.regionOutage(PRIMARY);
    promote(world, 'failover', THIRD);
    await pass(world, 60_001);
    expect(world.writer).toBe(THIRD);
    expect(world.checkHealthy(calculated.physicalId)).toBe(false);
    await pass(world, 30_000);
    expect(world.checkHealthy(world.checkId(THIRD, 'writer'))).toBe(true);
    expect(world.checkHealthy(calculated.physicalId)).toBe(true);
  });

  test.each([
    ['instant', false],
    ['realistic', true],
  ])(
    'GIVEN a disabled writer check (template edit), %s model, WHEN its region is down THEN it counts as healthy and the failover record keeps the primary',
    async (_model, realistic) => {
      const deployment = editedRouting((resources) => {
        const config = resources[checkLogicalId(resources, PRIMARY, '/health/writer')].Properties
          .HealthCheckConfig as Record<string, unknown>;
        config.Disabled = true;
      });
      const world = realistic ? realisticWorld({}, deployment) : instantWorld(deployment);
      world.regionOutage(PRIMARY);
      await pass(world, 60_000);

      expect(world.checkHealthy(world.checkId(PRIMARY, 'writer'))).toBe(true);
      expect(world.dnsAnswer(world.topology.writeHostname)).toEqual([
        world.deployed(PRIMARY).writeTarget,
      ]);
    },
  );
});
