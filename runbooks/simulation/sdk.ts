// The simulation behind the SDK's own clients: one table maps each command the drill sends to
// the world's answer. Tests serve it through aws-sdk-client-mock; `drill rehearse` through a
// middleware on the real clients (simulateClient), so both run the same adapters and retries'
// error handling, and neither needs credentials or a network.
import {
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type DescribeAlarmsCommandInput,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import {
  CopyDBClusterSnapshotCommand,
  DBClusterNotFoundFault,
  DescribeDBClusterSnapshotsCommand,
  type CopyDBClusterSnapshotCommandInput,
  type DescribeDBClusterSnapshotsCommandInput,
  DescribeDBClusterParametersCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  DescribeOrderableDBInstanceOptionsCommand,
  type DescribeDBInstancesCommandInput,
  type DescribeOrderableDBInstanceOptionsCommandInput,
  FailoverGlobalClusterCommand,
  GlobalClusterNotFoundFault,
  ModifyDBClusterParameterGroupCommand,
  ResetDBClusterParameterGroupCommand,
  SwitchoverGlobalClusterCommand,
  type DescribeDBClusterParametersCommandInput,
  type DescribeDBClustersCommandInput,
  type DescribeGlobalClustersCommandInput,
  type FailoverGlobalClusterCommandInput,
  type ModifyDBClusterParameterGroupCommandInput,
  type ResetDBClusterParameterGroupCommandInput,
  type SwitchoverGlobalClusterCommandInput,
} from '@aws-sdk/client-rds';
import {
  ExecuteStatementCommand,
  type ExecuteStatementCommandInput,
} from '@aws-sdk/client-rds-data';
import {
  GetHealthCheckStatusCommand,
  ListResourceRecordSetsCommand,
  TestDNSAnswerCommand,
  type GetHealthCheckStatusCommandInput,
  type ListResourceRecordSetsCommandInput,
  type TestDNSAnswerCommandInput,
} from '@aws-sdk/client-route-53';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  PutParameterCommand,
  type DeleteParameterCommandInput,
  type GetParameterCommandInput,
  type PutParameterCommandInput,
} from '@aws-sdk/client-ssm';
import {
  GetServiceQuotaCommand,
  NoSuchResourceException,
  type GetServiceQuotaCommandInput,
} from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { HandlerExecutionContext, MetadataBearer, MiddlewareStack } from '@smithy/types';
import {
  ApprovePlanExecutionStepCommand,
  GetPlanEvaluationStatusCommand,
  GetPlanExecutionCommand,
  ListPlanExecutionEventsCommand,
  ListRoute53HealthChecksInRegionCommand,
  StartPlanExecutionCommand,
  UpdatePlanExecutionCommand,
} from '../../constructs/aws-api/arc-region-switch';
import {
  GetExperimentCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from '../../constructs/aws-api/fis';
import { simulatedArc } from './arc';
import type { SimulatedWorld } from './world';

/** The SDK clients the drill makes (AwsClients), by the name the table uses. */
export type SimulatedService =
  'rds' | 'rdsData' | 'route53' | 'cloudwatch' | 'ssm' | 'sts' | 'serviceQuotas' | 'arc' | 'fis';

/** One command the simulation answers: the IAM-style operation name and the world's answer. */
export interface SimulatedOperation {
  readonly service: SimulatedService;
  /** The SDK's command class (`DescribeGlobalClustersCommand`...). */
  readonly command: abstract new (...args: never[]) => unknown;
  readonly operation: string;
  answer(world: SimulatedWorld, region: string, input: never): object;
}

const SERVICE_OF: Record<string, SimulatedService> = {
  'rds:': 'rds',
  'rds-data:': 'rdsData',
  'route53:': 'route53',
  'cloudwatch:': 'cloudwatch',
  'ssm:': 'ssm',
  'sts:': 'sts',
  'servicequotas:': 'serviceQuotas',
  'arc-region-switch:': 'arc',
  'fis:': 'fis',
};

function op<I>(
  command: abstract new (...args: never[]) => { readonly input: I },
  operation: string,
  answer: (world: SimulatedWorld, region: string, input: I) => object,
): SimulatedOperation {
  const service = SERVICE_OF[operation.replace(/:.*$/, ':')];
  return { service, command, operation, answer: answer as SimulatedOperation['answer'] };
}

/** Every command the drill sends, and what the simulated deployment answers. */
export const SIMULATED_OPERATIONS: readonly SimulatedOperation[] = [
  op(
    DescribeGlobalClustersCommand,
    'rds:DescribeGlobalClusters',
    (w, _region, input: DescribeGlobalClustersCommandInput) => {
      if (input.GlobalClusterIdentifier !== w.globalId) {
        throw new GlobalClusterNotFoundFault({
          message: `GlobalCluster ${input.GlobalClusterIdentifier} not found.`,
          $metadata: { httpStatusCode: 404 },
        });
      }
      return { GlobalClusters: [w.globalCluster()] };
    },
  ),
  op(
    DescribeDBClustersCommand,
    'rds:DescribeDBClusters',
    (w, region, input: DescribeDBClustersCommandInput) => {
      const r = w.regions.get(region);
      const id = r && w.deployed(region).clusterIdentifier;
      if (!r || input.DBClusterIdentifier !== id) {
        throw new DBClusterNotFoundFault({
          message: `DBCluster ${input.DBClusterIdentifier} not found.`,
          $metadata: {},
        });
      }
      return {
        DBClusters: [
          {
            DBClusterIdentifier: id,
            DBClusterArn: w.clusterArn(region),
            Status: r.status,
            EngineVersion: r.engineVersion,
            DBClusterMembers: Array.from({ length: r.instances }, (_, i) => ({
              DBInstanceIdentifier: `${id}-${i}`,
            })),
          },
        ],
      };
    },
  ),
  op(
    DescribeDBInstancesCommand,
    'rds:DescribeDBInstances',
    (w, region, input: DescribeDBInstancesCommandInput) => {
      const r = w.regions.get(region);
      const wanted = input.Filters?.find((f) => f.Name === 'db-cluster-id')?.Values ?? [];
      const id = r && w.deployed(region).clusterIdentifier;
      if (!r || !id || !wanted.includes(id)) return { DBInstances: [] };
      return {
        DBInstances: Array.from({ length: r.instances }, (_, i) => ({
          DBInstanceIdentifier: `${id}-${i}`,
          DBClusterIdentifier: id,
          DBInstanceClass: r.instanceClass,
          Engine: w.engine,
          EngineVersion: r.engineVersion,
        })),
      };
    },
  ),
  op(
    DescribeOrderableDBInstanceOptionsCommand,
    'rds:DescribeOrderableDBInstanceOptions',
    (w, region, input: DescribeOrderableDBInstanceOptionsCommandInput) => ({
      OrderableDBInstanceOptions:
        input.Engine === w.engine && !w.notOffered.has(`${region}|${input.DBInstanceClass}`)
          ? [
              {
                Engine: input.Engine,
                EngineVersion: input.EngineVersion,
                DBInstanceClass: input.DBInstanceClass,
              },
            ]
          : [],
    }),
  ),
  op(
    GetServiceQuotaCommand,
    'servicequotas:GetServiceQuota',
    (w, region, input: GetServiceQuotaCommandInput) => {
      if (input.ServiceCode !== 'rds') {
        throw new NoSuchResourceException({
          message: `fake: no quotas of ${input.ServiceCode}`,
          $metadata: { httpStatusCode: 400 },
        });
      }
      return {
        Quota: {
          ServiceCode: 'rds',
          QuotaCode: input.QuotaCode,
          Value: w.quotaOf(region, input.QuotaCode ?? ''),
        },
      };
    },
  ),
  op(
    DescribeDBClusterParametersCommand,
    'rds:DescribeDBClusterParameters',
    (w, region, input: DescribeDBClusterParametersCommandInput) =>
      w.describeClusterParameters(region, input),
  ),
  op(
    ModifyDBClusterParameterGroupCommand,
    'rds:ModifyDBClusterParameterGroup',
    (w, region, input: ModifyDBClusterParameterGroupCommandInput) =>
      w.modifyClusterParameters(region, input),
  ),
  op(
    ResetDBClusterParameterGroupCommand,
    'rds:ResetDBClusterParameterGroup',
    (w, region, input: ResetDBClusterParameterGroupCommandInput) =>
      w.resetClusterParameters(region, input),
  ),
  op(
    DescribeDBClusterSnapshotsCommand,
    'rds:DescribeDBClusterSnapshots',
    (w, region, input: DescribeDBClusterSnapshotsCommandInput) =>
      w.describeSnapshots(region, input),
  ),
  op(
    CopyDBClusterSnapshotCommand,
    'rds:CopyDBClusterSnapshot',
    (w, region, input: CopyDBClusterSnapshotCommandInput) => w.copySnapshot(region, input),
  ),
  op(
    SwitchoverGlobalClusterCommand,
    'rds:SwitchoverGlobalCluster',
    (w, _r, input: SwitchoverGlobalClusterCommandInput) => ({
      GlobalCluster: w.promote('switchover', input),
    }),
  ),
  op(
    FailoverGlobalClusterCommand,
    'rds:FailoverGlobalCluster',
    (w, _r, input: FailoverGlobalClusterCommandInput) => {
      if (!input.AllowDataLoss) throw new Error('fake: the drill must always set AllowDataLoss');
      return { GlobalCluster: w.promote('failover', input) };
    },
  ),
  op(
    ExecuteStatementCommand,
    'rds-data:ExecuteStatement',
    (w, region, input: ExecuteStatementCommandInput) => w.execute(region, input),
  ),
  op(
    GetHealthCheckStatusCommand,
    'route53:GetHealthCheckStatus',
    (w, _r, input: GetHealthCheckStatusCommandInput) => w.healthCheck(input.HealthCheckId ?? ''),
  ),
  op(TestDNSAnswerCommand, 'route53:TestDNSAnswer', (w, _r, input: TestDNSAnswerCommandInput) => ({
    Nameserver: 'ns-1.awsdns-01.org',
    RecordName: input.RecordName,
    RecordType: input.RecordType,
    RecordData: w.dnsAnswer(input.RecordName ?? ''),
    ResponseCode: 'NOERROR',
    Protocol: 'UDP',
  })),
  op(
    ListResourceRecordSetsCommand,
    'route53:ListResourceRecordSets',
    (w, _r, input: ListResourceRecordSetsCommandInput) => ({
      ResourceRecordSets: w.recordSets(input.StartRecordName ?? ''),
      IsTruncated: false,
      MaxItems: input.MaxItems,
    }),
  ),
  op(
    GetMetricDataCommand,
    'cloudwatch:GetMetricData',
    (w, region, input: GetMetricDataCommandInput) => w.lag(region, input),
  ),
  op(
    DescribeAlarmsCommand,
    'cloudwatch:DescribeAlarms',
    (w, region, input: DescribeAlarmsCommandInput) => ({
      MetricAlarms: w.alarms.filter(
        (a) =>
          a.region === region &&
          a.StateValue === input.StateValue &&
          (a.AlarmName ?? '').startsWith(input.AlarmNamePrefix ?? ''),
      ),
      CompositeAlarms: [],
    }),
  ),
  op(GetCallerIdentityCommand, 'sts:GetCallerIdentity', (w) => ({ ...w.callerIdentity })),
  op(StartExperimentCommand, 'fis:StartExperiment', (w, region, input) =>
    w.fis.start(region, input),
  ),
  op(GetExperimentCommand, 'fis:GetExperiment', (w, region, input) => w.fis.get(region, input.id)),
  op(StopExperimentCommand, 'fis:StopExperiment', (w, region, input) =>
    w.fis.stop(region, input.id),
  ),
  op(GetParameterCommand, 'ssm:GetParameter', (w, region, input: GetParameterCommandInput) => ({
    Parameter: w.getParameter(region, input.Name ?? ''),
  })),
  op(PutParameterCommand, 'ssm:PutParameter', (w, region, input: PutParameterCommandInput) =>
    w.putParameter(region, input),
  ),
  op(
    DeleteParameterCommand,
    'ssm:DeleteParameter',
    (w, region, input: DeleteParameterCommandInput) => {
      w.deleteParameter(region, input.Name ?? '');
      return {};
    },
  ),
  // ARC Region switch (runbooks/simulation/arc.ts): the data plane of the region asked.
  op(StartPlanExecutionCommand, 'arc-region-switch:StartPlanExecution', (w, region, input) =>
    simulatedArc(w).start(region, input),
  ),
  op(GetPlanExecutionCommand, 'arc-region-switch:GetPlanExecution', (w, _region, input) => {
    const arc = simulatedArc(w);
    return arc.describe(arc.execution(input.planArn, input.executionId));
  }),
  op(
    ListPlanExecutionEventsCommand,
    'arc-region-switch:ListPlanExecutionEvents',
    (w, _r, input) => ({
      items: [...simulatedArc(w).execution(input.planArn, input.executionId).events],
    }),
  ),
  op(
    ApprovePlanExecutionStepCommand,
    'arc-region-switch:ApprovePlanExecutionStep',
    (w, _r, input) => {
      if (input.approval !== 'approve') throw new Error('fake: the drill only approves');
      simulatedArc(w).approve(input.planArn, input.executionId, input.stepName);
      return {};
    },
  ),
  op(UpdatePlanExecutionCommand, 'arc-region-switch:UpdatePlanExecution', (w, _r, input) => {
    if (input.action !== 'switchToUngraceful') {
      throw new Error(`fake: UpdatePlanExecution ${input.action} is not simulated`);
    }
    simulatedArc(w).switchToUngraceful(input.planArn, input.executionId);
    return {};
  }),
  op(
    ListRoute53HealthChecksInRegionCommand,
    'arc-region-switch:ListRoute53HealthChecksInRegion',
    (w, _r, input) => simulatedArc(w).healthChecks(input.arn),
  ),
  op(GetPlanEvaluationStatusCommand, 'arc-region-switch:GetPlanEvaluationStatus', (w, _r, input) =>
    simulatedArc(w).evaluation(input.planArn),
  ),
];

/** The region a client is configured for (its `region` may be a provider). */
export async function clientRegion(client: { config: { region: unknown } }): Promise<string> {
  const provider = client.config.region;
  return typeof provider === 'function' ? String(await provider()) : String(provider);
}

/** Serves one command of `client` from the world: records it, applies faults and time, answers. */
export function serveFromWorld(
  world: SimulatedWorld,
  operation: SimulatedOperation,
  client: { config: { region: unknown } },
  input: object,
): Promise<object> {
  return world.serve(
    operation.operation,
    client,
    () => clientRegion(client),
    input,
    (region) => operation.answer(world, region, input as never),
  );
}

const BY_COMMAND = new Map(SIMULATED_OPERATIONS.map((o) => [o.command.name, o]));

/**
 * Answers every command of `client` from the world, at the start of the middleware stack (the
 * initialize step, before serialization, signing and the network: Smithy's middleware stack,
 * AWS SDK for JavaScript v3 Developer Guide, "Middleware stack"). A command the table lacks is
 * refused, so a rehearsal never reaches AWS.
 */
export function simulateClient(
  client: {
    readonly config: { readonly region: unknown };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly middlewareStack: MiddlewareStack<any, any>;
  },
  world: () => SimulatedWorld,
): void {
  client.middlewareStack.add(
    (_next: unknown, context: HandlerExecutionContext) => async (args: { input: object }) => {
      const operation = BY_COMMAND.get(context.commandName ?? '');
      if (!operation) {
        throw new Error(
          `the simulation does not answer ${context.clientName}.${context.commandName}: extend runbooks/simulation/sdk.ts`,
        );
      }
      const output = (await serveFromWorld(
        world(),
        operation,
        client,
        args.input,
      )) as MetadataBearer;
      return { output: { ...output, $metadata: output.$metadata ?? {} }, response: undefined };
    },
    { step: 'initialize', name: 'drillSimulation', priority: 'high' },
  );
}
