import type { HealthView } from '../aws/adapters';
import type { DrillTopology } from '../discovery';
import type { DrillEngine, DrillKind } from '../model';
import type { Observed, RegionSnapshot, Snapshot } from '../observe';

/** One preflight check's verdict. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly ok: boolean;
  readonly reason: string;
}

export interface PreflightTarget {
  readonly kind: DrillKind;
  readonly targetRegion: string;
  /** Who moves the writer; absent: native. */
  readonly engine?: DrillEngine;
}

/** What every check judges, derived once from one snapshot. */
export interface CheckContext extends PreflightTarget {
  readonly snapshot: Snapshot;
  readonly topology: DrillTopology;
  /** The target region's snapshot, when the outputs name it. */
  readonly target: RegionSnapshot | undefined;
  /** In an unplanned failover the writer's region is the outage: its state is not a gate. */
  readonly down: string | undefined;
  /** The regions whose state is judged (all but `down`). */
  readonly judged: readonly RegionSnapshot[];
  /** Health check ids expected to be unhealthy now. */
  readonly expectedUnhealthy: ReadonlySet<string>;
  /** The note on what `down` is spared, or '' when nothing is waived. */
  waived(what: string): string;
}

/** A check: a pure function of the context. */
export type PreflightCheck = (ctx: CheckContext) => CheckResult;

export const GOOD_STATUS = 'available';

export function checkContext(
  snapshot: Snapshot,
  topology: DrillTopology,
  { kind, targetRegion, engine }: PreflightTarget,
): CheckContext {
  const down = kind === 'failover' ? snapshot.writerRegion : undefined;
  return {
    kind,
    targetRegion,
    ...(engine ? { engine } : {}),
    snapshot,
    topology,
    target: snapshot.regions.find((r) => r.region === targetRegion),
    down,
    judged: snapshot.regions.filter((r) => r.region !== down),
    expectedUnhealthy: expectedUnhealthyChecks(snapshot, topology, { kind, targetRegion }),
    waived: (what) =>
      down ? `; waived for an unplanned failover: ${down} (the failed writer region) ${what}` : '',
  };
}

export const check = (id: string, title: string, ok: boolean, reason: string): CheckResult => ({
  id,
  title,
  ok,
  reason,
});

/**
 * Health check ids that are expected to be unhealthy now: every non-writer's writer check,
 * and a drained failback target's serving check.
 */
export function expectedUnhealthyChecks(
  snapshot: Snapshot,
  topology: DrillTopology,
  { kind, targetRegion }: PreflightTarget,
): Set<string> {
  const ids = new Set<string>();
  for (const r of snapshot.regions) {
    const checks = topology.regions.find((t) => t.region === r.region)!.healthChecks;
    if (!r.isWriter) ids.add(checks.writer);
    if (kind === 'failback' && r.region === targetRegion && isDrained(r) && checks.serving)
      ids.add(checks.serving);
  }
  return ids;
}

export function isDrained(region: RegionSnapshot): boolean {
  return region.drain.ok && region.drain.value === 'true';
}

export function checkers(health: HealthView): string {
  return `${health.succeeding}/${health.reporting} checkers report success`;
}

export function describe<T>(value: Observed<T>, ok: (v: T) => string): string {
  return value.ok ? ok(value.value) : `error: ${value.error}`;
}
