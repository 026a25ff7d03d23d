import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  AuroraGlobalSecondary,
  RegionalDataKey,
  RegionalNetwork,
  RegionalService,
  RegionalServiceProps,
  serviceHostnames,
} from '../../constructs';
import { readConfig } from '../../constructs/handlers/health';
import {
  CACHE_TTL_MS,
  HEALTH_ENV,
  PROBE_TIMEOUTS_MS,
  type ProbeTimeoutsMs,
} from '../../constructs/handlers/health-contract';
import { SERVICE_METRIC_NAMESPACE } from '../../constructs/service-metrics';
import {
  DEFAULT_RETRY_AFTER_SECONDS,
  ITEM_ROUTES,
  ITEMS_DB_USER,
  ITEMS_ENV,
  ITEMS_TIMEOUTS_MS,
} from '../../constructs/contract';
import { nagFindings, stockPacks, testApp, testStack } from '../util';

function service(
  extra: Partial<RegionalServiceProps> = {},
  app?: App,
): {
  stack: Stack;
  service: RegionalService;
} {
  const stack = testStack('us-west-2', app);
  const key = new RegionalDataKey(stack, 'DataKey');
  const network = new RegionalNetwork(stack, 'Network', { encryptionKey: key.key });
  const database = new AuroraGlobalSecondary(stack, 'Db', {
    vpc: network.vpc,
    encryptionKey: key.key,
    globalClusterIdentifier: 'orders-global',
    engineVersion: rds.AuroraPostgresEngineVersion.of('16.6', '16'),
    rpo: Duration.seconds(30),
  });
  const svc = new RegionalService(stack, 'Service', {
    vpc: network.vpc,
    database,
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
      hostedZoneId: 'Z0000000000EXAMPLE',
      zoneName: 'example.com',
    }),
    hostnames: serviceHostnames('example.com'),
    encryptionKey: key.key,
    rpo: Duration.seconds(30),
    ...extra,
  });
  return { stack, service: svc };
}

describe('RegionalService', () => {
  const { stack } = service();
  const template = Template.fromStack(stack);

  const healthFunction = () => {
    const fns = template.findResources('AWS::Lambda::Function', {
      Properties: { Runtime: 'nodejs24.x', Handler: 'index.handler' },
    });
    expect(Object.keys(fns)).toHaveLength(1);
    return Object.values(fns)[0].Properties;
  };

  test('THEN the health function runs in the VPC with short timeouts and no reserved concurrency', () => {
    const fn = healthFunction();
    expect(fn).toMatchObject({
      Timeout: 3,
      VpcConfig: { SubnetIds: expect.anything(), SecurityGroupIds: expect.anything() },
    });
    expect(fn.ReservedConcurrentExecutions).toBeUndefined();
  });

  test('THEN the construct sets every variable the handler reads (Lambda sets AWS_REGION)', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          DB_READER_HOST: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^DbCluster'), 'ReadEndpoint.Address'],
          },
          DB_CLUSTER_HOST: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^DbCluster'), 'Endpoint.Address'],
          },
          DB_PORT: '5432',
          DB_NAME: 'app',
          DB_USER: 'health_check',
          DRAIN_PARAMETER_NAME: '/multi-region-ref/drain',
          CACHE_TTL_MS: '5000',
          CONNECT_TIMEOUT_MS: '300',
          QUERY_TIMEOUT_MS: '200',
          HEARTBEAT_TIMEOUT_MS: '300',
          DRAIN_TIMEOUT_MS: '400',
          RPO_SECONDS: '30',
          METRIC_NAMESPACE: SERVICE_METRIC_NAMESPACE,
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        },
      },
    });
    expect(Object.keys(healthFunction().Environment.Variables).sort()).toEqual(
      Object.values(HEALTH_ENV)
        .filter((name) => name !== 'AWS_REGION')
        .sort(),
    );
  });

  test('THEN the handler accepts the synthesized environment and reads the same defaults', () => {
    const env: Record<string, string> = { AWS_REGION: 'us-west-2' };
    for (const [name, value] of Object.entries(healthFunction().Environment.Variables)) {
      // Endpoint addresses are tokens until deploy; any host name stands in for them.
      env[name] = typeof value === 'string' ? value : 'db.example.internal';
    }
    expect(readConfig(env)).toMatchObject({
      port: 5432,
      databaseName: 'app',
      user: 'health_check',
      cacheTtlMs: CACHE_TTL_MS.default,
      timeouts: {
        connect: PROBE_TIMEOUTS_MS.connect.default,
        query: PROBE_TIMEOUTS_MS.query.default,
        heartbeat: PROBE_TIMEOUTS_MS.heartbeat.default,
        drain: PROBE_TIMEOUTS_MS.drain.default,
      },
      rpoSeconds: 30,
      metricNamespace: 'MultiRegion/Service',
    });
  });

  test('THEN the drain switch exists in this region and starts off', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/multi-region-ref/drain',
      Type: 'String',
      Value: 'false',
    });
  });

  test('THEN the function may connect as its database user, read the drain switch and write its logs, and call no RDS API', () => {
    const policies = template.findResources('AWS::IAM::ManagedPolicy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('HealthFunctionRole') }] },
    });
    const statements = Object.values(policies)[0].Properties.PolicyDocument.Statement;
    expect(
      statements.map((s: { Sid: string; Action: string | string[] }) => [
        s.Sid,
        [s.Action].flat().sort(),
      ]),
    ).toEqual([
      ['ConnectAsHealthUser', ['rds-db:connect']],
      ['ReadDrainSwitch', ['ssm:GetParameter']],
      ['WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents']],
      [
        'RunInVpc',
        [
          'ec2:AssignPrivateIpAddresses',
          'ec2:CreateNetworkInterface',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:UnassignPrivateIpAddresses',
        ],
      ],
    ]);
    const actions: string[] = statements.flatMap((s: { Action: string | string[] }) =>
      [s.Action].flat(),
    );
    expect(actions.filter((a) => a.startsWith('rds:'))).toEqual([]);
    // arn:aws:rds-db:<region>:<account>:dbuser:<DbClusterResourceId>/<user>
    expect(statements[0].Resource).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:aws:rds-db:us-west-2:123456789012:dbuser:',
          { 'Fn::GetAtt': [expect.stringMatching(/^DbCluster/), 'DBClusterResourceId'] },
          '/health_check',
        ],
      ],
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('THEN the health function may reach the database port and nothing else but HTTPS in the VPC', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      SourceSecurityGroupId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('HealthFunctionSecurityGroup'), 'GroupId'],
      },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Health function: out to the database and the VPC endpoints only',
      SecurityGroupEgress: [Match.objectLike({ FromPort: 443, ToPort: 443 })],
    });
  });

  test('THEN the HTTP API serves the health routes only on its custom domains', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      DisableExecuteApiEndpoint: true,
    });
    for (const routeKey of ['GET /health', 'GET /health/writer', 'GET /health/serving']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    for (const name of ['us-west-2.app.example.com', 'app.example.com', 'write.example.com']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
        DomainName: name,
        DomainNameConfigurations: [
          Match.objectLike({ EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }),
        ],
      });
    }
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 3);
    template.allResourcesProperties('AWS::Lambda::Permission', {
      Principal: 'apigateway.amazonaws.com',
      SourceAccount: '123456789012',
    });
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'us-west-2.app.example.com',
      SubjectAlternativeNames: ['app.example.com', 'write.example.com'],
      ValidationMethod: 'DNS',
    });
  });

  test('THEN the region-specific name is a 60 s CNAME to its API Gateway domain', () => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'us-west-2.app.example.com.',
      Type: 'CNAME',
      TTL: '60',
      ResourceRecords: [
        { 'Fn::GetAtt': [Match.stringLikeRegexp('ServiceDomain0'), 'RegionalDomainName'] },
      ],
    });
  });

  test('THEN every stock pack is satisfied', () => {
    for (const pack of stockPacks()) {
      expect(nagFindings(pack, stack)).toEqual([]);
    }
  });
});

describe('RegionalService options', () => {
  test('GIVEN a reservation WHEN synthesized THEN the function reserves exactly that', () => {
    const { stack } = service({ reservedConcurrency: 5 });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      ReservedConcurrentExecutions: 5,
    });
  });

  test('GIVEN another user, database, RPO and timeouts WHEN synthesized THEN the function and its policy use them', () => {
    const { stack } = service({
      databaseUser: 'orders_health',
      databaseName: 'orders',
      rpo: Duration.minutes(2),
      probeTimeouts: { connect: Duration.millis(250), drain: Duration.millis(300) },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          DB_USER: 'orders_health',
          DB_NAME: 'orders',
          RPO_SECONDS: '120',
          CONNECT_TIMEOUT_MS: '250',
          QUERY_TIMEOUT_MS: '200',
          DRAIN_TIMEOUT_MS: '300',
        }),
      },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ConnectAsHealthUser',
            Resource: { 'Fn::Join': ['', Match.arrayWith(['/orders_health'])] },
          }),
        ]),
      },
    });
  });
});

describe('RegionalService and the handler validate the same bounds', () => {
  const envName: Record<keyof ProbeTimeoutsMs, string> = {
    connect: HEALTH_ENV.connectTimeoutMs,
    query: HEALTH_ENV.queryTimeoutMs,
    heartbeat: HEALTH_ENV.heartbeatTimeoutMs,
    drain: HEALTH_ENV.drainTimeoutMs,
  };
  const handlerEnv = {
    AWS_REGION: 'us-west-2',
    DB_READER_HOST: 'r.example.internal',
    DB_CLUSTER_HOST: 'w.example.internal',
    DB_PORT: '5432',
    DB_NAME: 'app',
    DB_USER: 'health_check',
    DRAIN_PARAMETER_NAME: '/multi-region-ref/drain',
    RPO_SECONDS: '30',
    NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
  };
  const cases = (Object.keys(PROBE_TIMEOUTS_MS) as (keyof ProbeTimeoutsMs)[]).flatMap((key) => [
    [key, PROBE_TIMEOUTS_MS[key].min - 1, false],
    [key, PROBE_TIMEOUTS_MS[key].min, true],
  ]) as [keyof ProbeTimeoutsMs, number, boolean][];

  test.each(cases)('probeTimeouts.%s = %d ms: accepted %s by both', (key, ms, ok) => {
    const construct = () => service({ probeTimeouts: { [key]: Duration.millis(ms) } });
    const handler = () => readConfig({ ...handlerEnv, [envName[key]]: String(ms) });
    if (ok) {
      expect(construct).not.toThrow();
      expect(handler).not.toThrow();
    } else {
      expect(construct).toThrow(
        `probeTimeouts.${key} must be ${PROBE_TIMEOUTS_MS[key].min} to ${PROBE_TIMEOUTS_MS[key].max} ms (Route 53 wants an answer within 2 seconds), got: ${ms} millis`,
      );
      expect(handler).toThrow(
        `${envName[key]} must be milliseconds from ${PROBE_TIMEOUTS_MS[key].min} to ${PROBE_TIMEOUTS_MS[key].max}, got: '${ms}'`,
      );
    }
  });

  test.each([
    [CACHE_TTL_MS.min - 1, false],
    [CACHE_TTL_MS.min, true],
    [CACHE_TTL_MS.max, true],
    [CACHE_TTL_MS.max + 1, false],
  ])('cache TTL %d ms: accepted %s by both', (ms, ok) => {
    const construct = () => service({ healthSignalCacheTtl: Duration.millis(ms) });
    const handler = () => readConfig({ ...handlerEnv, CACHE_TTL_MS: String(ms) });
    expect([!throws(construct), !throws(handler)]).toEqual([ok, ok]);
  });

  test('the longest timeouts each fit alone, and both refuse them together with one message', () => {
    const max = { connect: 1000, query: 1000, heartbeat: 1000, drain: 1000 };
    const construct = () =>
      service({
        probeTimeouts: {
          connect: Duration.millis(max.connect),
          query: Duration.millis(max.query),
          heartbeat: Duration.millis(max.heartbeat),
          drain: Duration.millis(max.drain),
        },
      });
    expect(construct).toThrow(
      'RegionalService Test-us-west-2/Service: probeTimeouts must add up to at most 1800 ms (2 x connect + 2 x query + heartbeat + drain; Route 53 waits 2 seconds), got: 6000 ms; shorten one of them',
    );
    expect(() =>
      readConfig({
        ...handlerEnv,
        CONNECT_TIMEOUT_MS: '1000',
        QUERY_TIMEOUT_MS: '1000',
        HEARTBEAT_TIMEOUT_MS: '1000',
        DRAIN_TIMEOUT_MS: '1000',
      }),
    ).toThrow('got: 6000 ms; shorten one of them');
  });
});

function throws(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch {
    return true;
  }
}

describe('RegionalService bad props', () => {
  test.each<[string, Partial<RegionalServiceProps>, string]>([
    [
      'a long signal cache',
      { healthSignalCacheTtl: Duration.minutes(1) },
      'healthSignalCacheTtl must be 1000 to 30000 ms (shorter hammers the database and SSM, longer delays failure detection), got: 1 minute',
    ],
    [
      'a probe timeout Route 53 would not wait for',
      { probeTimeouts: { heartbeat: Duration.seconds(3) } },
      'probeTimeouts.heartbeat must be 50 to 1000 ms (Route 53 wants an answer within 2 seconds), got: 3 seconds',
    ],
    [
      'an RPO that is not whole seconds',
      { rpo: Duration.millis(1500) },
      'rpo must be whole seconds from 1 to 2147483647, got: 1 second 500 millis',
    ],
    [
      'a database user that needs quoting',
      { databaseUser: 'Health-Check' },
      "databaseUser must be a PostgreSQL name of lower-case letters, digits and _ (at most 63), got: 'Health-Check'",
    ],
    [
      'a database name that needs quoting',
      { databaseName: 'my db' },
      "databaseName must be a PostgreSQL name of lower-case letters, digits and _ (at most 63), got: 'my db'",
    ],
    [
      'a record TTL over 60 s',
      { recordTtl: Duration.seconds(300) },
      'recordTtl must be at most 60 seconds, got: 5 minutes',
    ],
    [
      'a reservation of no executions',
      { reservedConcurrency: 0 },
      'reservedConcurrency must be a whole number of at least 1 (or left out for none), got: 0',
    ],
    [
      'a drain parameter that is not a path',
      { drainParameterName: 'drain' },
      "drainParameterName must be an SSM parameter path such as '/multi-region-ref/drain', got: 'drain'",
    ],
    [
      "writer clusters without this region's",
      { writerClusters: [{ region: 'us-east-1', clusterResourceId: 'cluster-EAST' }] },
      "writerClusters must list every member cluster of the global database once, this region's (us-west-2) among them, got regions: us-east-1",
    ],
    [
      'a writer cluster listed twice',
      {
        writerClusters: [
          { region: 'us-west-2', clusterResourceId: 'cluster-WEST' },
          { region: 'us-west-2', clusterResourceId: 'cluster-WEST' },
        ],
      },
      "writerClusters must list every member cluster of the global database once, this region's (us-west-2) among them, got regions: us-west-2, us-west-2",
    ],
    [
      'no writer cluster',
      { writerClusters: [] },
      "writerClusters must list every member cluster of the global database once, this region's (us-west-2) among them, got regions: none",
    ],
    [
      'names outside the zone',
      { hostnames: serviceHostnames('example.org') },
      "hostnames must be inside the hosted zone 'example.com', got: 'app.example.org'",
    ],
  ])('rejects %s', (_name, extra, message) => {
    expect(() => service(extra)).toThrow(`RegionalService Test-us-west-2/Service: ${message}`);
  });

  test('asking for the target of an unknown name says which names exist', () => {
    expect(() => service().service.targetOf('api.example.com')).toThrow(
      "RegionalService Test-us-west-2/Service: hostname 'api.example.com' has no custom domain in this region; known: us-west-2.app.example.com, app.example.com, write.example.com",
    );
  });
});

describe('RegionalService bundle', () => {
  test('GIVEN a real esbuild bundle WHEN Node loads it without pg-native THEN the handler runs and answers from its configuration', () => {
    const app = testApp({ 'aws:cdk:bundling-stacks': ['**'] });
    const { stack } = service({}, app);
    const assembly = app.synth();
    const fn = Object.values(
      Template.fromStack(stack).findResources('AWS::Lambda::Function', {
        Properties: { Runtime: 'nodejs24.x', Handler: 'index.handler' },
      }),
    )[0];
    const dir = `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`;
    const bundle = path.join(assembly.directory, dir, 'index.js');
    const code = fs.readFileSync(bundle, 'utf8');

    // pg and the signer are inside; pg's optional native binding stays an unresolved require.
    expect(fs.readdirSync(path.join(assembly.directory, dir))).toEqual(['index.js']);
    expect(code).toContain('require("pg-native")');
    const answer = execFileSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(bundle)}).handler({ rawPath: '/health' }).then((r) => process.stdout.write(JSON.stringify(r)))`,
      ],
      {
        env: { PATH: process.env.PATH ?? '' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const response = JSON.parse(answer);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body).problems[0]).toBe(
      'AWS_REGION is not set: set it to the region this function runs in (Lambda sets it)',
    );
  }, 120_000);
});

describe('RegionalService items API with the global database members', () => {
  test('GIVEN writerClusters THEN the items role may connect as the items user to each of them, one ARN per cluster', () => {
    const { stack } = service({
      globalWriterEndpoint: 'orders-global.global-abc123.global.rds.amazonaws.com',
      writerClusters: [
        { region: 'us-west-2', clusterResourceId: 'cluster-WEST' },
        { region: 'us-east-1', clusterResourceId: 'cluster-EAST' },
      ],
    });

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ConnectAsItemsUser',
            Action: 'rds-db:connect',
            // IAM policy documents list resources sorted (CDK normalizes them).
            Resource: [
              'arn:aws:rds-db:us-east-1:123456789012:dbuser:cluster-EAST/items_api',
              'arn:aws:rds-db:us-west-2:123456789012:dbuser:cluster-WEST/items_api',
            ],
          }),
        ]),
      },
    });
  });
});

describe('RegionalService items API', () => {
  const WRITER = 'orders-global.global-abc123.global.rds.amazonaws.com';
  const { stack } = service({ globalWriterEndpoint: WRITER });
  const template = Template.fromStack(stack);
  const itemsFunction = () => {
    const fns = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { [ITEMS_ENV.writerHost]: WRITER } } },
    });
    expect(Object.keys(fns)).toHaveLength(1);
    return Object.values(fns)[0].Properties;
  };

  test('THEN PUT and GET /items/{id} sit beside the health routes, the item routes with IAM authorization only', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => [
      r.Properties.RouteKey,
      r.Properties.AuthorizationType ?? 'NONE',
    ]);
    expect(routes.sort()).toEqual(
      [
        ['GET /health', 'NONE'],
        ['GET /health/serving', 'NONE'],
        ['GET /health/writer', 'NONE'],
        [`${ITEM_ROUTES.read.method} ${ITEM_ROUTES.read.path}`, 'AWS_IAM'],
        [`${ITEM_ROUTES.write.method} ${ITEM_ROUTES.write.path}`, 'AWS_IAM'],
      ].sort(),
    );
  });

  test('THEN the items function writes through the global writer endpoint, reads the local reader and knows its drain switch', () => {
    const fn = itemsFunction();
    const variables = fn.Environment.Variables;
    expect(Object.keys(variables).sort()).toEqual(
      Object.values(ITEMS_ENV)
        .filter((v) => v !== ITEMS_ENV.region)
        .sort(),
    );
    expect(variables).toMatchObject({
      [ITEMS_ENV.writerHost]: WRITER,
      [ITEMS_ENV.readerHost]: {
        'Fn::GetAtt': [expect.stringMatching(/^DbCluster/), 'ReadEndpoint.Address'],
      },
      [ITEMS_ENV.user]: 'items_api',
      [ITEMS_ENV.drainParameterName]: '/multi-region-ref/drain',
    });
    expect(fn.Timeout).toBe(10);
    expect(fn.VpcConfig).toEqual({
      SubnetIds: expect.anything(),
      SecurityGroupIds: expect.anything(),
    });
  });

  test('THEN its own role may connect only as the items user and read only its own drain switch, and call no RDS API', () => {
    const policies = template.findResources('AWS::IAM::ManagedPolicy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('ItemsFunctionRole') }] },
    });
    expect(Object.keys(policies)).toHaveLength(1);
    const statements = Object.values(policies)[0].Properties.PolicyDocument.Statement;
    const bySid = Object.fromEntries(statements.map((s: { Sid: string }) => [s.Sid, s])) as Record<
      string,
      { Action: string | string[]; Resource: unknown }
    >;
    expect(Object.keys(bySid)).toEqual([
      'ConnectAsItemsUser',
      'ReadDrainSwitch',
      'WriteOwnLogs',
      'RunInVpc',
    ]);
    // Without writerClusters: this region's cluster only, by its DbClusterResourceId.
    expect(bySid.ConnectAsItemsUser).toMatchObject({
      Action: 'rds-db:connect',
      Resource: {
        'Fn::Join': [
          '',
          [
            'arn:aws:rds-db:us-west-2:123456789012:dbuser:',
            { 'Fn::GetAtt': [expect.stringMatching(/^DbCluster/), 'DBClusterResourceId'] },
            '/items_api',
          ],
        ],
      },
    });
    expect(bySid.ReadDrainSwitch).toMatchObject({
      Action: 'ssm:GetParameter',
      Resource: {
        'Fn::Join': [
          '',
          [
            'arn:aws:ssm:us-west-2:123456789012:parameter',
            { Ref: expect.stringMatching(/^ServiceDrainSwitch/) },
          ],
        ],
      },
    });
    const actions = statements.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
    expect(actions.filter((a: string) => /^(rds|ssm):/.test(a))).toEqual(['ssm:GetParameter']);
    // The role is not the health function's.
    expect(itemsFunction().Role).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^ServiceItemsFunctionRole/), 'Arn'],
    });
  });

  test('THEN every stock pack is satisfied', () => {
    for (const pack of stockPacks()) {
      expect(nagFindings(pack, stack)).toEqual([]);
    }
  });

  test('GIVEN no global writer endpoint WHEN synthesized THEN the service has only its health routes', () => {
    const plain = Template.fromStack(service().stack);
    expect(
      Object.values(plain.findResources('AWS::ApiGatewayV2::Route')).map(
        (r) => r.Properties.RouteKey,
      ),
    ).not.toContain('PUT /items/{id}');
  });
});

describe("the README's items API section", () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf('### The items API');
  const section = readme.slice(start, readme.indexOf('\n## ', start));

  test('THEN it documents each route, the IAM authorization, the user and the refusal as deployed', () => {
    expect(start).toBeGreaterThan(0);
    for (const route of Object.values(ITEM_ROUTES)) {
      expect(section).toContain(`\`${route.method} ${route.path}\``);
    }
    expect(section).toContain('`HttpIamAuthorizer`');
    expect(section).toContain(`\`${ITEMS_DB_USER}\``);
    expect(section).toContain(`\`Retry-After: ${DEFAULT_RETRY_AFTER_SECONDS}\``);
    expect(section).toContain(`(${ITEMS_TIMEOUTS_MS.commit.default / 1000} s, from connect`);
    expect(section).toContain('`public.item_requests`');
  });
});

describe('RegionalService items bundle', () => {
  test('GIVEN a real esbuild bundle WHEN Node loads it without pg-native THEN the items handler runs and answers from its configuration', () => {
    const app = testApp({ 'aws:cdk:bundling-stacks': ['**'] });
    const WRITER = 'orders-global.global-abc123.global.rds.amazonaws.com';
    const { stack } = service({ globalWriterEndpoint: WRITER }, app);
    const assembly = app.synth();
    const fn = Object.values(
      Template.fromStack(stack).findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { [ITEMS_ENV.writerHost]: WRITER } } },
      }),
    )[0];
    const dir = `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`;
    const bundle = path.join(assembly.directory, dir, 'index.js');
    expect(fs.readFileSync(bundle, 'utf8')).toContain('require("pg-native")');
    const answer = execFileSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(bundle)}).handler({ requestContext: { http: { method: 'GET' } }, pathParameters: { id: 'a1' } }).then((r) => process.stdout.write(JSON.stringify(r)))`,
      ],
      {
        env: { PATH: process.env.PATH ?? '' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const response = JSON.parse(answer);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body).problems[0]).toBe(
      'AWS_REGION is not set: set it to the region this function runs in (Lambda sets it)',
    );
  }, 120_000);
});
