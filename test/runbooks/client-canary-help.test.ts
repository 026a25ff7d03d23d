import { main } from '../../runbooks/drill/program';

async function help(args: string[]): Promise<string> {
  let out = '';
  const code = await main(args, { stdout: (t) => (out += t), stderr: (t) => (out += t) });
  expect(code).toBe(0);
  return out;
}

/** The paragraph, word for word: rate, targets, origin, what it writes, cleanup, report. */
const CANARY_PARAGRAPH = `Client canary (switchover, failover, failback with --execute): it lives the move as a client does,
from this machine and through this machine's DNS resolver, keeping each answer for its TTL as a stub
resolver's cache does. Every --canary-interval (default 1s) it sends one SigV4-signed
PUT /items/drill-<drill id>-<seq> through write.<domain> and one GET through app.<domain>, and it
records the Route 53 health checks' status (GetHealthCheckStatus) when it changes. It writes those
items with their idempotency records (public.items, public.item_requests) and drill_canary rows;
the last step deletes them. Each request and DNS answer goes to <state-dir>/<drill id>/client.jsonl;
the report shows the client-level write and read RTO, the acknowledged writes lost (count and time
window) and each name's DNS cutover beside the database-level figures. A client behind another
resolver may see each change up to one TTL later: that resolver may hold its answer for the TTL.
`;

describe('drill --help documents the client canary', () => {
  test.each([
    [['--help']],
    [['switchover', '--help']],
    [['failover', '--help']],
    [['failback', '--help']],
  ])(
    'GIVEN %j THEN the help says the canary rate, targets, origin, what it writes, the cleanup and the report',
    async (args) => {
      expect(await help(args)).toContain(CANARY_PARAGRAPH);
    },
  );

  test('GIVEN switchover --help THEN --canary-interval says what one round is', async () => {
    expect((await help(['switchover', '--help'])).replace(/\s+/g, ' ')).toContain(
      '--canary-interval <duration> time between client canary rounds: one write through write., one read through app. (default: "1s")',
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
