/**
 * ARC Region switch facts the stacks, the health-check custom resource and the drill's
 * simulation share: the custom resource's type and the names of its attributes.
 */

/** The custom resource that reads ARC's Route 53 health checks of a plan (CloudFormation shows it). */
export const ARC_HEALTH_CHECKS_RESOURCE_TYPE = 'Custom::ArcHealthChecks';

/** The attribute holding the health check id of the resource's `Regions[index]`. */
export function arcHealthCheckAttribute(index: number): string {
  return `HealthCheckId${index}`;
}
