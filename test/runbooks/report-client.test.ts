// The report's client view: each objective against the database-level and the client-level
// figure, the client-level rows, the client section and the client marks on the timeline,
// from a drill against the fakes whose client canary log is built from the app's topology.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClientCanary } from '../../runbooks/drill/client-canary';
import type { ClientLogEntry } from '../../runbooks/drill/client-model';
import type { DrillRecord } from '../../runbooks/drill/record';
import { DrillStore, type JournalEntry } from '../../runbooks/drill/store';
import { clientLogBuilder } from './client-log';
import { drillIds, PRIMARY, readJournal, readRecordFile, SECONDARY, useFakeAws } from './harness';

const h = useFakeAws();
// These tests write the client log themselves (clientLogBuilder): the drill's own client canary
// stays off, so the log and verify-writes' count are only what each test sets.
let canaryOff: jest.SpyInstance;
beforeEach(() => {
  canaryOff = jest.spyOn(ClientCanary.prototype, 'start').mockImplementation(() => undefined);
});
afterEach(() => canaryOff.mockRestore());
const DRILL = 'switchover-20250301T100000Z-us-west-2';
const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

function builder() {
  return {
    b: clientLogBuilder(h.world.topology, DRILL, T0),
    from: h.world.deployed(PRIMARY),
    to: h.world.deployed(SECONDARY),
  };
}

/**
 * The switchover as the client lived it: writes fail from 2 s and are acknowledged again at
 * 37 s through the new write. answer; reads answered by the drained old region fail from 2 s
 * until the cache's old app. answer (TTL 18 s left) expires at 20 s.
 */
function livedSwitchover(): ClientLogEntry[] {
  const { b, from, to } = builder();
  return [
    b.answer('write', 0, from),
    b.answer('read', 0, from),
    b.health(0, from, 'writer', true),
    b.health(0, to, 'writer', false),
    b.health(0, from, 'serving', true),
    b.health(0, to, 'serving', true),
    ...b.writes(0, 1, from, true),
    ...b.writes(2, 36, from, false),
    b.health(3, from, 'serving', false),
    b.health(5, from, 'writer', false),
    b.answer('read', 2, from, 18),
    ...b.reads(0, 1, from, true),
    ...b.reads(2, 19, from, false),
    b.answer('read', 20, to),
    ...b.reads(20, 39, to, true),
    b.health(36, to, 'writer', true),
    b.answer('write', 37, to),
    ...b.writes(37, 39, to, true),
  ];
}

async function switchover(): Promise<void> {
  const result = await h.run(['switchover', '--to', SECONDARY, '--execute', '--yes', ...h.fast]);
  expect(result.code).toBe(0);
  expect(drillIds(h.stateDir)).toEqual([DRILL]);
}

function writeClientLog(entries: readonly ClientLogEntry[]): void {
  const store = new DrillStore(h.stateDir);
  for (const e of entries) store.appendClient(DRILL, e);
}

function editJournal(edit: (entries: JournalEntry[]) => JournalEntry[]): void {
  fs.writeFileSync(
    path.join(h.stateDir, DRILL, 'journal.jsonl'),
    edit(readJournal(h.stateDir, DRILL))
      .map((e) => `${JSON.stringify(e)}\n`)
      .join(''),
  );
}

/** verify-writes' outcome as the client canary's count would leave it. */
function verifyCounted(lostClientWrites: readonly number[], acknowledgedClientWrites: number) {
  editJournal((entries) =>
    entries.map((e) =>
      e.type === 'step' && e.step === 'verify-writes' && e.event === 'completed'
        ? { ...e, details: { ...e.details, lostClientWrites, acknowledgedClientWrites } }
        : e,
    ),
  );
}

/** The lived switchover, with verify-writes' count of the client writes as given. */
async function livedDrill(
  lostClientWrites: readonly number[],
  acknowledgedClientWrites: number,
): Promise<void> {
  await switchover();
  writeClientLog(livedSwitchover());
  verifyCounted(lostClientWrites, acknowledgedClientWrites);
}

function setObjectives(objectives: { rpoSeconds: number; rtoSeconds: number }): void {
  editJournal((entries) =>
    entries.map((e) =>
      e.type === 'drill' ? { ...e, objectives: { ...e.objectives, ...objectives } } : e,
    ),
  );
}

async function reports(): Promise<{ md: string; html: string; record: DrillRecord }> {
  const read = async (format: 'md' | 'html' | 'json') => {
    expect((await h.run(['report', '--format', format])).code).toBe(0);
    const file = format === 'json' ? 'record.json' : `report.${format}`;
    return fs.readFileSync(path.join(h.stateDir, DRILL, file), 'utf8');
  };
  return { md: await read('md'), html: await read('html'), record: JSON.parse(await read('json')) };
}

const NOTE =
  "The canary resolved the public names from where the drill ran, through that host's resolver, and kept each answer for its TTL. " +
  'A client behind another resolver may see up to one TTL (60 s) more: its resolver may have cached the old answer just before the change, and may keep it for the whole TTL (RFC 1035, section 3.2.1; Route 53 Developer Guide, "Values specific for latency records", TTL (seconds)).';

const FENCED =
  'Writes fenced before the promotion cannot be lost (they were refused, never acknowledged), so the client data loss measures what replication had not carried to us-west-2 when Aurora promoted it.';

describe('report: objectives against the database-level and the client-level figure', () => {
  test('GIVEN a drill without a client log THEN the client-level column says so, and no client section or client key appears', async () => {
    await switchover();

    const { md, html, record } = await reports();

    expect(md).toContain(
      [
        '| objective | database-level | client-level |',
        '| --- | --- | --- |',
        '| RTO 900 s (computed floor 215 s) | 35.0s: pass | not measured: the drill has no client canary log |',
        '| RPO 30 s | 0 canary rows lost; AuroraGlobalDBRPOLag at promotion 400 ms: pass | not measured: the drill has no client canary log |',
      ].join('\n'),
    );
    expect(md).not.toContain('## Client canary');
    expect(html).not.toContain('<h2>Client canary</h2>');
    expect(html).toContain('>canary writes failing</text>');
    expect(record.measures).not.toHaveProperty('client');
  });

  test('GIVEN a client log and lost client writes within the objectives THEN both figures pass', async () => {
    await livedDrill([2, 1], 2);

    const { md } = await reports();

    expect(md).toContain(
      '| RTO 900 s (computed floor 215 s) | 35.0s: pass | write RTO 35.0s; read RTO in us-east-1 18.0s: pass |',
    );
    expect(md).toContain(
      '| RPO 30 s | 0 canary rows lost; AuroraGlobalDBRPOLag at promotion 400 ms: pass | 2 client writes lost over 1.0s: pass |',
    );
  });

  test('GIVEN objectives tighter than the figures THEN both levels FAIL', async () => {
    await livedDrill([2, 1], 2);
    setObjectives({ rtoSeconds: 20, rpoSeconds: 0 });

    const { md } = await reports();

    expect(md).toContain(
      '| RTO 20 s (computed floor 215 s) | 35.0s: FAIL | write RTO 35.0s; read RTO in us-east-1 18.0s: FAIL |',
    );
    expect(md).toContain(
      '| RPO 0 s | 0 canary rows lost; AuroraGlobalDBRPOLag at promotion 400 ms: FAIL | 2 client writes lost over 1.0s: FAIL |',
    );
  });

  test('GIVEN figures equal to the objectives THEN they pass: an objective is a bound the figure may reach', async () => {
    await livedDrill([2, 1], 2);
    setObjectives({ rtoSeconds: 35, rpoSeconds: 1 });

    const { md } = await reports();

    expect(md).toContain(
      '| RTO 35 s (computed floor 215 s) | 35.0s: pass | write RTO 35.0s; read RTO in us-east-1 18.0s: pass |',
    );
    expect(md).toContain('| 2 client writes lost over 1.0s: pass |');
  });

  test('GIVEN no lost client write THEN the client-level RPO passes', async () => {
    await livedDrill([], 3);

    const { md } = await reports();

    expect(md).toContain('| 0 client writes lost: pass |');
    expect(md).toContain(
      '| client-level data loss: acknowledged client writes missing on the new writer | 0 of 3 acknowledged; no client write was acknowledged before the promotion | RPO 30 s |',
    );
    expect(md).toContain(
      'Lost client writes: none (every acknowledged client write is on the new writer).',
    );
    expect(md).not.toContain('### Lost client writes');
  });

  test('GIVEN a lost seq the client log does not have THEN no window is claimed and no verdict given', async () => {
    await livedDrill([500], 3);

    const { md } = await reports();

    expect(md).toContain('| 1 client writes lost (not in the client log: no window) |');
    expect(md).toContain('| 500 | not in the client log | - | - |');
  });

  test('GIVEN client writes still failing when the canary stopped THEN the client-level RTO is not measured, without a verdict', async () => {
    await switchover();
    const { b, from } = builder();
    writeClientLog([...b.writes(0, 1, from, true), ...b.writes(2, 39, from, false)]);

    const { md } = await reports();

    expect(md).toContain(
      `| RTO 900 s (computed floor 215 s) | 35.0s: pass | not measured: client writes were still failing when the canary stopped (38 failed since ${iso(2)}) |`,
    );
    expect(md).toContain(
      `| client-level write RTO (first failed to first acknowledged client write after) | not measured: client writes were still failing when the canary stopped (38 failed since ${iso(2)}) | RTO 900 s |`,
    );
  });
});

describe('report: the client-level rows of the measures table', () => {
  test('GIVEN only the newer of two acknowledged writes lost THEN the window runs from the write the new writer kept', async () => {
    await livedDrill([2], 40);

    const { md } = await reports();

    expect(md).toContain(
      `| client-level data loss: acknowledged client writes missing on the new writer | 1 of 40 acknowledged (seq 2), sent from ${iso(1)} to ${iso(1)} (window 1.0s since the newest write kept, ${iso(0)}); no client write was acknowledged before the promotion | RPO 30 s |`,
    );
  });

  test('GIVEN the lived switchover THEN the rows name the database-level and the client-level figures', async () => {
    await livedDrill([2, 1], 40);

    const { md } = await reports();

    expect(md).toContain(
      [
        '| database-level RTO (first failed to next acknowledged canary write) | 35.0s | RTO 900 s (computed floor 215 s) |',
        '| database-level data loss: acknowledged canary rows missing on the new writer | 0 | RPO 30 s |',
        `| promotion | requested at ${iso(0)}, accepted |  |`,
        '| AuroraGlobalDBRPOLag at promotion | 400 ms | RPO 30 s |',
        '| client-level write RTO (first failed to first acknowledged client write after) | 35.0s | RTO 900 s |',
        '| client-level read RTO in us-east-1 (failed reads answered there to the next successful read) | 18.0s | RTO 900 s |',
        `| client-level data loss: acknowledged client writes missing on the new writer | 2 of 40 acknowledged (seq 1, 2), sent from ${iso(0)} to ${iso(1)} (window 1.0s); no client write was acknowledged before the promotion | RPO 30 s |`,
        `| DNS cutover of write.example.com | us-east-1 -> us-west-2 at ${iso(37)}, 1.0s after the us-west-2 writer check turned healthy (old answer's TTL 60 s) |  |`,
        `| DNS cutover of app.example.com | us-east-1 -> us-west-2 at ${iso(20)}, 17.0s after the us-east-1 serving check turned unhealthy (old answer's TTL 18 s) |  |`,
        '| client requests | 40 writes (35 failed), 40 reads (18 failed); statuses 200 x5, 404 x22, 503 x53 |  |',
      ].join('\n'),
    );
  });

  test('GIVEN verify-writes did not count the client writes THEN the client data loss says so', async () => {
    await switchover();
    // As a drill journaled before verify-writes counted them.
    editJournal((entries) =>
      entries.map((e) => {
        if (e.type !== 'step' || e.step !== 'verify-writes' || !e.details) return e;
        const { lostClientWrites, acknowledgedClientWrites, ...details } = e.details;
        void lostClientWrites;
        void acknowledgedClientWrites;
        return { ...e, details };
      }),
    );
    writeClientLog(livedSwitchover());

    const { md } = await reports();

    expect(md).toContain(
      "| client-level data loss: acknowledged client writes missing on the new writer | not verified: step verify-writes did not count the client canary's writes on the new writer; no client write was acknowledged before the promotion | RPO 30 s |",
    );
    expect(md).toContain(
      "Lost client writes: not verified: step verify-writes did not count the client canary's writes on the new writer.",
    );
  });

  test('GIVEN a name whose answer did not change, and a change with no flip before it THEN the rows say so', async () => {
    await switchover();
    const { b, from, to } = builder();
    writeClientLog([
      b.answer('write', 0, from),
      { ...b.answer('write', 5, from), target: undefined, region: undefined, error: 'SERVFAIL' },
      b.answer('read', 0, from),
      b.answer('read', 10, to),
      request(b, from),
    ]);

    const { md } = await reports();

    expect(md).toContain(
      '| DNS cutover of write.example.com | the answer did not change (1 failed queries) |  |',
    );
    expect(md).toContain(
      `| DNS cutover of app.example.com | us-east-1 -> us-west-2 at ${iso(10)}, with no health check flip of those regions before it |  |`,
    );
    expect(md).toContain(
      `| app.example.com | ${iso(10)} | us-east-1 | us-west-2 | none | - | 60 s |`,
    );
    expect(md).toContain(
      '| client requests | 1 writes (1 failed), 0 reads (0 failed); statuses no response x1 |  |',
    );
    expect(md).toContain('### Health check flips\n\nNo health check changed state.');
  });
});

/** One write that got no response. */
function request(b: ReturnType<typeof builder>['b'], from: ReturnType<typeof builder>['from']) {
  return b.request('write', 1, 1, from, false, { status: undefined, error: 'connect ETIMEDOUT' });
}

describe('report: the client section', () => {
  test('GIVEN the lived switchover with lost writes THEN it lists the writer moments, requests, lost writes, answer changes, health flips and the resolver note', async () => {
    await livedDrill([2, 1], 40);

    const { md, html } = await reports();

    expect(md).toContain(
      [
        '## Client canary',
        `Writer: promotion requested at ${iso(0)}; us-west-2 held the writer at ${iso(40)} (step wait-writer).`,
        'Requests: 40 writes (35 failed), 40 reads (18 failed); statuses 200 x5, 404 x22, 503 x53.',
        'Lost client writes: 2 acknowledged but missing on the new writer.',
        `No client write was acknowledged before the promotion. ${FENCED}`,
        NOTE,
        '### Lost client writes',
        [
          '| seq | item | sent | acknowledged by |',
          '| --- | --- | --- | --- |',
          `| 1 | drill-${DRILL}-1 | ${iso(0)} | us-east-1 |`,
          `| 2 | drill-${DRILL}-2 | ${iso(1)} | us-east-1 |`,
        ].join('\n'),
        '### DNS answer changes',
        [
          "| name | answer changed | from | to | health check flip before it | delay | old answer's TTL |",
          '| --- | --- | --- | --- | --- | --- | --- |',
          `| write.example.com | ${iso(37)} | us-east-1 | us-west-2 | us-west-2 writer healthy at ${iso(36)} | 1.0s | 60 s |`,
          `| app.example.com | ${iso(20)} | us-east-1 | us-west-2 | us-east-1 serving unhealthy at ${iso(3)} | 17.0s | 18 s |`,
        ].join('\n'),
        '### Health check flips',
        [
          '| at | region | check | became | checkers reporting success |',
          '| --- | --- | --- | --- | --- |',
          `| ${iso(3)} | us-east-1 | serving | unhealthy | 0/16 |`,
          `| ${iso(5)} | us-east-1 | writer | unhealthy | 0/16 |`,
          `| ${iso(36)} | us-west-2 | writer | healthy | 16/16 |`,
        ].join('\n'),
      ].join('\n\n'),
    );
    expect(html).toContain('<h2>Client canary</h2>');
    expect(html).toContain(`<p>${NOTE.replace(/'/g, '&#39;').replace(/"/g, '&quot;')}</p>`);
    expect(html).toContain(`<td>drill-${DRILL}-1</td>`);
  });

  test('GIVEN no promotion accepted and no writer seen THEN the writer line says so, and no answer changed', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', new Error('boom'));
    await h.run(h.switchover());
    const { b, from } = builder();
    writeClientLog([b.answer('write', 0, from), ...b.writes(0, 2, from, true)]);

    const { md } = await reports();

    expect(md).toContain(
      'Writer: no promotion accepted; step wait-writer did not see us-west-2 hold the writer.',
    );
    expect(md).toContain('### DNS answer changes\n\nNo answer changed.');
    expect(md).toContain(
      '| objective | database-level | client-level |\n| --- | --- | --- |\n| RTO 900 s (computed floor 215 s) | not measured: the new writer has not taken a canary write (step verify-writes did not run) | no failed client write: pass |',
    );
  });
});

describe('report: the client view on the HTML timeline', () => {
  test('GIVEN the lived switchover THEN requests, answer changes and health flips are labelled marks, and the writer move a line', async () => {
    await switchover();
    writeClientLog(livedSwitchover());

    const { html } = await reports();

    expect(html).toContain('>database canary failing</text>');
    expect(html).toContain('>client writes (35 of 40 failed)</text>');
    expect(html).toContain('>client reads (18 of 40 failed)</text>');
    expect(html).toContain(
      `fill="#c62828"><title>write failed 503 via us-east-1 at ${iso(2)}</title></rect>`,
    );
    expect(html).toContain(
      `fill="#2e7d32"><title>read ok 404 via us-west-2 at ${iso(20.5)}</title></rect>`,
    );
    expect(html).toContain('>DNS answer changes</text>');
    expect(html).toContain(`<title>app. -&gt; us-west-2 at ${iso(20)}</title>`);
    expect(html).toContain('fill="#1565c0">write. -&gt; us-west-2</text>');
    expect(html).toContain('>health check flips</text>');
    expect(html).toContain('fill="#c62828">us-east-1 serving unhealthy</text>');
    expect(html).toContain('fill="#2e7d32">us-west-2 writer healthy</text>');
    // The writer's label has a line of its own below the promotion's: the two are often close.
    const labelY = (label: string) =>
      Number(new RegExp(`y="(\\d+)"[^>]*>${label}</text>`).exec(html)?.[1]);
    expect(labelY('writer moved')).toBe(labelY('promotion') + 14);
  });
});

describe('record: the client log where the drill builds its record', () => {
  test('GIVEN the client canary logs during the drill THEN the record the drill writes when it finishes has the client measures', async () => {
    const { b, from, to } = builder();
    h.world.afterServed('rds:SwitchoverGlobalCluster', () =>
      writeClientLog([...b.writes(0, 1, from, false), ...b.writes(2, 3, to, true)]),
    );

    await switchover();

    const client = readRecordFile(h.stateDir, DRILL).measures.client;
    expect(client?.writeRto).toEqual({
      ms: 2_000,
      outages: [{ startedAt: iso(0), endedAt: iso(2), durationMs: 2_000, failed: 2 }],
    });
    expect(client?.writerMovedAt).toBe(iso(40));
    expect(client?.promotedAt).toBe(iso(0));
    expect(client?.rpoLagMsAtPromotion).toBe(400);
  });
});

describe('report: the last acknowledged client write before the promotion', () => {
  /** A planned drill as the client lives it: the fence refuses writes from 5 s before the promotion (at 0). */
  function fencedLog(): ClientLogEntry[] {
    const { b, from, to } = builder();
    return [
      b.request('write', 1, -8, from, true),
      b.request('write', 2, -7, from, true),
      b.request('write', 3, -6, from, true),
      ...[-5, -4, -3, -2, -1, 0].map((s, i) => b.request('write', 4 + i, s, from, false)),
      b.request('write', 10, 37, to, true),
    ];
  }

  test('GIVEN writes fenced 5 s before the promotion THEN the data loss row and the client section name the last acknowledged write, its lead and region', async () => {
    await switchover();
    writeClientLog(fencedLog());
    verifyCounted([], 4);

    const { md, record } = await reports();

    // Sent 6 s before the promotion, acknowledged 20 ms later.
    expect(record.measures.client?.lastAcknowledgedBeforePromotion).toEqual({
      seq: 3,
      acknowledgedAt: new Date(T0 - 5_980).toISOString(),
      beforePromotionMs: 5_980,
      region: PRIMARY,
    });
    expect(md).toContain(
      `| client-level data loss: acknowledged client writes missing on the new writer | 0 of 4 acknowledged; last acknowledged client write before the promotion: 2025-03-01T09:59:54.020Z, 6.0s before it (through us-east-1) | RPO 30 s |`,
    );
    expect(md).toContain(
      [
        'Lost client writes: none (every acknowledged client write is on the new writer).',
        `Last acknowledged client write before the promotion: 2025-03-01T09:59:54.020Z, 6.0s before it (through us-east-1). ${FENCED}`,
      ].join('\n\n'),
    );
  });

  test('GIVEN no promotion was accepted THEN the record has no last acknowledged write and the report no such text', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', new Error('boom'));
    await h.run(h.switchover());
    writeClientLog(fencedLog());

    const { md, record } = await reports();

    expect(record.measures.client).not.toHaveProperty('lastAcknowledgedBeforePromotion');
    expect(md).not.toContain('acknowledged before the promotion');
    expect(md).not.toContain('client write before the promotion');
    expect(md).not.toContain('Writes fenced');
  });
});

describe('report: client figures the canary could not measure', () => {
  test('GIVEN a client log with reads only, still failing at the end, and no DNS answer THEN the texts say what is missing', async () => {
    await switchover();
    const { b, from } = builder();
    writeClientLog([...b.reads(0, 4, from, true), ...b.reads(5, 9, from, false)]);

    const { md } = await reports();

    expect(md).toContain(
      '| client-level write RTO (first failed to first acknowledged client write after) | not measured: the client canary sent no write | RTO 900 s |',
    );
    expect(md).toContain(
      `| client-level read RTO in us-east-1 (failed reads answered there to the next successful read) | not measured: reads answered by us-east-1 were still failing when the canary stopped (5 failed since ${iso(5.5)}) | RTO 900 s |`,
    );
    expect(md).toContain(
      `| RTO 900 s (computed floor 215 s) | 35.0s: pass | not measured: the client canary sent no write; not measured: reads answered by us-east-1 were still failing when the canary stopped (5 failed since ${iso(5.5)}) |`,
    );
    expect(md).toContain(
      'A client behind another resolver may see up to one TTL more: its resolver may have cached',
    );
  });

  test('GIVEN an answer naming a target of no region of the deployment THEN the change names the target', async () => {
    await switchover();
    const { b, from } = builder();
    writeClientLog([
      b.answer('read', 0, from),
      { ...b.answer('read', 5, from), target: 'elsewhere.example.net', region: undefined },
    ]);

    const { md } = await reports();

    expect(md).toContain(
      `| DNS cutover of app.example.com | us-east-1 -> elsewhere.example.net at ${iso(5)}, with no health check flip of those regions before it |  |`,
    );
    expect(md).toContain(
      `| app.example.com | ${iso(5)} | us-east-1 | elsewhere.example.net | none | - | 60 s |`,
    );
  });

  test('GIVEN a promotion that failed THEN neither level verified the RPO', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', new Error('boom'));
    await h.run(h.switchover());
    const { b, from } = builder();
    writeClientLog(b.writes(0, 2, from, true));

    const { md } = await reports();

    expect(md).toContain(
      '| RPO 30 s | not verified: step verify-writes did not run | not verified: step verify-writes did not run |',
    );
  });
});

describe('report: database-level figures without an outage', () => {
  test('GIVEN a promotion so quick that no canary write failed THEN the database-level RTO passes with no outage', async () => {
    h.world.promotionMs = 1_000;
    h.world.pendingMs = 1_000;
    await switchover();

    const { md } = await reports();

    expect(md).toContain('| RTO 900 s (computed floor 215 s) | no failed canary write: pass |');
  });
});

describe('report: database-level RPO without the lag', () => {
  test('GIVEN lost canary rows and no lag reported at promotion THEN no verdict is given', async () => {
    await switchover();
    editJournal((entries) =>
      entries.map((e) => {
        if (e.type !== 'step' || !e.details) return e;
        if (e.step === 'promote')
          return { ...e, details: { ...e.details, rpoLagMsAtPromotion: null } };
        if (e.step === 'verify-writes') return { ...e, details: { ...e.details, lostRows: [3] } };
        return e;
      }),
    );

    const { md } = await reports();

    expect(md).toContain(
      '| RPO 30 s | 1 canary rows lost; AuroraGlobalDBRPOLag at promotion not reported | not measured: the drill has no client canary log |',
    );
  });
});
