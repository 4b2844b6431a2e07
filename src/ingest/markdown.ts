// Markdown, streamed line by line: frontmatter (tags, title, date), ATX and setext headings as sections, fenced
// code left whole (a `#` inside a fence is not a heading).
import { type DecodeNotes, type Line, readLines } from './decode.js';
import { SectionWriter } from './sections.js';
import type { ParseContext, Piece } from './types.js';

export interface Frontmatter {
  tags: string[];
  title?: string;
  /** Epoch ms of `date:` when it could be read. */
  date?: number;
}

const unquote = (s: string): string => s.trim().replace(/^(["'])(.*)\1$/u, '$2').trim();

/** A tag as traces accept it: one word without spaces, commas or `#`, at most 64 characters. */
export function cleanTag(raw: string): string | undefined {
  const tag = unquote(raw)
    .replace(/^#+/u, '')
    .replace(/[\s,#]+/gu, '-')
    .replace(/^-+|-+$/gu, '')
    .slice(0, 64);
  return tag === '' ? undefined : tag;
}

/** Reads the few frontmatter keys ingest uses; YAML beyond `key: value` and `- item` lists is ignored. */
export function parseFrontmatter(lines: string[]): Frontmatter {
  const out: Frontmatter = { tags: [] };
  let listKey: string | undefined;
  const addTags = (value: string): void => {
    const inner = value.trim().replace(/^\[(.*)\]$/su, '$1');
    for (const part of inner.split(/[,\n]/u)) {
      const tag = cleanTag(part);
      if (tag !== undefined && !out.tags.includes(tag)) out.tags.push(tag);
    }
  };
  for (const raw of lines) {
    const item = /^\s+-\s+(.*)$|^-\s+(.*)$/u.exec(raw);
    if (item && listKey !== undefined) {
      if (listKey === 'tags' || listKey === 'keywords') addTags(item[1] ?? item[2] ?? '');
      continue;
    }
    const kv = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/u.exec(raw);
    if (!kv) continue;
    const key = (kv[1] ?? '').toLowerCase();
    const value = (kv[2] ?? '').trim();
    listKey = value === '' ? key : undefined;
    if (value === '') continue;
    if (key === 'tags' || key === 'keywords') addTags(value);
    else if (key === 'title') out.title = unquote(value);
    else if (key === 'date' || key === 'created') {
      const t = Date.parse(unquote(value));
      if (Number.isFinite(t) && t >= 0) out.date = t;
    }
  }
  out.tags = out.tags.slice(0, 32);
  return out;
}

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/u;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/u;
const FENCE = /^ {0,3}(`{3,}|~{3,})/u;
// Lines that cannot be a setext heading's text.
const NOT_SETEXT_TEXT = /^\s*(?:[-*+]\s|\d+[.)]\s|>|\||#|<)/u;

/** Heading text without inline markup: emphasis, code, links and images, trailing `{#id}`. */
export function plainHeading(text: string): string {
  return text
    .replace(/\s*\{#[^}]*\}\s*$/u, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/gu, '$1')
    .replace(/(\*\*|__|`)/gu, '')
    .replace(/(^|\s)[*_]([^*_]+)[*_](?=\s|$)/gu, '$1$2')
    .trim();
}

export async function* parseMarkdown(ctx: ParseContext, notes: DecodeNotes): AsyncGenerator<Piece> {
  const out: Piece[] = [];
  const lines = readLines(ctx.path, notes, (n) => ctx.onBytes(n));
  let writer: SectionWriter | undefined;
  const start = (fm: Frontmatter): SectionWriter =>
    new SectionWriter({
      place: ctx.place,
      tags: fm.tags,
      ...(fm.date !== undefined ? { at: fm.date } : {}),
      ...(fm.title !== undefined ? { meta: { title: fm.title } } : {}),
      emit: (p) => out.push(p),
    });

  let fence: { char: string; len: number } | undefined;
  let held: Line | undefined; // a paragraph's first line, until we know whether a setext underline follows
  let prevBlank = true;
  let frontmatter: string[] | undefined;
  const early: Line[] = [];

  const feed = (w: SectionWriter, l: Line): void => {
    if (fence) {
      if (new RegExp(`^ {0,3}${fence.char === '`' ? '`' : '~'}{${fence.len},}\\s*$`, 'u').test(l.text)) fence = undefined;
      w.line(l.text, l.no);
      prevBlank = false;
      return;
    }
    if (held) {
      const h = held;
      held = undefined;
      const setext = SETEXT.exec(l.text);
      if (setext && l.text.trim() !== '') {
        w.heading(setext[1]?.startsWith('=') ? 1 : 2, plainHeading(h.text.trim()), h.no, `${h.text.trim()}\n${l.text.trim()}`);
        prevBlank = false;
        return;
      }
      w.line(h.text, h.no);
      prevBlank = false;
    }
    const fenceOpen = FENCE.exec(l.text);
    if (fenceOpen) {
      fence = { char: fenceOpen[1]?.[0] ?? '`', len: fenceOpen[1]?.length ?? 3 };
      w.line(l.text, l.no);
      prevBlank = false;
      return;
    }
    const atx = ATX.exec(l.text);
    if (atx && (atx[2] ?? '').trim() !== '') {
      w.heading(atx[1]?.length ?? 1, plainHeading(atx[2] ?? ''), l.no, l.text.trim());
      prevBlank = true;
      return;
    }
    if (l.text.trim() === '') {
      w.line(l.text, l.no);
      prevBlank = true;
      return;
    }
    if (prevBlank && !NOT_SETEXT_TEXT.test(l.text) && !SETEXT.test(l.text)) {
      held = l;
      prevBlank = false;
      return;
    }
    w.line(l.text, l.no);
    prevBlank = false;
  };

  for await (const l of lines) {
    if (!writer) {
      // Frontmatter: `---` on the first line, up to a closing `---` or `...` within 200 lines.
      if (frontmatter === undefined && l.no === 1 && l.text.trim() === '---') {
        frontmatter = [];
        early.push(l);
        continue;
      }
      if (frontmatter !== undefined) {
        early.push(l);
        if (l.text.trim() === '---' || l.text.trim() === '...') {
          writer = start(parseFrontmatter(frontmatter));
          continue;
        }
        frontmatter.push(l.text);
        if (frontmatter.length <= 200) continue;
        // No closing line: it was not frontmatter after all.
        writer = start({ tags: [] });
        for (const e of early) feed(writer, e);
        yield* out.splice(0);
        continue;
      }
      writer = start({ tags: [] });
    }
    feed(writer, l);
    if (out.length > 0) yield* out.splice(0);
  }
  if (!writer) {
    writer = start({ tags: [] });
    for (const e of early) feed(writer, e);
  }
  if (held) writer.line(held.text, held.no);
  writer.end();
  yield* out.splice(0);
}
