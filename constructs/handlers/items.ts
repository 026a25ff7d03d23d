// The items function's Lambda entry point: the service (items-service.ts) with node-postgres
// and an SSM client, built on a container's first request.
import { SSMClient } from '@aws-sdk/client-ssm';
import { lazyHandler } from './lambda-http';
import { pgDriver } from './pg-driver';
import {
  ItemsConfigError,
  createItemsService,
  readItemsConfig,
  type HttpResponse,
  type ItemsConfig,
  type ItemsDeps,
  type ItemsEvent,
} from './items-service';

export * from './items-service';

export function realItemsDeps(config: ItemsConfig): ItemsDeps {
  return {
    ssm: new SSMClient({
      region: config.region,
      maxAttempts: 1,
      requestHandler: { requestTimeout: config.drainTimeoutMs, throwOnRequestTimeout: true },
    }),
    sql: pgDriver(config.region, {
      applicationName: 'items-api',
      connectTimeoutMs: Math.min(config.commitTimeoutMs, config.readTimeoutMs),
      statementTimeoutMs: Math.max(config.commitTimeoutMs, config.readTimeoutMs),
    }),
    now: Date.now,
  };
}

/** Built on the first request of a container, never at module load. */
export function createItemsHandler(
  makeDeps: (config: ItemsConfig) => ItemsDeps = realItemsDeps,
  env: NodeJS.ProcessEnv = process.env,
): (event: ItemsEvent) => Promise<HttpResponse> {
  return lazyHandler({
    build: () => {
      const config = readItemsConfig(env);
      return createItemsService(config, makeDeps(config));
    },
    handle: (service, event: ItemsEvent) => service.handle(event),
    configError: ItemsConfigError,
    failure: 'items request failed',
  });
}

export const handler = createItemsHandler();
