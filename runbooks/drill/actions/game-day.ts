// `drill game-day`: an AWS FIS experiment isolates the writer region's application subnets, then
// the drill runs an unplanned failover through the same code path as `drill failover`, then ends
// the experiment, and writes one report: the failover's plus a game-day section.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GAME_DAY_TAG, type GameDayOutput } from '../../../constructs/contract';
import type { DrillAws, ExperimentView } from '../aws/adapters';
import { AWS_OPERATIONS } from '../aws/operations';
import { startCommand, statusCommand } from '../commands';
import { regionOf, type DrillTopology } from '../discovery';
import { formatDuration } from '../duration';
import { DrillError, errorText, isDrillError } from '../errors';
import { describeGlobalCluster, observe, writerRegionOf } from '../observe';
import { evaluatePreflight } from '../preflight';
import { buildRecord } from '../record';
import { renderMarkdown } from '../report';
import { DrillStore } from '../store';
import type { ActionContext } from './context';
import type { DrillOptions } from './drill';
import { failover } from './failover';
import { forceReasonOf, timingOf } from './options';

export interface GameDayOptions extends DrillOptions {
  /** The region to isolate: the writer's. */
  from: string;
}

/** What FIS cannot do, said wherever a game day's RPO is shown. */
export const GAME_DAY_RPO_NOTE =
  "FIS cannot pause Aurora's storage replication: the isolation stops the application tier only, so the measured RPO reflects the replication lag at the moment of failover.";

/** Experiment states from which FIS goes on by itself (FIS API Reference, ExperimentState). */
const ACTIVE = new Set(['pending', 'initiating', 'running', 'stopping']);

/** The game day as it went: written as it goes, so a process that dies leaves it readable. */
export interface GameDayRecord {
  readonly gameDayId: string;
  readonly region: string;
  readonly targetRegion: string;
  readonly engine: string;
  readonly experimentTemplateId: string;
  readonly actionId: string;
  readonly subnetGroupName: string;
  readonly durationSeconds: number;
  readonly stopConditionAlarmNames: readonly string[];
  readonly logGroupName: string;
  experimentId?: string;
  /** StartExperiment's idempotency token, saved before the call (FIS API Reference, clientToken). */
  clientToken?: string;
  startedAt?: string;
  runningAt?: string;
  endedAt?: string;
  /** The last state read, with FIS's reason. */
  status?: string;
  reason?: string;
  /** Every state change the drill saw, in order. */
  readonly states: { at: string; status: string; reason?: string }[];
  /** Whether the drill asked FIS to stop it (else FIS ended it: a stop condition, the duration). */
  stoppedByDrill?: boolean;
  /** Stop-condition alarms in ALARM when the game day ended. */
  stopConditionsInAlarm?: string[];
  failoverDrillId?: string;
  /** How the failover ended: exit code 0, or the error's code and text. */
  failover?: string;
  /** What the operator must still do (an experiment the drill could not stop). */
  leftRunning?: string;
}

const FILE = 'game-day.json';
const stopCommand = (id: string, region: string) =>
  `aws fis stop-experiment --id ${id} --region ${region}`;

/** `drill game-day --from <writer region>`: dry run by default, `--execute` to act. */
export async function gameDay(ctx: ActionContext, opts: GameDayOptions): Promise<number> {
  if (!opts.allowDataLoss) {
    throw new DrillError(
      'USAGE',
      'a game day ends in an unplanned failover that loses writes not yet replicated; pass --allow-data-loss to confirm',
    );
  }
  const timing = timingOf(opts);
  const { topology, aws, store } = ctx.connect(opts, opts.execute ? 'execute' : 'dry-run');
  const from = regionOf(topology, opts.from);
  const to = targetOf(topology, from.region, opts.to);
  const gd = from.gameDay;
  if (!gd) {
    throw new DrillError(
      'DISCOVERY_FAILED',
      `the DrillService output of ${from.region} in ${topology.source} has no gameDay template (deployed before game days existed)`,
      { hint: 'Deploy again: npx cdk deploy --all --outputs-file cdk-outputs.json' },
    );
  }
  const engine = opts.engine ?? 'native';
  const failoverOpts: DrillOptions = { ...opts, to, allowDataLoss: true };

  if (!opts.execute) {
    ctx.say('DRILL_I0800', dryRunText(topology, from.region, to, gd, engine, opts.pollInterval));
    const code = await failover(ctx, failoverOpts);
    ctx.say('DRILL_I0800', afterText(from.region, gd));
    return code;
  }

  const global = await describeGlobalCluster(aws, topology, [to]);
  const writer = writerRegionOf(global, topology);
  if (writer !== from.region) {
    throw new DrillError(
      'UNEXPECTED_STATE',
      `the writer of ${topology.globalClusterIdentifier} is in ${writer ?? 'no region'}, not ${from.region}: a game day isolates the writer's region`,
      {
        hint: writer
          ? `Run \`npx drill game-day --from ${writer} --to <region> --allow-data-loss\` (dry run first)`
          : `Run \`${statusCommand(opts)}\`: with no writer, run \`${startCommand('failover', to)}\` instead`,
      },
    );
  }
  // The failover's own preflight runs again once the region is isolated; this one, before, keeps
  // a game day whose failover would be refused from isolating anything.
  const snapshot = await observe(aws, topology, {
    clock: ctx.deps.clock,
    homeRegion: opts.region,
    preferredRegions: [to],
    ...(opts.clientCanary === false ? {} : { client: {} }),
    capacity: true,
  });
  const failed = evaluatePreflight(snapshot, topology, {
    kind: 'failover',
    targetRegion: to,
  }).filter((r) => !r.ok);
  if (failed.length > 0 && !forceReasonOf(opts)) {
    throw new DrillError(
      'PREFLIGHT_FAILED',
      `the failover to ${to} would not pass its preflight, so nothing was isolated: ${failed.map((r) => `${r.id}: ${r.reason}`).join('; ')}`,
      {
        hint: `Fix what the checks name (\`npx drill preflight --to ${to} --for failover\`), or add --force --reason "<why>"`,
      },
    );
  }
  await ctx.confirm(
    opts,
    `game day: isolate the application subnets of ${from.region} (FIS template ${gd.experimentTemplateId}), then an unplanned failover to ${to}`,
    from.region,
    'the region to isolate',
  );

  const now = () => new Date(ctx.deps.clock.now()).toISOString();
  const record: GameDayRecord = {
    gameDayId: `game-day-${now()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}-${from.region}`,
    region: from.region,
    targetRegion: to,
    engine,
    experimentTemplateId: gd.experimentTemplateId,
    actionId: gd.actionId,
    subnetGroupName: gd.subnetGroupName,
    durationSeconds: gd.durationSeconds,
    stopConditionAlarmNames: gd.stopConditionAlarmNames,
    logGroupName: gd.logGroupName,
    states: [],
  };
  const file = path.join(store.dir, 'game-days', `${record.gameDayId}.json`);
  const save = () => writeJson(file, record);
  const say = (text: string) => ctx.say('DRILL_I0801', text);
  const seen = (e: ExperimentView) => {
    if (e.status !== record.status || e.reason !== record.reason) {
      record.states.push({
        at: now(),
        status: e.status,
        ...(e.reason ? { reason: e.reason } : {}),
      });
      say(`experiment ${e.id}: ${e.status}${e.reason ? ` (${e.reason})` : ''}`);
    }
    record.status = e.status;
    record.reason = e.reason;
    if (e.status === 'running' && !record.runningAt) record.runningAt = now();
    if (!ACTIVE.has(e.status) && !record.endedAt) record.endedAt = now();
    save();
  };

  let interrupted = false;
  const stopListening = ctx.deps.onInterrupt(() => (interrupted = true));
  const failoversBefore = new Set(store.drillIds());
  let failoverError: unknown;
  let failoverCode = 0;
  try {
    record.startedAt = now();
    record.clientToken = randomUUID();
    // Until FIS answers, an experiment may exist that the drill cannot name: a start whose
    // answer is lost still isolates the region for the template's duration.
    record.leftRunning =
      `StartExperiment was sent (client token ${record.clientToken}) but its answer did not arrive: an experiment tagged ${GAME_DAY_TAG}=${record.gameDayId} may isolate ${from.region} ` +
      `until it ends by itself after ${formatDuration(gd.durationSeconds * 1000)}; find it with \`aws fis list-experiments --region ${from.region}\` and stop it with \`aws fis stop-experiment --id <id> --region ${from.region}\``;
    save();
    const started = await aws.experiments.start(
      from.region,
      gd.experimentTemplateId,
      record.clientToken,
      {
        [GAME_DAY_TAG]: record.gameDayId,
      },
    );
    record.experimentId = started.id;
    record.leftRunning = `experiment ${started.id} may still run: \`${stopCommand(started.id, from.region)}\` (it ends by itself after ${formatDuration(gd.durationSeconds * 1000)})`;
    say(
      `game day ${record.gameDayId}: FIS experiment ${started.id} started in ${from.region}; record: ${file}`,
    );
    seen(started);
    // Until FIS isolates the subnets: a start it refuses (a stop condition already in ALARM,
    // targets not found, a role it cannot use) ends in failed/stopped with its reason.
    const deadline = ctx.deps.clock.now() + timing.stepTimeoutMs;
    let current = started;
    while (current.status !== 'running') {
      if (!ACTIVE.has(current.status) || current.status === 'stopping') {
        record.leftRunning = undefined;
        save();
        throw new DrillError(
          'UNEXPECTED_STATE',
          `FIS experiment ${current.id} of template ${gd.experimentTemplateId} is ${current.status} before it isolated ${from.region}: ${current.reason ?? 'FIS gave no reason'}`,
          {
            hint: `Nothing was failed over. Read the experiment log ${gd.logGroupName} in ${from.region}, fix the cause, then run the game day again`,
          },
        );
      }
      if (interrupted)
        throw new DrillError('INTERRUPTED', 'the game day was interrupted before the failover');
      if (ctx.deps.clock.now() >= deadline) {
        throw new DrillError(
          'STEP_TIMEOUT',
          `FIS experiment ${current.id} is still ${current.status} after ${formatDuration(timing.stepTimeoutMs)}`,
          {
            hint: 'Nothing was failed over; the drill stops the experiment. Raise --step-timeout or check FIS in the console',
          },
        );
      }
      await ctx.deps.clock.sleep(timing.pollIntervalMs);
      current = await pollThroughTransient(
        () => aws.experiments.get(from.region, current.id),
        current,
      );
      seen(current);
    }

    say(`${from.region} is isolated: unplanned failover to ${to} (engine ${engine})`);
    try {
      failoverCode = await failover(ctx, failoverOpts);
      record.failover = failoverCode === 0 ? 'completed' : `exit ${failoverCode}`;
    } catch (err) {
      failoverError = err;
      // The first line: the whole text (and its hint) is printed as the drill's error.
      record.failover = `stopped: ${isDrillError(err) ? `[${err.code}] ` : ''}${errorText(err).split('\n')[0]}`;
    }
    record.failoverDrillId = store
      .drillIds()
      .filter((id) => !failoversBefore.has(id))
      .at(-1);
  } catch (err) {
    failoverError ??= err;
  } finally {
    stopListening();
    await endExperiment(ctx, aws, record, seen, timing);
    save();
  }

  const section = gameDayMarkdown(record);
  if (record.failoverDrillId) {
    const drillDir = store.drillDir(record.failoverDrillId);
    writeJson(path.join(drillDir, FILE), record);
    const report = path.join(drillDir, 'report.md');
    fs.writeFileSync(
      report,
      `${renderMarkdown(failoverRecord(store, record.failoverDrillId))}\n${section}`,
    );
    ctx.say('DRILL_I0802', `${section}\nreport: ${report}`);
  } else {
    ctx.say('DRILL_I0802', `${section}\nrecord: ${file}`);
  }
  if (record.leftRunning) ctx.say('DRILL_W0803', record.leftRunning);
  if (failoverError) throw failoverError;
  return failoverCode;
}

/** The failover's target: `--to`, or the only other region. */
function targetOf(topology: DrillTopology, from: string, to: string | undefined): string {
  const others = topology.regions.map((r) => r.region).filter((r) => r !== from);
  if (to !== undefined) {
    const target = regionOf(topology, to).region;
    if (target === from) {
      throw new DrillError(
        'USAGE',
        `--to ${to} is the region the game day isolates; name another: ${others.join(', ')}`,
      );
    }
    return target;
  }
  if (others.length !== 1) {
    throw new DrillError(
      'USAGE',
      `--to is required with more than one other region: one of ${others.join(', ')}`,
    );
  }
  return others[0];
}

/** GetExperiment through throttling and 5xx: the previous state stands until FIS answers. */
async function pollThroughTransient(
  get: () => Promise<ExperimentView>,
  previous: ExperimentView,
): Promise<ExperimentView> {
  try {
    return await get();
  } catch (err) {
    if (isDrillError(err) && err.transient) return previous;
    throw err;
  }
}

/**
 * Stops the experiment if FIS still runs it and waits for its end; says plainly when it could
 * not, with the command that stops it.
 */
async function endExperiment(
  ctx: ActionContext,
  aws: DrillAws,
  record: GameDayRecord,
  seen: (e: ExperimentView) => void,
  timing: { pollIntervalMs: number; stepTimeoutMs: number },
): Promise<void> {
  const id = record.experimentId;
  if (!id) return;
  try {
    let current = await aws.experiments.get(record.region, id);
    seen(current);
    if (ACTIVE.has(current.status) && current.status !== 'stopping') {
      record.stoppedByDrill = true;
      current = await aws.experiments.stop(record.region, id);
      seen(current);
    }
    const deadline = ctx.deps.clock.now() + timing.stepTimeoutMs;
    while (ACTIVE.has(current.status) && ctx.deps.clock.now() < deadline) {
      await ctx.deps.clock.sleep(timing.pollIntervalMs);
      current = await pollThroughTransient(() => aws.experiments.get(record.region, id), current);
      seen(current);
    }
    if (!ACTIVE.has(current.status)) record.leftRunning = undefined;
    else
      record.leftRunning = `experiment ${id} is still ${current.status} after ${formatDuration(timing.stepTimeoutMs)}: check it with \`aws fis get-experiment --id ${id} --region ${record.region}\``;
  } catch (err) {
    record.leftRunning = `experiment ${id} could not be stopped (${errorText(err)}): run \`${stopCommand(id, record.region)}\` (it ends by itself after ${formatDuration(record.durationSeconds * 1000)})`;
  }
  try {
    const alarms = await aws.metrics.alarmsInAlarm(record.region, '');
    record.stopConditionsInAlarm = alarms
      .map((a) => a.name)
      .filter((n) => record.stopConditionAlarmNames.includes(n));
  } catch {
    // The stop conditions' state is a detail of the report; the experiment's end is not.
  }
}

function failoverRecord(store: DrillStore, drillId: string) {
  return buildRecord(store.journal(drillId), store.canary(drillId), {
    client: store.client(drillId),
  });
}

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

/** The FIS calls before the failover, and what the template does (dry run). */
function dryRunText(
  topology: DrillTopology,
  from: string,
  to: string,
  gd: GameDayOutput,
  engine: string,
  pollInterval: string,
): string {
  return [
    `DRY RUN: game day in ${from}: isolate its application subnets, then an unplanned failover of ${topology.globalClusterIdentifier} to ${to} (engine ${engine}); nothing will be changed.`,
    `FIS template ${gd.experimentTemplateId}: ${gd.actionId} (scope all: deny all traffic) on the ${gd.subnetGroupName} subnets of ${from} (every one) for ${formatDuration(gd.durationSeconds * 1000)} unless stopped`,
    `stop conditions (CloudWatch alarms in ${from}): ${gd.stopConditionAlarmNames.join(', ')}`,
    `experiment log: ${gd.logGroupName}`,
    GAME_DAY_RPO_NOTE,
    '',
    'before the failover:',
    callLine(
      'startExperiment',
      from,
      `experimentTemplateId=${gd.experimentTemplateId} clientToken=<new UUID> tags=${GAME_DAY_TAG}=<game day id>`,
    ),
    callLine(
      'getExperiment',
      from,
      `id=<experiment id>, every ${pollInterval} until running (failed or stopped: the game day stops with FIS's reason)`,
    ),
    '',
    `then the failover, exactly as \`${startCommand('failover', to)}\` runs it:`,
  ].join('\n');
}

/** The FIS calls after the failover (dry run). */
function afterText(from: string, gd: GameDayOutput): string {
  return [
    '',
    'after the failover (also when it stops midway):',
    callLine('getExperiment', from, 'id=<experiment id>'),
    callLine('stopExperiment', from, 'id=<experiment id>, if it still runs'),
    callLine('getExperiment', from, 'id=<experiment id>, until stopped, completed or failed'),
    `then one report: the failover's record plus a game-day section (experiment ${gd.experimentTemplateId}'s id, start, end, state, stop conditions in ALARM)`,
  ].join('\n');
}

function callLine(
  name: 'startExperiment' | 'getExperiment' | 'stopExperiment',
  region: string,
  params: string,
): string {
  const op = AWS_OPERATIONS[name];
  return `  ${op.service} ${op.operation} (${region})${op.mutating ? ' [mutating]' : ''}: ${params}`;
}

/** The game-day section of the report. */
export function gameDayMarkdown(r: GameDayRecord): string {
  const ended = !r.leftRunning && r.status !== undefined && !ACTIVE.has(r.status);
  const how =
    r.status === undefined
      ? 'not started'
      : !ended
        ? `${r.status} (not ended)`
        : r.stoppedByDrill
          ? `${r.status}: stopped by the drill after the failover${r.failover?.startsWith('stopped') ? ' stopped' : ''}`
          : r.status === 'completed'
            ? 'completed: the isolation ran its full duration'
            : `${r.status} by FIS${r.reason ? `: ${r.reason}` : ''}`;
  const rows: [string, string][] = [
    ['game day', r.gameDayId],
    ['isolated', `the ${r.subnetGroupName} (application) subnets of ${r.region}`],
    [
      'template',
      `${r.experimentTemplateId} (${r.actionId}, ${formatDuration(r.durationSeconds * 1000)})`,
    ],
    ['experiment', r.experimentId ?? 'not started'],
    ['started', r.startedAt ?? '-'],
    ['isolating from', r.runningAt ?? 'never running'],
    ['ended', r.endedAt ?? 'not ended'],
    ['state', how],
    ['stop conditions', r.stopConditionAlarmNames.join(', ')],
    [
      'stop conditions in ALARM at the end',
      r.stopConditionsInAlarm === undefined
        ? 'not read'
        : r.stopConditionsInAlarm.join(', ') || 'none',
    ],
    [
      'failover',
      `${r.failoverDrillId ?? 'no drill started'} to ${r.targetRegion} (engine ${r.engine}): ${r.failover ?? 'not run'}`,
    ],
  ];
  return [
    '## Game day',
    '| field | value |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`),
    '',
    GAME_DAY_RPO_NOTE,
    ...(r.leftRunning ? ['', `**Left running:** ${r.leftRunning}`] : []),
    '',
  ].join('\n');
}

/** The game-day section of a drill's report, if that drill was a game day's failover. */
export function readGameDay(drillDir: string): GameDayRecord | undefined {
  const file = path.join(drillDir, FILE);
  return fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as GameDayRecord)
    : undefined;
}

/** A rendered report with the game-day section of its drill, if it was a game day's failover. */
export function withGameDay(
  rendered: string,
  format: 'json' | 'md' | 'html',
  drillDir: string,
): string {
  const record = readGameDay(drillDir);
  if (!record) return rendered;
  if (format === 'md') return `${rendered}\n${gameDayMarkdown(record)}`;
  if (format === 'json') {
    return `${JSON.stringify({ ...(JSON.parse(rendered) as object), gameDay: record }, null, 2)}\n`;
  }
  const escaped = gameDayMarkdown(record)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
  return rendered.replace(
    '</body>',
    `<section><h2>Game day</h2><pre>${escaped}</pre></section></body>`,
  );
}
