// One Markdown source, two formats: the brief is written as Markdown (readable in a pull
// request and in git diffs) and the HTML page is rendered from exactly that text, so the
// two can never say different things.
import MarkdownIt from 'markdown-it';

// Raw HTML off: every value in the brief comes from templates and files a user controls.
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

const STYLE = `
  body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
         color: #1f2328; max-width: 1080px; margin: 24px auto; padding: 0 24px; }
  h1 { font-size: 24px; border-bottom: 2px solid #d0d7de; padding-bottom: 6px; }
  h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
  h3 { font-size: 15px; margin-top: 18px; }
  table { border-collapse: collapse; margin: 8px 0 14px; width: 100%; font-size: 13px; }
  th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
  th { background: #f6f8fa; }
  td { min-width: 3.2em; }
  td:first-child { white-space: nowrap; }
  code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa;
         padding: 1px 4px; border-radius: 4px; overflow-wrap: break-word; }
  blockquote { margin: 8px 0; padding: 6px 12px; border-left: 4px solid #0969da;
               background: #ddf4ff; }
  ul { padding-left: 22px; }
  @media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } }
`;

/** A self-contained HTML page (no scripts, no external resources) of `source`. */
export function markdownPage(title: string, source: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${markdown.utils.escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${markdown.render(source)}</body>
</html>
`;
}

/** Escapes what Markdown would read as syntax in a table cell or a line of text. */
export function mdText(text: string): string {
  return text.replace(/([\\`*_[\]|<>])/g, '\\$1').replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured Markdown table; cells are Markdown already (escape values with `mdText`). */
export function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
