import { App } from 'aws-cdk-lib';
import { DatabaseStack } from './database-stack';
import { FoundationStack } from './foundation-stack';
import { Topology } from './topology';

/** The stacks of one region. */
export interface RegionStacks {
  readonly region: string;
  readonly foundation: FoundationStack;
  readonly database: DatabaseStack;
}

/** Every stack the app creates, by layer. */
export interface MultiRegionStacks {
  readonly regions: readonly RegionStacks[];
}

/** Distinct /16 per region, in topology order, so the VPCs can later be peered. */
function vpcCidrFor(index: number): string {
  return `10.${10 + index * 10}.0.0/16`;
}

/**
 * Creates every stack of the topology in `app`.
 *
 * Deploy order (what `cdk deploy --all` follows): every region's foundation
 * (KMS key, VPC), then the primary database (global cluster, secret replicated
 * with each region's key), then the secondary databases.
 */
export function buildMultiRegionApp(app: App, topology: Topology): MultiRegionStacks {
  const foundations = topology.regions.map(
    (region, index) =>
      new FoundationStack(app, `${topology.stackPrefix}-Foundation-${region}`, {
        env: { account: topology.account, region },
        vpcCidr: vpcCidrFor(index),
        description: `Multi-region reference: KMS key and network in ${region}`,
        crossRegionReferences: false,
      }),
  );

  const databases: DatabaseStack[] = [];
  topology.regions.forEach((region, index) => {
    const foundation = foundations[index];
    const database = new DatabaseStack(app, `${topology.stackPrefix}-Database-${region}`, {
      env: { account: topology.account, region },
      topology,
      network: foundation.network,
      dataKey: foundation.dataKey,
      description: `Multi-region reference: Aurora global database member in ${region}`,
    });
    database.addStackDependency(foundation);
    if (index === 0) {
      // The secret is replicated with each secondary region's key, which must exist first.
      foundations.slice(1).forEach((f) => database.addStackDependency(f, 'secret replica key'));
    } else {
      database.addStackDependency(
        databases[0],
        'the global cluster must exist before a secondary joins',
      );
    }
    databases.push(database);
  });

  return {
    regions: topology.regions.map((region, i) => ({
      region,
      foundation: foundations[i],
      database: databases[i],
    })),
  };
}
