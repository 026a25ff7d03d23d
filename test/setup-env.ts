// Unit tests synthesize many small apps; skip aws-cdk-lib's built-in template
// validator here (the full validated synth runs in .ci/run).
process.env.CDK_VALIDATION = 'false';
// The AWS SDK prints a 9-line NodeVersionSupportWarning once per test file on Node < 22; this
// variable is its documented off switch (aws/aws-sdk-js-v3 issue 7983). README states the
// supported Node versions instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
