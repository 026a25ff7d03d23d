import { HEALTH_PATHS } from '../../../constructs/contract';
import { regionOfTarget } from '../discovery';
import type { DnsChain } from '../observe';
import { check, checkers, isDrained, type PreflightCheck } from './context';

// 5. Health checks: each as expected for the current writer. A check expected unhealthy
// that passes means a health function that fails open, which would send writes to a reader.
export const healthChecks: PreflightCheck = ({ judged, topology, expectedUnhealthy, waived }) => {
  const healthProblems: string[] = [];
  for (const r of judged) {
    const ids = topology.regions.find((t) => t.region === r.region)!.healthChecks;
    for (const [name, observedCheck, id] of [
      ['serving', r.servingCheck, ids.serving],
      ['writer', r.writerCheck, ids.writer],
    ] as const) {
      // A headless secondary has no serving check to judge.
      if (observedCheck === undefined || id === undefined) continue;
      const wantHealthy = !expectedUnhealthy.has(id);
      if (!observedCheck.ok)
        healthProblems.push(`${r.region} ${name} (${id}): ${observedCheck.error}`);
      else if (observedCheck.value.healthy !== wantHealthy) {
        healthProblems.push(
          wantHealthy
            ? `${r.region} ${name} (${id}): unhealthy, ${checkers(observedCheck.value)}`
            : `${r.region} ${name} (${id}): healthy (${checkers(observedCheck.value)}) but expected unhealthy: ${
                name === 'writer'
                  ? `${r.region} does not hold the writer, so its ${HEALTH_PATHS.writer} fails open`
                  : `${r.region} is drained, so its ${HEALTH_PATHS.serving} ignores the drain switch`
              }`,
        );
      }
    }
  }
  return check(
    'health-checks',
    'health checks as expected: healthy, except writer checks of non-writer regions (must be unhealthy)',
    healthProblems.length === 0,
    (healthProblems.length === 0 ? 'all as expected' : healthProblems.join('; ')) +
      waived('is not probed'),
  );
};

// 6. DNS answers now what the records and checks say: the write name the writer's target,
// the app name a serving region's target.
export const dnsAnswers: PreflightCheck = ({ snapshot, topology, down }) => {
  const byRegion = new Map(snapshot.regions.map((r) => [r.region, r]));
  const answered = (chain: DnsChain): string | undefined =>
    chain.answers.ok ? chain.answers.value.at(-1) : undefined;
  const shownChain = (chain: DnsChain) =>
    chain.answers.ok
      ? `${chain.name} -> ${chain.answers.value.length ? chain.answers.value.join(' -> ') : 'no answer'}`
      : `${chain.name}: ${chain.answers.error}`;
  const problems: string[] = [];

  const writer = topology.regions.find((r) => r.region === snapshot.writerRegion);
  const write = answered(snapshot.dns.write);
  let writeNote = '';
  if (down) {
    // With every writer check unhealthy Route 53 answers the PRIMARY record (Route 53 Developer
    // Guide, "How health checks work in complex Amazon Route 53 configurations"): the failed
    // region may stay the answer until the new writer's check passes; verify-traffic checks it.
    writeNote = '; write name not judged (unplanned failover: it follows the new writer)';
  } else if (!writer || write !== writer.writeTarget) {
    problems.push(
      `${shownChain(snapshot.dns.write)}, expected the write target of the writer ${snapshot.writerRegion ?? '(none)'}` +
        (writer ? ` (${writer.writeTarget})` : ''),
    );
  }

  const app = answered(snapshot.dns.app);
  const appRegion = app ? regionOfTarget(topology, app) : undefined;
  const appRegionSnapshot = appRegion && byRegion.get(appRegion.region);
  const serving =
    appRegionSnapshot &&
    appRegion.appTarget === app &&
    appRegionSnapshot.servingCheck?.ok === true &&
    appRegionSnapshot.servingCheck.value.healthy &&
    !isDrained(appRegionSnapshot);
  if (!serving) {
    problems.push(
      `${shownChain(snapshot.dns.app)}, expected the app target of a serving region` +
        (appRegion ? ` (${appRegion.region} is not serving)` : ''),
    );
  }
  return {
    id: 'dns-answers',
    title: `${topology.writeHostname} answers the writer's target, ${topology.appHostname} a serving region's`,
    ok: problems.length === 0,
    reason:
      problems.length > 0
        ? problems.join('; ')
        : `${shownChain(snapshot.dns.write)} (${snapshot.writerRegion}); ${shownChain(snapshot.dns.app)} (${appRegion!.region})${writeNote}`,
  };
};

// 7. Records that move traffic have short TTLs: at most the TTL the stacks published.
export const recordTtls: PreflightCheck = ({ snapshot, topology }) => {
  const maxTtlSeconds = topology.ttlSeconds;
  const records = snapshot.records;
  const ttlProblems = !records.ok
    ? [records.error]
    : records.value.length === 0
      ? [`no records found for ${topology.appHostname} or ${topology.writeHostname}`]
      : records.value.flatMap((rec) =>
          rec.alias
            ? [
                `${rec.name} ${rec.setIdentifier ?? ''} is an alias record (its TTL is not ours to set)`,
              ]
            : rec.ttl === undefined || rec.ttl > maxTtlSeconds
              ? [`${rec.name} ${rec.setIdentifier ?? ''} TTL ${rec.ttl ?? 'none'} s`]
              : [],
        );
  return check(
    'record-ttls',
    `TTL of every ${topology.appHostname} and ${topology.writeHostname} record <= ${maxTtlSeconds} s`,
    ttlProblems.length === 0,
    ttlProblems.length === 0
      ? `${records.ok ? records.value.length : 0} records checked`
      : ttlProblems.join('; '),
  );
};
