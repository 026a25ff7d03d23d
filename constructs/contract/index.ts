/**
 * The deployment contract: everything the stacks, the bundled health function and the drill
 * all know, in one place. No aws-cdk-lib import, so each runtime can load it.
 */
export * from './health';
export * from './items';
export * from './metrics';
export * from './names';
export * from './outputs';
export * from './timing';
export * from './snapshots';
export * from './region-switch';
export * from './game-day';
