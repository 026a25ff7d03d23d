// The deployment contract loads in every runtime (the bundled health function, the drill):
// nothing it imports, directly or through other project files, may be aws-cdk-lib or constructs.
import * as fs from 'node:fs';
import * as path from 'node:path';

const CONTRACT = path.join(__dirname, '..', '..', '..', 'constructs', 'contract', 'index.ts');

/** Every module specifier reachable from `file` through relative imports. */
function importsOf(file: string, seen = new Set<string>()): Set<string> {
  const specifiers = new Set<string>();
  if (seen.has(file)) return specifiers;
  seen.add(file);
  const source = fs.readFileSync(file, 'utf8');
  for (const [, spec] of source.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g)) {
    if (!spec.startsWith('.')) {
      specifiers.add(spec);
      continue;
    }
    const next = path.resolve(path.dirname(file), spec);
    const target = fs.existsSync(`${next}.ts`) ? `${next}.ts` : path.join(next, 'index.ts');
    for (const s of importsOf(target, seen)) specifiers.add(s);
  }
  return specifiers;
}

describe('the deployment contract', () => {
  test('GIVEN the contract and every project file it imports THEN none imports a package', () => {
    const files = new Set<string>();
    importsOf(CONTRACT, files);
    expect(files.size).toBeGreaterThan(5);
    expect([...importsOf(CONTRACT)]).toEqual([]);
  });
});
