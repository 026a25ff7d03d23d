import { CallMeter, type DrillAws, type GlobalClusterView } from '../aws/adapters';
import type { DrillTopology } from '../discovery';
import { DrillError, EXIT_CODES } from '../errors';
import { arcPlanText, planText } from '../format';
import type { DrillKind } from '../model';
import { observe } from '../observe';
import { evaluatePreflight } from '../preflight';
import type { PlanView, StepDefinition } from '../steps';
import type { ActionContext } from './context';
import { CLIENT_CANARY_OFF, type ActOptions } from './options';

/**
 * The writer an offline dry run plans for: the primary region of the outputs, or, for a move
 * to the primary, the only secondary (with more than one, the plan would be a guess).
 */
export function assumedWriter(
  topology: DrillTopology,
  targetRegion: string,
  cause: DrillError,
): string {
  if (targetRegion !== topology.primaryRegion) return topology.primaryRegion;
  const others = topology.regions.filter((r) => r.region !== targetRegion);
  if (others.length === 1) return others[0].region;
  throw cause;
}

/** The global cluster as the outputs file describes it, with the writer in `writerRegion`. */
export function assumedGlobalCluster(
  topology: DrillTopology,
  writerRegion: string,
): GlobalClusterView {
  return {
    identifier: topology.globalClusterIdentifier,
    status: 'not read',
    members: topology.regions.map((r) => ({
      arn: r.clusterArn,
      isWriter: r.region === writerRegion,
    })),
  };
}

/**
 * AWS for an offline dry run: the assumed global cluster, and every other read fails as
 * "not read" (a non-fatal error, so the snapshot records it and the checks can be listed).
 */
export function offlineAws(global: GlobalClusterView): DrillAws {
  const notRead = () => Promise.reject(new DrillError('AWS_ERROR', 'not read: no credentials'));
  const api = new Proxy({}, { get: () => notRead });
  const database = new Proxy(
    {},
    { get: (_t, key) => (key === 'describeGlobalCluster' ? async () => global : notRead) },
  );
  return new Proxy({} as DrillAws, {
    get: (_t, key) => (key === 'database' ? database : key === 'meter' ? new CallMeter() : api),
  });
}

export interface OfflineDryRun {
  readonly kind: DrillKind;
  readonly topology: DrillTopology;
  readonly global: GlobalClusterView;
  readonly fromRegion: string;
  readonly targetRegion: string;
  readonly plan: PlanView;
  readonly steps: readonly StepDefinition[];
  /** Why AWS could not be read. */
  readonly offline: DrillError;
}

/** A dry run without credentials: the plan from the outputs file, the checks it would run. */
export async function offlineDryRun(
  ctx: ActionContext,
  opts: ActOptions,
  run: OfflineDryRun,
): Promise<number> {
  const { kind, topology, fromRegion, targetRegion, offline } = run;
  ctx.say(
    'DRILL_I0301',
    `DRY RUN (offline): ${kind} of ${topology.globalClusterIdentifier} from ${fromRegion} to ${targetRegion}; nothing will be changed.\n` +
      `writer region: not read: no credentials; assumed ${fromRegion}, the ${fromRegion === topology.primaryRegion ? 'primary' : 'only secondary'} region in ${topology.source}`,
  );
  // Every check reads live state; list them with the identifiers they would read.
  const checks = evaluatePreflight(
    await observe(offlineAws(run.global), topology, {
      clock: ctx.deps.clock,
      homeRegion: opts.region,
      preferredRegions: [targetRegion],
      // Offline `aws.client` rejects like every other read: the probe touches no network.
      ...(opts.clientCanary === false ? {} : { client: {} }),
      capacity: true,
    }),
    topology,
    { kind, targetRegion, ...(run.plan.arc ? { engine: 'arc' as const } : {}) },
  );
  ctx.say(
    'DRILL_I0302',
    [
      `\npreflight: ${checks.length} live checks not run (not read: no credentials):`,
      ...checks.map((c) => `  - ${c.id}: ${c.title}`),
    ].join('\n'),
  );
  if (run.plan.arc) ctx.say('DRILL_I0308', `\n${arcPlanText(run.plan)}`);
  ctx.say(
    'DRILL_I0303',
    `\nplan: ${run.steps.length} steps, and every AWS call they would make:\n${planText(run.plan, run.steps)}`,
  );
  ctx.say(
    'DRILL_I0304',
    `\ntimings: poll every ${opts.pollInterval}, step timeout ${opts.stepTimeout}, canary every ${opts.canaryInterval}` +
      (opts.clientCanary === false ? `; ${CLIENT_CANARY_OFF}` : ''),
  );
  ctx.say(
    'DRILL_W0306',
    `not read: ${offline.message}\n` +
      `next: ${offline.hint ?? 'Set credentials'} (the dry run then reads the writer and runs the ${checks.length} checks; --execute acts)`,
  );
  return EXIT_CODES.NO_CREDENTIALS;
}
