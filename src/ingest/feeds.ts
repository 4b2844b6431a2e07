// RSS (2.0 and 1.0) and Atom feeds: a small tolerant XML reader, then one source item per <item>/<entry> with its
// title, link (its place), author, date (its time) and body (HTML, split like a page). CDATA and character
// references are decoded; an item the reader cannot close is reported with its line and skipped.
import { type DecodeNotes, readText } from './decode.js';
import { decodeEntities } from './entities.js';
import { htmlToBlocks, htmlToText, tagEnd } from './html.js';
import { cleanTag } from './markdown.js';
import { cleanHeading } from './sections.js';
import { Splitter, locatorOf, anchorOf } from './split.js';
import { strippedFeedItems } from './stripped-feed.js';
import type { ParseContext, Piece, Problem } from './types.js';

export interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  /** Text content: character data decoded, CDATA as is (so HTML inside stays HTML). */
  text: string;
  /** The markup between the start and end tags, as written (for XHTML content). */
  inner: string;
  line: number;
  closed: boolean;
}

const ATTR = /([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/gu;

/** Parses XML into a tree, never throwing: problems (unterminated sections, stray end tags) are returned with lines. */
export function parseXml(xml: string): { root: XNode; problems: Array<Omit<Problem, 'file'>> } {
  const problems: Array<Omit<Problem, 'file'>> = [];
  const root: XNode = { name: '#document', attrs: {}, children: [], text: '', inner: '', line: 1, closed: true };
  const stack: Array<{ node: XNode; innerStart: number }> = [{ node: root, innerStart: 0 }];
  let linePos = 0;
  let line = 1;
  const lineAt = (pos: number): number => {
    for (let k = xml.indexOf('\n', linePos); k !== -1 && k < pos; k = xml.indexOf('\n', k + 1)) line++;
    linePos = Math.max(linePos, pos);
    return line;
  };
  const top = (): XNode => stack[stack.length - 1]?.node ?? root;
  const addText = (t: string): void => {
    top().text += t;
  };

  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt === -1) {
      addText(decodeEntities(xml.slice(i)));
      break;
    }
    if (lt > i) addText(decodeEntities(xml.slice(i, lt)));
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end === -1) {
        problems.push({ line: lineAt(lt), reason: 'CDATA section is never closed (no "]]>")' });
        addText(xml.slice(lt + 9));
        i = xml.length;
        break;
      }
      addText(xml.slice(lt + 9, end));
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end === -1) {
        problems.push({ line: lineAt(lt), reason: 'comment is never closed (no "-->")' });
        i = xml.length;
        break;
      }
      i = end + 3;
      continue;
    }
    if (xml[lt + 1] === '?' || xml[lt + 1] === '!') {
      const end = xml.indexOf('>', lt);
      i = end === -1 ? xml.length : end + 1;
      continue;
    }
    const m = /^<(\/?)([A-Za-z_][\w:.-]*)/u.exec(xml.slice(lt, lt + 128));
    if (!m) {
      addText('<');
      i = lt + 1;
      continue;
    }
    const end = tagEnd(xml, lt);
    if (end === -1) {
      problems.push({ line: lineAt(lt), reason: `tag <${m[2]}> is cut off at the end of the file` });
      break;
    }
    const name = (m[2] ?? '').toLowerCase();
    const tagLine = lineAt(lt);
    if (m[1] === '/') {
      const at = stack.map((s) => s.node.name).lastIndexOf(name);
      if (at <= 0) problems.push({ line: tagLine, reason: `</${name}> closes nothing that is open` });
      else {
        while (stack.length > at + 1) stack.pop();
        const closing = stack.pop();
        if (closing) {
          closing.node.closed = true;
          closing.node.inner = xml.slice(closing.innerStart, lt);
        }
      }
      i = end + 1;
      continue;
    }
    const attrs: Record<string, string> = {};
    const rawAttrs = xml.slice(lt + m[0].length, end);
    for (const a of rawAttrs.matchAll(ATTR)) attrs[(a[1] ?? '').toLowerCase()] = decodeEntities(a[2] ?? a[3] ?? '');
    const node: XNode = { name, attrs, children: [], text: '', inner: '', line: tagLine, closed: false };
    // An item opening inside another item: the first one was never closed.
    if (name === 'item' || name === 'entry') {
      const open = stack.findIndex((s) => s.node.name === name);
      if (open > 0) stack.length = open;
    }
    top().children.push(node);
    if (xml[end - 1] === '/') node.closed = true;
    else stack.push({ node, innerStart: end + 1 });
    i = end + 1;
  }
  return { root, problems };
}

function* walk(node: XNode): Generator<XNode> {
  yield node;
  for (const c of node.children) yield* walk(c);
}
const child = (n: XNode, ...names: string[]): XNode | undefined => {
  for (const name of names) {
    const found = n.children.find((c) => c.name === name);
    if (found) return found;
  }
  return undefined;
};
const childText = (n: XNode, ...names: string[]): string | undefined => {
  const t = child(n, ...names)?.text.trim();
  return t ? t : undefined;
};

/** Title-like text: character references that survived (feeds often escape twice) decoded, tags dropped, one line. */
function plainTitle(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let t = raw;
  if (/&(?:#\d+|#x[0-9a-f]+|[a-z]+);/iu.test(t)) t = decodeEntities(t);
  if (/<[a-z/]/iu.test(t)) t = htmlToText(t);
  const clean = cleanHeading(t);
  return clean === '' ? undefined : clean;
}

/** An Atom text construct (type text, html or xhtml) as HTML. */
function atomHtml(n: XNode | undefined): string | undefined {
  if (!n) return undefined;
  const type = (n.attrs['type'] ?? 'text').toLowerCase();
  if (type === 'xhtml') return n.inner;
  if (type === 'html' || type === 'text/html') return n.text;
  return n.text.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/\n\s*\n/gu, '<p>');
}

function httpUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const u = new URL(raw.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export interface FeedItem {
  id: string;
  title?: string;
  link?: string;
  author?: string;
  date?: number;
  /** The date as the feed wrote it, when it could not be read. */
  badDate?: string;
  html: string;
  categories: string[];
  line: number;
  closed: boolean;
}

/** The items of an RSS or Atom document, in order. */
export function feedItems(root: XNode, format: 'rss' | 'atom'): { title?: string; items: FeedItem[] } {
  const items: FeedItem[] = [];
  let feedTitle: string | undefined;
  for (const n of walk(root)) {
    if (feedTitle === undefined && (n.name === 'channel' || n.name === 'feed')) feedTitle = plainTitle(childText(n, 'title'));
    if (format === 'rss' ? n.name !== 'item' : n.name !== 'entry') continue;
    let link: string | undefined;
    let html: string;
    let author: string | undefined;
    let dateText: string | undefined;
    let id: string | undefined;
    let title: string | undefined;
    const categories: string[] = [];
    if (format === 'rss') {
      title = plainTitle(childText(n, 'title'));
      const guid = child(n, 'guid');
      id = childText(n, 'guid') ?? n.attrs['rdf:about'];
      link =
        httpUrl(childText(n, 'link')) ??
        httpUrl(n.children.find((c) => c.name === 'atom:link')?.attrs['href']) ??
        httpUrl(n.attrs['rdf:about']) ??
        (guid?.attrs['ispermalink'] !== 'false' ? httpUrl(guid?.text) : undefined);
      dateText = childText(n, 'pubdate', 'dc:date', 'published', 'updated');
      // RSS writes authors as "email (Name)": the name is what people search for.
      const rawAuthor = plainTitle(childText(n, 'dc:creator', 'author'));
      author = rawAuthor?.replace(/^\S+@\S+\s+\((.+)\)$/u, '$1');
      html = childText(n, 'content:encoded') ?? childText(n, 'description') ?? '';
      for (const c of n.children) if (c.name === 'category' && c.text.trim()) categories.push(c.text.trim());
    } else {
      title = plainTitle(atomHtml(child(n, 'title')));
      const links = n.children.filter((c) => c.name === 'link');
      link = httpUrl((links.find((c) => (c.attrs['rel'] ?? 'alternate') === 'alternate') ?? links[0])?.attrs['href']);
      id = childText(n, 'id');
      dateText = childText(n, 'published', 'updated');
      const a = child(n, 'author');
      author = plainTitle(a ? (childText(a, 'name') ?? a.text.trim()) : undefined);
      html = atomHtml(child(n, 'content')) ?? atomHtml(child(n, 'summary')) ?? '';
      for (const c of n.children) if (c.name === 'category' && (c.attrs['term'] ?? '').trim()) categories.push(c.attrs['term'] ?? '');
    }
    const date = dateText !== undefined ? Date.parse(dateText) : NaN;
    const locator = cleanHeading(id ?? link ?? `item-${anchorOf(`${title ?? ''}\u0000${dateText ?? ''}\u0000${html.slice(0, 200)}`)}`).slice(0, 500);
    items.push({
      id: locator,
      ...(title !== undefined ? { title } : {}),
      ...(link !== undefined ? { link } : {}),
      ...(author !== undefined ? { author } : {}),
      ...(Number.isFinite(date) && date >= 0 ? { date } : dateText !== undefined ? { badDate: dateText } : {}),
      html,
      categories,
      line: n.line,
      closed: n.closed,
    });
  }
  return { ...(feedTitle !== undefined ? { title: feedTitle } : {}), items };
}

const MAX_TITLE_IN_TEXT = 300;

export async function* parseFeed(ctx: ParseContext, notes: DecodeNotes, format: 'rss' | 'atom'): AsyncGenerator<Piece> {
  const xml = await readText(ctx.path, notes);
  ctx.onBytes(Buffer.byteLength(xml));
  const { root, problems } = parseXml(xml);
  const parsed = feedItems(root, format);
  // No elements, but CDATA titles and link-and-date lines: the same feed with its tags stripped.
  const stripped = parsed.items.length === 0 && format === 'rss' ? strippedFeedItems(xml) : undefined;
  const { title: feedTitle, items } = stripped && stripped.items.length > 0 ? stripped : parsed;
  if (!stripped || stripped.items.length === 0) for (const p of problems) ctx.warn(p);
  if (items.length === 0) {
    ctx.skip({ reason: `no ${format === 'rss' ? '<item>' : '<entry>'} elements found${problems.length ? ' (the feed is malformed)' : ''}` });
    return;
  }
  const out: Piece[] = [];
  for (const item of items) {
    if (!item.closed) {
      ctx.skip({ line: item.line, reason: `${format === 'rss' ? '<item>' : '<entry>'} is never closed; skipped` });
      continue;
    }
    if (item.badDate !== undefined) ctx.warn({ line: item.line, reason: `date ${JSON.stringify(item.badDate)} could not be read; the item keeps the time of ingest` });
    const title = item.title !== undefined && item.title.length > MAX_TITLE_IN_TEXT ? `${item.title.slice(0, MAX_TITLE_IN_TEXT - 1)}…` : item.title;
    const tags = [...new Set(item.categories.map((c) => cleanTag(c)).filter((c): c is string => c !== undefined))].slice(0, 32);
    const meta = {
      ...(title !== undefined ? { title } : {}),
      ...(item.link !== undefined ? { link: item.link } : {}),
      ...(item.author !== undefined ? { author: item.author } : {}),
      ...(item.date !== undefined ? { date: new Date(item.date).toISOString() } : {}),
      id: item.id,
      ...(feedTitle !== undefined ? { feed: feedTitle } : {}),
    };
    const before = out.length;
    const piece = (locator: string, text: string): number =>
      out.push({
        locator,
        text,
        places: [item.link ?? ctx.place],
        ...(tags.length ? { tags } : {}),
        ...(item.date !== undefined ? { at: item.date } : {}),
        meta,
        line: item.line,
      });
    const splitter = new Splitter((cut) => piece(locatorOf(item.id, cut), title !== undefined ? `${title}\n\n${cut.text}` : cut.text));
    for (const b of htmlToBlocks(item.html, { headings: false }).blocks) splitter.paragraph(b.text, { start: item.line });
    splitter.end();
    if (out.length === before) {
      if (title === undefined) ctx.skip({ line: item.line, reason: 'item has neither title nor text; skipped' });
      else piece(item.id, title);
    }
    yield* out.splice(0);
  }
}
