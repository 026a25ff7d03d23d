import * as fs from 'node:fs';
import * as path from 'node:path';
import { ITEM_REQUESTS_TABLE, ITEM_ROUTES, ITEMS_TABLE } from '../../constructs/contract';
import { CLIENT_REQUEST_TIMEOUT_MS } from '../../runbooks/drill/client-canary';
import { clientItemPrefix } from '../../runbooks/drill/client-model';
import { DEFAULT_TIMING, DRILL_KINDS } from '../../runbooks/drill/model';
import { CLEAN_CANARY_STEP_ID, STEPS, stepsFor } from '../../runbooks/drill/steps';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/\s+/g, ' ');

/** One `## ` section of a markdown file, whitespace collapsed. */
function section(file: string, heading: string): string {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const start = text.indexOf(`\n## ${heading}\n`);
  expect(start).toBeGreaterThan(-1);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end === -1 ? undefined : end).replace(/\s+/g, ' ');
}

describe('runbooks/README.md documents the client canary', () => {
  const canary = section('runbooks/README.md', 'The client canary');

  test('THEN it states the rate, the two targets and the item ids the code uses', () => {
    expect(canary).toContain(
      `Every \`--canary-interval\` (default \`${DEFAULT_TIMING.canaryIntervalMs / 1000}s\`) one round`,
    );
    expect(canary).toContain(
      `\`${ITEM_ROUTES.write.method} ${ITEM_ROUTES.write.path.replace('{id}', `${clientItemPrefix('<drill id>')}<seq>`)}\``,
    );
    expect(canary).toContain('through `write.<domain>`');
    expect(canary).toContain(
      `then one \`${ITEM_ROUTES.read.method} /items/...\` through \`app.<domain>\` of the last acknowledged item, from the first round: while no write has been acknowledged (a drill started during an outage of the writer region), of this round's item, which a serving region answers with \`404\` and its region`,
    );
    expect(canary).not.toContain('once a write has been acknowledged');
    expect(canary).toContain('`GetHealthCheckStatus`');
  });

  test("THEN the time a round may take while requests hang is the canary's request timeout per request", () => {
    const figures =
      /each takes up to the request timeout \(`(\d+)s`\), so a round then lasts up to `(\d+)s` \(`(\d+)s` when it re-sends a write\)/.exec(
        canary,
      );
    // A round is a write then a read, one after the other, after the re-sent write if any
    // (client-canary.ts, requests()).
    expect(figures?.slice(1).map((n) => Number(n) * 1000)).toEqual([
      CLIENT_REQUEST_TIMEOUT_MS,
      2 * CLIENT_REQUEST_TIMEOUT_MS,
      3 * CLIENT_REQUEST_TIMEOUT_MS,
    ]);
  });

  test('THEN it says what the canary writes, in the tables the service uses, and that the last step deletes them', () => {
    expect(canary).toContain(
      `(\`${ITEMS_TABLE}\`) with their idempotency records (\`${ITEM_REQUESTS_TABLE}\`)`,
    );
    expect(canary).toContain('`drill_canary` rows');
    expect(canary).toContain('The last step deletes them');
  });

  test('THEN it says where it runs from and that another resolver may add up to one TTL', () => {
    expect(canary).toContain("The operator's machine, through that machine's DNS resolver");
    expect(canary).toContain('A client behind another resolver may see up to one TTL more');
  });

  test('THEN the state-dir table lists the client log', () => {
    expect(read('runbooks/README.md')).toContain('| `<drill-id>/client.jsonl` |');
  });
});

describe("runbooks/README.md lists the drill's steps in the order the code runs them", () => {
  const listed = [
    ...section('runbooks/README.md', 'What a drill does').matchAll(/\*\*([a-z-]+)\*\*/g),
  ].map((m) => m[1]);

  test('THEN the list names every step once, in the order of STEPS', () => {
    expect(listed).toEqual(STEPS.map((s) => s.id));
  });

  test.each(DRILL_KINDS.map((k) => [k]))(
    'GIVEN a %s THEN its steps, in the order the README lists them, are stepsFor(kind)',
    (kind) => {
      const ids = new Set<string>(stepsFor(kind).map((s) => s.id));
      expect(listed.filter((id) => ids.has(id))).toEqual(stepsFor(kind).map((s) => s.id));
    },
  );
});

describe('runbooks/README.md on what a stopped or abandoned drill leaves of the canaries', () => {
  const stops = section('runbooks/README.md', 'When a drill stops');

  test('THEN it names the rows and items, the writer, and the step whose deletes are printed', () => {
    expect(stops).toContain(
      `this drill's \`drill_canary\` rows and the client canary's items and idempotency records (\`${clientItemPrefix('<drill id>')}*\`)`,
    );
    expect(stops).toContain(
      `prints the \`aws rds-data execute-statement\` command of each delete that ${CLEAN_CANARY_STEP_ID} runs`,
    );
    expect(stops).toContain(
      `when either canary sent a write and ${CLEAN_CANARY_STEP_ID} has not run, it names what is left on the writer`,
    );
  });
});

describe('README.md on the items routes and the canary', () => {
  test('THEN it no longer says the canary does not call the items routes, and names who may', () => {
    const readme = read('README.md');
    expect(readme).not.toContain('does not call these routes yet');
    expect(readme).toContain(
      "the drill roles for the drill's client canary, which may invoke only `PUT` and `GET` of its own `/items/drill-*` items in each region",
    );
    expect(readme).toContain('a client behind another resolver may see up to one TTL more');
  });
});
