// Recall benchmark: LoCoMo conversations deposited turn by turn through the public library API, every
// question of categories 1–4 asked through Physarum's own search, scored at the turn level.
//
//   npm run bench:recall -- [--data DIR] [--json] [--baseline] [--analyse] [--dump FILE]
//
// The harness only loads data and asks questions: nothing in the product knows it is being measured.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ManualClock, openPhysarum } from '../dist/index.js';
import { estimateTokens } from '../dist/briefing/tokens.js';
import { PROJECT_ROOT, fmt, machine, machineLines, parseArgs, table } from './lib/common.mjs';
import { CATEGORIES, CATEGORY_NAMES, KS, aggregate, loadConversations, scoreQuestion } from './lib/locomo.mjs';
import { runReference } from './bm25-reference.mjs';

const LIMIT = 20;
const HOUR = 60 * 60_000;

/**
 * Deposits one conversation into a fresh store and asks its questions. `keep` leaves the store on disk
 * (for the analysis, which reads the same index) and returns its path.
 */
export async function runConversation(conv, { keep = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'physarum-recall-'));
  const store = join(dir, 'physarum.db');
  // "Now" is just after the conversation's last session: the memory is asked right after it was written.
  const end = Math.max(...conv.turns.map((t) => t.at));
  const clock = new ManualClock(end + HOUR);
  const p = await openPhysarum({ store, root: dir, clock, durability: 'normal' });
  let deduplicated = 0;
  const t0 = performance.now();
  try {
    for (const turn of conv.turns) {
      const r = await p.deposit(
        { text: turn.text, at: turn.at, meta: { turn: turn.id, session: turn.session } },
        { name: turn.speaker, role: 'human' },
      );
      if (r.deduplicated) deduplicated += 1;
    }
    const depositMs = performance.now() - t0;
    const info = await p.info();
    const scored = [];
    const t1 = performance.now();
    for (const q of conv.questions) {
      const { results, terms } = await p.search({ query: q.question, limit: LIMIT });
      const ranked = results.map((r) => String(r.trace.meta.turn));
      const tokens = estimateTokens(results.slice(0, 10).map((r) => r.trace.text).join('\n'));
      scored.push({ conversation: conv.name, question: q.question, category: q.category, evidence: q.evidence, terms, ranked, tokens, score: scoreQuestion(ranked, q.evidence) });
    }
    const searchMs = performance.now() - t1;
    return { scored, traces: info.traces, turns: conv.turns.length, deduplicated, depositMs, searchMs, store: keep ? store : undefined, dir, now: clock.now() };
  } finally {
    await p.close();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

function evidenceStats(conversations) {
  const s = { repaired: 0, droppedMalformed: [], droppedUnknown: [], questionsWithoutEvidence: [], category5: 0 };
  for (const c of conversations) {
    s.repaired += c.stats.repaired;
    s.droppedMalformed.push(...c.stats.droppedMalformed.map((d) => ({ conversation: c.name, ...d })));
    s.droppedUnknown.push(...c.stats.droppedUnknown.map((d) => ({ conversation: c.name, ...d })));
    s.questionsWithoutEvidence.push(...c.stats.noEvidence.map((q) => ({ conversation: c.name, question: q })));
    s.category5 += c.stats.category5;
  }
  return s;
}

async function main() {
  const args = parseArgs(process.argv.slice(2), { data: 'string', json: 'bool', baseline: 'bool', analyse: 'bool', analyze: 'bool', dump: 'string' });
  const analyse = Boolean(args.analyse || args.analyze);
  const dataDir = resolve(PROJECT_ROOT, args.data ?? '../shared/bench/locomo-dev');
  const conversations = loadConversations(dataDir);
  const log = args.json ? () => {} : (s = '') => console.log(s);

  const m = machine();
  log(machineLines(m).join('\n'));
  log(`data: ${dataDir} (${conversations.length} conversations)`);

  const runs = [];
  for (const conv of conversations) runs.push(await runConversation(conv, { keep: analyse }));
  const scored = runs.flatMap((r) => r.scored);
  const result = aggregate(scored);
  const tokensTop10 = scored.reduce((a, s) => a + s.tokens, 0) / Math.max(1, scored.length);
  const turns = runs.reduce((a, r) => a + r.turns, 0);
  const traces = runs.reduce((a, r) => a + r.traces, 0);
  const deduplicated = runs.reduce((a, r) => a + r.deduplicated, 0);
  const ev = evidenceStats(conversations);
  const reference = args.baseline || analyse ? runReference(conversations, { limit: LIMIT }) : undefined;

  if (args.dump) {
    const refByQ = new Map((reference?.scored ?? []).map((s) => [`${s.conversation}\u0000${s.question}`, s.ranked]));
    writeFileSync(
      args.dump,
      scored.map((s) => JSON.stringify({ ...s, reference: refByQ.get(`${s.conversation}\u0000${s.question}`) })).join('\n') + '\n',
    );
  }

  // The analysis reads the stores the runs kept; in human output it comes after the main table.
  const analysed = async () => {
    if (!analyse) return undefined;
    const { runAnalysis } = await import('./lib/analysis.mjs');
    try {
      return await runAnalysis(conversations, runs, { log, product: result, reference });
    } finally {
      for (const r of runs) if (r.dir) rmSync(r.dir, { recursive: true, force: true });
    }
  };

  const droppedIds = ev.droppedMalformed.length + ev.droppedUnknown.length;
  if (args.json) {
    const analysis = await analysed();
    const out = {
      method: 'physarum search (library API, limit 20)',
      data: dataDir,
      machine: m,
      questions: scored.length,
      overall: result.overall,
      byCategory: result.byCategory,
      tokensTop10,
      turns,
      traces,
      deduplicated,
      evidence: {
        repairedEntries: ev.repaired,
        droppedIds,
        droppedMalformed: ev.droppedMalformed,
        droppedUnknown: ev.droppedUnknown,
        questionsWithoutEvidence: ev.questionsWithoutEvidence.length,
        category5Excluded: ev.category5,
      },
      timing: {
        depositMs: runs.reduce((a, r) => a + r.depositMs, 0),
        searchMs: runs.reduce((a, r) => a + r.searchMs, 0),
      },
      ...(reference ? { baseline: { method: 'bm25-reference (k1 1.2, b 0.75)', overall: reference.overall, byCategory: reference.byCategory } } : {}),
      ...(analysis ? { analysis } : {}),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }

  log(
    `turns ${turns}, traces ${traces}${traces === turns ? ' (one per turn)' : ` (MISMATCH: ${turns - traces} turns did not become traces)`}, ` +
      `deduplicated deposits ${deduplicated}`,
  );
  log(
    `questions ${scored.length} (categories 1–4; ${ev.category5} of category 5 excluded; ${ev.questionsWithoutEvidence.length} without usable evidence skipped)`,
  );
  log(
    `evidence ids: ${ev.repaired} entries repaired (split or reformatted); ${droppedIds} dropped` +
      (droppedIds > 0
        ? `: ${[...ev.droppedMalformed.map((d) => `${d.conversation} ${JSON.stringify(d.id)} malformed`), ...ev.droppedUnknown.map((d) => `${d.conversation} ${d.id} no such turn`)].join('; ')}`
        : ''),
  );
  log(`timing: deposit ${fmt(runs.reduce((a, r) => a + r.depositMs, 0) / turns, 3)} ms/turn, search ${fmt(runs.reduce((a, r) => a + r.searchMs, 0) / scored.length, 2)} ms/question\n`);

  const header = ['', 'n', ...KS.map((k) => `R@${k}`), ...KS.map((k) => `All@${k}`)];
  const row = (label, a) => [label, a.questions, ...KS.map((k) => fmt(a[`R@${k}`])), ...KS.map((k) => fmt(a[`All@${k}`]))];
  const rows = [];
  rows.push(row('Physarum overall', result.overall));
  for (const c of CATEGORIES) rows.push(row(`  ${c} ${CATEGORY_NAMES[c]}`, result.byCategory[c]));
  if (reference) {
    rows.push(row('BM25 ref overall', reference.overall));
    for (const c of CATEGORIES) rows.push(row(`  ${c} ${CATEGORY_NAMES[c]}`, reference.byCategory[c]));
  }
  log(table(header, rows));
  if (reference) {
    log('\nside by side (Physarum | BM25 reference | difference), R@k:');
    const side = [['overall', result.overall, reference.overall], ...CATEGORIES.map((c) => [`${c} ${CATEGORY_NAMES[c]}`, result.byCategory[c], reference.byCategory[c]])];
    log(
      table(
        ['', ...KS.map((k) => `R@${k}`)],
        side.map(([label, a, b]) => [label, ...KS.map((k) => `${fmt(a[`R@${k}`])} | ${fmt(b[`R@${k}`])} | ${a[`R@${k}`] - b[`R@${k}`] >= 0 ? '+' : ''}${fmt(a[`R@${k}`] - b[`R@${k}`])}`)]),
      ),
    );
    log('(bench README reference on the dev half: R@1 29.6, R@5 50.0, R@10 58.0, R@20 65.7)');
  }
  log(`\nmean tokens in a top-10 result list (estimateTokens of the ten texts): ${fmt(tokensTop10)}`);
  await analysed();
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
