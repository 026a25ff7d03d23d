import { Arn, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import {
  CLIENT_CANARY_IAM_ACTIONS,
  CLIENT_CANARY_ROUTE_RESOURCES,
} from '../runbooks/drill/aws/client-permissions';
import {
  DRILL_ARC_FAILOVER_ONLY_IAM_ACTIONS,
  DRILL_ARC_IAM_ACTIONS,
  DRILL_FAILOVER_ONLY_IAM_ACTIONS,
} from '../runbooks/drill/aws/operations';
import { PROMOTION_QUOTAS } from '../runbooks/drill/checks/capacity';
import { drillLockParameterName } from '../runbooks/drill/lock-name';
import {
  FAILOVER_SNAPSHOT_COPY_PATTERN,
  FAILOVER_SNAPSHOT_PREFIX,
  GAME_DAY_ACTION_ID,
  GAME_DAY_TEMPLATE_TAG,
} from './contract';
import {
  DEFAULT_FAILOVER_PERMISSION_SET,
  DEFAULT_OPERATOR_PERMISSION_SET,
  DrillPrincipal,
  identityCenterPrincipals,
  parseDrillPrincipals,
} from './drill-principals';
import { IAuroraGlobalMember } from './aurora-global-member';
import { throwIfProblems } from './invalid-props-error';
import { acknowledgeFindings } from './nag/acknowledge';

/** One region's drill targets. */
export interface DrillRegion {
  /**
   * The region's member of the global database: its region, cluster identifier and
   * parameter group name (where the drill sets and clears the managed RPO).
   */
  readonly member: IAuroraGlobalMember;
  /**
   * The region's drain switch, in the member's region, with a fixed name; the drill's
   * lock parameter is named after it.
   */
  readonly drainSwitch: ssm.IStringParameter;
  /**
   * The region's HTTP API with the IAM-authorized items routes, which the drill's client
   * canary calls (`execute-api:Invoke` on its own items only). Its `apiId` must be readable in
   * the role's stack: from another region pass an import over a weak reference.
   *
   * @default - no items API in this region: the role may invoke nothing there
   */
  readonly itemsApi?: apigwv2.IHttpApi;
}

/** Properties of a {@link DrillOperatorRole}. */
export interface DrillOperatorRoleProps {
  /** Every region of the global database (members of one global cluster). */
  readonly regions: readonly DrillRegion[];
  /** The master secret, with a fixed name (its replicas in the other regions share it). */
  readonly masterSecret: secretsmanager.ISecret;
  /**
   * Alias of the regional keys that encrypt the secret, with a fixed name (the same in every
   * region); the role lets Secrets Manager decrypt with any key that has it.
   */
  readonly keyAlias: kms.IAlias;
  /** The public hosted zone of the traffic records. */
  readonly hostedZone: route53.IHostedZone;
  /** Every health check the drill reads. */
  readonly healthChecks: readonly route53.IHealthCheck[];
  /**
   * The ARC Region switch plans `drill --engine arc` drives, by ARN or by name with ARC's
   * suffix as a wildcard (regionSwitchPlanArnPattern): both roles read executions and
   * approve steps; only the failover role starts or switches an execution (IAM cannot tell a
   * graceful start from an ungraceful one).
   *
   * @default - no plans: neither role may call ARC Region switch
   */
  readonly regionSwitchPlanArns?: readonly string[];
  /**
   * Who may assume the operator role (every drill call except the data-losing failover):
   * `aws:PrincipalArn` patterns (ArnLike) of IAM Identity Center permission-set roles, IAM
   * roles or IAM users, for example
   * `arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_DrillOperator_*`.
   * IAM users and roles must present MFA when they assume it; permission-set roles rely on
   * Identity Center's MFA at sign-in. Never the account root.
   *
   * @default - the roles of the `DrillOperator` permission set in the stack's account
   */
  readonly operatorPrincipals?: readonly string[];
  /**
   * Who may assume the failover role, which adds the data-losing `FailoverGlobalCluster` to
   * the operator's permissions; same forms and MFA rules as `operatorPrincipals`. Keep it
   * shorter than the operator list.
   *
   * @default - the roles of the `DrillFailover` permission set in the stack's account
   */
  readonly failoverPrincipals?: readonly string[];
  /**
   * Longest session of either role; a drill with its waits fits in it. A session assumed
   * from another role's session (role chaining, as from an Identity Center permission set)
   * lasts at most one hour whatever this says; the SDK renews it.
   *
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html
   * @default Duration.hours(4)
   */
  readonly maxSessionDuration?: Duration;
}

/**
 * The two roles SREs assume to run the drill CLI: exactly the actions the drill calls, each on
 * the project's own resources where IAM supports it.
 *
 * The operator role holds every action except those the drill's operation table marks
 * `failoverRoleOnly` (the data-losing `FailoverGlobalCluster`); the failover role holds both,
 * and trusts its own, shorter principal list. Each role trusts only the principals it is given
 * (never the bare account root): IAM users and roles with MFA, IAM Identity Center
 * permission-set roles as they are. MFA is checked when a role is assumed, so it covers every
 * call made with the role, the mutating ones included ("Once the user has assumed the role, no
 * further MFA checks are made": IAM User Guide, Secure API access with MFA, Scenario: MFA
 * protection for cross-account delegation).
 *
 * A test compares the policies' actions with the drill's own operation table, so the two
 * cannot drift apart.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html
 */
export class DrillOperatorRole extends Construct {
  /** Every drill call except the data-losing failover. */
  readonly role: iam.Role;
  /** The operator's permissions plus `FailoverGlobalCluster` (unplanned failover). */
  readonly failoverRole: iam.Role;

  constructor(scope: Construct, id: string, props: DrillOperatorRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const partition = Token.isUnresolved(stack.partition) ? undefined : stack.partition;
    const operators = parseDrillPrincipals(
      'operatorPrincipals',
      props.operatorPrincipals ??
        identityCenterPrincipals(stack.partition, stack.account, DEFAULT_OPERATOR_PERMISSION_SET),
      DEFAULT_OPERATOR_PERMISSION_SET,
      partition,
    );
    const failoverOperators = parseDrillPrincipals(
      'failoverPrincipals',
      props.failoverPrincipals ??
        identityCenterPrincipals(stack.partition, stack.account, DEFAULT_FAILOVER_PERMISSION_SET),
      DEFAULT_FAILOVER_PERMISSION_SET,
      partition,
    );
    const problems: string[] = [];
    // Names, not tokens: the role names resources in other regions (a token there becomes a
    // cross-region reference) and, in its own region, in other stacks (an export).
    const drainNames = props.regions.map((r) =>
      fixedNameOf(r.drainSwitch.parameterName, r.drainSwitch, 'drainSwitch', problems),
    );
    const secretName = fixedNameOf(
      props.masterSecret.secretName,
      props.masterSecret,
      'masterSecret',
      problems,
    );
    const keyAliasName = fixedNameOf(
      props.keyAlias.aliasName,
      props.keyAlias,
      'keyAlias',
      problems,
    );
    const globalClusterIds = [
      ...new Set(props.regions.map((r) => r.member.globalClusterIdentifier)),
    ];
    throwIfProblems('DrillOperatorRole', this, [
      ...(props.regions.length === 0 ? ['regions must name at least one region, got none'] : []),
      ...(globalClusterIds.length > 1
        ? [`regions must be members of one global cluster, got: ${globalClusterIds.join(', ')}`]
        : []),
      ...problems,
      ...operators.problems,
      ...failoverOperators.problems,
    ]);
    const globalClusterIdentifier = globalClusterIds[0];
    const arn = (
      service: string,
      region: string,
      resource: string,
      resourceName: string,
      sep = ArnFormat.COLON_RESOURCE_NAME,
    ) => Arn.format({ service, region, resource, resourceName, arnFormat: sep }, stack);
    const regionOf = (r: DrillRegion) => r.member.env.region;
    const clusters = props.regions.map((r) =>
      arn('rds', regionOf(r), 'cluster', r.member.clusterIdentifier),
    );
    const globalCluster = arn('rds', '', 'global-cluster', globalClusterIdentifier);
    // Service Authorization Reference (Amazon RDS): the parameter-group actions take the
    // cluster-pg resource type, arn:${Partition}:rds:${Region}:${Account}:cluster-pg:${Name}.
    const parameterGroups = props.regions.map((r) =>
      arn('rds', regionOf(r), 'cluster-pg', r.member.clusterParameterGroupName),
    );
    // After an unplanned failover: Aurora's point-of-failure snapshot of the old primary, and
    // the drill's manual copy of it (runbooks/drill/steps/keep-failover-snapshot.ts), in each
    // member's region. Service Authorization Reference (Amazon RDS): cluster-snapshot,
    // arn:${Partition}:rds:${Region}:${Account}:cluster-snapshot:${ClusterSnapshotName}.
    const failoverSnapshots = props.regions.flatMap((r) => [
      arn('rds', regionOf(r), 'cluster-snapshot', `${FAILOVER_SNAPSHOT_PREFIX}*`),
      arn('rds', regionOf(r), 'cluster-snapshot', FAILOVER_SNAPSHOT_COPY_PATTERN),
    ]);
    // Each region's own switch, and the lock beside it.
    const parameter = (r: DrillRegion, name: string) =>
      arn('ssm', regionOf(r), 'parameter', name.replace(/^\//, ''), ArnFormat.SLASH_RESOURCE_NAME);
    const drainSwitches = props.regions.map((r, i) => parameter(r, drainNames[i]));
    const drillLocks = props.regions.map((r, i) =>
      parameter(r, drillLockParameterName(drainNames[i])),
    );
    // Secrets Manager appends six random characters to a secret's name in its ARN.
    const secrets = props.regions.map((r) =>
      arn('secretsmanager', regionOf(r), 'secret', `${secretName}-??????`),
    );

    // The client canary's items routes in each region's API; the region comes from the member,
    // not from the API (an imported API takes the role's stack's region).
    const itemsRoutesOf = props.regions.map((r) =>
      r.itemsApi === undefined
        ? []
        : CLIENT_CANARY_ROUTE_RESOURCES.map((route) =>
            arn(
              'execute-api',
              regionOf(r),
              r.itemsApi!.apiId,
              route,
              ArnFormat.SLASH_RESOURCE_NAME,
            ),
          ),
    );
    const itemsRoutes = itemsRoutesOf.flat();

    const grants: Grant[] = [
      {
        sid: 'ReadGlobalCluster',
        actions: ['rds:DescribeGlobalClusters'],
        resources: [globalCluster],
      },
      { sid: 'ReadMembers', actions: ['rds:DescribeDBClusters'], resources: clusters },
      // Preflight's capacity check: the writer's instances (Service Authorization Reference,
      // Amazon RDS: DescribeDBInstances takes the db resource type) and the promotion quotas
      // (Service Quotas: GetServiceQuota takes the quota resource type,
      // arn:${Partition}:servicequotas:${Region}:${Account}:${ServiceCode}/${QuotaCode}).
      {
        sid: 'ReadMemberInstances',
        actions: ['rds:DescribeDBInstances'],
        resources: props.regions.map((r) => arn('rds', regionOf(r), 'db', '*')),
      },
      {
        sid: 'ReadPromotionQuotas',
        actions: ['servicequotas:GetServiceQuota'],
        resources: props.regions.flatMap((r) =>
          PROMOTION_QUOTAS.map(
            (q) =>
              `arn:${stack.partition}:servicequotas:${regionOf(r)}:${stack.account}:${q.serviceCode}/${q.code}`,
          ),
        ),
      },
      {
        sid: 'MoveWriter',
        actions: ['rds:SwitchoverGlobalCluster', 'rds:FailoverGlobalCluster'],
        resources: [globalCluster, ...clusters],
      },
      {
        sid: 'ManagedRpo',
        actions: [
          'rds:DescribeDBClusterParameters',
          'rds:ModifyDBClusterParameterGroup',
          'rds:ResetDBClusterParameterGroup',
        ],
        resources: parameterGroups,
      },
      {
        sid: 'KeepFailoverSnapshot',
        actions: ['rds:DescribeDBClusterSnapshots', 'rds:CopyDBClusterSnapshot'],
        resources: [...clusters, ...failoverSnapshots],
      },
      // The encrypted copy: RDS uses the key on the caller's behalf and keeps a grant on it.
      {
        sid: 'EncryptSnapshotCopyThroughRds',
        actions: ['kms:CreateGrant', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': keyAliasName },
          StringLike: { 'kms:ViaService': 'rds.*.amazonaws.com' },
        },
      },
      { sid: 'CanaryWrites', actions: ['rds-data:ExecuteStatement'], resources: clusters },
      { sid: 'ReadDatabaseSecret', actions: ['secretsmanager:GetSecretValue'], resources: secrets },
      {
        sid: 'DecryptSecretThroughSecretsManager',
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': keyAliasName },
          StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' },
        },
      },
      {
        sid: 'DrainSwitches',
        actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        resources: drainSwitches,
      },
      {
        sid: 'DrillLock',
        actions: ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter'],
        resources: drillLocks,
      },
      ...(itemsRoutes.length === 0
        ? []
        : [
            {
              sid: 'InvokeItemsRoutes',
              actions: CLIENT_CANARY_IAM_ACTIONS,
              resources: itemsRoutes,
            },
          ]),
      {
        sid: 'ReadHealthChecks',
        actions: ['route53:GetHealthCheckStatus'],
        resources: props.healthChecks.map(
          (c) => `arn:${stack.partition}:route53:::healthcheck/${c.healthCheckId}`,
        ),
      },
      {
        sid: 'ReadRecords',
        actions: ['route53:ListResourceRecordSets'],
        resources: [props.hostedZone.hostedZoneArn],
      },
      // drill game-day. Service Authorization Reference (AWS Fault Injection Service):
      // StartExperiment takes the experiment-template, experiment and action resource types;
      // GetExperiment and StopExperiment the experiment. Only templates tagged as game days.
      {
        sid: 'GameDayTemplates',
        actions: ['fis:StartExperiment'],
        resources: props.regions.map((r) =>
          arn('fis', regionOf(r), 'experiment-template', '*', ArnFormat.SLASH_RESOURCE_NAME),
        ),
        conditions: { StringEquals: { [`aws:ResourceTag/${GAME_DAY_TEMPLATE_TAG}`]: 'true' } },
      },
      {
        sid: 'GameDayExperiments',
        actions: ['fis:StartExperiment', 'fis:GetExperiment', 'fis:StopExperiment'],
        resources: props.regions.flatMap((r) => [
          arn('fis', regionOf(r), 'experiment', '*', ArnFormat.SLASH_RESOURCE_NAME),
          arn('fis', regionOf(r), 'action', GAME_DAY_ACTION_ID, ArnFormat.SLASH_RESOURCE_NAME),
        ]),
      },
      // Service Authorization Reference (AWS ARC Region switch): every execution action takes
      // the plan resource type.
      ...(props.regionSwitchPlanArns?.length
        ? [
            {
              sid: 'RegionSwitchPlans',
              actions: DRILL_ARC_IAM_ACTIONS,
              resources: props.regionSwitchPlanArns,
            },
          ]
        : []),
      // Service Authorization Reference: route53:TestDNSAnswer, cloudwatch:GetMetricData and
      // rds:DescribeOrderableDBInstanceOptions have no resource type. DescribeAlarms takes alarm ARNs, but the CloudWatch API
      // Reference (DescribeAlarms) returns composite alarms only when it is allowed on *.
      {
        sid: 'AllResources',
        actions: [
          'route53:TestDNSAnswer',
          'cloudwatch:GetMetricData',
          'cloudwatch:DescribeAlarms',
          'rds:DescribeOrderableDBInstanceOptions',
        ],
        resources: ['*'],
      },
    ];
    // The operation table decides which role holds an action, not this list.
    const failoverOnly = new Set([
      ...DRILL_FAILOVER_ONLY_IAM_ACTIONS,
      ...DRILL_ARC_FAILOVER_ONLY_IAM_ACTIONS,
    ]);
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description:
        "The calls the drill CLI makes, on this project's resources, except the data-losing failover",
      statements: statements(grants, (action) => !failoverOnly.has(action)),
    });
    const maxSessionDuration = props.maxSessionDuration ?? Duration.hours(4);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: trustOnly(operators.principals),
      description:
        'Assumed by SREs to run failover drills (runbooks/drill); no data-losing FailoverGlobalCluster',
      maxSessionDuration,
      managedPolicies: [policy],
    });
    const dataLoss = statements(grants, (action) => failoverOnly.has(action), 'WithDataLoss');
    this.failoverRole = new iam.Role(this, 'FailoverRole', {
      assumedBy: trustOnly(failoverOperators.principals),
      description:
        'Assumed by the SREs allowed a data-losing unplanned failover (drill failover): the operator role plus FailoverGlobalCluster',
      maxSessionDuration,
      managedPolicies: [
        policy,
        ...(dataLoss.length === 0
          ? []
          : [
              new iam.ManagedPolicy(this, 'FailoverPolicy', {
                description: 'The data-losing calls of the drill CLI (unplanned failover)',
                statements: dataLoss,
              }),
            ]),
      ],
    });
    const gameDayReason =
      "FIS generates the id of each game-day template when the service stack deploys and of each experiment when it starts: templates are matched by their game-day tag, experiments (Get/Stop) by the fis experiment ARN of the members' regions only.";
    const gameDayFindings = props.regions.flatMap((r) =>
      ['experiment-template', 'experiment'].map(
        (type) =>
          `AwsSolutions-IAM5[Resource::${nagText(stack, arn('fis', regionOf(r), type, '*', ArnFormat.SLASH_RESOURCE_NAME))}]`,
      ),
    );
    acknowledgeFindings(policy, gameDayFindings, gameDayReason);
    const planFindings = (props.regionSwitchPlanArns ?? [])
      .filter((a) => a.endsWith(':*'))
      .map((a) => `AwsSolutions-IAM5[Resource::${nagText(stack, a)}]`);
    const planReason =
      "Each ARC Region switch plan is named by its fixed name; ARC appends an id it generates at creation, and the plans name the operator role as their approver, so the role's policy cannot reference them back.";
    acknowledgeFindings(policy, planFindings, planReason);
    const failoverPolicy = this.node.tryFindChild('FailoverPolicy');
    if (failoverPolicy) acknowledgeFindings(failoverPolicy, planFindings, planReason);
    if (failoverPolicy) acknowledgeFindings(failoverPolicy, gameDayFindings, gameDayReason);
    acknowledgeFindings(
      policy,
      failoverSnapshots.map((a) => `AwsSolutions-IAM5[Resource::${nagText(stack, a)}]`),
      "Aurora names the old primary's point-of-failure snapshot rds:unplanned-global-failover-<cluster>-<time> and the drill names its copy drill-<drill id>-point-of-failure: neither name is known before the failover, so each is matched by its fixed prefix, in the members' regions only.",
    );
    const itemsRoutesReason =
      "The client canary writes and reads items named drill-<drill id>-<seq>, chosen per drill and per request, on each region's items routes (PUT and GET /items/{id}) through the API's one $default stage: the wildcards stand for the stage, the drill id and the sequence number, never another API, method or item.";
    // An API id given as a literal is acknowledged now. A reference to a service stack becomes
    // Fn::ImportValue (same region) or Fn::GetStackOutput (weak, another region) only when the
    // app is prepared: the finding ids that print it are known from then on, when the tree is
    // validated, before the packs run on the synthesized templates.
    const routeFindings = (deferred: boolean) =>
      props.regions
        .flatMap((r, i) =>
          r.itemsApi !== undefined && Token.isUnresolved(r.itemsApi.apiId) === deferred
            ? itemsRoutesOf[i]
            : [],
        )
        .map((a) => `AwsSolutions-IAM5[Resource::${nagText(stack, a)}]`);
    acknowledgeFindings(policy, routeFindings(false), itemsRoutesReason);
    policy.node.addValidation({
      validate: () => {
        acknowledgeFindings(policy, routeFindings(true), itemsRoutesReason);
        return [];
      },
    });
    acknowledgeFindings(
      policy,
      props.regions.map(
        (r) => `AwsSolutions-IAM5[Resource::${nagText(stack, arn('rds', regionOf(r), 'db', '*'))}]`,
      ),
      "Preflight's capacity check lists the writer cluster's instances with DescribeDBInstances filtered by db-cluster-id: readers come and go with their own names, so the action is allowed on the DB instances of the members' regions only, read-only.",
    );
    acknowledgeFindings(
      policy,
      ['AwsSolutions-IAM5[Resource::*]'],
      'TestDNSAnswer, GetMetricData and DescribeOrderableDBInstanceOptions support no resource-level permissions; DescribeAlarms does, but returns composite alarms only when allowed on *, and the drill lists metric and composite alarms in ALARM by name prefix; kms:Decrypt is limited by the key alias and the Secrets Manager service condition, kms:CreateGrant and kms:DescribeKey by the key alias and the RDS service condition.',
    );
  }
}

/**
 * The literal name of a resource: an imported one's name, or the fixed name an owned SSM
 * parameter, secret (or a secret attached to a cluster) or KMS alias was created with.
 * Anything else is a problem.
 */
function fixedNameOf(name: string, resource: IConstruct, what: string, problems: string[]): string {
  if (!Token.isUnresolved(name)) return name;
  let child = resource.node.defaultChild;
  // A cluster's secret is its attachment, whose scope is the secret itself.
  if (child instanceof secretsmanager.CfnSecretTargetAttachment) {
    child = resource.node.scope?.node.defaultChild;
  }
  const given =
    child instanceof ssm.CfnParameter || child instanceof secretsmanager.CfnSecret
      ? child.name
      : child instanceof kms.CfnAlias
        ? child.aliasName
        : undefined;
  if (given !== undefined && !Token.isUnresolved(given)) return given;
  problems.push(
    `${what} must have a fixed name (the role names it in every region without a cross-region reference), got the generated name of ${resource.node.path}`,
  );
  return name;
}

/**
 * A resource as cdk-nag prints it in a finding id: a `Ref` as `<Name>`, an `Fn::ImportValue` as
 * the export's name, any other intrinsic (a weak `Fn::GetStackOutput`) as its JSON.
 */
export function nagText(stack: Stack, value: string): string {
  const resolved: unknown = stack.resolve(value);
  if (typeof resolved === 'string') return resolved;
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) return value;
  return join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const { Ref, 'Fn::ImportValue': imported } = part as {
        Ref?: string;
        'Fn::ImportValue'?: unknown;
      };
      if (Ref !== undefined) return `<${Ref}>`;
      if (typeof imported === 'string') return imported;
      return JSON.stringify(part);
    })
    .join(join[0]);
}

/** One statement of the drill's permissions, before it is assigned to a role. */
interface Grant {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Record<string, unknown>;
}

/** The grants' statements, each with only the actions `keep` accepts (empty ones dropped). */
function statements(
  grants: readonly Grant[],
  keep: (action: string) => boolean,
  sidSuffix = '',
): iam.PolicyStatement[] {
  return grants.flatMap((g) => {
    const actions = g.actions.filter(keep);
    if (actions.length === 0) return [];
    return [
      new iam.PolicyStatement({
        sid: `${g.sid}${sidSuffix}`,
        actions,
        resources: [...g.resources],
        ...(g.conditions ? { conditions: g.conditions } : {}),
      }),
    ];
  });
}

/**
 * A trust policy that lets in only the given principals: one statement per account and
 * principal kind, its `Principal` the account root narrowed by `aws:PrincipalArn`, which "for
 * IAM roles ... returns the ARN of the role, not the ARN of the user that assumed the role"
 * (IAM User Guide, AWS global condition context keys, aws:PrincipalArn). IAM users and roles
 * also need `aws:MultiFactorAuthPresent`: "Allow, Bool, and true allows only MFA-authenticated
 * requests" (same page, aws:MultiFactorAuthPresent).
 */
function trustOnly(principals: readonly DrillPrincipal[]): iam.IPrincipal {
  const groups = new Map<string, { account: string; mfa: boolean; patterns: string[] }>();
  for (const p of principals) {
    const mfa = p.kind !== 'identity-center';
    const key = `${p.account}/${mfa}`;
    const group = groups.get(key) ?? { account: p.account, mfa, patterns: [] };
    group.patterns.push(p.pattern);
    groups.set(key, group);
  }
  return new iam.CompositePrincipal(
    ...[...groups.values()].map(({ account, mfa, patterns }) =>
      new iam.AccountPrincipal(account).withConditions({
        ArnLike: { 'aws:PrincipalArn': patterns },
        ...(mfa ? { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } : {}),
      }),
    ),
  );
}
