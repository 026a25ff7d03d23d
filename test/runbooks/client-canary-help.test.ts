import { ITEM_REQUESTS_TABLE, ITEM_ROUTES, ITEMS_TABLE } from '../../constructs/contract';
import { CLIENT_REQUEST_TIMEOUT_MS } from '../../runbooks/drill/client-canary';
import { clientItemPrefix } from '../../runbooks/drill/client-model';
import { DEFAULT_TIMING } from '../../runbooks/drill/model';
import { CLIENT_CANARY_HELP, main } from '../../runbooks/drill/program';

async function help(args: string[]): Promise<string> {
  let out = '';
  const code = await main(args, { stdout: (t) => (out += t), stderr: (t) => (out += t) });
  expect(code).toBe(0);
  return out;
}

/** The help, whitespace collapsed: the assertions read it as text, not as line breaks. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('drill --help documents the client canary', () => {
  test.each([
    [['--help']],
    [['switchover', '--help']],
    [['failover', '--help']],
    [['failback', '--help']],
  ])('GIVEN %j THEN the help carries the canary paragraph the program defines', async (args) => {
    expect(await help(args)).toContain(CLIENT_CANARY_HELP);
  });

  test("THEN the rate, the write route and its item ids are the code's", () => {
    expect(flat(CLIENT_CANARY_HELP)).toContain(
      `Every --canary-interval (default ${DEFAULT_TIMING.canaryIntervalMs / 1000}s) it sends one SigV4-signed ` +
        `${ITEM_ROUTES.write.method} ${ITEM_ROUTES.write.path.replace('{id}', `${clientItemPrefix('<drill id>')}<seq>`)} through write.<domain>`,
    );
  });

  test("THEN every round is said to read, this round's item while none was acknowledged, as the canary does", () => {
    expect(flat(CLIENT_CANARY_HELP)).toContain(
      `through write.<domain>, then one ${ITEM_ROUTES.read.method} through app.<domain> of the last acknowledged item or, while none was acknowledged, of this round's item (a serving region answers it 404 with its region: the read path works);`,
    );
    expect(CLIENT_CANARY_HELP).not.toContain('once a write was acknowledged');
  });

  test("THEN the time a hung request may take is the canary's request timeout", () => {
    const figure = /each up to (\d+)s \(the request timeout\)/.exec(flat(CLIENT_CANARY_HELP));
    expect(Number(figure?.[1]) * 1000).toBe(CLIENT_REQUEST_TIMEOUT_MS);
  });

  test("THEN the tables it writes are the contract's", () => {
    expect(flat(CLIENT_CANARY_HELP)).toContain(
      `items with their idempotency records (${ITEMS_TABLE}, ${ITEM_REQUESTS_TABLE}) and drill_canary rows`,
    );
  });

  test('GIVEN switchover --help THEN --canary-interval says what one round is', async () => {
    expect((await help(['switchover', '--help'])).replace(/\s+/g, ' ')).toContain(
      `--canary-interval <duration> time between client canary rounds: one write through write., then one read through app. (of the last acknowledged item, or of this round's) (default: "${DEFAULT_TIMING.canaryIntervalMs / 1000}s")`,
    );
  });

  test.each(['switchover', 'failover', 'failback', 'resume'])(
    'GIVEN %s --help THEN --no-client-canary says what turning the canary off changes',
    async (command) => {
      expect((await help([command, '--help'])).replace(/\s+/g, ' ')).toContain(
        '--no-client-canary run without the client canary: no client-canary preflight check, verify-client-writes is skipped, the report has no client-level figures (resume keeps the choice)',
      );
    },
  );

  test('GIVEN status --help THEN the canary is not described (status sends no canary request)', async () => {
    expect(await help(['status', '--help'])).not.toContain('Client canary');
  });
});
