import { Duration } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { MANAGED_RPO_SECONDS } from './contract/names';
import { InvalidPropsError } from './invalid-props-error';
import { MANAGED_RPO_PARAMETER } from './managed-rpo-policy';

// The role-aware policy (which members' groups enforce the RPO) has no aws-cdk-lib imports, so
// the drill CLI shares it; it is part of this module's API.
export {
  MANAGED_RPO_PARAMETER,
  clusterParameterGroupNameOf,
  managedRpoPolicy,
  type ManagedRpoDecision,
  type ManagedRpoRoles,
} from './managed-rpo-policy';

/** Aurora PostgreSQL's managed RPO accepts 20 seconds and up. */
export const MIN_MANAGED_RPO = Duration.seconds(MANAGED_RPO_SECONDS.min);

/**
 * The cluster parameters that make Aurora enforce `rpo` across a global
 * database: when every secondary lags by more than the RPO, the writer holds
 * commits until one catches up. Which members' groups carry them is
 * {@link managedRpoPolicy}'s decision.
 *
 * Only Aurora PostgreSQL has managed RPO; any other engine is refused with a
 * message that says so, rather than silently ignored.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html#aurora-global-database-manage-recovery
 */
export function managedRpoParameters(
  engine: rds.IClusterEngine,
  rpo: Duration,
): Record<string, string> {
  const problems: string[] = [];
  if (engine.engineType !== 'aurora-postgresql') {
    problems.push(
      `managed RPO (${MANAGED_RPO_PARAMETER}) exists only for Aurora PostgreSQL, got engine: ${engine.engineType}; ` +
        'leave rpo unset and rely on the lag alarms',
    );
  }
  if (!rpo.isUnresolved() && rpo.toMilliseconds() % 1000 !== 0) {
    problems.push(`rpo must be a whole number of seconds, got: ${rpo.toHumanString()}`);
  } else if (!rpo.isUnresolved() && rpo.toSeconds() < MIN_MANAGED_RPO.toSeconds()) {
    problems.push(
      `rpo must be at least ${MIN_MANAGED_RPO.toSeconds()} seconds (the least ${MANAGED_RPO_PARAMETER} accepts), got: ${rpo.toHumanString()}`,
    );
  }
  if (problems.length > 0) throw new InvalidPropsError(problems.join('; '));
  return { [MANAGED_RPO_PARAMETER]: String(rpo.toSeconds()) };
}
