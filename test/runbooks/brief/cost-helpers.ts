// What the cost tests share: the shipped price file read as plain JSON (so expected figures
// come from the file, never retyped) and the estimate of a synthesized topology.
import * as fs from 'node:fs';
import { inventory, type Inventory } from '../../../runbooks/brief/cost/inventory';
import { costModel, type CostEstimate, type CostLine } from '../../../runbooks/brief/cost/model';
import {
  loadPriceBook,
  SHIPPED_PRICES_FILE,
  type PriceFigure,
} from '../../../runbooks/brief/cost/prices';
import { DEFAULT_WORKLOAD } from '../../../runbooks/brief/cost/workload';
import type { SimulatedDeployment } from '../../../runbooks/simulation/deployment';

/** The shipped price file's figures, as the file states them. */
export const shippedFigures: readonly PriceFigure[] = (
  JSON.parse(fs.readFileSync(SHIPPED_PRICES_FILE, 'utf8')) as { figures: PriceFigure[] }
).figures;

/** The shipped figure `id` for `region`. */
export function filePrice(id: string, region: string): number {
  const found = shippedFigures.find((f) => f.id === id && f.region === region);
  if (!found) throw new Error(`test setup: ${id}@${region} is not in the shipped price file`);
  return found.usd;
}

/** The estimate of a deployment with the default workload and the shipped prices. */
export function estimateOf(deployment: SimulatedDeployment): {
  inv: Inventory;
  estimate: CostEstimate;
} {
  const inv = inventory(deployment);
  return { inv, estimate: costModel(inv, DEFAULT_WORKLOAD, loadPriceBook()) };
}

/** DB instances per Region and class, as the templates declare them. */
export function instancesOf(deployment: SimulatedDeployment): Map<string, Map<string, number>> {
  const found = new Map<string, Map<string, number>>();
  for (const r of deployment.resources('AWS::RDS::DBInstance')) {
    const byClass = found.get(r.region) ?? new Map<string, number>();
    const cls = String(r.properties.DBInstanceClass);
    byClass.set(cls, (byClass.get(cls) ?? 0) + 1);
    found.set(r.region, byClass);
  }
  return found;
}

/** Every line of `estimate` whose price id starts with `prefix`. */
export function linesPriced(
  estimate: { regions: readonly { lines: readonly CostLine[] }[] },
  prefix: string,
): CostLine[] {
  return estimate.regions.flatMap((r) => r.lines).filter((l) => l.priceId.startsWith(prefix));
}

/** Cents of instance-hours: count x hours x the file's price, rounded once as the model does. */
export function instanceCents(count: number, price: number): number {
  return Math.round(Number((count * DEFAULT_WORKLOAD.hoursPerMonth * price * 100).toFixed(6)));
}
