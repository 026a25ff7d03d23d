import { ARC_OPERATIONS, AWS_OPERATIONS as ops, type AwsOperation } from './aws/operations';
import type { DrillTopology } from './discovery';
import type { Snapshot } from './observe';
import {
  checkContext,
  type CheckResult,
  type PreflightCheck,
  type PreflightTarget,
} from './checks/context';
import {
  engineVersions,
  lagUnderRpo,
  membersAvailable,
  noOperationInProgress,
} from './checks/members';
import { targetCapacity } from './checks/capacity';
import { arcHealthCheck } from './checks/arc';
import { clientCanary } from './checks/client';
import { drainsOff, noAlarms } from './checks/signals';
import { targetAvailable, targetNotHeadless, targetSecondary } from './checks/target';
import { dnsAnswers, healthChecks, recordTtls } from './checks/traffic';

export { checkers, expectedUnhealthyChecks } from './checks/context';
export type { CheckResult, PreflightCheck, PreflightTarget } from './checks/context';

/** Every check that must pass before a drill, in the order they are shown. */
export const PREFLIGHT_CHECKS: readonly PreflightCheck[] = [
  targetSecondary,
  targetAvailable,
  targetNotHeadless,
  membersAvailable,
  engineVersions,
  noOperationInProgress,
  lagUnderRpo,
  healthChecks,
  dnsAnswers,
  recordTtls,
  noAlarms,
  drainsOff,
  targetCapacity,
  clientCanary,
];

/**
 * Every AWS operation the preflight's observation calls (`observe` with the capacity reads, no
 * client canary): what the preflight step declares, and what the readiness function's role
 * may call (a test keeps this equal to the step's `calls()`).
 */
export const PREFLIGHT_OPERATIONS: readonly AwsOperation[] = [
  ops.describeGlobalClusters,
  ops.describeDbClusters,
  ops.describeClusterParameters,
  ops.getMetricData,
  ops.getHealthCheckStatus,
  ops.testDnsAnswer,
  ops.listResourceRecordSets,
  ops.describeAlarms,
  ops.getParameter,
  ops.describeDbInstances,
  ops.describeOrderableDbInstanceOptions,
  ops.getServiceQuota,
];

/** What the preflight also reads when the deployment has ARC Region switch plans. */
export const PREFLIGHT_ARC_OPERATIONS: readonly AwsOperation[] = [
  ARC_OPERATIONS.listRoute53HealthChecksInRegion,
];

/** Every check that must pass before a drill, as a pure function of one snapshot. */
export function evaluatePreflight(
  snapshot: Snapshot,
  topology: DrillTopology,
  target: PreflightTarget,
): CheckResult[] {
  const ctx = checkContext(snapshot, topology, target);
  // Only a deployment with ARC Region switch plans has ARC-managed health checks.
  const checks = topology.regionSwitch ? [...PREFLIGHT_CHECKS, arcHealthCheck] : PREFLIGHT_CHECKS;
  return checks.map((check) => check(ctx));
}

/** The preflight checks that gate a promotion: what must still hold when a drill resumes. */
export const PROMOTION_GATE: readonly string[] = [
  'target-secondary',
  'target-available',
  'target-not-headless',
  'members-available',
  'engine-versions',
  'no-operation-in-progress',
  'lag-under-rpo',
];

export interface ResumeGateTarget extends PreflightTarget {
  /** The writer region when the drill started. */
  readonly fromRegion: string;
}

/**
 * What a resumed drill must pass before it continues. Before the promotion the promotion gate
 * holds again (lag may have grown while the drill was stopped); the drill's own changes (the
 * fenced region, its failing checks) are not held against it. Once the promotion was requested
 * (the target is the writer, or a move to it is in progress) the later steps check their state
 * themselves and nothing else gates.
 */
export function evaluateResumeGate(
  snapshot: Snapshot,
  topology: DrillTopology,
  { kind, targetRegion, fromRegion }: ResumeGateTarget,
  remainingSteps: readonly string[],
): CheckResult[] {
  const writer = snapshot.writerRegion;
  const targetArn = topology.regions.find((r) => r.region === targetRegion)?.clusterArn;
  const movingToTarget =
    targetArn !== undefined && snapshot.globalCluster.failoverState?.toArn === targetArn;
  const writerCheck: CheckResult = {
    id: 'writer-unchanged',
    title: `the writer is still in ${fromRegion} (or already in ${targetRegion})`,
    ok: writer === fromRegion || writer === targetRegion,
    reason: `writer in ${writer ?? 'no region'}`,
  };
  // With --engine arc the plan's execution promotes (arc-execution).
  const promotes = remainingSteps.includes('promote') || remainingSteps.includes('arc-execution');
  if (!promotes || writer === targetRegion || movingToTarget) {
    return [
      writerCheck,
      {
        id: 'promotion-gate',
        title: 'promotion gate (lag, target, members) before the promotion',
        ok: true,
        reason: promotes
          ? `not needed: ${movingToTarget ? `a move to ${targetRegion} is in progress` : `${targetRegion} holds the writer`}`
          : 'not needed: the promotion step has completed',
      },
    ];
  }
  const gate = new Set(PROMOTION_GATE);
  return [
    writerCheck,
    ...evaluatePreflight(snapshot, topology, { kind, targetRegion }).filter((c) => gate.has(c.id)),
  ];
}
