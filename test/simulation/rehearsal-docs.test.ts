// docs/rehearsal.md stays true to the code: every built-in scenario with its drill, every
// default assumption with its value, every field of the scenario file (from its schema), its
// example file (rehearsed as written) and its sample verdicts (printed by a real rehearsal).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { EXIT_CODES } from '../../runbooks/drill/errors';
import { DEFAULT_ASSUMPTIONS } from '../../runbooks/simulation/scenario';
import { SCENARIO_FILE_SCHEMA } from '../../runbooks/simulation/scenario-file';
import { SCENARIOS } from '../../runbooks/simulation/scenarios';
import { rehearseCli, tempDirs, rehearseIn } from '../runbooks/rehearse-helpers';
import { assemblyDir } from '../deployed-app';

// Each rehearsal takes up to a few seconds of wall time; a busy 2-core CI machine needs more
// than jest's 5 s default (the speed target lives in npm run bench:rehearse).
jest.setTimeout(60_000);

const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'rehearsal.md'), 'utf8');

/** The table rows of the section titled `title`, as cells. */
function rows(title: string): string[][] {
  const start = doc.indexOf(`## ${title}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n## ', start + 1);
  return doc
    .slice(start, end < 0 ? undefined : end)
    .split('\n')
    .filter((l) => /^\| /.test(l) && !/^\| -/.test(l))
    .slice(1)
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

describe('docs/rehearsal.md documents the built-in scenarios', () => {
  test('GIVEN the scenarios table THEN it names every built-in scenario, in order, with the drill it runs', () => {
    const table = rows('The built-in scenarios');

    expect(table.map((r) => r[0])).toEqual(SCENARIOS.map((s) => `\`${s.name}\``));
    table.forEach((r, i) => expect(r[1]).toContain(SCENARIOS[i].drill.kind));
  });
});

describe('docs/rehearsal.md documents the default assumptions', () => {
  test('GIVEN the assumptions table THEN every default is there with its value, and nothing else', () => {
    const table = rows('The assumptions, their defaults and where each comes from');
    const documented = Object.fromEntries(table.map((r) => [r[0].replace(/`/g, ''), r[1]]));

    for (const [name, value] of Object.entries(DEFAULT_ASSUMPTIONS)) {
      expect(documented[name]).toBe(`\`${String(value)}\``);
    }
    expect(Object.keys(documented).sort()).toEqual(
      [...Object.keys(DEFAULT_ASSUMPTIONS), 'resolverMinTtlSeconds'].sort(),
    );
  });
});

/** The schema under `optional()` and `default()`. */
function bare(schema: z.ZodType): z.ZodType {
  const def = schema.def as { type: string; innerType?: z.ZodType };
  return def.type === 'optional' || def.type === 'default' ? bare(def.innerType!) : schema;
}

/**
 * The documented fields of the scenario file, from its zod schema: each top-level field; each
 * field of `drill` and `expect` (`assumptions` has its own table); `events[].kind: <kind>` for
 * every event kind, and `events[].<field>` for a field every kind takes besides `atSeconds`.
 */
function schemaFields(): string[] {
  const shape = SCENARIO_FILE_SCHEMA.shape;
  const fields: string[] = [];
  for (const [name, field] of Object.entries(shape)) {
    const schema = bare(field as z.ZodType);
    if (name === 'drill' || name === 'expect') {
      const inner = (schema as z.ZodObject).shape;
      fields.push(...Object.keys(inner).map((k) => `${name}.${k}`));
      continue;
    }
    fields.push(name);
    if (name === 'events') {
      const union = (schema as z.ZodArray<z.ZodDiscriminatedUnion<z.ZodObject[]>>).def.element;
      const shapes = union.options.map((o) => o.shape as Record<string, z.ZodType>);
      for (const option of shapes) {
        const kind = (option.kind.def as unknown as { values: string[] }).values[0];
        fields.push(`events[].kind: ${kind}`);
      }
      const common = Object.keys(shapes[0]).filter(
        (k) => k !== 'atSeconds' && k !== 'kind' && shapes.every((o) => k in o),
      );
      fields.push(...common.map((k) => `events[].${k}`));
    }
  }
  return fields;
}

describe('docs/rehearsal.md documents the scenario file', () => {
  test('GIVEN the fields table THEN it lists every field and event kind of the schema, and nothing else', () => {
    const fields = rows('The scenario file').map((r) => r[0].replace(/`/g, ''));

    expect([...fields].sort()).toEqual(schemaFields().sort());
    // The schema's event kinds are the scenario type's, every built-in one among them.
    for (const kind of SCENARIOS.flatMap((s) => s.events.map((e) => e.kind))) {
      expect(fields).toContain(`events[].kind: ${kind}`);
    }
  });

  test('GIVEN the assumptions table THEN it lists the fields the schema takes under assumptions', () => {
    const table = rows('The assumptions, their defaults and where each comes from');
    const assumptions = bare(SCENARIO_FILE_SCHEMA.shape.assumptions) as z.ZodObject;

    expect(table.map((r) => r[0].replace(/`/g, '')).sort()).toEqual(
      Object.keys(assumptions.shape).sort(),
    );
  });
});

describe("docs/rehearsal.md's example scenario file", () => {
  const tempDir = tempDirs();

  test('GIVEN the example as written THEN the rehearsal runs it and every verdict is met', async () => {
    const start = doc.indexOf('```json\n', doc.indexOf('## The scenario file\n'));
    const example = doc.slice(start + '```json\n'.length, doc.indexOf('```\n', start + 8));
    const dir = tempDir();
    const file = path.join(dir, 'my-scenario.json');
    fs.writeFileSync(file, example);

    const run = await rehearseCli([
      'rehearse',
      '--scenario-file',
      file,
      '--assembly',
      assemblyDir(),
      '--state-dir',
      path.join(dir, 'state'),
    ]);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT_CODES.OK);
    expect(run.stdout.split('\n')[0]).toMatch(/: every verdict met$/);
  });
});

describe("docs/rehearsal.md's sample verdicts", () => {
  const tempDir = tempDirs();

  test('GIVEN a rehearsal of region-outage on the default topology THEN it prints the sample, but for where the record is', async () => {
    const start = doc.indexOf('```\nREHEARSAL (simulation, not AWS) region-outage');
    const sample = doc
      .slice(start + 4, doc.indexOf('```\n', start + 4))
      .trimEnd()
      .split('\n');
    const stateDir = tempDir();

    const run = await rehearseIn(stateDir, ['--scenario', 'region-outage']);

    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.slice(0, -1)).toEqual(sample.slice(0, -1));
    expect(lines.at(-1)!.replaceAll(stateDir, '.drill/rehearsals')).toBe(sample.at(-1));
  });
});
