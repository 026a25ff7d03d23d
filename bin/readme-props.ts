// `npm run readme`: the README's props tables and its "Default settings" table, generated from
// the doc comments of the public constructs' props (the `@default` tags), so that the README
// cannot drift from the source. test/package/readme-props.test.ts fails when they differ.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const root = path.resolve(__dirname, '..');
const constructsDir = path.join(root, 'constructs');
export const README = path.join(root, 'README.md');

/** One prop as its interface declares it. */
export interface PropDoc {
  readonly name: string;
  readonly type: string;
  readonly optional: boolean;
  /** The `@default` tag's text, whitespace collapsed; undefined when there is none. */
  readonly defaultTag?: string;
  readonly summary: string;
  /** The interface that declares it (a base interface for inherited props). */
  readonly declaredIn: string;
}

/** A public class whose constructor takes props. */
export interface ConstructDoc {
  readonly name: string;
  readonly summary: string;
  readonly propsType: string;
  readonly props: readonly PropDoc[];
  /** Base interfaces from other packages, whose props the table does not list. */
  readonly externalBases: readonly string[];
}

const sources = new Map<string, ts.SourceFile>();
function sourceOf(file: string): ts.SourceFile {
  let source = sources.get(file);
  if (!source) {
    source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    sources.set(file, source);
  }
  return source;
}

function moduleFile(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The first sentence of a doc comment (its summary line). */
function summaryOf(node: ts.Node): string {
  const doc = ts.getJSDocCommentsAndTags(node).find(ts.isJSDoc);
  const text = oneLine(ts.getTextOfJSDocComment(doc?.comment) ?? '');
  const end = text.search(/\.(\s|$)/);
  return end < 0 ? text : text.slice(0, end + 1);
}

function defaultTagOf(node: ts.Node): string | undefined {
  const tag = ts.getJSDocTags(node).find((t) => t.tagName.text === 'default');
  return tag ? oneLine(ts.getTextOfJSDocComment(tag.comment) ?? '') : undefined;
}

/** Finds a declaration by name in `file`, following `import { name } from './x'`. */
function findDeclaration<T extends ts.Node>(
  file: string,
  name: string,
  is: (node: ts.Node) => node is T,
): { node: T; file: string } | undefined {
  const source = sourceOf(file);
  for (const statement of source.statements) {
    if (is(statement) && (statement as unknown as { name?: ts.Identifier }).name?.text === name) {
      return { node: statement, file };
    }
  }
  for (const statement of source.statements) {
    const exportedFrom =
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier &&
      statement.exportClause &&
      ts.isNamedExports(statement.exportClause) &&
      statement.exportClause.elements.some((e) => e.name.text === name)
        ? statement.moduleSpecifier
        : undefined;
    const importedFrom =
      ts.isImportDeclaration(statement) &&
      statement.importClause?.namedBindings &&
      ts.isNamedImports(statement.importClause.namedBindings) &&
      statement.importClause.namedBindings.elements.some((e) => e.name.text === name)
        ? statement.moduleSpecifier
        : undefined;
    const specifier = exportedFrom ?? importedFrom;
    if (specifier && ts.isStringLiteral(specifier)) {
      const target = moduleFile(file, specifier.text);
      return target ? findDeclaration(target, name, is) : undefined;
    }
  }
  return undefined;
}

function propsOf(
  file: string,
  interfaceName: string,
): { props: PropDoc[]; externalBases: string[] } {
  const found = findDeclaration(file, interfaceName, ts.isInterfaceDeclaration);
  if (!found) return { props: [], externalBases: [interfaceName] };
  const props: PropDoc[] = [];
  const externalBases: string[] = [];
  for (const clause of found.node.heritageClauses ?? []) {
    for (const base of clause.types) {
      const inherited = propsOf(found.file, base.expression.getText());
      props.push(...inherited.props);
      externalBases.push(...inherited.externalBases);
    }
  }
  for (const member of found.node.members) {
    if (!ts.isPropertySignature(member)) continue;
    props.push({
      name: member.name.getText(),
      type: oneLine(member.type?.getText() ?? 'unknown'),
      optional: member.questionToken !== undefined,
      defaultTag: defaultTagOf(member),
      summary: summaryOf(member),
      declaredIn: interfaceName,
    });
  }
  return { props, externalBases };
}

/** Every public class of the entry point whose constructor takes props, in export order. */
export function publicConstructs(entry = path.join(constructsDir, 'index.ts')): ConstructDoc[] {
  const docs: ConstructDoc[] = [];
  for (const statement of sourceOf(entry).statements) {
    if (
      !ts.isExportDeclaration(statement) ||
      statement.isTypeOnly ||
      !statement.moduleSpecifier ||
      !ts.isStringLiteral(statement.moduleSpecifier) ||
      !statement.exportClause ||
      !ts.isNamedExports(statement.exportClause)
    ) {
      continue;
    }
    const file = moduleFile(entry, statement.moduleSpecifier.text);
    if (!file) continue;
    for (const element of statement.exportClause.elements) {
      if (element.isTypeOnly) continue;
      const cls = findDeclaration(file, element.name.text, ts.isClassDeclaration);
      const ctor = cls?.node.members.find(ts.isConstructorDeclaration);
      const param = ctor?.parameters.find((p) => p.name.getText() === 'props');
      if (!cls || !param?.type || !ts.isTypeReferenceNode(param.type)) continue;
      const propsType = param.type.typeName.getText();
      docs.push({
        name: element.name.text,
        summary: summaryOf(cls.node),
        propsType,
        ...propsOf(cls.file, propsType),
      });
    }
  }
  return docs;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** A `@default` tag as the README shows it: `- prose` as prose, a value as code. */
export function renderDefault(tag: string): string {
  if (tag.startsWith('- ')) return cell(tag.slice(2));
  const note = tag.indexOf(' (');
  return note < 0 ? cell(`\`${tag}\``) : cell(`\`${tag.slice(0, note)}\`${tag.slice(note)}`);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** The props section: one table per public construct (aws-solutions-constructs style). */
export function propsSection(docs: readonly ConstructDoc[]): string {
  return docs
    .map((doc) => {
      const rows = doc.props.map((p) => [
        `\`${p.name}\``,
        cell(`\`${p.type}\``),
        p.optional ? renderDefault(p.defaultTag ?? '- (no @default tag)') : 'required',
        cell(p.summary),
      ]);
      const bases = doc.externalBases.length
        ? `\n\nAlso takes the props of ${doc.externalBases.map((b) => `\`${b}\``).join(', ')}.`
        : '';
      return `#### \`${doc.name}\`\n\n${doc.summary} Props: \`${doc.propsType}\`.\n\n${table(
        ['prop', 'type', 'default', 'description'],
        rows,
      )}${bases}`;
    })
    .join('\n\n');
}

/** The "Default settings" table: every optional prop's `@default`, construct by construct. */
export function defaultsSection(docs: readonly ConstructDoc[]): string {
  const rows = docs.flatMap((doc) =>
    doc.props
      .filter((p) => p.optional && p.defaultTag !== undefined)
      .map((p) => [`\`${doc.name}\``, `\`${p.name}\``, renderDefault(p.defaultTag!)]),
  );
  return table(['construct', 'prop', 'default'], rows);
}

const MARKERS = {
  props: ['<!-- generated: props tables (npm run readme) -->', '<!-- end: props tables -->'],
  defaults: [
    '<!-- generated: default settings (npm run readme) -->',
    '<!-- end: default settings -->',
  ],
} as const;

/** The text between a section's markers, or undefined when a marker is missing. */
export function readmeSection(readme: string, section: keyof typeof MARKERS): string | undefined {
  const [begin, end] = MARKERS[section];
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  return from < 0 || to < from ? undefined : readme.slice(from + begin.length, to).trim();
}

function withSection(readme: string, section: keyof typeof MARKERS, body: string): string {
  const [begin, end] = MARKERS[section];
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) {
    throw new Error(
      `README.md has no "${begin}" ... "${end}" markers: add them where the section goes`,
    );
  }
  return `${readme.slice(0, from + begin.length)}\n\n${body}\n\n${readme.slice(to)}`;
}

async function main(): Promise<void> {
  const docs = publicConstructs();
  let readme = fs.readFileSync(README, 'utf8');
  readme = withSection(readme, 'props', propsSection(docs));
  readme = withSection(readme, 'defaults', defaultsSection(docs));
  // Formatted as `npm run lint` wants it (prettier aligns the tables).
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(README)) ?? {};
  fs.writeFileSync(README, await prettier.format(readme, { ...options, filepath: README }));
  console.log(`README.md: ${docs.length} props tables and the default settings table`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
