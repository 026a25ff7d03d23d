import {
  paginateDescribeDBInstances,
  paginateDescribeOrderableDBInstanceOptions,
} from '@aws-sdk/client-rds';
import { GetServiceQuotaCommand } from '@aws-sdk/client-service-quotas';
import { DrillError } from '../errors';
import type { AwsCaller } from './caller';
import type { AwsClients } from './clients';
import { AWS_OPERATIONS as ops } from './operations';
import type { CapacityApi, InstanceClassView } from './ports';

/** Instance classes, orderability and quotas, on the clients of each call's region. */
export function rdsCapacity(clients: AwsClients, caller: AwsCaller): CapacityApi {
  return {
    clusterInstances: (region, clusterIdentifier) =>
      caller.call(ops.describeDbInstances, region, async () => {
        // "db-cluster-id - Accepts DB cluster identifiers ... only the information about the DB
        // instances associated with the DB clusters identified by these ARNs" (RDS API
        // Reference, DescribeDBInstances, Filters).
        const found: InstanceClassView[] = [];
        for await (const page of paginateDescribeDBInstances(
          { client: clients.rds(region) },
          { Filters: [{ Name: 'db-cluster-id', Values: [clusterIdentifier] }] },
        )) {
          for (const i of page.DBInstances ?? []) {
            found.push({
              identifier: i.DBInstanceIdentifier ?? '',
              instanceClass: i.DBInstanceClass ?? '',
              engine: i.Engine ?? '',
              engineVersion: i.EngineVersion ?? '',
            });
          }
        }
        return found;
      }),
    orderable: (region, engine, engineVersion, instanceClass) =>
      caller.call(ops.describeOrderableDbInstanceOptions, region, async () => {
        // An empty OrderableDBInstanceOptions list: the region does not offer that combination
        // (RDS API Reference, DescribeOrderableDBInstanceOptions).
        for await (const page of paginateDescribeOrderableDBInstanceOptions(
          { client: clients.rds(region) },
          { Engine: engine, EngineVersion: engineVersion, DBInstanceClass: instanceClass },
        )) {
          if ((page.OrderableDBInstanceOptions ?? []).length > 0) return true;
        }
        return false;
      }),
    quota: (region, serviceCode, quotaCode) =>
      caller.call(ops.getServiceQuota, region, async () => {
        const out = await clients
          .serviceQuotas(region)
          .send(new GetServiceQuotaCommand({ ServiceCode: serviceCode, QuotaCode: quotaCode }));
        const value = out.Quota?.Value;
        if (value === undefined) {
          throw new DrillError(
            'UNEXPECTED_STATE',
            `servicequotas GetServiceQuota ${serviceCode}/${quotaCode} in ${region} returned no value`,
          );
        }
        return value;
      }),
  };
}
