import type { ActionContext } from './context';
import { runDrill, type DrillOptions } from './drill';

/** `drill switchover --to <region>`: planned move of the writer, no data loss. */
export function switchover(ctx: ActionContext, opts: DrillOptions): Promise<number> {
  return runDrill(ctx, 'switchover', opts);
}
