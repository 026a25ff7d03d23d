/**
 * Stable error codes of the drill CLI, each with its own exit code, so that scripts
 * and CI can tell "preflight said no" from "AWS failed" from "someone else is drilling".
 */
export const EXIT_CODES = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  DISCOVERY_FAILED: 3,
  PREFLIGHT_FAILED: 4,
  DRILL_LOCKED: 5,
  STALE_LOCK: 6,
  STEP_TIMEOUT: 7,
  UNEXPECTED_STATE: 8,
  AWS_ERROR: 9,
  NO_CREDENTIALS: 10,
  UNKNOWN_GLOBAL_CLUSTER: 11,
  NOT_CONFIRMED: 12,
  NO_DRILL: 13,
  REHEARSAL_MISSED: 14,
  /** 128 + SIGINT, as shells report a process ended by Ctrl-C. */
  INTERRUPTED: 130,
} as const;

export type DrillErrorCode = Exclude<keyof typeof EXIT_CODES, 'OK'>;

/** One line per exit code, for `--help` and runbooks/README.md. */
export const EXIT_CODE_MEANINGS: Record<keyof typeof EXIT_CODES, string> = {
  OK: 'done (a dry run, a passing preflight, a finished drill, or nothing to do)',
  INTERNAL: 'a bug in the drill CLI (rerun with DRILL_DEBUG=1 for the stack trace)',
  USAGE: 'bad arguments or options (see --help)',
  DISCOVERY_FAILED:
    'the outputs file is missing, not JSON, or lacks a Drill* output (rehearse: the cloud assembly)',
  PREFLIGHT_FAILED: 'a preflight check failed; nothing was changed',
  DRILL_LOCKED: 'another drill holds the lock (in AWS, any machine) and is running',
  STALE_LOCK: 'an unfinished drill holds the lock but is not running; resume or abandon it',
  STEP_TIMEOUT: 'a step waited longer than its timeout; the drill stopped where it was',
  UNEXPECTED_STATE: 'AWS reported a state the drill does not act on (e.g. a cancelled switchover)',
  AWS_ERROR: 'an AWS call failed after the SDK retries (throttling, 5xx, network, access)',
  NO_CREDENTIALS:
    'no usable AWS credentials (profile, environment, SSO session); a dry run still prints its plan',
  UNKNOWN_GLOBAL_CLUSTER:
    'the global cluster named by the outputs or --global-cluster does not exist',
  NOT_CONFIRMED: '--execute was not confirmed (declined, or no terminal and no --yes)',
  NO_DRILL: 'no drill journal to resume or report in the state directory',
  REHEARSAL_MISSED:
    'drill rehearse: a scenario missed a verdict (RTO, RPO, writes resume, managed RPO)',
  INTERRUPTED: 'Ctrl-C (SIGINT) stopped the drill; the journal says where; resume continues',
};

/** An error the CLI reports as `error [CODE]: message` plus what to do next, never a stack trace. */
export class DrillError extends Error {
  readonly code: DrillErrorCode;
  /** What the operator should do next. */
  readonly hint?: string;
  /** True for failures worth polling through: throttling, 5xx, timeouts, connection resets. */
  readonly transient: boolean;

  constructor(
    code: DrillErrorCode,
    message: string,
    options: { hint?: string; transient?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DrillError';
    this.code = code;
    this.hint = options.hint;
    this.transient = options.transient ?? false;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export function isDrillError(err: unknown, code?: DrillErrorCode): err is DrillError {
  return err instanceof DrillError && (code === undefined || err.code === code);
}

/** A readable one-liner for any thrown value. */
export function errorText(err: unknown): string {
  if (err instanceof DrillError) return err.message;
  if (err instanceof Error) {
    return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  }
  return String(err);
}
