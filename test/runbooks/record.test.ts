// The record's measures are only what happened: a promotion that failed is not drawn as one, and
// an RTO or data loss the drill did not get to measure says why.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DrillRecord } from '../../runbooks/drill/record';
import type { JournalEntry, StepEntry } from '../../runbooks/drill/store';
import { VirtualClock } from './fake-aws';
import { readJournal, useFakeAws } from './harness';

const h = useFakeAws();
const DRILL = 'switchover-20250301T100000Z-us-west-2';
const BOOM = '[AWS_ERROR] rds SwitchoverGlobalCluster in us-west-2 failed: boom';

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

async function reports(deps: Parameters<typeof h.run>[1] = {}) {
  const read = async (format: 'md' | 'html' | 'json') => {
    expect((await h.run(['report', '--format', format], deps)).code).toBe(0);
    const file = format === 'json' ? 'record.json' : `report.${format}`;
    return fs.readFileSync(path.join(h.stateDir, DRILL, file), 'utf8');
  };
  const md = await read('md');
  const html = await read('html');
  return { md, html, record: JSON.parse(await read('json')) as DrillRecord };
}

/** Rewrites the journal of the drill (typed entries, as the store writes them). */
function editJournal(edit: (entries: JournalEntry[]) => JournalEntry[]): void {
  const entries = edit(readJournal(h.stateDir, DRILL));
  fs.writeFileSync(
    path.join(h.stateDir, DRILL, 'journal.jsonl'),
    entries.map((e) => `${JSON.stringify(e)}\n`).join(''),
  );
}

const isStep = (e: JournalEntry, step: string, event?: StepEntry['event']) =>
  e.type === 'step' && e.step === step && (event === undefined || e.event === event);

describe('record: a promotion that failed', () => {
  test('GIVEN SwitchoverGlobalCluster fails THEN the promotion is FAILED with no promotion time, and the lag is the one read before the request', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', new Error('boom'));

    const result = await h.run(h.switchover());
    const { md, html, record } = await reports();

    expect(result.code).toBe(9);
    expect(result.stdout).toContain(
      `database-level data loss (canary): not verified; promotion: FAILED: ${BOOM} (request attempted at 2025-03-01T10:00:00.000Z); RPO lag read before the promotion request: 400 ms  objective 30 s`,
    );
    expect(record.measures.promotion).toEqual({
      status: 'failed',
      requestAttemptedAt: '2025-03-01T10:00:00.000Z',
      rpoLagMsBeforeRequest: 400,
      error: {
        code: 'AWS_ERROR',
        message: 'rds SwitchoverGlobalCluster in us-west-2 failed: boom',
      },
    });
    expect(record.measures.promotedAt).toBeUndefined();
    expect(record.measures.rpoLagMsAtPromotion).toBeNull();
    // The journal's note of the time it was about to call is not kept as a promotion time.
    expect(record.steps.find((s) => s.id === 'promote')?.details).toBeUndefined();
    expect(md).toContain(
      `| promotion | FAILED: ${BOOM} (request attempted at 2025-03-01T10:00:00.000Z) |  |`,
    );
    expect(md).toContain('| RPO lag read before the promotion request | 400 ms | RPO 30 s |');
    expect(html).toContain(
      `<td>promotion</td><td>FAILED: ${BOOM} (request attempted at 2025-03-01T10:00:00.000Z)</td>`,
    );
    expect(html).toContain('>promotion failed</text>');
    expect(html).not.toContain('>promotion</text>');
    for (const text of [md, html, result.stdout]) expect(text).not.toContain('at promotion');
  });

  test('GIVEN the process died inside promote THEN the promotion is of unknown outcome, with the time the request was set out', async () => {
    h.world.killWhen('rds:SwitchoverGlobalCluster');
    void h.run(h.switchover());
    await until(() => h.world.callsOf('rds:SwitchoverGlobalCluster').length === 1);
    (h.world.clock as VirtualClock).stop();

    const { md, html, record } = await reports({ isProcessAlive: () => false });

    expect(md).toContain(
      '| promotion | unknown: the process ended inside step promote after it set out to send the request at 2025-03-01T10:00:00.000Z; `npx drill status` shows where the writer is |  |',
    );
    expect(md).toContain('| RPO lag read before the promotion request | 400 ms | RPO 30 s |');
    expect(md).not.toContain('at promotion');
    expect(html).toContain('>promotion request: outcome unknown</text>');
    expect(record.measures.promotion).toEqual({
      status: 'interrupted',
      requestAttemptedAt: '2025-03-01T10:00:00.000Z',
      rpoLagMsBeforeRequest: 400,
    });
    expect(record.measures.promotedAt).toBeUndefined();
  });

  test('GIVEN the drill stopped before promote THEN the promotion was not requested and no lag is shown', async () => {
    h.world.fail('ssm:PutParameter', new Error('denied'), { name: '/multi-region-ref/drain' });

    const result = await h.run(h.switchover());
    const { md, html, record } = await reports();

    expect(result.stdout).toContain(
      'database-level data loss (canary): not verified; promotion: not requested: step promote did not run  objective 30 s',
    );
    expect(md).toContain('| promotion | not requested: step promote did not run |  |');
    expect(md).not.toContain('RPO lag');
    expect(html).not.toMatch(/>promotion[^<]*<\/text>/);
    expect(record.measures.promotion).toEqual({ status: 'pending' });
  });

  test('GIVEN promote found the target already the writer without this drill asking THEN the promotion is "not requested by this drill"', async () => {
    await h.run(h.switchover());
    editJournal((entries) =>
      entries
        .filter((e) => !isStep(e, 'promote', 'note'))
        .map((e) =>
          isStep(e, 'promote', 'completed')
            ? {
                type: 'step',
                at: e.at,
                step: 'promote',
                event: 'skipped',
                summary: 'us-west-2 is already the writer',
                durationMs: 0,
              }
            : e,
        ),
    );

    const { md, record } = await reports();

    expect(md).toContain(
      '| promotion | not requested by this drill: us-west-2 is already the writer |  |',
    );
    expect(md).not.toContain('RPO lag');
    expect(record.measures.promotion).toEqual({
      status: 'not-requested',
      summary: 'us-west-2 is already the writer',
    });
    expect(record.measures.promotedAt).toBeUndefined();
  });

  test('GIVEN AWS accepted the promotion THEN it is shown with its time and the lag at promotion', async () => {
    const result = await h.run(h.switchover());
    const { md, html, record } = await reports();

    expect(result.stdout).toContain(
      'database-level data loss (canary): 0 acknowledged row(s) missing; AuroraGlobalDBRPOLag at promotion: 400 ms  objective 30 s',
    );
    expect(md).toContain('| promotion | requested at 2025-03-01T10:00:00.000Z, accepted |  |');
    expect(md).toContain('| AuroraGlobalDBRPOLag at promotion | 400 ms | RPO 30 s |');
    expect(html).toContain('>promotion</text>');
    expect(record.measures).toMatchObject({
      promotedAt: '2025-03-01T10:00:00.000Z',
      rpoLagMsAtPromotion: 400,
      promotion: { status: 'accepted', requestedAt: '2025-03-01T10:00:00.000Z' },
    });
  });
});

describe('record: RTO and data loss the drill did not measure', () => {
  const RTO = '| database-level RTO (first failed to next acknowledged canary write) |';

  test('GIVEN wait-writer timed out while canary writes failed THEN the RTO and the data loss are not measured, with why', async () => {
    h.world.promotionStuck = true;

    const result = await h.run(h.switchover('--timeout', 'wait-writer=1m'));
    const { md, record } = await reports();

    expect(result.stdout).toContain(
      'database-level RTO (canary): not measured: the new writer has not taken a canary write (step verify-writes did not run)  objective 900 s, computed floor 215 s',
    );
    expect(md).toContain(
      `${RTO} not measured: the new writer has not taken a canary write (step verify-writes did not run) | RTO 900 s (computed floor 215 s) |`,
    );
    expect(md).toContain(
      '| database-level data loss: acknowledged canary rows missing on the new writer | not verified: step verify-writes did not run | RPO 30 s |',
    );
    expect(md).toContain('| 2025-03-01T10:00:05.000Z | still failing | - | 55 |');
    expect(md).not.toContain('no failed canary write');
    expect(record.measures.clientRtoMs).toBeNull();
  });

  test('GIVEN verify-writes failed THEN the data loss is not verified, naming the failure', async () => {
    await h.run(h.switchover());
    const error = {
      code: 'UNEXPECTED_STATE',
      message:
        '1 acknowledged canary row(s) are missing on multi-region-ref-global-us-west-2 after a switchover (seq 3)',
    };
    editJournal((entries) => {
      const at = entries.findIndex((e) => isStep(e, 'verify-writes', 'completed'));
      const failed: JournalEntry = {
        type: 'step',
        at: entries[at].at,
        step: 'verify-writes',
        event: 'failed',
        durationMs: 0,
        error,
      };
      return [
        ...entries.slice(0, at),
        failed,
        { type: 'stopped', at: entries[at].at, error: { ...error, hint: 'keep the evidence' } },
      ];
    });

    const { md, record } = await reports();

    const why = `step verify-writes failed ([UNEXPECTED_STATE] ${error.message})`;
    expect(md).toContain(
      `| database-level data loss: acknowledged canary rows missing on the new writer | not verified: ${why} | RPO 30 s |`,
    );
    expect(md).toContain(
      `${RTO} not measured: the new writer has not taken a canary write (${why}) |`,
    );
    expect(record.measures.lostRows).toBeNull();
    expect(record.measures.clientRtoMs).toBeNull();
  });

  test('GIVEN canary writes still failed when the canary stopped THEN the RTO is not measured although the drill verified the new writer', async () => {
    await h.run(h.switchover());
    const canary = path.join(h.stateDir, DRILL, 'canary.jsonl');
    const failed = (seq: number, at: number) =>
      `${JSON.stringify({ seq, at, ok: false, error: 'timeout', source: 'loop' })}\n`;
    const end = Date.parse('2025-03-01T10:01:06.000Z');
    fs.appendFileSync(canary, failed(900, end) + failed(901, end + 1000));

    const { md, record } = await reports();

    expect(md).toContain(
      `${RTO} not measured: canary writes were still failing when the canary stopped (2 failed since 2025-03-01T10:01:06.000Z) |`,
    );
    expect(record.measures.clientRtoMs).toBeNull();
  });
});
