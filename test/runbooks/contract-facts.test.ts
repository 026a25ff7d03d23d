import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** Facts the deployment contract (constructs/contract) holds, and how a retyped copy looks. */
const RETYPED_FACTS: readonly { readonly fact: string; readonly pattern: RegExp }[] = [
  { fact: 'LAG_METRICS', pattern: /AuroraGlobalDB\w*Lag/ },
  { fact: 'SERVICE_METRIC_NAMESPACE', pattern: /MultiRegion\/Service/ },
  { fact: 'HEALTH_PATHS', pattern: /\/health\/writer|\/health\/serving|['"`]\/health['"`]/ },
  { fact: 'masterSecretName', pattern: /\/master['"`]/ },
  { fact: 'ROUTE53_HOME_REGION', pattern: /['"`]us-east-1['"`]/ },
  { fact: 'DRILL_ROLE_OUTPUT_KEYS', pattern: /Drill(Operator|Failover)RoleArn/ },
];

/**
 * Where a region name is a fact of its own, not Route 53's home: the CIDR of each region, the
 * topology's default primary region (and its example in a message), and the region of ARC
 * Region switch's control plane (ARC API Reference, endpoints).
 */
const OWN_REGION_FACTS = new Set([
  'lib/vpc-cidrs.ts',
  'lib/topology.ts',
  'constructs/aws-api/arc-region-switch.ts',
]);

/** The code of a TypeScript source without its comments (strings kept). */
function withoutComments(source: string): string {
  // A block comment keeps its line breaks, so reported line numbers are the file's own.
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ''))
    .replace(/^\s*\/\/.*$/gm, '');
}

/** Every `fact: file:line` where `source` retypes a fact instead of importing it. */
function retypedFacts(file: string, source: string): string[] {
  return withoutComments(source)
    .split('\n')
    .flatMap((line, i) =>
      RETYPED_FACTS.filter(({ fact, pattern }) => {
        if (fact === 'ROUTE53_HOME_REGION' && OWN_REGION_FACTS.has(file)) return false;
        return pattern.test(line);
      }).map(({ fact }) => `${fact}: ${file}:${i + 1}: ${line.trim()}`),
    );
}

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sources(rel);
    return entry.name.endsWith('.ts') ? [rel] : [];
  });
}

describe('facts of the deployment contract in the drill and the stacks', () => {
  test('GIVEN a source that types a lag metric, a health route or the home region THEN the scan names each', () => {
    const source = [
      "const metric = 'AuroraGlobalDBRPOLag';",
      '// a comment may name AuroraGlobalDBReplicationLag',
      "const route = `${host}/health/writer`; const region = 'us-east-1';",
    ].join('\n');

    expect(retypedFacts('runbooks/drill/x.ts', source)).toEqual([
      "LAG_METRICS: runbooks/drill/x.ts:1: const metric = 'AuroraGlobalDBRPOLag';",
      "HEALTH_PATHS: runbooks/drill/x.ts:3: const route = `${host}/health/writer`; const region = 'us-east-1';",
      "ROUTE53_HOME_REGION: runbooks/drill/x.ts:3: const route = `${host}/health/writer`; const region = 'us-east-1';",
    ]);
  });

  test('GIVEN runbooks/, lib/, bin/ and constructs/ (but the contract) THEN no file retypes a fact the contract holds', () => {
    const scanned = [
      ...sources('runbooks'),
      ...sources('lib'),
      ...sources('bin'),
      // The contract itself, and the metric names it re-exports from their first home.
      ...sources('constructs').filter(
        (file) =>
          !file.startsWith('constructs/contract/') && file !== 'constructs/service-metrics.ts',
      ),
    ];
    const found = scanned.flatMap((file) =>
      retypedFacts(file, fs.readFileSync(path.join(ROOT, file), 'utf8')),
    );

    expect(found).toEqual([]);
  });
});
