// The tests' AWS: the simulation of the synthesized deployment (runbooks/simulation/), served
// to the SDK's own clients through aws-sdk-client-mock from the same table `drill rehearse` uses.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { Route53Client } from '@aws-sdk/client-route-53';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { ArcRegionSwitchClient } from '../../constructs/aws-api/arc-region-switch';
import { FisClient } from '../../constructs/aws-api/fis';
import { SIMULATED_OPERATIONS, serveFromWorld } from '../../runbooks/simulation/sdk';
import type { SimulatedWorld } from '../../runbooks/simulation/world';

export * from '../../runbooks/simulation/clock';
export * from '../../runbooks/simulation/world';
export * from '../../runbooks/simulation/client-network';

/** Wires a world into mocks of the seven SDK clients and the in-house ARC client; the world is looked up on each call. */
export function installFakeAws(mocks: FakeAwsMocks, world: () => SimulatedWorld): void {
  for (const operation of SIMULATED_OPERATIONS) {
    // One mock per client class; the table's command classes belong to that client.
    const mock = mocks[operation.service] as unknown as AnyMock;
    mock
      .on(operation.command)
      .callsFake((input: object, getClient: () => { config: { region: unknown } }) =>
        serveFromWorld(world(), operation, getClient(), input),
      );
  }
}

export function createMocks() {
  return {
    rds: mockClient(RDSClient),
    rdsData: mockClient(RDSDataClient),
    route53: mockClient(Route53Client),
    cloudwatch: mockClient(CloudWatchClient),
    ssm: mockClient(SSMClient),
    sts: mockClient(STSClient),
    serviceQuotas: mockClient(ServiceQuotasClient),
    arc: mockClient(ArcRegionSwitchClient),
    fis: mockClient(FisClient),
  };
}

interface AnyMock {
  on(command: unknown): {
    callsFake(
      fn: (input: object, getClient: () => { config: { region: unknown } }) => unknown,
    ): unknown;
  };
}

export type FakeAwsMocks = ReturnType<typeof createMocks>;
