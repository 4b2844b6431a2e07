// The recall section of the benchmarks page, rendered from `bench/recall.mjs --json --baseline --analyse`.
import { fmt, machineLine, mdTable, targetLine } from './markdown.mjs';

export const name = 'recall';
export const file = 'recall.json';
export const command = ['bench/recall.mjs', '--json', '--baseline', '--analyse'];
export const shownCommand = 'npm run bench:recall -- --baseline --analyse';

const KS = [1, 5, 10, 20];
const CATEGORY_ORDER = ['1', '2', '3', '4'];

/** The targets, checked against the figures. */
export function targets(r) {
  return [
    { target: 'R@10 ≥ 70 on the LoCoMo dev half', measured: fmt(r.overall['R@10']), ok: r.overall['R@10'] >= 70 },
    { target: 'R@5 ≥ 60 on the LoCoMo dev half', measured: fmt(r.overall['R@5']), ok: r.overall['R@5'] >= 60 },
  ];
}

const row = (label, o) => [label, ...KS.map((k) => fmt(o[`R@${k}`])), fmt(o['All@10'])];

export function render(r) {
  const out = [];
  out.push(`## Recall: \`${shownCommand}\``);
  out.push('');
  out.push(`Machine: ${machineLine(r.machine)}.`);
  out.push('');
  out.push(
    `LoCoMo conversations (the dev half: ${r.turns.toLocaleString('en')} turns, ${r.questions} questions of categories 1–4), read by path, never copied into the project. ` +
      "Each turn is deposited through the public library API as one trace (speaker as author, the session's date as its time, image captions included); " +
      "each question is asked through `search()`. R@k is the share of a question's evidence turns in the top k, averaged; All@10 counts questions with every evidence turn in the top 10.",
  );
  out.push('');
  const rows = [row('**Physarum**', r.overall)];
  for (const c of CATEGORY_ORDER) {
    const b = r.byCategory[c];
    if (b) rows.push(row(`${c} ${b.name} (${b.questions})`, b));
  }
  if (r.baseline) rows.push(row('Reference BM25 (k1 1.2, b 0.75, stopwords, Porter; `bench/bm25-reference.mjs`)', r.baseline.overall));
  out.push(mdTable(['', ...KS.map((k) => `R@${k}`), 'All@10'], rows));
  out.push('');
  out.push(`A top-10 result list averages about ${fmt(r.tokensTop10, 0)} tokens. No neural model is involved.`);
  out.push('');
  out.push('Targets:');
  out.push('');
  for (const t of targets(r)) out.push(targetLine(t));
  const a = r.analysis;
  if (a) {
    out.push('');
    out.push('### What each part contributes');
    out.push('');
    out.push(
      '`--analyse` replays the ranking with one change at a time over the same stores, through the product’s own ranking module ' +
        `(\`dist/storage/sqlite/search.js\`) and constants; the replica ${a.replicaMatchesApi ? 'gives exactly the API’s figures' : '**differs from the API’s figures**'}.`,
    );
    out.push('');
    const base = a.variants[0].overall['R@10'];
    const delta = (v) => `${v.overall['R@10'] - base >= 0 ? '+' : '−'}${fmt(Math.abs(v.overall['R@10'] - base))}`;
    const vrow = (v) => [v.name, ...KS.map((k) => fmt(v.overall[`R@${k}`])), delta(v), ...CATEGORY_ORDER.map((c) => fmt(v.byCategory[c]?.['R@10']))];
    const header = ['ranking', ...KS.map((k) => `R@${k}`), 'ΔR@10', ...CATEGORY_ORDER.map((c) => `R@10 c${c}`)];
    const shown = a.variants.filter((v, i) => i === 0 || v.name.startsWith('decomposition') || v.name.startsWith('common-word path'));
    out.push(mdTable(header, shown.map(vrow)));
    out.push('');
    out.push(
      'The common-word rows force the method used for words found in more than 2,000 traces (see [concepts](concepts.md#search)) onto these small stores, ' +
        'where no word reaches the cut, so its effect on real questions is measured rather than assumed.',
    );
    out.push('');
    out.push('<details><summary>Every variant measured</summary>');
    out.push('');
    out.push(mdTable(header, a.variants.map(vrow)));
    out.push('');
    out.push('</details>');
    if (a.versusReference) {
      const v = a.versusReference;
      out.push('');
      out.push(`Question by question against the reference (R@10): better on ${v.better}, worse on ${v.worse}, equal on ${v.same}.`);
    }
  }
  return out.join('\n');
}
