import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inventory } from '../../../runbooks/brief/cost/inventory';
import { costModel } from '../../../runbooks/brief/cost/model';
import {
  loadPriceBook,
  MissingPriceError,
  oldestRead,
  PriceCollector,
  parsePriceFile,
  priceBookOf,
  SHIPPED_PRICES_FILE,
  type PriceFigure,
} from '../../../runbooks/brief/cost/prices';
import { DEFAULT_WORKLOAD } from '../../../runbooks/brief/cost/workload';
import { deployedApp } from '../../deployed-app';
import { shippedFigures } from './cost-helpers';

/** The default allow-list of the topology: the shipped file must price every one of them. */
const DEFAULT_ALLOWED_REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'];

const FIGURE: PriceFigure = {
  id: 'aurora.instance.db.r6g.large',
  region: 'us-east-1',
  usd: 0.2,
  unit: 'instance-hour',
  source: {
    url: 'https://aws.amazon.com/rds/aurora/pricing/',
    section: 'Reserved Instance, 1 year',
  },
  read: '2026-11-30',
  confirmed: true,
};
const TAIL =
  'every figure needs "id" (lower-case words joined by . - or _), "region" (a Region name or "global"), "usd" (a number, at least 0), "unit" (e.g. "instance-hour"), "source": { "url" (the https address of the pricing page), "section" (where on the page) }, "read" (the date read, YYYY-MM-DD) and "confirmed" (true or false; false needs a "note" saying why); optional: "confirmedBy" (an https URL), "corroboratedBy" (a list of https URLs), "note"';
/** The figure the missing-price hint asks for, with every field and its format. */
const template = (id: string, region: string) =>
  `{ "id": "${id}", "region": "${region}", "usd": <number, at least 0>, "unit": "<e.g. instance-hour>", "source": { "url": "<https address of the pricing page>", "section": "<section of the page>" }, "read": "<date read, YYYY-MM-DD>", "confirmed": <true or false; false needs "note": "<why>">, optionally "confirmedBy": "<https URL>" }`;
const fileOf = (figures: unknown[], extra: object = {}) =>
  JSON.stringify({ currency: 'USD', figures, ...extra });

describe('the shipped price file', () => {
  test('GIVEN aws-prices.json THEN it validates and every figure has an https source, a section, a date, and a note when unconfirmed', () => {
    const figures = parsePriceFile(
      fs.readFileSync(SHIPPED_PRICES_FILE, 'utf8'),
      SHIPPED_PRICES_FILE,
    );

    expect(figures.length).toBe(shippedFigures.length);
    for (const f of shippedFigures) {
      expect(f.source.url).toMatch(
        /^https:\/\/aws\.amazon\.com\/[a-z0-9/-]+\/pricing\/([a-z-]+\/)?$/,
      );
      expect(f.source.section.length).toBeGreaterThan(0);
      expect(f.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (!f.confirmed) expect(f.note?.length).toBeGreaterThan(0);
      if (f.confirmed) expect(f.confirmedBy).toMatch(/^https:\/\//);
    }
  });

  test('GIVEN aws-prices.json THEN every regional figure is priced in each Region of the default allow-list', () => {
    const regionalIds = [
      ...new Set(
        shippedFigures
          .filter((f) => f.region !== 'global' && !f.id.includes('.to.'))
          .map((f) => f.id),
      ),
    ];
    const missing = DEFAULT_ALLOWED_REGIONS.flatMap((region) =>
      regionalIds
        .filter((id) => !shippedFigures.some((f) => f.id === id && f.region === region))
        .map((id) => `${id}@${region}`),
    );

    expect(missing).toEqual([]);
  });
});

describe('a price file that cannot be used is refused with the field, the value and the fix', () => {
  test.each([
    [
      'a missing source url',
      fileOf([{ ...FIGURE, source: { section: 'x' } }]),
      `mine.json: 1 problem(s): figures.0.source.url: is required; ${TAIL}`,
    ],
    [
      'a negative price',
      fileOf([{ ...FIGURE, usd: -1 }]),
      `mine.json: 1 problem(s): figures.0.usd: must be at least 0 (got: -1); ${TAIL}`,
    ],
    [
      'a date not as YYYY-MM-DD',
      fileOf([{ ...FIGURE, read: '30/11/2026' }]),
      `mine.json: 1 problem(s): figures.0.read: must be the date the figure was read, as YYYY-MM-DD (got: "30/11/2026"); ${TAIL}`,
    ],
    [
      'a day that does not exist',
      fileOf([{ ...FIGURE, read: '2026-02-30' }]),
      `mine.json: 1 problem(s): figures.0.read: must be a real date (got: "2026-02-30"); ${TAIL}`,
    ],
    [
      'an unconfirmed figure without a note',
      fileOf([{ ...FIGURE, confirmed: false }]),
      `mine.json: 1 problem(s): figures.0.note: an unconfirmed figure needs a note saying why; ${TAIL}`,
    ],
    [
      'an unknown key',
      fileOf([{ ...FIGURE, price: 1 }]),
      `mine.json: 1 problem(s): figures.0: unknown key(s) "price"; ${TAIL}`,
    ],
    [
      'a Region that is not one',
      fileOf([{ ...FIGURE, region: 'Virginia' }]),
      `mine.json: 1 problem(s): figures.0.region: must be a Region name or "global" (got: "Virginia"); ${TAIL}`,
    ],
    [
      'a source that is not https',
      fileOf([{ ...FIGURE, source: { url: 'aws pricing', section: 'x' } }]),
      `mine.json: 1 problem(s): figures.0.source.url: must be the https address of the pricing page (got: "aws pricing"); ${TAIL}`,
    ],
    [
      'another currency',
      fileOf([FIGURE], { currency: 'EUR' }),
      `mine.json: 1 problem(s): currency: Invalid input: expected "USD" (got: "EUR"); ${TAIL}`,
    ],
    [
      'no figures',
      fileOf([]),
      `mine.json: 1 problem(s): figures: must hold at least one figure (got: []); ${TAIL}`,
    ],
    [
      'the same figure twice',
      fileOf([FIGURE, FIGURE]),
      'mine.json: figure aurora.instance.db.r6g.large for us-east-1 appears twice; keep one entry per id and Region',
    ],
    [
      'a date with more around it',
      fileOf([{ ...FIGURE, read: 'on 2026-11-30' }]),
      `mine.json: 1 problem(s): figures.0.read: must be the date the figure was read, as YYYY-MM-DD (got: "on 2026-11-30"); ${TAIL}`,
    ],
    [
      'a date with a time after it',
      fileOf([{ ...FIGURE, read: '2026-11-30T10:00' }]),
      `mine.json: 1 problem(s): figures.0.read: must be the date the figure was read, as YYYY-MM-DD (got: "2026-11-30T10:00"); ${TAIL}`,
    ],
    [
      'an id with upper case or spaces',
      fileOf([{ ...FIGURE, id: 'Aurora instance' }]),
      `mine.json: 1 problem(s): figures.0.id: must be lower-case words joined by . - or _ (got: "Aurora instance"); ${TAIL}`,
    ],
    [
      'an id with a space at its end',
      fileOf([{ ...FIGURE, id: 'aurora.io ' }]),
      `mine.json: 1 problem(s): figures.0.id: must be lower-case words joined by . - or _ (got: "aurora.io "); ${TAIL}`,
    ],
    [
      'a Region with more before it',
      fileOf([{ ...FIGURE, region: 'the us-east-1' }]),
      `mine.json: 1 problem(s): figures.0.region: must be a Region name or "global" (got: "the us-east-1"); ${TAIL}`,
    ],
    [
      'a Region with more after it',
      fileOf([{ ...FIGURE, region: 'us-east-1a' }]),
      `mine.json: 1 problem(s): figures.0.region: must be a Region name or "global" (got: "us-east-1a"); ${TAIL}`,
    ],
    [
      'a source url inside a sentence',
      fileOf([{ ...FIGURE, source: { url: 'see https://aws.amazon.com/', section: 'x' } }]),
      `mine.json: 1 problem(s): figures.0.source.url: must be the https address of the pricing page (got: "see https://aws.amazon.com/"); ${TAIL}`,
    ],
    [
      'a source url with words after it',
      fileOf([{ ...FIGURE, source: { url: 'https://aws.amazon.com/ page', section: 'x' } }]),
      `mine.json: 1 problem(s): figures.0.source.url: must be the https address of the pricing page (got: "https://aws.amazon.com/ page"); ${TAIL}`,
    ],
    [
      'no unit and no section',
      fileOf([{ ...FIGURE, unit: '', source: { url: FIGURE.source.url, section: '' } }]),
      `mine.json: 2 problem(s): figures.0.unit: must name the unit, e.g. "instance-hour" (got: ""); figures.0.source.section: must name the section of the page the figure is in (got: ""); ${TAIL}`,
    ],
    [
      'two unknown keys',
      fileOf([{ ...FIGURE, price: 1, cost: 2 }]),
      `mine.json: 1 problem(s): figures.0: unknown key(s) "price", "cost"; ${TAIL}`,
    ],
    [
      'text that is not JSON',
      '{',
      "mine.json: not JSON (Expected property name or '}' in JSON at position 1); fix the file or leave --prices out to use the shipped prices",
    ],
  ])('GIVEN %s THEN the message says what and how to fix it', (_, text, message) => {
    expect(() => parsePriceFile(text, 'mine.json')).toThrow(new Error(message));
  });

  test('GIVEN --prices naming no file THEN the message names the path', () => {
    expect(() => loadPriceBook('/nowhere/prices.json')).toThrow(
      new Error('/nowhere/prices.json: no such price file; check the path given to --prices'),
    );
  });
});

describe('which figure a price book answers with', () => {
  const layer = (file: string, figures: PriceFigure[]) => ({ file, figures });

  test('GIVEN two files THEN the later one wins figure by figure and each figure names its file', () => {
    const book = priceBookOf([
      layer('shipped.json', [FIGURE, { ...FIGURE, region: 'us-west-2' }]),
      layer('mine.json', [{ ...FIGURE, usd: 0.1, read: '2026-10-01' }]),
    ]);
    expect(book.files).toEqual(['shipped.json', 'mine.json']);
    expect(book.figures.get(`${FIGURE.id}@us-east-1`)).toEqual({
      ...FIGURE,
      usd: 0.1,
      read: '2026-10-01',
      file: 'mine.json',
    });
    expect(book.figures.get(`${FIGURE.id}@us-west-2`)?.file).toBe('shipped.json');
  });

  test('GIVEN figures read on different days THEN the estimate is as of the oldest one', () => {
    const older = { ...FIGURE, id: 'kms.key', read: '2026-09-15' };
    const newer = { ...FIGURE, id: 'kms.key', region: 'us-west-2', read: '2026-11-30' };
    expect(oldestRead([newer, older, FIGURE])).toBe('2026-09-15');
    expect(oldestRead([older, newer])).toBe('2026-09-15');
    expect(oldestRead([])).toBe('');
  });

  test('GIVEN a Region pair with its own transfer price THEN traffic between them uses it, and other pairs the sending Region’s', () => {
    const book = loadPriceBook();
    const collector = new PriceCollector(book);
    const pair = shippedFigures.find((f) => f.id.startsWith('transfer.inter-region.to.'))!;
    const to = pair.id.slice('transfer.inter-region.to.'.length);
    expect(collector.transfer(pair.region, to).usd).toBe(pair.usd);
    const general = shippedFigures.find(
      (f) => f.id === 'transfer.inter-region' && f.region === pair.region,
    )!;
    const other = DEFAULT_ALLOWED_REGIONS.find((r) => r !== to && r !== pair.region)!;
    expect(collector.transfer(pair.region, other)).toEqual({
      ...general,
      file: SHIPPED_PRICES_FILE,
    });
  });
});

describe("a user's own prices override the shipped ones, figure by figure", () => {
  test('GIVEN an override of the r6g.large rate in us-east-1 THEN those instance lines use it and name the override file; other Regions keep the shipped rate', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cost-prices-'));
    const mine = path.join(dir, 'prices.json');
    fs.writeFileSync(mine, fileOf([FIGURE]));
    const book = loadPriceBook(mine);
    const estimate = costModel(inventory(deployedApp()), DEFAULT_WORKLOAD, book);
    const instanceLine = (region: string) =>
      estimate.regions
        .find((r) => r.region === region)
        ?.lines.find((l) => l.priceId.startsWith('aurora.instance.'));

    expect(book.files).toEqual([SHIPPED_PRICES_FILE, mine]);
    expect(instanceLine('us-east-1')?.unitUsd).toBe(FIGURE.usd);
    expect(estimate.figures.find((f) => f.id === FIGURE.id && f.region === 'us-east-1')?.file).toBe(
      mine,
    );
    expect(instanceLine('us-west-2')?.unitUsd).toBe(
      shippedFigures.find((f) => f.id === FIGURE.id && f.region === 'us-west-2')?.usd,
    );
    expect(estimate.priceDate).toBe(FIGURE.read);
  });
});

describe('a Region or instance class the prices lack', () => {
  test('GIVEN a price book without one figure THEN the error names it, the Region, the file and every field a figure needs', () => {
    const book = priceBookOf([
      {
        file: 'shipped.json',
        figures: shippedFigures.filter(
          (f) => !(f.id === 'aurora.instance.db.r6g.large' && f.region === 'us-west-2'),
        ),
      },
    ]);

    expect(() => costModel(inventory(deployedApp()), DEFAULT_WORKLOAD, book)).toThrow(
      new MissingPriceError(
        `no price aurora.instance.db.r6g.large for us-west-2 in shipped.json; add a figure ${template('aurora.instance.db.r6g.large', 'us-west-2')} to your own price file and pass it with --prices`,
      ),
    );
  });

  test('GIVEN a price book without us-west-2 THEN one error lists every us-west-2 figure the estimate needs', () => {
    const deployment = deployedApp();
    const needed = costModel(inventory(deployment), DEFAULT_WORKLOAD, loadPriceBook())
      .figures.filter((f) => f.region === 'us-west-2')
      .map((f) => `${f.id}@${f.region}`)
      .sort();
    const book = priceBookOf([
      { file: 'shipped.json', figures: shippedFigures.filter((f) => f.region !== 'us-west-2') },
    ]);

    expect(needed.length).toBeGreaterThan(1);
    expect(() => costModel(inventory(deployment), DEFAULT_WORKLOAD, book)).toThrow(
      new MissingPriceError(
        `no prices for: ${needed.join(', ')} in shipped.json; add a figure ${template('<id>', '<region>')} for each to your own price file and pass it with --prices`,
      ),
    );
  });

  test('GIVEN instanceClass r6i.large, which the shipped file does not price THEN the error lists the class in both Regions and the shipped file', () => {
    const deployment = deployedApp(['us-east-1', 'us-west-2'], {
      'topology.instanceClass': 'r6i.large',
    });

    expect(() => costModel(inventory(deployment), DEFAULT_WORKLOAD, loadPriceBook())).toThrow(
      new MissingPriceError(
        `no prices for: aurora.instance.db.r6i.large@us-east-1, aurora.instance.db.r6i.large@us-west-2 in ${SHIPPED_PRICES_FILE}; add a figure ${template('<id>', '<region>')} for each to your own price file and pass it with --prices`,
      ),
    );
  });
});
