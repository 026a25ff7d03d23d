import { ROUTE53_HOME_REGION } from '../../constructs/contract';
import type { DrillKind } from './model';

/** Defaults of the options a printed command may leave out (the CLI's own defaults). */
export const CLI_DEFAULTS = {
  outputs: 'cdk-outputs.json',
  stateDir: '.drill',
  region: ROUTE53_HOME_REGION,
} as const;

/** Where a drill ran: printed commands repeat every option that differs from its default. */
export interface CommandPlace {
  readonly outputs?: string;
  readonly stateDir?: string;
  readonly region?: string;
}

/** The one text of "continue this drill", for hints, runbooks and stop messages. */
export function resumeCommand(drillId: string, place: CommandPlace = {}): string {
  return `npx drill resume --drill-id ${quoted(drillId)} --execute${placeOptions(place)}`;
}

/** Gives a stopped drill up (it journals the state it leaves, then releases the lock). */
export function abandonCommand(
  drillId: string,
  place: CommandPlace = {},
  reason = '<why>',
): string {
  return `npx drill abandon ${quoted(drillId)} --reason "${reason}" --execute${placeOptions(place)}`;
}

export function reportCommand(drillId: string, place: CommandPlace = {}): string {
  return `npx drill report --drill-id ${quoted(drillId)}${placeOptions({ stateDir: place.stateDir })}`;
}

export function statusCommand(place: CommandPlace = {}): string {
  return `npx drill status${placeOptions({ outputs: place.outputs, region: place.region })}`;
}

/** The dry run of a new drill (`--execute` acts). */
export function startCommand(kind: DrillKind, targetRegion: string): string {
  if (kind === 'failback') return 'npx drill failback';
  return `npx drill ${kind} --to ${quoted(targetRegion)}${kind === 'failover' ? ' --allow-data-loss' : ''}`;
}

function placeOptions(place: CommandPlace): string {
  const options: [string, string | undefined, string][] = [
    ['--outputs', place.outputs, CLI_DEFAULTS.outputs],
    ['--state-dir', place.stateDir, CLI_DEFAULTS.stateDir],
    ['--region', place.region, CLI_DEFAULTS.region],
  ];
  return options
    .filter(([, value, byDefault]) => value !== undefined && value !== byDefault)
    .map(([flag, value]) => ` ${flag} ${quoted(value!)}`)
    .join('');
}

/**
 * Single-quotes a word the shell would split or expand, so the command pastes as printed.
 * Placeholders (`<region>`, `{drill-id}`) stay as they are: the reader replaces them.
 */
function quoted(word: string): string {
  if (/^(<[\w-]+>|\{[\w-]+\})$/.test(word) || /^[\w@%+=:./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
