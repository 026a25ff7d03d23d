import { recordTargetMismatches } from '../../runbooks/drill/record-targets';
import { faults, type FakeWorld } from './fake-aws';
import { PRIMARY, SECONDARY, useFakeAws } from './harness';

/** Points one deployed record at another target, as a stale weak reference would leave it. */
function retarget(world: FakeWorld, name: string, region: string, value: string): void {
  const i = world.records.findIndex(
    (r) =>
      r.name === `${name}.` &&
      (r.region === region || r.setIdentifier?.startsWith(`${region}-`) === true),
  );
  expect(i).toBeGreaterThanOrEqual(0);
  world.records[i] = { ...world.records[i], values: [value] };
}

const STALE = 'd-stale0000.execute-api.us-west-2.amazonaws.com';

describe('drill status: routed record targets', () => {
  const h = useFakeAws();

  test('GIVEN the synthesized deployment THEN every routed record answers its region target', async () => {
    const result = await h.run(['status']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "routed record targets: every record answers its region's current API target",
    );
  });

  test('GIVEN the write SECONDARY points at a stale target THEN status names the record, both targets and the next step', async () => {
    retarget(h.world, 'write.example.com', SECONDARY, STALE);
    const result = await h.run(['status']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      [
        "routed record targets: 1 record(s) do not answer their region's current API target:",
        `  write.example.com us-west-2-secondary (us-west-2) answers ${STALE}, but us-west-2's target is ${h.world.deployed(SECONDARY).writeTarget}`,
        '  next: deploy the routing stack again with --force (a weak cross-region reference is read only when its stack is updated), then rerun drill status',
      ].join('\n'),
    );
  });

  test("GIVEN a latency record points at its region's write target THEN it is flagged (the read name answers app targets)", async () => {
    retarget(h.world, 'app.example.com', PRIMARY, h.world.deployed(PRIMARY).writeTarget);
    const result = await h.run(['status', '--json']);
    const json = JSON.parse(result.stdout) as { recordTargetMismatches: unknown };
    expect(json.recordTargetMismatches).toEqual({
      ok: true,
      value: [
        {
          name: 'app.example.com',
          setIdentifier: PRIMARY,
          region: PRIMARY,
          expected: h.world.deployed(PRIMARY).appTarget,
          actual: [h.world.deployed(PRIMARY).writeTarget],
        },
      ],
    });
  });

  test('GIVEN Route 53 cannot be read THEN status says the targets were not read', async () => {
    h.world.fail('route53:ListResourceRecordSets', faults.throttling(), { times: 100 });
    const result = await h.run(['status']);
    expect(result.stdout).toMatch(/^routed record targets: not read \(.+\)$/m);
  });
});

describe('drill status: routed record targets with two secondaries', () => {
  const three = useFakeAws([PRIMARY, SECONDARY, 'us-east-2']);

  test('GIVEN a record of the write standby set points elsewhere THEN status follows the chain and flags it', async () => {
    retarget(three.world, 'standby.write.example.com', 'us-east-2', STALE);
    const result = await three.run(['status']);
    expect(result.stdout).toContain(
      `  standby.write.example.com us-east-2 (us-east-2) answers ${STALE}, but us-east-2's target is ${three.world.deployed('us-east-2').writeTarget}`,
    );
    expect(result.stdout).toContain('1 record(s) do not answer');
  });

  test('GIVEN the synthesized deployment THEN the SECONDARY that names the standby set is not a mismatch', () => {
    const records = three.world.recordSets('').map((r) => ({
      name: r.Name,
      type: r.Type,
      setIdentifier: r.SetIdentifier,
      region: r.Region,
      healthCheckId: r.HealthCheckId,
      alias: false,
      values: r.ResourceRecords.map((v) => v.Value),
    }));
    expect(records.some((r) => r.values.includes('standby.write.example.com'))).toBe(true);
    expect(recordTargetMismatches(records, three.world.topology)).toEqual([]);
  });
});
