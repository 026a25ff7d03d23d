/**
 * The health function's routes and environment: the construct deploys it with these, the
 * bundled function reads them, Route 53's checks probe the routes.
 */
export * from '../handlers/health-contract';

/** The health routes Route 53 probes. */
export const HEALTH_PATHS = {
  serving: '/health',
  writer: '/health/writer',
} as const;

/** Every route the health function answers: the probed ones and an alias of `/health`. */
export const HEALTH_ROUTES = {
  ...HEALTH_PATHS,
  servingAlias: '/health/serving',
} as const;
