// The shapes shared by ingest's parts: formats, pieces that parsers produce, problems they report, the summary.

export const INGEST_FORMATS = ['markdown', 'text', 'html', 'rss', 'atom', 'claude-code', 'transcript'] as const;
export type IngestFormat = (typeof INGEST_FORMATS)[number];
export type FormatChoice = IngestFormat | 'auto';

/** One retrievable piece of a source: it becomes (or updates) one trace. */
export interface Piece {
  /** Stable within its source: the part after `#` in `ingest:<uri>#<locator>`. Made unique per source by the caller. */
  locator: string;
  text: string;
  /** Places as the parser names them (file paths, section paths, URLs); normalised when written. */
  places: string[];
  tags?: string[];
  /** The item's own time (epoch ms), when the source says it. */
  at?: number;
  /** Format-specific facts (lines, title, link, author, speaker…); `format` and `hash` are added by the caller. */
  meta: Record<string, unknown>;
  /** Source line of the piece's start, for problem reports. */
  line?: number;
}

/** Something that was skipped (a file, a line, an item), with why. */
export interface Problem {
  file: string;
  line?: number;
  reason: string;
}

/** What a parser gets: where the source is, how to name it, and where to report problems. */
export interface ParseContext {
  /** Absolute path of the file. */
  path: string;
  /** The source's URI: the file path relative to the project root (absolute outside it). */
  uri: string;
  /** The place of the file itself (the uri, or the --place-prefix form). */
  place: string;
  /** A skipped line or item (it is listed in the summary; the rest of the file is still ingested). */
  skip(problem: Omit<Problem, 'file'>): void;
  /** A repair or oddity worth telling (mojibake repaired, invalid bytes replaced, a date that could not be read). */
  warn(problem: Omit<Problem, 'file'>): void;
  /** Bytes of the file read so far, for progress. */
  onBytes(n: number): void;
}

export interface IngestProgress {
  file: string;
  format: IngestFormat | undefined;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  items: number;
  /** Milliseconds since the ingest started. */
  elapsedMs: number;
}

export interface IngestInput {
  /** Files and folders (folders are walked recursively), relative to the working directory. */
  paths: string[];
  format?: FormatChoice;
  /** Name file places `<prefix>/<path below the argument>` instead of their path relative to the project root. */
  placePrefix?: string;
  /** Only files (found in folders) matching one of these globs. */
  include?: string[];
  /** Never files or folders matching one of these globs. */
  exclude?: string[];
  /** Called as the ingest goes (at most every 64 KiB read and once per file). */
  onProgress?: (p: IngestProgress) => void;
  /** Called once per file when its format is decided (auto, with the reason) or given. */
  onFormat?: (file: string, format: IngestFormat, why: string) => void;
}

export interface IngestSummary {
  files: number;
  items: number;
  added: number;
  updated: number;
  /** Archived earlier because they had left their source, and back now. */
  restored: number;
  archived: number;
  unchanged: number;
  bytes: number;
  ms: number;
  skipped: Problem[];
  /** Repairs and oddities that did not stop anything (mojibake, invalid bytes, unreadable dates). */
  warnings: Problem[];
  /** The format used for each file, by source URI. */
  formats: Record<string, IngestFormat>;
}
