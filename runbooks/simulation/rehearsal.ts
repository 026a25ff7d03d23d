// `drill rehearse`: runs a real drill (the same CLI, executor, steps, ports and SDK adapters)
// against the simulation of a synthesized deployment, with a scenario's assumptions and faults,
// on a virtual clock, and judges what it measured against the topology's objectives.
//
// SKELETON (issue 15): the signature is the contract for the proofs, the benchmark and CI.
import type { SimulatedDeployment } from './deployment';
import type { RehearsalResult, Scenario } from './scenario';

export interface RehearsalOptions {
  /** The cloud assembly directory the deployment was read from (printed on the report). */
  readonly assemblyDir: string;
  /** Where the rehearsal's drill keeps its journal, record and report (one per rehearsal). */
  readonly stateDir: string;
  readonly scenario: Scenario;
}

export async function runRehearsal(
  deployment: SimulatedDeployment,
  options: RehearsalOptions,
): Promise<RehearsalResult> {
  void deployment;
  throw new Error(`runRehearsal is not built yet (scenario ${options.scenario.name})`);
}
