// Loading LoCoMo conversations by path: turns (with session dates) and questions (with normalised evidence).
// The data stays where it is (../shared/bench/...); nothing is copied into the project.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

/** LoCoMo's question categories as they are commonly labelled (5, adversarial, is excluded). */
export const CATEGORY_NAMES = { 1: 'multi-hop', 2: 'temporal', 3: 'open-domain', 4: 'single-hop' };
export const CATEGORIES = [1, 2, 3, 4];

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** '1:56 pm on 8 May, 2023' → epoch ms (read as UTC, so the figures do not depend on the machine's zone). */
export function parseSessionDate(s) {
  const m = /^\s*(\d{1,2}):(\d{2})\s*([ap])\.?m\.?\s+on\s+(\d{1,2})\s+([A-Za-z]+),?\s+(\d{4})\s*$/iu.exec(String(s));
  if (!m) throw new Error(`unrecognised session date ${JSON.stringify(s)}`);
  const [, hh, mm, ap, day, monthName, year] = m;
  const month = MONTHS.findIndex((x) => x.startsWith(monthName.toLowerCase().slice(0, 3)));
  if (month < 0) throw new Error(`unrecognised month in ${JSON.stringify(s)}`);
  let hour = Number(hh) % 12;
  if (ap.toLowerCase() === 'p') hour += 12;
  return Date.UTC(Number(year), month, Number(day), hour, Number(mm));
}

/** The text one turn is deposited (and indexed by the reference) as: its text plus its image caption. */
export function turnText(turn) {
  const text = String(turn.text ?? '').trim();
  const caption = turn.blip_caption ? String(turn.blip_caption).trim() : '';
  if (!caption) return text;
  return text ? `${text} [image: ${caption}]` : `[image: ${caption}]`;
}

/**
 * Splits and repairs one evidence entry: 'D8:6; D9:17' → ['D8:6', 'D9:17'], 'D:11:26' → ['D11:26'],
 * 'D30:05' → ['D30:5']. Pieces that cannot be read as D<session>:<turn> are returned in `bad`.
 */
export function normaliseEvidence(entry) {
  const ids = [];
  const bad = [];
  for (const piece of String(entry).split(/[;,\s]+/u).filter((p) => p.length > 0)) {
    const m = /^D:?(\d+):(\d+)$/iu.exec(piece);
    if (m) ids.push(`D${Number(m[1])}:${Number(m[2])}`);
    else bad.push(piece);
  }
  return { ids, bad };
}

/**
 * One conversation: turns in order, each with session number and date; questions of categories 1–4
 * with evidence normalised to turn ids that exist. Counts what was repaired and what was dropped.
 */
export function loadConversation(file) {
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  const conv = raw.conversation ?? raw; // the original release nests sessions under "conversation"
  const sessions = Object.keys(conv)
    .map((k) => /^session_(\d+)$/u.exec(k))
    .filter((m) => m && Array.isArray(conv[m[0]]))
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const turns = [];
  for (const n of sessions) {
    const at = parseSessionDate(conv[`session_${n}_date_time`]);
    for (const t of conv[`session_${n}`]) {
      turns.push({ id: normaliseEvidence(t.dia_id).ids[0] ?? String(t.dia_id), speaker: String(t.speaker), session: n, at, text: turnText(t) });
    }
  }
  const known = new Set(turns.map((t) => t.id));
  const stats = { repaired: 0, droppedMalformed: [], droppedUnknown: [], noEvidence: [], category5: 0 };
  const questions = [];
  for (const q of raw.qa ?? []) {
    const category = Number(q.category);
    if (!CATEGORIES.includes(category)) {
      stats.category5 += 1;
      continue;
    }
    const evidence = new Set();
    for (const entry of q.evidence ?? []) {
      const { ids, bad } = normaliseEvidence(entry);
      if (ids.length > 0 && !(ids.length === 1 && ids[0] === entry)) stats.repaired += 1;
      for (const b of bad) stats.droppedMalformed.push({ question: q.question, id: b });
      for (const id of ids) {
        if (known.has(id)) evidence.add(id);
        else stats.droppedUnknown.push({ question: q.question, id });
      }
    }
    if (evidence.size === 0) {
      stats.noEvidence.push(q.question);
      continue;
    }
    questions.push({ question: String(q.question), category, evidence: [...evidence], answer: q.answer });
  }
  return { name: basename(file).replace(/\.json$/u, ''), speakers: [conv.speaker_a, conv.speaker_b], turns, questions, stats };
}

/** Every *.json conversation in a folder (or one file), sorted by name. */
export function loadConversations(dataPath) {
  const files = statSync(dataPath).isDirectory()
    ? readdirSync(dataPath)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => join(dataPath, f))
    : [dataPath];
  if (files.length === 0) throw new Error(`no .json conversations in ${dataPath}`);
  return files.map(loadConversation);
}

/** Recall figures for ranked turn-id lists: R@k (share of evidence in top k) and All@k (all of it), as percentages. */
export const KS = [1, 5, 10, 20];

export function scoreQuestion(ranked, evidence) {
  const out = {};
  for (const k of KS) {
    const top = new Set(ranked.slice(0, k));
    const found = evidence.filter((e) => top.has(e)).length;
    out[`R@${k}`] = found / evidence.length;
    out[`All@${k}`] = found === evidence.length ? 1 : 0;
  }
  return out;
}

/** Averages per-question scores into overall and per-category percentages. */
export function aggregate(scored) {
  const avg = (list) => {
    const out = { questions: list.length };
    for (const k of KS) {
      out[`R@${k}`] = list.length ? (100 * list.reduce((a, s) => a + s.score[`R@${k}`], 0)) / list.length : NaN;
    }
    for (const k of KS) {
      out[`All@${k}`] = list.length ? (100 * list.reduce((a, s) => a + s.score[`All@${k}`], 0)) / list.length : NaN;
    }
    return out;
  };
  const byCategory = {};
  for (const c of CATEGORIES) byCategory[c] = { name: CATEGORY_NAMES[c], ...avg(scored.filter((s) => s.category === c)) };
  return { overall: avg(scored), byCategory };
}
