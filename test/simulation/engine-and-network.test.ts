// The global cluster's engine comes from the synthesized templates, and the simulation's
// network errors say they are simulated (and why) while keeping what the drill classifies.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AWS_OPERATIONS } from '../../runbooks/drill/aws/operations';
import { toDrillError } from '../../runbooks/drill/aws/errors';
import { SimulatedDeployment } from '../../runbooks/simulation/deployment';
import { faults } from '../../runbooks/simulation/world';
import { assemblyDir, deployedApp } from '../deployed-app';
import { PRIMARY, SECONDARY, instantWorld } from './world-helpers';

/** The primary's synthesized cluster (the global cluster's source). */
function primaryCluster() {
  const id = instantWorld().deployed(PRIMARY).clusterIdentifier;
  return deployedApp()
    .resources('AWS::RDS::DBCluster')
    .find((c) => c.physicalId === id)!;
}

describe('the global cluster reports the engine its source cluster was synthesized with', () => {
  test('GIVEN the synthesized app THEN DescribeGlobalClusters answers the primary cluster engine and version', () => {
    const cluster = primaryCluster();
    expect(cluster.properties.EngineVersion).toEqual(expect.any(String));

    expect(instantWorld().globalCluster()).toMatchObject({
      Engine: cluster.properties.Engine,
      EngineVersion: cluster.properties.EngineVersion,
    });
  });

  test('GIVEN a copy of the assembly with another engine version THEN the world follows it', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'simulation-engine-'));
    try {
      fs.cpSync(assemblyDir(), copy, { recursive: true });
      const file = path.join(copy, `MultiRegion-Database-${PRIMARY}.template.json`);
      const template = JSON.parse(fs.readFileSync(file, 'utf8'));
      const [, cluster] = Object.entries(
        template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
      ).find(([, r]) => r.Type === 'AWS::RDS::DBCluster')!;
      cluster.Properties.EngineVersion = '15.10';
      fs.writeFileSync(file, JSON.stringify(template));

      const world = instantWorld(SimulatedDeployment.fromAssembly(copy));

      expect(world.globalCluster().EngineVersion).toBe('15.10');
      expect(world.region(PRIMARY).engineVersion).toBe('15.10');
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('simulated network errors say they are simulated', () => {
  test('GIVEN a region that is down WHEN the drill calls its control plane THEN the timeout names the simulation and the region', async () => {
    const world = instantWorld();
    world.regionOutage(SECONDARY);

    const call = world.serve(
      'rds:DescribeGlobalClusters',
      {},
      async () => SECONDARY,
      {},
      () => 'answered',
    );

    await expect(call).rejects.toMatchObject({
      message: `connect ETIMEDOUT (simulated: ${SECONDARY} is down)`,
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
    });
    // Still what the drill classifies as a network failure after the SDK's retries.
    const error = await call.catch((e: unknown) => e);
    expect(toDrillError(error, AWS_OPERATIONS.describeGlobalClusters, SECONDARY).message).toBe(
      `rds DescribeGlobalClusters in ${SECONDARY} network failure (after 5 attempts): TimeoutError: connect ETIMEDOUT (simulated: ${SECONDARY} is down)`,
    );
  });

  test('GIVEN an injected network fault THEN it says so', () => {
    expect(faults.networkTimeout().message).toBe(
      'connect ETIMEDOUT (simulated: an injected network fault)',
    );
  });

  test('GIVEN the client canary sends to an address of a region that is down THEN the timeout names the simulation and the region', async () => {
    const world = instantWorld();
    world.regionOutage(PRIMARY);
    const hostname = world.topology.writeHostname;
    const answer = await world.client.resolve(hostname);
    const address = answer.addresses[0].address;

    await expect(
      world.client.send({
        method: 'GET',
        hostname,
        address,
        path: '/items/a',
        signingRegion: PRIMARY,
        headers: {},
        timeoutMs: 3_000,
      }),
    ).rejects.toMatchObject({
      message: `connect ETIMEDOUT ${address}:443 (simulated: ${PRIMARY} is down)`,
      code: 'ETIMEDOUT',
    });
  });
});
