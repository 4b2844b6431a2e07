// Cutting prose into pieces for retrieval: at paragraphs, long paragraphs at sentences, never mid-word (except a
// "word" longer than the maximum), with content-defined boundaries so an edit re-cuts only the pieces near it.
import { createHash } from 'node:crypto';

/** A piece closes once it holds this many characters… */
export const TARGET_CHARS = 800;
/** …or earlier, from this many on, after a paragraph or sentence whose hash marks a boundary (about half of them). */
export const MIN_CHARS = 500;
/** No piece is longer than this. */
export const MAX_CHARS = 2_000;

/** A paragraph, sentence or line: the smallest thing a piece is made of. */
interface Unit {
  text: string;
  /** What joins it to the unit before it in the same piece. */
  sep: string;
  start: number;
  end: number;
  places?: string[];
  at?: number;
}

/** A cut piece: its text, its source lines, and the anchor that names it when it is not the first of its section. */
export interface Cut {
  text: string;
  start: number;
  end: number;
  /** A short hash of the piece's first paragraph or sentence: stable when text elsewhere changes. */
  anchor: string;
  /** 0 for the first piece of the section (or turn, or item), then 1, 2, … */
  index: number;
  places: string[];
  at?: number;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const isBoundary = (text: string): boolean => (fnv1a(text) & 1) === 0;

export function anchorOf(text: string): string {
  return createHash('sha1').update(text.replace(/\s+/gu, ' ').trim()).digest('hex').slice(0, 10);
}

// The end of a sentence: terminal punctuation, optional closing quotes or brackets, then whitespace.
const SENTENCE_END = /[.!?…。！？]+["'”’»)\]]*(?=\s)/gu;

/** The end of the first sentence in `s` (within `MAX_CHARS`), or -1. */
function sentenceEnd(s: string): number {
  SENTENCE_END.lastIndex = 0;
  const m = SENTENCE_END.exec(s.length > MAX_CHARS ? s.slice(0, MAX_CHARS) : s);
  return m ? m.index + m[0].length : -1;
}

/**
 * Where the next unit of a long text ends: a sentence end, else a line end (near the target size if there is one),
 * else the last space; at most `MAX_CHARS` in. A last part of at most `MAX_CHARS` without a sentence end is whole.
 */
function unitEnd(buf: string, last: boolean): number {
  const sentence = sentenceEnd(buf);
  if (sentence > 0) return sentence;
  if (last && buf.length <= MAX_CHARS) return buf.length;
  const window = buf.slice(0, MAX_CHARS);
  const nearTarget = window.lastIndexOf('\n', TARGET_CHARS);
  if (nearTarget > 0) return nearTarget;
  const line = window.lastIndexOf('\n');
  if (line > 0) return line;
  const space = window.search(/\s\S*$/u);
  // One "word" longer than the maximum is the only thing ever cut mid-word.
  return space > 0 ? space : Math.min(buf.length, MAX_CHARS);
}

interface UnitOptions {
  places?: string[];
  at?: number;
}

/**
 * Accepts lines (streamed) or whole paragraphs and calls `emit` with each piece as soon as it is complete, so a
 * 100 MB paragraph never sits in memory. One splitter per section, turn or item.
 */
export class Splitter {
  private units: Unit[] = [];
  private size = 0;
  private index = 0;
  // The paragraph being cut: what is left of it, the line it starts on, and how its next unit joins the previous.
  private para = '';
  private paraStart = 0;
  private paraEnd = 0;
  private paraFirst = true;
  private firstSep = '\n\n';
  private nextSep = ' ';
  private paraOptions: UnitOptions = {};

  constructor(private readonly emit: (cut: Cut) => void) {}

  /** Streams one line of a text; a blank line ends the paragraph. */
  line(text: string, no: number): void {
    if (text.trim() === '') {
      this.endParagraph();
      return;
    }
    if (this.para === '' && this.paraFirst) {
      this.paraStart = no;
      this.para = text;
    } else this.para += `\n${text}`;
    this.paraEnd = no;
    // A paragraph far over the maximum is cut as it streams, keeping a maximum's worth to find the next cut in.
    while (this.para.length > 2 * MAX_CHARS) this.takeUnit(false);
  }

  /** A whole paragraph (HTML blocks, transcript turns, tool lines). Long ones are cut at sentences. */
  paragraph(text: string, options: UnitOptions & { start: number; end?: number; sep?: string }): void {
    this.endParagraph();
    const trimmed = text.trim();
    if (trimmed === '') return;
    const sep = options.sep ?? '\n\n';
    const end = options.end ?? options.start;
    if (trimmed.length <= MAX_CHARS) {
      this.add({ text: trimmed, sep, start: options.start, end, ...extras(options) });
      return;
    }
    this.para = trimmed;
    this.paraStart = options.start;
    this.paraEnd = end;
    this.firstSep = sep;
    this.paraOptions = options;
    this.endParagraph();
  }

  /** Ends the current paragraph and emits what is left. */
  end(): void {
    this.endParagraph();
    this.close();
  }

  private endParagraph(): void {
    if (this.para !== '') {
      if (this.paraFirst && this.para.length <= MAX_CHARS) {
        this.add({ text: this.para.trim(), sep: this.firstSep, start: this.paraStart, end: this.paraEnd, ...extras(this.paraOptions) });
        this.para = '';
      } else while (this.para !== '') this.takeUnit(true);
    }
    this.paraFirst = true;
    this.firstSep = '\n\n';
    this.paraOptions = {};
  }

  /** Takes one sentence (or line, or run of words) from the front of the paragraph being cut. */
  private takeUnit(last: boolean): void {
    const cut = unitEnd(this.para, last);
    const part = this.para.slice(0, cut);
    const rest = this.para.slice(cut);
    const gap = /^\s*/u.exec(rest)?.[0] ?? '';
    const text = part.trim();
    const start = this.paraStart + countNewlines(part.slice(0, part.length - part.trimStart().length));
    const end = this.paraStart + countNewlines(part.trimEnd());
    if (text !== '') {
      this.add({ text, sep: this.paraFirst ? this.firstSep : this.nextSep, start, end, ...extras(this.paraOptions) });
      this.paraFirst = false;
    }
    this.nextSep = gap.includes('\n') ? '\n' : ' ';
    this.paraStart += countNewlines(part) + countNewlines(gap);
    this.para = rest.slice(gap.length);
  }

  private add(unit: Unit): void {
    if (this.units.length > 0 && this.size + unit.sep.length + unit.text.length > MAX_CHARS) this.close();
    this.size += (this.units.length > 0 ? unit.sep.length : 0) + unit.text.length;
    this.units.push(unit);
    if (this.size >= TARGET_CHARS || (this.size >= MIN_CHARS && isBoundary(unit.text))) this.close();
  }

  private close(): void {
    const [first, ...rest] = this.units;
    if (!first) return;
    let text = first.text;
    let end = first.end;
    const places = new Set(first.places ?? []);
    for (const u of rest) {
      text += u.sep + u.text;
      end = u.end;
      for (const p of u.places ?? []) places.add(p);
    }
    this.units = [];
    this.size = 0;
    const at = first.at;
    this.emit({ text, start: first.start, end, anchor: anchorOf(first.text), index: this.index++, places: [...places], ...(at !== undefined ? { at } : {}) });
  }
}

function extras(o: UnitOptions): UnitOptions {
  return { ...(o.places && o.places.length ? { places: o.places } : {}), ...(o.at !== undefined ? { at: o.at } : {}) };
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** The locator of a cut: the section's key for its first piece, `<key> @<anchor>` (or `@<anchor>`) for the others. */
export function locatorOf(key: string | undefined, cut: Cut): string {
  if (key !== undefined && key !== '' && cut.index === 0) return key;
  return key ? `${key} @${cut.anchor}` : `@${cut.anchor}`;
}

/** Makes locators unique within one source: a repeated one gets " (2)", " (3)", … in document order. */
export class Locators {
  private readonly seen = new Map<string, number>();
  unique(locator: string): string {
    const n = (this.seen.get(locator) ?? 0) + 1;
    this.seen.set(locator, n);
    return n === 1 ? locator : `${locator} (${n})`;
  }
}
