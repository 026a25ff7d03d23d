import { AsyncLocalStorage } from 'node:async_hooks';
import type { AwsOperation } from './aws/operations';
import type { PlannedCall } from './steps/types';

/** The step whose code is running, and the operations it declared for this plan. */
export interface StepScope {
  readonly stepId: string;
  /** `service:Operation`, e.g. `rds:DescribeDBClusters`, as the step's `calls(plan)` lists them. */
  readonly operations: ReadonlySet<string>;
}

// Async context follows the step's own awaits, and not the canary loop or the lock heartbeat
// that the executor starts outside it (Node.js docs, Asynchronous context tracking, AsyncLocalStorage).
const current = new AsyncLocalStorage<StepScope>();

export function operationKey(operation: Pick<AwsOperation, 'service' | 'operation'>): string {
  return `${operation.service}:${operation.operation}`;
}

/** Runs `run` (a step's `run`) as `stepId`, which declared `calls`. */
export function inStepScope<T>(stepId: string, calls: readonly PlannedCall[], run: () => T): T {
  const operations = new Set(calls.map((c) => operationKey(c.operation)));
  return current.run({ stepId, operations }, run);
}

/** The step running in this async context, if any. */
export function stepScope(): StepScope | undefined {
  return current.getStore();
}

/**
 * Why a call of `key` (`service:Operation`) made now breaks a step's declaration, or undefined
 * when it does not (no step runs, or the step declared it). The fake AWS of the tests fails
 * every such call, so each drill test checks that dry run and runbooks list what runs.
 */
export function undeclaredCall(key: string): string | undefined {
  const scope = stepScope();
  if (!scope || scope.operations.has(key)) return undefined;
  return `step ${scope.stepId} called ${key}, which its calls() do not declare (declared: ${[...scope.operations].sort().join(', ') || 'none'})`;
}
