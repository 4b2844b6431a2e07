// Profiling evidence for the speed benchmark: the SQL one search runs, statement by statement, through the
// product's own ranking module (dist/storage/sqlite/search.js) on a filled store, beside what exact FTS5
// BM25 over every query word would cost, and how much of that exact top 10 the product's text ranking keeps.
import Database from 'better-sqlite3';
import { BM25, phrase, rankText, rescore, TokenCountCache } from '../../dist/storage/sqlite/search.js';
import { queryTerms } from '../../dist/search/query.js';
import { summarize } from './common.mjs';

/** What each statement of rankText is, by its text (for grouping timings). */
function kindOf(sql) {
  if (sql.startsWith('SELECT count(*)')) return 'count';
  if (sql.includes('max(seq)')) return 'newest';
  if (sql.includes('bm25(')) return 'exact';
  return 'window';
}

export async function profileSearch(storePath, queries, { budgetMs = 45_000, pool = 13 } = {}) {
  const db = new Database(storePath, { readonly: true });
  try {
    const statements = new Map();
    const prepare = (sql) => statements.get(sql) ?? statements.set(sql, db.prepare(sql)).get(sql);
    const exactSql = `SELECT rowid AS seq, ${BM25} AS bm FROM traces_fts WHERE traces_fts MATCH ? ORDER BY bm, rowid DESC LIMIT 10`;
    const rowsSql = 'SELECT seq, text, tags, places, author_name FROM traces NOT INDEXED WHERE seq IN (SELECT value FROM json_each(?))';
    const timings = { rank: [], count: [], exact: [], window: [], rescore: [], exactAllWords: [] };
    // Token counts kept across searches by the candidates' values, as the storage keeps them.
    const counts = new TokenCountCache(16 * 2 ** 20);
    let commonWords = 0;
    let words = 0;
    let overlap = 0;
    let compared = 0;
    const started = performance.now();
    for (const q of queries) {
      if (compared >= 20 && performance.now() - started > budgetMs) break;
      const terms = queryTerms(q);
      if (terms.length === 0) continue;
      const perKind = { count: 0, exact: 0, window: 0, newest: 0 };
      const query = (sql, params) => {
        const t = performance.now();
        const rows = prepare(sql).all(...params);
        perKind[kindOf(sql)] += performance.now() - t;
        return rows;
      };
      let t = performance.now();
      const ranked = rankText(query, terms, { pool });
      const rows = prepare(rowsSql).all(JSON.stringify(ranked.hits.map((h) => h.seq)));
      const texts = new Map(
        rows.map((r) => [
          r.seq,
          counts.of(`${r.text.length},${r.tags.length},${r.places.length}:${r.text}${r.tags}${r.places}${r.author_name}`, () => ({
            text: r.text,
            tags: JSON.parse(r.tags),
            places: JSON.parse(r.places),
            author: r.author_name,
          })),
        ]),
      );
      const mine = rescore(ranked, texts).slice(0, 10);
      timings.rank.push(performance.now() - t);
      for (const k of ['count', 'exact', 'window']) timings[k].push(perKind[k]);
      timings.rescore.push(timings.rank[timings.rank.length - 1] - perKind.count - perKind.exact - perKind.window - perKind.newest);
      t = performance.now();
      const exact = prepare(exactSql).all(terms.map(phrase).join(' OR '));
      timings.exactAllWords.push(performance.now() - t);
      const top = new Set(exact.map((r) => r.seq));
      overlap += top.size ? mine.filter((h) => top.has(h.seq)).length / top.size : 1;
      compared += 1;
      words += terms.length;
      commonWords += ranked.common.length;
    }
    return {
      queries: compared,
      meanWords: words / Math.max(1, compared),
      meanCommonWords: commonWords / Math.max(1, compared),
      top10OverlapWithExact: overlap / Math.max(1, compared),
      ms: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, summarize(v)])),
    };
  } finally {
    db.close();
  }
}
