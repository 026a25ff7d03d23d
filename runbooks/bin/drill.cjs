#!/usr/bin/env node
// Entry point of `npx drill`: runs the TypeScript CLI through tsx.
require('tsx/cjs');
require('../drill/cli.ts');
