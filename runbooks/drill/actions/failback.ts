import type { ActionContext } from './context';
import { runDrill, type DrillOptions } from './drill';

/** `drill failback`: the writer back to the region whose role is 'primary' in the outputs. */
export function failback(ctx: ActionContext, opts: DrillOptions): Promise<number> {
  return runDrill(ctx, 'failback', opts);
}
