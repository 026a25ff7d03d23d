import { checkRecordTargets, recordTargetText } from '../record-targets';
import { statusText } from '../format';
import { changedText, openDrills, stopText, type DrillState } from '../journal';
import { lockStatusText, readLocks } from '../lock';
import { observe, type Snapshot } from '../observe';
import { DRILL_OUTPUT_KEYS } from '../../../constructs/contract';
import type { DrillTopology } from '../discovery';
import type { ActionContext } from './context';
import type { CommonOptions } from './options';

export interface StatusOptions extends CommonOptions {
  json?: boolean;
}

/** `drill status`: where the writer is, members, lag, checks, DNS, drains, lock, open drills. */
export async function status(ctx: ActionContext, opts: StatusOptions): Promise<void> {
  const { deps } = ctx;
  const { topology, aws, store } = ctx.connect(opts, 'dry-run');
  const [snapshot, locks] = await Promise.all([
    observe(aws, topology, { clock: deps.clock, homeRegion: opts.region, arcEvaluation: true }),
    readLocks(aws, topology),
  ]);
  const open = openDrills(store);
  const recordTargets = await checkRecordTargets(aws, topology, snapshot.records);
  if (opts.json) {
    ctx.say(
      'DRILL_I0104',
      JSON.stringify(
        {
          ...snapshot,
          recordTargetMismatches: recordTargets,
          drillLock: locks,
          unfinishedDrills: open.map((d) => ({
            drillId: d.drillId,
            kind: d.header.params.kind,
            fromRegion: d.header.params.fromRegion,
            targetRegion: d.header.params.targetRegion,
            changed: d.changed,
            stopped: stopText(d),
          })),
        },
        null,
        2,
      ),
    );
    return;
  }
  // Each part ends with the blank line that separates it from the next.
  ctx.say('DRILL_I0100', `${statusText(snapshot, topology)}\n`);
  ctx.say(
    'DRILL_I0101',
    `${lockStatusText(locks, deps.clock.now(), deps.host, deps.isProcessAlive)}\n`,
  );
  ctx.say('DRILL_I0102', `${unfinishedText(open, opts.stateDir)}\n`);
  ctx.say('DRILL_I0105', `${arcStatusText(snapshot, topology)}\n`);
  ctx.say('DRILL_I0103', recordTargetText(recordTargets));
}

/** `drill status`: the drills of the state directory that are neither finished nor abandoned. */
function unfinishedText(open: readonly DrillState[], stateDir: string): string {
  if (open.length === 0) return `unfinished drills in ${stateDir}: none`;
  return [
    `unfinished drills in ${stateDir}:`,
    ...open.map(
      (d) =>
        `  ${d.drillId} (${d.header.params.kind} ${d.header.params.fromRegion} -> ${d.header.params.targetRegion}, ` +
        `started ${new Date(d.header.at).toISOString()} on ${d.header.host}): ${stopText(d)}; ${changedText(d)}`,
    ),
  ].join('\n');
}

const isoOrNever = (ms: number | undefined) =>
  ms === undefined ? 'never evaluated' : `last evaluated ${new Date(ms).toISOString()}`;

/**
 * `drill status`: each ARC Region switch plan's evaluation (GetPlanEvaluationStatus: state,
 * last evaluation, warnings) and its managed health checks. Region switch evaluates every plan
 * regularly and warns of what would fail (ARC Developer Guide, "Plan evaluation").
 */
export function arcStatusText(snapshot: Snapshot, topology: DrillTopology): string {
  if (!snapshot.arc) {
    return (
      `ARC Region switch plans: none (${topology.source} has no ${DRILL_OUTPUT_KEYS.regionSwitch} output; ` +
      'deploy the routing stack to create them)'
    );
  }
  const lines = ['ARC Region switch plans:'];
  for (const plan of snapshot.arc) {
    const e = plan.evaluation;
    lines.push(
      `  ${plan.planName} (${plan.regions.join(' <-> ')}, read in ${plan.region}): ` +
        (e === undefined
          ? 'evaluation not read'
          : e.ok
            ? `evaluation ${e.value.state}, ${isoOrNever(e.value.lastEvaluatedAt)}, ` +
              `${e.value.warnings.length ? `${e.value.warnings.length} warning(s)` : 'no warnings'}`
            : `evaluation not read: ${e.error}`),
    );
    if (e?.ok) {
      for (const w of e.value.warnings) {
        lines.push(
          `    warning${w.status ? ` (${w.status})` : ''}: ${w.stepName ? `${w.stepName}: ` : ''}${w.message}` +
            (w.resourceArn ? ` [${w.resourceArn}]` : ''),
        );
      }
    }
    lines.push(
      `    ARC-managed health checks: ${
        plan.healthChecks.ok
          ? plan.healthChecks.value.map((c) => `${c.region} ${c.status}`).join(', ') || 'none'
          : `not read: ${plan.healthChecks.error}`
      }`,
    );
  }
  return lines.join('\n');
}
