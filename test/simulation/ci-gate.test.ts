// .ci/run gates on rehearsals: the default and the three-region assembly, each rehearsed
// through built-in scenarios right after its synth (set -e: a missed objective fails CI).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scenarioNamed } from '../../runbooks/simulation/scenarios';

const script = fs.readFileSync(path.join(__dirname, '..', '..', '.ci', 'run'), 'utf8');
const lines = script.split('\n');
const lineOf = (re: RegExp) => lines.findIndex((l) => re.test(l));

describe('.ci/run rehearses what it synthesizes', () => {
  test('GIVEN the script THEN it stops at the first failing command', () => {
    expect(lines).toContain('set -euo pipefail');
  });

  test.each([
    ['the default assembly', /^npx cdk synth --no-lookups --quiet$/, 'cdk.out'],
    ['the three-region assembly', /--output cdk\.out\.three$/, 'cdk.out.three'],
  ])('GIVEN %s THEN it is rehearsed after its synth, before it is removed', (_, synth, dir) => {
    const synthAt = lineOf(synth);
    const rehearseAt = lineOf(
      new RegExp(`^npx drill rehearse --assembly ${dir.replace(/\./g, '\\.')} `),
    );
    const removedAt = lines.findIndex((l, i) => i > synthAt && l === `rm -rf ${dir}`);

    expect(synthAt).toBeGreaterThanOrEqual(0);
    expect(rehearseAt).toBeGreaterThan(synthAt);
    if (removedAt >= 0) expect(removedAt).toBeGreaterThan(rehearseAt);
    const scenarios = [...lines[rehearseAt].matchAll(/--scenario (\S+)/g)].map((m) => m[1]);
    expect(scenarios).toEqual(['region-outage', 'switchover-under-load']);
    scenarios.forEach((name) => expect(scenarioNamed(name)).toBeDefined());
  });

  test('GIVEN the script THEN it runs the README test command, npm test', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

    expect(readme).toContain('npm ci && npm test');
    expect(lineOf(/^npm test /)).toBeGreaterThanOrEqual(0);
  });
});
