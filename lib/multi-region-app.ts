import { App } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AuroraGlobalPrimary, DEFAULT_TIMING_POLICY, serviceHostnames } from '../constructs';
import { stackName } from '../constructs/contract';
import { DatabaseStack } from './database-stack';
import { FoundationStack } from './foundation-stack';
import { PeeringStack } from './peering-stack';
import { RoutingStack } from './routing-stack';
import { ServiceStack } from './service-stack';
import { Topology } from './topology';
import { vpcCidrsFor } from './vpc-cidrs';

/** Route 53 publishes health-check metrics only here (the timing policy's home region). */
export const ROUTING_REGION = DEFAULT_TIMING_POLICY.homeRegion;

/** The stacks of one region. */
export interface RegionStacks {
  readonly region: string;
  readonly foundation: FoundationStack;
  /** VPC peering with every other region (absent in a one-region topology). */
  readonly peering?: PeeringStack;
  readonly database: DatabaseStack;
  readonly service: ServiceStack;
}

/** Every stack the app creates, by layer. */
export interface MultiRegionStacks {
  readonly regions: readonly RegionStacks[];
  readonly routing: RoutingStack;
}

/**
 * Creates every stack of the topology in `app`.
 *
 * Deploy order (what `cdk deploy --all` follows):
 * 1. every region's foundation (KMS key, VPC with a CIDR fixed per region, alarm topic);
 * 2. the primary database (cluster, master secret replicated with each region's key, global
 *    cluster, the secret's host rewritten to the global writer endpoint, rotation), then the
 *    secondary databases;
 * 3. each region's peering stack, after every foundation (beside the databases, which do not
 *    need it): of each pair of regions the one whose name sorts first requests the VPC
 *    peering connection (reading the other's VPC id with `Fn::GetStackOutput`), the other
 *    accepts by reading that connection's id the same way, so it deploys after the requester;
 *    each side routes its application subnets to the other's database subnets and back;
 * 4. each region's service, after its database and peering;
 * 5. the routing stack (health checks, records, alarms) in us-east-1.
 *
 * Security-group rules across regions name the other regions' subnet CIDRs, literal at synth
 * (peered security groups in other Regions cannot be referenced), and only the database port:
 * each database accepts the other regions' application subnets; the rotation function and
 * each service may reach the other regions' database subnets.
 */
export function buildMultiRegionApp(app: App, topology: Topology): MultiRegionStacks {
  const env = (region: string) => ({ account: topology.account, region });
  const name = (layer: string, region?: string) => stackName(topology.stackPrefix, layer, region);
  const hostnames = serviceHostnames(topology.domainName);
  const cidrs = vpcCidrsFor(topology.regions);

  const foundations = topology.regions.map(
    (region) =>
      new FoundationStack(app, name('Foundation', region), {
        env: env(region),
        vpcCidr: cidrs[region],
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

  // Peering stacks in region-name order: a requester exists before the side that accepts.
  const peerings: Record<string, PeeringStack> = {};
  const networkOf = (region: string) => foundations[topology.regions.indexOf(region)].network;
  if (topology.regions.length > 1) {
    for (const region of [...topology.regions].sort()) {
      const peering = new PeeringStack(app, name('Peering', region), {
        env: env(region),
        network: networkOf(region),
        peers: topology.regions
          .filter((r) => r !== region)
          .map((r) => ({ region: r, network: networkOf(r), requester: peerings[r] })),
        description: `Multi-region reference: VPC peering of ${region} with the other regions`,
      });
      foundations.forEach((f) => peering.addStackDependency(f, 'peer VPCs and route tables'));
      // Fn::GetStackOutput adds no dependency by itself: the requester must deploy first.
      topology.regions
        .filter((r) => peerings[r])
        .forEach((r) =>
          peering.addStackDependency(peerings[r], 'the requested peering connection'),
        );
      peerings[region] = peering;
    }
  }

  // Only the database port, only between application and database subnets of other regions.
  topology.regions.forEach((region, index) => {
    const member = databases[index].member;
    const port = ec2.Port.tcp(member.port);
    for (const other of topology.regions.filter((r) => r !== region)) {
      for (const cidr of networkOf(other).appSubnetCidrs) {
        member.connections.securityGroups[0].addIngressRule(
          ec2.Peer.ipv4(cidr),
          port,
          `Database clients in ${other} (application subnet, VPC peering)`,
        );
      }
      if (member instanceof AuroraGlobalPrimary) {
        for (const cidr of networkOf(other).dataSubnetCidrs) {
          member.rotationSecurityGroup.addEgressRule(
            ec2.Peer.ipv4(cidr),
            port,
            `The writer after a switchover to ${other} (database subnet, VPC peering)`,
          );
        }
      }
    }
  });

  const services = topology.regions.map((region, index) => {
    const service = new ServiceStack(app, name('Service', region), {
      env: env(region),
      topology,
      hostnames,
      network: foundations[index].network,
      dataKey: foundations[index].dataKey,
      database: databases[index].member,
      globalWriterEndpoint: databases[0].globalWriterEndpoint!,
      members: databases.map((d) => d.member),
      // The writer's protection: no secondary within the RPO means a failover now loses more
      // than the game day may (see GameDayExperiment in the README).
      gameDayStopConditions: [databases[index].lagAlarms.alarms.protected],
      alarmTopic: foundations[index].alarms.topic,
      description: `Multi-region reference: sample service with deep health in ${region}`,
    });
    service.addStackDependency(databases[index]);
    // Fn::GetStackOutput adds no dependency by itself: every member's id must be published first.
    databases
      .filter((_, i) => i !== index)
      .forEach((d) => service.addStackDependency(d, 'the member cluster resource ids'));
    if (peerings[region]) service.addStackDependency(peerings[region], 'a path to the writer');
    // The global writer endpoint may answer from any region's database subnets.
    const serviceGroup = service.service.healthFunction.connections.securityGroups[0];
    for (const other of topology.regions.filter((r) => r !== region)) {
      for (const cidr of networkOf(other).dataSubnetCidrs) {
        serviceGroup.addEgressRule(
          ec2.Peer.ipv4(cidr),
          ec2.Port.tcp(databases[index].member.port),
          `The writer in ${other} (database subnet, VPC peering)`,
        );
      }
    }
    return service;
  });

  const routingFoundation = foundations[topology.regions.indexOf(topology.timing.homeRegion)];
  const routing = new RoutingStack(app, name('Routing'), {
    env: env(topology.timing.homeRegion),
    topology,
    hostnames,
    regions: topology.regions.map((region, index) => ({
      region,
      appTarget: services[index].service.targetOf(hostnames.app),
      writeTarget: services[index].service.targetOf(hostnames.write),
      headless: index > 0 && databases[index].member.instanceCount === 0,
      database: databases[index].member,
      drainSwitch: services[index].service.drainParameter,
      fenceFunction: services[index].arcFence.function,
      ...(services[index].regionSwitchReports
        ? { reportBucket: services[index].regionSwitchReports }
        : {}),
      ...(services[index].service.itemsFunction ? { itemsApi: services[index].service.api } : {}),
    })),
    masterSecret: databases[0].masterSecret!,
    dataKeyAlias: foundations[0].dataKey.alias,
    alarmTopic: routingFoundation?.alarms.topic,
    dataKey: routingFoundation?.dataKey.key,
    alarmEmails: topology.alarmEmails,
    description: 'Multi-region reference: Route 53 health checks, traffic records and their alarms',
  });
  services.forEach((s) => routing.addStackDependency(s));

  return {
    regions: topology.regions.map((region, i) => ({
      region,
      foundation: foundations[i],
      peering: peerings[region],
      database: databases[i],
      service: services[i],
    })),
    routing,
  };
}
