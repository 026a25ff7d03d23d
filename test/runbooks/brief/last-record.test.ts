import * as fs from 'node:fs';
import * as path from 'node:path';
import { latestRecords, readRecord } from '../../../runbooks/brief/last-record';
import type { DrillRecord } from '../../../runbooks/drill/record';
import { DRILL_OUTPUT_KEYS, type DrillDatabaseOutput } from '../../../constructs/contract';
import { deployedApp } from '../../deployed-app';
import { rehearseIn, tempDirs } from '../rehearse-helpers';

const tempDir = tempDirs();

describe('the brief finds the last measured drill or rehearsal', () => {
  let stateDir: string;
  let gci: string;
  beforeAll(async () => {
    // GIVEN two rehearsals the real drill wrote, one of them twice
    stateDir = tempDir();
    const dir = path.join(stateDir, 'rehearsals');
    for (const scenario of ['region-outage', 'lag-spike', 'region-outage']) {
      const run = await rehearseIn(dir, ['--scenario', scenario]);
      expect(run.code).toBe(0);
    }
    const database = Object.values(deployedApp().outputsFile()).find(
      (o) => o[DRILL_OUTPUT_KEYS.database],
    )![DRILL_OUTPUT_KEYS.database];
    gci = (JSON.parse(database) as DrillDatabaseOutput).globalClusterIdentifier;
  }, 240_000);

  test('THEN it returns the newest record per scenario, newest first', () => {
    const found = latestRecords(stateDir, gci);
    expect(found.map((f) => f.record.rehearsal?.scenario)).toEqual(['region-outage', 'lag-spike']);
    const outages = fs
      .readdirSync(path.join(stateDir, 'rehearsals', 'region-outage'))
      .filter((name) => name.startsWith('failover-'))
      .sort();
    expect(outages).toHaveLength(2);
    // The second run of the scenario, not the first (both start at the virtual clock's zero).
    expect(found[0].file).toBe(
      path.join(stateDir, 'rehearsals', 'region-outage', outages[1], 'record.json'),
    );
  });

  test('GIVEN the first run of a scenario written last THEN that one is the newest', () => {
    const dir = path.join(stateDir, 'rehearsals', 'region-outage');
    const [first] = fs
      .readdirSync(dir)
      .filter((name) => name.startsWith('failover-'))
      .sort();
    const file = path.join(dir, first, 'record.json');
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(file, later, later);
    try {
      expect(latestRecords(stateDir, gci)[0].file).toBe(file);
    } finally {
      const now = new Date();
      fs.utimesSync(file, now, now);
    }
  });

  test('GIVEN a real drill beside the rehearsals THEN it comes first, then the rehearsals', () => {
    // A real drill's directory: what the drill writes, without the rehearsal's marker.
    const real = tempDir();
    const rehearsal = path.join(stateDir, 'rehearsals', 'lag-spike');
    const [id] = fs.readdirSync(rehearsal).filter((name) => name.startsWith('failover-'));
    fs.cpSync(path.join(rehearsal, id), path.join(real, id), { recursive: true });
    const recordFile = path.join(real, id, 'record.json');
    const record: DrillRecord = readRecord(recordFile).record;
    fs.writeFileSync(recordFile, JSON.stringify({ ...record, rehearsal: undefined }));
    fs.cpSync(path.join(stateDir, 'rehearsals'), path.join(real, 'rehearsals'), {
      recursive: true,
      preserveTimestamps: true,
    });
    const found = latestRecords(real, gci);
    expect(found.map((f) => f.record.rehearsal?.scenario ?? `drill ${f.record.kind}`)).toEqual([
      'drill failover',
      'region-outage',
      'lag-spike',
    ]);
    expect(found[0].file).toBe(recordFile);
  });

  test('THEN records of another global database are not this topology’s', () => {
    expect(latestRecords(stateDir, `${gci}-other`)).toEqual([]);
  });

  test('GIVEN no state directory THEN there is no record', () => {
    expect(latestRecords(path.join(stateDir, 'missing'), gci)).toEqual([]);
  });
});

describe('--record FILE that is not a record', () => {
  test.each([
    ['a missing file', undefined, 'no such file; give a record.json the drill wrote'],
    ['not JSON', 'not json', 'not JSON (Unexpected token'],
    [
      'another JSON file',
      '{"version":1}',
      'not a drill record (version 2 with a drillId); give a record.json the drill wrote',
    ],
    [
      'a record without a drillId',
      '{"version":2}',
      'not a drill record (version 2 with a drillId); give a record.json the drill wrote',
    ],
    [
      'JSON null',
      'null',
      'not a drill record (version 2 with a drillId); give a record.json the drill wrote',
    ],
  ])('GIVEN %s THEN the error names the file and what to give', (_, content, message) => {
    const file = path.join(tempDir(), 'record.json');
    if (content !== undefined) fs.writeFileSync(file, content);
    expect(() => readRecord(file)).toThrow(`--record ${file}: ${message}`);
  });
});
