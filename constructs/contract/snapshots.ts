/**
 * The name prefix of Aurora's point-of-failure snapshot of the old primary after an unplanned
 * failover (Aurora User Guide, aurora-global-database-disaster-recovery, "Recovering an Amazon
 * Aurora global database from an unplanned outage"): taken best effort, and kept only as long as
 * the old primary's backup retention.
 */
export const FAILOVER_SNAPSHOT_PREFIX = 'rds:unplanned-global-failover-';

/** Identifiers of the drill's manual copies of it (the drill role may create only these). */
export const FAILOVER_SNAPSHOT_COPY_PATTERN = 'drill-*-point-of-failure';

/** The drill's manual copy: lower case, as RDS stores snapshot identifiers. */
export function failoverSnapshotCopyId(drillId: string): string {
  return FAILOVER_SNAPSHOT_COPY_PATTERN.replace('*', drillId.toLowerCase());
}
