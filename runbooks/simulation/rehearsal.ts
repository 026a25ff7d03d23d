// `drill rehearse`: runs a real drill (the same CLI, executor, steps, ports and SDK adapters)
// against the simulation of a synthesized deployment, with a scenario's assumptions and faults,
// on a virtual clock, and judges what it measured against the topology's objectives.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DRILL_OUTPUT_KEYS } from '../../constructs/contract/outputs';
import { TIMING_DEFAULTS } from '../../constructs/contract/timing';
import type { CliDeps } from '../drill/actions/deps';
import type { ClientNetworkApi } from '../drill/aws/ports';
import { DrillError, EXIT_CODES } from '../drill/errors';
import { main } from '../drill/program';
import { ClientCanary } from '../drill/client-canary';
import { clientItemPrefix, type ClientRequestSample } from '../drill/client-model';
import { buildRecord, type DrillRecord } from '../drill/record';
import {
  refusalVerdict,
  rehearsalVerdicts,
  type RehearsalFindings,
  type RehearsalMarker,
  type RehearsalVerdict,
  type ApplicationClientFindings,
  eventText,
} from '../drill/record-rehearsal';
import { DrillStore } from '../drill/store';
import { VirtualClock } from './clock';
import type { SimulatedDeployment } from './deployment';
import {
  DEFAULT_ASSUMPTIONS,
  type RegionRole,
  type RehearsalResult,
  type Scenario,
  type ScenarioEvent,
  type ScenarioExpectation,
  type SimulationAssumptions,
} from './scenario';
import { OUTAGE_FORCE } from './scenarios';
import { simulateClient } from './sdk';
import { SimulatedWorld } from './world';

export interface RehearsalOptions {
  /** The cloud assembly directory the deployment was read from (printed on the report). */
  readonly assemblyDir: string;
  /** Where the rehearsal's drill keeps its journal, record and report (one per rehearsal). */
  readonly stateDir: string;
  readonly scenario: Scenario;
}

/** Static credentials: every call is answered in process, nothing is signed for AWS. */
const REHEARSAL_CREDENTIALS = { accessKeyId: 'AKIAREHEARSAL0000000', secretAccessKey: 'rehearsal' };

/** How long a failback rehearsal waits for the returned region to pass the preflight. */
const FAILBACK_WAIT_MINUTES = 60;

/** The drill's output of a rehearsal, in its state directory. */
export const REHEARSAL_LOG = 'drill.log';

/** Regions by role (scenario.ts RegionRole) for one rehearsal. */
interface Roles {
  readonly writer: string;
  readonly target: string;
  readonly others: readonly string[];
}

export async function runRehearsal(
  deployment: SimulatedDeployment,
  options: RehearsalOptions,
): Promise<RehearsalResult> {
  const clock = new VirtualClock();
  const world = new SimulatedWorld(deployment, clock);
  try {
    return await rehearse(world, options, clock);
  } finally {
    // Nothing of the scenario acts after the drill: the world's health checkers end, and
    // nothing scheduled on the clock (a fault, a fault's end, a canary round) wakes.
    world.stop();
    clock.stop();
  }
}

async function rehearse(
  world: SimulatedWorld,
  options: RehearsalOptions,
  clock: VirtualClock,
): Promise<RehearsalResult> {
  const { scenario, stateDir } = options;
  // The promotion the stacks' RTO floor assumes, so the rehearsal and the floor agree.
  const assumptions: SimulationAssumptions = {
    ...DEFAULT_ASSUMPTIONS,
    promotionMs: publishedPromotionMs(world.outputs),
    ...scenario.assumptions,
  };
  world.assume(assumptions);
  // Who STS says runs the drill: the journal, lock and report name the simulation, not a person.
  world.callerIdentity = {
    Arn: `arn:aws:sts::${world.callerIdentity.Account}:assumed-role/DrillRehearsal/simulation`,
    Account: world.callerIdentity.Account,
    UserId: 'AROAREHEARSAL:simulation',
  };

  checkScenarioOn(world, scenario);
  fs.mkdirSync(stateDir, { recursive: true });
  // As `cdk deploy --outputs-file` would write it after a deployment of this assembly.
  const outputsFile = path.join(stateDir, 'cdk-outputs.json');
  fs.writeFileSync(outputsFile, `${JSON.stringify(world.outputs, null, 2)}\n`);
  const logFile = path.join(stateDir, REHEARSAL_LOG);
  fs.writeFileSync(logFile, '');
  const log = (text: string) => fs.appendFileSync(logFile, text);

  const marker: RehearsalMarker = {
    scenario: scenario.name,
    summary: scenario.summary,
    assembly: options.assemblyDir,
    assumptions: { ...assumptions },
    events: scenario.events.map((e) => ({ ...e })),
    ...(scenario.drill.startsAtSeconds
      ? { drillStartsAtSeconds: scenario.drill.startsAtSeconds }
      : {}),
    ...(scenario.expect ? { expect: scenario.expect } : {}),
  };
  const deps: { -readonly [K in keyof CliDeps]?: CliDeps[K] } = {
    stdout: log,
    stderr: log,
    clock,
    isTTY: false,
    clientSettings: {
      credentials: REHEARSAL_CREDENTIALS,
      decorate: (client) => simulateClient(client, () => world),
    },
    clientNetwork: world.client,
    onInterrupt: () => () => undefined,
  };
  const common = ['--outputs', outputsFile, '--state-dir', stateDir];
  const judging = {
    scenario,
    assemblyDir: options.assemblyDir,
    stateDir,
    assumptions,
    rtoSeconds: world.topology.rtoSeconds,
    rpoSeconds: world.topology.rpoSeconds,
  };
  // Aurora takes the old primary's point-of-failure snapshot best effort, and none is listed
  // while its region is down (Aurora User Guide, aurora-global-database-disaster-recovery,
  // "Recovering an Amazon Aurora global database from an unplanned outage"): waiting the
  // default 15 minutes for it measures nothing a verdict uses, and costs 900 canary rounds.
  const act = ['--execute', '--yes', '--timeout', 'keep-failover-snapshot=1m'];

  const primary = world.topology.primaryRegion;
  const firstTarget = targetOf(world, primary);
  let roles = rolesOf(world, primary, firstTarget);
  if (scenario.drill.kind === 'failback') {
    // The first move takes the writer away from the primary region. A failover needs the
    // region gone (forced past what the outage fails, as in region-outage); the region then
    // returns and its old primary is rebuilt as a secondary of the new writer.
    const first = scenario.drill.after ?? 'failover';
    const firstArgs = [first, '--to', firstTarget];
    if (first === 'failover') {
      world.regionOutage(primary);
      firstArgs.push('--allow-data-loss', '--force', '--reason', OUTAGE_FORCE);
    }
    log(`rehearsal ${scenario.name}: first move, ${first} ${primary} -> ${firstTarget}\n`);
    const firstMove = { ...marker, summary: `first move of the scenario: ${first}`, events: [] };
    const firstExit = await main([...firstArgs, ...act, ...common], {
      ...deps,
      rehearsal: firstMove,
    });
    if (first === 'failover') world.regionReturns(primary);
    if (firstExit !== EXIT_CODES.OK || world.writer !== firstTarget) {
      const why = `the first move (${first} ${primary} -> ${firstTarget}) exited ${exitName(firstExit)}, so the failback was not rehearsed`;
      return resultOf({ ...judging, drillId: '', drillExitCode: firstExit, roles, why });
    }
    // The failback starts once its preflight passes, as an operator waits for the returned
    // region's old primary to be rebuilt as a healthy secondary (at most an hour here).
    for (let minute = 0; minute < FAILBACK_WAIT_MINUTES; minute++) {
      log(`rehearsal ${scenario.name}: preflight --for failback\n`);
      if ((await main(['preflight', '--for', 'failback', ...common], deps)) === 0) break;
      await clock.sleep(60_000);
    }
    roles = rolesOf(world, world.writer, primary);
  }

  const startedAt = clock.now();
  const application = startApplicationClient(world, clock);
  const fired = new Set<number>();
  const triggered: { after: number; fire: () => void }[] = [];
  scenario.events.forEach((event, i) => {
    const apply = () => {
      fired.add(i);
      applyEvent(world, clock, event, roles, clock.now() - event.atSeconds * 1000);
    };
    const delayed = () =>
      event.atSeconds <= 0
        ? apply()
        : void clock.sleepInBackground(event.atSeconds * 1000).then(apply);
    if (event.afterClientWrites !== undefined) {
      triggered.push({ after: event.afterClientWrites, fire: delayed });
    } else if (event.atSeconds <= 0) {
      apply();
    } else {
      // On the scenario's timeline: never moves time by itself (the drill's waits do).
      void clock.sleepInBackground(event.atSeconds * 1000).then(() => {
        applyEvent(world, clock, event, roles, startedAt);
        fired.add(i);
      });
    }
  });
  deps.clientNetwork = countingWrites(world.client, world.topology.writeHostname, (n) => {
    for (const t of triggered.filter((t) => t.after === n)) t.fire();
  });
  // The operator starts the drill this far into the timeline (the faults before it build up).
  if (scenario.drill.startsAtSeconds) await clock.sleep(scenario.drill.startsAtSeconds * 1000);
  const kind = scenario.drill.kind;
  const drillArgs =
    kind === 'failback'
      ? ['failback']
      : [kind, '--to', roles.target, ...(kind === 'failover' ? ['--allow-data-loss'] : [])];
  if (scenario.drill.forceReason) drillArgs.push('--force', '--reason', scenario.drill.forceReason);
  log(`rehearsal ${scenario.name}: ${drillArgs.join(' ')}\n`);
  const before = new DrillStore(stateDir).drillIds();
  const drillExitCode = await main([...drillArgs, ...act, ...common], {
    ...deps,
    rehearsal: marker,
  });
  await application.stop();

  const store = new DrillStore(stateDir);
  const drillId = store.drillIds().find((id) => !before.includes(id));
  let record: DrillRecord | undefined;
  if (drillId) {
    // What the drill cannot see, next to its journal, for the record and the reports.
    const findings = findingsOf(world, clock.now(), scenario, fired, application);
    store.writeRehearsalFindings(drillId, findings);
    record = buildRecord(store.journal(drillId), store.canary(drillId), {
      client: store.client(drillId),
      rehearsalFindings: findings,
    });
    store.writeRecord(drillId, record);
    for (const format of ['html', 'md']) {
      await main(['report', '--drill-id', drillId, '--format', format, '--state-dir', stateDir], {
        ...deps,
      });
    }
  }
  return resultOf({
    ...judging,
    drillId: drillId ?? '',
    drillExitCode,
    roles,
    record,
    why: `the drill exited ${exitName(drillExitCode)} before it started`,
    notFired: notFiredOf(scenario, fired),
  });
}

/** The events of the scenario that never fired (the drill ended first), as the report shows them. */
function notFiredOf(scenario: Scenario, fired: ReadonlySet<number>): string[] {
  return scenario.events.flatMap((e, i) => (fired.has(i) ? [] : [eventText(e)]));
}

/**
 * The promotion estimate the assembly's routing output publishes (the stacks' timing policy,
 * `topology.timing` included), else the contract's default.
 */
export function publishedPromotionMs(outputs: Record<string, Record<string, string>>): number {
  for (const stack of Object.values(outputs)) {
    const raw = stack[DRILL_OUTPUT_KEYS.routing];
    if (raw === undefined) continue;
    const value = (JSON.parse(raw) as { promotionEstimateSeconds?: unknown })
      .promotionEstimateSeconds;
    if (typeof value === 'number') return value * 1000;
  }
  return TIMING_DEFAULTS.promotionEstimateSeconds * 1000;
}

/**
 * The client network, counting the client writes through `writeHostname` that the service
 * acknowledged (2xx): `onWrite(n)` after the nth, for events that wait on the canary.
 */
function countingWrites(
  network: ClientNetworkApi,
  writeHostname: string,
  onWrite: (acknowledged: number) => void,
): ClientNetworkApi {
  let acknowledged = 0;
  return {
    resolve: (name) => network.resolve(name),
    send: async (request) => {
      const response = await network.send(request);
      if (
        request.method === 'PUT' &&
        request.hostname === writeHostname &&
        response.status >= 200 &&
        response.status < 300
      ) {
        onWrite(++acknowledged);
      }
      return response;
    },
    ...(network.unavailable !== undefined ? { unavailable: network.unavailable } : {}),
  };
}

/** `events[1] (lag-spike on writer)`: how an error names an event. */
function eventName(event: ScenarioEvent, i: number): string {
  const where =
    event.kind === 'partition'
      ? `between ${event.between.join(' and ')}`
      : `on ${(event as { region: string }).region}`;
  return `events[${i}] (${event.kind} ${where})`;
}

/**
 * Refuses events that would do nothing on this topology, once the roles are known: each
 * problem names the event, the value and the fix (a USAGE error, before the drill runs).
 */
export function checkEvents(scenario: Scenario, roles: Roles): void {
  const problems: string[] = [];
  scenario.events.forEach((event, i) => {
    const name = eventName(event, i);
    const region = 'region' in event ? (event.region as string) : undefined;
    if (region === 'others' && roles.others.length === 0) {
      problems.push(
        `${name}: region "others" names no region: this topology has only the writer ${roles.writer} and the target ${roles.target}; use "writer" or "target", or rehearse an assembly with more secondary regions`,
      );
    }
    if (event.kind === 'lag-spike' && region === 'writer') {
      problems.push(
        `${name}: region "writer" does not replicate from anyone (replication lag exists only in secondaries); use "target" or "others"`,
      );
    }
    if (event.kind === 'partition') {
      const [a, b] = event.between;
      const empty = event.between.filter((r) => r === 'others' && roles.others.length === 0);
      if (a === b) {
        problems.push(
          `${name}: between ["${a}","${b}"] names one side twice, so nothing is cut; name two different roles, e.g. ["writer","target"]`,
        );
      } else if (empty.length > 0) {
        problems.push(
          `${name}: between "others" names no region: this topology has only the writer ${roles.writer} and the target ${roles.target}; use ["writer","target"], or rehearse an assembly with more secondary regions`,
        );
      }
    }
  });
  if (problems.length > 0) {
    throw new DrillError(
      'USAGE',
      `scenario ${scenario.name} has events that do nothing on this topology:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      { hint: 'Fix the events above in the scenario file, then rehearse again' },
    );
  }
}

/**
 * The simulation's findings: every window of managed RPO that nothing could satisfy since the
 * scenario started (one still open ends now).
 */
function findingsOf(
  world: SimulatedWorld,
  now: number,
  scenario: Scenario,
  fired: ReadonlySet<number>,
  application: ClientCanary,
): RehearsalFindings {
  const notFired = notFiredOf(scenario, fired);
  return {
    ...(notFired.length > 0 ? { eventsNotFired: notFired } : {}),
    applicationClient: applicationLoss(world, application),
    unsatisfiableRpo: world.rpoBlocks.map((b) => {
      const to = b.toMs ?? now;
      return {
        region: b.region,
        rpoSeconds: b.rpoSeconds,
        parameterGroup: b.parameterGroup,
        from: new Date(b.fromMs).toISOString(),
        to: new Date(to).toISOString(),
        ms: to - b.fromMs,
      };
    }),
  };
}

/**
 * The application's id for its client (ClientCanary's drill id): its items are
 * `drill-rehearsal-application-<seq>`, apart from every drill's (`drill-<kind>-<time>-<region>-`).
 */
export const APPLICATION_CLIENT_ID = 'rehearsal-application';

/**
 * The application's own client: one signed write per second through `write.<domain>` (and a
 * read through `app.<domain>`), the drill's ClientCanary with an id of its own, through the
 * world's client network and resolver model, from the scenario's start until the drill ends.
 * It writes before the drill and during the fault, so what it loses measures the replication
 * lag the writer let build (managed RPO or not), which the drill's canary, started with the
 * drill and fenced with the old writer, cannot. Its sleeps never move time on their own: the
 * scenario's and the drill's waits do. It reads no health check (the drill's canary does).
 */
function startApplicationClient(world: SimulatedWorld, clock: VirtualClock): ClientCanary {
  const client = new ClientCanary({
    network: world.client,
    routing: {
      healthCheckStatus: () => Promise.reject(new Error('the application reads no health check')),
    },
    clock: { now: () => clock.now(), sleep: (ms, signal) => clock.sleepInBackground(ms, signal) },
    drillId: APPLICATION_CLIENT_ID,
    topology: world.topology,
    intervalMs: 1000,
    healthIntervalMs: Number.MAX_SAFE_INTEGER,
    history: [],
    persist: () => undefined,
  });
  client.start();
  return client;
}

/**
 * The application client's acknowledged writes (2xx, `committed` true) missing on the writer
 * when the drill ended, and their window as the drill's data loss measures it (client-measures
 * dataLoss): from the newest acknowledged write the writer kept, sent before the newest lost,
 * to that newest lost; with none kept, from the first lost to the last (a lower bound).
 */
function applicationLoss(world: SimulatedWorld, client: ClientCanary): ApplicationClientFindings {
  const writes = client
    .entries()
    .filter((e): e is ClientRequestSample => e.type === 'request' && e.path === 'write');
  const acknowledged = new Map<string, number>();
  for (const w of writes) {
    if (w.ok && !acknowledged.has(w.itemId)) acknowledged.set(w.itemId, w.at);
  }
  const kept = world.items.in(world.writer).items;
  const lostAt = [...acknowledged].filter(([id]) => !kept.has(id)).map(([, at]) => at);
  const keptAt = [...acknowledged].filter(([id]) => kept.has(id)).map(([, at]) => at);
  const last = lostAt.length ? Math.max(...lostAt) : undefined;
  const before = last === undefined ? [] : keptAt.filter((at) => at < last);
  const since = before.length ? Math.max(...before) : lostAt.length ? Math.min(...lostAt) : 0;
  const firstAck = acknowledged.size ? Math.min(...acknowledged.values()) : undefined;
  return {
    itemPrefix: clientItemPrefix(APPLICATION_CLIENT_ID),
    writer: world.writer,
    sent: new Set(writes.map((w) => w.itemId)).size,
    acknowledged: acknowledged.size,
    lost: lostAt.length,
    windowMs: last === undefined ? 0 : last - since,
    ...(firstAck !== undefined ? { firstAcknowledgedAt: new Date(firstAck).toISOString() } : {}),
  };
}

/**
 * Refuses a scenario whose events would do nothing on this deployment (checkEvents), before
 * anything is rehearsed: `drill rehearse` checks every scenario first.
 */
export function checkScenario(deployment: SimulatedDeployment, scenario: Scenario): void {
  const world = new SimulatedWorld(deployment, new VirtualClock());
  try {
    checkScenarioOn(world, scenario);
  } finally {
    world.stop();
  }
}

/** checkEvents with the roles of the rehearsed drill (a failback's, after its first move). */
function checkScenarioOn(world: SimulatedWorld, scenario: Scenario): void {
  const primary = world.topology.primaryRegion;
  const firstTarget = targetOf(world, primary);
  checkEvents(
    scenario,
    scenario.drill.kind === 'failback'
      ? rolesOf(world, firstTarget, primary)
      : rolesOf(world, primary, firstTarget),
  );
}

/** The drill's target: the first secondary (in the outputs' order) with an instance. */
function targetOf(world: SimulatedWorld, writer: string): string {
  const candidates = world.topology.regions.filter((r) => r.region !== writer);
  const withInstance = candidates.find((r) => world.region(r.region).instances > 0);
  return (withInstance ?? candidates[0]).region;
}

function rolesOf(world: SimulatedWorld, writer: string, target: string): Roles {
  return {
    writer,
    target,
    others: world.topology.regions.map((r) => r.region).filter((r) => r !== writer && r !== target),
  };
}

function regionsOf(role: RegionRole, roles: Roles): readonly string[] {
  return role === 'others' ? roles.others : [roles[role]];
}

/** The scenario's faults on the world, each through the world's own hook. */
function applyEvent(
  world: SimulatedWorld,
  clock: VirtualClock,
  event: ScenarioEvent,
  roles: Roles,
  startedAt: number,
) {
  const until = (forSeconds: number) => startedAt + (event.atSeconds + forSeconds) * 1000;
  const each = (role: RegionRole, act: (region: string) => void) =>
    regionsOf(role, roles).forEach(act);
  switch (event.kind) {
    case 'region-outage':
      return each(event.region, (r) => world.regionOutage(r));
    case 'region-returns':
      return each(event.region, (r) => world.regionReturns(r));
    case 'lag-spike':
      return each(event.region, (r) => world.lagSpike(r, event.lagMs, until(event.forSeconds)));
    case 'headless':
      return each(event.region, (r) => world.headless(r));
    case 'alarm':
      return each(event.region, (r) => world.setAlarm(r, event.namePrefix ?? '', 'ALARM'));
    case 'rds-throttling': {
      const untilMs = until(event.forSeconds);
      if (event.region === 'all') return world.throttle('all', event.share, untilMs);
      return each(event.region, (r) => world.throttle(r, event.share, untilMs));
    }
    case 'partition': {
      const [a, b] = event.between.map((role) => regionsOf(role, roles)[0]);
      world.partition(a, b, true);
      if (event.forSeconds !== undefined) {
        const heal = until(event.forSeconds) - clock.now();
        void clock.sleepInBackground(heal).then(() => world.partition(a, b, false));
      }
      return;
    }
  }
}

function resultOf(input: {
  scenario: Scenario;
  assemblyDir: string;
  stateDir: string;
  drillId: string;
  drillExitCode: number;
  roles: Roles;
  assumptions: SimulationAssumptions;
  record?: DrillRecord;
  rtoSeconds: number;
  rpoSeconds: number;
  /** Why there is no record, when there is none. */
  why: string;
  /** The scenario's events that never fired (the drill ended first). */
  notFired?: readonly string[];
}): RehearsalResult {
  const { record } = input;
  const verdicts = record
    ? rehearsalVerdicts(record)
    : noRecordVerdicts(input.why, input.rtoSeconds, input.rpoSeconds, input.scenario.expect);
  const measured = (objective: string) =>
    verdicts.find((v) => v.objective === objective)?.measuredMs ?? null;
  const loss = record?.measures.client?.dataLoss;
  const app = record?.rehearsal?.findings?.applicationClient;
  const forced = record?.forceReason
    ? (record.preflight ?? []).filter((c) => !c.ok).map((c) => c.id)
    : [];
  return {
    scenario: input.scenario.name,
    assembly: input.assemblyDir,
    drillId: input.drillId,
    drillExitCode: input.drillExitCode,
    fromRegion: input.roles.writer,
    targetRegion: input.roles.target,
    assumptions: input.assumptions,
    events: input.scenario.events,
    measures: {
      clientWriteRtoMs: measured('client write RTO'),
      clientReadRtoMs: measured('client read RTO'),
      databaseRtoMs: measured('database RTO'),
      rpoMs: measured('RPO'),
      lostClientWrites: loss ? loss.count : null,
      writesResumed: verdicts.find((v) => v.objective === 'writes resume')?.met ?? false,
      ...(app
        ? {
            application: {
              sent: app.sent,
              acknowledged: app.acknowledged,
              lost: app.lost,
              lostWindowMs: app.windowMs,
            },
          }
        : {}),
    },
    verdicts,
    ...(forced.length > 0 ? { forcedPastChecks: forced } : {}),
    ...(input.notFired && input.notFired.length > 0 ? { eventsNotFired: input.notFired } : {}),
    passed: verdicts.every((v) => v.met),
    stateDir: input.stateDir,
  };
}

/** `9 (AWS_ERROR)`: an exit code with its name. */
function exitName(exitCode: number): string {
  const name = Object.entries(EXIT_CODES).find(([, n]) => n === exitCode)?.[0] ?? 'unknown';
  return `${exitCode} (${name})`;
}

/** The drill stopped before it journaled anything: nothing was measured, nothing refused. */
function noRecordVerdicts(
  why: string,
  rtoSeconds: number,
  rpoSeconds: number,
  expected: ScenarioExpectation | undefined,
): RehearsalVerdict[] {
  if (expected?.refusal) return [refusalVerdict(expected.refusal.check, undefined, why)];
  return [
    ...['client write RTO', 'client read RTO', 'database RTO'].map((objective) => ({
      objective,
      measuredMs: null,
      objectiveMs: rtoSeconds * 1000,
      met: false,
      line: `${objective} not measured (${why}), objective ${rtoSeconds} s: missed`,
    })),
    {
      objective: 'RPO',
      measuredMs: null,
      objectiveMs: rpoSeconds * 1000,
      met: false,
      line: `RPO not measured (${why}), objective ${rpoSeconds} s: missed`,
    },
    {
      objective: 'writes resume',
      measuredMs: null,
      objectiveMs: null,
      met: false,
      line: `writes resume: no, ${why}: missed`,
    },
  ];
}
