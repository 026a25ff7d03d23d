import { ITEM_ROUTES } from '../../../constructs/contract';
import { clientItemPrefix } from '../client-model';

/**
 * What the client canary needs in IAM: API Gateway's invoke permission on the items routes,
 * which are IAM-authorized ("API Gateway invokes your API route only if the client has
 * execute-api permission for the route": API Gateway Developer Guide, "Control access to HTTP
 * APIs with IAM authorization"). Not an AWS SDK operation, so not in the operation table.
 */
export const CLIENT_CANARY_IAM_ACTIONS: readonly string[] = Object.freeze(['execute-api:Invoke']);

/**
 * The canary's requests as execute-api resources, `<stage>/<METHOD>/<resource path>` after the
 * API id (API Gateway Developer Guide, "Control access for invoking an API": the Resource is
 * `arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/<METHOD>/<resource-path>`): every
 * items route, and only the ids the canary writes (`drill-<drill id>-<seq>`).
 */
export const CLIENT_CANARY_ROUTE_RESOURCES: readonly string[] = Object.freeze(
  Object.values(ITEM_ROUTES).map(
    (route) => `*/${route.method}${route.path.replace('{id}', `${clientItemPrefix('*')}*`)}`,
  ),
);
