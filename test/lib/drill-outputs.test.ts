// The Drill* outputs as the deployment contract types them: the stacks write them through
// addDrillOutput, the drill parses them into the same types. `npm run typecheck` (tsc) fails
// when a stack writes, or discovery reads, a field the contract does not name.
import { Template } from 'aws-cdk-lib/assertions';
import {
  DRILL_OUTPUT_DESCRIPTIONS,
  DRILL_OUTPUT_KEYS,
  type DrillServiceOutput,
} from '../../constructs/contract';
import { addDrillOutput } from '../../lib/drill-outputs';
import { topologyFromOutputs } from '../../runbooks/drill/discovery';
import { deployedApp } from '../deployed-app';
import { testStack } from '../util';

const SERVICE: DrillServiceOutput = {
  region: 'us-east-1',
  drainParameterName: '/multi-region-ref/drain',
  regionalHostname: 'us-east-1.app.example.com',
  appHostname: 'app.example.com',
  writeHostname: 'write.example.com',
  appTarget: 'd-app.execute-api.us-east-1.amazonaws.com',
  writeTarget: 'd-write.execute-api.us-east-1.amazonaws.com',
};

describe('addDrillOutput', () => {
  test('GIVEN a value of the contract type THEN the output is named by its key, described by the contract and holds the JSON', () => {
    const stack = testStack();
    addDrillOutput(stack, DRILL_OUTPUT_KEYS.service, SERVICE);
    Template.fromStack(stack).hasOutput('DrillService', {
      Description: DRILL_OUTPUT_DESCRIPTIONS.DrillService,
      Value: JSON.stringify(SERVICE),
    });
  });

  test('GIVEN a field the contract does not name, or one missing THEN the stack does not compile', () => {
    const renamed = testStack();
    // @ts-expect-error a renamed field: the contract calls it drainParameterName
    addDrillOutput(renamed, 'DrillService', { ...SERVICE, drainParameter: 'x' });
    const withoutTarget = Object.fromEntries(
      Object.entries(SERVICE).filter(([field]) => field !== 'appTarget'),
    ) as Omit<DrillServiceOutput, 'appTarget'>;
    const missing = testStack();
    // @ts-expect-error a field the contract requires is missing
    addDrillOutput(missing, 'DrillService', withoutTarget);
    // Both still synthesize (JSON holds anything): only the compiler guards the shape.
    for (const stack of [renamed, missing]) {
      expect(Object.keys(Template.fromStack(stack).findOutputs('*'))).toEqual(['DrillService']);
    }
  });
});

describe('the synthesized outputs parse into the contract types', () => {
  test.each([
    ['the default app', ['us-east-1', 'us-west-2']],
    ['a three-region app', ['us-east-1', 'us-west-2', 'us-east-2']],
  ])(
    'GIVEN %s THEN every Drill* output key is in the outputs and discovery reads every region',
    (_n, regions) => {
      const outputs = deployedApp(regions).outputsFile();
      const keys = new Set(Object.values(outputs).flatMap((o) => Object.keys(o)));
      for (const key of Object.values(DRILL_OUTPUT_KEYS)) expect(keys).toContain(key);
      const topology = topologyFromOutputs(outputs, 'cdk-outputs.json');
      expect(topology.regions.map((r) => r.region)).toEqual(regions);
      expect(topology.ttlSeconds).toBe(60);
    },
  );
});
