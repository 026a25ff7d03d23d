// `--engine arc` with two secondaries: a plan per secondary, each with the primary.
import { PRIMARY, SECONDARY, useFakeAws } from './harness';

const three = useFakeAws([PRIMARY, SECONDARY, 'us-east-2']);

describe('a pair no plan holds', () => {
  test('GIVEN three regions WHEN the writer is in us-west-2 and the move is to us-east-2 THEN no plan holds both: it says which plans there are and the way out', async () => {
    three.world.writer = SECONDARY;

    const result = await three.run(['switchover', '--to', 'us-east-2', '--engine', 'arc']);

    expect(result.code).toBe(2);
    const stack = three.world.topology.regionSwitch!.stack;
    expect(result.stderr).toBe(
      'error [USAGE]: no ARC Region switch plan moves the writer from us-west-2 to us-east-2: each plan holds the primary and one secondary ' +
        `(us-east-1 <-> us-west-2, us-east-1 <-> us-east-2, in DrillRegionSwitch of stack ${stack})\n` +
        '  next: Move the writer back to us-east-1 first (`npx drill failback`), or run this drill with --engine native\n',
    );
  });
});
