import type { GlobalClusterView } from '../aws/adapters';
import { resumeCommand, startCommand, statusCommand } from '../commands';
import { regionOf } from '../discovery';
import { DrillError, EXIT_CODES, isDrillError } from '../errors';
import { startDrill } from '../executor';
import { arcPlanText, planText, preflightText } from '../format';
import { readLocks } from '../lock';
import type { DrillEngine, DrillKind, DrillParams } from '../model';
import { describeGlobalCluster, observe, writerRegionOf } from '../observe';
import { evaluatePreflight } from '../preflight';
import { planView, requireFailoverRole, requireRegionSwitch, stepsFor } from '../steps';
import { heldLocks, type ActionContext } from './context';
import { assumedGlobalCluster, assumedWriter, offlineDryRun } from './offline';
import { CLIENT_CANARY_OFF, forceReasonOf, timingOf, type ActOptions } from './options';

export interface DrillOptions extends ActOptions {
  to?: string;
  allowDataLoss?: boolean;
  /** `native` (the default) or `arc` (an ARC Region switch plan execution). */
  engine?: DrillEngine;
}

/**
 * A new drill of `kind`: a dry run (offline when there are no credentials) prints the
 * preflight and the plan; `--execute` confirms, then the executor takes the lock and runs it.
 */
export async function runDrill(
  ctx: ActionContext,
  kind: DrillKind,
  opts: DrillOptions,
): Promise<number> {
  const forceReason = forceReasonOf(opts);
  const timing = timingOf(opts);
  const engine = opts.engine ?? 'native';
  const { topology, aws, store } = ctx.connect(opts, opts.execute ? 'execute' : 'dry-run');
  const targetRegion =
    kind === 'failback' ? topology.primaryRegion : regionOf(topology, opts.to!).region;
  // Before any AWS call: a missing plan output is a deployment to fix, not a state to read.
  if (engine === 'arc') requireRegionSwitch(topology);
  let global: GlobalClusterView;
  let offline: DrillError | undefined;
  try {
    global = await describeGlobalCluster(aws, topology, [targetRegion]);
  } catch (err) {
    // A dry run needs no credentials: the outputs file names everything the plan calls.
    if (opts.execute || !isDrillError(err, 'NO_CREDENTIALS')) throw err;
    offline = err;
    global = assumedGlobalCluster(topology, assumedWriter(topology, targetRegion, err));
  }
  const fromRegion = writerRegionOf(global, topology);
  if (!fromRegion) {
    throw new DrillError(
      'UNEXPECTED_STATE',
      `global cluster ${topology.globalClusterIdentifier} has no writer`,
      {
        hint:
          `Run \`${statusCommand(opts)}\`; an unplanned failover may be needed: ` +
          `\`${startCommand('failover', targetRegion)}\``,
      },
    );
  }
  if (fromRegion === targetRegion) {
    const holder = heldLocks(await readLocks(aws, topology))[0]?.holder;
    ctx.say(
      'DRILL_I0300',
      `nothing to do: ${targetRegion} already holds the writer of ${topology.globalClusterIdentifier}` +
        (holder
          ? `; drill ${holder.drillId} holds the lock: \`${resumeCommand(holder.drillId, opts)}\` finishes it`
          : ''),
    );
    return EXIT_CODES.OK;
  }
  const plan = planView(topology, kind, fromRegion, targetRegion, opts.region, engine);
  const steps = stepsFor(kind, engine);

  if (!opts.execute && offline) {
    return offlineDryRun(ctx, opts, {
      kind,
      topology,
      global,
      fromRegion,
      targetRegion,
      plan,
      steps,
      offline,
    });
  }
  if (!opts.execute) {
    const snapshot = await observe(aws, topology, {
      clock: ctx.deps.clock,
      homeRegion: opts.region,
      preferredRegions: [targetRegion],
      ...(opts.clientCanary === false ? {} : { client: {} }),
      capacity: true,
    });
    const results = evaluatePreflight(snapshot, topology, { kind, targetRegion, engine });
    const refused = results.some((r) => !r.ok) && !forceReason;
    ctx.say(
      'DRILL_I0301',
      `DRY RUN: ${kind} of ${topology.globalClusterIdentifier} from ${fromRegion} to ${targetRegion}; nothing will be changed.`,
    );
    ctx.say('DRILL_I0302', `\npreflight (read-only calls):\n${preflightText(results)}`);
    if (plan.arc) ctx.say('DRILL_I0308', `\n${arcPlanText(plan)}`);
    ctx.say(
      'DRILL_I0303',
      `\nplan: ${steps.length} steps, and every AWS call they would make:\n${planText(plan, steps)}`,
    );
    ctx.say(
      'DRILL_I0304',
      `\ntimings: poll every ${opts.pollInterval}, step timeout ${opts.stepTimeout}, canary every ${opts.canaryInterval}` +
        (opts.clientCanary === false ? `; ${CLIENT_CANARY_OFF}` : ''),
    );
    ctx.say(
      'DRILL_I0305',
      `to act, rerun with --execute${refused ? ' (after fixing the failed checks)' : ''}`,
    );
    return refused ? EXIT_CODES.PREFLIGHT_FAILED : EXIT_CODES.OK;
  }

  await ctx.confirm(
    opts,
    `${kind} of ${topology.globalClusterIdentifier}: writer ${fromRegion} -> ${targetRegion}`,
    targetRegion,
  );
  const operator = await ctx.operatorOf(aws);
  if (plan.arc) requireFailoverRole(topology, operator?.arn, plan.arc.mode);
  const params: DrillParams = {
    drillId: store.newDrillId(kind, targetRegion, ctx.deps.clock.now()),
    kind,
    fromRegion,
    targetRegion,
    allowDataLoss: kind === 'failover',
    ...(engine === 'arc' ? { engine: 'arc' as const } : {}),
    ...(forceReason ? { forceReason } : {}),
  };
  // startDrill names the drill and its journal only once it holds the lock.
  await startDrill(
    { topology, params, timing, homeRegion: opts.region },
    ctx.executorDeps(aws, store, operator, opts),
  );
  return EXIT_CODES.OK;
}
