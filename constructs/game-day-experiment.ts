import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fis from 'aws-cdk-lib/aws-fis';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  DEFAULT_GAME_DAY_DURATION_SECONDS,
  GAME_DAY_ACTION_ID,
  GAME_DAY_TEMPLATE_TAG,
} from './contract';
import { throwIfProblems } from './invalid-props-error';
import { acknowledgeFindings } from './nag/acknowledge';

/** Properties of a {@link GameDayExperiment}. */
export interface GameDayExperimentProps {
  /** The region's VPC (FIS creates its deny-all network ACL in it). */
  readonly vpc: ec2.IVpc;
  /** The subnets to isolate: the region's application subnets, never its database subnets. */
  readonly subnets: ec2.SubnetSelection;
  /**
   * CloudWatch alarms of this region that stop the experiment when one enters ALARM
   * (FIS allows at most 5 per template).
   *
   * @see https://docs.aws.amazon.com/fis/latest/userguide/stop-conditions.html
   */
  readonly stopConditions: readonly cloudwatch.IAlarm[];
  /** Key that encrypts the experiment log group (CloudWatch Logs must be allowed to use it). */
  readonly encryptionKey: kms.IKey;
  /**
   * How long the subnets stay isolated unless the drill (or a stop condition) stops the
   * experiment first: from 1 minute to 12 hours (the action's `duration`).
   *
   * @default Duration.minutes(30)
   */
  readonly duration?: Duration;
  /**
   * How long the experiment log is kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** The isolation lasts this long by default: a failover drill with its waits fits in it. */
export const DEFAULT_GAME_DAY_DURATION = Duration.seconds(DEFAULT_GAME_DAY_DURATION_SECONDS);
/** The FIS action that isolates the subnets. */
export { GAME_DAY_ACTION_ID };
/** The tag FIS puts on the network ACL it creates, and the role's conditions match. */
const FIS_MANAGED_TAG = 'managedByFIS';
/** "Stop conditions per experiment template: 5" (FIS User Guide, Quotas and limitations). */
const MAX_STOP_CONDITIONS = 5;

/**
 * An AWS FIS experiment template that isolates one region's application subnets: the
 * `aws:network:disrupt-connectivity` action with `scope: all` swaps each subnet's network ACL
 * for one that denies all traffic in and out, for `duration`, then restores the original. The
 * region's service functions (and the interface endpoints in those subnets) lose their network,
 * so the region's deep health fails as in a regional outage of its application tier, while the
 * database subnets, and Aurora's storage-level replication, keep running: FIS cannot pause it.
 *
 * The role holds exactly the action's permissions (FIS actions reference, "Network actions",
 * aws:network:disrupt-connectivity, Permissions; scoped as in the AWS managed policy
 * AWSFaultInjectionSimulatorNetworkAccess) plus the experiment-logging ones.
 *
 * @see https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html#network-actions-reference
 * @see https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSFaultInjectionSimulatorNetworkAccess.html
 * @see https://docs.aws.amazon.com/fis/latest/userguide/monitoring-logging.html
 */
export class GameDayExperiment extends Construct {
  /** The template's id (`StartExperiment`'s `experimentTemplateId`). */
  readonly experimentTemplateId: string;
  readonly template: fis.CfnExperimentTemplate;
  /** The role FIS assumes to run the experiment. */
  readonly role: iam.Role;
  /** Where FIS writes the experiment log (encrypted). */
  readonly logGroup: logs.LogGroup;
  readonly duration: Duration;
  readonly stopConditions: readonly cloudwatch.IAlarm[];
  /** The stop conditions' names: the literal name an owned alarm was given, else its name token. */
  readonly stopConditionAlarmNames: readonly string[];

  constructor(scope: Construct, id: string, props: GameDayExperimentProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.duration = props.duration ?? DEFAULT_GAME_DAY_DURATION;
    this.stopConditions = props.stopConditions;
    this.stopConditionAlarmNames = props.stopConditions.map((alarm) => {
      const given = (alarm.node.defaultChild as cloudwatch.CfnAlarm | undefined)?.alarmName;
      return given !== undefined && !Token.isUnresolved(given) ? given : alarm.alarmName;
    });
    validate(this, this.duration, props.stopConditions, stack.region);

    const subnets = props.vpc.selectSubnets(props.subnets).subnets;
    const arn = (resource: string, resourceName: string) =>
      stack.formatArn({
        service: 'ec2',
        resource,
        resourceName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    const subnetArns = subnets.map((s) => arn('subnet', s.subnetId));
    const networkAcls = arn('network-acl', '*');
    const vpcArn = arn('vpc', props.vpc.vpcId);

    this.logGroup = new logs.LogGroup(this, 'Log', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      // Game-day evidence: kept when the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Only FIS, for experiments of this account and region (FIS User Guide, "Cross-service
    // confused deputy prevention").
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('fis.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'fis',
              resource: 'experiment',
              resourceName: '*',
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          },
        },
      }),
      description: `Runs the game-day isolation of the application subnets in ${stack.region} (AWS FIS)`,
    });
    const tagged = { [`aws:RequestTag/${FIS_MANAGED_TAG}`]: 'true' };
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      roles: [this.role],
      description: `aws:network:disrupt-connectivity on the application subnets in ${stack.region}, and the experiment log`,
      statements: [
        // FIS creates one network ACL in the subnets' VPC, tagged managedByFIS=true ...
        new iam.PolicyStatement({
          sid: 'CreateNetworkAcl',
          actions: ['ec2:CreateNetworkAcl'],
          resources: [networkAcls],
          conditions: { StringEquals: tagged },
        }),
        new iam.PolicyStatement({
          sid: 'CreateNetworkAclInVpc',
          actions: ['ec2:CreateNetworkAcl'],
          resources: [vpcArn],
        }),
        new iam.PolicyStatement({
          sid: 'TagNetworkAclOnCreate',
          actions: ['ec2:CreateTags'],
          resources: [networkAcls],
          conditions: {
            StringEquals: { 'ec2:CreateAction': 'CreateNetworkAcl', ...tagged },
          },
        }),
        // ... adds its deny entries and deletes it at the end: only an ACL it tagged ...
        new iam.PolicyStatement({
          sid: 'ManageFisNetworkAcl',
          actions: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAcl'],
          resources: [networkAcls, vpcArn],
          conditions: { StringEquals: { [`ec2:ResourceTag/${FIS_MANAGED_TAG}`]: 'true' } },
        }),
        // ... and swaps it in for the target subnets' ACL, then back.
        new iam.PolicyStatement({
          sid: 'SwapTargetSubnetsAcl',
          actions: ['ec2:ReplaceNetworkAclAssociation'],
          resources: [...subnetArns, networkAcls],
        }),
        // Describe* and the prefix-list reads: the action reference lists them; the Describe
        // calls support no resource-level permissions (Service Authorization Reference, Amazon
        // EC2, Actions table).
        new iam.PolicyStatement({
          sid: 'ReadNetwork',
          actions: [
            'ec2:DescribeManagedPrefixLists',
            'ec2:DescribeNetworkAcls',
            'ec2:DescribeSubnets',
            'ec2:DescribeVpcs',
            'ec2:GetManagedPrefixListEntries',
          ],
          resources: ['*'],
        }),
        // Experiment logging to CloudWatch Logs (FIS User Guide, "Experiment logging",
        // Permissions): vended log delivery, which supports no resource-level permissions.
        new iam.PolicyStatement({
          sid: 'DeliverExperimentLog',
          actions: [
            'logs:CreateLogDelivery',
            'logs:PutResourcePolicy',
            'logs:DescribeResourcePolicies',
            'logs:DescribeLogGroups',
          ],
          resources: ['*'],
        }),
      ],
    });
    acknowledgeFindings(
      policy,
      [
        `AwsSolutions-IAM5[Resource::${nagText(stack, networkAcls)}]`,
        'AwsSolutions-IAM5[Resource::*]',
      ],
      'The FIS network ACL does not exist before the experiment: network-acl/* is held to ACLs tagged managedByFIS=true ' +
        '(create, entries, delete) or swapped only on the listed application subnets; the EC2 Describe*/prefix-list reads ' +
        'and CloudWatch Logs vended delivery (CreateLogDelivery, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) ' +
        'support no resource-level permissions (Service Authorization Reference; FIS User Guide, Experiment logging).',
    );

    this.template = new fis.CfnExperimentTemplate(this, 'Template', {
      description: `Game day: isolate the application subnets in ${stack.region} for ${this.duration.toHumanString()} (deny all traffic); the database subnets and Aurora replication are untouched`,
      roleArn: this.role.roleArn,
      targets: {
        AppSubnets: {
          resourceType: 'aws:ec2:subnet',
          resourceArns: subnetArns,
          selectionMode: 'ALL',
        },
      },
      actions: {
        IsolateAppSubnets: {
          actionId: GAME_DAY_ACTION_ID,
          description: 'Deny all traffic in and out of the application subnets',
          parameters: { scope: 'all', duration: this.duration.toIsoString() },
          targets: { Subnets: 'AppSubnets' },
        },
      },
      stopConditions: props.stopConditions.map((alarm) => ({
        source: 'aws:cloudwatch:alarm',
        value: alarm.alarmArn,
      })),
      // A template whose subnets are gone fails instead of "completing" having isolated
      // nothing (FIS User Guide, Experiment options, "Empty target resolution mode").
      experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' },
      logConfiguration: {
        logSchemaVersion: 2,
        // The L1 passes this `any` property through as CloudFormation spells it.
        cloudWatchLogsConfiguration: { LogGroupArn: this.logGroup.logGroupArn },
      },
      tags: { Name: `${stack.stackName}-game-day`, [GAME_DAY_TEMPLATE_TAG]: 'true' },
    });
    this.template.node.addDependency(policy);
    this.experimentTemplateId = this.template.ref;
  }
}

/** A resource as cdk-nag prints it in a finding's id: literal, or `<Ref>` for each reference. */
function nagText(stack: Stack, value: string): string {
  const resolved: unknown = stack.resolve(value);
  if (typeof resolved === 'string') return resolved;
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) return value;
  return join[1]
    .map((part) =>
      typeof part === 'string'
        ? part
        : `<${(part as { Ref?: string }).Ref ?? JSON.stringify(part)}>`,
    )
    .join(join[0]);
}

function validate(
  scope: Construct,
  duration: Duration,
  stopConditions: readonly cloudwatch.IAlarm[],
  region: string,
): void {
  const problems: string[] = [];
  const seconds = duration.toSeconds({ integral: false });
  if (seconds < 60 || seconds > 12 * 3600) {
    problems.push(
      `duration must be from 1 minute to 12 hours (the FIS action's limits), got: ${duration.toHumanString()}`,
    );
  }
  if (stopConditions.length < 1 || stopConditions.length > MAX_STOP_CONDITIONS) {
    problems.push(
      `stopConditions must name 1 to ${MAX_STOP_CONDITIONS} alarms (a game day without one cannot be stopped by what it breaks), got: ${stopConditions.length}`,
    );
  }
  const elsewhere = stopConditions
    .map((a) => a.env.region)
    .filter((r) => !Token.isUnresolved(r) && !Token.isUnresolved(region) && r !== region);
  if (elsewhere.length > 0) {
    problems.push(
      `stopConditions must be alarms in ${region}, the experiment's region, got alarms in: ${[...new Set(elsewhere)].join(', ')}`,
    );
  }
  throwIfProblems('GameDayExperiment', scope, problems);
}
