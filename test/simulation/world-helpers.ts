// Shared set-up of the simulation semantics tests: worlds built from the synthesized assembly
// (or a copy of it with one template property edited), realistic once assumed, stopped after
// each test.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CANARY_SQL } from '../../runbooks/drill/canary';
import { SimulatedDeployment } from '../../runbooks/simulation/deployment';
import {
  DEFAULT_ASSUMPTIONS,
  type SimulationAssumptions,
} from '../../runbooks/simulation/scenario';
import { SimulatedWorld } from '../../runbooks/simulation/world';
import { assemblyDir, deployedApp } from '../deployed-app';

export const PRIMARY = 'us-east-1';
export const SECONDARY = 'us-west-2';
export const THIRD = 'us-east-2';

const started: SimulatedWorld[] = [];
afterEach(() => {
  started.splice(0).forEach((w) => w.stop());
});

/** A world of the synthesized app, with the documented AWS behaviour (`assume`). */
export function realisticWorld(
  assumptions: Partial<SimulationAssumptions> = {},
  deployment: SimulatedDeployment = deployedApp(),
): SimulatedWorld {
  const world = new SimulatedWorld(deployment);
  started.push(world);
  world.assume({ ...DEFAULT_ASSUMPTIONS, ...assumptions });
  return world;
}

/** A world of the synthesized app in the instant model the drill tests use. */
export function instantWorld(deployment: SimulatedDeployment = deployedApp()): SimulatedWorld {
  const world = new SimulatedWorld(deployment);
  started.push(world);
  return world;
}

/** Lets `ms` of world time pass. */
export function pass(world: SimulatedWorld, ms: number): Promise<void> {
  return world.clock.sleep(ms);
}

/**
 * The deployment of a copy of the synthesized assembly in which `edit` changed the
 * routing stack's resources (logical id -> resource), as a hand-edited `cdk.out` would be.
 */
export function editedRouting(
  edit: (resources: Record<string, { Type: string; Properties: Record<string, unknown> }>) => void,
  regions: readonly string[] = [PRIMARY, SECONDARY],
): SimulatedDeployment {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'simulation-edit-'));
  fs.cpSync(assemblyDir(regions), copy, { recursive: true });
  const file = path.join(copy, 'MultiRegion-Routing.template.json');
  const template = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(template.Resources);
  fs.writeFileSync(file, JSON.stringify(template));
  return SimulatedDeployment.fromAssembly(copy);
}

/** The logical id of the routing stack's HTTPS check of `region` on `path`. */
export function checkLogicalId(
  resources: Record<string, { Type: string; Properties: Record<string, unknown> }>,
  region: string,
  resourcePath: string,
): string {
  const found = Object.entries(resources).find(([, r]) => {
    const config = r.Properties?.HealthCheckConfig as Record<string, unknown> | undefined;
    return (
      r.Type === 'AWS::Route53::HealthCheck' &&
      config?.FullyQualifiedDomainName === `${region}.app.example.com` &&
      config?.ResourcePath === resourcePath
    );
  });
  if (!found) throw new Error(`no ${resourcePath} check of ${region} in the routing template`);
  return found[0];
}

/** Inserts a canary row through the Data API of `region` (as the drill's canary does). */
export function insertRow(world: SimulatedWorld, region: string, drillId: string, seq: number) {
  return world.execute(region, {
    resourceArn: world.clusterArn(region),
    secretArn: world.deployed(region).secretArn,
    sql: CANARY_SQL.insert,
    parameters: [
      { name: 'drill_id', value: { stringValue: drillId } },
      { name: 'seq', value: { longValue: seq } },
      { name: 'region', value: { stringValue: region } },
    ],
  });
}

/** The datapoints of a lag metric a region's CloudWatch returns now. */
export function lagDatapoints(world: SimulatedWorld, region: string, metric: string): number[] {
  const out = world.lag(region, {
    MetricDataQueries: [
      { Id: 'm', MetricStat: { Metric: { MetricName: metric }, Period: 60, Stat: 'Maximum' } },
    ],
    StartTime: new Date(0),
    EndTime: new Date(world.clock.now()),
  });
  return (out.MetricDataResults[0].Values ?? []) as number[];
}

/** Requests a promotion as the drill's SDK call would. */
export function promote(world: SimulatedWorld, kind: 'switchover' | 'failover', to: string) {
  return world.promote(kind, {
    GlobalClusterIdentifier: world.globalId,
    TargetDbClusterIdentifier: world.clusterArn(to),
  });
}
