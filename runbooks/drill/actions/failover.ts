import { startCommand } from '../commands';
import { DrillError } from '../errors';
import type { ActionContext } from './context';
import { runDrill, type DrillOptions } from './drill';

/** `drill failover --to <region> --allow-data-loss`: unplanned move, promotes at once. */
export function failover(ctx: ActionContext, opts: DrillOptions): Promise<number> {
  if (!opts.allowDataLoss) {
    throw new DrillError(
      'USAGE',
      'failover promotes at once and loses writes not yet replicated; pass --allow-data-loss to confirm',
      {
        hint: `For a planned move without data loss use \`${startCommand('switchover', opts.to ?? '<region>')}\``,
      },
    );
  }
  return runDrill(ctx, 'failover', opts);
}
