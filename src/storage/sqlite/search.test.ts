import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStorage } from './index.js';
import { BM25, indexToken, phrase, rankText, rescore, TokenCountCache, tokenCounts, type IndexedText, type Query, type TokenCounts } from './search.js';
import { makeTrace, traceIndexing } from '../contract.js';
import type { Trace } from '../../traces/schema.js';

const T0 = Date.UTC(2026, 0, 1);

describe('rankText()', () => {
  let dir: string;
  let storage: SqliteStorage;
  let db: Database.Database;
  let query: Query;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'physarum-rank-'));
    storage = SqliteStorage.open({ path: path.join(dir, 'store.db') });
    db = new Database(path.join(dir, 'store.db'), { readonly: true });
    query = (sql, params) => db.prepare(sql).all(...params) as Record<string, unknown>[];
  });

  afterEach(async () => {
    db.close();
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function deposit(...traces: Trace[]): Promise<void> {
    await storage.write(async (w) => {
      for (const t of traces) await w.insertTrace(t, traceIndexing(t));
    });
    // rankText() reads the full-text index, which takes new traces after their commit.
    await storage.searchable();
  }

  /** n traces in deposit order, one minute apart, with text from `text(i)`. */
  const series = (n: number, text: (i: number) => string): Trace[] =>
    Array.from({ length: n }, (_, i) => makeTrace({ text: text(i), createdAt: T0 + i * 60_000 }));

  const seqOf = (t: Trace): number => Number(query('SELECT seq FROM traces WHERE id = ?', [t.id])[0]?.['seq']);

  const texts = (hits: { seq: number }[]): Map<number, TokenCounts> =>
    new Map(
      hits.map((h) => {
        const r = query('SELECT text, tags, places, author_name FROM traces WHERE seq = ?', [h.seq])[0] ?? {};
        const doc = { text: String(r['text']), tags: JSON.parse(String(r['tags'])), places: JSON.parse(String(r['places'])), author: String(r['author_name']) };
        return [h.seq, tokenCounts(doc)];
      }),
    );

  it('gives exactly FTS5 bm25 when every word is below the cut', async () => {
    await deposit(...series(40, (i) => (i % 3 === 0 ? `kumquat note ${i}` : i % 3 === 1 ? `zebra kumquat kumquat ${i}` : `zebra ${i}`)));
    const ranked = rankText(query, ['kumquat', 'zebra'], { pool: 10 });
    const fts = query(`SELECT rowid AS seq, ${BM25} AS bm FROM traces_fts WHERE traces_fts MATCH ? ORDER BY bm, rowid DESC LIMIT 10`, [
      `${phrase('kumquat')} OR ${phrase('zebra')}`,
    ]);
    expect(ranked.common).toEqual([]);
    expect(ranked.hits.map((h) => h.seq)).toEqual(fts.map((r) => Number(r['seq'])));
    expect(ranked.hits.map((h) => h.exact)).toEqual(fts.map((r) => -Number(r['bm'])));
    expect(rescore(ranked, texts(ranked.hits)).map((h) => h.score)).toEqual(ranked.hits.map((h) => h.exact));
  });

  it('reads a word past the cut only through its newest traces', async () => {
    const traces = series(30, (i) => `deploy step ${i}`);
    await deposit(...traces);
    const ranked = rankText(query, ['deploy'], { pool: 5, fullRankMax: 10, window: 5 });
    expect(ranked.common.map((c) => c.term)).toEqual(['deploy']);
    expect(ranked.exhaustive).toBe(false);
    expect(ranked.hits.map((h) => h.seq).sort((a, b) => b - a)).toEqual(traces.slice(25).map(seqOf).reverse());
  });

  it('ranks a rare word above a common one and still adds the common word to old traces that hold both', async () => {
    const old = makeTrace({ text: 'kumquat deploying notes', createdAt: T0 - 60_000 });
    const rareOnly = makeTrace({ text: 'kumquat notes again', createdAt: T0 - 30_000 });
    await deposit(old, rareOnly, ...series(30, (i) => `deploy step ${i}`));
    const ranked = rankText(query, ['kumquat', 'deploy'], { pool: 5, fullRankMax: 10, window: 5 });
    const final = rescore(ranked, texts(ranked.hits));
    // The old trace is outside the common word's window, yet its own text ("deploying") counts.
    expect(final.slice(0, 2).map((h) => h.seq)).toEqual([seqOf(old), seqOf(rareOnly)]);
    expect(final[0]!.score).toBeGreaterThan(final[1]!.score);
  });

  it("floors a word in every trace at FTS5's idf floor", async () => {
    await deposit(...series(30, (i) => `deploy step ${i}`));
    const ranked = rankText(query, ['deploy'], { pool: 5, fullRankMax: 10, window: 5 });
    expect(ranked.common[0]?.idf).toBe(1e-6);
  });

  it('never returns a forgotten trace', async () => {
    const traces = series(30, (i) => `deploy step ${i}`);
    await deposit(...traces);
    const last = traces[29]!;
    await storage.write((w) => w.eraseTrace(last.id, '[forgotten]', T0 + DAY));
    const ranked = rankText(query, ['deploy'], { pool: 5, fullRankMax: 10, window: 5 });
    expect(ranked.hits.map((h) => h.seq)).not.toContain(seqOf(last));
    expect(ranked.hits).toHaveLength(5);
  });
});

const DAY = 86_400_000;

describe('indexToken()', () => {
  it("reads words as the index's tokenizer does", () => {
    const words = ['running', 'caches', 'Migrations', 'café', 'naïve', 'connection', 'relational', 'flies', 'at', 'x1', 'généralement'];
    const db = new Database(':memory:');
    db.exec("CREATE VIRTUAL TABLE f USING fts5 (text, tokenize = 'porter unicode61 remove_diacritics 2')");
    db.exec("CREATE VIRTUAL TABLE v USING fts5vocab (f, 'row')");
    for (const w of words) db.prepare('INSERT INTO f (text) VALUES (?)').run(w);
    const vocab = db.prepare('SELECT term FROM v ORDER BY term').all().map((r) => (r as { term: string }).term);
    db.close();
    expect([...new Set(words.map(indexToken))].sort()).toEqual(vocab);
  });
});

describe('tokenCounts()', () => {
  it('counts each token as the index holds it, weighing tags, places and author at half the text', () => {
    const doc: IndexedText = { text: 'Deploying the deploy: deployed!', tags: ['deploy'], places: ['src/deploy.ts'], author: 'mira' };
    expect(Object.fromEntries(tokenCounts(doc))).toEqual({ deploi: 4, the: 1, src: 0.5, ts: 0.5, mira: 0.5 });
  });
});

describe('TokenCountCache', () => {
  const doc = (text: string): IndexedText => ({ text, tags: [], places: [], author: '' });

  it('reads the values only for a key it does not hold', () => {
    const cache = new TokenCountCache(1 << 20);
    let reads = 0;
    const of = (key: string, text: string) => cache.of(key, () => (reads++, doc(text)));
    const first = of('k1', 'kumquat kumquat');
    expect(first.get('kumquat')).toBe(2);
    expect(of('k1', 'ignored')).toBe(first);
    expect(reads).toBe(1);
    expect(of('k2', 'zebra').get('zebra')).toBe(1);
    expect(reads).toBe(2);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(of('k2', 'ocelot').get('ocelot')).toBe(1);
    expect(reads).toBe(3);
  });

  it('keeps within its budget by dropping the least recently used', () => {
    // Each entry costs 2 · 2 (key) + 48 (one token): room for two.
    const cache = new TokenCountCache(104);
    let reads = 0;
    const of = (key: string) => cache.of(key, () => (reads++, doc(key)));
    of('aa');
    of('bb');
    of('aa');
    of('cc');
    expect(cache.size).toBe(2);
    expect(reads).toBe(3);
    of('aa');
    expect(reads).toBe(3);
    of('bb');
    expect(reads).toBe(4);
  });
});

describe('SqliteStorage searchText() past the cut', () => {
  it('finds the few filtered traces among thousands that hold a common word, and never a forgotten one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'physarum-rank-'));
    const storage = SqliteStorage.open({ path: path.join(dir, 'store.db'), durability: 'normal' });
    try {
      const mira = { name: 'mira', role: 'human' as const };
      const hers = [0, 1, 2].map((i) => makeTrace({ text: `deploy checklist ${i}`, author: mira, createdAt: T0 + i }));
      const others = Array.from({ length: 2_100 }, (_, i) => makeTrace({ text: `deploy run ${i}`, createdAt: T0 + 10 + i }));
      await storage.write(async (w) => {
        for (const t of [...hers, ...others]) await w.insertTrace(t, traceIndexing(t));
      });
      await storage.write((w) => w.eraseTrace(hers[1]!.id, '[forgotten]', T0 + DAY));
      const found = await storage.read((r) => r.searchText(['deploy'], { statuses: ['live'], author: 'mira' }, 10));
      expect(found.map((h) => h.head.id).sort()).toEqual([hers[0]!.id, hers[2]!.id].sort());
      const unfiltered = await storage.read((r) => r.searchText(['deploy'], { statuses: ['live'] }, 10));
      expect(unfiltered).toHaveLength(10);
    } finally {
      await storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
