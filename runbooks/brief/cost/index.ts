// The cost model's entry point for the brief and the compliance bundle: one call from a
// deployment (and optional price and workload files) to the estimate and both formats.
import type { SimulatedDeployment } from '../../simulation/deployment';
import { costChoices, type CostChoice } from './choices';
import { inventory } from './inventory';
import { costModel, type CostEstimate } from './model';
import { loadPriceBook } from './prices';
import {
  costCsv,
  costDetailsMarkdown,
  costHeadline,
  costMarkdown,
  costSummaryMarkdown,
} from './render';
import { DEFAULT_WORKLOAD, loadWorkload } from './workload';

export * from './choices';
export * from './inventory';
export * from './model';
export * from './prices';
export * from './render';
export * from './workload';

/** Files of one's own for the cost section. */
export interface CostSectionOptions {
  /**
   * A price file whose figures override the shipped ones (`--prices`).
   * @default - the shipped aws-prices.json alone
   */
  readonly pricesFile?: string;
  /**
   * A workload file (JSON, every key optional).
   * @default - DEFAULT_WORKLOAD
   */
  readonly workloadFile?: string;
}

/** The cost section of `deployment`: estimate, choices, Markdown and CSV. */
export function costSection(
  deployment: SimulatedDeployment,
  options: CostSectionOptions = {},
): {
  readonly estimate: CostEstimate;
  readonly choices: readonly CostChoice[];
  readonly markdown: string;
  /** `markdown` in two: what the brief shows in its cost section, and its appendix. */
  readonly summary: string;
  readonly details: string;
  /** One line: the estimate, the premium and the price date. */
  readonly headline: string;
  readonly csv: string;
} {
  const prices = loadPriceBook(options.pricesFile);
  const workload = options.workloadFile ? loadWorkload(options.workloadFile) : DEFAULT_WORKLOAD;
  const inv = inventory(deployment);
  const estimate = costModel(inv, workload, prices);
  const choices = costChoices(inv, workload, prices);
  return {
    estimate,
    choices,
    markdown: costMarkdown(estimate, choices),
    summary: costSummaryMarkdown(estimate, choices),
    details: costDetailsMarkdown(estimate),
    headline: costHeadline(estimate),
    csv: costCsv(estimate),
  };
}
