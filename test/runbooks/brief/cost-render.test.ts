import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { costSection } from '../../../runbooks/brief/cost';
import { costChoices } from '../../../runbooks/brief/cost/choices';
import { loadPriceBook } from '../../../runbooks/brief/cost/prices';
import { costCsv, costMarkdown, usd } from '../../../runbooks/brief/cost/render';
import { DEFAULT_WORKLOAD } from '../../../runbooks/brief/cost/workload';
import { markdownPage } from '../../../runbooks/brief/page';
import { deployedApp } from '../../deployed-app';
import { estimateOf, shippedFigures } from './cost-helpers';

function rendered() {
  const { inv, estimate } = estimateOf(deployedApp());
  const choices = costChoices(inv, DEFAULT_WORKLOAD, loadPriceBook());
  return { estimate, markdown: costMarkdown(estimate, choices), csv: costCsv(estimate) };
}

const section = (markdown: string, heading: string) => {
  const start = markdown.indexOf(`### ${heading}`);
  const end = markdown.indexOf('\n### ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
};

describe('the cost section in Markdown', () => {
  test('GIVEN the default topology THEN it states the total, the baseline, the premium, the price date and the price file', () => {
    const { estimate, markdown } = rendered();
    const used = new Set(estimate.figures.map((f) => `${f.id}@${f.region}`));
    const oldest = shippedFigures
      .filter((f) => used.has(`${f.id}@${f.region}`))
      .map((f) => f.read)
      .sort()[0];

    expect(markdown.split('\n')[0]).toBe(
      `Estimated **${usd(estimate.cents)} a month** on demand across 2 Regions. The same service in us-east-1 alone would be about ${usd(estimate.baseline.cents)}: the multi-Region premium is **${usd(estimate.premiumCents)} a month** (${Math.round((estimate.premiumCents * 100) / estimate.baseline.cents)}% over single-Region). Prices as of ${oldest} (the oldest figure used), from \`runbooks/brief/cost/aws-prices.json\`.`,
    );
  });

  test('GIVEN the figures used THEN every unconfirmed one is listed with its note, and no confirmed one is', () => {
    const { estimate, markdown } = rendered();
    const unconfirmed = section(markdown, 'Unconfirmed prices');

    for (const f of estimate.figures) {
      const listed = unconfirmed.includes(`\`${f.id}@${f.region}\``);
      expect([`${f.id}@${f.region}`, listed]).toEqual([`${f.id}@${f.region}`, !f.confirmed]);
    }
    expect(estimate.figures.some((f) => f.confirmed)).toBe(true);
  });

  test('GIVEN each Region THEN its table ends with its total, and the totals table with the grand total', () => {
    const { estimate, markdown } = rendered();

    for (const r of estimate.regions) {
      expect(markdown).toContain(`: ${usd(r.cents)} a month\n`);
    }
    expect(markdown).toContain(
      `| **Total** | **${usd(estimate.cents)}** | **${usd(estimate.baseline.cents)}** |`,
    );
  });

  test('GIVEN the same topology twice THEN the Markdown and the CSV are byte for byte the same, and the page renders no raw HTML', () => {
    const first = rendered();
    const second = rendered();

    expect(second.markdown).toBe(first.markdown);
    expect(second.csv).toBe(first.csv);
    expect(markdownPage('Cost', first.markdown)).not.toContain('<script');
  });
});

describe('the cost table as CSV', () => {
  test('GIVEN the default topology THEN each Region total row equals the sum of its lines, and the last rows give totals and premium', () => {
    const { estimate, csv } = rendered();
    const rows = csv
      .trimEnd()
      .split('\n')
      .map((line) => line.split(','));
    const cents = (text: string) => Math.round(Number(text) * 100);

    expect(rows[0]).toEqual([
      'scope',
      'region',
      'role',
      'service',
      'item',
      'quantity',
      'unit',
      'unit_usd',
      'price_id',
      'monthly_usd',
    ]);
    for (const r of estimate.regions) {
      const lines = rows.filter(
        (row) => row[0] === 'deployment' && row[1] === r.region && row[3] !== 'total',
      );
      const total = rows.find(
        (row) => row[0] === 'deployment' && row[1] === r.region && row[3] === 'total',
      );
      expect(lines.reduce((s, row) => s + cents(row[row.length - 1]), 0)).toBe(
        cents(total?.[9] ?? 'NaN'),
      );
    }
    expect(rows.at(-1)).toEqual([
      'premium',
      'all',
      '',
      'total',
      '',
      '',
      '',
      '',
      '',
      (estimate.premiumCents / 100).toFixed(2),
    ]);
    expect(rows.find((row) => row[0] === 'deployment' && row[1] === 'all')?.[9]).toBe(
      (estimate.cents / 100).toFixed(2),
    );
  });
});

describe('money', () => {
  test.each([
    [0, false, '$0.00'],
    [5, false, '$0.05'],
    [123456, false, '$1,234.56'],
    [-1980, true, '-$19.80'],
    [1980, true, '+$19.80'],
  ])('GIVEN %d cents (signed %s) THEN %s', (cents, signed, text) => {
    expect(usd(cents, signed)).toBe(text);
  });
});

describe('the cost section in one call', () => {
  test('GIVEN a deployment and a workload file THEN costSection prices that workload and renders both formats', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cost-section-'));
    const workloadFile = path.join(dir, 'workload.json');
    fs.writeFileSync(workloadFile, JSON.stringify({ storageGb: 1000 }));

    const section = costSection(deployedApp(), { workloadFile });

    expect(section.estimate.workload.storageGb).toBe(1000);
    expect(section.markdown).toBe(costMarkdown(section.estimate, section.choices));
    expect(section.csv).toBe(costCsv(section.estimate));
    expect(section.markdown).toMatch(/\| `storageGb` \| 1000 \|/);
  });
});
