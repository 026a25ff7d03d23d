export * from './arc-region-switch';
export * from './fis';
export { AwsServiceError, type SignedJsonClientConfig } from './signed-json-client';
