// The built-in rehearsal scenarios (`drill rehearse --list`). Regions are named by role
// (scenario.ts RegionRole), so each one rehearses whatever topology the assembly holds. What a
// scenario assumes beyond DEFAULT_ASSUMPTIONS is said next to it.
import type { Scenario } from './scenario';

/**
 * An operator whose writer region is down fails over whatever else the preflight finds (a TTL,
 * a parameter): the rehearsal then measures what that finding costs instead of stopping at it.
 * The failed checks are kept in the record and printed with the verdicts.
 */
export const OUTAGE_FORCE = 'the writer region is down: fail over whatever the preflight finds';

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'region-outage',
    summary:
      'the writer region fails once the client canary has 3 acknowledged writes; unplanned failover',
    description:
      "The writer region's database, service, control plane and health endpoints stop answering; " +
      'the operator fails over with AllowDataLoss. Shows the client and database RTO of an unplanned failover.',
    drill: { kind: 'failover', forceReason: OUTAGE_FORCE },
    // Assumption: the whole region goes at once and stays gone for the drill (no return). It
    // goes after the client canary's third acknowledged write (during the preflight, before the
    // fence), so the writes it loses measure replication lag as a client lives it.
    events: [{ atSeconds: 0, afterClientWrites: 3, kind: 'region-outage', region: 'writer' }],
  },
  {
    name: 'switchover-under-load',
    summary: 'planned switchover while the client canary writes and reads every second',
    description:
      'A managed switchover with every region up: the client canary is the load. Shows the ' +
      'write pause of a planned move, and that it loses no acknowledged write.',
    drill: { kind: 'switchover' },
    // Assumption: every region up; the load is the canary's one write and one read a second.
    events: [],
  },
  {
    name: 'lag-spike',
    summary:
      'replication stalls (its lag building toward the RPO), then the writer region fails; the lag is lost',
    description:
      'Replication to the target stalls (a write burst, a slow link) and its lag builds; the ' +
      'operator starts a failover as the writer region fails. The client writes acknowledged in ' +
      'the lag are lost; where managed RPO is set, the writer would block commits once no ' +
      'secondary is within the RPO rather than acknowledge more that could be lost.',
    drill: {
      kind: 'failover',
      forceReason: 'the writer region is failing while replication lags: fail over anyway',
      // The lag has built up to 25 s when the drill starts: under a managed RPO of 30 s, so the
      // client canary's first writes are acknowledged, and they are lost.
      startsAtSeconds: 25,
    },
    events: [
      // Assumption: replication stalls for 10 minutes (a write burst, a slow link), from 25 s
      // before the drill; the region fails 6 s into the drill, during its preflight, once the
      // lag has passed 30 s (where managed RPO at 30 s blocks commits).
      { atSeconds: 0, kind: 'lag-spike', region: 'target', lagMs: 600_000, forSeconds: 600 },
      { atSeconds: 31, kind: 'region-outage', region: 'writer' },
    ],
  },
  {
    name: 'rds-throttling',
    summary: 'an RDS API throttling storm (every second call, all regions) during a switchover',
    // RDS throttles per account and Region (Amazon RDS User Guide, "Request throttling for the
    // Amazon RDS API"): a storm in every Region is another team's automation on the account.
    description:
      'Every second RDS control-plane call is throttled after the SDK retries for two minutes: ' +
      'the drill polls through it (a throttled read is transient) and the switchover completes.',
    drill: { kind: 'switchover' },
    // From 1 s: after the preflight, whose checks would refuse on a throttled read.
    events: [{ atSeconds: 1, kind: 'rds-throttling', region: 'all', share: 0.5, forSeconds: 120 }],
  },
  {
    name: 'stale-resolver',
    summary: "the client's resolver keeps every answer 300 s (min-ttl); the writer region fails",
    description:
      "The client canary's resolver ignores the records' TTL and keeps each answer at least 300 s " +
      '(Unbound cache-min-ttl, dnsmasq min-cache-ttl): the client RTO grows by what it adds.',
    drill: { kind: 'failover', forceReason: OUTAGE_FORCE },
    // Assumption: the resolver of the client population holds answers 300 s ("cache-min-ttl",
    // unbound.conf(5); "--min-cache-ttl", dnsmasq(8)), whatever the records' 60 s TTL says.
    assumptions: { resolver: 'min-ttl', resolverMinTtlSeconds: 300 },
    // As in region-outage: after the canary's third acknowledged write.
    events: [{ atSeconds: 0, afterClientWrites: 3, kind: 'region-outage', region: 'writer' }],
  },
  {
    name: 'headless-secondary',
    summary: 'the target has no instance: the drill must refuse, and writes do not resume',
    description:
      "The target's cluster has no DB instance (scaled to zero, or deployed headless): its " +
      'preflight check refuses the switchover, nothing changes, and writes do not move there.',
    drill: { kind: 'switchover' },
    // Assumption: the instances are gone before the drill starts; every region is up.
    events: [{ atSeconds: 0, kind: 'headless', region: 'target' }],
    // A replica is not a standby until it has an instance: "A headless secondary Aurora DB
    // cluster is one without a DB instance" (Aurora User Guide, "Creating a headless Aurora DB
    // cluster in a secondary Region"): nothing there could serve the writer's traffic.
    expect: { refusal: { check: 'target-not-headless' } },
  },
  {
    name: 'partition',
    summary: 'the writer and the target are cut apart; failover with fencing',
    description:
      'The network between the writer region and the target fails (replication and the ' +
      "service's writes across it); the operator fences the old writer region and fails over, " +
      'so writes never land on both sides.',
    // The cut-off target lags (its RPO lag check fails): the operator fails over anyway.
    drill: { kind: 'failover', forceReason: 'the writer region is cut off: fail over anyway' },
    // Assumption: the cut lasts the whole drill; the operator's machine still reaches both.
    events: [{ atSeconds: 0, kind: 'partition', between: ['writer', 'target'] }],
  },
  {
    name: 'failback',
    summary: "after a failover and the old region's return, the failback to the primary region",
    description:
      'The primary region failed and the writer moved to the target; the region is back and ' +
      'its old primary rebuilt as a secondary. The rehearsed drill is the planned failback.',
    // Assumption: the region returns right after the failover; the failback starts once its
    // preflight passes (the old primary rebuilt as a healthy secondary).
    drill: { kind: 'failback', after: 'failover' },
    events: [],
  },
];

/** The scenario named `name`, or undefined. */
export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
