// The cost tables as Markdown (for the brief, which renders the HTML from it) and as CSV (for
// the compliance bundle). Both are deterministic: same estimate, same bytes.
import * as path from 'node:path';
import { mdTable, mdText } from '../page';
import type { CostChoice } from './choices';
import type { CostEstimate, RegionCost } from './model';
import { WORKLOAD_MEANINGS, type Workload } from './workload';

/** `cents` as US dollars: `$1,234.56`, `-$12.00`; `signed` adds `+` to positive amounts. */
export function usd(cents: number, signed = false): string {
  const sign = cents < 0 ? '-' : signed && cents > 0 ? '+' : '';
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}$${dollars}.${String(abs % 100).padStart(2, '0')}`;
}

/** A quantity as people read it: whole numbers plain, others to 4 significant places. */
function quantity(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return Number(n.toPrecision(6)).toLocaleString('en-US', { maximumFractionDigits: 4 });
}

function unitPrice(usdAmount: number, unit: string): string {
  const amount = usdAmount.toLocaleString('en-US', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 10,
  });
  return `$${amount} / ${unit}`;
}

const REPO_ROOT = path.join(__dirname, '..', '..', '..');

/** A price file as a committed page shows it: relative to the repository when inside it. */
function shown(file: string): string {
  const relative = path.relative(REPO_ROOT, path.resolve(file));
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

const regionLabel = (r: RegionCost) =>
  r.role === 'global' ? 'global (Route 53 queries)' : `${r.region} (${r.role})`;

/** The cost section: totals, itemized Regions, choices, workload, price date and sources. */
export function costMarkdown(estimate: CostEstimate, choices: readonly CostChoice[]): string {
  return `${costSummaryMarkdown(estimate, choices)}\n${costDetailsMarkdown(estimate)}`;
}

/** The estimate, the premium over one region and the count of unconfirmed figures, in one line. */
export function costHeadline(estimate: CostEstimate): string {
  const unconfirmed = estimate.figures.filter((f) => !f.confirmed).length;
  return (
    `${usd(estimate.cents)} on demand, ${usd(estimate.premiumCents)} over the same service in ${mdText(estimate.primaryRegion)} alone; ` +
    `prices as of ${estimate.priceDate}` +
    (unconfirmed > 0 ? `, ${unconfirmed} of ${estimate.figures.length} figures unconfirmed` : '')
  );
}

/** The totals per region against the single-region baseline, and what each choice costs and buys. */
export function costSummaryMarkdown(
  estimate: CostEstimate,
  choices: readonly CostChoice[],
): string {
  const premiumShare =
    estimate.baseline.cents > 0
      ? Math.round((estimate.premiumCents * 100) / estimate.baseline.cents)
      : 0;
  const out: string[] = [];
  out.push(
    `Estimated **${usd(estimate.cents)} a month** on demand across ${estimate.regions.filter((r) => r.role !== 'global').length} Regions. ` +
      `The same service in ${mdText(estimate.primaryRegion)} alone would be about ${usd(estimate.baseline.cents)}: ` +
      `the multi-Region premium is **${usd(estimate.premiumCents)} a month** (${premiumShare}% over single-Region). ` +
      `Prices as of ${estimate.priceDate} (the oldest figure used), from ${estimate.priceFiles.map((f) => `\`${mdText(shown(f))}\``).join(' overridden by ')}.`,
  );
  out.push(
    mdTable(
      ['Region', 'Monthly', 'Single-Region baseline'],
      [
        ...estimate.regions.map((r) => {
          const base = estimate.baseline.regions.find((b) => b.region === r.region);
          return [mdText(regionLabel(r)), usd(r.cents), base ? usd(base.cents) : usd(0)];
        }),
        ['**Total**', `**${usd(estimate.cents)}**`, `**${usd(estimate.baseline.cents)}**`],
      ],
    ),
  );
  out.push('### Cost of each choice, next to what it buys');
  out.push(
    mdTable(
      ['Choice', 'Monthly', 'What it buys', 'What it costs'],
      choices.map((c) => [
        mdText(c.title),
        usd(c.deltaCents, true),
        mdText(c.buys),
        mdText(c.costs),
      ]),
    ),
  );
  const unconfirmed = estimate.figures.filter((f) => !f.confirmed).length;
  if (unconfirmed > 0) {
    out.push(
      `**${unconfirmed} of the ${estimate.figures.length} price figures used are not confirmed by AWS-published text** (listed in the appendix): check them before quoting these totals.`,
    );
  }
  return `${out.join('\n\n')}\n`;
}

/** Every region's itemized lines, the workload assumptions, unconfirmed figures, what is not priced. */
export function costDetailsMarkdown(estimate: CostEstimate): string {
  const out: string[] = [];
  for (const r of estimate.regions) {
    out.push(`### ${mdText(regionLabel(r))}: ${usd(r.cents)} a month`);
    out.push(
      mdTable(
        ['Service', 'Item', 'Quantity', 'Unit price', 'Price id', 'Monthly'],
        [
          ...r.lines.map((l) => [
            mdText(l.service),
            mdText(l.item),
            quantity(l.quantity),
            mdText(unitPrice(l.unitUsd, l.unit)),
            `\`${mdText(l.priceId)}\``,
            usd(l.cents),
          ]),
          ['**Total**', '', '', '', '', `**${usd(r.cents)}**`],
        ],
      ),
    );
  }
  out.push('### Workload assumptions');
  out.push(workloadTable(estimate.workload));
  const unconfirmed = estimate.figures
    .filter((f) => !f.confirmed)
    .sort((a, b) => `${a.id}@${a.region}`.localeCompare(`${b.id}@${b.region}`));
  out.push('### Unconfirmed prices');
  out.push(
    unconfirmed.length === 0
      ? 'Every figure used is confirmed by AWS-published text.'
      : `${unconfirmed.length} of the ${estimate.figures.length} figures used are not confirmed by a stored AWS page; check them at their source before relying on the totals.\n\n` +
          mdTable(
            ['Price id', 'USD', 'Source', 'Why unconfirmed'],
            unconfirmed.map((f) => [
              `\`${mdText(`${f.id}@${f.region}`)}\``,
              mdText(unitPrice(f.usd, f.unit)),
              `${mdText(f.source.url)} (${mdText(f.source.section)})`,
              mdText(f.note ?? ''),
            ]),
          ),
  );
  out.push('### Not priced');
  out.push(estimate.notPriced.map((n) => `- ${mdText(n)}`).join('\n'));
  return `${out.join('\n\n')}\n`;
}

function workloadTable(workload: Workload): string {
  return mdTable(
    ['Assumption', 'Value', 'Meaning'],
    (Object.keys(WORKLOAD_MEANINGS) as (keyof Workload)[]).map((k) => [
      `\`${k}\``,
      String(workload[k]),
      mdText(WORKLOAD_MEANINGS[k]),
    ]),
  );
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Every line of the estimate and of its baseline, with Region and grand totals, as CSV. */
export function costCsv(estimate: CostEstimate): string {
  const rows: (string | number)[][] = [
    [
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
    ],
  ];
  const money = (cents: number) => (cents / 100).toFixed(2);
  for (const [scope, part] of [
    ['deployment', estimate],
    ['single-region baseline', estimate.baseline],
  ] as const) {
    for (const r of part.regions) {
      for (const l of r.lines) {
        rows.push([
          scope,
          r.region,
          r.role,
          l.service,
          l.item,
          l.quantity,
          l.unit,
          l.unitUsd,
          l.priceId,
          money(l.cents),
        ]);
      }
      rows.push([scope, r.region, r.role, 'total', '', '', '', '', '', money(r.cents)]);
    }
    rows.push([scope, 'all', '', 'total', '', '', '', '', '', money(part.cents)]);
  }
  rows.push(['premium', 'all', '', 'total', '', '', '', '', '', money(estimate.premiumCents)]);
  return `${rows.map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
}
