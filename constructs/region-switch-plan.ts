import {
  Arn,
  ArnFormat,
  CustomResource,
  Duration,
  Lazy,
  RemovalPolicy,
  Stack,
  Token,
} from 'aws-cdk-lib';
import * as arc from 'aws-cdk-lib/aws-arcregionswitch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { IAuroraGlobalMember } from './aurora-global-member';
import { throwIfProblems } from './invalid-props-error';
import {
  REGULATORY_PACKS,
  acknowledgeEverywhere,
  acknowledgeFindings,
  explainDeployTimeFunction,
  inPacks,
} from './nag/acknowledge';
import { NO_CUSTOMER_DATA_METADATA } from './nag/report';
import { RegionalDataKey } from './regional-data-key';
import { ARC_FENCE_ENV } from './handlers/arc-fence';
import { ARC_HEALTH_CHECKS_RESOURCE_TYPE, arcHealthCheckAttribute } from './contract';
import { arcFenceFunctionCode, arcHealthChecksFunctionCode } from './handlers/health-code';

// ---------------------------------------------------------------------------------------------
// The fence function (one per region)
// ---------------------------------------------------------------------------------------------

/** Properties of an {@link ArcFenceFunction}. */
export interface ArcFenceFunctionProps {
  /** This region's drain switch (RegionalService `drainParameter`). */
  readonly drainSwitch: ssm.IStringParameter;
  /** This region's key: encrypts the function's log group. */
  readonly encryptionKey: kms.IKey;
  /**
   * Retention of the function's logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The write fence of an ARC Region switch plan in one region: a function that sets this
 * region's drain switch to `true`, so its writer check fails and its items API refuses writes.
 * A plan's custom action Lambda block names one per region and runs the deactivating region's.
 *
 * ARC skips custom Lambda blocks in ungraceful executions (ARC User Guide, "Custom action
 * Lambda execution block", How it works). The data plane still keeps writes off the old
 * region then: its writer check passes only while its local cluster holds the writer, and the
 * items API commits only through Aurora's global writer endpoint.
 *
 * @see https://docs.aws.amazon.com/r53recovery/latest/dg/custom-action-lambda-block.html
 */
export class ArcFenceFunction extends Construct {
  readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: ArcFenceFunctionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `ARC Region switch write fence of ${stack.region}: sets its drain switch`,
    });
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'SetDrainSwitch',
          actions: ['ssm:PutParameter'],
          resources: [props.drainSwitch.parameterArn],
        }),
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      ],
    });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      ...arcFenceFunctionCode(),
      description: `ARC Region switch: fences writes in ${stack.region} (drain switch to true)`,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 128,
      timeout: Duration.seconds(30),
      role: role.withoutPolicyUpdates(),
      logGroup,
      environment: { [ARC_FENCE_ENV.drainParameterName]: props.drainSwitch.parameterName },
    });
    this.function.node.addDependency(policy);
    const runsWhen =
      'ARC Region switch invokes this function once per plan execution, in the region it deactivates';
    acknowledgeEverywhere(
      this.function,
      inPacks('LambdaConcurrency', ['NIST.800.53.R5', 'HIPAA.Security']),
      'LAMBDA_CONCURRENCY_CHECK',
      `${runsWhen}; a reservation would take from the unreserved pool for one call per execution.`,
    );
    acknowledgeEverywhere(
      this.function,
      inPacks('LambdaDLQ', ['NIST.800.53.R5', 'HIPAA.Security']),
      'LAMBDA_DLQ_CHECK',
      `${runsWhen}, synchronously: ARC retries a failed call (retryIntervalMinutes) and reports it as a failed step; a dead-letter queue only receives failed asynchronous invocations.`,
    );
    acknowledgeEverywhere(
      this.function,
      inPacks('LambdaInsideVPC', REGULATORY_PACKS),
      'LAMBDA_INSIDE_VPC',
      `${runsWhen}; it calls only the SSM API (PutParameter on this region's drain switch) over its public TLS endpoint, and must work when the region's VPC endpoints do not.`,
    );
    acknowledgeFindings(
      this.function,
      ['cdk-validator-cfnguard::lambda_inside_vpc_check'],
      `${runsWhen}; it calls only the SSM API over its public TLS endpoint.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// The report bucket
// ---------------------------------------------------------------------------------------------

/** Properties of a {@link RegionSwitchReportBucket}. */
export interface RegionSwitchReportBucketProps {
  /**
   * Key of the report bucket.
   *
   * @default - a new RegionalDataKey with the alias `alias/multi-region-ref/arc-reports`
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Days the reports and their access logs are kept.
   *
   * @default Duration.days(365)
   */
  readonly retention?: Duration;
}

/**
 * Where ARC Region switch writes its execution reports: a versioned bucket encrypted with a
 * customer-managed key, no public access, TLS only, with server access logs in a second bucket.
 *
 * @see https://docs.aws.amazon.com/r53recovery/latest/dg/security_iam_region_switch_reports.html
 */
export class RegionSwitchReportBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: RegionSwitchReportBucketProps = {}) {
    super(scope, id);
    const retention = props.retention ?? Duration.days(365);
    this.encryptionKey =
      props.encryptionKey ??
      new RegionalDataKey(this, 'Key', { aliasName: 'alias/multi-region-ref/arc-reports' }).key;
    const lifecycleRules: s3.LifecycleRule[] = [
      { expiration: retention, noncurrentVersionExpiration: retention },
    ];
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // S3 User Guide, "Enabling Amazon S3 server access logging": the destination bucket
      // may use only SSE-S3 default encryption.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Reports', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'reports/',
      lifecycleRules,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Residency: what these buckets hold is about the plan, not the application's data.
    (this.bucket.node.defaultChild as s3.CfnBucket).addMetadata(
      NO_CUSTOMER_DATA_METADATA,
      "ARC Region switch execution reports: the plan's steps, their timings, resource ARNs and the alarms' states, no application data.",
    );
    (this.accessLogs.node.defaultChild as s3.CfnBucket).addMetadata(
      NO_CUSTOMER_DATA_METADATA,
      'S3 server access logs of the execution-report bucket: which principal read or wrote which report, no application data.',
    );
    acknowledgeFindings(
      this.accessLogs,
      ['AwsSolutions-S1', ...inPacks('S3BucketLoggingEnabled', REGULATORY_PACKS)],
      "This bucket receives the report bucket's server access logs; logging it into itself would log its own log deliveries without end.",
    );
    acknowledgeFindings(
      this.accessLogs,
      inPacks('S3DefaultEncryptionKMS', REGULATORY_PACKS),
      'Server access logs can be delivered only to a bucket whose default encryption is SSE-S3, not SSE-KMS (S3 User Guide, "Enabling Amazon S3 server access logging").',
    );
    const replication =
      "ARC writes one report per plan execution as evidence beside the drill's own journal and report; a replica in another region would need a second bucket and key there for evidence that the drill keeps already.";
    for (const bucket of [this.bucket, this.accessLogs]) {
      acknowledgeFindings(
        bucket,
        inPacks('S3BucketReplicationEnabled', REGULATORY_PACKS),
        replication,
      );
    }
  }
}

/** Where a plan's reports go: a bucket and the key it encrypts with ({@link RegionSwitchReportBucket}). */
export interface RegionSwitchReports {
  readonly bucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
}

// ---------------------------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------------------------

/** One of the two regions of a {@link RegionSwitchPlan}. */
export interface RegionSwitchPlanRegion {
  /** The region's member of the global database. */
  readonly member: IAuroraGlobalMember;
  /** The region's write fence ({@link ArcFenceFunction}`.function`). */
  readonly fenceFunction: lambda.IFunction;
  /** Set identifier of this region's failover record of the write name (GlobalTrafficRouting). */
  readonly writeRecordSetIdentifier: string;
}

/** A manual approval step before the plan acts. */
export interface RegionSwitchApproval {
  /** The role whose principals may approve (it needs arc-region-switch:ApprovePlanExecutionStep on the plan). */
  readonly approvalRole: iam.IRole;
  /**
   * How long the step waits for an approval.
   *
   * @default Duration.minutes(60)
   */
  readonly timeout?: Duration;
}

/** Properties of a {@link RegionSwitchPlan}. */
export interface RegionSwitchPlanProps {
  /**
   * Name of the plan: 1 to 32 letters, digits and hyphens.
   *
   * @default - `<globalClusterIdentifier>-<target region>`, shortened to 32 characters
   */
  readonly planName?: string;
  /** The topology's primary: the plan's primary region. */
  readonly primary: RegionSwitchPlanRegion;
  /** The secondary this plan activates (and fails back from): a plan holds exactly two regions. */
  readonly target: RegionSwitchPlanRegion;
  /** The hosted zone of the write name. */
  readonly hostedZone: route53.IHostedZone;
  /** The write name whose failover records the health check block gates. */
  readonly writeRecordName: string;
  /**
   * Where ARC writes each execution's report (under the plan's name): a
   * {@link RegionSwitchReportBucket}, best in the target region, which is healthy when the
   * plan fails over into it.
   */
  readonly reportBucket: RegionSwitchReports;
  /**
   * A key in this stack's region for the logs of the health-check custom resource (CloudWatch
   * Logs encrypts with a key of its own region), such as this region's RegionalDataKey.
   */
  readonly logsEncryptionKey: kms.IKey;
  /**
   * Application-health alarms of the plan (more with {@link RegionSwitchPlan.addApplicationHealthAlarms}).
   *
   * @default - none until added
   */
  readonly applicationHealthAlarms?: readonly cloudwatch.IAlarm[];
  /**
   * A manual approval as the first step of each workflow.
   *
   * @default - no approval step
   */
  readonly approval?: RegionSwitchApproval;
  /**
   * The recovery time objective ARC compares executions with (whole minutes).
   *
   * @default - none
   */
  readonly recoveryTimeObjective?: Duration;
  /**
   * How long the Aurora block waits for the switchover or failover.
   *
   * @default Duration.minutes(60)
   */
  readonly auroraTimeout?: Duration;
  /**
   * How long the deployment waits for ARC to create its Route 53 health checks.
   *
   * @default Duration.minutes(30)
   */
  readonly healthCheckWait?: Duration;
}

/** Step names of every workflow (the drill reads the approval step's from the outputs). */
export const REGION_SWITCH_STEP_NAMES = {
  approval: 'approve',
  fence: 'fence-writes',
  aurora: 'move-writer',
  healthChecks: 'route-writes',
} as const;

const PLAN_NAME_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/;

/**
 * An ARC Region switch plan built from the topology's own objects: the primary and one
 * secondary (a plan holds exactly two regions), active/passive, with one activate workflow per
 * region (switchover or failover to the target, failback to the primary). Each workflow runs,
 * in order: an optional manual approval; the write fence in the deactivating region; the Aurora
 * Global Database block (`switchoverOnly`, so graceful runs switch over without data loss, and
 * `ungraceful: failover`, so only ungraceful runs fail over with AllowDataLoss); and the Route 53
 * health check block on the write name. The plan's application-health alarms, its report
 * bucket and a least-privilege execution role complete it.
 *
 * ARC creates the block's Route 53 health checks only once the plan exists; this construct
 * reads their ids in the same deployment (a custom resource that polls ARC's control plane):
 * {@link RegionSwitchPlan.healthChecks}, one per region, to attach to the write records
 * (GlobalTrafficRouting `writeGates`).
 *
 * @see https://docs.aws.amazon.com/r53recovery/latest/dg/region-switch-plans.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-arcregionswitch-plan.html
 */
export class RegionSwitchPlan extends Construct {
  readonly plan: arc.CfnPlan;
  readonly executionRole: iam.Role;
  readonly planName: string;
  readonly planArn: string;
  readonly primaryRegion: string;
  readonly targetRegion: string;
  /** The bucket ARC writes this plan's reports to (under the plan's name). */
  readonly reportBucketName: string;
  /** The key prefix of this plan's reports in the bucket: the plan's name. */
  readonly reportPrefix: string;
  /** The manual approval step's name, when the plan has one. */
  readonly approvalStepName?: string;
  /** ARC's health check of each region on the write name, keyed by region. */
  readonly healthChecks: Readonly<Record<string, route53.IHealthCheck>>;
  private readonly alarms: cloudwatch.IAlarm[] = [];
  private readonly executionPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: RegionSwitchPlanProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const primaryRegion = props.primary.member.env.region;
    const targetRegion = props.target.member.env.region;
    const globalClusterIdentifier = props.primary.member.globalClusterIdentifier;
    this.planName = props.planName ?? defaultPlanName(globalClusterIdentifier, targetRegion);
    validate(this, props, this.planName);
    this.primaryRegion = primaryRegion;
    this.targetRegion = targetRegion;
    this.reportBucketName = props.reportBucket.bucket.bucketName;
    this.reportPrefix = this.planName;
    const regions = [props.primary, props.target];
    const arn = (service: string, region: string, resource: string, name: string) =>
      Arn.format(
        { service, region, resource, resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME },
        stack,
      );
    const clusterArns = regions.map((r) =>
      arn('rds', r.member.env.region, 'cluster', r.member.clusterIdentifier),
    );
    const globalClusterArn = arn('rds', '', 'global-cluster', globalClusterIdentifier);

    // ARC User Guide, "Plan execution role trust policy".
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('arc-region-switch.amazonaws.com'),
      description: `ARC Region switch plan ${this.planName}: ${primaryRegion} and ${targetRegion}`,
    });
    const statements = [
      // ARC User Guide, "Aurora Global Database execution block sample policy" (the describe
      // calls scoped to this global cluster and its two members instead of *).
      new iam.PolicyStatement({
        sid: 'ReadGlobalDatabase',
        actions: ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters'],
        resources: [globalClusterArn, ...clusterArns],
      }),
      new iam.PolicyStatement({
        sid: 'MoveWriter',
        actions: ['rds:SwitchoverGlobalCluster', 'rds:FailoverGlobalCluster'],
        resources: [globalClusterArn, ...clusterArns],
      }),
      // ARC User Guide, "Custom action Lambda execution block sample policy".
      new iam.PolicyStatement({
        sid: 'InvokeFence',
        actions: ['lambda:GetFunction', 'lambda:InvokeFunction'],
        resources: regions.map((r) => r.fenceFunction.functionArn),
      }),
      // ARC User Guide, "Route 53 health check execution block sample policy".
      new iam.PolicyStatement({
        sid: 'ReadWriteRecords',
        actions: ['route53:ListResourceRecordSets'],
        resources: [props.hostedZone.hostedZoneArn],
      }),
      // ARC User Guide, "Automatic plan execution reports permissions" (and its note: with a
      // customer-managed key, kms:GenerateDataKey and kms:Encrypt on it).
      new iam.PolicyStatement({
        sid: 'WriteReports',
        actions: ['s3:PutObject'],
        resources: [props.reportBucket.bucket.arnForObjects('*')],
      }),
      new iam.PolicyStatement({
        sid: 'EncryptReports',
        actions: ['kms:GenerateDataKey', 'kms:Encrypt'],
        resources: [props.reportBucket.encryptionKey.keyArn],
      }),
    ];
    const policy = new iam.ManagedPolicy(this, 'ExecutionPolicy', {
      roles: [this.executionRole],
      statements,
    });
    this.acknowledgeReportObjects(policy, props.reportBucket.bucket);

    const approvalStepName = props.approval ? REGION_SWITCH_STEP_NAMES.approval : undefined;
    this.approvalStepName = approvalStepName;
    const steps = (activating: string): arc.CfnPlan.StepProperty[] => [
      ...(props.approval
        ? [
            {
              name: REGION_SWITCH_STEP_NAMES.approval,
              description: `An operator approves activating ${activating}`,
              executionBlockType: 'ManualApproval',
              executionBlockConfiguration: {
                executionApprovalConfig: {
                  approvalRole: props.approval.approvalRole.roleArn,
                  timeoutMinutes: minutes(props.approval.timeout ?? Duration.minutes(60)),
                },
              },
            },
          ]
        : []),
      {
        name: REGION_SWITCH_STEP_NAMES.fence,
        description:
          "Sets the deactivating region's drain switch: its writer check fails and its items API refuses writes (skipped in ungraceful runs, where the writer check alone keeps writes off it)",
        executionBlockType: 'CustomActionLambda',
        executionBlockConfiguration: {
          customActionLambdaConfig: {
            // ARC User Guide, "Custom action Lambda execution block": one function per region,
            // run in the region chosen here.
            lambdas: regions.map((r) => ({ arn: r.fenceFunction.functionArn })),
            regionToRun: 'deactivatingRegion',
            retryIntervalMinutes: 1,
            timeoutMinutes: 5,
            ungraceful: { behavior: 'skip' },
          },
        },
      },
      {
        name: REGION_SWITCH_STEP_NAMES.aurora,
        description: `Moves the writer of ${globalClusterIdentifier} to ${activating}: switchover when graceful, failover (data loss) only when ungraceful`,
        executionBlockType: 'AuroraGlobalDatabase',
        executionBlockConfiguration: {
          // ARC API Reference, GlobalAuroraConfiguration: switchoverOnly calls
          // SwitchoverGlobalCluster; GlobalAuroraUngraceful `failover` in ungraceful runs.
          globalAuroraConfig: {
            behavior: 'switchoverOnly',
            ungraceful: { ungraceful: 'failover' },
            globalClusterIdentifier,
            databaseClusterArns: clusterArns,
            timeoutMinutes: minutes(props.auroraTimeout ?? Duration.minutes(60)),
          },
        },
      },
      {
        name: REGION_SWITCH_STEP_NAMES.healthChecks,
        description: `Sets ARC's health checks of ${props.writeRecordName}: healthy in ${activating}, unhealthy in the other region`,
        executionBlockType: 'Route53HealthCheck',
        executionBlockConfiguration: {
          route53HealthCheckConfig: {
            hostedZoneId: props.hostedZone.hostedZoneId,
            recordName: props.writeRecordName,
            // ARC User Guide, "Amazon Route 53 health check execution block": record set
            // identifiers mapped to regions where ARC cannot map them from the names.
            recordSets: regions.map((r) => ({
              recordSetIdentifier: r.writeRecordSetIdentifier,
              region: r.member.env.region,
            })),
          },
        },
      },
    ];

    this.plan = new arc.CfnPlan(this, 'Plan', {
      name: this.planName,
      description: `Moves the writer of ${globalClusterIdentifier} between ${primaryRegion} and ${targetRegion}, with its writes and DNS`,
      recoveryApproach: 'activePassive',
      primaryRegion,
      regions: [primaryRegion, targetRegion],
      executionRole: this.executionRole.roleArn,
      ...(props.recoveryTimeObjective
        ? { recoveryTimeObjectiveMinutes: minutes(props.recoveryTimeObjective) }
        : {}),
      // ARC User Guide, "Create Region switch plan workflows": an active/passive plan may have
      // one activation workflow per region.
      workflows: [targetRegion, primaryRegion].map((activating) => ({
        workflowTargetAction: 'activate',
        workflowTargetRegion: activating,
        workflowDescription: `Activate ${activating}`,
        steps: steps(activating),
      })),
      associatedAlarms: Lazy.any(
        {
          produce: () =>
            this.alarms.length === 0
              ? undefined
              : Object.fromEntries(
                  this.alarms.map((a) => [
                    a.node.id,
                    { alarmType: 'applicationHealth', resourceIdentifier: a.alarmArn },
                  ]),
                ),
        },
        { omitEmptyArray: true },
      ),
      reportConfiguration: {
        reportOutput: [
          {
            s3Configuration: {
              bucketPath: `${props.reportBucket.bucket.bucketName}/${this.reportPrefix}`,
              bucketOwner: stack.account,
            },
          },
        ],
      },
    });
    // ARC validates the role when it creates the plan: the policy must be attached first.
    this.plan.node.addDependency(policy);
    this.executionPolicy = policy;
    this.planArn = this.plan.attrArn;
    this.addApplicationHealthAlarms(...(props.applicationHealthAlarms ?? []));
    this.healthChecks = this.readHealthChecks(
      props,
      regions.map((r) => r.member.env.region),
    );
  }

  /**
   * The s3:PutObject grant names the report objects with a wildcard: ARC names each one. The
   * finding names a bucket of this stack by its logical id, another stack's by the reference
   * that synth resolves (Fn::GetStackOutput), so the id is computed once it is resolved.
   */
  private acknowledgeReportObjects(policy: iam.ManagedPolicy, bucket: s3.IBucket): void {
    const reason =
      'ARC names each report object itself (one per execution); the only wildcard grant is s3:PutObject on the objects of this one report bucket (ARC User Guide, "Automatic plan execution reports permissions").';
    const cfn = bucket.node.defaultChild;
    if (cfn instanceof s3.CfnBucket) {
      const id = `<${Stack.of(this).getLogicalId(cfn)}.Arn>/*`;
      acknowledgeFindings(policy, [`AwsSolutions-IAM5[Resource::${id}]`], reason);
      return;
    }
    // cdk-nag writes a Fn::Join's literal parts as they are and the others as JSON.
    const text = (value: unknown): string => {
      const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
      if (!join) return typeof value === 'string' ? value : JSON.stringify(value);
      return join[1].map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(join[0]);
    };
    this.node.addValidation({
      validate: () => {
        const id = text(Stack.of(this).resolve(bucket.arnForObjects('*')));
        acknowledgeFindings(policy, [`AwsSolutions-IAM5[Resource::${id}]`], reason);
        return [];
      },
    });
  }

  /** Associates application-health alarms (ARC shows them and puts their states in the report). */
  addApplicationHealthAlarms(...alarms: cloudwatch.IAlarm[]): void {
    if (alarms.length === 0) return;
    this.alarms.push(...alarms);
    // ARC User Guide, "Automatic plan execution reports permissions": the report reads them.
    this.executionPolicy.addStatements(
      new iam.PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmHistory'],
        resources: alarms.map((a) => a.alarmArn),
      }),
    );
  }

  private readHealthChecks(
    props: RegionSwitchPlanProps,
    regions: readonly string[],
  ): Record<string, route53.IHealthCheck> {
    const provider = ArcHealthChecksProvider.of(
      this,
      props.logsEncryptionKey,
      props.healthCheckWait,
    );
    provider.grantRead(this.plan.attrArn);
    const resource = new CustomResource(this, 'HealthChecks', {
      serviceToken: provider.serviceToken,
      resourceType: ARC_HEALTH_CHECKS_RESOURCE_TYPE,
      properties: {
        PlanArn: this.plan.attrArn,
        // A new plan version (any update of the plan) reads the ids again: ARC may have
        // recreated its checks.
        PlanVersion: this.plan.attrVersion,
        HostedZoneId: props.hostedZone.hostedZoneId,
        RecordName: props.writeRecordName,
        Regions: regions,
      },
    });
    return Object.fromEntries(
      regions.map((region, i) => [
        region,
        route53.HealthCheck.fromHealthCheckId(
          this,
          `HealthCheck-${region}`,
          resource.getAttString(arcHealthCheckAttribute(i)),
        ),
      ]),
    );
  }
}

/**
 * The Provider behind every plan's health-check custom resource in a stack (one per stack):
 * onEvent answers at once, isComplete asks ARC's control plane every 30 seconds until the
 * plan's health checks exist, at most `totalTimeout`.
 */
class ArcHealthChecksProvider extends Construct {
  static of(
    scope: Construct,
    encryptionKey: kms.IKey,
    wait: Duration = Duration.minutes(30),
  ): ArcHealthChecksProvider {
    const stack = Stack.of(scope);
    const id = 'ArcHealthChecksProvider';
    return (
      (stack.node.tryFindChild(id) as ArcHealthChecksProvider | undefined) ??
      new ArcHealthChecksProvider(stack, id, wait, encryptionKey)
    );
  }

  readonly serviceToken: string;
  private readonly policy: iam.ManagedPolicy;

  private constructor(scope: Construct, id: string, wait: Duration, encryptionKey: kms.IKey) {
    super(scope, id);
    this.policy = new iam.ManagedPolicy(this, 'Policy');
    const logGroupOf = (name: string) => {
      const group = new logs.LogGroup(this, `${name}Logs`, {
        encryptionKey,
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      (group.node.defaultChild as logs.CfnLogGroup).addMetadata(
        NO_CUSTOMER_DATA_METADATA,
        'Logs of the ARC health-check custom resource, which runs only at deploy time: plan ARNs, record names, regions and health check ids, no application data.',
      );
      return group;
    };
    const make = (name: string, handler: 'onEventHandler' | 'isCompleteHandler') => {
      const logGroup = logGroupOf(name);
      const role = new iam.Role(this, `${name}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `${ARC_HEALTH_CHECKS_RESOURCE_TYPE} ${handler}`,
      });
      this.policy.attachToRole(role);
      this.policy.addStatements(
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      );
      const fn = new nodejs.NodejsFunction(this, name, {
        ...arcHealthChecksFunctionCode(handler),
        description: `${ARC_HEALTH_CHECKS_RESOURCE_TYPE} ${handler}: reads the Route 53 health checks ARC Region switch created for a plan`,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 256,
        timeout: Duration.minutes(1),
        role: role.withoutPolicyUpdates(),
        logGroup,
      });
      fn.node.addDependency(this.policy);
      return fn;
    };
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: make('OnEvent', 'onEventHandler'),
      isCompleteHandler: make('IsComplete', 'isCompleteHandler'),
      queryInterval: Duration.seconds(30),
      totalTimeout: wait,
      logGroup: logGroupOf('Framework'),
    });
    this.serviceToken = provider.serviceToken;
    this.acknowledgeDeployTimeFindings();
  }

  /** Every function here runs only while CloudFormation deploys a plan: one reason each. */
  private acknowledgeDeployTimeFindings(): void {
    const runsWhen =
      'This custom resource function runs only while CloudFormation creates or updates an ARC Region switch plan';
    const framework =
      'The aws-cdk-lib custom_resources.Provider framework creates this for the ARC health-check custom resource, which runs only while CloudFormation creates or updates a plan';
    for (const c of this.node.findAll()) {
      if (c instanceof lambda.CfnFunction) {
        explainDeployTimeFunction(
          c,
          runsWhen,
          'it calls only the Lambda and ARC Region switch control-plane APIs over their public TLS endpoints.',
        );
        acknowledgeFindings(
          c,
          inPacks('LambdaInsideVPC', REGULATORY_PACKS),
          `${runsWhen}; it calls only the Lambda and ARC Region switch control-plane APIs over their public TLS endpoints.`,
        );
        acknowledgeFindings(
          c,
          inPacks('LambdaDLQ', ['NIST.800.53.R5', 'HIPAA.Security']),
          `${runsWhen}; when it fails, the custom resource fails and CloudFormation rolls the deployment back and reports it.`,
        );
        acknowledgeFindings(
          c,
          inPacks('LambdaConcurrency', ['NIST.800.53.R5', 'HIPAA.Security']),
          `${runsWhen}; a few invocations per deployment cannot exhaust the account's concurrency.`,
        );
      } else if (c instanceof iam.CfnRole && c.node.path.includes('/framework-')) {
        acknowledgeFindings(
          c,
          [
            'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          ],
          `${framework}; the framework attaches the AWS-managed basic execution policy to its functions' roles itself.`,
        );
      } else if (c instanceof iam.CfnPolicy) {
        const stack = Stack.of(this);
        const targets = this.node
          .findAll()
          .filter((f): f is lambda.CfnFunction => f instanceof lambda.CfnFunction)
          .map((f) => `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(f)}.Arn>:*]`);
        acknowledgeFindings(
          c,
          [...targets, ...inPacks('IAMNoInlinePolicy', REGULATORY_PACKS)],
          `${framework}; the framework grants itself lambda:InvokeFunction on the functions it calls and their versions (<arn>:*) in this inline policy.`,
        );
      } else if (c.node.id === 'waiter-state-machine' && c.node.defaultChild) {
        acknowledgeFindings(
          c,
          ['AwsSolutions-SF1', 'AwsSolutions-SF2'],
          `${framework}; the state machine only re-invokes isComplete every 30 seconds until ARC lists the plan's health checks, and every call is logged by the functions themselves.`,
        );
      }
    }
  }

  /** ListRoute53HealthChecks on one more plan (Service Authorization Reference, ARC Region switch: resource type plan). */
  grantRead(planArn: string): void {
    this.policy.addStatements(
      new iam.PolicyStatement({
        actions: ['arc-region-switch:ListRoute53HealthChecks'],
        resources: [planArn],
      }),
    );
  }
}

/** Whole minutes, rounded up (ARC's timeouts and RTO are whole minutes). */
function minutes(d: Duration): number {
  return Math.ceil(d.toSeconds({ integral: false }) / 60);
}

/**
 * The name the app gives the plan of `targetRegion`: `<stackPrefix>-<region>` when that is a
 * valid plan name, else the construct's default. Known at synth, so stacks deployed before the
 * plan (the readiness functions) can name it in their policies.
 */
export function regionSwitchPlanName(
  stackPrefix: string,
  globalClusterIdentifier: string,
  targetRegion: string,
): string {
  const name = `${stackPrefix}-${targetRegion}`;
  return PLAN_NAME_PATTERN.test(name)
    ? name
    : defaultPlanName(globalClusterIdentifier, targetRegion);
}

/**
 * The ARN of plan `planName` with ARC's suffix as a wildcard (Service Authorization Reference,
 * AWS ARC Region switch, plan resource: `arn:<partition>:arc-region-switch::<account>:plan/<name>:<id>`;
 * ARC generates the id at creation). Policies name plans this way, not by `planArn`: the plan
 * names its approval role, so that role's policy cannot reference the plan back.
 */
export function regionSwitchPlanArnPattern(scope: Construct, planName: string): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:arc-region-switch::${stack.account}:plan/${planName}:*`;
}

function defaultPlanName(globalClusterIdentifier: string, targetRegion: string): string {
  const head = globalClusterIdentifier.slice(0, 32 - targetRegion.length - 1).replace(/-+$/, '');
  return `${head}-${targetRegion}`;
}

function validate(scope: Construct, props: RegionSwitchPlanProps, planName: string): void {
  const problems: string[] = [];
  if (!Token.isUnresolved(planName) && !PLAN_NAME_PATTERN.test(planName)) {
    problems.push(
      `planName must be 1 to 32 letters, digits and hyphens, starting and ending with a letter or digit, got: '${planName}'`,
    );
  }
  const primary = props.primary.member.env.region;
  const target = props.target.member.env.region;
  if (!Token.isUnresolved(primary) && primary === target) {
    problems.push(
      `target must be in another region than primary (a plan holds exactly two regions), got ${primary} for both`,
    );
  }
  if (
    props.primary.member.globalClusterIdentifier !== props.target.member.globalClusterIdentifier
  ) {
    problems.push(
      `primary and target must be members of one global cluster, got: ${props.primary.member.globalClusterIdentifier}, ${props.target.member.globalClusterIdentifier}`,
    );
  }
  throwIfProblems('RegionSwitchPlan', scope, problems);
}
