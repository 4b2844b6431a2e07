// Bytes to text for ingest: streamed line reading with bounded memory, invalid UTF-8 replaced (never fatal), and
// mojibake (UTF-8 that was read as Windows-1252 or Latin-1, e.g. "â€™" for "’") repaired where that is unambiguous.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { TextDecoder } from 'node:util';

// Windows-1252 bytes 0x80–0x9F that are not the Latin-1 code point of the same value.
const CP1252_HIGH: Record<number, number> = {
  0x20ac: 0x80, 0x201a: 0x82, 0x0192: 0x83, 0x201e: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87, 0x02c6: 0x88,
  0x2030: 0x89, 0x0160: 0x8a, 0x2039: 0x8b, 0x0152: 0x8c, 0x017d: 0x8e, 0x2018: 0x91, 0x2019: 0x92, 0x201c: 0x93,
  0x201d: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02dc: 0x98, 0x2122: 0x99, 0x0161: 0x9a, 0x203a: 0x9b,
  0x0153: 0x9c, 0x017e: 0x9e, 0x0178: 0x9f,
};

/** The byte a character had before a UTF-8 → Windows-1252/Latin-1 misreading, or -1 if it cannot have come from one. */
function cp1252Byte(code: number): number {
  if (code >= 0x80 && code <= 0xff) return code; // Latin-1, and the C1 controls cp1252 leaves undefined
  return CP1252_HIGH[code] ?? -1;
}

// A UTF-8 lead byte read as a character (Â–ô), followed by a continuation byte read as one (0x80–0xBF in cp1252).
const SUSPICIOUS =
  /[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]/u;
const SUSPICIOUS_G = new RegExp(SUSPICIOUS.source, 'gu');
const NON_ASCII_RUN = /[^\u0000-\u007f]+/gu;
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function countSuspicious(s: string): number {
  return s.match(SUSPICIOUS_G)?.length ?? 0;
}

/** Repairs one run of non-ASCII characters if it is mojibake beyond doubt; otherwise returns it unchanged. */
function repairRun(run: string): string {
  let current = run;
  // Twice-misread text ("Ã¢â‚¬â„¢") takes two rounds.
  for (let round = 0; round < 3 && SUSPICIOUS.test(current); round++) {
    const bytes = new Uint8Array(current.length);
    let i = 0;
    for (const ch of current) {
      const b = cp1252Byte(ch.codePointAt(0) ?? 0);
      if (b < 0) return current; // a character no misreading produces: not (purely) mojibake
      bytes[i++] = b;
    }
    let decoded: string;
    try {
      decoded = utf8Strict.decode(bytes.subarray(0, i));
    } catch {
      return current; // the bytes are not UTF-8: real Latin-1 text, leave it
    }
    if (countSuspicious(decoded) >= countSuspicious(current)) return current;
    current = decoded;
  }
  return current;
}

/** Repairs mojibake in `text`, run by run of non-ASCII characters (correct text next to it is untouched). */
export function repairMojibake(text: string): { text: string; repaired: boolean } {
  if (!SUSPICIOUS.test(text)) return { text, repaired: false };
  let repaired = false;
  const out = text.replace(NON_ASCII_RUN, (run) => {
    const fixed = repairRun(run);
    if (fixed !== run) repaired = true;
    return fixed;
  });
  return { text: out, repaired };
}

/** The encoding a byte-order mark announces, and its length. */
function sniffBom(head: Uint8Array): { encoding: string; skip: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', skip: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', skip: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', skip: 2 };
  return { encoding: 'utf-8', skip: 0 };
}

const REPLACEMENT = '\ufffd';
const LITERAL_REPLACEMENT = Buffer.from(REPLACEMENT, 'utf8');

function countOf(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i !== -1; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

function countBytes(buf: Buffer, needle: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(needle); i !== -1; i = buf.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** What decoding noticed, reported once per file. */
export interface DecodeNotes {
  /** Bytes that were not valid in the encoding, replaced by U+FFFD. */
  invalid: number;
  firstInvalidLine?: number;
  /** Lines whose mojibake was repaired. */
  repairedLines: number;
  firstRepairedLine?: number;
}

export interface Line {
  text: string;
  /** 1-based. */
  no: number;
}

/**
 * Reads a file line by line with a stream: memory stays bounded by the longest line, whatever the file's size.
 * Invalid bytes become U+FFFD; mojibake is repaired line by line; `\r\n` and `\n` both end lines.
 */
export async function* readLines(path: string, notes: DecodeNotes, onBytes: (n: number) => void = () => undefined): AsyncGenerator<Line> {
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  let decoder: TextDecoder | undefined;
  let pending = '';
  let no = 0;
  const emit = (raw: string): Line => {
    no++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const fixed = repairMojibake(text);
    if (fixed.repaired) {
      notes.repairedLines++;
      notes.firstRepairedLine ??= no;
    }
    return { text: fixed.text, no };
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      onBytes(chunk.length);
      let bytes = chunk;
      if (!decoder) {
        const bom = sniffBom(chunk);
        decoder = new TextDecoder(bom.encoding, { fatal: false, ignoreBOM: true });
        bytes = chunk.subarray(bom.skip);
      }
      const text = decoder.decode(bytes, { stream: true });
      if (text.includes(REPLACEMENT)) {
        const invalid = countOf(text, REPLACEMENT) - countBytes(bytes, LITERAL_REPLACEMENT);
        if (invalid > 0) {
          notes.invalid += invalid;
          notes.firstInvalidLine ??= no + 1 + countOf(pending + text.slice(0, text.indexOf(REPLACEMENT)), '\n');
        }
      }
      pending += text;
      let start = 0;
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', start)) {
        yield emit(pending.slice(start, nl));
        start = nl + 1;
      }
      pending = pending.slice(start);
    }
    if (decoder) pending += decoder.decode();
    if (pending !== '') yield emit(pending);
  } finally {
    stream.destroy();
  }
}

/**
 * Reads a whole file as text (for HTML and feeds, which are parsed as a whole). A declared charset (`<?xml
 * encoding=…?>`, `<meta charset=…>`) is used when the bytes are not valid UTF-8.
 */
export async function readText(path: string, notes: DecodeNotes): Promise<string> {
  const buf = await readFile(path);
  const bom = sniffBom(buf);
  let encoding = bom.encoding;
  const bytes = buf.subarray(bom.skip);
  if (bom.skip === 0) {
    const declared = /(?:encoding|charset)\s*=\s*["']?([A-Za-z0-9._-]+)/i.exec(buf.subarray(0, 1024).toString('latin1'))?.[1];
    if (declared && !/^utf-?8$/i.test(declared)) {
      try {
        utf8Strict.decode(bytes);
      } catch {
        try {
          new TextDecoder(declared);
          encoding = declared;
        } catch {
          // An encoding we cannot decode: UTF-8 with replacements is the best we can do.
        }
      }
    }
  }
  const text = new TextDecoder(encoding, { fatal: false, ignoreBOM: true }).decode(bytes);
  if (encoding === 'utf-8' && text.includes(REPLACEMENT)) {
    const invalid = countOf(text, REPLACEMENT) - countBytes(bytes, LITERAL_REPLACEMENT);
    if (invalid > 0) {
      notes.invalid += invalid;
      notes.firstInvalidLine = countOf(text.slice(0, text.indexOf(REPLACEMENT)), '\n') + 1;
    }
  }
  if (!SUSPICIOUS.test(text)) return text.replace(/\r\n/g, '\n');
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const fixed = repairMojibake(lines[i] ?? '');
    if (fixed.repaired) {
      lines[i] = fixed.text;
      notes.repairedLines++;
      notes.firstRepairedLine ??= i + 1;
    }
  }
  return lines.join('\n');
}
