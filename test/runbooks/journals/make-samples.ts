// Wrote the journal samples beside this file with the drill of commit a2dc48c (before typed
// step outcomes): `npx jest --testMatch '**/journals/make-samples.ts' test/runbooks/journals`.
// Not a test: it writes into the source tree. Do not regenerate them with newer code: they are
// what an older drill left on disk, and journal.test.ts reads them with the current code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { drillIds, PRIMARY, useFakeAws } from '../harness';

const h = useFakeAws();
const out = __dirname;

function keep(name: string, prefix: string) {
  const id = drillIds(h.stateDir).find((d) => d.startsWith(prefix))!;
  const dir = path.join(out, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['journal.jsonl', 'canary.jsonl', 'record.json']) {
    fs.copyFileSync(path.join(h.stateDir, id, f), path.join(dir, f));
  }
}

test('switchover', async () => {
  const r = await h.run(h.switchover(), { host: 'ops-host-1' });
  expect(r.code).toBe(0);
  keep('switchover', 'switchover-');
});

test('failover of an unreachable region with lost rows, then failback', async () => {
  h.world.dataReplicationDelayMs = 3_000;
  h.world.healthLagMs = 12_000;
  const r = await h.run(h.failover(), { host: 'ops-host-1' });
  expect(r.code).toBe(0);
  keep('failover', 'failover-');
  const b = await h.run(['failback', '--execute', '--yes', ...h.fast], { host: 'ops-host-1' });
  expect(b.stderr).toBe('');
  expect(b.code).toBe(0);
  keep('failback', 'failback-');
});

test('failover of an unreachable region (fence failed)', async () => {
  h.world.down.add(PRIMARY);
  const r = await h.run(h.failover(), { host: 'ops-host-1' });
  expect(r.code).toBe(0);
  keep('failover-fence-failed', 'failover-');
});
