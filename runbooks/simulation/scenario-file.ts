// A scenario of one's own for `drill rehearse --scenario-file FILE`: JSON with the fields of
// scenario.ts Scenario, validated with zod; every problem names the field, the value and the fix.
//
// Format (every field but `assumptions` and `events` required; regions by role: `writer`,
// `target`, `others`; times in the units their names say):
//
// {
//   "name": "slow-promotion",                       kebab-case, as --scenario takes it
//   "summary": "one line for --list",
//   "description": "a sentence or two for the report",
//   "drill": { "kind": "failover" },                switchover | failover | failback
//                                                    (failback: "after": "failover" | "switchover";
//                                                    any: "forceReason": "why --force",
//                                                    "startsAtSeconds": 60, when on the
//                                                    timeline the drill starts, default 0)
//   "assumptions": {                                 each optional, over DEFAULT_ASSUMPTIONS
//     "promotionMs": 120000, "pendingMs": 5000, "writerEndpointDnsDelayMs": 5000,
//     "replicationLagMs": 1000, "healthCheckers": 16,
//     "resolver": "min-ttl", "resolverMinTtlSeconds": 300   worst-case | stub | min-ttl
//   },
//   "events": [
//     { "atSeconds": 0, "afterClientWrites": 5, "kind": "region-outage", "region": "writer" },
//                                                    afterClientWrites (any event): atSeconds
//                                                    after the canary's nth acknowledged write
//     { "atSeconds": 600, "kind": "region-returns", "region": "writer" },
//     { "atSeconds": 0, "kind": "lag-spike", "region": "target", "lagMs": 45000, "forSeconds": 60 },
//     { "atSeconds": 1, "kind": "rds-throttling", "region": "all", "share": 0.5, "forSeconds": 120 },
//     { "atSeconds": 0, "kind": "partition", "between": ["writer", "target"], "forSeconds": 300 },
//     { "atSeconds": 0, "kind": "headless", "region": "target" }
//   ],
//   "expect": { "refusal": { "check": "target-not-headless" } }
//                                                    optional: the drill must refuse at
//                                                    preflight on this check (its id, as
//                                                    `drill preflight` prints it) and no other;
//                                                    that refusal is then the one verdict
// }
import * as fs from 'node:fs';
import { z } from 'zod';
import { DrillError } from '../drill/errors';
import type { Scenario } from './scenario';

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const role = z.enum(['writer', 'target', 'others']);
const seconds = z.number().min(0);
const at = { atSeconds: seconds, afterClientWrites: z.number().int().min(1).optional() };

const assumptions = z.strictObject({
  promotionMs: z.number().int().min(0).optional(),
  pendingMs: z.number().int().min(0).optional(),
  writerEndpointDnsDelayMs: z.number().int().min(0).optional(),
  replicationLagMs: z.number().int().min(0).optional(),
  healthCheckers: z.number().int().min(1).optional(),
  resolver: z.enum(['worst-case', 'stub', 'min-ttl']).optional(),
  resolverMinTtlSeconds: z.number().int().min(1).optional(),
});

const event = z.discriminatedUnion('kind', [
  z.strictObject({ ...at, kind: z.literal('region-outage'), region: role }),
  z.strictObject({ ...at, kind: z.literal('region-returns'), region: role }),
  z.strictObject({
    ...at,
    kind: z.literal('lag-spike'),
    region: role,
    lagMs: z.number().int().min(0),
    forSeconds: seconds,
  }),
  z.strictObject({
    ...at,
    kind: z.literal('rds-throttling'),
    region: z.enum(['writer', 'target', 'others', 'all']),
    forSeconds: seconds,
    share: z.number().gt(0).max(1),
  }),
  z.strictObject({
    ...at,
    kind: z.literal('partition'),
    between: z.tuple([role, role]),
    forSeconds: seconds.optional(),
  }),
  z.strictObject({ ...at, kind: z.literal('headless'), region: role }),
]);

const scenario = z.strictObject({
  name: z.string().regex(KEBAB),
  summary: z.string().min(1),
  description: z.string().min(1),
  drill: z.strictObject({
    kind: z.enum(['switchover', 'failover', 'failback']),
    after: z.enum(['failover', 'switchover']).optional(),
    forceReason: z.string().min(1).optional(),
    startsAtSeconds: seconds.optional(),
  }),
  assumptions: assumptions.optional(),
  events: z.array(event).default([]),
  expect: z
    .strictObject({
      refusal: z.strictObject({ check: z.string().regex(KEBAB) }),
    })
    .optional(),
});

/** The format, for the docs test that keeps docs/rehearsal.md's field table equal to it. */
export const SCENARIO_FILE_SCHEMA = scenario;

/** The fix every problem ends with. */
export const SCENARIO_FILE_FIX =
  'the format is documented at the top of runbooks/simulation/scenario-file.ts';

/** Reads and validates a scenario file; a DrillError (USAGE) lists every problem. */
export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : String(err);
    throw new DrillError('USAGE', `--scenario-file ${file} ${reason}`, {
      hint: 'Pass the path of a JSON scenario file, or --scenario NAME (see --list)',
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new DrillError('USAGE', `scenario file ${file} is not JSON (${(err as Error).message})`, {
      hint: `Fix the JSON; ${SCENARIO_FILE_FIX}`,
    });
  }
  const parsed = scenario.safeParse(data);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => problemOf(i, data));
  if (parsed.success) {
    const { drill, assumptions: a } = parsed.data;
    if (drill.after !== undefined && drill.kind !== 'failback') {
      problems.push(
        `drill.after is only for a failback (drill.kind ${drill.kind}), got: "${drill.after}"; remove it, or set drill.kind to "failback"`,
      );
    }
    if (a?.resolver === 'min-ttl' && a.resolverMinTtlSeconds === undefined) {
      problems.push(
        'assumptions.resolverMinTtlSeconds is missing, and assumptions.resolver is "min-ttl"; add the seconds the resolver keeps every answer (e.g. 300)',
      );
    }
  }
  if (problems.length > 0) {
    throw new DrillError(
      'USAGE',
      `scenario file ${file} is not a valid scenario:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      { hint: `Fix the fields above; ${SCENARIO_FILE_FIX}` },
    );
  }
  return parsed.data as Scenario;
}

/** `events[1].lagMs must be a whole number of at least 0, got: -5` and what to do. */
function problemOf(issue: z.core.$ZodIssue, data: unknown): string {
  const field = fieldOf(issue.path);
  const value = valueAt(data, issue.path);
  const got = value === undefined ? 'it is missing' : `got: ${JSON.stringify(value)}`;
  switch (issue.code) {
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, ${got}`;
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator) {
        const options = (issue as { options?: unknown[] }).options ?? [];
        return `${field} must be one of ${options.map((v) => JSON.stringify(v)).join(', ')}, ${got}`;
      }
      return `${field} is not valid, ${got}`;
    case 'invalid_type':
      return `${field} must be ${article(issue.expected)}, ${got}`;
    case 'too_small':
      if (issue.origin === 'string') return `${field} must not be empty, ${got}`;
      if (issue.origin === 'array') {
        return `${field} must have at least ${String(issue.minimum)} items, ${got}`;
      }
      return `${field} must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)}, ${got}`;
    case 'too_big':
      if (issue.origin === 'array') {
        return `${field} must have at most ${String(issue.maximum)} items, ${got}`;
      }
      return `${field} must be at most ${String(issue.maximum)}, ${got}`;
    case 'invalid_format':
      return `${field} must be kebab-case (lowercase letters, digits and single dashes, e.g. "${field === 'name' ? 'slow-promotion' : 'target-not-headless'}"), ${got}`;
    case 'unrecognized_keys':
      return `${issue.keys.map((k) => fieldOf([...issue.path, k])).join(', ')}: not a field of the format; remove ${issue.keys.length === 1 ? 'it' : 'them'} or fix the spelling`;
    default:
      return `${field}: ${issue.message}, ${got}`;
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'a whole number';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function fieldOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'the file';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
