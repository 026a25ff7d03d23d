import type { Command } from 'commander';
import { reportCommand, resumeCommand, startCommand } from '../commands';
import { DrillError, EXIT_CODES } from '../errors';
import { resumeDrill, stepOutcome } from '../executor';
import { planText, preflightText } from '../format';
import {
  changedText,
  closedDrillError,
  drillState,
  isOpen,
  resumeCandidate,
  stopText,
  type DrillState,
} from '../journal';
import { lockStatusText, readLocks } from '../lock';
import { DRILL_KINDS } from '../model';
import { observe } from '../observe';
import { evaluateResumeGate, type CheckResult } from '../preflight';
import { planOfJournal, requireFailoverRole, stepsFor } from '../steps';
import { heldLocks, type ActionContext } from './context';
import { forceReasonOf, resumeTiming, shellQuote, timingText, type ActOptions } from './options';

export interface ResumeOptions extends ActOptions {
  drillId?: string;
  /** ARC drills: switch the running execution to ungraceful. */
  ungraceful?: boolean;
  allowDataLoss?: boolean;
}

/** `drill resume`: re-gates, then continues an interrupted drill from its journal. */
export async function resume(
  ctx: ActionContext,
  opts: ResumeOptions,
  cmd: Command,
): Promise<number> {
  const { deps } = ctx;
  const forceReason = forceReasonOf(opts);
  const { topology, aws, store } = ctx.connect(opts, opts.execute ? 'execute' : 'dry-run');
  const locks = await readLocks(aws, topology);
  let state: DrillState | undefined;
  if (opts.drillId) {
    state = drillState(store.journal(opts.drillId));
  } else {
    state = resumeCandidate(
      store,
      heldLocks(locks).map((l) => l.holder.drillId),
    );
    if (!state) {
      throw new DrillError('NO_DRILL', `no unfinished drill in ${opts.stateDir}`, {
        hint: `Start one with ${DRILL_KINDS.map((k) => `\`${startCommand(k, '<region>')}\``).join(', ')}`,
      });
    }
  }
  const { drillId } = state;
  if (!isOpen(state)) {
    throw closedDrillError(
      drillId,
      state,
      'resume',
      `Read it with \`${reportCommand(drillId, opts)}\``,
    );
  }
  const { header } = state;
  const { params } = header;
  if (opts.ungraceful) {
    if (params.engine !== 'arc') {
      throw new DrillError(
        'USAGE',
        `--ungraceful switches an ARC Region switch execution, and drill ${drillId} runs on the native engine`,
        {
          hint: `For an unplanned move start a failover: \`${startCommand('failover', params.targetRegion)}\``,
        },
      );
    }
    if (!opts.allowDataLoss) {
      throw new DrillError(
        'USAGE',
        '--ungraceful fails the Aurora block over and skips the fencing custom action: writes not yet replicated are lost; pass --allow-data-loss to confirm',
      );
    }
  }
  const timing = resumeTiming(opts, cmd, state.timing);
  const journal = store.journal(drillId);
  const plan = planOfJournal(topology, header);
  const remaining = stepsFor(params.kind, params.engine ?? 'native').filter((s) => {
    const outcome = stepOutcome(journal, s.id);
    return !outcome || outcome.event === 'failed';
  });
  // Resume re-gates: the state may have moved since the drill stopped (lag, alarms, members).
  const snapshot = await observe(aws, topology, {
    clock: deps.clock,
    homeRegion: header.homeRegion,
    preferredRegions: [params.targetRegion],
  });
  const gate = evaluateResumeGate(
    snapshot,
    topology,
    { kind: params.kind, targetRegion: params.targetRegion, fromRegion: params.fromRegion },
    remaining.map((s) => s.id),
  );
  const gateFailed = gate.filter((c) => !c.ok);
  if (!opts.execute) {
    ctx.say(
      'DRILL_I0301',
      `DRY RUN: resume of ${drillId} (${params.kind} ${params.fromRegion} -> ${params.targetRegion}); nothing will be changed.`,
    );
    ctx.say(
      'DRILL_I0307',
      `where it is: ${stopText(state)}; ${changedText(state)}` +
        (state.stop?.error.hint ? `\n${state.stop.error.hint.replace(/^/gm, '  ')}` : '') +
        '\n',
    );
    ctx.say('DRILL_I0101', lockStatusText(locks, deps.clock.now(), deps.host, deps.isProcessAlive));
    ctx.say('DRILL_I0302', `\nresume gate (read-only calls):\n${gateText(gate)}`);
    ctx.say(
      'DRILL_I0303',
      `\nremaining steps (each re-checks the state before acting):\n${planText(plan, remaining)}`,
    );
    ctx.say('DRILL_I0304', `\ntimings: ${timingText(timing)}`);
    ctx.say(
      'DRILL_I0305',
      `to act, rerun with: ${resumeCommand(drillId, opts)}` +
        (gateFailed.length && !forceReason
          ? ' (after fixing the failed checks, or with --force --reason "<why>")'
          : forceReason
            ? ` --force --reason ${shellQuote(forceReason)}`
            : ''),
    );
    return gateFailed.length && !forceReason ? EXIT_CODES.PREFLIGHT_FAILED : EXIT_CODES.OK;
  }
  if (gateFailed.length && !forceReason) {
    throw new DrillError(
      'PREFLIGHT_FAILED',
      `resume of ${drillId} refused: ${gateFailed.length} of ${gate.length} resume checks failed:\n` +
        gateFailed.map((c) => `  - ${c.id}: ${c.title}: ${c.reason}`).join('\n'),
      {
        hint:
          'Nothing was changed. Fix what the failed checks name and rerun; to resume anyway, add ' +
          '`--force --reason "<why>"` (the reason is recorded in the journal)',
      },
    );
  }
  await ctx.confirm(
    opts,
    `resume ${drillId}: ${params.kind} ${params.fromRegion} -> ${params.targetRegion}`,
    params.targetRegion,
  );
  const operator = await ctx.operatorOf(aws);
  // Resuming may start the execution (when the drill stopped before it) or switch it.
  if (params.engine === 'arc') {
    const ungraceful = opts.ungraceful || params.kind === 'failover';
    requireFailoverRole(topology, operator?.arn, ungraceful ? 'ungraceful' : 'graceful');
  }
  await resumeDrill(
    drillId,
    topology,
    {
      timing,
      ...(forceReason ? { forceReason } : {}),
      gate,
      ...(opts.ungraceful ? { switchToUngraceful: true } : {}),
    },
    ctx.executorDeps(aws, store, operator, opts),
  );
  return EXIT_CODES.OK;
}

function gateText(gate: readonly CheckResult[]): string {
  return gate.length ? preflightText(gate) : 'no checks apply to the remaining steps';
}
