import { LAG_METRICS } from '../../../constructs/contract';
/**
 * Every AWS operation the drill CLI calls, with the IAM actions the caller needs for it.
 * The adapters can only reach AWS through these entries (see `AwsCaller.call`), so this
 * table is the complete list: the owner builds the least-privilege drill role from
 * `DRILL_IAM_ACTIONS` and tests that it matches.
 */
export interface AwsOperation {
  readonly service:
    | 'rds'
    | 'rds-data'
    | 'route53'
    | 'cloudwatch'
    | 'ssm'
    | 'sts'
    | 'servicequotas'
    | 'arc-region-switch'
    | 'fis';
  readonly operation: string;
  /** IAM actions the caller needs, with the resources they apply to. */
  readonly iamActions: readonly string[];
  /** Mutating calls are refused in a dry run. */
  readonly mutating: boolean;
  /** Why the drill makes this call (for runbooks and dry-run output). */
  readonly purpose: string;
  /**
   * Loses data: only the more tightly held drill failover role grants its IAM actions, the
   * operator role does not (see `DRILL_FAILOVER_ONLY_IAM_ACTIONS`).
   */
  readonly failoverRoleOnly?: true;
}

function op(
  service: AwsOperation['service'],
  operation: string,
  iamActions: readonly string[],
  mutating: boolean,
  purpose: string,
): AwsOperation {
  return { service, operation, iamActions, mutating, purpose };
}

export const AWS_OPERATIONS = {
  describeGlobalClusters: op(
    'rds',
    'DescribeGlobalClusters',
    ['rds:DescribeGlobalClusters'],
    false,
    'which member is the writer, and any failover or switchover in progress',
  ),
  describeDbClusters: op(
    'rds',
    'DescribeDBClusters',
    ['rds:DescribeDBClusters'],
    false,
    "a member cluster's status, instances and engine version, in its own region",
  ),
  // What a promotion needs of the target region: the writer's instance classes offered there
  // for the engine version (RDS API Reference, DescribeOrderableDBInstanceOptions) and quotas
  // no lower than the writer region's (Aurora User Guide, CHAP_Limits, "Quotas in Amazon Aurora").
  describeDbInstances: op(
    'rds',
    'DescribeDBInstances',
    ['rds:DescribeDBInstances'],
    false,
    "the instance classes, engine and version of the writer cluster's instances",
  ),
  describeOrderableDbInstanceOptions: op(
    'rds',
    'DescribeOrderableDBInstanceOptions',
    ['rds:DescribeOrderableDBInstanceOptions'],
    false,
    "whether a secondary's region offers the writer's instance class for its engine version",
  ),
  getServiceQuota: op(
    'servicequotas',
    'GetServiceQuota',
    ['servicequotas:GetServiceQuota'],
    false,
    'the RDS quotas that bound a promotion (DB instances, DB clusters) in each region',
  ),
  // Managed RPO (rds.global_db_rpo) lives in each member's cluster parameter group: it is read
  // with DescribeDBClusterParameters, set with ModifyDBClusterParameterGroup and cleared with
  // ResetDBClusterParameterGroup (Aurora User Guide, aurora-global-database-disaster-recovery,
  // "Viewing", "Setting" and "Disabling the recovery point objective").
  describeClusterParameters: op(
    'rds',
    'DescribeDBClusterParameters',
    ['rds:DescribeDBClusterParameters'],
    false,
    "whether a member's cluster parameter group enforces the RPO (rds.global_db_rpo)",
  ),
  setManagedRpo: op(
    'rds',
    'ModifyDBClusterParameterGroup',
    ['rds:ModifyDBClusterParameterGroup'],
    true,
    "enforce the RPO in a member's cluster parameter group (rds.global_db_rpo, applied immediately)",
  ),
  clearManagedRpo: op(
    'rds',
    'ResetDBClusterParameterGroup',
    ['rds:ResetDBClusterParameterGroup'],
    true,
    "stop enforcing the RPO in a member's cluster parameter group (reset rds.global_db_rpo)",
  ),
  switchoverGlobalCluster: op(
    'rds',
    'SwitchoverGlobalCluster',
    ['rds:SwitchoverGlobalCluster'],
    true,
    'planned move of the writer, no data loss',
  ),
  failoverGlobalCluster: {
    ...op(
      'rds',
      'FailoverGlobalCluster',
      ['rds:FailoverGlobalCluster'],
      true,
      'unplanned move of the writer (AllowDataLoss)',
    ),
    failoverRoleOnly: true,
  },
  // After an unplanned failover Aurora attempts a point-of-failure snapshot of the old primary,
  // `rds:unplanned-global-failover-*`, best effort and kept only as long as that cluster's
  // retention (Aurora User Guide, aurora-global-database-disaster-recovery, "Recovering an Amazon
  // Aurora global database from an unplanned outage"): the drill copies it to a manual snapshot.
  describeClusterSnapshots: op(
    'rds',
    'DescribeDBClusterSnapshots',
    ['rds:DescribeDBClusterSnapshots'],
    false,
    "the old primary's point-of-failure snapshot after an unplanned failover, and the drill's copy of it",
  ),
  // "After you copy a snapshot, the copy is a manual snapshot" (Amazon RDS User Guide, Copying a
  // DB snapshot); an encrypted copy uses the KMS key given as KmsKeyId, and RDS creates a grant on
  // it with the caller's permissions, so the caller needs kms:CreateGrant and kms:DescribeKey.
  copyClusterSnapshot: op(
    'rds',
    'CopyDBClusterSnapshot',
    ['rds:CopyDBClusterSnapshot', 'kms:CreateGrant', 'kms:DescribeKey'],
    true,
    'keep the point-of-failure snapshot as a manual snapshot (lost writes stay recoverable)',
  ),
  // The Data API reads the secret with the caller's credentials, and the secret is encrypted
  // with the region's customer-managed key, so the caller needs both of those too.
  executeStatement: op(
    'rds-data',
    'ExecuteStatement',
    ['rds-data:ExecuteStatement', 'secretsmanager:GetSecretValue', 'kms:Decrypt'],
    true,
    'canary writes and reads on the writer cluster (RDS Data API)',
  ),
  getHealthCheckStatus: op(
    'route53',
    'GetHealthCheckStatus',
    ['route53:GetHealthCheckStatus'],
    false,
    'what the Route 53 health checkers report for a check',
  ),
  testDnsAnswer: op(
    'route53',
    'TestDNSAnswer',
    ['route53:TestDNSAnswer'],
    false,
    'what a record answers now, as Route 53 would',
  ),
  listResourceRecordSets: op(
    'route53',
    'ListResourceRecordSets',
    ['route53:ListResourceRecordSets'],
    false,
    'record TTLs of the app and write names',
  ),
  getMetricData: op(
    'cloudwatch',
    'GetMetricData',
    ['cloudwatch:GetMetricData'],
    false,
    `${LAG_METRICS.replication} and ${LAG_METRICS.rpo} of a secondary`,
  ),
  describeAlarms: op(
    'cloudwatch',
    'DescribeAlarms',
    ['cloudwatch:DescribeAlarms'],
    false,
    'alarms in ALARM in each region',
  ),
  getParameter: op('ssm', 'GetParameter', ['ssm:GetParameter'], false, "a region's drain switch"),
  putParameter: op(
    'ssm',
    'PutParameter',
    ['ssm:PutParameter'],
    true,
    "set a region's drain switch (fence or return to service)",
  ),
  // The drill lock: one SSM parameter per region, next to the drain switch (lock-name.ts).
  createLock: op(
    'ssm',
    'PutParameter',
    ['ssm:PutParameter'],
    true,
    'take the drill lock in a region (Overwrite=false: refused when any drill holds it)',
  ),
  readLock: op('ssm', 'GetParameter', ['ssm:GetParameter'], false, 'who holds the drill lock'),
  writeLock: op(
    'ssm',
    'PutParameter',
    ['ssm:PutParameter'],
    true,
    "renew the drill's own lock (heartbeat), mark it stopped, or take it over on resume",
  ),
  deleteLock: op(
    'ssm',
    'DeleteParameter',
    ['ssm:DeleteParameter'],
    true,
    'release the drill lock when the drill finishes or is abandoned',
  ),
  // The game day's FIS experiment (drill game-day). StartExperiment needs fis:StartExperiment on
  // the template, the experiment and the template's action; tags given at start are governed by
  // aws:RequestTag on the same action (Service Authorization Reference, AWS Fault Injection
  // Service, Actions table). Isolating a region is as grave as losing writes: failover role only.
  startExperiment: {
    ...op(
      'fis',
      'StartExperiment',
      ['fis:StartExperiment'],
      true,
      "start the game day's experiment: the writer region's application subnets isolated",
    ),
    failoverRoleOnly: true,
  },
  getExperiment: op(
    'fis',
    'GetExperiment',
    ['fis:GetExperiment'],
    false,
    "the game day's experiment state (running, stopped by a stop condition, ended)",
  ),
  stopExperiment: op(
    'fis',
    'StopExperiment',
    ['fis:StopExperiment'],
    true,
    "end the game day's isolation once the failover is done (or the drill stopped)",
  ),
  // "No permissions are required to perform this operation" (STS API Reference,
  // GetCallerIdentity): no IAM action.
  getCallerIdentity: op(
    'sts',
    'GetCallerIdentity',
    [],
    false,
    'who runs the drill (journal, record and lock owner)',
  ),
} as const satisfies Record<string, AwsOperation>;

export type OperationName = keyof typeof AWS_OPERATIONS;

/** The IAM actions a drill role needs, derived from the operations above. */
export const DRILL_IAM_ACTIONS: readonly string[] = Object.freeze(
  [...new Set(Object.values(AWS_OPERATIONS).flatMap((o) => o.iamActions))].sort(),
);

/**
 * The IAM actions only the drill failover role holds: those of the operations marked
 * `failoverRoleOnly` that no other operation needs. The operator role holds the rest.
 */
export const DRILL_FAILOVER_ONLY_IAM_ACTIONS: readonly string[] = failoverOnlyActions(
  Object.values(AWS_OPERATIONS),
);

function failoverOnlyActions(operations: readonly AwsOperation[]): readonly string[] {
  const everyRole = new Set(
    operations.filter((o) => !o.failoverRoleOnly).flatMap((o) => o.iamActions),
  );
  const failoverOnly = operations.filter((o) => o.failoverRoleOnly).flatMap((o) => o.iamActions);
  return Object.freeze([...new Set(failoverOnly)].filter((a) => !everyRole.has(a)).sort());
}

/**
 * The ARC Region switch operations of `--engine arc`, kept apart from AWS_OPERATIONS: the drill
 * roles grant them on the plans of the routing stack only (DrillOperatorRole
 * `regionSwitchPlanArns`), not on the resources DRILL_IAM_ACTIONS covers. Every one is a data-plane call, sent to the Region being activated: "we
 * recommend that you use data plane functions" and executions run on the data plane of each
 * Region (ARC Developer Guide, "Data and control planes for Region switch"; Region switch API
 * operations table, "Data plane API: Yes").
 */
export const ARC_OPERATIONS = {
  // Graceful too: IAM cannot tell the modes apart, and UpdatePlanExecution switches a running
  // execution to ungraceful (data loss), so every start is the failover role's.
  startPlanExecution: {
    ...op(
      'arc-region-switch',
      'StartPlanExecution',
      ['arc-region-switch:StartPlanExecution'],
      true,
      'start the plan execution that activates the target region (graceful)',
    ),
    failoverRoleOnly: true,
  },
  // An ungraceful run fails the Aurora block over with data loss: the failover role's.
  startUngracefulPlanExecution: {
    ...op(
      'arc-region-switch',
      'StartPlanExecution',
      ['arc-region-switch:StartPlanExecution'],
      true,
      'start the plan execution that activates the target region (ungraceful: FailoverGlobalCluster, data loss)',
    ),
    failoverRoleOnly: true,
  },
  getPlanExecution: op(
    'arc-region-switch',
    'GetPlanExecution',
    ['arc-region-switch:GetPlanExecution'],
    false,
    "the execution's state and each step's status and times",
  ),
  listPlanExecutionEvents: op(
    'arc-region-switch',
    'ListPlanExecutionEvents',
    ['arc-region-switch:ListPlanExecutionEvents'],
    false,
    "the execution's events (journaled and reported)",
  ),
  approvePlanExecutionStep: op(
    'arc-region-switch',
    'ApprovePlanExecutionStep',
    ['arc-region-switch:ApprovePlanExecutionStep'],
    true,
    'approve the manual approval step the execution waits on',
  ),
  updatePlanExecution: {
    ...op(
      'arc-region-switch',
      'UpdatePlanExecution',
      ['arc-region-switch:UpdatePlanExecution'],
      true,
      'switch the running execution to ungraceful (--ungraceful)',
    ),
    failoverRoleOnly: true,
  },
  listRoute53HealthChecksInRegion: op(
    'arc-region-switch',
    'ListRoute53HealthChecksInRegion',
    ['arc-region-switch:ListRoute53HealthChecksInRegion'],
    false,
    "the ARC-managed health checks of a plan and their status, from a region's data plane",
  ),
  getPlanEvaluationStatus: op(
    'arc-region-switch',
    'GetPlanEvaluationStatus',
    ['arc-region-switch:GetPlanEvaluationStatus'],
    false,
    "the plan's last evaluation: state, time and warnings",
  ),
} as const satisfies Record<string, AwsOperation>;

/** The ARC actions only the drill failover role holds (starting or switching an execution). */
export const DRILL_ARC_FAILOVER_ONLY_IAM_ACTIONS: readonly string[] = failoverOnlyActions(
  Object.values(ARC_OPERATIONS),
);

/** The IAM actions `--engine arc` needs beside DRILL_IAM_ACTIONS. */
export const DRILL_ARC_IAM_ACTIONS: readonly string[] = Object.freeze(
  [...new Set(Object.values(ARC_OPERATIONS).flatMap((o) => o.iamActions))].sort(),
);
