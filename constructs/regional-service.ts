import { Arn, ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  IAuroraGlobalMember,
  acknowledgeCrossStackLogKey,
  databaseUserArn,
} from './aurora-global-member';
import { acknowledgeEverywhere, acknowledgeFindings, inPacks } from './nag/acknowledge';
import { DEFAULT_HEALTH_SIGNAL_CACHE_TTL } from './recovery-objectives';
import { ServiceHostnames } from './service-hostnames';
import { throwIfProblems } from './invalid-props-error';
import {
  CACHE_TTL_MS,
  DEFAULT_DATABASE_NAME,
  HEALTH_DB_USER,
  HEALTH_ENV,
  HEALTH_ROUTES,
  ITEM_ROUTES,
  ITEMS_DB_USER,
  ITEMS_ENV,
  ITEMS_TIMEOUTS_MS,
  DEFAULT_RETRY_AFTER_SECONDS,
  LAMBDA_CA_BUNDLE,
  type MillisBound,
  PROBE_TIMEOUTS_MS,
  type ProbeTimeoutsMs,
  RPO_SECONDS,
  SERVICE_METRIC_NAMESPACE,
  probeBudgetProblem,
} from './contract';
import { healthFunctionCode, itemsFunctionCode } from './handlers/health-code';

/**
 * The timeout of each probe of the health function. Each probe has its own; the function
 * answers within their sum, which must stay within Route 53's 2 seconds.
 */
export interface HealthProbeTimeouts {
  /**
   * Opening one database connection: TCP, TLS and IAM authentication.
   *
   * @default Duration.millis(300)
   */
  readonly connect?: Duration;
  /**
   * One query on the reader endpoint (`SELECT 1`, and the global status query).
   *
   * @default Duration.millis(200)
   */
  readonly query?: Duration;
  /**
   * The heartbeat upsert and its commit on the cluster endpoint; a commit that managed RPO
   * blocks fails the writer check when this passes.
   *
   * @default Duration.millis(300)
   */
  readonly heartbeat?: Duration;
  /**
   * Reading the SSM drain switch.
   *
   * @default Duration.millis(400)
   */
  readonly drain?: Duration;
}

/** A member cluster of the global database the writer may move to. */
export interface WriterCluster {
  readonly region: string;
  /** `DbClusterResourceId` (AWS::RDS::DBCluster return value), e.g. `cluster-ABCDEFGHIJKL01234`. */
  readonly clusterResourceId: string;
}

/** Properties of a {@link RegionalService}. */
export interface RegionalServiceProps {
  /** VPC the health function runs in (it must reach the database and the SSM endpoint). */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the health function.
   *
   * @default - the VPC's isolated subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** This region's member of the global database. */
  readonly database: IAuroraGlobalMember;
  /** The public hosted zone of the service's names (imported by attributes). */
  readonly hostedZone: route53.IHostedZone;
  /** The service's names; every one gets a custom domain in this region. */
  readonly hostnames: ServiceHostnames;
  /** This region's key: encrypts the function's and the API's log groups. */
  readonly encryptionKey: kms.IKey;
  /**
   * Name of the SSM parameter that drains this region when set to `true`.
   *
   * @default '/multi-region-ref/drain'
   */
  readonly drainParameterName?: string;
  /**
   * How long the health endpoint reuses a signal before asking again (1 to 30
   * seconds). Route 53 checkers poll every few seconds from many places; this
   * bounds the queries and SSM calls.
   *
   * @default DEFAULT_HEALTH_SIGNAL_CACHE_TTL (5 seconds)
   */
  readonly healthSignalCacheTtl?: Duration;
  /**
   * The timeout of each probe of the health function.
   *
   * @default - connect 300 ms, query 200 ms, heartbeat 300 ms, drain 400 ms
   */
  readonly probeTimeouts?: HealthProbeTimeouts;
  /**
   * The recovery point objective: the function reports how many secondaries
   * have an RPO lag under it (`SecondariesWithinRpo`).
   */
  readonly rpo: Duration;
  /**
   * The database the health function connects to.
   *
   * @default 'app'
   */
  readonly databaseName?: string;
  /**
   * The login role the health function connects as with IAM database
   * authentication. It must exist and be granted `rds_iam` (DatabaseSchema
   * creates it in the primary region; replication carries it everywhere).
   *
   * @default 'health_check'
   */
  readonly databaseUser?: string;
  /**
   * Host name of Aurora's global writer endpoint (`GlobalEndpoint.Address`): the items API
   * commits every write there, whichever region holds the writer.
   *
   * @default - no items API: the service answers only its health routes
   */
  readonly globalWriterEndpoint?: string;
  /**
   * The login role the items function connects as with IAM database authentication
   * (DatabaseSchema creates it).
   *
   * @default 'items_api'
   */
  readonly itemsDatabaseUser?: string;
  /**
   * Every member cluster of the global database, as this stack reads its region and cluster
   * resource id (`DbClusterResourceId`): the items function commits through the global writer
   * endpoint to whichever of them holds the writer, so it may connect to each, and only to them.
   *
   * @default - this region's cluster (`database`) only
   */
  readonly writerClusters?: readonly WriterCluster[];
  /**
   * TTL of the region-specific record.
   *
   * @default Duration.seconds(60)
   */
  readonly recordTtl?: Duration;
  /**
   * Concurrent executions reserved for the health function. Lambda keeps at
   * least 100 executions of the regional quota unreserved, so a reservation of
   * N needs a quota of at least 100 + N in this region (Lambda Developer Guide,
   * "Configuring reserved concurrency").
   *
   * @default - no reservation (the function shares the unreserved pool)
   */
  readonly reservedConcurrency?: number;
  /**
   * Retention of the function's and the API's logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Paths of the health endpoint (defined in the deployment contract). */
export { HEALTH_PATHS } from './contract/health';

/**
 * The sample regional service: an HTTP API on this region's custom domains,
 * with a deep health endpoint backed by a Lambda function.
 *
 * `/health` answers 200 when the region can serve (`SELECT 1` succeeds on the
 * local cluster's reader endpoint and the region is not drained);
 * `/health/writer` answers 200 only when, in addition, the local cluster holds
 * the global writer and a heartbeat commit succeeds within its timeout. The
 * function reads the data plane only: SQL with IAM database authentication
 * over verified TLS, and the SSM drain switch. An operator
 * drains the region by setting the SSM parameter to `true`: a data-plane
 * action in that region, no Route 53 API call.
 */
export class RegionalService extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly healthFunction: nodejs.NodejsFunction;
  /** The items API's function (undefined without `globalWriterEndpoint`). */
  readonly itemsFunction?: nodejs.NodejsFunction;
  readonly drainParameter: ssm.StringParameter;
  /** Custom domain per hostname, keyed by hostname. */
  readonly domains: Record<string, apigwv2.DomainName>;
  readonly certificate: acm.Certificate;
  /** The region-specific name (used by the health checks). */
  readonly regionalHostname: string;
  /** Name of the drain switch parameter (a plain string, the same in every region by default). */
  readonly drainParameterName: string;
  /** How long the health endpoint reuses a signal: part of the RTO floors (pass it to the routing). */
  readonly healthSignalCacheTtl: Duration;

  constructor(scope: Construct, id: string, props: RegionalServiceProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const cacheTtl = props.healthSignalCacheTtl ?? DEFAULT_HEALTH_SIGNAL_CACHE_TTL;
    this.healthSignalCacheTtl = cacheTtl;
    const t = props.probeTimeouts ?? {};
    const timeouts = {
      connect: t.connect ?? Duration.millis(PROBE_TIMEOUTS_MS.connect.default),
      query: t.query ?? Duration.millis(PROBE_TIMEOUTS_MS.query.default),
      heartbeat: t.heartbeat ?? Duration.millis(PROBE_TIMEOUTS_MS.heartbeat.default),
      drain: t.drain ?? Duration.millis(PROBE_TIMEOUTS_MS.drain.default),
    };
    const recordTtl = props.recordTtl ?? Duration.seconds(60);
    const drainParameterName = props.drainParameterName ?? '/multi-region-ref/drain';
    const databaseName = props.databaseName ?? DEFAULT_DATABASE_NAME;
    const databaseUser = props.databaseUser ?? HEALTH_DB_USER;
    validate(
      props,
      { cacheTtl, timeouts, recordTtl, drainParameterName, databaseName, databaseUser },
      this,
    );

    this.regionalHostname = props.hostnames.regional(stack.region);
    this.drainParameterName = drainParameterName;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    this.drainParameter = new ssm.StringParameter(this, 'DrainSwitch', {
      parameterName: drainParameterName,
      stringValue: 'false',
      description: `Set to true to drain ${stack.region}: its health checks fail and traffic moves away`,
    });

    const functionLogs = new logs.LogGroup(this, 'HealthFunctionLogs', {
      encryptionKey: props.encryptionKey,
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const securityGroup = new ec2.SecurityGroup(this, 'HealthFunctionSecurityGroup', {
      vpc: props.vpc,
      description: 'Health function: out to the database and the VPC endpoints only',
      allowAllOutbound: false,
    });
    // Declared here, not on the database's group, so this stack owns the rule
    // and the database stack never depends on the service stack.
    new ec2.CfnSecurityGroupIngress(this, 'DatabaseIngress', {
      groupId: props.database.connections.securityGroups[0].securityGroupId,
      sourceSecurityGroupId: securityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: props.database.port,
      toPort: props.database.port,
      description: `Health function of ${stack.region} probes the cluster`,
    });
    securityGroup.addEgressRule(
      props.database.connections.securityGroups[0],
      ec2.Port.tcp(props.database.port),
      'Probe the local cluster',
    );
    securityGroup.addEgressRule(
      ec2.Peer.ipv4(props.vpc.vpcCidrBlock),
      ec2.Port.tcp(443),
      'VPC interface endpoints',
    );

    const role = new iam.Role(this, 'HealthFunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Deep health function of ${stack.region}`,
    });
    // IAM database authentication: rds-db:connect on the database user of this region's cluster,
    // named by its resource id (see databaseUserArn).
    const dbUserArn = databaseUserArn(props.database, databaseUser, stack);
    const policy = vpcFunctionPolicy(this, 'HealthFunctionPolicy', {
      role,
      connect: { sid: 'ConnectAsHealthUser', resources: [dbUserArn] },
      drainSwitch: this.drainParameter,
      logGroup: functionLogs,
    });

    this.healthFunction = new nodejs.NodejsFunction(this, 'HealthFunction', {
      // health.ts bundled at synth from source; the package ships a prebuilt bundle.
      ...healthFunctionCode(),
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Route 53 wants a status within 2 seconds of connecting; the probes' own timeouts keep
      // the answer inside that, this only ends a cold start that went wrong.
      timeout: Duration.seconds(3),
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: role.withoutPolicyUpdates(),
      logGroup: functionLogs,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [securityGroup],
      environment: healthEnvironment({
        [HEALTH_ENV.readerHost]: props.database.readerEndpointAddress,
        [HEALTH_ENV.clusterHost]: props.database.clusterEndpointAddress,
        [HEALTH_ENV.port]: String(props.database.port),
        [HEALTH_ENV.databaseName]: databaseName,
        [HEALTH_ENV.user]: databaseUser,
        [HEALTH_ENV.drainParameterName]: drainParameterName,
        [HEALTH_ENV.cacheTtlMs]: String(cacheTtl.toMilliseconds()),
        [HEALTH_ENV.connectTimeoutMs]: String(timeouts.connect.toMilliseconds()),
        [HEALTH_ENV.queryTimeoutMs]: String(timeouts.query.toMilliseconds()),
        [HEALTH_ENV.heartbeatTimeoutMs]: String(timeouts.heartbeat.toMilliseconds()),
        [HEALTH_ENV.drainTimeoutMs]: String(timeouts.drain.toMilliseconds()),
        [HEALTH_ENV.rpoSeconds]: String(props.rpo.toSeconds()),
        [HEALTH_ENV.metricNamespace]: SERVICE_METRIC_NAMESPACE,
        [HEALTH_ENV.extraCaCerts]: LAMBDA_CA_BUNDLE,
      }),
    });
    this.healthFunction.node.addDependency(policy);
    if (Stack.of(props.vpc) !== stack) {
      acknowledgeFindings(
        this.healthFunction,
        ['cdk-validator-cfnguard::lambda_inside_vpc_check'],
        `The function runs in the isolated subnets of the VPC from stack ${Stack.of(props.vpc).stackName}; its SubnetIds are cross-stack references that cfn-guard cannot resolve.`,
      );
    }
    if (props.reservedConcurrency === undefined) {
      const noReservation =
        // Lambda Developer Guide, "Configuring reserved concurrency".
        'Reserved concurrency is opt-in (reservedConcurrency): Lambda keeps 100 executions of the regional quota unreserved, so a reservation of N needs a quota of at least 100 + N; without one the function shares the unreserved pool, and the API stage throttle (100 requests per second, burst 200) bounds its invocations.';
      acknowledgeEverywhere(
        this.healthFunction,
        inPacks('LambdaConcurrency', ['NIST.800.53.R5', 'HIPAA.Security']),
        'LAMBDA_CONCURRENCY_CHECK',
        noReservation,
      );
    }
    const noDeadLetterQueue =
      'API Gateway invokes the health function synchronously; a dead-letter queue only receives failed asynchronous invocations, and a failed health answer is itself the signal.';
    acknowledgeEverywhere(
      this.healthFunction,
      inPacks('LambdaDLQ', ['NIST.800.53.R5', 'HIPAA.Security']),
      'LAMBDA_DLQ_CHECK',
      noDeadLetterQueue,
    );

    const apiLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      encryptionKey: props.encryptionKey,
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeCrossStackLogKey(functionLogs, props.encryptionKey);
    acknowledgeCrossStackLogKey(apiLogs, props.encryptionKey);
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: `Multi-region sample service in ${stack.region}`,
      // Reachable only through the custom domains the health checks and records use.
      disableExecuteApiEndpoint: true,
      createDefaultStage: false,
    });
    const stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(apiLogs) },
      throttle: { rateLimit: 100, burstLimit: 200 },
    });
    const integration = new HttpLambdaIntegration('Health', this.healthFunction);
    for (const [name, routePath] of Object.entries(HEALTH_ROUTES)) {
      const routes = this.api.addRoutes({
        path: routePath,
        methods: [apigwv2.HttpMethod.GET],
        integration,
      });
      for (const route of routes) {
        // Confused-deputy guard: only this account's API may invoke the function.
        route.node
          .findAll()
          .filter((c): c is lambda.CfnPermission => c instanceof lambda.CfnPermission)
          .forEach((permission) => (permission.sourceAccount = stack.account));
        acknowledgeFindings(
          route,
          [
            'AwsSolutions-APIG4',
            'cdk-validator-cfnguard::api_gw_v2_authorization_type_configured_check',
          ],
          `The ${name} health route must answer Route 53 health checkers, which cannot authenticate; it returns only health signals, no data.`,
        );
      }
    }

    if (props.globalWriterEndpoint !== undefined) {
      this.itemsFunction = this.addItemsApi(props, {
        writerHost: props.globalWriterEndpoint,
        databaseName,
        securityGroup,
        logRetention,
        cacheTtl,
      });
    }

    const hostnames = [this.regionalHostname, props.hostnames.app, props.hostnames.write];
    this.certificate = new acm.Certificate(this, 'Certificate', {
      domainName: this.regionalHostname,
      subjectAlternativeNames: hostnames.slice(1),
      validation: acm.CertificateValidation.fromDns(props.hostedZone),
    });
    this.domains = {};
    hostnames.forEach((hostname, i) => {
      const domain = new apigwv2.DomainName(this, `Domain${i}`, {
        domainName: hostname,
        certificate: this.certificate,
        endpointType: apigwv2.EndpointType.REGIONAL,
        securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
      });
      new apigwv2.ApiMapping(this, `Mapping${i}`, { api: this.api, domainName: domain, stage });
      this.domains[hostname] = domain;
    });

    // A plain CNAME (not an alias) so its TTL is ours to set.
    new route53.CnameRecord(this, 'RegionalRecord', {
      zone: props.hostedZone,
      recordName: this.regionalHostname,
      domainName: this.domains[this.regionalHostname].regionalDomainName,
      ttl: recordTtl,
      comment: `Direct access to ${stack.region}; target of this region's health checks`,
    });
  }

  /**
   * The items API: its own function and role (so the health path keeps its own least
   * privilege, latency and logs), `PUT` and `GET /items/{id}` with IAM authorization: only
   * callers that sign with SigV4 and hold execute-api:Invoke on the routes
   * get through (API Gateway Developer Guide, "Control access to HTTP APIs with IAM
   * authorization"). It shares the health function's security group, which reaches this
   * region's cluster and the other regions' database subnets (the global writer endpoint
   * resolves to the writer's region).
   */
  private addItemsApi(
    props: RegionalServiceProps,
    v: {
      writerHost: string;
      databaseName: string;
      securityGroup: ec2.ISecurityGroup;
      logRetention: logs.RetentionDays;
      cacheTtl: Duration;
    },
  ): nodejs.NodejsFunction {
    const stack = Stack.of(this);
    const user = props.itemsDatabaseUser ?? ITEMS_DB_USER;
    const logGroup = new logs.LogGroup(this, 'ItemsFunctionLogs', {
      encryptionKey: props.encryptionKey,
      retention: v.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeCrossStackLogKey(logGroup, props.encryptionKey);
    const role = new iam.Role(this, 'ItemsFunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Items API of ${stack.region}`,
    });
    // The writer moves between the global database's member clusters with every switchover:
    // the user on each of them, one ARN per cluster, `arn:<partition>:rds-db:<region>:<account>:
    // dbuser:<DbClusterResourceId>/<user>`, which "describes one database account in one DB
    // cluster" (Aurora User Guide, "Creating and using an IAM policy for IAM database access",
    // Resource).
    const clusters = props.writerClusters ?? [
      {
        region: props.database.env.region,
        clusterResourceId: props.database.clusterResourceIdentifier,
      },
    ];
    const memberUsers = clusters.map((c) =>
      Arn.format(
        {
          service: 'rds-db',
          region: c.region,
          resource: 'dbuser',
          resourceName: `${c.clusterResourceId}/${user}`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        },
        stack,
      ),
    );
    const policy = vpcFunctionPolicy(this, 'ItemsFunctionPolicy', {
      role,
      connect: { sid: 'ConnectAsItemsUser', resources: memberUsers },
      drainSwitch: this.drainParameter,
      logGroup,
    });

    const fn = new nodejs.NodejsFunction(this, 'ItemsFunction', {
      ...itemsFunctionCode(),
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Above the commit bound (at most 8 s), so the function answers 503 itself, never
      // Lambda's timeout.
      timeout: Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: role.withoutPolicyUpdates(),
      logGroup,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [v.securityGroup],
      environment: itemsEnvironment({
        [ITEMS_ENV.writerHost]: v.writerHost,
        [ITEMS_ENV.readerHost]: props.database.readerEndpointAddress,
        [ITEMS_ENV.port]: String(props.database.port),
        [ITEMS_ENV.databaseName]: v.databaseName,
        [ITEMS_ENV.user]: user,
        [ITEMS_ENV.drainParameterName]: this.drainParameterName,
        [ITEMS_ENV.drainCacheTtlMs]: String(v.cacheTtl.toMilliseconds()),
        [ITEMS_ENV.commitTimeoutMs]: String(ITEMS_TIMEOUTS_MS.commit.default),
        [ITEMS_ENV.readTimeoutMs]: String(ITEMS_TIMEOUTS_MS.read.default),
        [ITEMS_ENV.retryAfterSeconds]: String(DEFAULT_RETRY_AFTER_SECONDS),
        [ITEMS_ENV.extraCaCerts]: LAMBDA_CA_BUNDLE,
      }),
    });
    fn.node.addDependency(policy);
    if (Stack.of(props.vpc) !== stack) {
      acknowledgeFindings(
        fn,
        ['cdk-validator-cfnguard::lambda_inside_vpc_check'],
        `The function runs in the isolated subnets of the VPC from stack ${Stack.of(props.vpc).stackName}; its SubnetIds are cross-stack references that cfn-guard cannot resolve.`,
      );
    }
    if (props.reservedConcurrency === undefined) {
      const noReservation =
        'Reserved concurrency is opt-in (reservedConcurrency): Lambda keeps 100 executions of the regional quota unreserved, so a reservation of N needs a quota of at least 100 + N; without one the function shares the unreserved pool, and the API stage throttle (100 requests per second, burst 200) bounds its invocations.';
      acknowledgeEverywhere(
        fn,
        inPacks('LambdaConcurrency', ['NIST.800.53.R5', 'HIPAA.Security']),
        'LAMBDA_CONCURRENCY_CHECK',
        noReservation,
      );
    }
    const noDeadLetterQueue =
      'API Gateway invokes the items function synchronously and returns its answer (or a 5xx) to the caller, who retries with the same Idempotency-Key; a dead-letter queue only receives failed asynchronous invocations.';
    acknowledgeEverywhere(
      fn,
      inPacks('LambdaDLQ', ['NIST.800.53.R5', 'HIPAA.Security']),
      'LAMBDA_DLQ_CHECK',
      noDeadLetterQueue,
    );

    const integration = new HttpLambdaIntegration('Items', fn);
    const authorizer = new HttpIamAuthorizer();
    for (const route of Object.values(ITEM_ROUTES)) {
      for (const added of this.api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration,
        authorizer,
      })) {
        added.node
          .findAll()
          .filter((c): c is lambda.CfnPermission => c instanceof lambda.CfnPermission)
          .forEach((permission) => (permission.sourceAccount = stack.account));
      }
    }
    return fn;
  }

  /** The API Gateway target of one of the service's hostnames in this region. */
  targetOf(hostname: string): string {
    const domain = this.domains[hostname];
    if (!domain) {
      throwIfProblems('RegionalService', this, [
        `hostname '${hostname}' has no custom domain in this region; known: ${Object.keys(this.domains).join(', ')}`,
      ]);
    }
    return domain.regionalDomainName;
  }
}

/** Every variable the handler reads, except AWS_REGION, which Lambda sets. */
type HealthEnvironment = Record<
  Exclude<(typeof HEALTH_ENV)[keyof typeof HEALTH_ENV], 'AWS_REGION'>,
  string
>;

/** Every variable the items handler reads, except AWS_REGION, which Lambda sets. */
type ItemsEnvironment = Record<
  Exclude<(typeof ITEMS_ENV)[keyof typeof ITEMS_ENV], 'AWS_REGION'>,
  string
>;

function itemsEnvironment(env: ItemsEnvironment): Record<string, string> {
  return env;
}

/** The type makes a missing variable a compile error. */
function healthEnvironment(env: HealthEnvironment): Record<string, string> {
  return env;
}

/** The Durations in whole milliseconds, or undefined for a token. */
function probeMillis(
  timeouts: Record<keyof ProbeTimeoutsMs, Duration>,
): ProbeTimeoutsMs | undefined {
  const entries = Object.entries(timeouts);
  if (entries.some(([, d]) => d.isUnresolved())) return undefined;
  return Object.fromEntries(
    entries.map(([k, d]) => [k, d.toMilliseconds()]),
  ) as unknown as ProbeTimeoutsMs;
}

function millisProblem(
  name: string,
  d: Duration,
  bound: MillisBound,
  why: string,
): string | undefined {
  if (d.isUnresolved()) return undefined;
  const ms = d.toMilliseconds();
  if (Number.isInteger(ms) && ms >= bound.min && ms <= bound.max) return undefined;
  return `${name} must be ${bound.min} to ${bound.max} ms (${why}), got: ${d.toHumanString()}`;
}

function validate(
  props: RegionalServiceProps,
  v: {
    cacheTtl: Duration;
    timeouts: Record<keyof ProbeTimeoutsMs, Duration>;
    recordTtl: Duration;
    drainParameterName: string;
    databaseName: string;
    databaseUser: string;
  },
  scope: Construct,
): void {
  const problems: string[] = [];
  const add = (p: string | undefined): void => void (p && problems.push(p));
  add(
    millisProblem(
      'healthSignalCacheTtl',
      v.cacheTtl,
      CACHE_TTL_MS,
      'shorter hammers the database and SSM, longer delays failure detection',
    ),
  );
  for (const key of Object.keys(PROBE_TIMEOUTS_MS) as (keyof ProbeTimeoutsMs)[]) {
    add(
      millisProblem(
        `probeTimeouts.${key}`,
        v.timeouts[key],
        PROBE_TIMEOUTS_MS[key],
        'Route 53 wants an answer within 2 seconds',
      ),
    );
  }
  const ms = probeMillis(v.timeouts);
  if (ms && problems.length === 0) add(probeBudgetProblem(ms, 'probeTimeouts'));
  if (!props.rpo.isUnresolved()) {
    const seconds = props.rpo.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < RPO_SECONDS.min || seconds > RPO_SECONDS.max) {
      problems.push(
        `rpo must be whole seconds from ${RPO_SECONDS.min} to ${RPO_SECONDS.max}, got: ${props.rpo.toHumanString()}`,
      );
    }
  }
  for (const [name, value] of [
    ['databaseName', v.databaseName],
    ['databaseUser', v.databaseUser],
    ['itemsDatabaseUser', props.itemsDatabaseUser ?? ITEMS_DB_USER],
  ]) {
    if (!Token.isUnresolved(value) && !/^[a-z_][a-z0-9_$]{0,62}$/.test(value)) {
      problems.push(
        `${name} must be a PostgreSQL name of lower-case letters, digits and _ (at most 63), got: '${value}'`,
      );
    }
  }
  const writerRegions = props.writerClusters?.map((c) => c.region);
  const ownRegion = props.database.env.region;
  if (
    writerRegions &&
    !Token.isUnresolved(ownRegion) &&
    (!writerRegions.includes(ownRegion) || new Set(writerRegions).size !== writerRegions.length)
  ) {
    problems.push(
      `writerClusters must list every member cluster of the global database once, this region's (${ownRegion}) among them, got regions: ${writerRegions.join(', ') || 'none'}`,
    );
  }
  if (!v.recordTtl.isUnresolved() && v.recordTtl.toSeconds() > 60) {
    problems.push(`recordTtl must be at most 60 seconds, got: ${v.recordTtl.toHumanString()}`);
  }
  const reserved = props.reservedConcurrency;
  if (reserved !== undefined && (!Number.isInteger(reserved) || reserved < 1)) {
    problems.push(
      `reservedConcurrency must be a whole number of at least 1 (or left out for none), got: ${reserved}`,
    );
  }
  if (
    !Token.isUnresolved(v.drainParameterName) &&
    !/^\/[A-Za-z0-9_.\-/]+$/.test(v.drainParameterName)
  ) {
    problems.push(
      `drainParameterName must be an SSM parameter path such as '/multi-region-ref/drain', got: '${v.drainParameterName}'`,
    );
  }
  if (!props.hostedZone.zoneName || Token.isUnresolved(props.hostedZone.zoneName)) {
    problems.push(
      'hostedZone must be imported with its zone name (HostedZone.fromHostedZoneAttributes)',
    );
  } else if (!props.hostnames.app.endsWith(`.${props.hostedZone.zoneName}`)) {
    problems.push(
      `hostnames must be inside the hosted zone '${props.hostedZone.zoneName}', got: '${props.hostnames.app}'`,
    );
  }
  throwIfProblems('RegionalService', scope, problems);
}

/**
 * The managed policy of one of the service's VPC functions: connect as its database user,
 * read its region's drain switch, write its own logs, and let Lambda manage its ENIs.
 */
function vpcFunctionPolicy(
  scope: Construct,
  id: string,
  props: {
    readonly role: iam.IRole;
    readonly connect: { readonly sid: string; readonly resources: readonly string[] };
    readonly drainSwitch: ssm.IStringParameter;
    readonly logGroup: logs.ILogGroup;
  },
): iam.ManagedPolicy {
  const policy = new iam.ManagedPolicy(scope, id, {
    roles: [props.role],
    statements: [
      new iam.PolicyStatement({
        sid: props.connect.sid,
        actions: ['rds-db:connect'],
        resources: [...props.connect.resources],
      }),
      new iam.PolicyStatement({
        sid: 'ReadDrainSwitch',
        actions: ['ssm:GetParameter'],
        resources: [props.drainSwitch.parameterArn],
      }),
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [props.logGroup.logGroupArn],
      }),
      new iam.PolicyStatement({
        sid: 'RunInVpc',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    ],
  });
  // Service Authorization Reference, Amazon EC2, "Actions defined by Amazon EC2":
  // DescribeNetworkInterfaces has no resource type; the other four take network-interface
  // (and subnet, security-group) ARNs. Lambda Developer Guide, "Giving Lambda functions
  // access to resources in an Amazon VPC", required IAM permissions: Lambda creates the
  // function's ENIs with this role, and DeleteNetworkInterface must cover every ENI id.
  acknowledgeFindings(
    policy,
    ['AwsSolutions-IAM5[Resource::*]'],
    'Lambda creates and deletes the network interfaces of a VPC function with this role: DescribeNetworkInterfaces supports no resource-level permissions, and the ids of the interfaces that Create, Delete, Assign and Unassign act on are unknown before Lambda makes them (AWSLambdaVPCAccessExecutionRole grants the same actions on *).',
  );
  return policy;
}
