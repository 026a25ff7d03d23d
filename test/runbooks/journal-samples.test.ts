// Journals that the drill wrote before its step outcomes were typed (test/runbooks/journals,
// written by journals/make-samples.ts at a2dc48c) must still read, into the same record.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { drillState } from '../../runbooks/drill/journal';
import { buildRecord, type DrillRecord } from '../../runbooks/drill/record';
import { renderReport } from '../../runbooks/drill/report';
import { DrillStore, type StepEntry } from '../../runbooks/drill/store';

const SAMPLES = path.join(__dirname, 'journals');
const samples = fs
  .readdirSync(SAMPLES)
  .filter((d) => fs.statSync(path.join(SAMPLES, d)).isDirectory());

/** A state directory holding the sample as a drill of that id, read through the store. */
function storeWith(sample: string): { store: DrillStore; drillId: string; dir: string } {
  const from = path.join(SAMPLES, sample);
  const header = JSON.parse(
    fs.readFileSync(path.join(from, 'journal.jsonl'), 'utf8').split('\n')[0],
  ) as { params: { drillId: string } };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drill-samples-'));
  const drillId = header.params.drillId;
  fs.mkdirSync(path.join(dir, drillId));
  for (const f of ['journal.jsonl', 'canary.jsonl']) {
    fs.copyFileSync(path.join(from, f), path.join(dir, drillId, f));
  }
  return { store: new DrillStore(dir), drillId, dir };
}

function oldRecord(sample: string): DrillRecord {
  return JSON.parse(fs.readFileSync(path.join(SAMPLES, sample, 'record.json'), 'utf8'));
}

describe('journals written by older drills', () => {
  test('GIVEN the samples THEN they cover every kind and every step outcome', () => {
    const entries = samples.flatMap((s) => {
      const { store, drillId, dir } = storeWith(s);
      const journal = store.journal(drillId);
      fs.rmSync(dir, { recursive: true, force: true });
      return journal;
    });
    const kinds = new Set(entries.flatMap((e) => (e.type === 'drill' ? [e.params.kind] : [])));
    const withDetails = new Set(
      entries.flatMap((e) => (e.type === 'step' && e.details ? [e.step] : [])),
    );

    expect([...kinds].sort()).toEqual(['failback', 'failover', 'switchover']);
    expect([...withDetails].sort()).toEqual([
      'align-rpo',
      'fence',
      'preflight',
      'promote',
      'rejoin-rpo',
      'settle-rpo',
      'verify-writes',
    ]);
  });

  test.each(samples)(
    'GIVEN the %s journal of an older drill WHEN read THEN it builds the record that drill wrote',
    (sample) => {
      const { store, drillId, dir } = storeWith(sample);
      try {
        const record = buildRecord(store.journal(drillId), store.canary(drillId));

        expect(JSON.parse(JSON.stringify(record))).toEqual(oldRecord(sample));
        expect(drillState(store.journal(drillId)).finished).toBe(true);
        expect(renderReport(record, 'md')).toContain(`# Drill ${drillId}`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test('GIVEN an older journal WHEN its step entries are narrowed by id THEN the outcomes read typed', () => {
    const { store, drillId, dir } = storeWith('failover');
    const steps = store.journal(drillId).filter((e): e is StepEntry => e.type === 'step');
    fs.rmSync(dir, { recursive: true, force: true });
    const verify = steps.find(
      (e): e is Extract<StepEntry, { step: 'verify-writes' }> =>
        e.step === 'verify-writes' && e.event === 'completed',
    );
    const promote = steps.find(
      (e): e is Extract<StepEntry, { step: 'promote' }> =>
        e.step === 'promote' && e.event === 'completed',
    );

    expect(verify?.details?.lostRows).toEqual([14, 15]);
    expect(typeof promote?.details?.promotedAt).toBe('number');
    expect(promote?.details?.rpoLagMsAtPromotion).toBe(400);
  });
});
