import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildMultiRegionApp, MultiRegionStacks } from '../../lib/multi-region-app';
import { loadTopology } from '../../lib/topology';
import { testApp } from '../util';

function build(overrides: Record<string, unknown> = {}): { app: App; stacks: MultiRegionStacks } {
  const app = testApp(overrides);
  const topology = loadTopology((key) => app.node.tryGetContext(key));
  return { app, stacks: buildMultiRegionApp(app, topology) };
}

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every statement of one drill role's managed policies (by logical id prefix), in the routing stack. */
function roleStatements(routing: Stack, logicalIdPrefix: string): Statement[] {
  const template = Template.fromStack(routing);
  const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) =>
    id.startsWith(logicalIdPrefix),
  );
  expect(roles).toHaveLength(1);
  const [role] = roles;
  const policies = template.findResources('AWS::IAM::ManagedPolicy');
  return (role[1].Properties.ManagedPolicyArns as { Ref: string }[]).flatMap(
    ({ Ref }) => policies[Ref].Properties.PolicyDocument.Statement,
  );
}

/** One invoke resource: its region, the reference to the API id, and the route after it. */
interface InvokeResource {
  region: string;
  apiId: unknown;
  route: string;
}

/** Every statement of the drill operator role's managed policies, in the routing stack. */
function operatorStatements(routing: Stack): Statement[] {
  return roleStatements(routing, 'DrillOperatorRole');
}

function invokeResources(routing: Stack): InvokeResource[] {
  return operatorStatements(routing)
    .filter((s) => [s.Action].flat().includes('execute-api:Invoke'))
    .flatMap((s) => [s.Resource].flat())
    .map((r) => {
      const [, parts] = (r as { 'Fn::Join': [string, [string, unknown, string]] })['Fn::Join'];
      const region = /^arn:aws:execute-api:([a-z0-9-]+):123456789012:$/.exec(parts[0])?.[1];
      return {
        region: region ?? `unexpected prefix ${parts[0]}`,
        apiId: parts[1],
        route: parts[2],
      };
    });
}

/** The logical id of the one HTTP API in a service stack, and its IAM-authorized route keys. */
function serviceApi(service: Stack): { logicalId: string; iamRoutes: string[] } {
  const template = Template.fromStack(service);
  const apis = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'));
  expect(apis).toHaveLength(1);
  const iamRoutes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
    .filter((r) => r.Properties.AuthorizationType === 'AWS_IAM')
    .map((r) => r.Properties.RouteKey as string)
    .sort();
  return { logicalId: apis[0], iamRoutes };
}

/** What a weak (GetStackOutput) or strong (ImportValue) reference in the routing stack reads. */
function referencedValue(stacks: MultiRegionStacks, region: string, apiId: unknown): unknown {
  const service = stacks.regions.find((r) => r.region === region)!.service;
  const outputs = Template.fromStack(service).toJSON().Outputs as Record<
    string,
    { Value: unknown; Export?: { Name: string } }
  >;
  const weak = (
    apiId as { 'Fn::GetStackOutput'?: { StackName: string; Region: string; OutputName: string } }
  )['Fn::GetStackOutput'];
  if (weak) {
    expect({ stack: weak.StackName, region: weak.Region }).toEqual({
      stack: service.stackName,
      region,
    });
    return outputs[weak.OutputName]?.Value;
  }
  const exportName = (apiId as { 'Fn::ImportValue': string })['Fn::ImportValue'];
  return Object.values(outputs).find((o) => o.Export?.Name === exportName)?.Value;
}

describe("the drill operator role and the client canary's items routes, in the synthesized app", () => {
  test.each([[['us-east-1', 'us-west-2']], [['us-east-1', 'us-west-2', 'us-east-2']]])(
    "GIVEN regions %j THEN the role may invoke each region's IAM-authorized items routes, for the canary's items only, in that region's own API",
    (regions) => {
      const { stacks } = build({
        'topology.primaryRegion': regions[0],
        'topology.secondaryRegions': regions.slice(1).join(','),
      });
      const resources = invokeResources(stacks.routing);

      expect(resources.map((r) => r.region).sort()).toEqual(regions.flatMap((r) => [r, r]).sort());
      for (const region of regions) {
        const service = stacks.regions.find((r) => r.region === region)!.service;
        const { logicalId, iamRoutes } = serviceApi(service);
        expect(iamRoutes).toEqual(['GET /items/{id}', 'PUT /items/{id}']);
        const mine = resources.filter((r) => r.region === region);
        // The route keys' methods, on the canary's item ids only, through any stage.
        expect(mine.map((r) => r.route).sort()).toEqual([
          '/*/GET/items/drill-*-*',
          '/*/PUT/items/drill-*-*',
        ]);
        for (const r of mine) {
          // The id is the region's own API: strong in the routing stack's region, weak elsewhere.
          expect(referencedValue(stacks, region, r.apiId)).toEqual({ Ref: logicalId });
          expect(Object.keys(r.apiId as object)).toEqual([
            region === stacks.routing.region ? 'Fn::ImportValue' : 'Fn::GetStackOutput',
          ]);
        }
      }
    },
  );

  test.each([
    ['operator', 'DrillOperatorRole'],
    ['failover', 'DrillOperatorFailoverRole'],
  ])('THEN no other statement of the %s role grants execute-api', (_name, logicalIdPrefix) => {
    const { stacks } = build();
    const invoking = roleStatements(stacks.routing, logicalIdPrefix).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('execute-api:')),
    );
    expect(invoking.map((s) => ({ sid: s.Sid, action: s.Action }))).toEqual([
      { sid: 'InvokeItemsRoutes', action: 'execute-api:Invoke' },
    ]);
  });
});
