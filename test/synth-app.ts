// Synthesizes the default topology for the given regions into a directory, as the CLI would
// with `-c topology.primaryRegion=... -c topology.secondaryRegions=...` (test/deployed-app.ts
// runs it in a child process so the drill's tests never load aws-cdk-lib).
import { App } from 'aws-cdk-lib';
import { buildMultiRegionApp } from '../lib/multi-region-app';
import { loadTopology } from '../lib/topology';
import { CDK_CONTEXT } from './util';

const [outdir, regionList, extraContext] = process.argv.slice(2);
const [primaryRegion, ...secondaryRegions] = regionList.split(',');
const app = new App({
  outdir,
  context: {
    ...CDK_CONTEXT,
    // No Lambda bundling: assets do not change what the drill reads.
    'aws:cdk:bundling-stacks': [],
    'topology.primaryRegion': primaryRegion,
    'topology.secondaryRegions': secondaryRegions.join(','),
    ...(extraContext ? (JSON.parse(extraContext) as Record<string, string>) : {}),
  },
});
buildMultiRegionApp(
  app,
  loadTopology((k) => app.node.tryGetContext(k), {}),
);
app.synth();
