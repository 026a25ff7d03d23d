import { DRILL_OUTPUT_KEYS, DRILL_ROLE_OUTPUT_KEYS } from '../../../constructs/contract';
import { regionOf, type DrillTopology } from '../discovery';
import { DrillError } from '../errors';
import type { DrillEngine, DrillKind } from '../model';
import type { ArcPlanView, PlanView } from './types';

/** The plan view of a drill already in a journal (resume, reports). */
export function planOfJournal(
  topology: DrillTopology,
  header: {
    readonly params: {
      kind: DrillKind;
      fromRegion: string;
      targetRegion: string;
      engine?: 'arc';
    };
    readonly homeRegion: string;
  },
): PlanView {
  const { params } = header;
  return planView(
    topology,
    params.kind,
    params.fromRegion,
    params.targetRegion,
    header.homeRegion,
    params.engine ?? 'native',
  );
}

/** Builds a plan view from the outputs. */
export function planView(
  topology: DrillTopology,
  kind: DrillKind,
  fromRegion: string,
  targetRegion: string,
  homeRegion: string,
  engine: DrillEngine = 'native',
): PlanView {
  return {
    kind,
    // regionOf explains a region the outputs no longer name (e.g. resuming with another file).
    from: regionOf(topology, fromRegion),
    target: regionOf(topology, targetRegion),
    globalClusterIdentifier: topology.globalClusterIdentifier,
    hostedZoneId: topology.hostedZoneId,
    writeHostname: topology.writeHostname,
    databaseName: topology.databaseName,
    rpoSeconds: topology.rpoSeconds,
    rpoLabel: `${topology.rpoSeconds} s`,
    homeRegion,
    regions: topology.regions,
    ...(engine === 'arc' ? { arc: arcPlanOf(topology, kind, fromRegion, targetRegion) } : {}),
    ...(topology.regionSwitch
      ? { regionSwitchPlans: Object.values(topology.regionSwitch.plans).map((p) => p.planName) }
      : {}),
  };
}

/** The `DrillRegionSwitch` output, or the error that says to deploy it. */
export function requireRegionSwitch(
  topology: DrillTopology,
): NonNullable<DrillTopology['regionSwitch']> {
  const output = topology.regionSwitch;
  if (output) return output;
  throw new DrillError(
    'DISCOVERY_FAILED',
    `--engine arc needs the ${DRILL_OUTPUT_KEYS.regionSwitch} output (the ARC Region switch plans), and ${topology.source} has none`,
    {
      hint:
        'Deploy the routing stack (it creates the plans) and write the outputs file again: ' +
        'npx cdk deploy --all --outputs-file cdk-outputs.json; or run the drill with --engine native',
    },
  );
}

/**
 * The ARC Region switch plan that moves the writer from `fromRegion` to `targetRegion`: a plan
 * holds exactly two regions, the primary and one secondary (ARC API Reference, Plan, `regions`:
 * "Fixed number of 2 items"), so the pair's plan is the one keyed by its secondary. A switchover
 * or failover activates the target; failback activates the primary again on the same plan.
 * Ungraceful for an unplanned failover: the Aurora block then fails over (FailoverGlobalCluster,
 * data loss) and custom actions are skipped (ARC Developer Guide, "Execution blocks").
 */
export function arcPlanOf(
  topology: DrillTopology,
  kind: DrillKind,
  fromRegion: string,
  targetRegion: string,
): ArcPlanView {
  const output = requireRegionSwitch(topology);
  const secondary = targetRegion === topology.primaryRegion ? fromRegion : targetRegion;
  const plan = output.plans[secondary];
  const pairOk =
    plan !== undefined &&
    [fromRegion, targetRegion].every((r) => r === topology.primaryRegion || r === secondary);
  if (!plan || !pairOk) {
    const known = Object.values(output.plans).map(
      (p) => `${p.primaryRegion} <-> ${p.targetRegion}`,
    );
    throw new DrillError(
      'USAGE',
      `no ARC Region switch plan moves the writer from ${fromRegion} to ${targetRegion}: each plan holds the primary and one secondary ` +
        `(${known.length ? known.join(', ') : 'the output names no plan'}, in ${DRILL_OUTPUT_KEYS.regionSwitch} of stack ${output.stack})`,
      {
        hint: `Move the writer back to ${topology.primaryRegion} first (\`npx drill failback\`), or run this drill with --engine native`,
      },
    );
  }
  return {
    planArn: plan.planArn,
    planName: plan.planName,
    region: targetRegion,
    mode: kind === 'failover' ? 'ungraceful' : 'graceful',
    ...(plan.approvalStepName ? { approvalStepName: plan.approvalStepName } : {}),
    reportBucketName: plan.reportBucketName,
    ...(plan.reportPrefix ? { reportPrefix: plan.reportPrefix } : {}),
  };
}

/** The role name of an IAM role ARN, or of an STS assumed-role ARN (`.../<role>/<session>`). */
function roleNameOf(arn: string): string | undefined {
  const resource = arn.split(':').slice(5).join(':');
  const assumed = /^assumed-role\/([^/]+)\//.exec(resource);
  if (assumed) return assumed[1];
  return resource.split('/').at(-1) || undefined;
}

/**
 * An ungraceful ARC execution fails the Aurora block over with data loss, which the native
 * engine leaves to the drill failover role alone (it holds rds:FailoverGlobalCluster; the
 * operator role does not). StartPlanExecution carries no mode IAM could tell apart, and
 * UpdatePlanExecution turns a graceful execution ungraceful, so only the failover role may start
 * or switch one (DrillOperatorRole); the drill checks the caller first, to say so plainly.
 */
export function requireFailoverRole(
  topology: DrillTopology,
  callerArn: string | undefined,
  mode: 'graceful' | 'ungraceful',
): void {
  const role = topology.failoverRoleArn;
  if (!role) return;
  if (callerArn && roleNameOf(callerArn) === roleNameOf(role)) return;
  const why =
    mode === 'ungraceful'
      ? 'an ungraceful ARC execution fails the writer over with data loss'
      : 'IAM cannot tell a graceful ARC execution from an ungraceful one (data loss), and either can be switched to ungraceful';
  throw new DrillError(
    'NO_CREDENTIALS',
    `${why}, so it runs as the drill failover role ${role}; the caller is ${callerArn ?? 'not known (STS GetCallerIdentity failed)'}`,
    {
      hint: `Run it with a profile that assumes ${DRILL_ROLE_OUTPUT_KEYS.failover} (--profile), as a native \`npx drill failover\` needs`,
    },
  );
}
