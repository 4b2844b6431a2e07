// Where Physarum's search gains and loses recall, and what ranking changes would do.
//
// A replica of src/search (same FTS5 index, same SQL, same re-ranking, the product's own constants and
// query normaliser) runs over the stores the benchmark filled; each variant changes one thing in the
// replica. Nothing in src/ is touched: the variants are proposals, measured.
import Database from 'better-sqlite3';
import { CONTEXT, NAMED_AUTHOR_BONUS, STRENGTH_WEIGHT } from '../../dist/search/index.js';
import { queryTerms } from '../../dist/search/query.js';
import { DEFAULT_STRENGTH, currentStrength } from '../../dist/strength/index.js';
import { indexToken, rankText, rescore, tokenCounts } from '../../dist/storage/sqlite/search.js';
import { ENGLISH_STOPWORDS } from '../bm25-reference.mjs';
import { CATEGORIES, CATEGORY_NAMES, KS, aggregate, scoreQuestion } from './locomo.mjs';
import { fmt, table } from './common.mjs';

const TOKENIZER = "tokenize = 'porter unicode61 remove_diacritics 2'";
const LIMIT = 20;
/** indexToken() remembered: the candidates of every question share most of their words. */
const stems = new Map();
const stemOf = (word) => stems.get(word) ?? stems.set(word, indexToken(word)).get(word);

function ftsQuery(terms, join = ' OR ') {
  return terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(join);
}

/** The product's query normaliser with another stopword list (to measure the list's effect). */
function termsWith(stopwords, { splitApostrophes = false } = {}) {
  return (query) => {
    const words = query.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
    const cleaned = splitApostrophes
      ? words.flatMap((w) => w.replace(/['’]s$/u, '').split(/['’]/u)).filter((w) => w.length > 0)
      : words.map((w) => w.replace(/['’]s$/u, '').replace(/['’]/gu, '')).filter((w) => w.length > 0);
    const content = stopwords ? cleaned.filter((w) => !stopwords.has(w)) : cleaned;
    const chosen = content.length > 0 ? content : cleaned;
    return [...new Set(chosen)].slice(0, 32);
  };
}

/** The product's terms, but contractions split the way the index's tokenizer splits them ("won't" → "won", "t"). */
function productTermsSplitApostrophes(query) {
  const q = query.replace(/(\p{L})['’](\p{L})/gu, (m, a, b) => (b.toLowerCase() === 's' ? m : `${a} ${b}`));
  return queryTerms(q);
}

/** One conversation's traces and indexes: the product's own FTS table, plus variant indexes built in memory. */
class Corpus {
  constructor(storePath, now) {
    this.now = now;
    this.store = new Database(storePath, { readonly: true, fileMustExist: true });
    const rows = this.store.prepare('SELECT seq, text, tags, places, author_name, created_at, strength, strength_at, meta FROM traces ORDER BY seq').all();
    this.bySeq = new Map();
    for (const r of rows) this.bySeq.set(r.seq, { ...r, turn: String(JSON.parse(r.meta).turn) });
    this.authors = [...new Set(rows.map((r) => r.author_name.toLowerCase()))];
    this.mem = new Database(':memory:');
    this.mem.exec(`CREATE VIRTUAL TABLE f_text USING fts5 (text, ${TOKENIZER})`);
    this.mem.exec(`CREATE VIRTUAL TABLE f_prev USING fts5 (text, tags, places, author, prev, ${TOKENIZER})`);
    const insText = this.mem.prepare('INSERT INTO f_text (rowid, text) VALUES (?, ?)');
    const insPrev = this.mem.prepare("INSERT INTO f_prev (rowid, text, tags, places, author, prev) VALUES (?, ?, '', '', ?, ?)");
    this.mem.transaction(() => {
      let prev;
      for (const r of rows) {
        insText.run(r.seq, r.text);
        // Causal context: the text of the trace written just before (within the context window), known at deposit time.
        const before = prev && Math.abs(r.created_at - prev.created_at) <= CONTEXT.withinMs ? prev.text : '';
        insPrev.run(r.seq, r.text, r.author_name, before);
        prev = r;
      }
    })();
    this.stmts = new Map();
  }

  prepare(db, sql) {
    const key = `${db === this.store ? 's' : 'm'}\u0000${sql}`;
    let s = this.stmts.get(key);
    if (!s) this.stmts.set(key, (s = db.prepare(sql)));
    return s;
  }

  /** Full-text hits as the product's searchText returns them: best first, ties newest first. */
  hits(terms, v) {
    if (v.index === 'product' && v.authorWeight === 0.5) return this.productHits(terms, v);
    const db = v.index === 'product' ? this.store : this.mem;
    const table = v.index === 'product' ? 'traces_fts' : v.index === 'text' ? 'f_text' : 'f_prev';
    const weights = v.index === 'text' ? '1.0' : v.index === 'prev' ? `1.0, 0.5, 0.5, ${v.authorWeight}, ${v.prevWeight}` : `1.0, 0.5, 0.5, ${v.authorWeight}`;
    const sql = `SELECT rowid AS seq, bm25(${table}, ${weights}) AS bm FROM ${table} WHERE ${table} MATCH ? ORDER BY bm, rowid DESC LIMIT ?`;
    return this.prepare(db, sql)
      .all(ftsQuery(terms), v.pool)
      .map((r) => ({ seq: r.seq, textScore: -r.bm }));
  }

  /**
   * The product's own ranking module (dist/storage/sqlite/search.js) over the product's index, with the
   * storage's pool (a quarter over the limit) and no filters, as searchText runs it for search().
   */
  productHits(terms, v) {
    const query = (sql, params) => this.prepare(this.store, sql).all(...params);
    const ranked = rankText(query, terms, { pool: v.pool + Math.ceil(v.pool / 4), ...v.ranking });
    const texts = new Map();
    for (const h of ranked.hits) {
      const t = this.bySeq.get(h.seq);
      texts.set(h.seq, tokenCounts({ text: t.text, tags: JSON.parse(t.tags), places: JSON.parse(t.places), author: t.author_name }, stemOf));
    }
    return rescore(ranked, texts)
      .slice(0, v.pool)
      .map((h) => ({ seq: h.seq, textScore: h.score }));
  }

  /** How many traces contain a term (any column), from the product's index. */
  df(term) {
    this.dfCache ??= new Map();
    if (!this.dfCache.has(term)) {
      this.dfCache.set(term, this.prepare(this.store, 'SELECT count(*) AS n FROM traces_fts WHERE traces_fts MATCH ?').get(`"${term.replaceAll('"', '""')}"`).n);
    }
    return this.dfCache.get(term);
  }

  /** Which of the given terms each trace contains (for coordination-style scoring). */
  termMatches(terms, v) {
    const db = v.index === 'product' ? this.store : this.mem;
    const table = v.index === 'product' ? 'traces_fts' : v.index === 'text' ? 'f_text' : 'f_prev';
    const col = v.index === 'text' ? '' : '{text} : ';
    const out = new Map();
    for (const t of terms) {
      for (const r of this.prepare(db, `SELECT rowid AS seq FROM ${table} WHERE ${table} MATCH ?`).all(`${col}"${t.replaceAll('"', '""')}"`)) {
        out.set(r.seq, (out.get(r.seq) ?? 0) + 1);
      }
    }
    return out;
  }

  close() {
    this.store.close();
    this.mem.close();
  }
}

/** The product's ranking (src/search/index.ts search()), parameterised. Returns turn ids, best first. */
function rank(corpus, question, v) {
  let terms = v.terms(question);
  if (terms.length === 0) return [];
  // Variant: a person named in the query is looked for as the author, not as a word of the text.
  const named = v.speakerPrior > 0 || v.nameAsAuthorOnly ? corpus.authors.filter((a) => terms.includes(a)) : [];
  if (v.nameAsAuthorOnly && named.length > 0 && terms.length > named.length) terms = terms.filter((t) => !named.includes(t));
  // Variant (a speed proposal): terms found in more than a share of traces are left out of the MATCH when a rarer term is there.
  if (v.pruneShare > 0) {
    const rare = terms.filter((t) => corpus.df(t) <= corpus.bySeq.size * v.pruneShare);
    terms = rare.length > 0 ? rare : [...terms].sort((a, b) => corpus.df(a) - corpus.df(b)).slice(0, 1);
  }
  const hits = corpus.hits(terms, v);
  const best = Math.max(...hits.map((h) => h.textScore), Number.MIN_VALUE);
  const pool = new Map();
  for (const h of hits) pool.set(h.seq, { seq: h.seq, relevance: Math.max(0, h.textScore) / best, context: 0 });
  if (v.coordination > 0 && terms.length > 1) {
    const matched = corpus.termMatches(terms, v);
    for (const e of pool.values()) e.relevance *= Math.pow((matched.get(e.seq) ?? 0) / terms.length, v.coordination);
    const top = Math.max(...[...pool.values()].map((e) => e.relevance), Number.MIN_VALUE);
    for (const e of pool.values()) e.relevance /= top;
  }
  const lenders = [...pool.values()].sort((a, b) => b.relevance - a.relevance).slice(0, v.hits);
  if (v.share > 0 || v.shareAfter > 0) {
    for (const l of lenders) {
      const at = corpus.bySeq.get(l.seq).created_at;
      for (let d = -v.span; d <= v.span; d++) {
        if (d === 0) continue;
        const n = corpus.bySeq.get(l.seq + d);
        if (!n || Math.abs(n.created_at - at) > v.withinMs) continue;
        const share = d > 0 && v.shareAfter !== undefined ? v.shareAfter : v.share;
        const gift = l.relevance * share * Math.pow(v.decay, Math.abs(d) - 1);
        const e = pool.get(n.seq) ?? { seq: n.seq, relevance: 0, context: 0 };
        e.context = Math.max(e.context, gift);
        pool.set(n.seq, e);
      }
    }
  }
  const scored = [...pool.values()].map((e) => {
    const t = corpus.bySeq.get(e.seq);
    const s = currentStrength(t.strength, t.strength_at, corpus.now, DEFAULT_STRENGTH.halfLifeMs);
    const bonus = v.strength ? (STRENGTH_WEIGHT * s) / (s + 1) : 0;
    const prior = named.includes(t.author_name.toLowerCase()) ? v.speakerPrior : 0;
    return { seq: e.seq, at: t.created_at, score: e.relevance + e.context + bonus + prior };
  });
  scored.sort((a, b) => b.score - a.score || b.at - a.at);
  return scored.slice(0, LIMIT).map((e) => corpus.bySeq.get(e.seq).turn);
}

/** The product as it is: src/search/index.ts's constants and query normaliser. */
export const PRODUCT = {
  terms: queryTerms,
  index: 'product',
  authorWeight: 0.5,
  prevWeight: 0,
  pool: Math.max(LIMIT * 5, 50),
  hits: CONTEXT.hits,
  span: CONTEXT.span,
  share: CONTEXT.share,
  shareAfter: undefined,
  decay: CONTEXT.decay,
  withinMs: CONTEXT.withinMs,
  strength: true,
  speakerPrior: NAMED_AUTHOR_BONUS,
  nameAsAuthorOnly: false,
  coordination: 0,
  pruneShare: 0,
  // rankText's defaults (FULL_RANK_MAX, COMMON_WINDOW); variants lower them to exercise the common-word path.
  ranking: {},
};

const NO_CONTEXT = { share: 0, shareAfter: undefined };

/** Each variant changes the product's ranking in one way (or a named combination). */
export const VARIANTS = [
  ['replica of the product (must equal the API figures)', {}],
  ['decomposition: FTS5 BM25 only (no context, no strength, no named author)', { ...NO_CONTEXT, strength: false, speakerPrior: 0 }],
  ['decomposition: + strength', { ...NO_CONTEXT, speakerPrior: 0 }],
  ['decomposition: + strength + context (no named author)', { speakerPrior: 0 }],
  ['decomposition: + context, no strength', { strength: false }],
  ['decomposition: text-only index, no context, no strength', { index: 'text', ...NO_CONTEXT, strength: false }],
  ['text-only index (speaker not indexed)', { index: 'text' }],
  ['author column weight 0 (still counts in length/idf)', { authorWeight: 0 }],
  ['author column weight 1', { authorWeight: 1 }],
  ['stopwords: NLTK list instead of the product list', { terms: termsWith(ENGLISH_STOPWORDS) }],
  ['stopwords: none dropped', { terms: termsWith(null) }],
  ['contractions split like the index ("won\'t" → won, t)', { terms: productTermsSplitApostrophes }],
  ['context share 0.3', { share: 0.3 }],
  ['context share 0.8', { share: 0.8 }],
  ['context share 1.0', { share: 1.0 }],
  ['context span 1', { span: 1 }],
  ['context span 3', { span: 3 }],
  ['context: 0.8 after, 0.4 before (replies carry answers)', { share: 0.4, shareAfter: 0.8 }],
  ['context: lenders = 50 best hits', { hits: 50 }],
  ['context decay 0.5', { decay: 0.5 }],
  ['no strength bonus', { strength: false }],
  ['named speaker: +0.1 to their traces', { speakerPrior: 0.1 }],
  ['named speaker: +0.2 to their traces', { speakerPrior: 0.2 }],
  ['named speaker: searched as author only (+0.2), not as a word', { speakerPrior: 0.2, nameAsAuthorOnly: true }],
  ['coordination: relevance × (matched/terms)^0.5', { coordination: 0.5 }],
  ['coordination: relevance × (matched/terms)^1', { coordination: 1 }],
  ['previous trace indexed in a 0.2-weight column', { index: 'prev', prevWeight: 0.2 }],
  ['previous trace indexed in a 0.5-weight column', { index: 'prev', prevWeight: 0.5 }],
  ['common-word path for words in more than 100 traces (window: the 125 newest)', { ranking: { fullRankMax: 100, window: 0 } }],
  ['common-word path for words in more than 25 traces (window: the 125 newest)', { ranking: { fullRankMax: 25, window: 0 } }],
  ['speed proposal: terms in >10% of traces left out of MATCH', { pruneShare: 0.1 }],
  ['speed proposal: terms in >25% of traces left out of MATCH', { pruneShare: 0.25 }],
  ['named speaker +0.3', { speakerPrior: 0.3 }],
  ['combined: speaker +0.2, previous-trace column 0.5', { speakerPrior: 0.2, index: 'prev', prevWeight: 0.5 }],
  ['combined: speaker +0.2, previous 0.5, coordination 0.5', { speakerPrior: 0.2, index: 'prev', prevWeight: 0.5, coordination: 0.5 }],
  ['combined: speaker +0.2, previous 0.2, coordination 0.5', { speakerPrior: 0.2, index: 'prev', prevWeight: 0.2, coordination: 0.5 }],
];

function evaluate(corpora, conversations, variant) {
  const scored = [];
  conversations.forEach((conv, i) => {
    for (const q of conv.questions) {
      const ranked = rank(corpora[i], q.question, variant);
      scored.push({ conversation: conv.name, question: q.question, category: q.category, evidence: q.evidence, ranked, score: scoreQuestion(ranked, q.evidence) });
    }
  });
  return { scored, ...aggregate(scored) };
}

/** Per question: where the product and the reference differ at R@10, and why the product missed. */
function lossReport(productScored, reference) {
  const ref = new Map(reference.scored.map((s) => [`${s.conversation}\u0000${s.question}`, s]));
  let better = 0;
  let worse = 0;
  let same = 0;
  const losses = [];
  for (const s of productScored) {
    const r = ref.get(`${s.conversation}\u0000${s.question}`);
    const d = s.score['R@10'] - r.score['R@10'];
    if (d > 1e-9) better += 1;
    else if (d < -1e-9) {
      worse += 1;
      losses.push({ s, r });
    } else same += 1;
  }
  const byCategory = {};
  for (const c of CATEGORIES) {
    const mine = productScored.filter((s) => s.category === c);
    const w = losses.filter((l) => l.s.category === c).length;
    const b = mine.filter((s) => s.score['R@10'] > ref.get(`${s.conversation}\u0000${s.question}`).score['R@10'] + 1e-9).length;
    byCategory[c] = { questions: mine.length, better: b, worse: w };
  }
  // Where did the evidence the reference found in its top 10 land in the product's ranking?
  const landed = { '11-20': 0, 'not in top 20': 0 };
  for (const { s, r } of losses) {
    const refTop = new Set(r.ranked.slice(0, 10));
    for (const e of s.evidence) {
      if (!refTop.has(e) || s.ranked.slice(0, 10).includes(e)) continue;
      const at = s.ranked.indexOf(e);
      if (at >= 10) landed['11-20'] += 1;
      else landed['not in top 20'] += 1;
    }
  }
  const missedEverywhere = productScored.filter((s) => s.score['R@20'] === 0).length;
  return { better, worse, same, byCategory, lostEvidence: landed, questionsWithNoEvidenceInTop20: missedEverywhere, examples: losses.slice(0, 8).map(({ s, r }) => ({ category: s.category, question: s.question, evidence: s.evidence, productRank: s.evidence.map((e) => s.ranked.indexOf(e) + 1 || null), referenceRank: s.evidence.map((e) => r.ranked.indexOf(e) + 1 || null) })) };
}

/** Runs every variant over the kept stores; logs tables; returns the figures. */
export async function runAnalysis(conversations, runs, { log, product, reference }) {
  const corpora = runs.map((r) => new Corpus(r.store, r.now));
  try {
    const rows = [];
    const results = [];
    let replica;
    for (const [name, change] of VARIANTS) {
      const v = { ...PRODUCT, ...change };
      const r = evaluate(corpora, conversations, v);
      if (!replica) replica = r;
      results.push({ name, overall: r.overall, byCategory: r.byCategory });
      const base = replica.overall['R@10'];
      rows.push([
        name,
        ...KS.map((k) => fmt(r.overall[`R@${k}`])),
        `${r.overall['R@10'] - base >= 0 ? '+' : ''}${fmt(r.overall['R@10'] - base)}`,
        ...CATEGORIES.map((c) => fmt(r.byCategory[c]['R@10'])),
      ]);
    }
    const exact = KS.every((k) => Math.abs(replica.overall[`R@${k}`] - product.overall[`R@${k}`]) < 1e-9);
    log('\n== Analysis: ranking variants (a replica of src/search over the same stores; one change each) ==');
    log(`replica vs. library API: ${exact ? 'identical figures' : `differs (API R@10 ${fmt(product.overall['R@10'])}, replica ${fmt(replica.overall['R@10'])})`}`);
    log(table(['variant', ...KS.map((k) => `R@${k}`), 'ΔR@10', ...CATEGORIES.map((c) => `R@10 c${c}`)], rows));
    log(`(c1 ${CATEGORY_NAMES[1]}, c2 ${CATEGORY_NAMES[2]}, c3 ${CATEGORY_NAMES[3]}, c4 ${CATEGORY_NAMES[4]})`);

    const loss = reference ? lossReport(replica.scored, reference) : undefined;
    if (loss) {
      log('\n== Analysis: Physarum vs. the BM25 reference, question by question (R@10) ==');
      log(`better on ${loss.better}, worse on ${loss.worse}, equal on ${loss.same} questions`);
      log(table(['category', 'n', 'better', 'worse'], CATEGORIES.map((c) => [`${c} ${CATEGORY_NAMES[c]}`, loss.byCategory[c].questions, loss.byCategory[c].better, loss.byCategory[c].worse])));
      log(`evidence the reference had in its top 10 but Physarum did not: ranked 11–20 ${loss.lostEvidence['11-20']}, below 20 ${loss.lostEvidence['not in top 20']}`);
      log(`questions with no evidence turn in Physarum's top 20: ${loss.questionsWithNoEvidenceInTop20}`);
      log('examples of losses (rank of each evidence turn, Physarum vs reference; - = not in top 20):');
      for (const e of loss.examples) {
        log(`  c${e.category} ${JSON.stringify(e.question)}: ${e.productRank.map((x) => x ?? '-').join(',')} vs ${e.referenceRank.map((x) => x ?? '-').join(',')}`);
      }
    }
    return { replicaMatchesApi: exact, variants: results, ...(loss ? { versusReference: loss } : {}) };
  } finally {
    for (const c of corpora) c.close();
  }
}
