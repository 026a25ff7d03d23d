import {
  DescribeDBSubnetGroupsCommand,
  DescribeGlobalClustersCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { AwsClients } from '../../runbooks/drill/aws/clients';
import { simulateClient, SIMULATED_OPERATIONS } from '../../runbooks/simulation/sdk';
import { SimulatedWorld } from '../../runbooks/simulation/world';
import { deployedApp } from '../deployed-app';

describe('the simulation behind real SDK clients (the rehearsal path)', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    // No credentials and no endpoint: nothing may reach the credential chain or the network.
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
    process.env.AWS_CONFIG_FILE = '/nonexistent/config';
  });
  afterAll(() => {
    process.env = saved;
  });

  test('GIVEN AwsClients decorated with the simulation WHEN the drill asks RDS and SSM THEN the world answers, without credentials', async () => {
    const world = new SimulatedWorld(deployedApp());
    const clients = new AwsClients({
      maxAttempts: 5,
      retryMode: 'adaptive',
      decorate: (client) => simulateClient(client, () => world),
    });
    const primary = world.topology.primaryRegion;

    const global = await clients
      .rds(primary)
      .send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: world.globalId }));
    const drain = await clients
      .ssm(primary)
      .send(new GetParameterCommand({ Name: world.deployed(primary).drainParameterName }));
    clients.destroy();

    expect(
      global.GlobalClusters?.[0].GlobalClusterMembers?.find((m) => m.IsWriter)?.DBClusterArn,
    ).toBe(world.clusterArn(primary));
    expect(drain.Parameter?.Value).toBe('false');
    expect(world.calls.map((c) => `${c.operation} ${c.region}`)).toEqual([
      `rds:DescribeGlobalClusters ${primary}`,
      `ssm:GetParameter ${primary}`,
    ]);
  });

  test('GIVEN a simulated client WHEN a world fault is armed THEN the SDK caller gets the SDK-shaped error', async () => {
    const world = new SimulatedWorld(deployedApp());
    const client = new RDSClient({ region: world.topology.primaryRegion });
    simulateClient(client, () => world);
    world.fail(
      'rds:DescribeGlobalClusters',
      Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }),
    );

    await expect(
      client.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: world.globalId })),
    ).rejects.toThrow('Rate exceeded');
  });

  test('GIVEN a command the table does not answer WHEN it is sent THEN it is refused by name, never sent to AWS', async () => {
    const world = new SimulatedWorld(deployedApp());
    const client = new RDSClient({ region: world.topology.primaryRegion });
    simulateClient(client, () => world);

    await expect(client.send(new DescribeDBSubnetGroupsCommand({}))).rejects.toThrow(
      'the simulation does not answer RDSClient.DescribeDBSubnetGroupsCommand: extend runbooks/simulation/sdk.ts',
    );
    expect(world.calls).toEqual([]);
  });

  test('every operation of the table is named service:Action after its command', () => {
    for (const o of SIMULATED_OPERATIONS) {
      expect(`${o.operation.split(':')[1]}Command`).toBe(o.command.name);
    }
  });
});
