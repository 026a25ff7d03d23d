import { Arn, ArnFormat, CfnResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { regionSwitchPlanArnPattern } from './region-switch-plan';
import { PROMOTION_QUOTAS } from '../runbooks/drill/checks/capacity';
import { PREFLIGHT_ARC_OPERATIONS, PREFLIGHT_OPERATIONS } from '../runbooks/drill/preflight';
import { acknowledgeCrossStackLogKey } from './aurora-global-member';
import {
  drillOutputParameterName,
  MIRRORED_DRILL_OUTPUT_KEYS,
  READINESS_DIMENSIONS,
  READINESS_ENV,
  READINESS_METRIC_NAMESPACE,
  READINESS_METRICS,
  ROUTE53_HOME_REGION,
  type DrillOutputKey,
} from './contract';
import { readinessFunctionCode } from './handlers/health-code';
import type { OutputParameter } from './handlers/readiness-run';
import { nagText } from './drill-operator-role';
import { throwIfProblems } from './invalid-props-error';
import { AlarmFactory } from './monitoring';
import { acknowledgeEverywhere, acknowledgeFindings, inPacks } from './nag/acknowledge';

/** One stack whose `Drill*` outputs the readiness function reads (from their SSM mirrors). */
export interface ReadinessOutputStack {
  readonly stackName: string;
  readonly region: string;
  /** The Drill* output keys the stack publishes. */
  readonly keys: readonly DrillOutputKey[];
}

/** One member region, with the fixed names the preflight reads there. */
export interface ReadinessRegion {
  readonly region: string;
  readonly clusterIdentifier: string;
  readonly clusterParameterGroupName: string;
  readonly drainParameterName: string;
}

/** Properties of a {@link ReadinessCheck}. */
export interface ReadinessCheckProps {
  /** Every stack with Drill* outputs (databases, services, routing), in its region. */
  readonly outputStacks: readonly ReadinessOutputStack[];
  /** Every member region of the global database. */
  readonly regions: readonly ReadinessRegion[];
  /** The global cluster the preflight reads (DescribeGlobalClusters). */
  readonly globalClusterIdentifier: string;
  /** The zone of the app and write records (ListResourceRecordSets). */
  readonly hostedZone: route53.IHostedZone;
  /**
   * Names of the ARC Region switch plans (`DrillRegionSwitch`): preflight reads their
   * managed health checks, so the function may too.
   *
   * @default - no plans: the function's role may not read ARC
   */
  readonly regionSwitchPlanNames?: readonly string[];
  /** Where the alarm notifies (the region's alarm topic). */
  readonly alarmTopic: sns.ITopic;
  /** Encrypts the function's log group. */
  readonly encryptionKey: kms.IKey;
  /**
   * How often the preflight runs.
   *
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;
  /**
   * Runs in a row that must find the region not ready (or publish nothing) before the alarm.
   *
   * @default 2
   */
  readonly evaluationPeriods?: number;
  /**
   * Region of the Route 53 calls and the routing stack's alarms.
   *
   * @default ROUTE53_HOME_REGION (us-east-1)
   */
  readonly homeRegion?: string;
  /**
   * How long the function's logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** The default interval of the readiness schedule. */
export const DEFAULT_READINESS_INTERVAL = Duration.minutes(5);

/**
 * Continuous readiness of one region as a standby: an EventBridge Scheduler schedule runs a
 * function that observes the deployment as `drill preflight` does and judges this region as
 * the target with the preflight's own checks (runbooks/drill/preflight.ts), then publishes
 * `StandbyReady` (1 or 0) and one `PreflightCheckFailed` per failed check; an alarm notifies
 * the region's topic when the region would not pass preflight, or when nothing was published.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (rate-based schedules)
 */
export class ReadinessCheck extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly schedule: scheduler.Schedule;
  readonly alarm: cloudwatch.Alarm;
  /** 1 when this region would pass preflight as the target of a move (minimum per period). */
  readonly readyMetric: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: ReadinessCheckProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const interval = props.interval ?? DEFAULT_READINESS_INTERVAL;
    const evaluationPeriods = props.evaluationPeriods ?? 2;
    const homeRegion = props.homeRegion ?? ROUTE53_HOME_REGION;
    const problems: string[] = [];
    const minutes = interval.toMinutes({ integral: false });
    if (!Token.isUnresolved(minutes) && (!Number.isInteger(minutes) || minutes < 1)) {
      problems.push(
        `interval must be a whole number of minutes, at least 1 (a CloudWatch period), got: ${interval.toHumanString()}`,
      );
    }
    if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
      problems.push(
        `evaluationPeriods must be a whole number of at least 1, got: ${evaluationPeriods}`,
      );
    }
    if (props.outputStacks.length === 0) {
      problems.push('outputStacks must name the stacks with Drill* outputs, got none');
    }
    if (props.regions.length === 0) {
      problems.push('regions must name every member region, got none');
    }
    throwIfProblems('ReadinessCheck', this, problems);

    const outputParameters: OutputParameter[] = props.outputStacks.flatMap((s) =>
      s.keys
        .filter((key) => MIRRORED_DRILL_OUTPUT_KEYS.includes(key))
        .map((key) => ({
          region: s.region,
          stackName: s.stackName,
          key,
          name: drillOutputParameterName(s.stackName, key),
        })),
    );

    const logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeCrossStackLogKey(logGroup, props.encryptionKey);
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Readiness function of ${stack.region}: the preflight's read-only calls and its metrics`,
    });
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `The read-only calls of drill preflight (runbooks/drill/preflight.ts PREFLIGHT_OPERATIONS), the Drill* output parameters, and the ${READINESS_METRIC_NAMESPACE} metrics`,
      statements: readinessStatements(stack, props, outputParameters, logGroup),
      roles: [role],
    });

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      // readiness.ts bundled at synth from source; the package ships a prebuilt bundle.
      ...readinessFunctionCode(),
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      // Every region's reads run in parallel; the SDK's retries (3 attempts) fit in this.
      timeout: Duration.minutes(2),
      role: role.withoutPolicyUpdates(),
      logGroup,
      description: `Runs drill preflight's checks with ${stack.region} as the target and publishes ${READINESS_METRIC_NAMESPACE}`,
      environment: {
        [READINESS_ENV.outputParameters]: JSON.stringify(outputParameters),
        [READINESS_ENV.homeRegion]: homeRegion,
      },
    });
    this.function.node.addDependency(policy);
    const outsideVpc =
      "It calls the AWS APIs of every member region and Route 53 (us-east-1) over their public endpoints, as drill preflight does; the VPC's isolated subnets have no route to other regions' endpoints, and interface endpoints serve only their own region.";
    acknowledgeEverywhere(
      this.function,
      inPacks('LambdaInsideVPC', ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']),
      'LAMBDA_INSIDE_VPC',
      outsideVpc,
    );
    acknowledgeFindings(
      this.function,
      ['cdk-validator-cfnguard::lambda_inside_vpc_check'],
      outsideVpc,
    );
    acknowledgeEverywhere(
      this.function,
      inPacks('LambdaDLQ', ['NIST.800.53.R5', 'HIPAA.Security']),
      'LAMBDA_DLQ_CHECK',
      'A failed run publishes no StandbyReady datapoint, and the readiness alarm treats missing data as not ready: the failure is itself the alarm, and the next run starts fresh, so a dead-letter queue would hold events nobody replays.',
    );
    acknowledgeEverywhere(
      this.function,
      inPacks('LambdaConcurrency', ['NIST.800.53.R5', 'HIPAA.Security']),
      'LAMBDA_CONCURRENCY_CHECK',
      `One invocation per ${interval.toHumanString()} from one schedule cannot exhaust the account's concurrency, and a reservation would take from the unreserved pool (Lambda keeps 100 executions of the regional quota unreserved).`,
    );

    // Retries off: a late run would judge a past moment; the next scheduled run is the retry.
    // Its own role with a managed policy on exactly this function (the target's grantInvoke
    // would add an inline policy on the function and its versions, ARN:*).
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: `Lets EventBridge Scheduler invoke the readiness function of ${stack.region}`,
    });
    new iam.ManagedPolicy(this, 'SchedulerPolicy', {
      description: `Invoke the readiness function of ${stack.region}`,
      statements: [
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [this.function.functionArn],
        }),
      ],
      roles: [schedulerRole],
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: scheduler.ScheduleExpression.rate(interval),
      description: `drill preflight for ${stack.region} as the target, every ${interval.toHumanString()}`,
      target: new targets.LambdaInvoke(this.function, {
        retryAttempts: 0,
        role: schedulerRole.withoutPolicyUpdates(),
      }),
    });
    const logicalId = (c: Construct) => stack.getLogicalId(c.node.defaultChild as CfnResource);
    acknowledgeFindings(
      policy,
      [`AwsSolutions-IAM5[Resource::<${logicalId(logGroup)}.Arn>:*]`],
      'The function writes only the log streams of its own log group, whose names Lambda chooses.',
    );
    acknowledgeFindings(
      policy,
      props.regions.map(
        (r) =>
          `AwsSolutions-IAM5[Resource::${nagText(stack, Arn.format({ service: 'rds', region: r.region, resource: 'db', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }, stack))}]`,
      ),
      "The capacity check lists the writer cluster's instances with DescribeDBInstances filtered by db-cluster-id: readers come and go with their own names, so the action is allowed on the DB instances of the members' regions only, read-only.",
    );
    acknowledgeFindings(
      policy,
      [
        `AwsSolutions-IAM5[Resource::${nagText(stack, `arn:${stack.partition}:route53:::healthcheck/*`)}]`,
      ],
      'GetHealthCheckStatus (read-only) on health checks: their ids are generated when the routing stack deploys, after this stack, so this stack cannot name them.',
    );
    acknowledgeFindings(
      policy,
      (props.regionSwitchPlanNames ?? []).map(
        (name) =>
          `AwsSolutions-IAM5[Resource::${nagText(stack, regionSwitchPlanArnPattern(stack, name))}]`,
      ),
      'ListRoute53HealthChecksInRegion (read-only) on the ARC Region switch plans by their fixed names: ARC appends an id it generates when the routing stack creates them, after this stack.',
    );
    acknowledgeFindings(
      policy,
      ['AwsSolutions-IAM5[Resource::*]'],
      'TestDNSAnswer, GetMetricData and DescribeOrderableDBInstanceOptions support no resource-level permissions; DescribeAlarms returns composite alarms only when allowed on *; PutMetricData has no resource type and is limited to the readiness namespace by the cloudwatch:namespace condition.',
    );

    this.readyMetric = new cloudwatch.Metric({
      namespace: READINESS_METRIC_NAMESPACE,
      metricName: READINESS_METRICS.ready,
      dimensionsMap: { [READINESS_DIMENSIONS.region]: stack.region },
      statistic: cloudwatch.Stats.MINIMUM,
      period: interval,
    });
    const alarms = new AlarmFactory(this, { alarmTopic: props.alarmTopic });
    this.alarm = alarms.addAlarm('NotReadyAlarm', {
      name: [READINESS_METRICS.ready, 'critical'],
      alarmDescription: `CRITICAL: ${stack.region} would not pass drill preflight as the target of a move (or its readiness function published nothing) for ${evaluationPeriods} run(s) in a row; the failed checks are the ${READINESS_METRICS.checkFailed} metrics by ${READINESS_DIMENSIONS.check}, the reasons in the function's log ${logGroup.logGroupName}`,
      metric: this.readyMetric,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods,
      // No datapoint: the function failed or did not run, so nobody knows the region is ready.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}

/**
 * The role's statements: the IAM actions of PREFLIGHT_OPERATIONS, each on the resources it
 * acts on, plus reading the output mirrors and publishing the metrics. An action the table
 * gains without a resource here fails synth, so the role never drifts from the preflight.
 */
function readinessStatements(
  stack: Stack,
  props: ReadinessCheckProps,
  outputParameters: readonly OutputParameter[],
  logGroup: logs.LogGroup,
): iam.PolicyStatement[] {
  const arn = (
    service: string,
    region: string,
    resource: string,
    resourceName: string,
    arnFormat = ArnFormat.COLON_RESOURCE_NAME,
  ) => Arn.format({ service, region, resource, resourceName, arnFormat }, stack);
  const parameter = (region: string, name: string) =>
    arn('ssm', region, 'parameter', name.replace(/^\//, ''), ArnFormat.SLASH_RESOURCE_NAME);
  const regions = props.regions;
  // Service Authorization Reference for each service: the resource type each action takes;
  // '*' where the action has none (TestDNSAnswer, GetMetricData,
  // DescribeOrderableDBInstanceOptions) or where DescribeAlarms returns composite alarms only on *.
  const resources: Record<string, string[]> = {
    'rds:DescribeGlobalClusters': [arn('rds', '', 'global-cluster', props.globalClusterIdentifier)],
    'rds:DescribeDBClusters': regions.map((r) =>
      arn('rds', r.region, 'cluster', r.clusterIdentifier),
    ),
    'rds:DescribeDBClusterParameters': regions.map((r) =>
      arn('rds', r.region, 'cluster-pg', r.clusterParameterGroupName),
    ),
    'rds:DescribeDBInstances': regions.map((r) => arn('rds', r.region, 'db', '*')),
    'rds:DescribeOrderableDBInstanceOptions': ['*'],
    'servicequotas:GetServiceQuota': regions.flatMap((r) =>
      PROMOTION_QUOTAS.map(
        (q) =>
          `arn:${stack.partition}:servicequotas:${r.region}:${stack.account}:${q.serviceCode}/${q.code}`,
      ),
    ),
    'cloudwatch:GetMetricData': ['*'],
    'cloudwatch:DescribeAlarms': ['*'],
    'route53:GetHealthCheckStatus': [`arn:${stack.partition}:route53:::healthcheck/*`],
    'route53:TestDNSAnswer': ['*'],
    'route53:ListResourceRecordSets': [props.hostedZone.hostedZoneArn],
    'ssm:GetParameter': [
      ...regions.map((r) => parameter(r.region, r.drainParameterName)),
      ...outputParameters.map((p) => parameter(p.region, p.name)),
    ],
  };
  // Service Authorization Reference, AWS ARC Region switch: the plan resource is
  // arn:<partition>:arc-region-switch::<account>:plan/<name>:<suffix ARC generates>.
  const plans = (props.regionSwitchPlanNames ?? []).map((name) =>
    regionSwitchPlanArnPattern(stack, name),
  );
  for (const action of PREFLIGHT_ARC_OPERATIONS.flatMap((o) => o.iamActions)) {
    if (plans.length > 0) resources[action] = plans;
  }
  const operations =
    plans.length > 0
      ? [...PREFLIGHT_OPERATIONS, ...PREFLIGHT_ARC_OPERATIONS]
      : PREFLIGHT_OPERATIONS;
  const actions = [...new Set(operations.flatMap((o) => o.iamActions))].sort();
  const unmapped = actions.filter((a) => !resources[a]);
  if (unmapped.length > 0) {
    throw new Error(
      `ReadinessCheck: no resources for ${unmapped.join(', ')} (a new preflight operation): add them to readinessStatements in constructs/readiness-check.ts`,
    );
  }
  return [
    ...actions.map(
      (action) =>
        new iam.PolicyStatement({
          sid: action.replace(/[^A-Za-z0-9]/g, ''),
          actions: [action],
          resources: resources[action],
        }),
    ),
    // PutMetricData has no resource type; the namespace condition keeps it to this one
    // (CloudWatch User Guide, "Using condition keys to limit access to CloudWatch namespaces").
    new iam.PolicyStatement({
      sid: 'PublishReadiness',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': READINESS_METRIC_NAMESPACE } },
    }),
    new iam.PolicyStatement({
      sid: 'WriteLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`${logGroup.logGroupArn}:*`],
    }),
  ];
}
