// `drill status`: does every routed record still answer its region's current API target?
// The routing stack reads other regions' targets with weak references (Fn::GetStackOutput),
// which CloudFormation resolves only when the routing stack itself is updated: a service whose
// custom domain was replaced leaves a record pointing at a target that no longer exists.
import { normalizeHostname, type DrillAws, type RecordView } from './aws/adapters';
import type { DrillTopology, RegionTopology } from './discovery';
import { errorText } from './errors';
import { isFatal, type Observed } from './observe';

/** A routed record whose answer is not its region's current target. */
export interface RecordTargetMismatch {
  readonly name: string;
  readonly setIdentifier: string;
  readonly region: string;
  /** The region's current target for this name (the service's `DrillService` output). */
  readonly expected: string;
  readonly actual: readonly string[];
}

/**
 * The region a routed record sends traffic to: a latency record's Region, else the region
 * whose serving or writer health check (or the write gate ARC Region switch adds) guards it. Records guarded by a calculated check
 * (`write.` SECONDARY -> `standby.write.`) name another record, not a region.
 */
function regionOfRecord(record: RecordView, topology: DrillTopology): RegionTopology | undefined {
  if (record.region) return topology.regions.find((r) => r.region === record.region);
  if (!record.healthCheckId) return undefined;
  return topology.regions.find(
    (r) =>
      r.healthChecks.writer === record.healthCheckId ||
      r.healthChecks.writeGate === record.healthCheckId ||
      r.healthChecks.serving === record.healthCheckId,
  );
}

/** Every routed record (one with a set identifier) whose answer differs from its region's target. */
export function recordTargetMismatches(
  records: readonly RecordView[],
  topology: DrillTopology,
): RecordTargetMismatch[] {
  const app = normalizeHostname(topology.appHostname);
  const mismatches: RecordTargetMismatch[] = [];
  for (const record of records) {
    if (!record.setIdentifier || record.alias) continue;
    const region = regionOfRecord(record, topology);
    if (!region) continue;
    // The read name answers app targets; the write name and its standby set, write targets.
    const expected = normalizeHostname(
      normalizeHostname(record.name) === app ? region.appTarget : region.writeTarget,
    );
    const actual = record.values.map(normalizeHostname);
    if (actual.length === 1 && actual[0] === expected) continue;
    mismatches.push({
      name: normalizeHostname(record.name),
      setIdentifier: record.setIdentifier,
      region: region.region,
      expected,
      actual,
    });
  }
  return mismatches;
}

/**
 * The records of the app and write names, and of the names their routed records point to
 * inside the zone (the standby set of a failover chain), one level deep.
 */
export async function routedRecords(
  aws: DrillAws,
  topology: DrillTopology,
  first: readonly RecordView[],
): Promise<RecordView[]> {
  const targets = new Set(
    topology.regions.flatMap((r) => [r.appTarget, r.writeTarget].map(normalizeHostname)),
  );
  const seen = new Set(first.map((r) => normalizeHostname(r.name)));
  // The zone is the app name's parent (app.<domain>); a stale API target lies outside it and
  // is reported as a mismatch, never looked up in the zone.
  const zone = normalizeHostname(topology.appHostname).split('.').slice(1).join('.');
  const next = [
    ...new Set(
      first
        .filter((r) => r.setIdentifier && !r.alias)
        .flatMap((r) => r.values.map(normalizeHostname))
        .filter((v) => !targets.has(v) && !seen.has(v) && v.endsWith(`.${zone}`)),
    ),
  ];
  const more = await Promise.all(
    next.map((name) => aws.routing.recordSets(topology.hostedZoneId, name)),
  );
  return [...first, ...more.flat()];
}

/** `drill status`'s check: the routed records (read once more down the chain) against the targets. */
export async function checkRecordTargets(
  aws: DrillAws,
  topology: DrillTopology,
  records: Observed<RecordView[]>,
): Promise<Observed<RecordTargetMismatch[]>> {
  if (!records.ok) return records;
  try {
    const all = await routedRecords(aws, topology, records.value);
    return { ok: true, value: recordTargetMismatches(all, topology) };
  } catch (err) {
    if (isFatal(err)) throw err;
    return { ok: false, error: errorText(err) };
  }
}

/** The status lines: one per mismatch, or one saying there is none. */
export function recordTargetText(observed: Observed<readonly RecordTargetMismatch[]>): string {
  if (!observed.ok) return `routed record targets: not read (${observed.error})`;
  const mismatches = observed.value;
  if (mismatches.length === 0)
    return "routed record targets: every record answers its region's current API target";
  return [
    `routed record targets: ${mismatches.length} record(s) do not answer their region's current API target:`,
    ...mismatches.map(
      (m) =>
        `  ${m.name} ${m.setIdentifier} (${m.region}) answers ${m.actual.join(', ') || 'nothing'}, ` +
        `but ${m.region}'s target is ${m.expected}`,
    ),
    '  next: deploy the routing stack again with --force (a weak cross-region reference is read only when its stack is updated), then rerun drill status',
  ].join('\n');
}
