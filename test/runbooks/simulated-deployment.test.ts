import { CfnOutput, Fn, ReferenceStrength, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { SimulatedDeployment } from '../../runbooks/simulation/deployment';
import { deployedApp } from '../deployed-app';
import { testApp } from '../util';

const ACCOUNT = '123456789012';

/** Synthesizes a small app into a temporary directory and simulates it. */
function simulate(build: (stack: (id: string, region: string) => Stack) => void) {
  const app = testApp();
  build((id, region) => new Stack(app, id, { env: { account: ACCOUNT, region } }));
  return SimulatedDeployment.fromAssembly(app.synth().directory);
}

describe('Fn::ImportValue (strong, same-region references)', () => {
  test('GIVEN a consumer importing a same-region value THEN it reads what the producer exports', () => {
    const deployment = simulate((stack) => {
      const producer = stack('Producer', 'us-east-1');
      const parameter = new ssm.StringParameter(producer, 'Param', {
        parameterName: '/example/name',
        stringValue: 'v',
      });
      const consumer = stack('Consumer', 'us-east-1');
      new CfnOutput(consumer, 'Imported', { value: parameter.parameterName });
    });
    expect(deployment.output('Consumer', 'Imported')).toBe('/example/name');
  });

  test('GIVEN a strong reference and a weak cross-region one THEN both resolve to the producer outputs', () => {
    const deployment = simulate((stack) => {
      const east = stack('East', 'us-east-1');
      const west = stack('West', 'us-west-2');
      const a = new sns.CfnTopic(east, 'A');
      const b = new sns.CfnTopic(west, 'B');
      new CfnOutput(east, 'Own', { value: a.attrTopicName });
      new CfnOutput(west, 'Own', { value: b.attrTopicName });
      const consumer = stack('Routing', 'us-east-1');
      new CfnOutput(consumer, 'Same', { value: a.attrTopicName });
      new CfnOutput(consumer, 'Other', {
        value: Stack.consumeReference(b.attrTopicName, ReferenceStrength.WEAK),
      });
    });
    expect(deployment.output('Routing', 'Same')).toBe(deployment.output('East', 'Own'));
    expect(deployment.output('Routing', 'Other')).toBe(deployment.output('West', 'Own'));
    expect(deployment.output('Routing', 'Same')).not.toBe(deployment.output('Routing', 'Other'));
  });

  test('GIVEN an import of a name no stack in the region exports THEN the error names it and the region', () => {
    const deployment = simulate((stack) => {
      const east = stack('East', 'us-east-1');
      new ssm.StringParameter(east, 'A', { parameterName: '/a', stringValue: 'v' });
      const west = stack('West', 'us-west-2');
      new CfnOutput(west, 'Missing', { value: Fn.importValue('East:NotExported') });
    });
    expect(() => deployment.output('West', 'Missing')).toThrow(
      'stack West: Fn::ImportValue of East:NotExported, which no stack in 123456789012/us-west-2 exports',
    );
  });

  test("GIVEN the synthesized app THEN the routing stack's records for its own region resolve through imports", () => {
    const deployment = deployedApp();
    const service = JSON.parse(deployment.output('MultiRegion-Service-us-east-1', 'DrillService'));
    const records = deployment
      .resources('AWS::Route53::RecordSet')
      .filter((r) => r.stack === 'MultiRegion-Routing' && r.properties.Region === 'us-east-1');
    expect(records.map((r) => r.properties.ResourceRecords)).toEqual([[service.appTarget]]);
  });
});
