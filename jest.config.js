/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Source folders too: mutation testing asks jest for the tests related to a source file.
  roots: [
    '<rootDir>/test',
    '<rootDir>/bin',
    '<rootDir>/lib',
    '<rootDir>/constructs',
    '<rootDir>/runbooks',
  ],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  // The template validator of aws-cdk-lib adds ~1.5 s per synth; CI runs one full validated synth.
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
};
