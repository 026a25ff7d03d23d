import { Stack, Validations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { acknowledgementProblems, collectAcknowledgements } from '../../constructs';
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
