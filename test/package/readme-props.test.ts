import * as fs from 'node:fs';
import * as path from 'node:path';
import { Construct } from 'constructs';
import {
  README,
  defaultsSection,
  propsSection,
  publicConstructs,
  readmeSection,
  renderDefault,
} from '../../bin/readme-props';
import * as publicApi from '../../constructs';

/** A markdown table as rows of trimmed cells, whatever the column alignment prettier chose. */
function rowsOf(markdown: string): string[] {
  return markdown
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) =>
      line.startsWith('|')
        ? line
            .slice(1, -1)
            .split(/(?<!\\)\|/)
            .map((c) => c.trim().replace(/^-+$/, '---'))
            .join(' | ')
        : line,
    );
}

/** The (construct, prop, default) rows of the README's "Default settings" table. */
function defaultRows(readme: string): { construct: string; prop: string; value: string }[] {
  return rowsOf(readmeSection(readme, 'defaults') ?? '')
    .slice(2)
    .map((row) => {
      const [construct, prop, value] = row.split(' | ');
      return { construct: construct.replace(/`/g, ''), prop: prop.replace(/`/g, ''), value };
    });
}

/** Every `@default` tag in constructs/ by the prop it documents, read with a plain regex. */
function tagsInSource(): Map<string, string[]> {
  const tags = new Map<string, string[]>();
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory()
          ? walk(path.join(dir, e.name))
          : e.name.endsWith('.ts')
            ? [path.join(dir, e.name)]
            : [],
      );
  for (const file of walk(path.join(__dirname, '..', '..', 'constructs'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(
      /@default ((?:(?!\*\/|\n\s*\*\s*@)[\s\S])*?)\s*(?:\n\s*\*\s*@(?:(?!\*\/)[\s\S])*?)?\*\/\s*readonly (\w+)\?:/g,
    )) {
      const tag = m[1]
        .replace(/\n\s*\*\s?/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
      tags.set(m[2], [...(tags.get(m[2]) ?? []), tag]);
    }
  }
  return tags;
}

describe('the README documents the public constructs from their source', () => {
  const readme = fs.readFileSync(README, 'utf8');
  const docs = publicConstructs();

  test('the "Default settings" table is the @default tags (run `npm run readme` after changing one)', () => {
    expect(rowsOf(readmeSection(readme, 'defaults') ?? '(markers missing)')).toEqual(
      rowsOf(defaultsSection(docs)),
    );
  });

  test('the props tables are the props and their doc comments (run `npm run readme` after changing one)', () => {
    expect(rowsOf(readmeSection(readme, 'props') ?? '(markers missing)')).toEqual(
      rowsOf(propsSection(docs)),
    );
  });

  test("each default in the README is the tag on that prop's declaration", () => {
    // GIVEN the tags read straight from the source text, apart from the generator's parser
    const tags = tagsInSource();
    const rows = defaultRows(readme);

    // THEN every row's default is a tag written on a prop of that name
    const wrong = rows.filter(
      (r) => !(tags.get(r.prop) ?? []).some((tag) => renderDefault(tag) === r.value),
    );
    expect(wrong).toEqual([]);
    // AND the table covers every construct that has an optional prop
    expect(new Set(rows.map((r) => r.construct))).toEqual(
      new Set(docs.filter((d) => d.props.some((p) => p.optional)).map((d) => d.name)),
    );
  });

  test('every public construct of the entry point has a props table', () => {
    const constructs = Object.entries(publicApi)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Construct)
      .map(([name]) => name);

    expect(constructs.length).toBeGreaterThan(10);
    expect(constructs.filter((name) => !readme.includes(`#### \`${name}\``))).toEqual([]);
  });

  test('every optional prop of a public construct has a @default tag', () => {
    const missing = docs.flatMap((d) =>
      d.props
        .filter((p) => p.optional && p.defaultTag === undefined)
        .map((p) => `${d.name}.${p.name}`),
    );

    expect(missing).toEqual([]);
  });
});
