// The items and health functions' rds-db:connect, as the whole app synthesizes it: the items
// function may connect as the items user to each member cluster of the global database (the
// writer moves between them), and to nothing else; the health function to its own cluster.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HEALTH_DB_USER } from '../../constructs/handlers/health-contract';
import { ITEMS_DB_USER } from '../../constructs/handlers/items-contract';
import { buildMultiRegionApp, MultiRegionStacks } from '../../lib/multi-region-app';
import { loadTopology } from '../../lib/topology';
import { testApp } from '../util';

function build(overrides: Record<string, unknown> = {}): { app: App; stacks: MultiRegionStacks } {
  const app = testApp(overrides);
  const topology = loadTopology((key) => app.node.tryGetContext(key));
  return { app, stacks: buildMultiRegionApp(app, topology) };
}

type Json = Record<string, unknown>;

/** The resources of the connect statement `sid` in the managed policy of `role` (logical id prefix). */
function connectResources(service: Stack, role: string, sid: string): Json[] {
  const template = Template.fromStack(service);
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter((p) =>
    (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(role)),
  );
  expect(policies).toHaveLength(1);
  const statements = policies[0].Properties.PolicyDocument.Statement as {
    Sid: string;
    Action: string;
    Resource: Json | Json[];
  }[];
  const connect = statements.filter((s) => s.Action === 'rds-db:connect');
  expect(connect.map((s) => s.Sid)).toEqual([sid]);
  return [connect[0].Resource].flat();
}

/**
 * What a dbuser ARN names once deployed: region, user, and the database stack output the
 * cluster resource id comes from (through Fn::ImportValue or Fn::GetStackOutput).
 */
function dbUserOf(app: App, consumer: Stack, arn: Json) {
  const [, [prefix, id, suffix]] = arn['Fn::Join'] as [string, [string, Json, string]];
  const match = /^arn:aws:rds-db:([a-z0-9-]+):123456789012:dbuser:$/.exec(prefix);
  expect(match).not.toBeNull();
  const region = match![1];
  let producer: Stack;
  let outputValue: unknown;
  if ('Fn::ImportValue' in id) {
    const name = id['Fn::ImportValue'];
    producer = stackIn(app, region, 'Database');
    expect(producer.region).toBe(consumer.region);
    const outputs = Template.fromStack(producer).toJSON().Outputs as Record<string, Json>;
    outputValue = Object.values(outputs).find(
      (o) => (o.Export as { Name: string } | undefined)?.Name === name,
    )?.Value;
  } else {
    const ref = id['Fn::GetStackOutput'] as {
      StackName: string;
      Region: string;
      OutputName: string;
    };
    producer = app.node.findChild(ref.StackName) as Stack;
    expect(ref.Region).toBe(producer.region);
    outputValue = (Template.fromStack(producer).toJSON().Outputs as Record<string, Json>)[
      ref.OutputName
    ]?.Value;
  }
  const clusters = Object.keys(Template.fromStack(producer).findResources('AWS::RDS::DBCluster'));
  expect(clusters).toHaveLength(1);
  return {
    region,
    user: suffix.replace(/^\//, ''),
    producer: producer.stackName,
    // The output must carry that stack's cluster resource id.
    isClusterResourceId:
      JSON.stringify(outputValue) ===
      JSON.stringify({ 'Fn::GetAtt': [clusters[0], 'DBClusterResourceId'] }),
    weak: 'Fn::GetStackOutput' in id,
  };
}

function stackIn(app: App, region: string, kind: string): Stack {
  return app.node.findChild(`MultiRegion-${kind}-${region}`) as Stack;
}

describe.each([
  ['two regions', {}, ['us-east-1', 'us-west-2']],
  [
    'three regions',
    { 'topology.secondaryRegions': 'us-west-2,us-east-2' },
    ['us-east-1', 'us-west-2', 'us-east-2'],
  ],
])('rds-db:connect of the service functions, %s', (_name, context, regions) => {
  const { app, stacks } = build(context);

  test.each(regions)(
    "GIVEN the service of %s THEN the items role may connect as the items user to exactly each member cluster's resource id, this region's strong, the others weak",
    (region) => {
      const service = stacks.regions.find((r) => r.region === region)!.service;

      const users = connectResources(service, 'ServiceItemsFunctionRole', 'ConnectAsItemsUser').map(
        (arn) => dbUserOf(app, service, arn),
      );

      expect(users.sort((a, b) => a.region.localeCompare(b.region))).toEqual(
        [...regions].sort().map((r) => ({
          region: r,
          user: ITEMS_DB_USER,
          producer: `MultiRegion-Database-${r}`,
          isClusterResourceId: true,
          weak: r !== region,
        })),
      );
    },
  );

  test.each(regions)(
    "GIVEN the service of %s THEN the health role may connect as its user to its own region's cluster only",
    (region) => {
      const service = stacks.regions.find((r) => r.region === region)!.service;

      const users = connectResources(
        service,
        'ServiceHealthFunctionRole',
        'ConnectAsHealthUser',
      ).map((arn) => dbUserOf(app, service, arn));

      expect(users).toEqual([
        {
          region,
          user: HEALTH_DB_USER,
          producer: `MultiRegion-Database-${region}`,
          isClusterResourceId: true,
          weak: false,
        },
      ]);
    },
  );

  test('GIVEN the app THEN no rds-db resource in any service stack has a wildcard', () => {
    for (const { service } of stacks.regions) {
      const text = JSON.stringify(Template.fromStack(service).toJSON());
      expect(text.match(/arn:aws:rds-db:[^"]*/g)?.filter((a) => a.includes('*')) ?? []).toEqual([]);
    }
  });
});
