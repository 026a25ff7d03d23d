import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DEFAULT_WORKLOAD,
  loadWorkload,
  WORKLOAD_MEANINGS,
  workloadOf,
} from '../../../runbooks/brief/cost/workload';

const KEYS =
  'the keys are storageGb, writesPerSecond, writeIosPerWrite, readIosPerSecond, requestsPerSecond, lambdaDurationMs, dnsQueriesPerSecondPerName, healthCheckers, interRegionTransferGbPerMonth, endpointGbPerMonth, backupDailyChangeRatio, hoursPerMonth (docs/cost-model.md)';

describe('workload assumptions', () => {
  test('GIVEN no file THEN the documented defaults apply; GIVEN some keys THEN only those change', () => {
    expect(workloadOf({})).toEqual(DEFAULT_WORKLOAD);
    expect(workloadOf({ storageGb: 500, hoursPerMonth: 744 })).toEqual({
      ...DEFAULT_WORKLOAD,
      storageGb: 500,
      hoursPerMonth: 744,
    });
  });

  test('GIVEN the defaults THEN every assumption has a meaning the brief prints and docs/cost-model.md documents', () => {
    const doc = fs.readFileSync(
      path.join(__dirname, '..', '..', '..', 'docs', 'cost-model.md'),
      'utf8',
    );

    expect(Object.keys(WORKLOAD_MEANINGS).sort()).toEqual(Object.keys(DEFAULT_WORKLOAD).sort());
    for (const [key, value] of Object.entries(DEFAULT_WORKLOAD)) {
      // Prettier pads table cells, so match the row whatever its padding.
      expect(doc).toMatch(
        new RegExp(`\\| \`${key}\` +\\| ${String(value).replace('.', '\\.')} +\\|`),
      );
    }
  });

  test.each([
    ['a mistyped key', { storageGB: 5 }, `workload: (file): unknown key(s) "storageGB"; ${KEYS}`],
    [
      'a negative amount',
      { storageGb: -5 },
      `workload: storageGb: must be a number of at least 0 (got: -5); ${KEYS}`,
    ],
    [
      'a number as text',
      { requestsPerSecond: '20' },
      `workload: requestsPerSecond: Invalid input: expected number, received string (got: "20"); ${KEYS}`,
    ],
    [
      'a fraction of a health checker',
      { healthCheckers: 2.5 },
      `workload: healthCheckers: must be a whole number (got: 2.5); ${KEYS}`,
    ],
    [
      'a month of no hours',
      { hoursPerMonth: 0 },
      `workload: hoursPerMonth: must be more than 0 (got: 0); ${KEYS}`,
    ],
    [
      'a change ratio above 1',
      { backupDailyChangeRatio: 2 },
      `workload: backupDailyChangeRatio: must be from 0 to 1 (got: 2); ${KEYS}`,
    ],
    [
      'no health checkers',
      { healthCheckers: 0 },
      `workload: healthCheckers: must be at least 1 (got: 0); ${KEYS}`,
    ],
    [
      'a negative change ratio',
      { backupDailyChangeRatio: -0.1 },
      `workload: backupDailyChangeRatio: must be from 0 to 1 (got: -0.1); ${KEYS}`,
    ],
    [
      'a month longer than 31 days',
      { hoursPerMonth: 745 },
      `workload: hoursPerMonth: must be at most 744 (31 days) (got: 745); ${KEYS}`,
    ],
    [
      'two problems',
      { storageGb: -1, healthCheckers: 0 },
      `workload: storageGb: must be a number of at least 0 (got: -1); healthCheckers: must be at least 1 (got: 0); ${KEYS}`,
    ],
    [
      'a list instead of an object',
      [],
      `workload: (file): Invalid input: expected object, received array (got: []); ${KEYS}`,
    ],
  ])('GIVEN %s THEN the message names the field and the value', (_, raw, message) => {
    expect(() => workloadOf(raw)).toThrow(new Error(message));
  });

  test('GIVEN the most health checkers and hours allowed THEN they are taken', () => {
    expect(workloadOf({ healthCheckers: 40, hoursPerMonth: 744 })).toMatchObject({
      healthCheckers: 40,
      hoursPerMonth: 744,
    });
  });

  test('GIVEN a workload file THEN it is read; GIVEN a missing or broken one THEN the message names the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cost-workload-'));
    const good = path.join(dir, 'workload.json');
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(good, JSON.stringify({ writesPerSecond: 200 }));
    fs.writeFileSync(broken, '{"writesPerSecond": ');

    expect(loadWorkload(good).writesPerSecond).toBe(200);
    expect(() => loadWorkload(path.join(dir, 'none.json'))).toThrow(
      new Error(`${path.join(dir, 'none.json')}: no such workload file; check the path`),
    );
    expect(() => loadWorkload(broken)).toThrow(
      new Error(`${broken}: not JSON (Unexpected end of JSON input); fix the file`),
    );
  });
});
