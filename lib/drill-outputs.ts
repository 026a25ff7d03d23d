import { CfnOutput, Stack } from 'aws-cdk-lib';
import {
  DRILL_OUTPUT_DESCRIPTIONS,
  type DrillOutputKey,
  type DrillOutputs,
} from '../constructs/contract';

/**
 * Writes one `Drill*` output as the deployment contract types it: the value must have the
 * contract's fields, so renaming one is a compile error here and in the drill's discovery.
 * The output's construct id is its key (`cdk deploy --outputs-file` lists it by that name).
 */
export function addDrillOutput<K extends DrillOutputKey>(
  stack: Stack,
  key: K,
  value: DrillOutputs[K],
): CfnOutput {
  return new CfnOutput(stack, key, {
    description: DRILL_OUTPUT_DESCRIPTIONS[key],
    value: stack.toJsonString(value),
  });
}
