import * as fs from 'node:fs';
import * as path from 'node:path';
import { latestRecords, readRecord } from '../../../runbooks/brief/last-record';
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
  ])('GIVEN %s THEN the error names the file and what to give', (_, content, message) => {
    const file = path.join(tempDir(), 'record.json');
    if (content !== undefined) fs.writeFileSync(file, content);
    expect(() => readRecord(file)).toThrow(`--record ${file}: ${message}`);
  });
});
