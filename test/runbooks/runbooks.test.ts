import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT_CODES } from '../../runbooks/drill/errors';
import { DRILL_KINDS } from '../../runbooks/drill/model';
import { renderRunbook } from '../../runbooks/drill/runbook';
import { stepsFor } from '../../runbooks/drill/steps';

const RUNBOOKS = path.join(__dirname, '..', '..', 'runbooks');

describe('runbooks are generated from the steps the executor runs', () => {
  test.each(DRILL_KINDS)(
    'runbooks/%s.md matches the code (run `npm run runbooks` after changing a step)',
    (kind) => {
      const committed = fs.readFileSync(path.join(RUNBOOKS, `${kind}.md`), 'utf8');

      expect(committed).toBe(renderRunbook(kind));
    },
  );

  test.each(DRILL_KINDS)(
    'the %s runbook has every step with its calls, checks and what to do if it fails',
    (kind) => {
      const text = renderRunbook(kind);
      const steps = stepsFor(kind);

      steps.forEach((step, i) => {
        expect(text).toContain(`${i + 1}. \`${step.id}\`:`);
        expect(text).toContain(`Step \`${step.id}\`. ${step.purpose}`);
      });
      expect(text.match(/^If it fails: /gm)).toHaveLength(steps.length);
      expect(text.match(/^Checks:$/gm)).toHaveLength(steps.length);
    },
  );

  test('runbooks/README.md documents every exit code', () => {
    const readme = fs.readFileSync(path.join(RUNBOOKS, 'README.md'), 'utf8');

    for (const [code, number] of Object.entries(EXIT_CODES)) {
      expect(readme).toMatch(new RegExp(`\\| +${number} +\\| +\`${code}\` +\\|`));
    }
  });
});
