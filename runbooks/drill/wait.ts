import type { Clock } from './clock';
import { DrillError, errorText } from './errors';
import { formatDuration } from './duration';
import { isFatal } from './observe';

export interface WaitOptions<T> {
  readonly stepId: string;
  /** What is being waited for, in words: "us-west-2 to hold the writer". */
  readonly what: string;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  readonly poll: () => Promise<T>;
  readonly done: (value: T) => boolean;
  /** The state in words, shown when it changes and in the timeout message. */
  readonly describe: (value: T) => string;
  /** A state the drill must not wait through: return why, to stop with UNEXPECTED_STATE. */
  readonly unexpected?: (value: T) => string | undefined;
  /** What to do when the wait times out. */
  readonly onTimeout: string;
  readonly progress: (message: string) => void;
}

/**
 * Bounded polling. Transient AWS failures of a poll (throttling, 5xx, network) are shown and
 * polled through; credentials and unknown-resource errors stop at once.
 */
export async function waitFor<T>(options: WaitOptions<T>): Promise<T> {
  const { clock } = options;
  const started = clock.now();
  const deadline = started + options.timeoutMs;
  let lastState = 'not read yet';
  let lastShown = '';
  for (;;) {
    try {
      const value = await options.poll();
      lastState = options.describe(value);
      const why = options.unexpected?.(value);
      if (why) {
        throw new DrillError('UNEXPECTED_STATE', `step ${options.stepId}: ${why}`, {
          hint: options.onTimeout,
        });
      }
      if (options.done(value)) return value;
    } catch (err) {
      if (isFatal(err) || (err instanceof DrillError && err.code === 'UNEXPECTED_STATE')) throw err;
      lastState = `last poll failed: ${errorText(err)}`;
    }
    if (lastState !== lastShown) {
      options.progress(`waiting for ${options.what}: ${lastState}`);
      lastShown = lastState;
    }
    if (clock.now() >= deadline) {
      throw new DrillError(
        'STEP_TIMEOUT',
        `step ${options.stepId} timed out after ${formatDuration(clock.now() - started)} waiting for ` +
          `${options.what}; last state: ${lastState}`,
        { hint: options.onTimeout },
      );
    }
    await clock.sleep(Math.min(options.pollIntervalMs, Math.max(0, deadline - clock.now())));
  }
}
