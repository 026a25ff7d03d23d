/**
 * The custom resource that reads the Route 53 health checks ARC Region switch creates for a
 * plan's Route 53 health check block, so the same `cdk deploy` can attach them to the records:
 * ARC creates them only once the plan exists (ARC User Guide, "Amazon Route 53 health check
 * execution block": "Region switch provides a health check ID, for each Region"), so the
 * resource depends on the plan and waits (custom_resources.Provider's isComplete, polled until
 * its totalTimeout) until every region of the plan has one.
 *
 * Properties: `PlanArn`, `HostedZoneId`, `RecordName`, `Regions` (in the order of the answer), and `PlanVersion` (unread: a new plan version is an update, so the ids are read again).
 * Data: `HealthCheckId0`, `HealthCheckId1`, ... one per region of `Regions`, in that order.
 */
import {
  ARC_CONTROL_PLANE_REGION,
  ArcRegionSwitchClient,
  ListRoute53HealthChecksCommand,
  type ArcRoute53HealthCheck,
} from '../aws-api/arc-region-switch';

import {
  ARC_HEALTH_CHECKS_RESOURCE_TYPE,
  arcHealthCheckAttribute,
} from '../contract/region-switch';

export { ARC_HEALTH_CHECKS_RESOURCE_TYPE, arcHealthCheckAttribute };

/** What the resource is given (CloudFormation passes every value as a string). */
export interface ArcHealthChecksProperties {
  readonly PlanArn: string;
  readonly HostedZoneId: string;
  readonly RecordName: string;
  readonly Regions: readonly string[];
}

/** The parts of a CloudFormation custom resource event the handlers read. */
export interface ArcHealthChecksEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: ArcHealthChecksProperties & { readonly ServiceToken?: string };
}

/** An error that says what is wrong with the resource's properties. */
export class ArcHealthChecksPropertiesError extends Error {
  constructor(problems: readonly string[]) {
    super(`${ARC_HEALTH_CHECKS_RESOURCE_TYPE} properties are invalid: ${problems.join('; ')}`);
    this.name = 'ArcHealthChecksPropertiesError';
  }
}

function propertiesOf(event: ArcHealthChecksEvent): ArcHealthChecksProperties {
  const p = event.ResourceProperties;
  const problems: string[] = [];
  for (const key of ['PlanArn', 'HostedZoneId', 'RecordName'] as const) {
    if (typeof p[key] !== 'string' || p[key] === '') {
      problems.push(`${key} must be a non-empty string, got: ${JSON.stringify(p[key])}`);
    }
  }
  if (!Array.isArray(p.Regions) || p.Regions.length === 0) {
    problems.push(`Regions must list the plan's regions, got: ${JSON.stringify(p.Regions)}`);
  }
  if (problems.length > 0) throw new ArcHealthChecksPropertiesError(problems);
  return p;
}

/** Route 53 stores names with a trailing dot; ARC may answer either form. */
function sameName(a: string, b: string): boolean {
  const bare = (n: string) => n.toLowerCase().replace(/\.$/, '');
  return bare(a) === bare(b);
}

/**
 * onEvent: nothing to create or delete (ARC owns the health checks and deletes them with the
 * plan); the physical id names the plan and the record, so a new plan replaces the resource.
 */
export async function onEvent(
  event: ArcHealthChecksEvent,
): Promise<{ PhysicalResourceId: string }> {
  if (event.RequestType === 'Delete') {
    return { PhysicalResourceId: event.PhysicalResourceId ?? 'deleted' };
  }
  const p = propertiesOf(event);
  return { PhysicalResourceId: `${p.PlanArn}|${p.RecordName}` };
}

/** What isComplete answers the Provider framework. */
export type IsCompleteResult =
  | { readonly IsComplete: false }
  | { readonly IsComplete: true; readonly Data?: Record<string, string> };

/** Every health check ARC lists for the plan's record (all pages). */
async function listAll(
  client: ArcRegionSwitchClient,
  p: ArcHealthChecksProperties,
): Promise<ArcRoute53HealthCheck[]> {
  const found: ArcRoute53HealthCheck[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListRoute53HealthChecksCommand({
        arn: p.PlanArn,
        hostedZoneId: p.HostedZoneId,
        recordName: p.RecordName,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    found.push(...(page.healthChecks ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

/**
 * isComplete: complete once ARC lists a health check id for every region of the plan on the
 * record; until then not complete, and the Provider asks again (its totalTimeout bounds the
 * wait and fails the deployment with its own message).
 */
export async function isComplete(
  event: ArcHealthChecksEvent,
  client: ArcRegionSwitchClient,
): Promise<IsCompleteResult> {
  if (event.RequestType === 'Delete') return { IsComplete: true };
  const p = propertiesOf(event);
  const checks = (await listAll(client, p)).filter(
    (c) => c.healthCheckId && sameName(c.recordName, p.RecordName),
  );
  const ids = p.Regions.map((region) => checks.find((c) => c.region === region)?.healthCheckId);
  const missing = p.Regions.filter((_, i) => ids[i] === undefined);
  if (missing.length > 0) {
    console.log(
      `ARC lists no health check yet for ${missing.join(', ')} on ${p.RecordName} of plan ${p.PlanArn}; asking again`,
    );
    return { IsComplete: false };
  }
  return {
    IsComplete: true,
    Data: Object.fromEntries(ids.map((id, i) => [arcHealthCheckAttribute(i), id!])),
  };
}

/** The Lambda entry points; the client is built on the first call, never at module load. */
let client: ArcRegionSwitchClient | undefined;
export const onEventHandler = onEvent;
export const isCompleteHandler = (event: ArcHealthChecksEvent): Promise<IsCompleteResult> => {
  // ListRoute53HealthChecks is a control-plane operation (ARC API Reference: us-east-1).
  client ??= new ArcRegionSwitchClient({ region: ARC_CONTROL_PLANE_REGION, controlPlane: true });
  return isComplete(event, client);
};
