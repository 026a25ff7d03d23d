import { Duration, Stack } from 'aws-cdk-lib';
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
import { nagFindings, stockPacks, testStack } from '../util';

function service(extra: Partial<RegionalServiceProps> = {}): {
  stack: Stack;
  service: RegionalService;
} {
  const stack = testStack('us-west-2');
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
    ...extra,
  });
  return { stack, service: svc };
}

describe('RegionalService', () => {
  const { stack } = service();
  const template = Template.fromStack(stack);

  test('THEN the health function runs in the VPC with short timeouts, reserved concurrency and its settings', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 3,
      ReservedConcurrentExecutions: 10,
      VpcConfig: Match.objectLike({
        SubnetIds: Match.anyValue(),
        SecurityGroupIds: Match.anyValue(),
      }),
      Environment: {
        Variables: {
          GLOBAL_CLUSTER_IDENTIFIER: 'orders-global',
          CLUSTER_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbCluster'), 'DBClusterArn'] },
          DB_HOST: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbCluster'), 'ReadEndpoint.Address'] },
          DB_PORT: '5432',
          DRAIN_PARAMETER_NAME: '/multi-region-ref/drain',
          CACHE_TTL_MS: '5000',
          PROBE_TIMEOUT_MS: '500',
        },
      },
    });
  });

  test('THEN the drain switch exists in this region and starts off', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/multi-region-ref/drain',
      Type: 'String',
      Value: 'false',
    });
  });

  test('THEN the function may read only the global cluster, the drain switch and write its logs', () => {
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
      ['ReadWriterRole', ['rds:DescribeGlobalClusters']],
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
    expect(JSON.stringify(statements[0].Resource)).toContain(
      ':rds::123456789012:global-cluster:orders-global',
    );
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

describe('RegionalService bad props', () => {
  test.each<[string, Partial<RegionalServiceProps>, string]>([
    [
      'a probe timeout Route 53 would not wait for',
      { probeTimeout: Duration.seconds(3) },
      'probeTimeout must be 50 ms to 1.5 seconds (Route 53 wants an answer within 2 seconds), got: 3 seconds',
    ],
    [
      'a long signal cache',
      { healthSignalCacheTtl: Duration.minutes(1) },
      'healthSignalCacheTtl must be 1 to 30 seconds (shorter hammers the RDS and SSM APIs, longer delays failure detection), got: 1 minute',
    ],
    [
      'a record TTL over 60 s',
      { recordTtl: Duration.seconds(300) },
      'recordTtl must be at most 60 seconds, got: 5 minutes',
    ],
    [
      'no reserved concurrency',
      { reservedConcurrency: 0 },
      'reservedConcurrency must be a whole number of at least 1, got: 0',
    ],
    [
      'a drain parameter that is not a path',
      { drainParameterName: 'drain' },
      "drainParameterName must be an SSM parameter path such as '/multi-region-ref/drain', got: 'drain'",
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
      "hostname 'api.example.com' has no custom domain in this region; known: us-west-2.app.example.com, app.example.com, write.example.com",
    );
  });
});
