// An independent BM25 (k1 1.2, b 0.75) over LoCoMo turns: the reference figure Physarum's search is compared with.
// One document per turn (text + image caption); lowercase, English stopwords dropped, Porter stemming.
//
//   node bench/bm25-reference.mjs [--data DIR] [--json]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stemmer } from 'stemmer';
import { PROJECT_ROOT, fmt, machineLines, parseArgs, table } from './lib/common.mjs';
import { CATEGORIES, CATEGORY_NAMES, KS, aggregate, loadConversations, scoreQuestion } from './lib/locomo.mjs';

/** NLTK's English stopword list (the common choice for "English stopwords"). */
export const ENGLISH_STOPWORDS = new Set(
  `i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves he him his himself
  she she's her hers herself it it's its itself they them their theirs themselves what which who whom this that that'll
  these those am is are was were be been being have has had having do does did doing a an the and but if or because as
  until while of at by for with about against between into through during before after above below to from up down in
  out on off over under again further then once here there when where why how all any both each few more most other some
  such no nor not only own same so than too very s t can will just don don't should should've now d ll m o re ve y ain
  aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma mightn
  mightn't mustn mustn't needn needn't shan shan't shouldn shouldn't wasn wasn't weren weren't won won't wouldn wouldn't`.split(/\s+/u),
);

/** Lowercased letter/digit runs (apostrophes split words, as in most tokenizers), stopwords dropped, stemmed. */
export function analyse(text, { stopwords = ENGLISH_STOPWORDS, stem = true } = {}) {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const out = [];
  for (const w of words) {
    if (stopwords && stopwords.has(w)) continue;
    out.push(stem ? stemmer(w) : w);
  }
  return out;
}

/**
 * A BM25 index over documents (arrays of terms). idf 'okapi' (default, as in the rank_bm25 package):
 * ln((N − n + 0.5) / (n + 0.5)), and 0.25 × the mean idf for terms in more than half the documents;
 * idf 'lucene': ln(1 + (N − n + 0.5) / (n + 0.5)).
 */
export class Bm25 {
  constructor(docs, { k1 = 1.2, b = 0.75, idf = 'okapi' } = {}) {
    this.k1 = k1;
    this.b = b;
    this.idfKind = idf;
    this.n = docs.length;
    this.len = docs.map((d) => d.length);
    this.avgdl = this.len.reduce((a, x) => a + x, 0) / Math.max(1, this.n);
    this.postings = new Map(); // term → Map(doc → tf)
    docs.forEach((terms, i) => {
      for (const t of terms) {
        let p = this.postings.get(t);
        if (!p) this.postings.set(t, (p = new Map()));
        p.set(i, (p.get(i) ?? 0) + 1);
      }
    });
  }

  idf(term) {
    const df = this.postings.get(term)?.size ?? 0;
    if (this.idfKind === 'lucene') return Math.log(1 + (this.n - df + 0.5) / (df + 0.5));
    if (this.meanIdf === undefined) {
      let sum = 0;
      for (const p of this.postings.values()) sum += Math.log((this.n - p.size + 0.5) / (p.size + 0.5));
      this.meanIdf = sum / Math.max(1, this.postings.size);
    }
    const v = Math.log((this.n - df + 0.5) / (df + 0.5));
    return v > 0 ? v : 0.25 * this.meanIdf;
  }

  /** Scores of every document matching at least one query term (OR), as a Map doc → score. */
  scores(queryTerms) {
    const scores = new Map();
    for (const term of new Set(queryTerms)) {
      const p = this.postings.get(term);
      if (!p) continue;
      const idf = this.idf(term);
      for (const [doc, tf] of p) {
        const norm = tf + this.k1 * (1 - this.b + (this.b * this.len[doc]) / this.avgdl);
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * tf * (this.k1 + 1)) / norm);
      }
    }
    return scores;
  }

  /** Document indices, best first (ties: earlier document first), at most `limit`. */
  search(queryTerms, limit) {
    return [...this.scores(queryTerms)]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, limit)
      .map(([doc]) => doc);
  }
}

/** Runs the reference over loaded conversations; returns per-question scores and the aggregate. */
export function runReference(conversations, options = {}) {
  const limit = options.limit ?? 20;
  const scored = [];
  for (const conv of conversations) {
    const index = new Bm25(conv.turns.map((t) => analyse(t.text, options)), options);
    for (const q of conv.questions) {
      const ranked = index.search(analyse(q.question, options), limit).map((i) => conv.turns[i].id);
      scored.push({ conversation: conv.name, question: q.question, category: q.category, evidence: q.evidence, ranked, score: scoreQuestion(ranked, q.evidence) });
    }
  }
  return { scored, ...aggregate(scored) };
}

async function main() {
  const args = parseArgs(process.argv.slice(2), { data: 'string', json: 'bool' });
  const dataDir = resolve(PROJECT_ROOT, args.data ?? '../shared/bench/locomo-dev');
  const result = runReference(loadConversations(dataDir));
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ method: 'bm25-reference', data: dataDir, overall: result.overall, byCategory: result.byCategory }, null, 2)}\n`);
    return;
  }
  console.log(machineLines().join('\n'));
  console.log(`data: ${dataDir}\n`);
  const row = (label, a) => [label, a.questions, ...KS.map((k) => fmt(a[`R@${k}`])), ...KS.map((k) => fmt(a[`All@${k}`]))];
  console.log(
    table(
      ['BM25 reference', 'n', ...KS.map((k) => `R@${k}`), ...KS.map((k) => `All@${k}`)],
      [row('overall', result.overall), ...CATEGORIES.map((c) => row(`${c} ${CATEGORY_NAMES[c]}`, result.byCategory[c]))],
    ),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
