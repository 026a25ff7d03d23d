import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderMarkdown } from '../../runbooks/drill/report';
import type { DrillRecord } from '../../runbooks/drill/record';
import type { JournalEntry, OperatorIdentity } from '../../runbooks/drill/store';
import { VirtualClock } from './fake-aws';
import {
  drillIds,
  readJournal,
  readRecordFile,
  SECONDARY,
  useFakeAws,
  type CliResult,
} from './harness';
import { canaryLeftoverLines } from './canary-leftover';

const h = useFakeAws();
const host = os.hostname();
const DRILL = 'switchover-20250301T100000Z-us-west-2';
/** The fake's STS caller, as the attempts table shows it (operator and account cells). */
const OPERATOR = 'arn:aws:sts::123456789012:assumed-role/DrillOperator/alice | 123456789012';
const OPERATOR_HTML =
  'arn:aws:sts::123456789012:assumed-role/DrillOperator/alice</td><td>123456789012';
/** The operator's new process: another pid; the killed one (4242) is gone. */
const newProcess = { pid: 5000, isProcessAlive: (pid: number) => pid === 5000 };

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

/** Starts a switchover whose process "dies" right after it sends SwitchoverGlobalCluster. */
async function diedInsidePromote(): Promise<void> {
  h.world.killWhen('rds:SwitchoverGlobalCluster');
  void h.run(h.switchover()); // never settles
  await until(() => h.world.callsOf('rds:SwitchoverGlobalCluster').length === 1);
  const killedAt = h.world.clock.now();
  (h.world.clock as VirtualClock).stop();
  h.world.clock = new VirtualClock(killedAt + 10_000);
}

/** Runs `drill report` in a format and returns its output and the file it wrote. */
async function report(
  format: 'md' | 'html' | 'json',
  deps: Parameters<typeof h.run>[1] = {},
): Promise<CliResult & { text: string }> {
  const result = await h.run(['report', '--format', format], deps);
  const file = path.join(h.stateDir, DRILL, format === 'json' ? 'record.json' : `report.${format}`);
  return { ...result, text: fs.readFileSync(file, 'utf8') };
}

function writeJournal(entries: readonly JournalEntry[]): void {
  fs.writeFileSync(
    path.join(h.stateDir, DRILL, 'journal.jsonl'),
    entries.map((e) => `${JSON.stringify(e)}\n`).join(''),
  );
}

const TIMEOUT_ERROR =
  '[STEP_TIMEOUT] step wait-writer timed out after 1m 00s waiting for us-west-2 to hold the writer; last state: writer us-east-1, status switching-over, switching-over to us-west-2; multi-region-ref-global-us-west-2 available';
/** The stopped entry's hint; the resume command carries this test's outputs and state paths. */
const timeoutHint = () =>
  "State: Aurora may still be moving the writer: check `npx drill status`. us-east-1 stays fenced. If the move completes, the resume command below verifies and finishes; if Aurora cancelled it, set /multi-region-ref/drain back to 'false' in us-east-1.\n" +
  canaryLeftoverLines(h.world.topology, DRILL, SECONDARY)
    .map((l) => `${l}\n`)
    .join('') +
  `Continue with: npx drill resume --drill-id ${DRILL} --execute --outputs ${h.outputsFile} --state-dir ${h.stateDir}`;

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
    expect(html).toContain('<td>35.0s</td>'); // the database-level RTO
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
    // The drill ends once a client wrote through the new write. answer: its first expired at 60 s.
    expect(md).toContain('| total drill time | 1m 05s |  |');

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
    expect(md).toMatch(/\| 7 \| verify-traffic: .* \| pending \| - \| - \|/);
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

describe('drill report: a drill whose journal ends mid-drill', () => {
  test.each([['its process is gone', { isProcessAlive: () => false }]])(
    'GIVEN the process died inside promote and %s WHEN reported THEN it is interrupted, says where and how to continue',
    async (_case, how) => {
      await diedInsidePromote();
      const deps = how;

      const md = await report('md', deps);
      const html = await report('html', deps);
      const json = await report('json', deps);

      expect(md.stdout).toBe(
        `md report of ${DRILL} (interrupted): ${path.join(h.stateDir, DRILL, 'report.md')}\n`,
      );
      expect(md.text).toContain(
        'switchover of `multi-region-ref-global` from us-east-1 to us-west-2: **interrupted**',
      );
      expect(md.text).toContain(
        `| interrupted | the journal ends at 2025-03-01T10:00:00.000Z in step promote (attempt 1, pid 4242 on ${host}) and no process is running the drill |`,
      );
      expect(md.text).toContain(
        `| State / next | State: not recorded (the process ended without writing it): read it with \`npx drill status --outputs ${h.outputsFile}\`` +
          `<br>Continue with: npx drill resume --drill-id ${DRILL} --execute --outputs ${h.outputsFile} |`,
      );
      expect(md.text).toMatch(/\| 4 \| promote: [^|]* \| interrupted \| /);
      expect(html.text).toContain('<strong class="outcome-interrupted">interrupted</strong>');
      expect(html.text).toContain(
        `<td>State / next</td><td>State: not recorded (the process ended without writing it): read it with \`npx drill status --outputs ${h.outputsFile}\`` +
          `<br>Continue with: npx drill resume --drill-id ${DRILL} --execute --outputs ${h.outputsFile}</td>`,
      );
      const record = JSON.parse(json.text) as DrillRecord;
      expect(record.outcome).toBe('interrupted');
      expect(record.attempts.map((a) => a.ended)).toEqual([
        { how: 'interrupted', step: 'promote' },
      ]);
      expect(record.steps.find((s) => s.id === 'promote')?.status).toBe('interrupted');
    },
  );

  test('GIVEN the process that holds its lock is alive WHEN reported THEN it is running, in which step and where', async () => {
    await diedInsidePromote(); // the harness's default says pid 4242 is alive

    const md = await report('md');
    const json = JSON.parse((await report('json')).text) as DrillRecord;

    expect(md.stdout).toContain(`md report of ${DRILL} (running): `);
    expect(md.text).toContain(
      `| running | in step promote: pid 4242 on ${host} runs it; last journal entry at 2025-03-01T10:00:00.000Z |`,
    );
    expect(md.text).toMatch(/\| 4 \| promote: [^|]* \| running \| /);
    expect(md.text).not.toContain('| State / next |');
    expect(json.outcome).toBe('running');
    expect(json.next).toBeUndefined();
    expect(json.attempts[0].ended).toEqual({
      how: 'running',
      step: 'promote',
      runningIn: { pid: 4242, host },
    });
  });

  test('GIVEN a later process resumed it and is gone WHEN reported THEN it is interrupted (the last run decides, not the first)', async () => {
    await diedInsidePromote();
    writeJournal([
      ...readJournal(h.stateDir, DRILL),
      { type: 'resumed', at: h.world.clock.now(), pid: 5000, host },
    ]);

    const md = await report('md'); // pid 4242 of the first run still lives

    expect(md.stdout).toContain(`md report of ${DRILL} (interrupted): `);
  });
});

describe('drill report: every attempt', () => {
  test('GIVEN a drill stopped, resumed and stopped again, then resumed to the end THEN each attempt and both failed runs are shown in Markdown, HTML and JSON', async () => {
    h.world.promotionStuck = true;
    expect((await h.run(h.switchover('--timeout', 'wait-writer=1m'))).code).toBe(7);
    expect(
      (await h.run(['resume', '--execute', '--yes', ...h.fast, '--timeout', 'wait-writer=1m']))
        .code,
    ).toBe(7);
    h.world.promotionStuck = false;
    expect((await h.run(['resume', '--execute', '--yes', ...h.fast])).code).toBe(0);

    const md = (await report('md')).text;
    const html = (await report('html')).text;
    const record = JSON.parse((await report('json')).text) as DrillRecord;

    const hintCell = timeoutHint().replace(/\n/g, '<br>');
    expect(md).toContain(
      [
        '| attempt | began | pid | host | operator | account | ended | state / next |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        `| 1 | started 2025-03-01T10:00:00.000Z | 4242 | ${host} | ${OPERATOR} | stopped at 2025-03-01T10:01:00.000Z in step wait-writer: ${TIMEOUT_ERROR} | ${hintCell} |`,
        `| 2 | resumed 2025-03-01T10:01:00.000Z | 4242 | ${host} | ${OPERATOR} | stopped at 2025-03-01T10:02:00.000Z in step wait-writer: ${TIMEOUT_ERROR} | ${hintCell} |`,
        `| 3 | resumed 2025-03-01T10:02:00.000Z | 4242 | ${host} | ${OPERATOR} | finished at 2025-03-01T10:02:00.000Z |  |`,
      ].join('\n'),
    );
    expect(md).toContain(
      [
        '## Failed and interrupted step runs',
        '',
        '| step | attempt | started | duration | how it ended |',
        '| --- | --- | --- | --- | --- |',
        `| wait-writer | 1 | 2025-03-01T10:00:00.000Z | 1m 00s | failed: ${TIMEOUT_ERROR} |`,
        `| wait-writer | 2 | 2025-03-01T10:01:00.000Z | 1m 00s | failed: ${TIMEOUT_ERROR} |`,
      ].join('\n'),
    );
    expect(md).toMatch(/\| 5 \| wait-writer: [^|]* \| completed \(3 runs\) \| /);
    expect(html).toContain(
      `<td>2</td><td>resumed 2025-03-01T10:01:00.000Z</td><td>4242</td><td>${host}</td><td>${OPERATOR_HTML}</td><td>stopped at 2025-03-01T10:02:00.000Z in step wait-writer: ${TIMEOUT_ERROR}</td>`,
    );
    expect(html).toContain(
      `<td>wait-writer</td><td>1</td><td>2025-03-01T10:00:00.000Z</td><td>1m 00s</td><td>failed: ${TIMEOUT_ERROR}</td>`,
    );
    // The timeline draws each run and marks each resume.
    expect(html).toContain(`<title>wait-writer attempt 1 failed 1m 00s: ${TIMEOUT_ERROR}</title>`);
    expect(html).toContain(`<title>wait-writer attempt 2 failed 1m 00s: ${TIMEOUT_ERROR}</title>`);
    expect(html).toContain(
      '<title>wait-writer attempt 3 completed 0ms: writer us-west-2, status available</title>',
    );
    expect(html).toContain('>attempt 2 (resumed)</text>');
    expect(html).toContain('>attempt 3 (resumed)</text>');
    expect(
      record.attempts.map((a) => [a.attempt, a.began, a.at, a.ended.how, a.pid, a.host]),
    ).toEqual([
      [1, 'started', '2025-03-01T10:00:00.000Z', 'stopped', 4242, host],
      [2, 'resumed', '2025-03-01T10:01:00.000Z', 'stopped', 4242, host],
      [3, 'resumed', '2025-03-01T10:02:00.000Z', 'finished', 4242, host],
    ]);
    expect(record.attempts[1].ended).toEqual({
      how: 'stopped',
      at: '2025-03-01T10:02:00.000Z',
      step: 'wait-writer',
      error: {
        code: 'STEP_TIMEOUT',
        message: TIMEOUT_ERROR.replace('[STEP_TIMEOUT] ', ''),
        hint: timeoutHint(),
      },
    });
    expect(
      record.steps
        .find((s) => s.id === 'wait-writer')
        ?.runs.map((r) => [r.attempt, r.status, r.durationMs, r.error?.code]),
    ).toEqual([
      [1, 'failed', 60_000, 'STEP_TIMEOUT'],
      [2, 'failed', 60_000, 'STEP_TIMEOUT'],
      [3, 'completed', 0, undefined],
    ]);
  });

  test('GIVEN the process died inside promote and a new process finished the drill THEN attempt 1 is interrupted in promote and its run is listed', async () => {
    await diedInsidePromote();
    expect((await h.run(['resume', '--execute', '--yes', ...h.fast], newProcess)).code).toBe(0);

    const md = (await report('md')).text;
    const html = (await report('html')).text;

    expect(md).toContain(
      `| 1 | started 2025-03-01T10:00:00.000Z | 4242 | ${host} | ${OPERATOR} | interrupted in step promote: its last journal entry is at 2025-03-01T10:00:00.000Z and no process is running it |  |`,
    );
    expect(md).toContain(
      `| 2 | resumed 2025-03-01T10:00:10.000Z | 5000 | ${host} | ${OPERATOR} | finished at 2025-03-01T10:01:15.000Z |  |`,
    );
    expect(md).toContain(
      '| promote | 1 | 2025-03-01T10:00:00.000Z | - | interrupted: the process ended inside the step |',
    );
    expect(md).toMatch(/\| 4 \| promote: [^|]* \| skipped \(2 runs\) \| /);
    expect(html).toContain('<title>promote attempt 1 interrupted -</title>');
  });
});

describe('drill report: State / next of a stopped drill', () => {
  test('GIVEN a stopped drill THEN Markdown and HTML show the stopped entry\'s "State / next" text and where it stopped', async () => {
    h.world.promotionStuck = true;
    await h.run(h.switchover('--timeout', 'wait-writer=1m'));

    const md = (await report('md')).text;
    const html = (await report('html')).text;

    expect(md).toContain(`| stopped with | ${TIMEOUT_ERROR} |`);
    expect(md).toContain('| stopped | in step wait-writer (attempt 1) |');
    expect(md).toContain(`| State / next | ${timeoutHint().replace(/\n/g, '<br>')} |`);
    expect(html).toContain('<td>stopped</td><td>in step wait-writer (attempt 1)</td>');
    expect(html).toContain(
      `<td>State / next</td><td>${timeoutHint().replace(/'/g, '&#39;').replace(/"/g, '&quot;').replace(/\n/g, '<br>')}</td>`,
    );
  });

  test('GIVEN a hint with HTML in it THEN the HTML page escapes it', async () => {
    h.world.promotionStuck = true;
    await h.run(h.switchover('--timeout', 'wait-writer=1m'));
    const journal = readJournal(h.stateDir, DRILL);
    writeJournal(
      journal.map((e) =>
        e.type === 'stopped'
          ? { ...e, error: { ...e.error, hint: 'State: <img src=x onerror=alert(1)> & "more"' } }
          : e,
      ),
    );

    const html = (await report('html')).text;

    expect(html).toContain(
      '<td>State / next</td><td>State: &lt;img src=x onerror=alert(1)&gt; &amp; &quot;more&quot;</td>',
    );
    expect(html).not.toMatch(/<img/);
  });
});

describe('drill report: operator identity', () => {
  const alice: OperatorIdentity = {
    arn: 'arn:aws:sts::111122223333:assumed-role/DrillOperatorRole/alice',
    account: '111122223333',
    userId: 'AROAEXAMPLEID:alice',
  };

  test('GIVEN the start recorded its STS caller and the resume did not THEN each attempt shows its operator, account and host, or "not recorded"', async () => {
    h.world.fail('rds:SwitchoverGlobalCluster', new Error('boom'));
    expect((await h.run(h.switchover())).code).toBe(9);
    expect((await h.run(['resume', '--execute', '--yes', ...h.fast], newProcess)).code).toBe(0);
    writeJournal(
      readJournal(h.stateDir, DRILL).map((e) =>
        e.type === 'drill'
          ? { ...e, operator: alice }
          : e.type === 'resumed'
            ? { ...e, host: 'sre-laptop-2', operator: undefined }
            : e,
      ),
    );

    const md = (await report('md')).text;
    const html = (await report('html')).text;
    const record = JSON.parse((await report('json')).text) as DrillRecord;

    expect(md).toContain(
      `| 1 | started 2025-03-01T10:00:00.000Z | 4242 | ${host} | arn:aws:sts::111122223333:assumed-role/DrillOperatorRole/alice | 111122223333 | stopped at 2025-03-01T10:00:00.000Z in step promote: [AWS_ERROR] rds SwitchoverGlobalCluster in us-west-2 failed: boom |`,
    );
    expect(md).toContain(
      '| 2 | resumed 2025-03-01T10:00:00.000Z | 5000 | sre-laptop-2 | not recorded | not recorded | finished at 2025-03-01T10:01:05.000Z |  |',
    );
    expect(html).toContain(
      `<td>1</td><td>started 2025-03-01T10:00:00.000Z</td><td>4242</td><td>${host}</td><td>arn:aws:sts::111122223333:assumed-role/DrillOperatorRole/alice</td><td>111122223333</td>`,
    );
    expect(html).toContain(
      '<td>2</td><td>resumed 2025-03-01T10:00:00.000Z</td><td>5000</td><td>sre-laptop-2</td><td>not recorded</td><td>not recorded</td>',
    );
    expect(record.attempts[0]).toMatchObject({ operator: alice, host });
    expect(record.attempts[1]).toMatchObject({ host: 'sre-laptop-2' });
    expect(record.attempts[1].operator).toBeUndefined();
  });
});
