#!/usr/bin/env node
// Entry point of `npx drill`. In a source checkout it runs the TypeScript CLI through tsx (a
// devDependency); the published package has no runbooks/drill/*.ts and runs the JavaScript
// that `npm run build` compiled into dist/, so a production install needs no devDependency.
const fs = require('node:fs');
const path = require('node:path');

const source = path.join(__dirname, '..', 'drill', 'cli.ts');
if (fs.existsSync(source)) {
  require('tsx/cjs');
  require(source);
} else {
  require('../../dist/runbooks/drill/cli.js');
}
