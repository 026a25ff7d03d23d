#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { InvalidPropsError } from '../constructs';
import { registerNagPacks } from '../lib/compliance';
import { buildMultiRegionApp } from '../lib/multi-region-app';
import { TopologyError, loadTopology } from '../lib/topology';

const app = new App();
try {
  const topology = loadTopology((key) => app.node.tryGetContext(key), {
    defaultAccount: process.env.CDK_DEFAULT_ACCOUNT,
    // cdk.json's context and every -c key: a mistyped topology key is an error, not ignored.
    contextKeys: Object.keys(app.node.getAllContext()),
  });
  const stacks = buildMultiRegionApp(app, topology);
  registerNagPacks(app, topology, stacks);
  app.synth();
} catch (e) {
  // Configuration mistakes get their message, not a stack trace; anything else is a bug.
  if (e instanceof TopologyError || e instanceof InvalidPropsError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
