// The drill's AWS: ports (./ports) built from SDK v3 adapters, one file per service.
import { arcRegionSwitch } from './arc';
import { AwsCaller } from './caller';
import { rdsCapacity } from './capacity';
import type { AwsClients } from './clients';
import { cloudWatchMetrics } from './cloudwatch';
import { fisExperiments } from './fis';
import type { ClientNetworkApi, DrillAws } from './ports';
import { rdsDatabase } from './rds';
import { rdsDataSql } from './rds-data';
import { route53Routing } from './route53';
import { ssmLocks, ssmSwitches } from './ssm';
import { stsIdentity } from './sts';

export { AwsCaller, CallMeter } from './caller';
export * from './ports';

/**
 * The adapters, built on SDK v3 clients. Route 53 and STS calls go to `homeRegion`. `client` is
 * the client canary's network (this machine's resolver and HTTPS; see client-network.ts).
 */
export function sdkAdapters(
  clients: AwsClients,
  caller: AwsCaller,
  homeRegion: string,
  client: ClientNetworkApi,
): DrillAws {
  return {
    client,
    database: rdsDatabase(clients, caller),
    capacity: rdsCapacity(clients, caller),
    sql: rdsDataSql(clients, caller),
    routing: route53Routing(clients, caller, homeRegion),
    metrics: cloudWatchMetrics(clients, caller),
    switches: ssmSwitches(clients, caller),
    locks: ssmLocks(clients, caller),
    identity: stsIdentity(clients, caller, homeRegion),
    arc: arcRegionSwitch(clients, caller),
    experiments: fisExperiments(clients, caller),
    meter: caller.meter,
  };
}
