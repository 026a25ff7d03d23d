import { ReferenceStrength, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * `value` (a resource attribute of another stack) as `consumer` should read it: within one
 * region strong (`Fn::ImportValue`, the app default in cdk.json, which protects the
 * producer), across regions weak (`Fn::GetStackOutput`), because a strong cross-region
 * reference needs Lambda-backed ExportWriter/ExportReader custom resources. A literal is
 * returned as it is.
 *
 * @see https://github.com/aws/aws-cdk/blob/main/packages/aws-cdk-lib/README.md#reference-strength
 */
export function referenceFrom(consumer: IConstruct, producerRegion: string, value: string): string {
  if (!Token.isUnresolved(value) || producerRegion === Stack.of(consumer).region) return value;
  return Stack.consumeReference(value, ReferenceStrength.WEAK);
}
