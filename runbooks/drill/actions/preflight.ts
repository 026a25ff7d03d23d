import { regionOf, type DrillTopology } from '../discovery';
import { DrillError, EXIT_CODES } from '../errors';
import { preflightText } from '../format';
import type { DrillKind } from '../model';
import { observe, type Snapshot } from '../observe';
import { evaluatePreflight } from '../preflight';
import type { ActionContext } from './context';
import type { CommonOptions } from './options';

export interface PreflightOptions extends CommonOptions {
  to?: string;
  for?: DrillKind;
}

/** `drill preflight`: every check, with pass/fail and reason; exit 4 when one fails. */
export async function preflight(ctx: ActionContext, opts: PreflightOptions): Promise<number> {
  const { topology, aws } = ctx.connect(opts, 'dry-run');
  const snapshot = await observe(aws, topology, {
    clock: ctx.deps.clock,
    homeRegion: opts.region,
    preferredRegions: opts.to ? [opts.to] : [],
    client: {},
    capacity: true,
  });
  const target = opts.to ? regionOf(topology, opts.to).region : defaultTarget(snapshot, topology);
  const kind: DrillKind =
    opts.for ??
    (target === topology.primaryRegion && snapshot.writerRegion !== target
      ? 'failback'
      : 'switchover');
  const results = evaluatePreflight(snapshot, topology, { kind, targetRegion: target });
  ctx.say(
    'DRILL_I0200',
    `preflight for a ${kind} of ${topology.globalClusterIdentifier}: ${snapshot.writerRegion ?? '?'} -> ${target}`,
  );
  ctx.say('DRILL_I0201', preflightText(results));
  return results.some((r) => !r.ok) ? EXIT_CODES.PREFLIGHT_FAILED : EXIT_CODES.OK;
}

/** Failback target when the writer is away from the primary region, else the only other region. */
function defaultTarget(snapshot: Snapshot, topology: DrillTopology): string {
  if (snapshot.writerRegion && snapshot.writerRegion !== topology.primaryRegion)
    return topology.primaryRegion;
  const others = topology.regions.filter((r) => r.region !== snapshot.writerRegion);
  if (others.length === 1) return others[0].region;
  throw new DrillError(
    'USAGE',
    `more than one possible target (${others.map((r) => r.region).join(', ')}); pass --to <region>`,
  );
}
