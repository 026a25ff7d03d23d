import { check, type PreflightCheck } from './context';

/**
 * The target's ARC-managed health check is healthy. Each region's write record answers only
 * while AND(its writer check, the ARC checks of its region) holds (a calculated health check:
 * "healthy when at least HealthThreshold children are healthy", Route 53 API Reference,
 * HealthCheckConfig), so after an ARC execution deactivated the target, a native drill would
 * promote it but write DNS could not move there. Not a gate of `--engine arc`: the plan's
 * health-check block sets it.
 */
export const arcHealthCheck: PreflightCheck = ({ snapshot, targetRegion, engine }) => {
  const title = `the ARC-managed health check of ${targetRegion} is healthy (write DNS can move there)`;
  const plans = (snapshot.arc ?? []).filter((p) => p.regions.includes(targetRegion));
  if (engine === 'arc') {
    return check(
      'arc-health-check',
      title,
      true,
      'not a gate: the ARC plan sets it (--engine arc)',
    );
  }
  const problems: string[] = [];
  const seen: string[] = [];
  for (const plan of plans) {
    if (!plan.healthChecks.ok) {
      problems.push(
        `plan ${plan.planName}: could not be read in ${plan.region}: ${plan.healthChecks.error}`,
      );
      continue;
    }
    const own = plan.healthChecks.value.filter((c) => c.region === targetRegion);
    for (const c of own) {
      if (c.status === 'healthy')
        seen.push(`${plan.planName}: ${c.healthCheckId ?? c.recordName} healthy`);
      else
        problems.push(`plan ${plan.planName}: ${c.healthCheckId ?? c.recordName} is ${c.status}`);
    }
  }
  if (problems.length) {
    return check(
      'arc-health-check',
      title,
      false,
      `${problems.join('; ')}: ${targetRegion}'s write record is AND(its writer check, its ARC check), so a native drill cannot move write DNS to ${targetRegion}; ` +
        `run the drill with --engine arc (or activate ${targetRegion} with ARC)`,
    );
  }
  return check(
    'arc-health-check',
    title,
    true,
    seen.length ? seen.join('; ') : `no ARC-managed health check of ${targetRegion}`,
  );
};
