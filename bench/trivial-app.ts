// The baseline for bench/synth.ts: the smallest app the same toolchain can synthesize.
import { App, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';

const app = new App();
const stack = new Stack(app, 'Trivial', { env: { account: '123456789012', region: 'us-east-1' } });
new sns.Topic(stack, 'Topic');
app.synth();
