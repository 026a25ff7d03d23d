// docs/rehearsal.md stays true to the code: every built-in scenario with its drill, every
// default assumption with its value, every field of the scenario file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_ASSUMPTIONS } from '../../runbooks/simulation/scenario';
import { SCENARIOS } from '../../runbooks/simulation/scenarios';

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

describe('docs/rehearsal.md documents the scenario file', () => {
  test('GIVEN the fields table THEN every field and event kind of the format is there', () => {
    const fields = rows('The scenario file').map((r) => r[0].replace(/`/g, ''));
    // The built-ins' events, and the return no built-in scenario uses on its own.
    const kinds = new Set([
      ...SCENARIOS.flatMap((s) => s.events.map((e) => e.kind)),
      'region-returns',
    ]);

    for (const field of ['name', 'summary', 'description', 'drill.kind', 'drill.after']) {
      expect(fields).toContain(field);
    }
    expect(fields).toEqual(
      expect.arrayContaining([
        'drill.forceReason',
        'drill.startsAtSeconds',
        'assumptions',
        'events',
        'expect.refusal',
      ]),
    );
    for (const kind of kinds) expect(fields).toContain(`events[].kind: ${kind}`);
  });
});
