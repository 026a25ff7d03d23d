import {
  CopyDBClusterSnapshotCommand,
  DBClusterSnapshotNotFoundFault,
  DescribeDBClustersCommand,
  paginateDescribeDBClusterSnapshots,
  type DBClusterSnapshot,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  ModifyDBClusterParameterGroupCommand,
  paginateDescribeDBClusterParameters,
  ResetDBClusterParameterGroupCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { MANAGED_RPO_PARAMETER } from '../../../constructs/managed-rpo-policy';
import { DrillError } from '../errors';
import type { AwsCaller } from './caller';
import type { AwsClients } from './clients';
import { AWS_OPERATIONS as ops } from './operations';
import type { ClusterSnapshotView, DatabaseApi } from './ports';

/** Aurora members and the global cluster, on the RDS client of each call's region. */
export function rdsDatabase(clients: AwsClients, caller: AwsCaller): DatabaseApi {
  return {
    async describeGlobalCluster(region, identifier) {
      const out = await caller.call(ops.describeGlobalClusters, region, () =>
        clients
          .rds(region)
          .send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: identifier })),
      );
      const found = out.GlobalClusters?.find(
        (g) => g.GlobalClusterIdentifier?.toLowerCase() === identifier.toLowerCase(),
      );
      if (!found) {
        throw new DrillError(
          'UNKNOWN_GLOBAL_CLUSTER',
          `rds DescribeGlobalClusters in ${region} did not return global cluster ${identifier}`,
          { hint: 'Check the account, --profile and --global-cluster' },
        );
      }
      const failover = found.FailoverState;
      return {
        identifier: found.GlobalClusterIdentifier ?? identifier,
        status: found.Status ?? 'unknown',
        engineVersion: found.EngineVersion,
        failoverState: failover?.Status
          ? {
              status: failover.Status,
              fromArn: failover.FromDbClusterArn,
              toArn: failover.ToDbClusterArn,
              dataLossAllowed: failover.IsDataLossAllowed ?? false,
            }
          : undefined,
        members: (found.GlobalClusterMembers ?? []).map((m) => ({
          arn: m.DBClusterArn ?? '',
          isWriter: m.IsWriter ?? false,
        })),
      };
    },
    async describeCluster(region, identifier) {
      const out = await caller.call(ops.describeDbClusters, region, () =>
        clients
          .rds(region)
          .send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier })),
      );
      const cluster = out.DBClusters?.[0];
      if (!cluster) {
        throw new DrillError('UNEXPECTED_STATE', `cluster ${identifier} not found in ${region}`);
      }
      return {
        identifier,
        status: cluster.Status ?? 'unknown',
        instanceCount: cluster.DBClusterMembers?.length ?? 0,
        engineVersion: cluster.EngineVersion,
      };
    },
    async switchover(region, globalClusterIdentifier, targetArn) {
      const input = moveInput(globalClusterIdentifier, targetArn);
      await caller.call(ops.switchoverGlobalCluster, region, () =>
        clients.rds(region).send(new SwitchoverGlobalClusterCommand(input)),
      );
    },
    async failover(region, globalClusterIdentifier, targetArn) {
      const input = { ...moveInput(globalClusterIdentifier, targetArn), AllowDataLoss: true };
      await caller.call(ops.failoverGlobalCluster, region, () =>
        clients.rds(region).send(new FailoverGlobalClusterCommand(input)),
      );
    },
    managedRpo: (region, parameterGroupName) =>
      caller.call(ops.describeClusterParameters, region, async () => {
        // "Viewing the recovery point objective": a set RPO is a `user` parameter; unset, the
        // engine reports -1 (Aurora User Guide, aurora-global-database-disaster-recovery).
        const pages = paginateDescribeDBClusterParameters(
          { client: clients.rds(region) },
          { DBClusterParameterGroupName: parameterGroupName, Source: 'user' },
        );
        for await (const page of pages) {
          const found = page.Parameters?.find((p) => p.ParameterName === MANAGED_RPO_PARAMETER);
          if (found) {
            const seconds = Number(found.ParameterValue);
            return found.ParameterValue !== undefined && seconds > 0 ? seconds : null;
          }
        }
        return null;
      }),
    async setManagedRpo(region, parameterGroupName, seconds) {
      // rds.global_db_rpo is dynamic ("ApplyType": "dynamic" in "Viewing the recovery point
      // objective"): ApplyMethod immediate applies it without a reboot.
      await caller.call(ops.setManagedRpo, region, () =>
        clients.rds(region).send(
          new ModifyDBClusterParameterGroupCommand({
            DBClusterParameterGroupName: parameterGroupName,
            Parameters: [
              {
                ParameterName: MANAGED_RPO_PARAMETER,
                ParameterValue: String(seconds),
                ApplyMethod: 'immediate',
              },
            ],
          }),
        ),
      );
    },
    async clearManagedRpo(region, parameterGroupName) {
      // "To disable the RPO, reset the rds.global_db_rpo parameter" (Disabling the recovery
      // point objective): ModifyDBClusterParameterGroup cannot, its values start at 20.
      await caller.call(ops.clearManagedRpo, region, () =>
        clients.rds(region).send(
          new ResetDBClusterParameterGroupCommand({
            DBClusterParameterGroupName: parameterGroupName,
            Parameters: [{ ParameterName: MANAGED_RPO_PARAMETER, ApplyMethod: 'immediate' }],
          }),
        ),
      );
    },
    clusterSnapshots: (region, query) =>
      caller.call(ops.describeClusterSnapshots, region, async () => {
        const input =
          'snapshotIdentifier' in query
            ? { DBClusterSnapshotIdentifier: query.snapshotIdentifier }
            : { DBClusterIdentifier: query.clusterIdentifier };
        const found: ClusterSnapshotView[] = [];
        try {
          for await (const page of paginateDescribeDBClusterSnapshots(
            { client: clients.rds(region) },
            input,
          )) {
            found.push(...(page.DBClusterSnapshots ?? []).map(snapshotView));
          }
        } catch (err) {
          // A snapshot asked for by name that does not exist is an answer, not a failure.
          if (err instanceof DBClusterSnapshotNotFoundFault) return [];
          throw err;
        }
        return found;
      }),
    async copyClusterSnapshot(region, sourceIdentifier, targetIdentifier, kmsKeyId) {
      const out = await caller.call(ops.copyClusterSnapshot, region, () =>
        clients.rds(region).send(
          new CopyDBClusterSnapshotCommand({
            SourceDBClusterSnapshotIdentifier: sourceIdentifier,
            TargetDBClusterSnapshotIdentifier: targetIdentifier,
            ...(kmsKeyId ? { KmsKeyId: kmsKeyId } : {}),
            CopyTags: true,
          }),
        ),
      );
      return snapshotView(
        out.DBClusterSnapshot ?? { DBClusterSnapshotIdentifier: targetIdentifier },
      );
    },
  };
}

/** The writer's move to `targetArn`, as SwitchoverGlobalCluster and FailoverGlobalCluster take it. */
function moveInput(globalClusterIdentifier: string, targetArn: string) {
  return { GlobalClusterIdentifier: globalClusterIdentifier, TargetDbClusterIdentifier: targetArn };
}

function snapshotView(s: DBClusterSnapshot): ClusterSnapshotView {
  return {
    identifier: s.DBClusterSnapshotIdentifier ?? '',
    arn: s.DBClusterSnapshotArn ?? '',
    clusterIdentifier: s.DBClusterIdentifier ?? '',
    status: s.Status ?? 'unknown',
    snapshotType: s.SnapshotType ?? 'unknown',
    ...(s.SnapshotCreateTime ? { createdAt: s.SnapshotCreateTime.getTime() } : {}),
    ...(s.KmsKeyId ? { kmsKeyId: s.KmsKeyId } : {}),
  };
}
