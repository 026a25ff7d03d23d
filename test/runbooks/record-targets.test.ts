import type { RecordView } from '../../runbooks/drill/aws/adapters';
import { recordTargetMismatches } from '../../runbooks/drill/record-targets';
import { faults, type SimulatedWorld } from './fake-aws';
import { PRIMARY, SECONDARY, useFakeAws } from './harness';

/** The index of the deployed record of `name` that routes to `region`. */
function recordIndex(world: SimulatedWorld, name: string, region: string): number {
  const i = world.records.findIndex(
    (r) =>
      r.name === `${name}.` &&
      (r.region === region || r.setIdentifier?.startsWith(`${region}-`) === true),
  );
  expect(i).toBeGreaterThanOrEqual(0);
  return i;
}

/** Points one deployed record at other values, as a stale weak reference would leave it. */
function retarget(world: SimulatedWorld, name: string, region: string, ...values: string[]): void {
  const i = recordIndex(world, name, region);
  world.records[i] = { ...world.records[i], values };
}

/** The deployed records as the drill's Route 53 adapter reads them. */
function recordViews(world: SimulatedWorld): RecordView[] {
  return world.recordSets('').map((r) => ({
    name: r.Name,
    type: r.Type,
    setIdentifier: r.SetIdentifier,
    region: r.Region,
    healthCheckId: r.HealthCheckId,
    alias: false,
    values: r.ResourceRecords.map((v) => v.Value),
  }));
}

/** The names the drill listed record sets for, in call order. */
function namesRead(world: SimulatedWorld): string[] {
  return world
    .callsOf('route53:ListResourceRecordSets')
    .map((c) => (c.input as { StartRecordName?: string }).StartRecordName ?? '');
}

const NEXT =
  '  next: deploy the routing stack again with --force (a weak cross-region reference is read only when its stack is updated), then rerun drill status';

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

  test('GIVEN a record answering its target and a second value THEN it is flagged with both values', async () => {
    const target = h.world.deployed(SECONDARY).writeTarget;
    retarget(h.world, 'write.example.com', SECONDARY, target, STALE);
    const result = await h.run(['status']);
    expect(result.stdout).toContain(
      [
        "routed record targets: 1 record(s) do not answer their region's current API target:",
        `  write.example.com us-west-2-secondary (us-west-2) answers ${target}, ${STALE}, but us-west-2's target is ${target}`,
        NEXT,
      ].join('\n'),
    );
  });

  test('GIVEN a record without values THEN status says it answers nothing', async () => {
    retarget(h.world, 'write.example.com', SECONDARY);
    const result = await h.run(['status']);
    expect(result.stdout).toContain(
      `  write.example.com us-west-2-secondary (us-west-2) answers nothing, but us-west-2's target is ${h.world.deployed(SECONDARY).writeTarget}`,
    );
  });

  test('GIVEN a latency record without a health check THEN its Region still names the region it is checked against', async () => {
    // Route 53 accepts latency records without a health check (and treats them as healthy).
    const i = recordIndex(h.world, 'app.example.com', SECONDARY);
    h.world.records[i] = { ...h.world.records[i], healthCheckId: undefined, values: [STALE] };
    const result = await h.run(['status']);
    expect(result.stdout).toContain(
      [
        "routed record targets: 1 record(s) do not answer their region's current API target:",
        `  app.example.com us-west-2 (us-west-2) answers ${STALE}, but us-west-2's target is ${h.world.deployed(SECONDARY).appTarget}`,
      ].join('\n'),
    );
  });

  test('GIVEN the read name as a failover pair over the serving checks (a routing stack from before the latency records) THEN its records are checked by their health check', async () => {
    for (const [region, role] of [
      [PRIMARY, 'PRIMARY'],
      [SECONDARY, 'SECONDARY'],
    ] as const) {
      const i = recordIndex(h.world, 'app.example.com', region);
      expect(h.world.records[i].healthCheckId).toBe(h.world.deployed(region).healthChecks.serving);
      h.world.records[i] = {
        ...h.world.records[i],
        setIdentifier: `${region}-${role.toLowerCase()}`,
        region: undefined,
        failover: role,
      };
    }
    retarget(h.world, 'app.example.com', SECONDARY, STALE);
    const result = await h.run(['status']);
    expect(result.stdout).toContain(
      [
        "routed record targets: 1 record(s) do not answer their region's current API target:",
        `  app.example.com us-west-2-secondary (us-west-2) answers ${STALE}, but us-west-2's target is ${h.world.deployed(SECONDARY).appTarget}`,
      ].join('\n'),
    );
  });

  test('GIVEN an alias record THEN it is not compared (it answers its alias target, it has no values)', () => {
    const records = recordViews(h.world).map((r) =>
      r.name === 'app.example.com.' && r.region === SECONDARY
        ? { ...r, alias: true, values: [] }
        : r,
    );
    expect(records.filter((r) => r.alias)).toHaveLength(1);
    expect(recordTargetMismatches(records, h.world.topology)).toEqual([]);
  });

  test('GIVEN the synthesized deployment THEN status lists only the app and write names (every value is a region target)', async () => {
    await h.run(['status']);
    expect(namesRead(h.world).sort()).toEqual(['app.example.com', 'write.example.com']);
  });

  test('GIVEN a routed record naming a name already read THEN that name is not read again and no record is reported twice', async () => {
    retarget(h.world, 'write.example.com', SECONDARY, 'app.example.com');
    retarget(h.world, 'app.example.com', SECONDARY, STALE);
    const result = await h.run(['status']);
    expect(namesRead(h.world).filter((n) => n === 'app.example.com')).toHaveLength(1);
    expect(result.stdout).toContain(
      [
        "routed record targets: 2 record(s) do not answer their region's current API target:",
        `  app.example.com us-west-2 (us-west-2) answers ${STALE}, but us-west-2's target is ${h.world.deployed(SECONDARY).appTarget}`,
        `  write.example.com us-west-2-secondary (us-west-2) answers app.example.com, but us-west-2's target is ${h.world.deployed(SECONDARY).writeTarget}`,
        NEXT,
      ].join('\n'),
    );
  });

  test('GIVEN a record answers a stale API target outside the zone THEN that name is not looked up in the zone', async () => {
    retarget(h.world, 'write.example.com', SECONDARY, STALE);
    await h.run(['status']);
    expect(namesRead(h.world).sort()).toEqual(['app.example.com', 'write.example.com']);
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

  test('GIVEN the synthesized deployment THEN status lists the standby set too, and nothing else', async () => {
    await three.run(['status']);
    expect(namesRead(three.world).sort()).toEqual([
      'app.example.com',
      'standby.write.example.com',
      'write.example.com',
    ]);
  });

  /** Fails every record listing after the first two (the app and write names status reads). */
  function failChainRead(error: () => Error): void {
    three.world.afterServed('route53:ListResourceRecordSets', (w) =>
      w.afterServed('route53:ListResourceRecordSets', (w2) =>
        w2.fail('route53:ListResourceRecordSets', error(), { times: 100 }),
      ),
    );
  }

  test('GIVEN the standby set cannot be read THEN status says the targets were not read', async () => {
    failChainRead(faults.throttling);
    const result = await three.run(['status']);
    expect(result.code).toBe(0);
    expect(namesRead(three.world)).toContain('standby.write.example.com');
    expect(result.stdout).toContain(
      'routed record targets: not read (route53 ListResourceRecordSets in us-east-1 throttled (after 5 attempts): Throttling: Rate exceeded)',
    );
  });

  test('GIVEN the credentials expire before the standby set is read THEN status stops with NO_CREDENTIALS', async () => {
    failChainRead(faults.noCredentials);
    const result = await three.run(['status']);
    expect(result.code).toBe(10);
    expect(result.stderr).toContain(
      'error [NO_CREDENTIALS]: no usable AWS credentials for route53 ListResourceRecordSets in us-east-1: CredentialsProviderError: Could not load credentials from any providers',
    );
  });

  test('GIVEN the synthesized deployment THEN the SECONDARY that names the standby set is not a mismatch', () => {
    const records = recordViews(three.world);
    expect(records.some((r) => r.values.includes('standby.write.example.com'))).toBe(true);
    expect(recordTargetMismatches(records, three.world.topology)).toEqual([]);
  });
});

describe('drill status: routed record targets with a headless secondary', () => {
  const headless = useFakeAws([PRIMARY, SECONDARY], {
    'topology.readersByRegion': JSON.stringify({ [SECONDARY]: 0 }),
  });

  test('GIVEN a failover record without a health check THEN it is not taken for the headless region (which has no serving check)', async () => {
    expect(headless.world.deployed(SECONDARY).healthChecks.serving).toBeUndefined();
    const i = recordIndex(headless.world, 'write.example.com', PRIMARY);
    headless.world.records[i] = { ...headless.world.records[i], healthCheckId: undefined };
    const result = await headless.run(['status', '--json']);
    const json = JSON.parse(result.stdout) as { recordTargetMismatches: unknown };
    expect(json.recordTargetMismatches).toEqual({ ok: true, value: [] });
  });
});
