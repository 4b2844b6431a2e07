// Documents with headings (Markdown, HTML): each section is split on its own, its heading path names its place
// (`notes/essay.md#Part One > Entropy`) and its locator, so an edit in one section never re-cuts another.
import { type Cut, Splitter, locatorOf } from './split.js';
import type { Piece } from './types.js';

/** Longest heading path kept in a place or locator; deeper or longer paths are shortened at the front. */
const MAX_PATH_CHARS = 400;
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]+/gu;

export function cleanHeading(text: string): string {
  return text.replace(CONTROL, ' ').replace(/\s+/gu, ' ').trim();
}

export interface SectionOptions {
  /** The place of the document itself. */
  place: string;
  tags?: string[];
  at?: number;
  /** Facts shared by every piece (title…). */
  meta?: Record<string, unknown>;
  emit: (piece: Piece) => void;
}

export class SectionWriter {
  private readonly stack: Array<{ level: number; text: string }> = [];
  private key = '';
  private splitter: Splitter;
  // A heading is written only once its section has a body: a heading alone is not worth a trace.
  private pendingHeading: { text: string; line: number } | undefined;

  constructor(private readonly options: SectionOptions) {
    this.splitter = this.newSplitter();
  }

  heading(level: number, title: string, line: number, shownAs: string = title): void {
    const text = cleanHeading(title);
    if (text === '') return;
    this.splitter.end();
    while (this.stack.length > 0 && (this.stack[this.stack.length - 1]?.level ?? 0) >= level) this.stack.pop();
    this.stack.push({ level, text });
    let path = this.stack.map((h) => h.text).join(' > ');
    if (path.length > MAX_PATH_CHARS) path = `… ${path.slice(path.length - MAX_PATH_CHARS)}`;
    this.key = path;
    this.splitter = this.newSplitter();
    this.pendingHeading = { text: shownAs, line };
  }

  line(text: string, no: number): void {
    if (text.trim() !== '') this.flushHeading();
    this.splitter.line(text, no);
  }

  paragraph(text: string, line: number): void {
    if (text.trim() === '') return;
    this.flushHeading();
    this.splitter.paragraph(text, { start: line });
  }

  end(): void {
    this.splitter.end();
  }

  private flushHeading(): void {
    if (!this.pendingHeading) return;
    this.splitter.paragraph(this.pendingHeading.text, { start: this.pendingHeading.line });
    this.pendingHeading = undefined;
  }

  private newSplitter(): Splitter {
    const key = this.key;
    const { place, tags, at, meta, emit } = this.options;
    return new Splitter((cut: Cut) =>
      emit({
        locator: locatorOf(key, cut),
        text: cut.text,
        places: [key === '' ? place : `${place}#${key}`],
        ...(tags && tags.length > 0 ? { tags } : {}),
        ...(at !== undefined ? { at } : {}),
        meta: { ...meta, ...(key !== '' ? { section: key } : {}), lines: `L${cut.start}-L${cut.end}` },
        line: cut.start,
      }),
    );
  }
}
