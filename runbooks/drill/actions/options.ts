import type { Command } from 'commander';
import { CLI_DEFAULTS } from '../commands';
import { DrillError } from '../errors';
import { formatDuration, parsePositiveDuration } from '../duration';
import { DEFAULT_TIMING, type Timing } from '../model';
import { STEPS } from '../steps';

/** Route 53's control plane and the routing stack's alarms (the `--region` default). */
export const HOME_REGION = CLI_DEFAULTS.region;

/** Options of every command that reads AWS. */
export interface CommonOptions {
  outputs: string;
  profile?: string;
  region: string;
  stateDir: string;
  globalCluster?: string;
  hostedZoneId?: string;
  alarmPrefix?: string;
  maxAttempts: string;
}

/** Options of the commands that can act (`--execute`). */
export interface ActOptions extends CommonOptions {
  execute?: boolean;
  yes?: boolean;
  force?: boolean;
  reason?: string;
  pollInterval: string;
  stepTimeout: string;
  timeout: string[];
  canaryInterval: string;
  /** false with `--no-client-canary`. */
  clientCanary?: boolean;
}

export function forceReasonOf(opts: ActOptions): string | undefined {
  if (opts.reason !== undefined && !opts.force) {
    throw new DrillError('USAGE', '--reason is only used with --force');
  }
  if (!opts.force) return undefined;
  if (!opts.reason?.trim()) {
    throw new DrillError(
      'USAGE',
      '--force needs --reason "<why>": the reason is recorded in the journal and the report',
    );
  }
  return opts.reason.trim();
}

export function timingOf(opts: ActOptions): Timing {
  const stepTimeoutsMs: Record<string, number> = {};
  const known = new Set<string>(STEPS.map((s) => s.id));
  for (const entry of opts.timeout) {
    const [step, duration] = entry.split('=');
    if (!known.has(step) || duration === undefined) {
      throw new DrillError(
        'USAGE',
        `--timeout must be <step>=<duration> with a step of ${[...known].join(', ')}, got: '${entry}'`,
      );
    }
    stepTimeoutsMs[step] = parsePositiveDuration(
      duration,
      `--timeout ${step}`,
      `${step}=${DEFAULT_TIMING.stepTimeoutMs / 60_000}m`,
    );
  }
  const byDefault = (text: string) => `${text} (the default)`;
  return {
    pollIntervalMs: parsePositiveDuration(
      opts.pollInterval,
      '--poll-interval',
      byDefault(`${DEFAULT_TIMING.pollIntervalMs / 1000}s`),
    ),
    stepTimeoutMs: parsePositiveDuration(
      opts.stepTimeout,
      '--step-timeout',
      byDefault(`${DEFAULT_TIMING.stepTimeoutMs / 60_000}m`),
    ),
    stepTimeoutsMs,
    canaryIntervalMs: parsePositiveDuration(
      opts.canaryInterval,
      '--canary-interval',
      byDefault(`${DEFAULT_TIMING.canaryIntervalMs / 1000}s`),
    ),
    ...(opts.clientCanary === false ? { clientCanary: false as const } : {}),
  };
}

/**
 * The journal's timing (the start's, or the last resume's), with what the command line gives
 * over it: an option counts only when it was typed, not when commander filled in its default.
 */
export function resumeTiming(opts: ActOptions, cmd: Command, journaled: Timing): Timing {
  const given = (key: string) => cmd.getOptionValueSource(key) === 'cli';
  const typed = timingOf(opts);
  return {
    pollIntervalMs: given('pollInterval') ? typed.pollIntervalMs : journaled.pollIntervalMs,
    stepTimeoutMs: given('stepTimeout') ? typed.stepTimeoutMs : journaled.stepTimeoutMs,
    stepTimeoutsMs: given('timeout')
      ? { ...journaled.stepTimeoutsMs, ...typed.stepTimeoutsMs }
      : journaled.stepTimeoutsMs,
    canaryIntervalMs: given('canaryInterval') ? typed.canaryIntervalMs : journaled.canaryIntervalMs,
    // The operator's choice to run without the client canary holds until given again.
    ...((given('clientCanary') ? typed : journaled).clientCanary === false
      ? { clientCanary: false as const }
      : {}),
  };
}

export function timingText(timing: Timing): string {
  const steps = Object.entries(timing.stepTimeoutsMs)
    .map(([step, ms]) => `${step}=${formatDuration(ms)}`)
    .join(', ');
  return (
    `poll every ${formatDuration(timing.pollIntervalMs)}, step timeout ${formatDuration(timing.stepTimeoutMs)}` +
    `${steps ? ` (${steps})` : ''}, canary every ${formatDuration(timing.canaryIntervalMs)}` +
    (timing.clientCanary === false ? `; ${CLIENT_CANARY_OFF}` : '')
  );
}

/** How the drill says the operator turned the client canary off. */
export const CLIENT_CANARY_OFF = 'client canary turned off (--no-client-canary)';

export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
