// What the templates cannot say: how much the service stores, writes and serves. Every
// assumption has a default documented (with its reason) in docs/cost-model.md; a user's own
// JSON file replaces any of them, and a key the model does not know is refused.
import * as fs from 'node:fs';
import { z } from 'zod';

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
    const problems = parsed.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      }
      const field = issue.path.join('.');
      const value = (overrides as Record<string, unknown> | null)?.[String(issue.path[0])];
      return `${field || '(file)'}: ${issue.message} (got: ${JSON.stringify(value)})`;
    });
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
