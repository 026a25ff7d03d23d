// A stateful fake of ARC Region switch that executes each plan AS SYNTHESIZED: the
// `AWS::ARCRegionSwitch::Plan` workflows of the assembly, steps in template order, on the
// world's clock. The execution moves on whenever ARC is asked about it (every poll), so a
// drill sees it progress exactly as often as it looks.
import type {
  ExecutionEvent,
  StartPlanExecutionInput,
  StepState,
} from '../../constructs/aws-api/arc-region-switch';
import type { SimulatedWorld } from './world';

/** One step of a plan's workflow, as the template has it. */
export interface SimulatedPlanStep {
  readonly name: string;
  /** ExecutionBlockType: ManualApproval, CustomActionLambda, AuroraGlobalDatabase, Route53HealthCheck, ... */
  readonly blockType: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** One synthesized plan, found by the name the `DrillRegionSwitch` output gives it. */
export interface SimulatedPlan {
  readonly arn: string;
  readonly name: string;
  readonly regions: readonly string[];
  readonly workflows: readonly {
    readonly action: string;
    readonly targetRegion?: string;
    readonly steps: readonly SimulatedPlanStep[];
  }[];
}

interface ExecutionStep extends SimulatedPlanStep {
  status: NonNullable<StepState['status']>;
  startedAt?: number;
  endedAt?: number;
  mode: 'graceful' | 'ungraceful';
}

/** One execution and everything that happened in it. */
export interface SimulatedExecution {
  readonly executionId: string;
  readonly plan: SimulatedPlan;
  readonly activate: string;
  readonly deactivate: string;
  mode: 'graceful' | 'ungraceful';
  state: string;
  readonly startedAt: number;
  endedAt?: number;
  readonly steps: ExecutionStep[];
  readonly events: ExecutionEvent[];
}

/** An ARC error as the service answers it: its code as `name`, the HTTP status. */
export class ArcFault extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number };

  constructor(name: string, message: string, httpStatusCode: number) {
    super(message);
    this.name = name;
    this.$fault = httpStatusCode >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode };
  }
}

const PLAN_TYPE = 'AWS::ARCRegionSwitch::Plan';

/** Execution states in which nothing moves any more. */
const ENDED = new Set(['completed', 'failed', 'canceled', 'planExecutionTimedOut']);

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

export class SimulatedArc {
  readonly plans = new Map<string, SimulatedPlan>();
  readonly executions = new Map<string, SimulatedExecution>();
  /** How long the fencing custom action (a Lambda) runs. */
  customActionMs = 15_000;
  /** How long the health-check block takes to flip the ARC-managed checks. */
  route53BlockMs = 5_000;
  /** Steps that fail when they run, with ARC's message (a fault of the scenario or test). */
  readonly failingSteps = new Map<string, string>();
  private serial = 0;
  /** When the plans were last evaluated: when this fake was made. */
  private readonly evaluatedAt: number;

  constructor(private readonly world: SimulatedWorld) {
    this.evaluatedAt = world.clock.now();
    const plans = world.topology.regionSwitch?.plans ?? {};
    const resources = world.deploymentResources(PLAN_TYPE);
    for (const output of Object.values(plans)) {
      const resource = resources.find((r) => r.properties.Name === output.planName);
      if (!resource) {
        throw new Error(
          `fake: DrillRegionSwitch names plan ${output.planName}, which the assembly does not synthesize (${PLAN_TYPE})`,
        );
      }
      const p = resource.properties;
      const workflows = (p.Workflows as Record<string, unknown>[] | undefined) ?? [];
      this.plans.set(output.planArn, {
        arn: output.planArn,
        name: output.planName,
        regions: (p.Regions as string[] | undefined) ?? [output.primaryRegion, output.targetRegion],
        workflows: workflows.map((w) => ({
          action: String(w.WorkflowTargetAction),
          ...(w.WorkflowTargetRegion ? { targetRegion: String(w.WorkflowTargetRegion) } : {}),
          steps: ((w.Steps as Record<string, unknown>[] | undefined) ?? []).map((s) => ({
            name: String(s.Name),
            blockType: String(s.ExecutionBlockType),
            config: (s.ExecutionBlockConfiguration ?? {}) as Record<string, unknown>,
          })),
        })),
      });
    }
  }

  plan(arn: string): SimulatedPlan {
    const plan = this.plans.get(arn);
    if (!plan) throw new ArcFault('ResourceNotFoundException', `plan ${arn} not found`, 404);
    return plan;
  }

  execution(planArn: string, executionId: string): SimulatedExecution {
    const e = this.executions.get(executionId);
    if (!e || e.plan.arn !== planArn) {
      throw new ArcFault(
        'ResourceNotFoundException',
        `execution ${executionId} of plan ${planArn} not found`,
        404,
      );
    }
    this.advance(e);
    return e;
  }

  /**
   * StartPlanExecution, in `region`: the activate workflow of the target (its own, or the one
   * without a target region) with the plan's steps in template order.
   */
  start(region: string, input: StartPlanExecutionInput): { executionId: string } {
    const plan = this.plan(input.planArn);
    if (input.action !== 'activate') {
      throw new ArcFault(
        'IllegalArgumentException',
        `fake: action ${input.action} is not simulated`,
        400,
      );
    }
    if (!plan.regions.includes(input.targetRegion)) {
      throw new ArcFault(
        'IllegalArgumentException',
        `${input.targetRegion} is not a region of plan ${plan.name} (${plan.regions.join(', ')})`,
        400,
      );
    }
    // Executions run on the data plane of the region being activated.
    if (region !== input.targetRegion) {
      throw new Error(
        `fake: StartPlanExecution activating ${input.targetRegion} was sent to ${region}: call the region being activated`,
      );
    }
    const running = [...this.executions.values()].find(
      (e) => e.plan.arn === plan.arn && !ENDED.has(e.state),
    );
    if (running) {
      throw new ArcFault(
        'IllegalStateException',
        `plan ${plan.name} already has execution ${running.executionId} in progress`,
        409,
      );
    }
    const workflow =
      plan.workflows.find(
        (w) => w.action === 'activate' && w.targetRegion === input.targetRegion,
      ) ?? plan.workflows.find((w) => w.action === 'activate' && w.targetRegion === undefined);
    if (!workflow) {
      throw new ArcFault(
        'IllegalArgumentException',
        `plan ${plan.name} has no activate workflow for ${input.targetRegion}`,
        400,
      );
    }
    const mode = input.mode ?? 'graceful';
    const executionId = `${region}/${(++this.serial).toString(16).padStart(16, '0')}`;
    const now = this.world.clock.now();
    const execution: SimulatedExecution = {
      executionId,
      plan,
      activate: input.targetRegion,
      deactivate: plan.regions.find((r) => r !== input.targetRegion)!,
      mode,
      state: 'inProgress',
      startedAt: now,
      steps: workflow.steps.map((s) => ({ ...s, status: 'notStarted', mode })),
      events: [],
    };
    this.executions.set(executionId, execution);
    this.event(execution, 'executionStarted', {});
    return { executionId };
  }

  approve(planArn: string, executionId: string, stepName: string): void {
    const e = this.execution(planArn, executionId);
    const step = e.steps.find((s) => s.name === stepName);
    if (!step || step.status !== 'pendingApproval') {
      throw new ArcFault(
        'IllegalStateException',
        `step ${stepName} of execution ${executionId} does not wait for approval`,
        409,
      );
    }
    this.finish(e, step, 'completed');
    e.state = 'inProgress';
    this.advance(e);
  }

  /** UpdatePlanExecution switchToUngraceful: the steps not yet done run ungracefully. */
  switchToUngraceful(planArn: string, executionId: string): void {
    const e = this.execution(planArn, executionId);
    e.mode = 'ungraceful';
    for (const s of e.steps)
      if (s.status === 'notStarted' || s.status === 'failed') s.mode = 'ungraceful';
    this.event(e, 'executionBehaviorChangedToUngraceful', {});
    // A step paused on its failure is retried ungracefully (a custom action is then skipped).
    const failed = e.steps.find((s) => s.status === 'failed');
    if (failed && e.state === 'pausedByFailedStep') {
      failed.status = 'notStarted';
      delete failed.startedAt;
      delete failed.endedAt;
      e.state = 'inProgress';
    }
    this.advance(e);
  }

  /** The execution as GetPlanExecution answers it. */
  describe(e: SimulatedExecution) {
    return {
      executionId: e.executionId,
      planArn: e.plan.arn,
      executionState: e.state,
      executionAction: 'activate',
      executionMode: e.mode,
      executionRegion: e.activate,
      startTime: seconds(e.startedAt),
      ...(e.endedAt !== undefined ? { endTime: seconds(e.endedAt) } : {}),
      stepStates: e.steps.map((s) => ({
        name: s.name,
        status: s.status,
        ...(s.startedAt !== undefined ? { startTime: seconds(s.startedAt) } : {}),
        ...(s.endedAt !== undefined ? { endTime: seconds(s.endedAt) } : {}),
        stepMode: s.mode,
      })),
    };
  }

  /** Runs the execution's steps as far as the world's clock allows, in template order. */
  advance(e: SimulatedExecution): void {
    const now = this.world.clock.now();
    for (;;) {
      if (ENDED.has(e.state) || e.state === 'pausedByFailedStep') return;
      const step = e.steps.find((s) => s.status !== 'completed' && s.status !== 'skipped');
      if (!step) {
        e.state = 'completed';
        e.endedAt = now;
        this.event(e, 'executionSucceeded', {});
        return;
      }
      if (step.status === 'pendingApproval') return;
      if (step.status === 'notStarted') {
        const failure = this.failingSteps.get(step.name);
        step.startedAt = now;
        step.status = 'running';
        this.event(e, 'stepStarted', step);
        if (failure !== undefined) {
          this.failingSteps.delete(step.name);
          step.status = 'failed';
          step.endedAt = now;
          this.event(e, 'stepFailed', step, { error: failure });
          e.state = 'pausedByFailedStep';
          this.event(e, 'executionPaused', {});
          return;
        }
        if (!this.begin(e, step)) return;
        continue;
      }
      if (!this.done(e, step, now)) return;
    }
  }

  /** Starts a step; false when it must wait (a manual approval). */
  private begin(e: SimulatedExecution, step: ExecutionStep): boolean {
    switch (step.blockType) {
      case 'ManualApproval':
        step.status = 'pendingApproval';
        e.state = 'pendingManualApproval';
        this.event(e, 'stepPendingApproval', step);
        this.event(e, 'executionPendingApproval', {});
        return false;
      case 'CustomActionLambda': {
        // An ungraceful run skips the block when its Ungraceful behavior is `skip`, the only
        // value (CloudFormation, AWS::ARCRegionSwitch::Plan LambdaUngraceful, Behavior).
        const config = (step.config.CustomActionLambdaConfig ?? {}) as Record<string, unknown>;
        const ungraceful = (config.Ungraceful ?? {}) as Record<string, unknown>;
        if (step.mode === 'ungraceful' && ungraceful.Behavior === 'skip') {
          this.finish(e, step, 'skipped');
        }
        return true;
      }
      case 'AuroraGlobalDatabase': {
        const config = (step.config.GlobalAuroraConfig ?? {}) as Record<string, unknown>;
        const target = this.world.clusterArn(e.activate);
        const arns = (config.DatabaseClusterArns as string[] | undefined) ?? [];
        if (!arns.includes(target)) {
          this.fail(e, step, `cluster ${target} is not in the block's DatabaseClusterArns`);
          return false;
        }
        // `failover` fails over (AllowDataLoss) in every run; `switchoverOnly` switches over, and
        // fails over in an ungraceful run only when its Ungraceful setting says `failover`
        // (CloudFormation, AWS::ARCRegionSwitch::Plan GlobalAuroraConfiguration, Behavior and
        // GlobalAuroraUngraceful).
        const ungraceful = (config.Ungraceful ?? {}) as Record<string, unknown>;
        const failover =
          config.Behavior === 'failover' ||
          (step.mode === 'ungraceful' && ungraceful.Ungraceful === 'failover');
        if (this.world.writer !== e.activate) {
          this.world.promote(failover ? 'failover' : 'switchover', {
            GlobalClusterIdentifier: String(config.GlobalClusterIdentifier),
            TargetDbClusterIdentifier: target,
          });
        }
        return true;
      }
      default:
        return true;
    }
  }

  /** Whether a running step is done at `now` (and ends it then). */
  private done(e: SimulatedExecution, step: ExecutionStep, now: number): boolean {
    const since = now - (step.startedAt ?? now);
    switch (step.blockType) {
      case 'CustomActionLambda':
        if (since < this.customActionMs) return false;
        // The project's fence: the deactivated region's drain switch.
        this.world.setDrain(e.deactivate, 'true');
        break;
      case 'AuroraGlobalDatabase':
        this.world.advance();
        if (this.world.writer !== e.activate || this.world.failoverStatus() !== undefined)
          return false;
        break;
      case 'Route53HealthCheck':
        if (since < this.route53BlockMs) return false;
        for (const [id, check] of this.world.arcHealthChecks) {
          if (check.planArn !== e.plan.arn) continue;
          this.world.setArcHealthCheck(id, check.region === e.activate ? 'healthy' : 'unhealthy');
        }
        break;
    }
    this.finish(e, step, 'completed');
    return true;
  }

  private fail(e: SimulatedExecution, step: ExecutionStep, error: string): void {
    step.status = 'failed';
    step.endedAt = this.world.clock.now();
    this.event(e, 'stepFailed', step, { error });
    e.state = 'pausedByFailedStep';
    this.event(e, 'executionPaused', {});
  }

  private finish(
    e: SimulatedExecution,
    step: ExecutionStep,
    status: 'completed' | 'skipped',
  ): void {
    step.status = status;
    step.startedAt ??= this.world.clock.now();
    step.endedAt = this.world.clock.now();
    this.event(e, status === 'completed' ? 'stepSucceeded' : 'stepSkipped', step);
  }

  private event(
    e: SimulatedExecution,
    type: string,
    step: Partial<SimulatedPlanStep>,
    extra: { readonly error?: string } = {},
  ): void {
    const previous = e.events.at(-1);
    e.events.push({
      eventId: `${e.executionId.split('/')[1]}-${String(e.events.length + 1).padStart(4, '0')}`,
      timestamp: seconds(this.world.clock.now()),
      type,
      ...(step.name ? { stepName: step.name } : {}),
      ...(step.blockType ? { executionBlockType: step.blockType } : {}),
      ...(previous ? { previousEventId: previous.eventId } : {}),
      ...extra,
    });
  }

  /** ListRoute53HealthChecksInRegion: the plan's ARC-managed checks and their status. */
  healthChecks(planArn: string) {
    this.plan(planArn);
    return {
      healthChecks: [...this.world.arcHealthChecks]
        .filter(([, c]) => c.planArn === planArn)
        .map(([healthCheckId, c]) => ({
          hostedZoneId: this.world.topology.hostedZoneId,
          recordName: c.recordName,
          region: c.region,
          healthCheckId,
          status: c.status,
        })),
    };
  }

  /**
   * GetPlanEvaluationStatus: passed, or a warning per headless member (plan evaluation warns
   * when a cluster has no instance: ARC User Guide, "Aurora Global Database execution block",
   * what plan evaluation checks).
   */
  evaluation(planArn: string) {
    const plan = this.plan(planArn);
    const warnings = plan.regions
      .filter((r) => this.world.regions.get(r)?.instances === 0)
      .map((r) => ({
        resourceArn: this.world.clusterArn(r),
        version: '1',
        warningStatus: 'active' as const,
        warningMessage: `cluster ${this.world.clusterArn(r)} has no DB instance`,
      }));
    return {
      planArn,
      lastEvaluationTime: seconds(this.evaluatedAt),
      lastEvaluatedVersion: '1',
      evaluationState: warnings.length ? ('actionRequired' as const) : ('passed' as const),
      warnings,
    };
  }
}

const fakes = new WeakMap<SimulatedWorld, SimulatedArc>();

/** The world's ARC (made on first use: a world without plans answers ResourceNotFound). */
export function simulatedArc(world: SimulatedWorld): SimulatedArc {
  let arc = fakes.get(world);
  if (!arc) fakes.set(world, (arc = new SimulatedArc(world)));
  return arc;
}
