// The role-aware managed-RPO policy. No aws-cdk-lib imports: the stacks decide the deploy-time
// parameter groups with it, and the drill CLI applies it to the live roles after every move.

/** The cluster parameter that makes Aurora PostgreSQL enforce an RPO. */
export const MANAGED_RPO_PARAMETER = 'rds.global_db_rpo';

/**
 * The name a member's cluster parameter group gets: fixed and derived from the cluster, so the
 * drill and its IAM policy can name it in every region without a cross-region reference.
 */
export function clusterParameterGroupNameOf(clusterIdentifier: string): string {
  return `${clusterIdentifier}-params`;
}

/** The members of a global database and who holds which role, as the policy sees them. */
export interface ManagedRpoRoles {
  /** Every member region of the global database. */
  readonly regions: readonly string[];
  /** The region whose cluster holds the writer. */
  readonly writer: string;
  /**
   * The secondaries that can satisfy the RPO now (a member, available, RPO lag under the RPO).
   *
   * @default - every region but the writer (deploy time: every secondary is assumed healthy)
   */
  readonly healthySecondaries?: readonly string[];
}

/** Whether one member's cluster parameter group sets `rds.global_db_rpo`, and why. */
export interface ManagedRpoDecision {
  readonly region: string;
  readonly enforce: boolean;
  readonly reason: string;
}

/**
 * Which members' cluster parameter groups enforce the RPO (`rds.global_db_rpo`).
 *
 * Aurora "blocks the transaction if all secondary DB clusters have RPO lag times that are larger
 * than the RPO", and AWS's instructions set it in the primary's group ("specify the name of
 * your primary cluster's parameter group": Aurora User Guide,
 * aurora-global-database-disaster-recovery, "Managing RPOs for Aurora PostgreSQL–based global
 * databases", "Setting the recovery point objective"). Each cluster keeps its own group, so a
 * group's setting matters when its cluster holds the writer, including after an unplanned
 * failover to it, when the old writer is lost. The rule, one for every member:
 *
 * **A member's group enforces the RPO exactly when, with that member as the writer and the
 * current writer lost, at least one healthy secondary would remain.**
 *
 * - The writer enforces when any healthy secondary exists (its own group is the one Aurora
 *   reads); with none, it does not: enforcing would block every commit.
 * - A secondary enforces when another healthy secondary would remain after an unplanned failover
 *   to it. With two regions that is never (the only other member is the failed writer: AWS's
 *   guidance is to keep the parameter at its default in the secondary's group); with three or
 *   more, at deploy time, every member enforces.
 *
 * The trade-off with three or more regions: an unplanned failover enforces the RPO from the
 * moment of promotion, so its data loss stays bounded, but if every remaining secondary lags
 * behind the RPO too (a wider outage), the new writer holds commits until one catches up or
 * the drill's `align-rpo` step (or an operator) clears the parameter.
 */
export function managedRpoPolicy(roles: ManagedRpoRoles): ManagedRpoDecision[] {
  const healthy = new Set(
    (roles.healthySecondaries ?? roles.regions).filter((r) => r !== roles.writer),
  );
  return roles.regions.map((region): ManagedRpoDecision => {
    const remaining = [...healthy].filter((r) => r !== region);
    const names = remaining.join(', ');
    if (region === roles.writer) {
      return remaining.length > 0
        ? { region, enforce: true, reason: `the writer, and ${names} can satisfy the RPO` }
        : {
            region,
            enforce: false,
            reason: 'the writer has no healthy secondary, and enforcing would block every commit',
          };
    }
    return remaining.length > 0
      ? {
          region,
          enforce: true,
          reason: `a failover to it after losing ${roles.writer} would leave ${names} to satisfy the RPO`,
        }
      : {
          region,
          enforce: false,
          reason: `a failover to it after losing ${roles.writer} would leave no healthy secondary, and commits would block`,
        };
  });
}
