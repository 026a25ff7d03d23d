import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { acknowledgementProblems, collectAcknowledgements } from '../../constructs/nag';
import { REGISTERED_PACKS } from '../../lib/compliance';
import { buildMultiRegionApp } from '../../lib/multi-region-app';
import { loadTopology } from '../../lib/topology';
import { testApp } from '../util';

// aws-cdk-lib acknowledges some of its own template-validator rules.
const KNOWN_PREFIXES = [...REGISTERED_PACKS, 'CloudFormation-Validate', 'cdk-validator-cfnguard'];

describe('acknowledgement hygiene', () => {
  test.each([
    ['two regions', {}],
    [
      'three regions, active-active',
      { 'topology.secondaryRegions': 'us-west-2,us-east-2', 'topology.mode': 'active-active' },
    ],
  ])(
    'GIVEN the whole app (%s) THEN every acknowledgement has a real reason and sits on one resource',
    (_name, ctx) => {
      const app = testApp(ctx);
      buildMultiRegionApp(
        app,
        loadTopology((key) => app.node.tryGetContext(key)),
      );
      expect(collectAcknowledgements(app).length).toBeGreaterThan(20);
      expect(acknowledgementProblems(app, KNOWN_PREFIXES)).toEqual([]);
    },
  );

  test('GIVEN lazy acknowledgements THEN each one is reported with what to do', () => {
    const app = testApp();
    const stack = new Stack(app, 'Lazy');
    const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true }); // a topic and its policy
    Validations.of(stack).acknowledge({
      id: 'AwsSolutions-SNS3',
      reason: 'All topics in this stack are internal and never leave the VPC boundary.',
    });
    Validations.of(topic.node.defaultChild!).acknowledge({ id: 'AwsSolutions-SNS2', reason: 'ok' });
    Validations.of(topic).acknowledge({ id: 'AwsSolution-SNS3', reason: 'Not needed here.' });
    expect(acknowledgementProblems(app, KNOWN_PREFIXES)).toEqual([
      'AwsSolutions-SNS3 on Lazy: a whole rule is silenced at stack level; acknowledge it on the resource',
      "AwsSolution-SNS3 on Lazy/Topic: reason 'Not needed here.' has 3 words; write a sentence of at least 8 that a reviewer can check",
      'AwsSolution-SNS3 on Lazy/Topic: acknowledged on a construct that holds several resources; acknowledge it on the CloudFormation resource',
      'AwsSolution-SNS3 on Lazy/Topic: no registered pack has this rule id (known: AwsSolutions, NIST.800.53.R5, HIPAA.Security, PCI.DSS.321, MultiRegion, CloudFormation-Validate, cdk-validator-cfnguard)',
      "AwsSolutions-SNS2 on Lazy/Topic/Resource: reason 'ok' is a placeholder; say why the finding does not apply",
    ]);
  });
});

function wholeApp(): App {
  const app = testApp();
  buildMultiRegionApp(
    app,
    loadTopology((key) => app.node.tryGetContext(key)),
  );
  return app;
}

describe('acknowledgement reasons state what the Service Authorization Reference says', () => {
  const acks = collectAcknowledgements(wholeApp());
  test.each([
    [
      'MultiRegion-Service-us-east-1/Service/HealthFunctionPolicy/Resource',
      'AwsSolutions-IAM5[Resource::*]',
      'Lambda creates and deletes the network interfaces of a VPC function with this role: DescribeNetworkInterfaces supports no resource-level permissions, and the ids of the interfaces that Create, Delete, Assign and Unassign act on are unknown before Lambda makes them (AWSLambdaVPCAccessExecutionRole grants the same actions on *).',
    ],
    [
      'MultiRegion-Routing/DrillOperator/Policy/Resource',
      'AwsSolutions-IAM5[Resource::*]',
      'TestDNSAnswer, GetMetricData and DescribeOrderableDBInstanceOptions support no resource-level permissions; DescribeAlarms does, but returns composite alarms only when allowed on *, and the drill lists metric and composite alarms in ALARM by name prefix; kms:Decrypt is limited by the key alias and the Secrets Manager service condition, kms:CreateGrant and kms:DescribeKey by the key alias and the RDS service condition.',
    ],
    [
      'MultiRegion-Routing/DrillOperator/Policy/Resource',
      'AwsSolutions-IAM5[Resource::arn:aws:rds:us-east-1:123456789012:cluster-snapshot:rds:unplanned-global-failover-*]',
      "Aurora names the old primary's point-of-failure snapshot rds:unplanned-global-failover-<cluster>-<time> and the drill names its copy drill-<drill id>-point-of-failure: neither name is known before the failover, so each is matched by its fixed prefix, in the members' regions only.",
    ],
    [
      'MultiRegion-Database-us-east-1/GlobalDatabase/Cluster/Writer/Resource',
      'PCI.DSS.321-RDSAutomaticMinorVersionUpgradeEnabled',
      'Managed switchover and failover need the global database members on the same engine version, and minor upgrades must reach every secondary before the primary; automatic upgrades in each cluster maintenance window cannot keep that order, so the operator upgrades.',
    ],
    [
      'MultiRegion-Database-us-west-2/GlobalDatabase/MonitoringRole/Resource',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      'AmazonRDSEnhancedMonitoringRole is the policy RDS documents for Enhanced Monitoring; it allows only logs actions on log groups whose names start with RDS (create, set retention, write and read their streams; Enhanced Monitoring writes RDSOSMetrics), and this role trusts only the RDS monitoring service.',
    ],
  ])('GIVEN %s THEN %s has the reason a reviewer can check', (path, id, reason) => {
    expect(acks.filter((a) => a.path === path && a.id === id).map((a) => a.reason)).toEqual([
      reason,
    ]);
  });
});

describe('Guard registry suppressions (Metadata.guard) for the engines that skip acknowledgements', () => {
  const app = wholeApp();
  const guarded = app.node
    .findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c))
    .map((r) => ({
      path: r.node.path,
      guard: r.getMetadata('guard') as
        { SuppressedRules: string[]; Reasons: Record<string, string> } | undefined,
    }))
    .filter((r) => r.guard !== undefined);

  test('GIVEN the whole app THEN exactly the provider, schema-provider, health-, items- and readiness-function resources suppress rules', () => {
    expect(guarded.map((g) => [g.path, g.guard!.SuppressedRules])).toEqual([
      ...['us-east-1', 'us-west-2'].flatMap((region) => [
        [
          `MultiRegion-Foundation-${region}/Custom::VpcRestrictDefaultSGCustomResourceProvider/Role`,
          ['IAM_NO_INLINE_POLICY_CHECK'],
        ],
        [
          `MultiRegion-Foundation-${region}/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler`,
          ['LAMBDA_INSIDE_VPC', 'LAMBDA_DLQ_CHECK', 'LAMBDA_CONCURRENCY_CHECK'],
        ],
      ]),
      [
        'MultiRegion-Database-us-east-1/Custom::DatabaseSecretHostCustomResourceProvider/Role',
        ['IAM_NO_INLINE_POLICY_CHECK'],
      ],
      [
        'MultiRegion-Database-us-east-1/Custom::DatabaseSecretHostCustomResourceProvider/Handler',
        ['LAMBDA_INSIDE_VPC', 'LAMBDA_DLQ_CHECK', 'LAMBDA_CONCURRENCY_CHECK'],
      ],
      [
        'MultiRegion-Database-us-east-1/AWS679f53fac002430cb0da5b7982bd2287/Resource',
        ['LAMBDA_DLQ_CHECK', 'LAMBDA_CONCURRENCY_CHECK', 'LAMBDA_INSIDE_VPC'],
      ],
      ...['us-east-1', 'us-west-2'].flatMap((region) => [
        [
          `MultiRegion-Service-${region}/Service/HealthFunction/Resource`,
          ['LAMBDA_CONCURRENCY_CHECK', 'LAMBDA_DLQ_CHECK'],
        ],
        [
          `MultiRegion-Service-${region}/Service/ItemsFunction/Resource`,
          ['LAMBDA_CONCURRENCY_CHECK', 'LAMBDA_DLQ_CHECK'],
        ],
        [
          `MultiRegion-Service-${region}/Readiness/Function/Resource`,
          ['LAMBDA_INSIDE_VPC', 'LAMBDA_DLQ_CHECK', 'LAMBDA_CONCURRENCY_CHECK'],
        ],
      ]),
    ]);
  });

  test('GIVEN every suppressed Guard rule THEN it has a reason of at least 8 words', () => {
    for (const { path, guard } of guarded) {
      for (const rule of guard!.SuppressedRules) {
        const reason = guard!.Reasons[rule] ?? '';
        expect([path, rule, reason.split(/\s+/).filter(Boolean).length >= 8]).toEqual([
          path,
          rule,
          true,
        ]);
      }
    }
  });

  test('GIVEN the health function THEN Guard gets the reason cdk-nag gets for the missing DLQ', () => {
    const path = 'MultiRegion-Service-us-east-1/Service/HealthFunction/Resource';
    const nagReason = collectAcknowledgements(app).find(
      (a) => a.path === path && a.id === 'NIST.800.53.R5-LambdaDLQ',
    )?.reason;
    expect(guarded.find((g) => g.path === path)?.guard?.Reasons).toEqual({
      LAMBDA_CONCURRENCY_CHECK:
        'Reserved concurrency is opt-in (reservedConcurrency): Lambda keeps 100 executions of the regional quota unreserved, so a reservation of N needs a quota of at least 100 + N; without one the function shares the unreserved pool, and the API stage throttle (100 requests per second, burst 200) bounds its invocations.',
      LAMBDA_DLQ_CHECK:
        'API Gateway invokes the health function synchronously; a dead-letter queue only receives failed asynchronous invocations, and a failed health answer is itself the signal.',
    });
    expect(nagReason).toBe(
      'API Gateway invokes the health function synchronously; a dead-letter queue only receives failed asynchronous invocations, and a failed health answer is itself the signal.',
    );
  });
});
