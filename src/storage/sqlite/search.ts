// Full-text ranking over the FTS5 index whose cost does not grow with the store: exact BM25 for words found in
// few traces; a very common word adds its BM25 weight, computed from the candidate's own text, to the
// candidates the rare words found, and brings in candidates of its own only from its newest traces.
//
// Why: FTS5 scores every row that matches any phrase of the query, and its bm25() counts a phrase's rows to
// get its idf, so one common word ("test" in 60% of traces) costs time in proportion to the store. FTS5 has
// no cheap way to ask whether one row holds a word (a rowid lookup reads the word's whole list), but it reads
// a word's newest rows (rowid DESC, LIMIT) without touching the rest, and the candidates' text is read anyway.
import { stemmer } from 'stemmer';

/** A word found in at most this many traces is ranked exactly (FTS5 bm25 over all its traces). */
export const FULL_RANK_MAX = 2_000;

/** A common word is read through at least this many of its newest traces (more when the pool is larger). */
export const COMMON_WINDOW = 500;

/** With common words, this many candidates beyond the pool are read and rescored (rescore()). */
export const RESCORE_MARGIN = 50;

/** FTS5 bm25 column weights: text, tags, places, author. */
export const BM25 = 'bm25(traces_fts, 1.0, 0.5, 0.5, 0.5)';

export type Row = Record<string, unknown>;
/** Runs one SQL statement and returns its rows (the caller prepares and caches statements). */
export type Query = (sql: string, params: unknown[]) => Row[];

export interface RankOptions {
  /** How many of the best candidates to return. */
  pool: number;
  /** SQL over traces alias `t` that every candidate must pass, with its parameters; none: the index alone. */
  filter?: { sql: string; params: unknown[] };
  /** The cut between exact and windowed words (FULL_RANK_MAX unless measuring the method itself). */
  fullRankMax?: number;
  /** How many newest traces of a common word are read (COMMON_WINDOW unless measuring the method itself). */
  window?: number;
}

export interface Candidate {
  seq: number;
  /** Exact BM25 of the rare words (0 if none matched): FTS5's bm25() over them, negated. */
  exact: number;
  /** `exact` plus the idf of each common word whose newest traces include this one: an order to cut the pool by. */
  score: number;
}

/** A word found in more than the cut: its weight comes from the candidate's text (see `rescore`). */
export interface CommonWord {
  term: string;
  /** The word as the index holds it (Porter stem, diacritics removed). */
  token: string;
  /** FTS5's idf, from the number of traces estimated from how far back its newest traces reach. */
  idf: number;
}

export interface Ranked {
  /** Best first by `score`; ties newest first. */
  hits: Candidate[];
  /** True when every matching trace was considered, so a short list means there are no more matches. */
  exhaustive: boolean;
  common: CommonWord[];
}

/** The values a trace is indexed under, column by column: text, tags, places, author. */
export interface IndexedText {
  text: string;
  tags: string[];
  places: string[];
  author: string;
}

/** One word as an FTS5 phrase: quoted, so no word can be read as query syntax. */
export const phrase = (term: string): string => `"${term.replaceAll('"', '""')}"`;

/** FTS5's idf: log((N − n + 0.5) / (n + 0.5)), floored at 1e-6 as FTS5 floors it. */
function idf(rows: number, docs: number): number {
  const v = Math.log((rows - docs + 0.5) / (docs + 0.5));
  return v > 0 ? v : 1e-6;
}

export function rankText(query: Query, terms: string[], options: RankOptions): Ranked {
  if (terms.length === 0) return { hits: [], exhaustive: true, common: [] };
  const cap = options.fullRankMax ?? FULL_RANK_MAX;
  const window = Math.max(options.window ?? COMMON_WINDOW, options.pool);
  const filter = options.filter;
  const from = filter ? 'traces_fts JOIN traces t ON t.seq = traces_fts.rowid' : 'traces_fts';
  const where = filter ? `traces_fts MATCH ? AND ${filter.sql}` : 'traces_fts MATCH ?';
  const params = (match: string): unknown[] => [match, ...(filter?.params ?? [])];

  // Which words are rare: counting stops at cap + 1, so a common word costs no more than a rare one.
  const exact: string[] = [];
  const windows = new Set<string>();
  for (const term of terms) {
    const n = Number(query(`SELECT count(*) AS n FROM (SELECT 1 FROM traces_fts WHERE traces_fts MATCH ? LIMIT ?)`, [phrase(term), cap + 1])[0]?.['n'] ?? 0);
    if (n <= cap) exact.push(term);
    else windows.add(term);
  }

  const scores = new Map<number, Candidate>();
  const common: CommonWord[] = [];
  let exhaustive = windows.size === 0;
  if (exact.length > 0) {
    // Read more than the pool: a common word's weight can still lift a trace ranked just below it.
    const limit = windows.size === 0 ? options.pool : options.pool * 2;
    const rows = query(`SELECT traces_fts.rowid AS seq, ${BM25} AS bm FROM ${from} WHERE ${where} ORDER BY bm, traces_fts.rowid DESC LIMIT ?`, [
      ...params(exact.map(phrase).join(' OR ')),
      limit,
    ]);
    for (const r of rows) {
      const seq = Number(r['seq']);
      scores.set(seq, { seq, exact: -Number(r['bm']), score: -Number(r['bm']) });
    }
    if (rows.length >= limit) exhaustive = false;
  }

  if (windows.size > 0) {
    // A common word's newest `window` traces are candidates too. Its number of traces is estimated from how
    // far back those reach (FTS5 would count them all), which is all its idf needs.
    const newest = Number(query('SELECT max(seq) AS n FROM traces', [])[0]?.['n'] ?? 0);
    for (const term of windows) {
      const newestOf = (f: string, w: string, p: unknown[]): number[] =>
        query(`SELECT traces_fts.rowid AS seq FROM ${f} WHERE ${w} ORDER BY traces_fts.rowid DESC LIMIT ?`, [...p, window]).map((r) => Number(r['seq']));
      const seqs = newestOf(from, where, params(phrase(term)));
      // The estimate needs the word's own spread, not the filter's: read it unfiltered.
      const spread = filter ? newestOf('traces_fts', 'traces_fts MATCH ?', [phrase(term)]) : seqs;
      const oldest = spread[spread.length - 1] ?? newest;
      // A window that is not full holds every trace with the word.
      const docs = spread.length < window ? spread.length : Math.min(newest, (spread.length * newest) / Math.max(1, newest - oldest + 1));
      const weight = idf(newest, docs);
      common.push({ term, token: indexToken(term), idf: weight });
      for (const seq of seqs) {
        const c = scores.get(seq) ?? { seq, exact: 0, score: 0 };
        c.score += weight;
        scores.set(seq, c);
      }
    }
  }

  const hits = [...scores.values()].sort((a, b) => b.score - a.score || b.seq - a.seq);
  // With common words the order above is provisional: keep a margin for rescore() to reorder.
  const keep = common.length === 0 ? options.pool : options.pool + Math.min(options.pool, RESCORE_MARGIN);
  return { hits: hits.slice(0, keep), exhaustive, common };
}

/** One word as the index's tokenizer reads it: unicode61 (diacritics removed, lowercased), then Porter. */
export function indexToken(word: string): string {
  const plain = word.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
  // FTS5's Porter step leaves words shorter than three letters alone.
  return plain.length < 3 ? plain : stemmer(plain);
}

const BM25_K1 = 1.2;
const COLUMN_WEIGHTS = [1.0, 0.5, 0.5, 0.5] as const;

/** Each token (as the index holds it) of one trace's indexed values with its column-weighted count. */
export type TokenCounts = ReadonlyMap<string, number>;

/** Words as the index's tokenizer splits them. */
const WORD = /[\p{L}\p{N}]+/gu;

/** `tokenOf` is indexToken() or a memo of it. */
export function tokenCounts(doc: IndexedText, tokenOf: (word: string) => string = indexToken): TokenCounts {
  const counts = new Map<string, number>();
  const columns = [doc.text, doc.tags.join(' '), doc.places.join(' '), doc.author];
  columns.forEach((value, i) => {
    for (const word of value.match(WORD) ?? []) {
      const token = tokenOf(word);
      counts.set(token, (counts.get(token) ?? 0) + (COLUMN_WEIGHTS[i] ?? 0));
    }
  });
  return counts;
}

/** How many distinct words TokenCountCache remembers the stems of before it starts again. */
const STEMS_KEPT = 50_000;

/**
 * tokenCounts() of the most recently used traces, keyed by a string that determines their indexed values exactly
 * (the values themselves), so a trace's text is tokenised once, not on every search. A revised, retagged or
 * forgotten trace needs no invalidation: its new values are a new key, and the old entry ages out. Bounded by an
 * estimate of the memory its entries take, since a text can be anything from a line to 20,000 characters.
 */
export class TokenCountCache {
  /** Least recently used first: a Map iterates in insertion order, and a hit is re-inserted. */
  private readonly entries = new Map<string, { counts: TokenCounts; bytes: number }>();
  private bytes = 0;
  /** Stems of words seen (texts share most of their words), which the entries then share too. */
  private readonly stems = new Map<string, string>();

  constructor(readonly budgetBytes: number) {}

  private readonly tokenOf = (word: string): string => {
    let token = this.stems.get(word);
    if (token === undefined) {
      if (this.stems.size >= STEMS_KEPT) this.stems.clear();
      token = indexToken(word);
      this.stems.set(word, token);
    }
    return token;
  };

  /** The counts for `key`; `values` is read only when they are not cached. */
  of(key: string, values: () => IndexedText): TokenCounts {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.counts;
    }
    const counts = tokenCounts(values(), this.tokenOf);
    // Measured on V8: a byte or two per character of the key, and some 50 bytes per token counted.
    const entry = { counts, bytes: 2 * key.length + 48 * counts.size };
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    for (const [oldest, e] of this.entries) {
      if (this.bytes <= this.budgetBytes) break;
      this.entries.delete(oldest);
      this.bytes -= e.bytes;
    }
    return counts;
  }

  /** Drops every entry and every stem. */
  clear(): void {
    this.entries.clear();
    this.stems.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Counts for candidates when the query has no common word: rescore() reads none. */
export const NO_COUNTS: TokenCounts = new Map();

/**
 * Final scores for candidates whose indexed values were read: the rare words' exact BM25 plus, for each common
 * word, idf · tf·(k1 + 1) / (tf + k1) with tf its column-weighted count in the candidate (a trace of average
 * length: the store's average is not known without reading every row). `docs` holds the token counts of the
 * candidates to score (those that passed the filters; any others are dropped); only the common words' counts
 * are read, so without common words NO_COUNTS will do. Best first, ties newest first.
 */
export function rescore(ranked: Ranked, docs: Map<number, TokenCounts>): { seq: number; score: number }[] {
  const out = ranked.hits.flatMap((h) => {
    const counts = docs.get(h.seq);
    if (counts === undefined) return [];
    let score = h.exact;
    for (const c of ranked.common) {
      const tf = counts.get(c.token) ?? 0;
      if (tf > 0) score += (c.idf * tf * (BM25_K1 + 1)) / (tf + BM25_K1);
    }
    return [{ seq: h.seq, score }];
  });
  return out.sort((a, b) => b.score - a.score || b.seq - a.seq);
}
