/**
 * The AWS SDK for JavaScript v3 warns in 9 lines on Node.js < 22 (NodeVersionSupportWarning:
 * releases after the first week of January 2027 require Node.js 22), and
 * `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true` is its documented off switch
 * (aws/aws-sdk-js-v3 issue 7983). The SDK reads it when a client is created.
 */
export const SDK_NODE_WARNING_VARIABLE = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/** The first Node.js major that SDK releases after the first week of January 2027 support. */
export const SDK_MIN_NODE_MAJOR = 22;

/**
 * Turns the SDK's warning off in `env` and returns the one line the CLI prints instead, or
 * nothing on Node.js 22+ or when the operator had turned the warning off already.
 */
export function nodeSupportNote(version: string, env: NodeJS.ProcessEnv): string | undefined {
  const silencedByOperator = env[SDK_NODE_WARNING_VARIABLE] === 'true';
  env[SDK_NODE_WARNING_VARIABLE] = 'true';
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (silencedByOperator || !(major < SDK_MIN_NODE_MAJOR)) return undefined;
  return (
    `note: Node.js ${version} is past its end of life (April 2026) and AWS SDK releases after ` +
    `the first week of January 2027 need Node.js ${SDK_MIN_NODE_MAJOR}+: use Node.js 22, 24 or 26`
  );
}
