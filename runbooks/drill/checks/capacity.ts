import { check, type PreflightCheck } from './context';

/**
 * The RDS quotas that bound a promotion: the promoted secondary keeps its instances and may
 * need as many as the writer region runs. Codes as the Service Quotas console links them from
 * the Aurora quotas table (Aurora User Guide, CHAP_Limits, "Quotas in Amazon Aurora": DB
 * instances L-7B6409FD, DB clusters L-952B80B8, both per account and Region).
 */
export const PROMOTION_QUOTAS = [
  { serviceCode: 'rds', code: 'L-7B6409FD', name: 'DB instances' },
  { serviceCode: 'rds', code: 'L-952B80B8', name: 'DB clusters' },
] as const;

// 13. The target can run what the writer runs: it offers the writer's instance classes for its
// engine version, and its quotas are not below the writer region's.
export const targetCapacity: PreflightCheck = ({ snapshot, targetRegion, down, waived }) => {
  const id = 'target-capacity';
  const title = `target ${targetRegion} offers the writer's instance classes, and its RDS quotas (${PROMOTION_QUOTAS.map((q) => q.name).join(', ')}) are not below the writer region's`;
  const capacity = snapshot.capacity;
  if (!capacity) return check(id, title, false, 'not read: instance classes and quotas');
  const writerRegion = snapshot.writerRegion ?? '(no writer)';
  const target = capacity.regions.find((r) => r.region === targetRegion);
  if (!target) return check(id, title, false, `${targetRegion} is not in the outputs`);
  if (!target.orderable) {
    return check(id, title, true, `not judged: ${targetRegion} holds the writer`);
  }
  const writer = capacity.regions.find((r) => r.region === snapshot.writerRegion);
  const problems: string[] = [];
  const readings: string[] = [];
  let unread = false;
  if (!target.orderable.ok) {
    if (down) unread = true;
    else problems.push(`instance classes: ${target.orderable.error}`);
  } else {
    for (const o of target.orderable.value) {
      const what = `${o.instanceClass} (${o.engine} ${o.engineVersion})`;
      if (o.offered) readings.push(`${what} offered`);
      else
        problems.push(
          `${what} is not offered in ${targetRegion}: choose an instance class both regions offer`,
        );
    }
  }
  for (const q of target.quotas) {
    const mine = q.value;
    const theirs = writer?.quotas.find((w) => w.code === q.code)?.value;
    if (!mine.ok) {
      problems.push(`${targetRegion} ${q.name} (${q.code}): ${mine.error}`);
    } else if (!theirs || !theirs.ok) {
      if (down) unread = true;
      else problems.push(`${writerRegion} ${q.name} (${q.code}): ${theirs?.error ?? 'not read'}`);
    } else if (mine.value < theirs.value) {
      problems.push(
        `${targetRegion} ${q.name} quota ${mine.value} < ${theirs.value} in ${writerRegion} (${q.code}): request an increase in Service Quotas`,
      );
    } else {
      readings.push(`${q.name} ${mine.value} >= ${theirs.value}`);
    }
  }
  return check(
    id,
    title,
    problems.length === 0,
    (problems.length > 0 ? problems.join('; ') : readings.join('; ')) +
      (unread ? waived('is not read') : ''),
  );
};
