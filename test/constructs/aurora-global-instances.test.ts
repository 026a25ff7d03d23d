import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as rds from 'aws-cdk-lib/aws-rds';
import {
  AuroraGlobalPrimary,
  AuroraGlobalSecondary,
  RegionalDataKey,
  RegionalNetwork,
} from '../../constructs';
import { testStack } from '../util';

const ENGINE = rds.AuroraPostgresEngineVersion.of('16.6', '16');

function member(kind: 'primary' | 'secondary', readers: number): Stack {
  const stack = testStack(kind === 'primary' ? 'us-east-1' : 'us-west-2');
  const dataKey = new RegionalDataKey(stack, 'DataKey');
  const network = new RegionalNetwork(stack, 'Network', { encryptionKey: dataKey.key });
  const props = {
    vpc: network.vpc,
    encryptionKey: dataKey.key,
    globalClusterIdentifier: 'orders-global',
    engineVersion: ENGINE,
    rpo: Duration.seconds(30),
    readers,
  };
  if (kind === 'primary') new AuroraGlobalPrimary(stack, 'Db', props);
  else new AuroraGlobalSecondary(stack, 'Db', props);
  return stack;
}

// Aurora deletes a protected cluster's instances; a stack deletion must not take the writer.
describe('instances survive a stack deletion', () => {
  test.each<['primary' | 'secondary', number, number]>([
    ['primary', 2, 3],
    ['secondary', 2, 2],
  ])(
    'GIVEN a %s with %d readers WHEN synthesized THEN each of its %d instances is retained on delete and on replacement',
    (kind, readers, count) => {
      const instances = Object.values(
        Template.fromStack(member(kind, readers)).findResources('AWS::RDS::DBInstance'),
      );
      expect(instances).toHaveLength(count);
      for (const instance of instances) {
        expect([instance.DeletionPolicy, instance.UpdateReplacePolicy]).toEqual([
          'RetainExceptOnCreate',
          'Retain',
        ]);
      }
    },
  );
});
