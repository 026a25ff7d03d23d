// No imports: the drill operator role (constructs/) derives its IAM resources from this too.

/**
 * The SSM parameter that holds the drill lock in a region: next to that region's drain
 * switch (`/multi-region-ref/drain` -> `/multi-region-ref/drill-lock`).
 */
export function drillLockParameterName(drainParameterName: string): string {
  return drainParameterName.replace(/[^/]*$/, 'drill-lock');
}
