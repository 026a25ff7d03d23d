// `drill rehearse`: the real drill against the simulation of the synthesized assembly, with no
// AWS credentials, judged against the topology's objectives; its record and report say so.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { topologyFromOutputs } from '../../runbooks/drill/discovery';
import { clientItemPrefix } from '../../runbooks/drill/client-model';
import { EXIT_CODES } from '../../runbooks/drill/errors';
import { renderHtml } from '../../runbooks/drill/report-html';
import { renderMarkdown } from '../../runbooks/drill/report-markdown';
import { APPLICATION_CLIENT_ID } from '../../runbooks/simulation/rehearsal';
import { DEFAULT_ASSUMPTIONS, type RehearsalResult } from '../../runbooks/simulation/scenario';
import { OUTAGE_FORCE, SCENARIOS } from '../../runbooks/simulation/scenarios';
import { assemblyDir, deployedApp } from '../deployed-app';
import {
  drillDirOf,
  journalIn,
  recordIn,
  rehearseCli,
  tempDirs,
  rehearseIn,
} from './rehearse-helpers';

// Each rehearsal takes up to a few seconds of wall time; a busy 2-core CI machine needs more
// than jest's 5 s default (the speed target lives in npm run bench:rehearse).
jest.setTimeout(60_000);

const tempDir = tempDirs();
const THREE = ['us-east-1', 'us-west-2', 'us-east-2'];

function objectivesOf(regions?: readonly string[]) {
  const t = topologyFromOutputs(deployedApp(regions).outputsFile(), 'test');
  return { rto: t.rtoSeconds, rpo: t.rpoSeconds, primary: t.primaryRegion, topology: t };
}

describe('drill rehearse --scenario region-outage on the default topology, no AWS credentials', () => {
  const { rto, rpo } = objectivesOf();
  let stateDir: string;
  let run: Awaited<ReturnType<typeof rehearseCli>>;

  beforeAll(async () => {
    stateDir = tempDir();
    run = await rehearseIn(stateDir, ['--scenario', 'region-outage']);
  });

  test('THEN it exits 0 and prints the measured client and database RTO and the RPO next to the objectives', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT_CODES.OK);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'REHEARSAL (simulation, not AWS) region-outage: writer us-east-1 -> us-west-2, drill exit 0: every verdict met',
    );
    // The region fails after the canary's third acknowledged write, during the preflight: no
    // check failed by then, and the write in the replication lag (1 s, one a second) is lost.
    expect(lines[1]).toMatch(new RegExp(`^  client write RTO [1-9]\\d* s <= ${rto} s: met$`));
    expect(lines[2]).toMatch(new RegExp(`^  client read RTO \\d+ s <= ${rto} s: met$`));
    expect(lines[3]).toMatch(new RegExp(`^  database RTO [1-9]\\d* s <= ${rto} s: met$`));
    // From the newest write the target kept to the one it lost: the replication lag.
    expect(lines[4]).toBe(
      `  RPO ${DEFAULT_ASSUMPTIONS.replicationLagMs / 1000} s (1 acknowledged client write lost) <= ${rpo} s: met`,
    );
    expect(lines[5]).toMatch(
      /^ {2}writes resume: yes, a client write through write\.example\.com acknowledged by us-west-2 \d+(\.\d)? s after the promotion request: met$/,
    );
    expect(lines[6]).toBe(
      '  managed RPO: commits blocked 0 s with no secondary able to satisfy rds.global_db_rpo: met',
    );
    const drillDir = drillDirOf(stateDir, 'region-outage');
    expect(lines[7]).toBe(
      `  record and report: ${drillDir} (drill output: ${path.join(stateDir, 'region-outage', 'drill.log')})`,
    );
    expect(lines).toHaveLength(8);
  });

  test("THEN the drill's output went to the log in the scenario's state directory, not to the terminal", () => {
    const log = fs.readFileSync(path.join(stateDir, 'region-outage', 'drill.log'), 'utf8');
    expect(log).toContain(
      `rehearsal region-outage: failover --to us-west-2 --allow-data-loss --force --reason ${OUTAGE_FORCE}\n`,
    );
    expect(log).toMatch(/^drill failover-\S+: failover us-east-1 -> us-west-2/m);
    expect(run.stdout).not.toContain('drill failover-');
  });

  test("THEN the journal header, and the record from it, mark the drill as this scenario's rehearsal", () => {
    const drillDir = drillDirOf(stateDir, 'region-outage');
    const header = journalIn(drillDir)[0];
    const scenario = SCENARIOS.find((s) => s.name === 'region-outage')!;
    const marker = {
      scenario: 'region-outage',
      summary: scenario.summary,
      assembly: assemblyDir(),
      assumptions: { ...DEFAULT_ASSUMPTIONS },
      events: [{ atSeconds: 0, afterClientWrites: 3, kind: 'region-outage', region: 'writer' }],
    };
    expect(header).toMatchObject({ type: 'drill', rehearsal: marker });
    const record = recordIn(drillDir);
    // The simulation's findings join the record after the drill, from <drill>/rehearsal.json.
    expect(record.rehearsal).toEqual({
      ...marker,
      findings: {
        unsatisfiableRpo: [],
        applicationClient: expect.objectContaining({
          itemPrefix: clientItemPrefix(APPLICATION_CLIENT_ID),
        }) as unknown,
      },
    });
    expect(record.outcome).toBe('succeeded');
  });

  test('THEN the HTML and Markdown reports carry the banner, the scenario, its assumptions and the verdicts', () => {
    const drillDir = drillDirOf(stateDir, 'region-outage');
    const html = fs.readFileSync(path.join(drillDir, 'report.html'), 'utf8');
    const md = fs.readFileSync(path.join(drillDir, 'report.md'), 'utf8');
    const verdicts = run.stdout
      .split('\n')
      .slice(1, 7)
      .map((l) => l.trim());
    const scenarioLine = `scenario region-outage: ${SCENARIOS[0].summary} (assembly ${assemblyDir()})`;

    expect(html).toContain(
      `<p class="rehearsal"><strong>REHEARSAL (simulation, not AWS)</strong>: ${scenarioLine}</p>`,
    );
    for (const line of verdicts) {
      expect(html).toContain(`<li class="met">${line.replace(/</g, '&lt;')}</li>`);
      expect(md).toContain(`\n- ${line}\n`);
    }
    // The promotion estimate the assembly publishes (the timing policy's default, 120 s).
    expect(html).toContain('<tr><td>promotionMs</td><td>120000</td></tr>');
    expect(html).toContain('<li>+0 s after 3 acknowledged client writes region-outage writer</li>');
    expect(md).toContain(`> **REHEARSAL (simulation, not AWS)**: ${scenarioLine}`);
    expect(md).toContain('| resolver | worst-case |');
  });

  test("THEN a real drill's record (no rehearsal mark) renders without the banner", () => {
    const real = { ...recordIn(drillDirOf(stateDir, 'region-outage')) };
    delete (real as { rehearsal?: unknown }).rehearsal;
    expect(renderHtml(real)).not.toContain('REHEARSAL');
    expect(renderMarkdown(real)).not.toContain('REHEARSAL');
    expect(renderMarkdown(real)).not.toContain('## Verdicts');
  });
});

describe('drill rehearse --json', () => {
  test('THEN stdout is only the results as JSON, with the measures and the verdicts', async () => {
    const stateDir = tempDir();
    const run = await rehearseIn(stateDir, ['--scenario', 'region-outage', '--json']);

    expect(run.code).toBe(0);
    const results = JSON.parse(run.stdout) as RehearsalResult[];
    expect(results).toHaveLength(1);
    const [r] = results;
    expect(r).toMatchObject({
      scenario: 'region-outage',
      assembly: assemblyDir(),
      drillExitCode: 0,
      fromRegion: 'us-east-1',
      targetRegion: 'us-west-2',
      passed: true,
      stateDir: path.join(stateDir, 'region-outage'),
      measures: { writesResumed: true, lostClientWrites: 1 },
    });
    expect(r.measures.clientWriteRtoMs).toBeGreaterThan(0);
    expect(r.measures.databaseRtoMs).toBeGreaterThan(0);
    expect(r.measures.rpoMs).toBe(DEFAULT_ASSUMPTIONS.replicationLagMs);
    expect(r.verdicts.map((v) => [v.objective, v.met])).toEqual([
      ['client write RTO', true],
      ['client read RTO', true],
      ['database RTO', true],
      ['RPO', true],
      ['writes resume', true],
      ['managed RPO', true],
    ]);
    expect(r.verdicts[0].measuredMs).toBe(r.measures.clientWriteRtoMs);
  });
});

describe('drill rehearse on a three-region assembly', () => {
  test('THEN the rehearsal follows the synthesized topology: target, every region locked, outputs of every stack', async () => {
    const stateDir = tempDir();
    const run = await rehearseIn(
      stateDir,
      ['--scenario', 'region-outage', '--json'],
      assemblyDir(THREE),
    );

    expect(run.code).toBe(0);
    const [r] = JSON.parse(run.stdout) as RehearsalResult[];
    const { topology } = objectivesOf(THREE);
    expect(topology.regions.map((x) => x.region)).toEqual(THREE);
    expect([r.fromRegion, r.targetRegion]).toEqual(['us-east-1', 'us-west-2']);
    const header = journalIn(path.join(r.stateDir, r.drillId))[0];
    if (header.type !== 'drill') throw new Error('no header');
    // The writer region is out: the lock is taken in the other two, us-east-1 does not answer.
    // The writer region fails after the lock (during the preflight): held in all three.
    expect(header.lock?.heldIn).toEqual(['us-east-1', 'us-west-2', 'us-east-2']);
    expect(header.lock?.unreachable).toEqual([]);
    const outputs = JSON.parse(
      fs.readFileSync(path.join(r.stateDir, 'cdk-outputs.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(Object.keys(outputs).sort()).toEqual(deployedApp(THREE).stackNames().sort());
  });
});

describe('drill rehearse --list', () => {
  test('THEN it names every scenario with its summary, and rehearses nothing', async () => {
    const run = await rehearseCli(['rehearse', '--list']);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'region-outage          the writer region fails once the client canary has 3 acknowledged writes; unplanned failover',
        'switchover-under-load  planned switchover while the client canary writes and reads every second',
        'lag-spike              replication stalls (its lag building toward the RPO), then the writer region fails; the lag is lost',
        'rds-throttling         an RDS API throttling storm (every second call, all regions) during a switchover',
        "stale-resolver         the client's resolver keeps every answer 300 s (min-ttl); the writer region fails",
        'headless-secondary     the target has no instance: the drill must refuse, and writes do not resume',
        'partition              the writer and the target are cut apart; failover with fencing',
        "failback               after a failover and the old region's return, the failback to the primary region",
        '',
      ].join('\n'),
    );
  });
});

describe('drill rehearse --scenario headless-secondary', () => {
  test('THEN the drill refuses at preflight on target-not-headless, and that expected refusal is the one verdict, met', async () => {
    const stateDir = tempDir();
    const run = await rehearseIn(stateDir, ['--scenario', 'headless-secondary']);

    expect(run.code).toBe(EXIT_CODES.OK);
    const drillDir = drillDirOf(stateDir, 'headless-secondary');
    expect(run.stdout).toBe(
      [
        'REHEARSAL (simulation, not AWS) headless-secondary: writer us-east-1 -> us-west-2, drill exit 4: every verdict met',
        '  refusal: the drill refused at preflight on target-not-headless, as expected: the safety check held: met',
        `  record and report: ${drillDir} (drill output: ${path.join(stateDir, 'headless-secondary', 'drill.log')})`,
        '',
      ].join('\n'),
    );
    const record = recordIn(drillDir);
    expect(record.steps[0]).toMatchObject({ id: 'preflight', status: 'failed' });
    expect(record.error?.message).toContain(
      '- target-not-headless: target cluster has at least one instance (not headless): headless: add an instance before it can take the writer',
    );
    expect(record.measures.promotion?.status).toBe('pending');
    expect(record.rehearsal?.expect).toEqual({ refusal: { check: 'target-not-headless' } });
    expect(fs.readFileSync(path.join(drillDir, 'report.md'), 'utf8')).toContain(
      '\n- refusal: the drill refused at preflight on target-not-headless, as expected: the safety check held: met\n',
    );
  });
});

describe('drill rehearse with faults the world injects', () => {
  test.each([
    ['rds-throttling', /rds \w+ in us-\w+-\d throttled \(after \d+ attempts\)/],
    ['partition', /--force --reason the writer region is cut off: fail over anyway/],
  ])(
    'GIVEN %s THEN the drill lives the fault and still meets every objective',
    async (scenario, inLog) => {
      const stateDir = tempDir();
      const run = await rehearseIn(stateDir, ['--scenario', scenario]);

      expect(run.code).toBe(0);
      expect(fs.readFileSync(path.join(stateDir, scenario, 'drill.log'), 'utf8')).toMatch(inLog);
    },
  );
});

describe('drill rehearse --scenario failback', () => {
  test('THEN it first fails over, then rehearses the failback to the primary region, and judges that drill', async () => {
    const stateDir = tempDir();
    const run = await rehearseIn(stateDir, ['--scenario', 'failback', '--json']);

    expect(run.code).toBe(0);
    const [r] = JSON.parse(run.stdout) as RehearsalResult[];
    expect([r.fromRegion, r.targetRegion]).toEqual(['us-west-2', 'us-east-1']);
    expect(r.drillId).toMatch(/^failback-/);
    const record = recordIn(path.join(r.stateDir, r.drillId));
    expect(record.kind).toBe('failback');
    expect(record.rehearsal?.scenario).toBe('failback');
    // STS names the simulation as the operator, never a person.
    expect(record.attempts[0].operator?.arn).toBe(
      'arn:aws:sts::123456789012:assumed-role/DrillRehearsal/simulation',
    );
    const log = fs.readFileSync(path.join(r.stateDir, 'drill.log'), 'utf8');
    expect(log.indexOf('rehearsal failback: preflight --for failback\n')).toBeGreaterThan(
      log.indexOf('rehearsal failback: first move'),
    );
    expect(log.indexOf('rehearsal failback: failback\n')).toBeGreaterThan(
      log.indexOf('rehearsal failback: preflight --for failback\n'),
    );
    // The first move is a rehearsal's drill too: its report says so.
    const firstMove = recordIn(
      path.join(
        r.stateDir,
        fs.readdirSync(r.stateDir).find((d) => d.startsWith('failover-'))!,
      ),
    );
    expect(firstMove.rehearsal).toMatchObject({
      scenario: 'failback',
      summary: 'first move of the scenario: failover',
      events: [],
    });
    expect(fs.readFileSync(path.join(r.stateDir, 'drill.log'), 'utf8')).toContain(
      'rehearsal failback: first move, failover us-east-1 -> us-west-2\n',
    );
  });
});

describe('drill rehearse of an unplanned failover on an assembly that fails a preflight check', () => {
  test('THEN the drill is forced past it as in an outage, and the failed check is printed with the verdicts', async () => {
    // GIVEN a copy of the assembly whose routed records have TTL 300 (the record-ttls check fails)
    const copy = path.join(tempDir(), 'cdk.out');
    fs.cpSync(assemblyDir(), copy, { recursive: true });
    const file = path.join(copy, 'MultiRegion-Routing.template.json');
    const template = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { TTL?: string } }>;
    };
    for (const r of Object.values(template.Resources)) {
      if (r.Type === 'AWS::Route53::RecordSet' && r.Properties.TTL === '60')
        r.Properties.TTL = '300';
    }
    fs.writeFileSync(file, JSON.stringify(template));
    const stateDir = tempDir();

    // WHEN
    const run = await rehearseIn(stateDir, ['--scenario', 'region-outage'], copy);

    // THEN
    const lines = run.stdout.split('\n');
    expect(lines[1]).toBe('  preflight: forced past the failed check(s) record-ttls');
    const record = recordIn(drillDirOf(stateDir, 'region-outage'));
    expect(record.forceReason).toBe(OUTAGE_FORCE);
    expect(record.outcome).toBe('succeeded');
  });
});

describe('drill rehearse of a scenario whose drill cannot start', () => {
  test('GIVEN the writer and the target both down THEN nothing is measured and each verdict says why', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'both-down.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        name: 'both-down',
        summary: 'the writer and the target region are both gone',
        description: 'No region can take the writer.',
        drill: { kind: 'failover' },
        events: [
          { atSeconds: 0, kind: 'region-outage', region: 'writer' },
          { atSeconds: 0, kind: 'region-outage', region: 'target' },
        ],
      }),
    );
    const stateDir = path.join(dir, 'state');

    const run = await rehearseIn(stateDir, ['--scenario-file', file]);

    const { rto, rpo } = objectivesOf();
    const why = 'the drill exited 9 (AWS_ERROR) before it started';
    expect(run.code).toBe(EXIT_CODES.REHEARSAL_MISSED);
    expect(run.stdout).toBe(
      [
        'REHEARSAL (simulation, not AWS) both-down: writer us-east-1 -> us-west-2, drill exit 9: verdict missed',
        `  client write RTO not measured (${why}), objective ${rto} s: missed`,
        `  client read RTO not measured (${why}), objective ${rto} s: missed`,
        `  database RTO not measured (${why}), objective ${rto} s: missed`,
        `  RPO not measured (${why}), objective ${rpo} s: missed`,
        `  writes resume: no, ${why}: missed`,
        `  record and report: ${path.join(stateDir, 'both-down')} (drill output: ${path.join(stateDir, 'both-down', 'drill.log')})`,
        '',
      ].join('\n'),
    );
  });
});

describe('drill rehearse --scenario takes several names', () => {
  test('GIVEN two names after one flag and a repeated flag THEN each is rehearsed once, in order', async () => {
    const stateDir = tempDir();
    const run = await rehearseIn(stateDir, [
      '--scenario',
      'headless-secondary',
      'region-outage',
      '--scenario',
      'headless-secondary',
      '--json',
    ]);

    const results = JSON.parse(run.stdout) as RehearsalResult[];
    expect(results.map((r) => [r.scenario, r.passed])).toEqual([
      ['headless-secondary', true],
      ['region-outage', true],
    ]);
    expect(run.code).toBe(EXIT_CODES.OK);
  });
});

describe('drill rehearse without --scenario', () => {
  test('THEN every built-in scenario is rehearsed, each in its own state directory', async () => {
    const stateDir = tempDir();
    const run = await rehearseIn(stateDir, ['--json']);

    const results = JSON.parse(run.stdout) as RehearsalResult[];
    expect(results.map((r) => r.scenario)).toEqual(SCENARIOS.map((s) => s.name));
    expect(fs.readdirSync(stateDir).sort()).toEqual(SCENARIOS.map((s) => s.name).sort());
    // headless-secondary meets its one objective: the drill refuses as it must.
    expect(results.find((r) => r.scenario === 'headless-secondary')?.passed).toBe(true);
    const missed = results.filter((r) => !r.passed).map((r) => r.scenario);
    expect(run.code).toBe(missed.length === 0 ? EXIT_CODES.OK : EXIT_CODES.REHEARSAL_MISSED);
    // Eight rehearsals (about 3 s alone): beside the rest of the suite on 2 cores, more than 5 s.
  }, 60_000);
});
