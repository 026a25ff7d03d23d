import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenarioFile } from '../../runbooks/simulation/scenario-file';

// Edges of the scenario file's format that the rehearse tests leave open (mutation testing
// found them): every accepted value is kept, and each refusal names the field and the fix.
const base = {
  name: 'my-drill',
  summary: 'a drill of my own',
  description: 'what it shows',
  drill: { kind: 'failover', forceReason: 'the writer region is down' },
  events: [],
};

function load(content: object) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scenario-file-')), 's.json');
  fs.writeFileSync(file, JSON.stringify(content));
  return { file, load: () => loadScenarioFile(file) };
}

const invalid = (file: string, problem: string) =>
  `scenario file ${file} is not a valid scenario:\n  - ${problem}`;

describe('the scenario file format', () => {
  test('GIVEN every assumption and a target-region event THEN the scenario keeps each value', () => {
    const assumptions = {
      resolver: 'worst-case',
      replicationLagMs: 2000,
      healthCheckers: 8,
      resolverMinTtlSeconds: 5,
    };
    const events = [
      { kind: 'rds-throttling', region: 'target', atSeconds: 1, forSeconds: 2, share: 1 },
    ];

    const scenario = load({ ...base, assumptions, events }).load();

    expect(scenario.assumptions).toEqual(assumptions);
    expect(scenario.events).toEqual(events);
  });

  test.each([
    [
      'a name with a character after the kebab-case part',
      { ...base, name: 'my-drill!' },
      'name must be kebab-case (lowercase letters, digits and single dashes, e.g. "slow-promotion"), got: "my-drill!"',
    ],
    [
      'drill.after on a switchover',
      { ...base, drill: { kind: 'switchover', after: 'failover' } },
      'drill.after is only for a failback (drill.kind switchover), got: "failover"; remove it, or set drill.kind to "failback"',
    ],
    [
      'two unknown fields',
      { ...base, extra1: 1, extra2: 2 },
      'extra1, extra2: not a field of the format; remove them or fix the spelling',
    ],
  ])('GIVEN %s THEN it is refused, naming the field and the fix', (_what, content, problem) => {
    const { file, load: read } = load(content);

    expect(read).toThrow(invalid(file, problem));
  });
});
