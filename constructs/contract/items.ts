/**
 * The items function's routes and environment: the construct deploys it with these, the
 * bundled function reads them, the drill's client canary calls the routes.
 */
export * from '../handlers/items-contract';
