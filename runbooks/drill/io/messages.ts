import { EXIT_CODES, type DrillErrorCode } from '../errors';

/**
 * Levels as in aws-cdk-cli toolkit-lib's IoHost: `result` is what the command was asked for,
 * `info` is progress, `warn` something the operator should act on, `error` a failure, `debug`
 * detail for a bug report.
 */
export type IoLevel = 'error' | 'warn' | 'info' | 'result' | 'debug';

interface MessageDefinition {
  readonly level: IoLevel;
  /** What the message is about, for the catalog (README, tests). */
  readonly what: string;
}

/**
 * Every message the CLI prints that is not an error code's: a stable code (letter = level:
 * I info or result, W warn, E error, D debug), its level and what it is about. Errors of a
 * DrillError have their own codes: {@link errorMessageCode}.
 */
export const MESSAGES = {
  DRILL_I0001: { level: 'result', what: '--help and --version text' },
  DRILL_E0002: { level: 'error', what: 'an argument or option commander refused' },
  DRILL_D0003: { level: 'debug', what: 'stack trace of an internal error (DRILL_DEBUG=1)' },
  DRILL_I0100: { level: 'result', what: 'status: members, lag, checks, DNS, drain switches' },
  DRILL_I0101: { level: 'result', what: 'status: the drill lock in every region' },
  DRILL_I0102: { level: 'result', what: 'status: unfinished drills of the state directory' },
  DRILL_I0103: { level: 'result', what: 'status: records whose targets do not match' },
  DRILL_I0104: { level: 'result', what: 'status --json: the snapshot as JSON' },
  DRILL_I0105: { level: 'result', what: 'status: ARC Region switch plan evaluations' },
  DRILL_I0200: { level: 'result', what: 'preflight: what is judged (kind, writer -> target)' },
  DRILL_I0201: { level: 'result', what: 'preflight: every check with pass/fail and reason' },
  DRILL_I0300: { level: 'result', what: 'nothing to do: the target already holds the writer' },
  DRILL_I0301: { level: 'result', what: 'dry run: what would run, and that nothing changes' },
  DRILL_I0302: { level: 'result', what: 'dry run: the preflight or resume gate' },
  DRILL_I0303: { level: 'result', what: 'dry run: the plan and every AWS call it would make' },
  DRILL_I0304: { level: 'result', what: 'dry run: timings' },
  DRILL_I0305: { level: 'result', what: 'dry run: how to act (rerun with --execute)' },
  DRILL_W0306: { level: 'warn', what: 'offline dry run: what could not be read, and next' },
  DRILL_I0307: { level: 'result', what: 'resume dry run: where the drill stopped and why' },
  DRILL_I0308: { level: 'result', what: 'dry run: the ARC Region switch plan --engine arc runs' },
  DRILL_I0400: { level: 'info', what: 'progress of an executing drill (steps, waits, lock)' },
  DRILL_W0401: { level: 'warn', what: 'the operator identity could not be read' },
  DRILL_I0500: { level: 'result', what: 'abandon: the drill given up and the state it leaves' },
  DRILL_I0501: { level: 'result', what: 'abandon: where the lock was released' },
  DRILL_W0502: { level: 'warn', what: 'abandon: a region stays drained' },
  DRILL_W0503: {
    level: 'warn',
    what: "abandon: the canaries' rows and items left, and how to delete them",
  },
  DRILL_I0600: { level: 'result', what: 'report: the file written' },
  DRILL_I0700: { level: 'result', what: "rehearse: a scenario's measures and verdicts" },
  DRILL_I0701: { level: 'result', what: 'rehearse --list: every scenario with its summary' },
  DRILL_I0702: { level: 'result', what: 'rehearse --json: every result as JSON' },
  DRILL_I0800: {
    level: 'result',
    what: 'game-day dry run: the FIS template, stop conditions and calls',
  },
  DRILL_I0801: {
    level: 'info',
    what: 'game-day progress: the experiment started, its states, the failover',
  },
  DRILL_I0802: {
    level: 'result',
    what: 'game day: its section of the report, and where the report is',
  },
  DRILL_W0803: {
    level: 'warn',
    what: 'game day: an experiment the drill could not end, and how to stop it',
  },
} as const satisfies Record<string, MessageDefinition>;

export type MessageCode = keyof typeof MESSAGES;

/** The code of a DrillError's message: E1000 + its exit code (USAGE, exit 2: DRILL_E1002). */
export function errorMessageCode(code: DrillErrorCode | 'INTERNAL'): string {
  return `DRILL_E${1000 + EXIT_CODES[code]}`;
}
