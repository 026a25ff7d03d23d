// `drill rehearse`: runs a real drill (the same CLI, executor, steps, ports and SDK adapters)
// against the simulation of a synthesized deployment, with a scenario's assumptions and faults,
// on a virtual clock, and judges what it measured against the topology's objectives.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HandlerExecutionContext, InitializeMiddleware, MetadataBearer } from '@smithy/types';
import type { CliDeps } from '../drill/actions/deps';
import { EXIT_CODES } from '../drill/errors';
import { main } from '../drill/program';
import { buildRecord, type DrillRecord } from '../drill/record';
import { rehearsalVerdicts, type RehearsalMarker } from '../drill/record-rehearsal';
import { DrillStore } from '../drill/store';
import { VirtualClock } from './clock';
import type { SimulatedDeployment } from './deployment';
import {
  DEFAULT_ASSUMPTIONS,
  type RegionRole,
  type RehearsalResult,
  type Scenario,
  type ScenarioEvent,
  type SimulationAssumptions,
} from './scenario';
import { clientRegion, SIMULATED_OPERATIONS, simulateClient } from './sdk';
import { faults, SimulatedWorld } from './world';

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
  try {
    return await rehearse(deployment, options, clock);
  } finally {
    // Nothing scheduled on this clock (a fault's end, a canary round) wakes after the rehearsal.
    clock.stop();
  }
}

async function rehearse(
  deployment: SimulatedDeployment,
  options: RehearsalOptions,
  clock: VirtualClock,
): Promise<RehearsalResult> {
  const { scenario, stateDir } = options;
  const world = new SimulatedWorld(deployment, clock);
  const assumptions: SimulationAssumptions = { ...DEFAULT_ASSUMPTIONS, ...scenario.assumptions };
  world.assume(assumptions);
  // Who STS says runs the drill: the journal, lock and report name the simulation, not a person.
  world.callerIdentity = {
    Arn: `arn:aws:sts::${world.callerIdentity.Account}:assumed-role/DrillRehearsal/simulation`,
    Account: world.callerIdentity.Account,
    UserId: 'AROAREHEARSAL:simulation',
  };

  fs.mkdirSync(stateDir, { recursive: true });
  // As `cdk deploy --outputs-file` would write it after a deployment of this assembly.
  const outputsFile = path.join(stateDir, 'cdk-outputs.json');
  fs.writeFileSync(outputsFile, `${JSON.stringify(world.outputs, null, 2)}\n`);
  const logFile = path.join(stateDir, REHEARSAL_LOG);
  fs.writeFileSync(logFile, '');
  const log = (text: string) => fs.appendFileSync(logFile, text);

  const faultsOf = new RehearsalFaults(world);
  const marker: RehearsalMarker = {
    scenario: scenario.name,
    summary: scenario.summary,
    assembly: options.assemblyDir,
    assumptions: { ...assumptions },
    events: scenario.events.map((e) => ({ ...e })),
  };
  const deps: Partial<CliDeps> = {
    stdout: log,
    stderr: log,
    clock,
    isTTY: false,
    clientSettings: {
      credentials: REHEARSAL_CREDENTIALS,
      decorate: (client) => {
        faultsOf.install(client);
        simulateClient(client, () => world);
      },
    },
    clientNetwork: world.client,
    onInterrupt: () => () => undefined,
  };
  const common = ['--outputs', outputsFile, '--state-dir', stateDir];
  // Aurora takes the old primary's point-of-failure snapshot best effort, and none is listed
  // while its region is down (Aurora User Guide, aurora-global-database-disaster-recovery,
  // "Recovering an Amazon Aurora global database from an unplanned outage"): waiting the
  // default 15 minutes for it measures nothing a verdict uses, and costs 900 canary rounds.
  const act = ['--execute', '--yes', '--timeout', 'keep-failover-snapshot=1m'];

  const primary = world.topology.primaryRegion;
  const firstTarget = targetOf(world, primary);
  let roles: Roles;
  if (scenario.drill.kind === 'failback') {
    // The first move: the writer leaves the primary region; a failover needs it gone, and the
    // region's return rebuilds its old primary as a secondary before the failback.
    const first = scenario.drill.after ?? 'failover';
    if (first === 'failover') world.regionOutage(primary);
    log(`rehearsal ${scenario.name}: first move, ${first} ${primary} -> ${firstTarget}\n`);
    const firstMove = { ...marker, summary: `first move of the scenario: ${first}`, events: [] };
    await main(
      [
        first,
        '--to',
        firstTarget,
        ...(first === 'failover' ? ['--allow-data-loss'] : []),
        ...act,
        ...common,
      ],
      { ...deps, rehearsal: firstMove },
    );
    if (first === 'failover') world.regionReturns(primary);
    // The failback starts once its preflight passes, as an operator waits for the returned
    // region's old primary to be rebuilt as a healthy secondary (at most an hour here).
    for (let minute = 0; minute < FAILBACK_WAIT_MINUTES; minute++) {
      log(`rehearsal ${scenario.name}: preflight --for failback\n`);
      if ((await main(['preflight', '--for', 'failback', ...common], deps)) === 0) break;
      await clock.sleep(60_000);
    }
    roles = rolesOf(world, world.writer, primary);
  } else {
    roles = rolesOf(world, primary, firstTarget);
  }

  const startedAt = clock.now();
  for (const event of scenario.events) {
    const apply = () => faultsOf.apply(event, roles, startedAt);
    if (event.atSeconds <= 0) apply();
    else void clock.sleep(event.atSeconds * 1000).then(apply);
  }
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
  faultsOf.stop();

  const store = new DrillStore(stateDir);
  const drillId = store.drillIds().find((id) => !before.includes(id));
  let record: DrillRecord | undefined;
  if (drillId) {
    record = buildRecord(store.journal(drillId), store.canary(drillId), {
      client: store.client(drillId),
    });
    store.writeRecord(drillId, record);
    for (const format of ['html', 'md']) {
      await main(['report', '--drill-id', drillId, '--format', format, '--state-dir', stateDir], {
        ...deps,
      });
    }
  }
  return resultOf({
    scenario,
    assemblyDir: options.assemblyDir,
    stateDir,
    drillId: drillId ?? '',
    drillExitCode,
    roles,
    assumptions,
    record,
    rtoSeconds: world.topology.rtoSeconds,
    rpoSeconds: world.topology.rpoSeconds,
  });
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

/**
 * The scenario's faults on the world. Hooks the world does not have yet (throttle, a partition
 * that throws, stop) go through the fallbacks here, each named where it is used.
 */
class RehearsalFaults {
  private readonly throttles: {
    regions: 'all' | readonly string[];
    share: number;
    untilMs: number;
    count: number;
  }[] = [];

  constructor(private readonly world: SimulatedWorld) {}

  apply(event: ScenarioEvent, roles: Roles, startedAt: number): void {
    const w = this.world;
    const until = (forSeconds: number) => startedAt + (event.atSeconds + forSeconds) * 1000;
    switch (event.kind) {
      case 'region-outage':
        return regionsOf(event.region, roles).forEach((r) => w.regionOutage(r));
      case 'region-returns':
        return regionsOf(event.region, roles).forEach((r) => w.regionReturns(r));
      case 'lag-spike':
        return regionsOf(event.region, roles).forEach((r) =>
          w.lagSpike(r, event.lagMs, until(event.forSeconds)),
        );
      case 'headless':
        return regionsOf(event.region, roles).forEach((r) => w.headless(r));
      case 'rds-throttling': {
        const regions = event.region === 'all' ? 'all' : regionsOf(event.region, roles);
        const untilMs = until(event.forSeconds);
        const hook = (w as unknown as { throttle?: WorldThrottle }).throttle;
        if (typeof hook === 'function') {
          if (regions === 'all') hook.call(w, 'all', event.share, untilMs);
          else regions.forEach((r) => hook.call(w, r, event.share, untilMs));
          return;
        }
        // Fallback until the world has throttle(): the RDS client's calls fail in install().
        this.throttles.push({ regions, share: event.share, untilMs, count: 0 });
        return;
      }
      case 'partition': {
        const [a, b] = event.between.map((role) => regionsOf(role, roles)[0]);
        const heal = event.forSeconds === undefined ? undefined : until(event.forSeconds);
        try {
          w.partition(a, b, true);
          if (heal !== undefined) {
            void w.clock.sleep(heal - w.clock.now()).then(() => w.partition(a, b, false));
          }
        } catch {
          // Fallback while the world cannot cut a link: replication across it stops, so the
          // secondary of the pair falls behind for as long as the cut lasts (a lag spike).
          const secondary = a === w.writer ? b : a;
          w.lagSpike(secondary, PARTITION_LAG_MS, heal ?? Number.MAX_SAFE_INTEGER);
        }
        return;
      }
    }
  }

  /**
   * Fallback RDS throttling: "Amazon RDS throttles API requests for each AWS account in each
   * AWS Region" (Amazon RDS User Guide, "Request throttling for the Amazon RDS API"); a throttled
   * call fails as the SDK reports it after its retries (world.ts `faults.throttling`, attempts
   * 5), before the simulation answers it.
   */
  install(client: Parameters<typeof simulateClient>[0]): void {
    const throttling: InitializeMiddleware<object, MetadataBearer> =
      (next, context: HandlerExecutionContext) => async (args) => {
        const operation = OPERATION_OF.get(context.commandName ?? '');
        if (operation?.startsWith('rds:') && this.throttles.length > 0) {
          const region = await clientRegion(client);
          const now = this.world.clock.now();
          const storm = this.throttles.find(
            (t) => now < t.untilMs && (t.regions === 'all' || t.regions.includes(region)),
          );
          // share 0.5: every second call; 1: every call.
          if (
            storm &&
            Math.floor(++storm.count * storm.share) > Math.floor((storm.count - 1) * storm.share)
          ) {
            throw faults.throttling();
          }
        }
        return next(args);
      };
    client.middlewareStack.add(throttling, {
      step: 'initialize',
      name: 'rehearsalThrottling',
      priority: 'high',
    });
  }

  /** Nothing of the scenario acts after the drill (the world's own stop(), when it has one). */
  stop(): void {
    this.throttles.length = 0;
    const stop = (this.world as unknown as { stop?: () => void }).stop;
    if (typeof stop === 'function') stop.call(this.world);
  }
}

type WorldThrottle = (region: string, share: number, untilMs: number) => void;

/** How far a cut-off secondary falls behind in the partition fallback (ms): an hour. */
const PARTITION_LAG_MS = 3_600_000;

const OPERATION_OF = new Map(SIMULATED_OPERATIONS.map((o) => [o.command.name, o.operation]));

function resultOf(input: {
  scenario: Scenario;
  assemblyDir: string;
  stateDir: string;
  drillId: string;
  drillExitCode: number;
  roles: Roles;
  assumptions: SimulationAssumptions;
  record: DrillRecord | undefined;
  rtoSeconds: number;
  rpoSeconds: number;
}): RehearsalResult {
  const { record } = input;
  const verdicts = record
    ? rehearsalVerdicts(record)
    : noRecordVerdicts(input.drillExitCode, input.rtoSeconds, input.rpoSeconds);
  const measured = (objective: string) =>
    verdicts.find((v) => v.objective === objective)?.measuredMs ?? null;
  const loss = record?.measures.client?.dataLoss;
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
    },
    verdicts,
    ...(forced.length > 0 ? { forcedPastChecks: forced } : {}),
    passed: verdicts.every((v) => v.met),
    stateDir: input.stateDir,
  };
}

/** The drill stopped before it journaled anything (e.g. refused): nothing was measured. */
function noRecordVerdicts(exitCode: number, rtoSeconds: number, rpoSeconds: number) {
  const name = Object.entries(EXIT_CODES).find(([, n]) => n === exitCode)?.[0] ?? 'unknown';
  const why = `the drill exited ${exitCode} (${name}) before it started`;
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
