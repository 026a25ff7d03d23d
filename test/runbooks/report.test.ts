import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderMarkdown } from '../../runbooks/drill/report';
import type { DrillRecord } from '../../runbooks/drill/record';
import { drillIds, readRecordFile, SECONDARY, useFakeAws } from './harness';

const h = useFakeAws();

async function finishedSwitchover(): Promise<string> {
  const result = await h.run(['switchover', '--to', SECONDARY, '--execute', '--yes', ...h.fast]);
  expect(result.code).toBe(0);
  return drillIds(h.stateDir)[0];
}

describe('drill report', () => {
  test('GIVEN a finished drill THEN the HTML page is self-contained, with a timeline of the steps and their durations', async () => {
    const drillId = await finishedSwitchover();
    const out = path.join(h.dir, 'out');

    const result = await h.run(['report', '--format', 'html', '--out', out]);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `html report of ${drillId} (succeeded): ${path.join(out, 'report.html')}\n`,
    );
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    for (const step of [
      'preflight',
      'prepare-canary',
      'fence',
      'promote',
      'wait-writer',
      'verify-traffic',
      'verify-writes',
      'return-old-writer',
    ]) {
      expect(html).toContain(`. ${step}</text>`);
    }
    expect(html).toContain('<td>40.0s</td>'); // wait-writer's duration in the steps table
    expect(html).toContain('<td>35.0s</td>'); // the client-seen RTO
    expect(html).toContain('>promotion</text>');
    // Nothing is fetched: no scripts, stylesheets or images from elsewhere.
    expect(html).not.toMatch(/<script|<link|<img|src=|href=/);
  });

  test('GIVEN a finished drill THEN the Markdown report has the steps table with durations, and JSON is the record', async () => {
    const drillId = await finishedSwitchover();

    expect((await h.run(['report'])).code).toBe(0);
    const md = fs.readFileSync(path.join(h.stateDir, drillId, 'report.md'), 'utf8');
    expect(md).toContain('| # | step | status | started | duration | result |');
    expect(md).toMatch(
      /\| 5 \| wait-writer: Wait until us-west-2 holds the writer \| completed \| 2025-03-01T10:00:00\.000Z \| 40\.0s \| writer us-west-2, status available \|/,
    );
    expect(md).toContain('| total drill time | 40.0s |  |');

    const out = path.join(h.dir, 'json');
    expect(
      (await h.run(['report', '--format', 'json', '--drill-id', drillId, '--out', out])).code,
    ).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'record.json'), 'utf8'))).toEqual(
      readRecordFile(h.stateDir, drillId),
    );
  });

  test('GIVEN a stopped drill THEN the report shows the failed step and its error', async () => {
    h.world.promotionStuck = true;
    await h.run([
      'switchover',
      '--to',
      SECONDARY,
      '--execute',
      '--yes',
      ...h.fast,
      '--timeout',
      'wait-writer=1m',
    ]);

    await h.run(['report']);
    const md = fs.readFileSync(path.join(h.stateDir, drillIds(h.stateDir)[0], 'report.md'), 'utf8');

    expect(md).toContain(
      'switchover of `multi-region-ref-global` from us-east-1 to us-west-2: **stopped**',
    );
    expect(md).toMatch(
      /\| wait-writer: Wait until us-west-2 holds the writer \| failed \| .* \| 1m 00s \| \[STEP_TIMEOUT\] step wait-writer timed out/,
    );
    expect(md).toMatch(/\| 6 \| verify-traffic: .* \| pending \| - \| - \|/);
  });

  test('GIVEN no drills THEN report exits 13', async () => {
    const result = await h.run(['report']);

    expect(result.code).toBe(13);
    expect(result.stderr).toContain('error [NO_DRILL]: no drills in');
  });

  test('renderMarkdown escapes table cells', () => {
    const record: DrillRecord = {
      version: 2,
      drillId: 'd',
      kind: 'switchover',
      globalClusterIdentifier: 'g',
      fromRegion: 'a',
      targetRegion: 'b',
      homeRegion: 'us-east-1',
      outcome: 'succeeded',
      startedAt: '2025-03-01T10:00:00.000Z',
      resumedAt: [],
      attempts: [
        {
          attempt: 1,
          began: 'started',
          at: '2025-03-01T10:00:00.000Z',
          pid: 1,
          host: 'h',
          lastEntryAt: '2025-03-01T10:00:01.500Z',
          ended: { how: 'finished', at: '2025-03-01T10:00:01.500Z' },
        },
      ],
      timing: { pollIntervalMs: 1, stepTimeoutMs: 1, stepTimeoutsMs: {}, canaryIntervalMs: 1000 },
      objectives: { rpoSeconds: 30, rtoSeconds: 900, rtoFloorSeconds: 215 },
      steps: [
        {
          id: 'fence',
          title: 'a | b',
          status: 'completed',
          attempts: 1,
          runs: [],
          durationMs: 1500,
          summary: 'line one\nline two',
        },
      ],
      measures: {
        clientRtoMs: null,
        outageWindows: [],
        canaryWrites: 0,
        canaryFailures: 0,
        lostRows: null,
        rpoLagMsAtPromotion: null,
      },
    };

    expect(renderMarkdown(record)).toContain(
      '| 1 | fence: a \\| b | completed | - | 1.5s | line one<br>line two |',
    );
  });
});
