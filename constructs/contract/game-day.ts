/** What the game-day template and the drill both know (FIS experiment template, `drill game-day`). */

/**
 * The FIS action that isolates a region's application subnets: it denies all traffic in and out
 * of the target subnets with a network ACL for its duration (FIS User Guide, Actions reference,
 * "Network actions").
 */
export const GAME_DAY_ACTION_ID = 'aws:network:disrupt-connectivity';

/** How long the isolation lasts by default, in seconds: a failover drill with its waits fits in it. */
export const DEFAULT_GAME_DAY_DURATION_SECONDS = 30 * 60;

/** The tag every game-day experiment carries, with the game day's id. */
export const GAME_DAY_TAG = 'multi-region-ref:game-day';

/**
 * The tag of every game-day template (value `true`): the drill roles may start experiments of
 * tagged templates only.
 */
export const GAME_DAY_TEMPLATE_TAG = 'multi-region-ref:game-day-template';
