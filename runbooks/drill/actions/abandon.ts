import * as path from 'node:path';
import type { DrillAws } from '../aws/adapters';
import type { DrillTopology } from '../discovery';
import { DrillError, EXIT_CODES, errorText } from '../errors';
import { changedText, closedDrillError, drillState, isOpen, stopText } from '../journal';
import { holderState, lockedError, readLocks, releaseLockOf } from '../lock';
import { describeGlobalCluster, isFatal, writerRegionOf } from '../observe';
import { stepOutcome } from '../executor-end';
import { CLEAN_CANARY_STEP_ID, canaryLeftoverText } from '../steps';
import { heldLocks, type ActionContext } from './context';
import type { CommonOptions } from './options';

export interface AbandonOptions extends CommonOptions {
  reason?: string;
  execute?: boolean;
  yes?: boolean;
}

/** `drill abandon <drill-id>`: journal the state an unfinished drill leaves, release its lock. */
export async function abandon(
  ctx: ActionContext,
  drillId: string,
  opts: AbandonOptions,
): Promise<number> {
  const { deps } = ctx;
  const reason = opts.reason?.trim();
  if (!reason) {
    throw new DrillError(
      'USAGE',
      `abandon needs --reason "<why>": it is recorded in the journal of drill ${drillId}`,
    );
  }
  const { topology, aws, store } = ctx.connect(opts, opts.execute ? 'execute' : 'dry-run');
  const state = store.drillIds().includes(drillId) ? drillState(store.journal(drillId)) : undefined;
  const locks = await readLocks(aws, topology);
  const held = heldLocks(locks).filter((l) => l.holder.drillId === drillId);
  if (!state && held.length === 0) {
    throw new DrillError(
      'NO_DRILL',
      `no journal of drill ${drillId} in ${opts.stateDir}, and it holds no drill lock`,
      { hint: '`npx drill status` lists the lock and the unfinished drills' },
    );
  }
  if (state && !isOpen(state) && held.length === 0) {
    throw closedDrillError(drillId, state, 'abandon');
  }
  const now = deps.clock.now();
  const running = held.find(
    (l) => holderState(l.holder, now, deps.host, deps.isProcessAlive).running,
  );
  if (running) {
    throw lockedError(
      running.holder,
      held.map((l) => l.region),
      running.parameterName,
      now,
      deps.host,
      deps.isProcessAlive,
    );
  }
  const left = await leftState(aws, topology);
  const heldIn = held.map((l) => l.region);
  const stateLine = `writer ${left.writerRegion ?? 'unknown'}; drain switches: ${Object.entries(
    left.drains,
  )
    .map(([region, value]) => `${region} ${value}`)
    .join(', ')}`;
  const journalFile = path.join(store.drillDir(drillId), 'journal.jsonl');
  // The canaries' logs are in this state dir; their rows are on the writer (the target if unread).
  const writer = topology.regions.find(
    (r) => r.region === (left.writerRegion ?? state?.header.params.targetRegion),
  );
  const leftover =
    state && writer && !stepOutcome(store.journal(drillId), CLEAN_CANARY_STEP_ID)
      ? canaryLeftoverText(writer, topology.databaseName, drillId, {
          canarySamples: store.canary(drillId),
          clientEntries: store.client(drillId),
        })
      : undefined;
  const records = state && isOpen(state);
  if (!opts.execute) {
    ctx.say(
      'DRILL_I0301',
      [
        `DRY RUN: abandon of drill ${drillId}; nothing will be changed.`,
        ...(state ? [`where it is: ${stopText(state)}; ${changedText(state)}`] : []),
        `state it leaves: ${stateLine}`,
        records
          ? `would journal an 'abandoned' entry with that state and the reason in ${journalFile}`
          : `no open journal of ${drillId} in ${opts.stateDir}: nothing would be journaled here`,
        `would release the drill lock in: ${heldIn.join(', ') || 'no region (it holds none)'}`,
        ...(leftover ? [leftover] : []),
      ].join('\n'),
    );
    ctx.say('DRILL_I0305', 'to act, rerun with --execute');
    return EXIT_CODES.OK;
  }
  await ctx.confirm(opts, `lock release of drill ${drillId} (abandon)`, drillId, 'the drill id');
  const operator = await ctx.operatorOf(aws);
  if (records) {
    store.append(drillId, {
      type: 'abandoned',
      at: deps.clock.now(),
      reason,
      pid: deps.pid,
      host: deps.host,
      ...(operator ? { operator } : {}),
      state: { writerRegion: left.writerRegion, drains: left.drains },
      lockHeldIn: heldIn,
    });
  }
  const release = await releaseLockOf(aws, topology, drillId);
  ctx.say(
    'DRILL_I0500',
    records
      ? `drill ${drillId} abandoned (${reason}); it leaves: ${stateLine}; journaled in ${journalFile}`
      : `drill ${drillId}: no open journal in ${opts.stateDir}, nothing journaled; it leaves: ${stateLine}`,
  );
  ctx.say(
    'DRILL_I0501',
    `lock: released in ${release.released.join(', ') || 'no region'}` +
      (release.left.length
        ? `; not released in ${release.left.map((l) => `${l.region} (${l.error})`).join(', ')}: rerun when it answers`
        : ''),
  );
  for (const region of topology.regions) {
    if (left.drains[region.region] === "'true'") {
      ctx.say(
        'DRILL_W0502',
        `${region.region} stays drained: set ${region.drainParameterName} to 'false' in ${region.region} when it should serve again`,
      );
    }
  }
  if (leftover) ctx.say('DRILL_W0503', leftover);
  return release.left.length ? EXIT_CODES.AWS_ERROR : EXIT_CODES.OK;
}

/** The writer and every drain switch, as an abandoned drill leaves them. */
async function leftState(
  aws: DrillAws,
  topology: DrillTopology,
): Promise<{ writerRegion: string | null; drains: Record<string, string> }> {
  let writerRegion: string | null = null;
  try {
    writerRegion = writerRegionOf(await describeGlobalCluster(aws, topology), topology) ?? null;
  } catch (err) {
    if (isFatal(err)) throw err;
  }
  const drains = Object.fromEntries(
    await Promise.all(
      topology.regions.map(async (r): Promise<[string, string]> => {
        try {
          const value = await aws.switches.get(r.region, r.drainParameterName);
          return [r.region, value === undefined ? 'not set' : `'${value}'`];
        } catch (err) {
          if (isFatal(err)) throw err;
          return [r.region, `unreadable (${errorText(err)})`];
        }
      }),
    ),
  );
  return { writerRegion, drains };
}
