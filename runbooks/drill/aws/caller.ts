import { performance } from 'node:perf_hooks';
import { DrillError } from '../errors';
import { toDrillError } from './errors';
import type { AwsOperation } from './operations';
import type { RunMode } from './ports';

/** Wall time during which at least one AWS call was in flight (overlaps counted once). */
export class CallMeter {
  calls = 0;
  busyMs = 0;
  private inFlight = 0;
  private busySince = 0;

  begin(): void {
    this.calls++;
    if (this.inFlight++ === 0) this.busySince = performance.now();
  }

  end(): void {
    if (--this.inFlight === 0) this.busyMs += performance.now() - this.busySince;
  }
}

/** The only path to AWS: counts, times and classifies every call, and enforces dry run. */
export class AwsCaller {
  constructor(
    readonly mode: RunMode,
    readonly meter: CallMeter = new CallMeter(),
  ) {}

  async call<T>(operation: AwsOperation, region: string, send: () => Promise<T>): Promise<T> {
    if (operation.mutating && this.mode === 'dry-run') {
      throw new DrillError(
        'INTERNAL',
        `dry run tried to call ${operation.service} ${operation.operation} in ${region}; nothing was sent`,
      );
    }
    this.meter.begin();
    try {
      return await send();
    } catch (err) {
      throw toDrillError(err, operation, region);
    } finally {
      this.meter.end();
    }
  }
}
