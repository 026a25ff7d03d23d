import { App } from 'aws-cdk-lib';
import { serviceHostnames } from '../constructs';
import { DatabaseStack } from './database-stack';
import { FoundationStack } from './foundation-stack';
import { RoutingStack } from './routing-stack';
import { ServiceStack } from './service-stack';
import { Topology } from './topology';

/** Route 53 publishes health-check metrics only here. */
export const ROUTING_REGION = 'us-east-1';

/** The stacks of one region. */
export interface RegionStacks {
  readonly region: string;
  readonly foundation: FoundationStack;
  readonly database: DatabaseStack;
  readonly service: ServiceStack;
}

/** Every stack the app creates, by layer. */
export interface MultiRegionStacks {
  readonly regions: readonly RegionStacks[];
  readonly routing: RoutingStack;
}

/** Distinct /16 per region, in topology order, so the VPCs can later be peered. */
function vpcCidrFor(index: number): string {
  return `10.${10 + index * 10}.0.0/16`;
}

/**
 * Creates every stack of the topology in `app`.
 *
 * Deploy order (what `cdk deploy --all` follows): every region's foundation
 * (KMS key, VPC, alarm topic), then the primary database (global cluster,
 * secret replicated with each region's key), then the secondary databases,
 * then each region's service, then the routing stack (health checks, records,
 * alarms) in us-east-1.
 */
export function buildMultiRegionApp(app: App, topology: Topology): MultiRegionStacks {
  const env = (region: string) => ({ account: topology.account, region });
  const name = (layer: string, region?: string) =>
    [topology.stackPrefix, layer, region].filter(Boolean).join('-');
  const hostnames = serviceHostnames(topology.domainName);

  const foundations = topology.regions.map(
    (region, index) =>
      new FoundationStack(app, name('Foundation', region), {
        env: env(region),
        vpcCidr: vpcCidrFor(index),
        alarmEmails: topology.alarmEmails,
        description: `Multi-region reference: KMS key, network and alarm topic in ${region}`,
      }),
  );

  const databases: DatabaseStack[] = [];
  topology.regions.forEach((region, index) => {
    const foundation = foundations[index];
    const database = new DatabaseStack(app, name('Database', region), {
      env: env(region),
      topology,
      network: foundation.network,
      dataKey: foundation.dataKey,
      alarmTopic: foundation.alarms.topic,
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

  const services = topology.regions.map((region, index) => {
    const service = new ServiceStack(app, name('Service', region), {
      env: env(region),
      topology,
      hostnames,
      network: foundations[index].network,
      dataKey: foundations[index].dataKey,
      database: databases[index].member,
      description: `Multi-region reference: sample service with deep health in ${region}`,
    });
    service.addStackDependency(databases[index]);
    return service;
  });

  const routingFoundation = foundations[topology.regions.indexOf(ROUTING_REGION)];
  const routing = new RoutingStack(app, name('Routing'), {
    env: env(ROUTING_REGION),
    topology,
    hostnames,
    regions: topology.regions.map((region, index) => ({
      region,
      appTarget: services[index].service.targetOf(hostnames.app),
      writeTarget: services[index].service.targetOf(hostnames.write),
      headless: index > 0 && databases[index].member.instanceCount === 0,
    })),
    // The services share one configuration; the floors take the slowest cache.
    healthSignalCacheTtl: services
      .map((s) => s.service.healthSignalCacheTtl)
      .reduce((a, b) => (b.toMilliseconds() > a.toMilliseconds() ? b : a)),
    clusterIdentifiers: databases.map((d) => d.member.clusterIdentifier),
    drainParameterName: services[0].service.drainParameterName,
    alarmTopic: routingFoundation?.alarms.topic,
    alarmEmails: topology.alarmEmails,
    description: 'Multi-region reference: Route 53 health checks, traffic records and their alarms',
  });
  services.forEach((s) => routing.addStackDependency(s));

  return {
    regions: topology.regions.map((region, i) => ({
      region,
      foundation: foundations[i],
      database: databases[i],
      service: services[i],
    })),
    routing,
  };
}
