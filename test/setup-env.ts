// Unit tests synthesize many small apps; skip aws-cdk-lib's built-in template
// validator here (the full validated synth runs in .ci/run).
process.env.CDK_VALIDATION = 'false';
