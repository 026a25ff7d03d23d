import { CfnResource, Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { IConstruct } from 'constructs';

// Small helpers that read resolved CloudFormation facts off the construct tree.
// Rules stay pure functions of one resource; these let them look at neighbours.

/** The resolved value as JSON text, for reference searches. */
export function resolvedJson(node: CfnResource, value: unknown): string {
  return JSON.stringify(Stack.of(node).resolve(value) ?? null);
}

/** The logical id of a resource in its stack. */
export function logicalIdOf(node: CfnResource): string {
  return Stack.of(node).resolve(node.logicalId) as string;
}

/** True when `text` (resolved JSON) refers to the resource with this logical id. */
export function refersTo(text: string, logicalId: string): boolean {
  return new RegExp(`"${logicalId}"`).test(text);
}

/** Every resource of one L1 class in the whole app. */
export function allInApp<T extends CfnResource>(
  scope: IConstruct,
  type: new (...args: never[]) => T,
): T[] {
  return scope.node.root.node.findAll().filter((c): c is T => c instanceof type);
}

/** Every resource of one L1 class in the node's stack. */
export function allInStack<T extends CfnResource>(
  node: CfnResource,
  type: new (...args: never[]) => T,
): T[] {
  const stack = Stack.of(node);
  return stack.node.findAll().filter((c): c is T => c instanceof type && Stack.of(c) === stack);
}

/** The global cluster a DB cluster belongs to (as joined secondary or as source), if any. */
export function globalClusterOf(cluster: rds.CfnDBCluster): string | undefined {
  const joined = Stack.of(cluster).resolve(cluster.globalClusterIdentifier);
  if (typeof joined === 'string') return joined;
  const id = logicalIdOf(cluster);
  const source = allInStack(cluster, rds.CfnGlobalCluster).find((g) =>
    refersTo(resolvedJson(g, g.sourceDbClusterIdentifier), id),
  );
  const name = source && Stack.of(source).resolve(source.globalClusterIdentifier);
  return typeof name === 'string' ? name : undefined;
}

/** Every DB cluster in the app that belongs to the named global cluster. */
export function membersOf(scope: IConstruct, globalClusterIdentifier: string): rds.CfnDBCluster[] {
  return allInApp(scope, rds.CfnDBCluster).filter(
    (c) => globalClusterOf(c) === globalClusterIdentifier,
  );
}

/**
 * The region a key or ARN reference points at, when it can be told at synth:
 * a key in the same stack, a strong reference (`Fn::ImportValue` reads only
 * exports of the same account and region), a weak reference's Region, or a
 * literal ARN.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-importvalue.html
 */
export function regionOfReference(node: CfnResource, value: unknown): string | undefined {
  const stack = Stack.of(node);
  const resolved = stack.resolve(value);
  if (resolved === undefined || resolved === null) return undefined;
  const text = JSON.stringify(resolved);
  const getAtt = (resolved as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  const ref = (resolved as { Ref?: string }).Ref;
  const sameStackId = getAtt?.[0] ?? ref;
  if (
    sameStackId &&
    stack.node.findAll().some((c) => c instanceof CfnResource && logicalIdOf(c) === sameStackId)
  ) {
    return stack.region;
  }
  if ((resolved as { 'Fn::ImportValue'?: unknown })['Fn::ImportValue'] !== undefined) {
    return stack.region;
  }
  const weak = (resolved as { 'Fn::GetStackOutput'?: { Region?: string } })['Fn::GetStackOutput'];
  if (weak) return weak.Region ?? stack.region;
  const arn = /arn:[^:"]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d+):/.exec(text);
  return arn?.[1];
}
