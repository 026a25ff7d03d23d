import { deployedApp } from '../deployed-app';
import { canaryLeftoverText } from '../../runbooks/drill/steps';
import { canaryLeftoverLines } from './canary-leftover';
import { SimulatedWorld } from './fake-aws';
import { PRIMARY } from './harness';

const DRILL = 'switchover-20250301T100000Z-us-west-2';

describe("what a stopped or abandoned drill says about the canaries' rows and items", () => {
  const world = new SimulatedWorld(deployedApp());
  const writer = world.topology.regions.find((r) => r.region === PRIMARY)!;

  test('GIVEN neither canary sent a write THEN nothing is said to be left', () => {
    expect(
      canaryLeftoverText(writer, world.topology.databaseName, DRILL, {
        canarySamples: [],
        clientEntries: [
          {
            type: 'dns',
            at: 0,
            path: 'write',
            name: 'write.example.com',
            addresses: [],
            ttlSeconds: 0,
          },
        ],
      }),
    ).toBeUndefined();
  });

  test.each([
    ['the Data API canary', { canarySamples: [{}], clientEntries: [] }],
    [
      'the client canary',
      {
        canarySamples: [],
        clientEntries: [
          {
            type: 'request' as const,
            seq: 1,
            at: 0,
            path: 'write' as const,
            name: 'write.example.com',
            itemId: `drill-${DRILL}-1`,
            latencyMs: 0,
            ok: false,
          },
        ],
      },
    ],
  ])(
    'GIVEN %s sent a write THEN the text names what is left and the three deletes on the writer',
    (_what, written) => {
      expect(canaryLeftoverText(writer, world.topology.databaseName, DRILL, written)).toBe(
        canaryLeftoverLines(world.topology, DRILL, PRIMARY).join('\n'),
      );
    },
  );
});
