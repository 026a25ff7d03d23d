import { LAG_METRICS } from '../../../constructs/contract';
import { check, describe, GOOD_STATUS, type PreflightCheck } from './context';

// 2. Every member is healthy and on one engine version.

export const membersAvailable: PreflightCheck = ({ judged, waived }) => {
  const notAvailable = judged.filter(
    (r) => !r.cluster.ok || r.cluster.value.status !== GOOD_STATUS,
  );
  return check(
    'members-available',
    `every member cluster is ${GOOD_STATUS}`,
    notAvailable.length === 0,
    (notAvailable.length === 0
      ? `${judged.length} members available`
      : notAvailable
          .map((r) => `${r.region}: ${describe(r.cluster, (c) => c.status)}`)
          .join('; ')) + waived('may be unavailable'),
  );
};

// A managed switchover or failover needs every member on the same engine version (Aurora
// User Guide, aurora-global-database-disaster-recovery, "Switchovers" prerequisites).
// The failed writer may not answer: then the global cluster's version stands in for it.
export const engineVersions: PreflightCheck = ({ snapshot, down }) => {
  const standIn = down ? snapshot.globalCluster.engineVersion : undefined;
  const memberVersions = snapshot.regions.map((r) =>
    r.cluster.ok ? r.cluster.value.engineVersion : r.region === down ? standIn : undefined,
  );
  const versions = new Set(memberVersions);
  const versionsOk = versions.size === 1 && !versions.has(undefined);
  return check(
    'engine-versions',
    'engine versions are equal across members',
    versionsOk,
    versionsOk
      ? `all on ${memberVersions[0]}`
      : memberVersions.every((v) => v === undefined)
        ? 'no engine version could be read'
        : snapshot.regions
            .map((r) => `${r.region}: ${describe(r.cluster, (c) => c.engineVersion ?? '?')}`)
            .concat(
              down && snapshot.globalCluster.engineVersion
                ? [`global cluster: ${snapshot.globalCluster.engineVersion}`]
                : [],
            )
            .join('; '),
  );
};

// 3. Nothing is moving already.
export const noOperationInProgress: PreflightCheck = ({ snapshot }) => {
  const failover = snapshot.globalCluster.failoverState;
  return check(
    'no-operation-in-progress',
    'no failover or switchover in progress',
    !failover && snapshot.globalCluster.status === GOOD_STATUS,
    failover
      ? `${failover.status} from ${failover.fromArn ?? '?'} to ${failover.toArn ?? '?'}`
      : `global cluster status ${snapshot.globalCluster.status}`,
  );
};

// 4. Every secondary (in a failover: the target) is within the RPO at its last datapoint.
export const lagUnderRpo: PreflightCheck = ({ snapshot, topology, down, targetRegion }) => {
  const rpoMs = topology.rpoSeconds * 1000;
  const secondaries = snapshot.regions.filter(
    (r) => r.isMember && !r.isWriter && (!down || r.region === targetRegion),
  );
  const lagProblems: string[] = [];
  const lagReadings: string[] = [];
  for (const r of secondaries) {
    if (!r.lag) lagProblems.push(`${r.region}: no lag read`);
    else if (!r.lag.ok) lagProblems.push(`${r.region}: ${r.lag.error}`);
    else if (r.lag.value.rpoMs === null)
      lagProblems.push(`${r.region}: ${LAG_METRICS.rpo} not reported in the last 5 minutes`);
    else if (r.lag.value.rpoMs >= rpoMs)
      lagProblems.push(`${r.region}: RPO lag ${r.lag.value.rpoMs} ms >= ${rpoMs} ms`);
    else lagReadings.push(`${r.region}: ${r.lag.value.rpoMs} ms`);
  }
  return check(
    'lag-under-rpo',
    `RPO lag of every secondary is under the RPO (${topology.rpoSeconds} s)`,
    lagProblems.length === 0 && secondaries.length > 0,
    lagProblems.length > 0
      ? lagProblems.join('; ')
      : secondaries.length === 0
        ? 'no secondary members'
        : lagReadings.join('; '),
  );
};
