// Ingest: reads files and folders (Markdown, text, HTML, RSS/Atom, Claude Code and chat transcripts) into traces of
// external trust with their provenance, idempotently, skipping and reporting what it cannot read. See docs/ingest.md.
import { lstatSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Physarum } from '../physarum.js';
import { invalidInput, isPhysarumError } from '../errors/index.js';
import { normalizePlace } from '../places/index.js';
import type { Actor } from '../traces/schema.js';
import { parseClaudeCode } from './claude-code.js';
import type { DecodeNotes } from './decode.js';
import { detectFormat, readHead } from './detect.js';
import { parseFeed } from './feeds.js';
import { parseHtml } from './html.js';
import { parseMarkdown } from './markdown.js';
import { SourceSync, sourcePrefix } from './sync.js';
import { parseText } from './text.js';
import { parseTranscript } from './transcript.js';
import { INGEST_FORMATS, type IngestFormat, type IngestInput, type IngestSummary, type ParseContext, type Piece, type Problem } from './types.js';
import { findFiles } from './walk.js';

export * from './types.js';

/** HTML and feeds are parsed as a whole document; larger files are refused rather than risk the memory. */
const WHOLE_FILE_FORMATS = new Set<IngestFormat>(['html', 'rss', 'atom']);
const MAX_WHOLE_FILE_BYTES = 64 * 1_048_576;
const MAX_LISTED_PER_FILE = 100;

type Parser = (ctx: ParseContext, notes: DecodeNotes) => AsyncGenerator<Piece>;

const PARSERS: Record<IngestFormat, Parser> = {
  markdown: parseMarkdown,
  text: parseText,
  html: parseHtml,
  rss: (ctx, notes) => parseFeed(ctx, notes, 'rss'),
  atom: (ctx, notes) => parseFeed(ctx, notes, 'atom'),
  'claude-code': parseClaudeCode,
  transcript: parseTranscript,
};

function validate(input: IngestInput): void {
  if (!input || !Array.isArray(input.paths) || input.paths.some((p) => typeof p !== 'string' || p.trim() === '')) {
    throw invalidInput('paths', 'give a list of files and folders to ingest');
  }
  if (input.format !== undefined && input.format !== 'auto' && !INGEST_FORMATS.includes(input.format)) {
    throw invalidInput('format', `${JSON.stringify(input.format)} is not a format; use auto, ${INGEST_FORMATS.join(', ')}`);
  }
  for (const field of ['include', 'exclude'] as const) {
    const globs = input[field];
    if (globs !== undefined && (!Array.isArray(globs) || globs.some((g) => typeof g !== 'string' || g === ''))) {
      throw invalidInput(field, 'give glob patterns such as "*.md" or "notes/**"');
    }
  }
}

function joinPrefix(prefix: string, rel: string): string {
  return `${prefix.replace(/\/+$/u, '')}/${rel}`;
}

/** Ingests files and folders into traces; see `IngestInput`. Nonexistent paths are refused before anything is read. */
export async function ingest(physarum: Physarum, input: IngestInput, actor: Actor): Promise<IngestSummary> {
  validate(input);
  const started = Date.now();
  const root = physarum.ctx.root;
  const placePrefix = input.placePrefix?.trim() || undefined;
  if (placePrefix !== undefined) normalizePlace(joinPrefix(placePrefix, 'x'), { root }, 'placePrefix');

  const found = await findFiles(input.paths, { cwd: process.cwd(), ...(input.include ? { include: input.include } : {}), ...(input.exclude ? { exclude: input.exclude } : {}) });
  const display = (abs: string): string => {
    try {
      return normalizePlace(abs, { root }).key;
    } catch {
      return abs;
    }
  };
  const summary: IngestSummary = {
    files: 0,
    items: 0,
    added: 0,
    updated: 0,
    restored: 0,
    archived: 0,
    unchanged: 0,
    bytes: 0,
    ms: 0,
    skipped: found.skipped.map((s) => ({ ...s, file: display(s.file) })),
    warnings: [],
    formats: {},
  };
  const bytesTotal = found.files.reduce((n, f) => n + f.size, 0);
  let filesDone = 0;
  /** A file not ingested: listed with why, counted as done (with its bytes, when they were reached). */
  const skipFile = (uri: string, reason: string, bytes: number): void => {
    summary.skipped.push({ file: uri, reason });
    filesDone++;
    summary.bytes += bytes;
  };
  let lastReport = { bytes: -Infinity, at: 0 };
  const progress = (file: string, format: IngestFormat | undefined, force = false): void => {
    if (!input.onProgress) return;
    const now = Date.now();
    if (!force && summary.bytes - lastReport.bytes < 64 * 1024 && now - lastReport.at < 100) return;
    lastReport = { bytes: summary.bytes, at: now };
    input.onProgress({ file, format, filesDone, filesTotal: found.files.length, bytesDone: summary.bytes, bytesTotal, items: summary.items, elapsedMs: now - started });
  };

  const ingested = new Set<string>();
  for (const file of found.files) {
    let uri: string;
    try {
      uri = normalizePlace(file.path, { root }).key;
    } catch (e) {
      summary.skipped.push({ file: file.path, reason: `its path cannot name a place: ${e instanceof Error ? e.message : String(e)}` });
      filesDone++;
      continue;
    }
    ingested.add(uri);
    const bytesBefore = summary.bytes;
    let format: IngestFormat;
    let why = '--format';
    try {
      if (input.format === undefined || input.format === 'auto') {
        const d = await detectFormat(file.path);
        if ('skip' in d) {
          skipFile(uri, d.skip, file.size);
          continue;
        }
        format = d.format;
        why = d.why;
      } else {
        const head = await readHead(file.path);
        if (head.length === 0 || head.subarray(0, 8192).includes(0)) {
          skipFile(uri, head.length === 0 ? 'empty file' : 'binary file (contains NUL bytes)', file.size);
          continue;
        }
        format = input.format;
      }
    } catch (e) {
      skipFile(uri, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 0);
      continue;
    }
    summary.formats[uri] = format;
    input.onFormat?.(uri, format, why);
    progress(uri, format, true);

    if (WHOLE_FILE_FORMATS.has(format) && file.size > MAX_WHOLE_FILE_BYTES) {
      skipFile(uri, `${format} is parsed whole, and this file is over ${MAX_WHOLE_FILE_BYTES / 1_048_576} MiB; ingest it with --format text`, file.size);
      continue;
    }
    // A file of nothing but bad lines lists its first problems, then a count.
    let problems = 0;
    let warnings = 0;
    const skip = (p: Omit<Problem, 'file'>): void => {
      if (++problems <= MAX_LISTED_PER_FILE) summary.skipped.push({ file: uri, ...p });
    };
    const warn = (p: Omit<Problem, 'file'>): void => {
      if (++warnings <= MAX_LISTED_PER_FILE) summary.warnings.push({ file: uri, ...p });
    };
    const place = placePrefix !== undefined ? joinPrefix(placePrefix, file.rel) : uri;
    const ctx: ParseContext = {
      path: file.path,
      uri,
      place,
      skip,
      warn,
      onBytes: (n) => {
        summary.bytes += n;
        progress(uri, format);
      },
    };
    const notes: DecodeNotes = { invalid: 0, repairedLines: 0 };
    const sync = await SourceSync.open({ physarum, actor, uri, format, place, counts: summary, skip, warn });
    let complete = true;
    try {
      for await (const piece of PARSERS[format](ctx, notes)) {
        await sync.add(piece);
        progress(uri, format);
      }
    } catch (e) {
      if (isPhysarumError(e) && e.code !== 'INVALID_INPUT') throw e; // the store failed: stop, and say so
      complete = false;
      const code = (e as NodeJS.ErrnoException).code;
      skip({ reason: `could not be read to the end (${code ?? (e instanceof Error ? e.message : String(e))}); what was read is kept, nothing archived` });
    }
    // Pieces missing from a source read with problems may only be unreadable, not gone: archive nothing then.
    await sync.finish({ archiveMissing: complete && problems === 0 });
    if (notes.invalid > 0) {
      warn({ ...(notes.firstInvalidLine !== undefined ? { line: notes.firstInvalidLine } : {}), reason: `${notes.invalid} invalid UTF-8 byte sequence(s) replaced with U+FFFD` });
    }
    if (notes.repairedLines > 0) {
      warn({ ...(notes.firstRepairedLine !== undefined ? { line: notes.firstRepairedLine } : {}), reason: `mojibake (UTF-8 read as Windows-1252) repaired on ${notes.repairedLines} line(s)` });
    }
    if (problems > MAX_LISTED_PER_FILE) summary.skipped.push({ file: uri, reason: `${problems - MAX_LISTED_PER_FILE} more skipped lines or items not listed` });
    if (warnings > MAX_LISTED_PER_FILE) summary.warnings.push({ file: uri, reason: `${warnings - MAX_LISTED_PER_FILE} more warnings not listed` });
    summary.bytes = bytesBefore + file.size;
    summary.files++;
    filesDone++;
    progress(uri, format, true);
  }

  // Files removed from a folder since it was last ingested: their traces are archived, not deleted.
  for (const folder of found.folders) {
    const folderUri = display(folder);
    const prefix = folderUri === '.' ? 'ingest:' : `ingest:${folderUri}/`;
    const entries = await physarum.storage.read((r) => r.sourceEntries(prefix));
    for (const t of entries) {
      if (t.status !== 'live' || t.hash === undefined || !INGEST_FORMATS.includes(t.format as IngestFormat)) continue;
      const hash = t.source.indexOf('#', prefix.length);
      const uri = t.source.slice('ingest:'.length, hash === -1 ? undefined : hash);
      if (ingested.has(uri) || !t.source.startsWith(sourcePrefix(uri))) continue;
      const abs = resolve(root, uri);
      // From the project root, only files inside it (absolute URIs are files outside; they have their own folders).
      if (folderUri === '.' && (isAbsolute(uri) || relative(root, abs).startsWith('..'))) continue;
      if (!isGone(abs)) continue;
      await physarum.archive({ id: t.id, reason: `no longer in ${folderUri}` }, actor);
      summary.archived++;
    }
  }
  summary.ms = Date.now() - started;
  return summary;
}

/** True only when the file is known not to exist: a folder that cannot be read says nothing about what is in it. */
function isGone(path: string): boolean {
  try {
    lstatSync(path);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR';
  }
}
