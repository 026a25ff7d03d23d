// Mutation testing on demand (minutes, not in CI): `npm run mutation`.
// Another module: MUTATE=runbooks/drill/steps.ts MUTATION_TESTS='test/runbooks/*.test.ts' npm run mutation
// The preflight gate: its composition and the checks it composes.
const mutate = (
  process.env.MUTATE ?? 'runbooks/drill/preflight.ts,runbooks/drill/checks/*.ts'
).split(',');
const tests = (process.env.MUTATION_TESTS ?? 'test/runbooks/preflight*.test.ts').split(',');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    configFile: 'jest.config.js',
    // The tests that guard the module, and only those: a gate's own tests must catch a broken gate.
    config: { testMatch: tests.map((t) => `<rootDir>/${t}`) },
    enableFindRelatedTests: false,
  },
  coverageAnalysis: 'perTest',
  mutate,
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  thresholds: { high: 90, low: 80, break: null },
  concurrency: 2,
  tempDirName: '.stryker-tmp',
};
