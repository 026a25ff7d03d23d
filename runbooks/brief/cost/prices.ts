// The price book: every figure the cost model multiplies by, each with its unit, the AWS
// pricing page (and section) it comes from and the date it was read. The shipped figures are
// aws-prices.json next to this file; a user's own file (same shape) overrides figures one by
// one. Nothing is fetched at run time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

/** The price file shipped with the project. */
export const SHIPPED_PRICES_FILE = path.join(__dirname, 'aws-prices.json');

/** Where figures that are not regional (Route 53) live in the file. */
export const GLOBAL_PRICE_REGION = 'global';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True when `YYYY-MM-DD` names a day that exists (not 2026-02-30). */
function isCalendarDate(day: string): boolean {
  const parsed = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day;
}

const figureSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case words joined by . - or _'),
    region: z
      .string()
      .regex(/^([a-z]{2}(-[a-z]+)+-\d|global)$/, 'must be a Region name or "global"'),
    usd: z.number().min(0, 'must be at least 0'),
    unit: z.string().min(1, 'must name the unit, e.g. "instance-hour"'),
    source: z.strictObject({
      url: z.string().regex(/^https:\/\/\S+$/, 'must be the https address of the pricing page'),
      section: z.string().min(1, 'must name the section of the page the figure is in'),
    }),
    read: z
      .string()
      .regex(DATE, 'must be the date the figure was read, as YYYY-MM-DD')
      .refine((d) => !DATE.test(d) || isCalendarDate(d), 'must be a real date'),
    confirmed: z.boolean(),
    confirmedBy: z
      .string()
      .regex(/^https:\/\/\S+$/)
      .optional(),
    note: z.string().min(1).optional(),
    corroboratedBy: z.array(z.string().regex(/^https:\/\/\S+$/)).optional(),
  })
  .refine((f) => f.confirmed || f.note !== undefined, {
    message: 'an unconfirmed figure needs a note saying why',
    path: ['note'],
  });

const priceFileSchema = z.strictObject({
  $comment: z.string().optional(),
  currency: z.literal('USD'),
  figures: z.array(figureSchema).min(1, 'must hold at least one figure'),
});

/** One price as the file states it. */
export type PriceFigure = z.infer<typeof figureSchema>;

/** Where a figure came from: the shipped file or the user's own. */
export interface PricedFigure extends PriceFigure {
  readonly file: string;
}

/** Every figure by id and Region, with the files they came from. */
export interface PriceBook {
  readonly files: readonly string[];
  readonly figures: ReadonlyMap<string, PricedFigure>;
}

/** A price file that cannot be used, or a figure the model needs and no file has. */
export class PriceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PriceError';
  }
}

/** A figure the model needs that no price file has (the files themselves are fine). */
export class MissingPriceError extends PriceError {
  constructor(message: string) {
    super(message);
    this.name = 'MissingPriceError';
  }
}

const key = (id: string, region: string) => `${id}@${region}`;

/** The figures of one price file's text, validated; every problem names the field and value. */
export function parsePriceFile(text: string, file: string): PriceFigure[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PriceError(
      `${file}: not JSON (${(error as Error).message}); fix the file or leave --prices out to use the shipped prices`,
    );
  }
  const parsed = priceFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues, raw);
    throw new PriceError(
      `${file}: ${problems.length} problem(s): ${problems.join('; ')}; ${FIGURE_FIELDS}`,
    );
  }
  const seen = new Set<string>();
  for (const f of parsed.data.figures) {
    const k = key(f.id, f.region);
    if (seen.has(k)) {
      throw new PriceError(
        `${file}: figure ${f.id} for ${f.region} appears twice; keep one entry per id and Region`,
      );
    }
    seen.add(k);
  }
  return parsed.data.figures;
}

/** Each zod issue as `field: what is wrong (got: value)`, for messages a user can act on. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], raw: unknown): string[] {
  return issues.map((issue) => {
    const field = issue.path.join('.') || '(file)';
    if (issue.code === 'unrecognized_keys') {
      return `${field}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    const value = valueAt(raw, issue.path);
    if (value === undefined) {
      return issue.code === 'invalid_type' ? `${field}: is required` : `${field}: ${issue.message}`;
    }
    return `${field}: ${issue.message} (got: ${JSON.stringify(value)})`;
  });
}

function valueAt(raw: unknown, at: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const step of at) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[step];
  }
  return value;
}

/**
 * The shipped prices, with the figures of `overrideFile` (when given) replacing those with the
 * same id and Region, or adding new ones (a Region or instance class the shipped file lacks).
 */
export function loadPriceBook(overrideFile?: string): PriceBook {
  const files = [SHIPPED_PRICES_FILE, ...(overrideFile ? [overrideFile] : [])];
  const figures = new Map<string, PricedFigure>();
  for (const file of files) {
    if (!fs.existsSync(file)) {
      throw new PriceError(`${file}: no such price file; check the path given to --prices`);
    }
    for (const f of parsePriceFile(fs.readFileSync(file, 'utf8'), file)) {
      figures.set(key(f.id, f.region), { ...f, file });
    }
  }
  return { files, figures };
}

/** A price book of figures already parsed (tests and callers that hold their own figures). */
export function priceBookOf(
  layers: readonly { readonly file: string; readonly figures: readonly PriceFigure[] }[],
): PriceBook {
  const figures = new Map<string, PricedFigure>();
  for (const layer of layers) {
    for (const f of layer.figures) figures.set(key(f.id, f.region), { ...f, file: layer.file });
  }
  return { files: layers.map((l) => l.file), figures };
}

/**
 * Every field a figure needs and its format, as the schema above checks them (the hint of
 * every price error, so a user can write a valid figure from the message alone).
 */
export const FIGURE_FIELDS =
  'every figure needs "id" (lower-case words joined by . - or _), "region" (a Region name or "global"), "usd" (a number, at least 0), "unit" (e.g. "instance-hour"), "source": { "url" (the https address of the pricing page), "section" (where on the page) }, "read" (the date read, YYYY-MM-DD) and "confirmed" (true or false; false needs a "note" saying why); optional: "confirmedBy" (an https URL), "corroboratedBy" (a list of https URLs), "note"';

/** A figure to copy into a price file: every field, with its format where the value goes. */
const figureTemplate = (id: string, region: string) =>
  `{ "id": "${id}", "region": "${region}", "usd": <number, at least 0>, "unit": "<e.g. instance-hour>", "source": { "url": "<https address of the pricing page>", "section": "<section of the page>" }, "read": "<date read, YYYY-MM-DD>", "confirmed": <true or false; false needs "note": "<why>">, optionally "confirmedBy": "<https URL>" }`;

/** The error for figures no price file has: one names the figure, several are listed. */
export function missingPriceError(
  book: PriceBook,
  missing: readonly { readonly id: string; readonly region: string }[],
): MissingPriceError {
  const files = book.files.join(' or ');
  if (missing.length === 1) {
    const [{ id, region }] = missing;
    const what = region === GLOBAL_PRICE_REGION ? `price ${id}` : `price ${id} for ${region}`;
    return new MissingPriceError(
      `no ${what} in ${files}; add a figure ${figureTemplate(id, region)} to your own price file and pass it with --prices`,
    );
  }
  return new MissingPriceError(
    `no prices for: ${missing.map((m) => key(m.id, m.region)).join(', ')} in ${files}; add a figure ${figureTemplate('<id>', '<region>')} for each to your own price file and pass it with --prices`,
  );
}

/**
 * Lookups that note every figure the book lacks instead of stopping at the first, so one
 * error can list them all (`throwIfMissing`). A missing figure reads as 0 USD meanwhile and
 * counts as missing once something is billed at it (`billed`): a figure the estimate would
 * multiply by zero is not asked for.
 */
export class PriceCollector {
  private readonly missing = new Map<string, { id: string; region: string }>();
  private readonly placeholders = new WeakSet<PricedFigure>();
  constructor(readonly book: PriceBook) {}

  price(id: string, region: string): PricedFigure {
    const found = this.book.figures.get(key(id, region));
    if (found) return found;
    const placeholder: PricedFigure = {
      id,
      region,
      usd: 0,
      unit: 'missing',
      source: { url: 'https://missing', section: 'missing' },
      read: '',
      confirmed: false,
      note: 'not in any price file',
      file: '',
    };
    this.placeholders.add(placeholder);
    return placeholder;
  }

  /** Notes that a quantity was billed at `figure`: missing when it is a placeholder. */
  billed(figure: PricedFigure): void {
    if (this.placeholders.has(figure)) {
      this.missing.set(key(figure.id, figure.region), { id: figure.id, region: figure.region });
    }
  }

  /** The price of data sent from `from` to `to`: the pair's own figure, else the Region's. */
  transfer(from: string, to: string): PricedFigure {
    return (
      this.book.figures.get(key(`transfer.inter-region.to.${to}`, from)) ??
      this.price('transfer.inter-region', from)
    );
  }

  /** Throws one MissingPriceError listing every figure looked up and not found, by id. */
  throwIfMissing(): void {
    if (this.missing.size === 0) return;
    const sorted = [...this.missing].sort(([a], [b]) => a.localeCompare(b)).map(([, m]) => m);
    throw missingPriceError(this.book, sorted);
  }
}

/** The oldest `read` date among `figures` (the date the estimate's prices are as of). */
export function oldestRead(figures: Iterable<PriceFigure>): string {
  let oldest = '';
  for (const f of figures) if (!oldest || f.read < oldest) oldest = f.read;
  return oldest;
}
