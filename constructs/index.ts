export * from './regional-data-key';
export * from './regional-network';
export * from './aurora-global-member';
export * from './aurora-global-primary';
export * from './aurora-global-secondary';
export * from './cluster-backup';
