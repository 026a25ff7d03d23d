// Writes runbooks/<kind>.md from the drill's step definitions. Run: npm run runbooks
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DRILL_KINDS } from './drill/model';
import { renderRunbook } from './drill/runbook';

for (const kind of DRILL_KINDS) {
  const file = path.join(__dirname, `${kind}.md`);
  fs.writeFileSync(file, renderRunbook(kind));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
