// AWS FIS in the simulation: the synthesized game-day templates (AWS::FIS::ExperimentTemplate)
// run against the world. An experiment of a region's template isolates that region's
// application tier while it runs: its service loses the database (its health fails), the
// cluster keeps replicating (FIS cannot pause Aurora's storage replication).
import { AwsServiceError } from '../../constructs/aws-api/signed-json-client';
import type {
  Experiment,
  ExperimentStatus,
  StartExperimentInput,
} from '../../constructs/aws-api/fis';
import type { SimulatedDeployment } from './deployment';
import type { SimulatedWorld } from './world';

/** How long FIS takes from StartExperiment to each state, and to stop (simulated). */
export const FIS_TIMING = { pendingMs: 2_000, initiatingMs: 5_000, stoppingMs: 5_000 } as const;

interface Template {
  readonly id: string;
  readonly region: string;
  readonly durationMs: number;
  /** The stop conditions' alarm names (from their ARNs). */
  readonly stopAlarms: readonly string[];
}

interface SimulatedExperiment {
  readonly id: string;
  readonly template: Template;
  readonly clientToken: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: number;
  /** When it failed to start (a stop condition in ALARM), with why. */
  failed?: { readonly at: number; readonly reason: string };
  /** When a stop was asked (StopExperiment or a stop condition), with why. */
  stop?: { readonly at: number; readonly reason: string };
}

/** `PT30M`, `PT1H30M`, `PT90S` (the action's ISO 8601 duration) in milliseconds. */
function isoDurationMs(text: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(text);
  if (!m) throw new Error(`fake FIS: unsupported duration ${text}`);
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

export class SimulatedFis {
  private readonly templates: Template[];
  private readonly experiments = new Map<string, SimulatedExperiment>();

  constructor(
    private readonly world: SimulatedWorld,
    deployment: SimulatedDeployment,
  ) {
    this.templates = deployment.resources('AWS::FIS::ExperimentTemplate').map((t) => {
      const actions = Object.values(
        t.properties.Actions as Record<string, { Parameters?: Record<string, string> }>,
      );
      const duration = actions.map((a) => a.Parameters?.duration).find((d) => d !== undefined);
      const stops = (t.properties.StopConditions as { Value?: string }[] | undefined) ?? [];
      return {
        id: t.physicalId,
        region: t.region,
        durationMs: duration ? isoDurationMs(duration) : 0,
        stopAlarms: stops.flatMap((s) => (s.Value ? [s.Value.replace(/^.*:alarm:/, '')] : [])),
      };
    });
  }

  start(region: string, input: StartExperimentInput): { experiment: Experiment } {
    const template = this.templates.find(
      (t) => t.id === input.experimentTemplateId && t.region === region,
    );
    if (!template) {
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Experiment template not found: ${input.experimentTemplateId}`,
        404,
      );
    }
    // The same client token starts one experiment (StartExperiment, clientToken).
    const again = [...this.experiments.values()].find((e) => e.clientToken === input.clientToken);
    if (again) return { experiment: this.view(again) };
    const now = this.world.clock.now();
    const experiment: SimulatedExperiment = {
      id: `EXP${String(this.experiments.size + 1).padStart(14, '0')}`,
      template,
      clientToken: input.clientToken,
      tags: input.tags ?? {},
      createdAt: now,
    };
    const alarming = this.alarming(template);
    if (alarming) {
      experiment.failed = {
        at: now,
        reason: `Stop condition triggered before the experiment started: ${alarming} is in ALARM (simulated)`,
      };
    }
    this.experiments.set(experiment.id, experiment);
    return { experiment: this.view(experiment) };
  }

  get(region: string, id: string): { experiment: Experiment } {
    return { experiment: this.view(this.find(region, id)) };
  }

  stop(region: string, id: string): { experiment: Experiment } {
    const e = this.find(region, id);
    const status = this.statusOf(e);
    if (['completed', 'stopped', 'failed', 'cancelled'].includes(status)) {
      throw new AwsServiceError(
        'ValidationException',
        `Experiment ${id} is already ${status}`,
        400,
      );
    }
    e.stop ??= { at: this.world.clock.now(), reason: 'Experiment stopped by the user' };
    return { experiment: this.view(e) };
  }

  /** Whether an experiment isolates `region`'s application subnets now. */
  isolates(region: string): boolean {
    for (const e of this.experiments.values()) {
      if (e.template.region !== region) continue;
      const status = this.statusOf(e);
      if (status === 'running' || status === 'stopping') return true;
    }
    return false;
  }

  private find(region: string, id: string): SimulatedExperiment {
    const e = this.experiments.get(id);
    if (!e || e.template.region !== region) {
      throw new AwsServiceError('ResourceNotFoundException', `Experiment not found: ${id}`, 404);
    }
    return e;
  }

  /** A stop condition of `template` in ALARM as the world evaluates its alarms, if any. */
  private alarming(template: Template): string | undefined {
    return template.stopAlarms.find((name) =>
      this.world.alarms.some(
        (a) => a.region === template.region && a.AlarmName === name && a.StateValue === 'ALARM',
      ),
    );
  }

  private statusOf(e: SimulatedExperiment): ExperimentStatus {
    const now = this.world.clock.now();
    if (e.failed) return 'failed';
    const runningAt = e.createdAt + FIS_TIMING.pendingMs + FIS_TIMING.initiatingMs;
    const completesAt = runningAt + e.template.durationMs;
    if (!e.stop && now >= runningAt && now < completesAt) {
      // Evaluated while it runs: a stop condition in ALARM stops it.
      const alarming = this.alarming(e.template);
      if (alarming)
        e.stop = {
          at: now,
          reason: `Experiment stopped by stop condition ${alarming} (simulated)`,
        };
    }
    if (e.stop && e.stop.at < completesAt) {
      return now >= e.stop.at + FIS_TIMING.stoppingMs ? 'stopped' : 'stopping';
    }
    if (now >= completesAt) return 'completed';
    if (now >= runningAt) return 'running';
    return now >= e.createdAt + FIS_TIMING.pendingMs ? 'initiating' : 'pending';
  }

  private view(e: SimulatedExperiment): Experiment {
    const status = this.statusOf(e);
    const runningAt = e.createdAt + FIS_TIMING.pendingMs + FIS_TIMING.initiatingMs;
    const seconds = (ms: number) => ms / 1000;
    const endAt =
      status === 'failed'
        ? e.failed!.at
        : status === 'stopped'
          ? e.stop!.at + FIS_TIMING.stoppingMs
          : status === 'completed'
            ? runningAt + e.template.durationMs
            : undefined;
    const reason =
      status === 'failed'
        ? e.failed!.reason
        : status === 'stopping' || status === 'stopped'
          ? e.stop!.reason
          : status === 'completed'
            ? 'Experiment completed.'
            : undefined;
    return {
      id: e.id,
      experimentTemplateId: e.template.id,
      state: { status, ...(reason ? { reason } : {}) },
      creationTime: seconds(e.createdAt),
      ...(status !== 'pending' && status !== 'failed' ? { startTime: seconds(e.createdAt) } : {}),
      ...(endAt !== undefined ? { endTime: seconds(endAt) } : {}),
      stopConditions: e.template.stopAlarms.map((name) => ({
        source: 'aws:cloudwatch:alarm',
        value: `arn:aws:cloudwatch:${e.template.region}:123456789012:alarm:${name}`,
      })),
      tags: e.tags,
    };
  }
}
