// STUB: the lead adds `evaluateResumeGate` to preflight.ts (same signature). When it lands,
// import it from './preflight' in program.ts and delete this file.
import type { DrillTopology } from './discovery';
import type { DrillKind } from './model';
import type { Snapshot } from './observe';
import { evaluatePreflight, type CheckResult } from './preflight';

export interface ResumeGateTarget {
  readonly kind: DrillKind;
  readonly targetRegion: string;
  readonly fromRegion: string;
}

/** Before a promotion still to come, the preflight checks that judge the target and lag. */
const BEFORE_PROMOTION = new Set([
  'target-secondary',
  'target-available',
  'target-not-headless',
  'engine-versions',
  'lag-under-rpo',
]);

export function evaluateResumeGate(
  snapshot: Snapshot,
  topology: DrillTopology,
  { kind, targetRegion }: ResumeGateTarget,
  remainingStepIds: readonly string[],
): CheckResult[] {
  if (!remainingStepIds.includes('promote')) return [];
  return evaluatePreflight(snapshot, topology, { kind, targetRegion }).filter((c) =>
    BEFORE_PROMOTION.has(c.id),
  );
}
