// One timing policy behind the RTO floors: built with the topology and read by every stack, the
// nag pack, the drill's outputs and the README.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  DEFAULT_TIMING_POLICY,
  MultiRegionChecks,
  TimingPolicy,
  timingPolicy,
} from '../../constructs';
import { TIMING_DEFAULTS } from '../../constructs/contract';
import { readPathFloor, writePathFloor } from '../../constructs/recovery-objectives';
import { multiRegionPack } from '../../lib/compliance';
import { buildMultiRegionApp } from '../../lib/multi-region-app';
import { loadTopology, Topology } from '../../lib/topology';
import { nagFindings, testApp } from '../util';

function build(change: (t: Topology) => Topology = (t) => t) {
  const app = testApp();
  const topology = change(loadTopology((key) => app.node.tryGetContext(key)));
  return { app, topology, stacks: buildMultiRegionApp(app, topology) };
}

/** The JSON of a `Drill*` output, each token replaced by a placeholder string. */
function outputJson(stack: Stack, key: string): Record<string, unknown> {
  const value = Object.values(Template.fromStack(stack).findOutputs(key))[0].Value as unknown;
  if (typeof value === 'string') return JSON.parse(value);
  const parts = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(''));
}

describe('the default timing policy', () => {
  test('GIVEN the default topology THEN its timing policy is the default one', () => {
    const { topology } = build();
    expect(topology.timing).toEqual(DEFAULT_TIMING_POLICY);
    expect(DEFAULT_TIMING_POLICY.ttl.toSeconds()).toBe(TIMING_DEFAULTS.ttlSeconds);
    expect(DEFAULT_TIMING_POLICY.healthSignalCacheTtl.toMilliseconds()).toBe(5000);
  });

  test("GIVEN README's timing policy table THEN it lists every setting with the policy's default", () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf('| setting                | default     |');
    expect(start).toBeGreaterThan(0);
    const rows = readme
      .slice(start)
      .split('\n')
      .slice(2)
      .filter((_, i, all) => all.slice(0, i + 1).every((l) => l.startsWith('|')))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    const documented = Object.fromEntries(rows.map(([, name, value]) => [name, value]));
    const shown = (v: TimingPolicy[keyof TimingPolicy]) =>
      v instanceof Duration ? v.toHumanString() : typeof v === 'string' ? `\`${v}\`` : String(v);
    expect(documented).toEqual(
      Object.fromEntries(
        Object.entries(DEFAULT_TIMING_POLICY).map(([name, v]) => [`\`${name}\``, shown(v)]),
      ),
    );
  });
});

describe("README's RTO floors", () => {
  test('GIVEN the default policy THEN the floors README states are the computed ones', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const inputs = { ...DEFAULT_TIMING_POLICY, recordTtl: DEFAULT_TIMING_POLICY.ttl };
    const stated = (which: string) =>
      [
        ...readme.matchAll(new RegExp(`- \\*\\*${which} path\\*\\*[^]*?(?=\\n- |\\n\\n)`, 'g')),
      ].flatMap((m) => [...m[0].matchAll(/\*\*(\d+) s\*\*/g)].map((n) => Number(n[1])));
    expect(stated('read')).toEqual([readPathFloor(inputs).total.toSeconds()]);
    expect(stated('write')).toEqual([
      writePathFloor(inputs).total.toSeconds(),
      writePathFloor({ ...inputs, writeHops: 2 }).total.toSeconds(),
    ]);
  });
});

describe('a changed timing policy reaches every consumer', () => {
  const changed = timingPolicy({
    ttl: Duration.seconds(30),
    healthCheckInterval: Duration.seconds(30),
    failureThreshold: 2,
    healthSignalCacheTtl: Duration.seconds(2),
    promotionEstimate: Duration.seconds(90),
  });
  const { stacks } = build((t) => ({ ...t, timing: changed }));

  test("GIVEN the policy THEN every service's health function caches its signal as long as the policy says", () => {
    const caches = stacks.regions.map(({ service }) =>
      Object.values(Template.fromStack(service).findResources('AWS::Lambda::Function'))
        .map((f) => f.Properties?.Environment?.Variables?.CACHE_TTL_MS)
        .filter((v) => v !== undefined),
    );
    expect(caches).toEqual([['2000'], ['2000']]);
  });

  test('GIVEN the policy THEN the health checks and records use its interval, threshold and TTL', () => {
    const template = Template.fromStack(stacks.routing);
    // The HTTPS checks probe; the calculated write gates only combine them.
    const checks = Object.values(template.findResources('AWS::Route53::HealthCheck'))
      .map((c) => c.Properties.HealthCheckConfig)
      .filter((c) => c.Type === 'HTTPS');
    expect(checks.length).toBeGreaterThan(0);
    expect(new Set(checks.map((c) => `${c.RequestInterval}/${c.FailureThreshold}`))).toEqual(
      new Set(['30/2']),
    );
    const ttls = Object.values(template.findResources('AWS::Route53::RecordSet'))
      .filter((r) => r.Properties.HealthCheckId !== undefined)
      .map((r) => r.Properties.TTL);
    expect(ttls.length).toBeGreaterThan(0);
    expect(new Set(ttls)).toEqual(new Set(['30']));
  });

  test('GIVEN the policy THEN DrillRouting publishes its TTL and the floors computed from it', () => {
    const routing = outputJson(stacks.routing, 'DrillRouting');
    expect(routing).toMatchObject({
      ttlSeconds: 30,
      // 30 s x 2 + 2 s cache + 30 s TTL
      readRtoFloorSeconds: 92,
      // 90 s promotion + 30 s x 2 + 2 s cache + 30 s TTL
      writeRtoFloorSeconds: 182,
      rtoFloorSeconds: 182,
    });
    expect(stacks.routing.routing.timing).toEqual(changed);
  });
});

describe('the nag pack recomputes the floors with the same policy', () => {
  // Write floor with a 1 s cache: 120 + 30 + 1 + 60 = 211 s; with the default 5 s: 215 s.
  const { app, topology, stacks } = build((t) => ({
    ...t,
    rto: Duration.seconds(213),
    timing: timingPolicy({ healthSignalCacheTtl: Duration.seconds(1) }),
  }));
  const rtoFindings = (pack: MultiRegionChecks) =>
    nagFindings(pack, app).filter((f) => f.startsWith('MultiRegion-RtoFloorWithinObjective'));

  test("GIVEN a 1 s signal cache and a 213 s objective THEN the app's pack finds every floor within it", () => {
    expect(rtoFindings(multiRegionPack(undefined, topology, stacks))).toEqual([]);
  });

  test('GIVEN the same app THEN a pack assuming the default 5 s cache finds the write records over it', () => {
    expect(
      rtoFindings(new MultiRegionChecks(undefined, { rto: topology.rto })).length,
    ).toBeGreaterThan(0);
  });
});
