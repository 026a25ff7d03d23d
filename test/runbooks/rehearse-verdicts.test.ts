// The verdicts of a rehearsed drill: measured against the objectives in its record, missed
// when a figure exceeds its objective or when there is no figure (with the reason).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT_CODES } from '../../runbooks/drill/errors';
import { managedRpoVerdict, rehearsalVerdicts } from '../../runbooks/drill/record-rehearsal';
import type { RehearsalResult } from '../../runbooks/simulation/scenario';
import { assemblyDir } from '../deployed-app';
import { drillDirOf, recordIn, rehearseCli, tempDirs, rehearseIn } from './rehearse-helpers';

// Each rehearsal takes up to a few seconds of wall time; a busy 2-core CI machine needs more
// than jest's 5 s default (the speed target lives in npm run bench:rehearse).
jest.setTimeout(60_000);

const tempDir = tempDirs();

async function rehearseFile(scenario: object): Promise<{ result: RehearsalResult; code: number }> {
  const dir = tempDir();
  const file = path.join(dir, 'scenario.json');
  fs.writeFileSync(file, JSON.stringify(scenario));
  const run = await rehearseCli([
    'rehearse',
    '--scenario-file',
    file,
    '--assembly',
    assemblyDir(),
    '--state-dir',
    path.join(dir, 'state'),
    '--json',
  ]);
  return { result: (JSON.parse(run.stdout) as RehearsalResult[])[0], code: run.code };
}

describe('verdicts of a drill whose figures exceed the objectives', () => {
  test('GIVEN the record of a rehearsal judged against a 30 s RTO and a 0 s RPO THEN the RTO lines say missed with both figures', async () => {
    const stateDir = tempDir();
    await rehearseIn(stateDir, ['--scenario', 'region-outage']);
    const record = recordIn(drillDirOf(stateDir, 'region-outage'));
    const measured = rehearsalVerdicts(record);

    const verdicts = rehearsalVerdicts({
      ...record,
      objectives: { ...record.objectives, rtoSeconds: 30, rpoSeconds: 0 },
    });

    const writeRto = measured[0].measuredMs!;
    expect(writeRto).toBeGreaterThan(30_000);
    expect(verdicts[0]).toEqual({
      objective: 'client write RTO',
      measuredMs: writeRto,
      objectiveMs: 30_000,
      met: false,
      line: `client write RTO ${Math.round(writeRto / 1000)} s > 30 s: missed`,
    });
    expect(verdicts[2]).toMatchObject({ objective: 'database RTO', met: false });
    expect(verdicts[2].line).toMatch(/^database RTO \d+ s > 30 s: missed$/);
    // The one write lost was a second after the newest one the target kept.
    expect(verdicts[3]).toEqual({
      objective: 'RPO',
      measuredMs: 1000,
      objectiveMs: 0,
      met: false,
      line: 'RPO 1 s (1 acknowledged client write lost) > 0 s: missed',
    });
  });
});

describe('the RPO verdict when no client write was acknowledged before the promotion request', () => {
  test('GIVEN the writer region gone before the canary wrote anything THEN the RPO is not exercised, and missed', async () => {
    const { result, code } = await rehearseFile({
      name: 'gone-at-once',
      summary: 'the writer region is gone before the first client write',
      description: 'Nothing acknowledged, so nothing can be lost: the RPO is not measured.',
      drill: { kind: 'failover', forceReason: 'the writer region is down' },
      events: [{ atSeconds: 0, kind: 'region-outage', region: 'writer' }],
    });

    expect(code).toBe(EXIT_CODES.REHEARSAL_MISSED);
    expect(result.drillExitCode).toBe(EXIT_CODES.OK);
    const rpo = result.verdicts.find((v) => v.objective === 'RPO')!;
    expect(rpo).toEqual({
      objective: 'RPO',
      measuredMs: null,
      objectiveMs: 30_000,
      met: false,
      line: 'RPO not exercised (no client write was acknowledged before the promotion request, so none could be lost), objective 30 s: missed',
    });
    expect(result.measures.rpoMs).toBeNull();
    expect(result.verdicts.filter((v) => !v.met).map((v) => v.objective)).toEqual(['RPO']);
  });
});

describe('verdicts of a drill that stopped while writes were failing', () => {
  test('GIVEN a promotion longer than the step timeout THEN the drill stops at wait-writer and no RTO is measured', async () => {
    const { result, code } = await rehearseFile({
      name: 'stuck-promotion',
      summary: 'Aurora takes 20 minutes to promote',
      description: 'Longer than the 15 minute step timeout.',
      drill: { kind: 'switchover' },
      assumptions: { promotionMs: 1_200_000 },
    });

    expect(code).toBe(EXIT_CODES.REHEARSAL_MISSED);
    expect(result.drillExitCode).toBe(EXIT_CODES.STEP_TIMEOUT);
    const [write, , database, rpo, resume] = result.verdicts;
    expect(write.line).toMatch(
      /^client write RTO not measured \(client writes still failing when the canary stopped; the drill stopped: \[STEP_TIMEOUT\] [^\n]+\), objective 900 s: missed$/,
    );
    expect(database.line).toMatch(
      /^database RTO not measured \(the drill stopped: \[STEP_TIMEOUT\] [^\n]+\), objective 900 s: missed$/,
    );
    expect(rpo.met).toBe(false);
    expect(resume.line).toMatch(
      /^writes resume: no client write through write\.example\.com acknowledged by us-west-2 after the promotion request; the drill stopped: \[STEP_TIMEOUT\] [^\n]+: missed$/,
    );
    expect(result.measures).toMatchObject({
      clientWriteRtoMs: null,
      databaseRtoMs: null,
      writesResumed: false,
    });
  });
});

describe('verdict of a scenario that expects the drill to refuse', () => {
  const expectHeadless = { expect: { refusal: { check: 'target-not-headless' } } };

  test('GIVEN a drill that does not refuse THEN the one verdict says what it did instead, missed', async () => {
    const { result, code } = await rehearseFile({
      name: 'expects-refusal',
      summary: 'a switchover to a target that has an instance',
      description: 'Nothing is headless: the drill goes ahead.',
      drill: { kind: 'switchover' },
      ...expectHeadless,
    });

    expect(code).toBe(EXIT_CODES.REHEARSAL_MISSED);
    expect(result.verdicts).toEqual([
      {
        objective: 'refusal',
        measuredMs: null,
        objectiveMs: null,
        met: false,
        line: 'refusal: expected the drill to refuse at preflight on target-not-headless alone, but it did not refuse (outcome succeeded): missed',
      },
    ]);
  });

  test('GIVEN a drill that refuses on that check and another THEN it is missed, naming every check that refused', async () => {
    const { result } = await rehearseFile({
      name: 'headless-and-lagging',
      summary: 'the target is headless and lags',
      description: 'Two checks refuse.',
      drill: { kind: 'switchover', startsAtSeconds: 60 },
      events: [
        { atSeconds: 0, kind: 'headless', region: 'target' },
        { atSeconds: 0, kind: 'lag-spike', region: 'target', lagMs: 600_000, forSeconds: 600 },
      ],
      ...expectHeadless,
    });

    expect(result.passed).toBe(false);
    expect(result.verdicts.map((v) => v.line)).toEqual([
      'refusal: expected the drill to refuse at preflight on target-not-headless alone, but it refused on target-not-headless, lag-under-rpo, health-checks: missed',
    ]);
  });

  test('GIVEN a drill that cannot start THEN the verdict says why, missed', async () => {
    const { result } = await rehearseFile({
      name: 'both-down',
      summary: 'the writer and the target region are both gone',
      description: 'No region can take the writer.',
      drill: { kind: 'failover' },
      events: [
        { atSeconds: 0, kind: 'region-outage', region: 'writer' },
        { atSeconds: 0, kind: 'region-outage', region: 'target' },
      ],
      ...expectHeadless,
    });

    expect(result.verdicts.map((v) => v.line)).toEqual([
      'refusal: expected the drill to refuse at preflight on target-not-headless alone, but the drill exited 9 (AWS_ERROR) before it started: missed',
    ]);
  });
});

describe('verdict on managed RPO that no secondary could satisfy', () => {
  const window = (region: string, ms: number) => ({
    region,
    rpoSeconds: 30,
    parameterGroup: `multi-region-ref-global-${region}-params`,
    from: '2025-03-01T10:01:10.000Z',
    to: new Date(Date.parse('2025-03-01T10:01:10.000Z') + ms).toISOString(),
    ms,
  });

  test.each([
    [
      [],
      true,
      'managed RPO: commits blocked 0 s with no secondary able to satisfy rds.global_db_rpo: met',
    ],
    [
      [window('us-west-2', 12_000)],
      false,
      'managed RPO: commits on us-west-2 blocked 12 s with no secondary able to satisfy rds.global_db_rpo=30 (set in multi-region-ref-global-us-west-2-params): missed',
    ],
    [
      [window('us-west-2', 0), window('us-east-2', 2_500)],
      false,
      'managed RPO: commits on us-west-2 blocked 0 s with no secondary able to satisfy rds.global_db_rpo=30 (set in multi-region-ref-global-us-west-2-params); ' +
        'commits on us-east-2 blocked 2.5 s with no secondary able to satisfy rds.global_db_rpo=30 (set in multi-region-ref-global-us-east-2-params): missed',
    ],
  ])('GIVEN windows %j THEN met is %s and the line is exact', (windows, met, line) => {
    const verdict = managedRpoVerdict({ unsatisfiableRpo: windows });

    expect(verdict).toEqual({
      objective: 'managed RPO',
      measuredMs: windows.reduce((sum, w) => sum + w.ms, 0),
      objectiveMs: 0,
      met,
      line,
    });
  });
});
