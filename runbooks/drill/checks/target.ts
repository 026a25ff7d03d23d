import { check, describe, GOOD_STATUS, type PreflightCheck } from './context';

// 1. The target can take the writer.

export const targetSecondary: PreflightCheck = ({ target, targetRegion, topology }) =>
  check(
    'target-secondary',
    `target ${targetRegion} is a secondary member of ${topology.globalClusterIdentifier}`,
    !!target && target.isMember && !target.isWriter,
    !target
      ? `${targetRegion} is not in the outputs`
      : !target.isMember
        ? `${target.clusterIdentifier} is not a member of the global cluster`
        : target.isWriter
          ? `${targetRegion} already holds the writer`
          : `${target.clusterIdentifier} is a secondary`,
  );

export const targetAvailable: PreflightCheck = ({ target }) => {
  const targetCluster = target?.cluster;
  return check(
    'target-available',
    `target cluster is ${GOOD_STATUS}`,
    targetCluster?.ok === true && targetCluster.value.status === GOOD_STATUS,
    targetCluster ? describe(targetCluster, (c) => `status ${c.status}`) : 'no target',
  );
};

export const targetNotHeadless: PreflightCheck = ({ target }) => {
  const targetCluster = target?.cluster;
  return check(
    'target-not-headless',
    'target cluster has at least one instance (not headless)',
    targetCluster?.ok === true && targetCluster.value.instanceCount >= 1,
    targetCluster
      ? describe(targetCluster, (c) =>
          c.instanceCount >= 1
            ? `${c.instanceCount} instance(s)`
            : 'headless: add an instance before it can take the writer',
        )
      : 'no target',
  );
};
