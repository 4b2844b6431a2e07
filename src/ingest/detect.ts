// `--format auto`: decides a file's format from its extension and the start of its content, and says why.
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { countTurns } from './transcript.js';
import { looksLikeStrippedFeed } from './stripped-feed.js';
import type { IngestFormat } from './types.js';

const SNIFF_BYTES = 64 * 1024;

const BINARY_EXT = new Set(
  'pdf png jpg jpeg gif webp bmp tif tiff ico icns psd zip gz tgz bz2 xz 7z rar tar zst mp3 mp4 m4a mov avi mkv wav flac ogg webm woff woff2 ttf otf eot exe dll so dylib class jar war db sqlite sqlite3 wasm pyc o a lib bin dat iso dmg'.split(' '),
);
const MARKDOWN_EXT = new Set(['.md', '.markdown', '.mdown', '.mkd', '.mdx']);
const HTML_EXT = new Set(['.html', '.htm', '.xhtml']);

export type Detection = { format: IngestFormat; why: string } | { skip: string };

/** Reads up to the first 64 KiB of a file. */
export async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function isBinary(head: Buffer): boolean {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return false; // UTF-16 text
  return head.subarray(0, 8192).includes(0);
}

function feedRoot(text: string): 'rss' | 'atom' | undefined {
  const start = text.slice(0, 4096);
  if (/<rss[\s>]/iu.test(start) || (/<rdf:RDF[\s>]/iu.test(start) && /<item[\s>]/iu.test(text))) return 'rss';
  if (/<feed[\s>]/iu.test(start)) return 'atom';
  return undefined;
}

/** True if the first JSON lines look like Claude Code events (`type` user/assistant/summary… with a `sessionId`). */
export function looksLikeClaudeCode(text: string): boolean {
  let seen = 0;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    if (++seen > 20) break;
    if (!t.startsWith('{')) return false;
    try {
      const o = JSON.parse(t) as Record<string, unknown>;
      if (typeof o['type'] === 'string' && (typeof o['sessionId'] === 'string' || o['type'] === 'summary') && ['user', 'assistant'].includes(String(o['type']))) return true;
    } catch {
      // The last line of the sample may be cut off, or one line broken: keep looking.
    }
  }
  return false;
}

function sniffText(text: string): { format: IngestFormat; why: string } {
  const feed = feedRoot(text);
  if (feed) return { format: feed, why: `<${feed === 'rss' ? 'rss' : 'feed'}> root` };
  if (/^\s*(?:<!doctype html|<html[\s>])/iu.test(text) || /<html[\s>]/iu.test(text.slice(0, 2048))) return { format: 'html', why: '<html> document' };
  if (looksLikeStrippedFeed(text)) return { format: 'rss', why: 'RSS with its tags stripped (CDATA titles, link and date lines)' };
  if (text.trimStart().startsWith('{') && looksLikeClaudeCode(text)) return { format: 'claude-code', why: 'JSON lines with type and sessionId' };
  const turns = countTurns(text);
  if (turns.labels >= 2 && turns.speakers >= 2) return { format: 'transcript', why: `${turns.labels} labelled turns` };
  if (turns.prompts >= 2) return { format: 'transcript', why: `${turns.prompts} "> " prompts` };
  const headings = text.match(/^ {0,3}#{1,6}[ \t]+\S/gmu)?.length ?? 0;
  if (/^---\r?\n/u.test(text)) return { format: 'markdown', why: 'frontmatter' };
  if (headings >= 2 || /^\s*#{1,6}[ \t]+\S/u.test(text)) return { format: 'markdown', why: `${headings} markdown heading${headings === 1 ? '' : 's'}` };
  return { format: 'text', why: 'plain text' };
}

/** The format of a file, from its extension and the first 64 KiB. */
export async function detectFormat(path: string): Promise<Detection> {
  const ext = extname(path).toLowerCase();
  if (BINARY_EXT.has(ext.slice(1))) return { skip: `binary file (${ext})` };
  const head = await readHead(path);
  if (head.length === 0) return { skip: 'empty file' };
  if (isBinary(head)) return { skip: 'binary file (contains NUL bytes)' };
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  if (MARKDOWN_EXT.has(ext)) return { format: 'markdown', why: ext };
  if (HTML_EXT.has(ext)) return { format: 'html', why: ext };
  if (ext === '.rss') return { format: 'rss', why: ext };
  if (ext === '.atom') return { format: 'atom', why: ext };
  if (ext === '.xml') {
    const feed = feedRoot(text);
    return feed ? { format: feed, why: `${ext} with <${feed === 'rss' ? 'rss' : 'feed'}> root` } : { skip: 'XML that is not an RSS or Atom feed' };
  }
  if (ext === '.jsonl' || ext === '.ndjson') {
    return looksLikeClaudeCode(text) ? { format: 'claude-code', why: `${ext} with type and sessionId` } : { skip: 'JSON lines that are not a Claude Code transcript' };
  }
  if (ext === '.json') return { skip: 'JSON is not an ingest format (Claude Code transcripts are .jsonl)' };
  const sniffed = sniffText(text);
  return { format: sniffed.format, why: ext ? `${ext}, ${sniffed.why}` : sniffed.why };
}
