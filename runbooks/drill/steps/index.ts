// The plans: which steps each kind of drill runs, in order. One file per step beside this one.
import type { DrillEngine, DrillKind } from '../model';
import { alignRpoStep } from './align-rpo';
import { arcExecutionStep } from './arc-execution';
import { cleanCanaryStep } from './clean-canary';
import { fenceStep } from './fence';
import { keepFailoverSnapshotStep } from './keep-failover-snapshot';
import type { StepId } from './outcomes';
import { preflightStep } from './preflight';
import { prepareCanaryStep } from './prepare-canary';
import { promoteStep } from './promote';
import { readyTargetStep } from './ready-target';
import { rejoinRpoStep } from './rejoin-rpo';
import { returnOldWriterStep } from './return-old-writer';
import { settleRpoStep } from './settle-rpo';
import type { AnyStep } from './types';
import { verifyClientWritesStep } from './verify-client-writes';
import { verifyTrafficStep } from './verify-traffic';
import { verifyWritesStep } from './verify-writes';
import { waitWriterStep } from './wait-writer';

export { CLEAN_CANARY_STEP_ID, canaryLeftoverText } from './clean-canary';
export { arcEventLine, arcStepLine, reportLocation } from './arc-execution';
export type {
  AnyStepDetails,
  CanaryLeftover,
  FailoverSnapshot,
  RpoAlignment,
  StepDetails,
  StepId,
  StepOutcomes,
} from './outcomes';
export {
  arcPlanOf,
  planOfJournal,
  planView,
  requireFailoverRole,
  requireRegionSwitch,
} from './plan';
export { FAILOVER_FENCE_WAIT_MS, sqlTarget } from './shared';
export type {
  AnyStep,
  PlannedCall,
  PlanView,
  StepContext,
  StepDefinition,
  StepResult,
  ArcPlanView,
} from './types';

/** Every step, in the order a drill runs them; `kinds` says which drills include each. */
export const STEPS: readonly AnyStep[] = [
  preflightStep,
  prepareCanaryStep,
  readyTargetStep,
  rejoinRpoStep,
  fenceStep,
  promoteStep,
  waitWriterStep,
  arcExecutionStep,
  alignRpoStep,
  verifyTrafficStep,
  verifyWritesStep,
  verifyClientWritesStep,
  keepFailoverSnapshotStep,
  returnOldWriterStep,
  settleRpoStep,
  cleanCanaryStep,
];

/**
 * Steps that change what serves or takes writes: a drill that started one of them has left
 * something to finish (resume) or to undo, so its lock is kept while it is stopped.
 */
export const STATE_CHANGING_STEPS: ReadonlySet<string> = new Set<StepId>([
  'ready-target',
  'rejoin-rpo',
  'fence',
  'promote',
  'arc-execution',
  'align-rpo',
  'return-old-writer',
  'settle-rpo',
]);

/**
 * The ordered steps of one kind of drill. With `--engine arc` the plan's execution
 * (arc-execution) takes the place of fence, promote and wait-writer; every other step is the
 * same, so the journal, record and report are too.
 */
export function stepsFor(kind: DrillKind, engine: DrillEngine = 'native'): AnyStep[] {
  return STEPS.filter(
    (s) => s.kinds.includes(kind) && (s.engines ?? ['native', 'arc']).includes(engine),
  );
}
