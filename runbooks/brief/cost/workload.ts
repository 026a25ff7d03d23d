// What the templates cannot say: how much the service stores, writes and serves. Every
// assumption has a default documented (with its reason) in docs/cost-model.md; a user's own
// JSON file replaces any of them, and a key the model does not know is refused.
import * as fs from 'node:fs';
import { z } from 'zod';
import { describeIssues } from './prices';

const nonNegative = z.number().min(0, 'must be a number of at least 0');

const workloadSchema = z.strictObject({
  storageGb: nonNegative.optional(),
  writesPerSecond: nonNegative.optional(),
  writeIosPerWrite: nonNegative.optional(),
  readIosPerSecond: nonNegative.optional(),
  requestsPerSecond: nonNegative.optional(),
  lambdaDurationMs: nonNegative.optional(),
  dnsQueriesPerSecondPerName: nonNegative.optional(),
  healthCheckers: z.number().int('must be a whole number').min(1, 'must be at least 1').optional(),
  interRegionTransferGbPerMonth: nonNegative.optional(),
  endpointGbPerMonth: nonNegative.optional(),
  backupDailyChangeRatio: z
    .number()
    .min(0, 'must be from 0 to 1')
    .max(1, 'must be from 0 to 1')
    .optional(),
  hoursPerMonth: z
    .number()
    .positive('must be more than 0')
    .max(744, 'must be at most 744 (31 days)')
    .optional(),
});

/** The workload the estimate prices. */
export type Workload = Required<z.infer<typeof workloadSchema>>;

/** The defaults (docs/cost-model.md says why each is what it is). */
export const DEFAULT_WORKLOAD: Workload = {
  storageGb: 100,
  writesPerSecond: 20,
  writeIosPerWrite: 2,
  readIosPerSecond: 50,
  requestsPerSecond: 20,
  lambdaDurationMs: 50,
  dnsQueriesPerSecondPerName: 2,
  healthCheckers: 16,
  interRegionTransferGbPerMonth: 10,
  endpointGbPerMonth: 1,
  backupDailyChangeRatio: 0.02,
  hoursPerMonth: 730,
};

/** What each assumption means, in the order the brief lists them. */
export const WORKLOAD_MEANINGS: Record<keyof Workload, string> = {
  storageGb: 'GB in the cluster volume; every Region of the global database stores a full copy',
  writesPerSecond: 'committed writes a second, on average, at the writer',
  writeIosPerWrite:
    'billed write I/Os (4 KB pages) each write causes; each is replicated to every secondary',
  readIosPerSecond:
    'read I/Os a second that miss the buffer cache, shared by the Regions with instances',
  requestsPerSecond:
    'client API requests a second across all Regions, shared evenly by the Regions that serve',
  lambdaDurationMs: 'average Lambda run time of a request',
  dnsQueriesPerSecondPerName: 'DNS queries a second that reach Route 53 for each record name',
  healthCheckers: 'Route 53 health checkers that probe each endpoint once per interval',
  interRegionTransferGbPerMonth:
    'GB a month over each VPC peering connection beyond Aurora replication (half each way)',
  endpointGbPerMonth: 'GB a month through each interface VPC endpoint',
  backupDailyChangeRatio: 'share of the data that changes each day (sizes incremental backups)',
  hoursPerMonth: 'hours in a billing month (730 = 8,760 / 12)',
};

/** A workload file that cannot be used. */
export class WorkloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkloadError';
  }
}

/** The defaults with `overrides` applied; every problem names the field and value. */
export function workloadOf(overrides: unknown, file = 'workload'): Workload {
  const parsed = workloadSchema.safeParse(overrides);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues, overrides);
    throw new WorkloadError(
      `${file}: ${problems.join('; ')}; the keys are ${Object.keys(DEFAULT_WORKLOAD).join(', ')} (docs/cost-model.md)`,
    );
  }
  return { ...DEFAULT_WORKLOAD, ...parsed.data };
}

/** The workload of a JSON file (every key optional). */
export function loadWorkload(file: string): Workload {
  if (!fs.existsSync(file)) {
    throw new WorkloadError(`${file}: no such workload file; check the path`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new WorkloadError(`${file}: not JSON (${(error as Error).message}); fix the file`);
  }
  return workloadOf(raw, file);
}
