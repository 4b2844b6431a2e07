// HTML to readable blocks: text without scripts, styles and page furniture (nav, aside, and header/footer outside
// the article), entities decoded, block elements as paragraph breaks, h1–h6 as headings. Tolerant of bad markup.
import { type DecodeNotes, readText } from './decode.js';
import { decodeEntities } from './entities.js';
import { SectionWriter } from './sections.js';
import type { ParseContext, Piece } from './types.js';

export type Block = { kind: 'heading'; level: number; text: string; line: number } | { kind: 'para'; text: string; line: number };

// Never read: code, styling, embedded objects, and navigation furniture.
const SKIP = new Set(['script', 'style', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'canvas', 'nav', 'aside', 'head', 'select', 'button', 'dialog']);
// Page furniture when outside an <article> or <main>; an article's own header holds its title.
const FURNITURE = new Set(['header', 'footer']);
// Elements whose content is raw text up to their end tag.
const RAW = new Set(['script', 'style', 'textarea', 'title', 'xmp']);
/** The end tag of each raw-text element, compiled once (sticky state is reset by setting lastIndex before use). */
const RAW_CLOSE = new Map([...RAW].map((n) => [n, new RegExp(`</${n}`, 'giu')]));
const BLOCK = new Set([
  'p', 'div', 'section', 'article', 'main', 'blockquote', 'pre', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'table', 'thead',
  'tbody', 'tfoot', 'tr', 'figure', 'figcaption', 'hr', 'address', 'details', 'summary', 'form', 'fieldset', 'caption',
  'center', 'header', 'footer', 'body', 'html', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
]);
const VOID = new Set(['br', 'hr', 'img', 'input', 'meta', 'link', 'area', 'base', 'col', 'embed', 'source', 'track', 'wbr', 'param']);
const HEADING = /^h([1-6])$/;

export interface HtmlOptions {
  /** Turn h1–h6 into heading blocks (pages) or keep them as paragraphs (feed item bodies). Default true. */
  headings?: boolean;
  /** Line of the source where `html` starts, for block line numbers. Default 1. */
  firstLine?: number;
}

/** End of a tag starting at `i` (the index of `<`), honouring quoted attribute values; -1 if it never ends. */
export function tagEnd(html: string, i: number): number {
  let quote = '';
  for (let j = i + 1; j < html.length; j++) {
    const c = html[j];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return j;
  }
  return -1;
}

export function htmlToBlocks(html: string, options: HtmlOptions = {}): { title?: string; blocks: Block[] } {
  const headings = options.headings ?? true;
  const blocks: Block[] = [];
  let title: string | undefined;
  // Line tracking: positions only move forward.
  let linePos = 0;
  let line = options.firstLine ?? 1;
  const lineAt = (pos: number): number => {
    for (let k = html.indexOf('\n', linePos); k !== -1 && k < pos; k = html.indexOf('\n', k + 1)) line++;
    linePos = Math.max(linePos, pos);
    return line;
  };

  const skipping: string[] = [];
  let contentDepth = 0; // open <article>/<main>
  let pre = 0;
  let cur = '';
  let curLine = 0;
  let bullet = false;
  let heading: { level: number; text: string; line: number } | undefined;

  const flush = (): void => {
    const kept = cur
      .split('\n')
      .map((l) => l.replace(/[ \t]+$/u, ''))
      .join('\n')
      .replace(/^\n+|\n+$/gu, '');
    // Preformatted text keeps its indentation; other text was already collapsed.
    const text = pre > 0 ? kept : kept.trim();
    if (text.trim() !== '' && text !== '-') blocks.push({ kind: 'para', text, line: curLine });
    cur = '';
    bullet = false;
  };
  const text = (raw: string, pos: number): void => {
    if (skipping.length > 0) return;
    let t = decodeEntities(raw);
    if (pre === 0) t = t.replace(/\s+/gu, ' ');
    if (heading) {
      heading.text += t;
      return;
    }
    if (t.trim() === '' && (cur === '' || cur.endsWith(' ') || cur.endsWith('\n'))) return;
    if (cur === '') {
      curLine = lineAt(pos + (raw.length - raw.trimStart().length));
      if (bullet) t = `- ${t.trimStart()}`;
      else if (pre === 0) t = t.trimStart();
    }
    cur += t;
  };
  const endHeading = (): void => {
    if (!heading) return;
    const h = heading;
    heading = undefined;
    const t = h.text.replace(/\s+/gu, ' ').trim();
    if (t !== '') blocks.push(headings ? { kind: 'heading', level: h.level, text: t, line: h.line } : { kind: 'para', text: t, line: h.line });
  };

  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      text(html.slice(i), i);
      break;
    }
    if (lt > i) text(html.slice(i, lt), i);
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    if (html.startsWith('<![CDATA[', lt)) {
      const end = html.indexOf(']]>', lt + 9);
      const body = html.slice(lt + 9, end === -1 ? html.length : end);
      if (skipping.length === 0) text(body.replace(/&/g, '&amp;'), lt + 9);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    const m = /^<(\/?)([A-Za-z][A-Za-z0-9:-]*)/.exec(html.slice(lt, lt + 64));
    if (!m || html[lt + 1] === '!' || html[lt + 1] === '?') {
      if (html[lt + 1] === '!' || html[lt + 1] === '?') {
        const end = html.indexOf('>', lt);
        i = end === -1 ? html.length : end + 1;
      } else {
        text('<', lt);
        i = lt + 1;
      }
      continue;
    }
    const closing = m[1] === '/';
    const name = (m[2] ?? '').toLowerCase();
    const end = tagEnd(html, lt);
    if (end === -1) {
      i = html.length; // a tag cut off at the end of the file
      break;
    }
    const selfClosing = html[end - 1] === '/';
    i = end + 1;

    if (!closing && RAW.has(name) && !selfClosing) {
      const closeRe = RAW_CLOSE.get(name);
      let close = -1;
      if (closeRe) {
        closeRe.lastIndex = i;
        close = closeRe.exec(html)?.index ?? -1;
      }
      const body = html.slice(i, close === -1 ? html.length : close);
      if (name === 'title' && title === undefined) title = decodeEntities(body).replace(/\s+/gu, ' ').trim() || undefined;
      else if ((name === 'textarea' || name === 'xmp') && skipping.length === 0) text(body, i);
      const closeEnd = close === -1 ? -1 : tagEnd(html, close);
      i = closeEnd === -1 ? html.length : closeEnd + 1;
      continue;
    }

    if (skipping.length > 0) {
      if (!closing && (SKIP.has(name) || FURNITURE.has(name)) && !selfClosing && !VOID.has(name)) skipping.push(name);
      else if (closing) {
        const at = skipping.lastIndexOf(name);
        if (at !== -1) skipping.length = at;
      }
      continue;
    }
    if (!closing && !selfClosing && (SKIP.has(name) || (FURNITURE.has(name) && contentDepth === 0))) {
      flush();
      skipping.push(name);
      continue;
    }

    const level = HEADING.exec(name)?.[1];
    if (level !== undefined) {
      if (closing) endHeading();
      else {
        endHeading();
        flush();
        heading = { level: Number(level), text: '', line: lineAt(lt) };
      }
      continue;
    }
    if (name === 'article' || name === 'main') contentDepth = Math.max(0, contentDepth + (closing ? -1 : 1));
    if (name === 'pre') {
      flush();
      pre = Math.max(0, pre + (closing ? -1 : 1));
      continue;
    }
    if (name === 'br') {
      if (heading) heading.text += ' ';
      else if (cur !== '') cur += '\n';
      continue;
    }
    if (name === 'td' || name === 'th') {
      if (!closing && cur.trim() !== '' && !heading) cur += ' | ';
      continue;
    }
    if (BLOCK.has(name)) {
      endHeading();
      flush();
      if (name === 'li' && !closing) bullet = true;
    }
  }
  endHeading();
  flush();
  return { ...(title !== undefined ? { title } : {}), blocks };
}

/** The readable text of an HTML fragment (feed titles and summaries): blocks joined by blank lines. */
export function htmlToText(html: string): string {
  return htmlToBlocks(html, { headings: false })
    .blocks.map((b) => b.text)
    .join('\n\n');
}

/** An HTML page as a source: its headings are sections, like a Markdown document's. */
export async function* parseHtml(ctx: ParseContext, notes: DecodeNotes): AsyncGenerator<Piece> {
  const html = await readText(ctx.path, notes);
  ctx.onBytes(Buffer.byteLength(html));
  const { title, blocks } = htmlToBlocks(html);
  const out: Piece[] = [];
  const writer = new SectionWriter({ place: ctx.place, ...(title !== undefined ? { meta: { title } } : {}), emit: (p) => out.push(p) });
  for (const b of blocks) {
    if (b.kind === 'heading') writer.heading(b.level, b.text, b.line);
    else writer.paragraph(b.text, b.line);
    if (out.length > 0) yield* out.splice(0);
  }
  writer.end();
  yield* out.splice(0);
}
