import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  DRILL_OUTPUT_DESCRIPTIONS,
  drillOutputParameterName,
  MIRRORED_DRILL_OUTPUT_KEYS,
  type DrillOutputKey,
  type DrillOutputs,
} from '../constructs/contract';

/**
 * Writes one `Drill*` output as the deployment contract types it: the value must have the
 * contract's fields, so renaming one is a compile error here and in the drill's discovery.
 * The output's construct id is its key (`cdk deploy --outputs-file` lists it by that name).
 * The outputs the readiness function reads are mirrored, same JSON, in an SSM parameter.
 */
export function addDrillOutput<K extends DrillOutputKey>(
  stack: Stack,
  key: K,
  value: DrillOutputs[K],
): CfnOutput {
  const json = stack.toJsonString(value);
  if (MIRRORED_DRILL_OUTPUT_KEYS.includes(key)) {
    new ssm.StringParameter(stack, `${key}Parameter`, {
      parameterName: drillOutputParameterName(stack.stackName, key),
      stringValue: json,
      description: `${DRILL_OUTPUT_DESCRIPTIONS[key]}, for the readiness function`,
    });
  }
  return new CfnOutput(stack, key, { description: DRILL_OUTPUT_DESCRIPTIONS[key], value: json });
}
