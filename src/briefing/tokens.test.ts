import { describe, expect, it } from 'vitest';
import { TOKEN_ESTIMATE_RULE, estimateTokens } from './tokens.js';

// A small seeded generator, so the property checks below are the same on every run.
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

// Pieces of every kind the estimate tells apart, including lone halves of a surrogate pair.
const PIECES = ['a', 'Z', 'word', 'Cap', 'camelCase', '7', '2024', ' ', '  ', '\n', '\t', '\r\n', '.', '{"', 'é', '世', '🙂', '\uD83D', '\uDE42'];

function randomText(next: () => number, pieces: number): string {
  let text = '';
  for (let i = 0; i < pieces; i++) text += PIECES[Math.floor(next() * PIECES.length)] ?? '';
  return text;
}

const SAMPLES = [
  'The quick brown fox jumps over the lazy dog.\nSecond line, indented:\n    with four spaces\tand a tab.',
  'Physarum leaves trails: 42 traces, ünïcödé, emoji 🦠🙂, 3.14159 and {"json": [1, 2, 3]}.',
  'const answer = compute(values.map((v) => v * 2));\n\t\tif (x) {\n\t\t\treturn y;\n\t\t}\n',
  'こんにちは世界 — 北京是中国的首都。 Москва 👨‍👩‍👧‍👦 https://example.com/a?b=1&c=2   100KB',
];

const PROSE = [
  'Slime moulds are strange and patient organisms. A single cell of Physarum polycephalum can spread across a',
  'forest floor as a yellow, branching network, feeling its way toward food and away from light. When',
  'researchers placed oat flakes on a map in the positions of the cities around Tokyo, the mould connected them',
  'with tubes that looked remarkably like the real railway network, balancing the length of the routes against',
  'their resilience to a cut. It does this without a brain. Each part of the cell pulses, and the tubes that',
  'carry more flow grow thicker, while the ones that carry little slowly thin out and disappear. The result is a',
  'memory that lives in the shape of the network itself: paths that were useful stay open, and paths that were',
  'not are forgotten. Software agents that work on the same project for weeks face a similar problem. Every',
  'session starts with an empty mind, and the agent must rediscover which files matter, which decisions were',
  'already made, and which mistakes were already paid for. Writing everything down does not help much, because a',
  'long document that nobody prunes becomes noise, and the agent spends its limited context reading notes that no',
  'longer apply. What helps is a small number of short notes, left where the work happens, that grow stronger',
  'when another agent finds them useful and weaker when they are ignored. A briefing built from such notes should',
  'open with the few facts that a person has approved, such as the purpose of the project, the rules that must',
  'never be broken, and the names of the people who decide. After that it can list the strongest notes for the',
  'place where the agent is about to work, each with its author, its age, and a short line saying where it came',
  'from. Notes that were copied in from outside, such as a web page, an issue comment, or a message from another',
  'tool, deserve special care, since they may contain text that looks like an instruction. They should be shown',
  'inside a clear fence, every line marked as quoted, so that the agent reads them as evidence rather than as',
  'orders. The whole briefing must also fit in a fixed budget of tokens, because the agent has other work to do',
  'and its context window is not infinite. Counting tokens exactly would require shipping the tokenizer of every',
  'model that might read the briefing, which is heavy and changes over time, so a careful estimate that never',
  'counts too few is the practical choice. It is better to leave a little room unused than to cut the last line',
  'of an important note in half. Over many sessions, the notes that keep proving useful become the trails that',
  'new agents follow first, and the rest fade quietly, much like the tubes of the mould on the forest floor. None',
  'of this replaces good judgement, but it gives each new agent a sensible and useful place to start.',
].join(' ');

describe('estimateTokens()', () => {
  it('counts nothing for empty text', () => {
    expect(estimateTokens('')).toBe(0);
  });

  it.each([
    // Letters: one per 3, rounded up; a lone space before a word is free.
    ['a', 1],
    ['word', 2],
    [' word', 2],
    ['hello world', 4],
    ['The quick brown fox jumps over the lazy dog.', 15],
    // camelCase parts are counted apart: get + User + Name.
    ['getUserName', 5],
    // Digits: one per 2; a space before a digit is not free.
    ['1234567890', 5],
    ['x 1', 3],
    // Punctuation: 1 each.
    ['{"a":1}', 7],
    // Whitespace: 1 per 8 repeats, +1 when it ends in 2 or more spaces or tabs, -1 before a letter.
    [' ', 1],
    ['\n\n', 1],
    ['   ', 2],
    ['a  b', 3],
    ['\t'.repeat(16), 3],
    ['\n    return', 4],
    // Anything else: its UTF-8 bytes.
    ['é', 2],
    ['世', 3],
    ['🙂', 4],
    ['\uD83D', 3],
  ])('counts %j as %i', (text, expected) => {
    expect(estimateTokens(text)).toBe(expected);
  });

  // cl100k counts given as lower bounds when this module was specified.
  it.each([
    ['hello world', 2],
    ['The quick brown fox jumps over the lazy dog.', 10],
    ['1234567890', 4],
    ['こんにちは世界', 5],
    ['🙂🙂🙂', 6],
    ['{"id": "01J9ZQ", "kind": "note"}', 14],
  ])('counts at least as many tokens as cl100k for %j', (text, real) => {
    expect(estimateTokens(text)).toBeGreaterThanOrEqual(real);
  });

  // The largest of the counts by cl100k, o200k and Anthropic's public tokenizer, measured when the rule was chosen.
  it.each([
    ['こんにちは世界', 8],
    ['🙂🙂🙂', 9],
    ['{"id": "01J9ZQ", "kind": "note"}', 16],
    ['https://example.com/api/v2/users/12345/traces?since=2024-01-01T00:00:00Z&limit=50', 36],
    ['const answer = compute(values.map((v) => v * 2));', 16],
    ['\tfor (const x of xs) {\n\t\tif (x) return x;\n\t}', 21],
    ['    def fib(n: int) -> int:\n        return n if n < 2 else fib(n - 1) + fib(n - 2)', 32],
    ['# Physarum', 4],
    ['## Identity (human-approved)', 7],
    ['told from a real key.', 7],
    ['3.14159265358979323846264338327950288419716939937510', 23],
    ['| 100,000 | 0.77 / 4.3 | 21.5 / 46.2 | 117 MiB |', 31],
    ['  100KB body', 5],
    ['XMLHttpRequest getElementById parseJSONResponse', 10],
    ['ALL CAPS SHOUTING HEADLINE ABOUT IMPORTANT SECURITY', 13],
    ['北京是中国的首都。我喜欢编程和阅读。', 21],
    ['서울은 대한민국의 수도입니다.', 16],
    ['Москва — столица России.', 14],
    ['Über den Wolken, Größe, Straße.', 13],
    ['👨‍👩‍👧‍👦 🇫🇷 ❤️ ✨🔥💯', 33],
    ['Great job team 🎉🎉 the release shipped 🚀', 15],
    ['550e8400-e29b-41d4-a716-446655440000', 21],
    ['sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 47],
    ['[{"name":"alpha","value":3.14159},{"name":"beta","value":2.71828}]', 24],
    ['\n'.repeat(32), 2],
    ['\t'.repeat(40), 5],
    [`${' '.repeat(300)}1`, 5],
    ['┌─ external data (quoted; not instructions) ─', 13],
    ['│ quoted text', 4],
    ['x 🙂', 4],
    [' ', 1],
    [PROSE, 564],
  ])('never counts fewer tokens than real tokenizers for %j', (text, real) => {
    expect(estimateTokens(text)).toBeGreaterThanOrEqual(real);
  });

  it('never decreases as text grows', () => {
    const next = generator(7);
    const texts = [...SAMPLES, ...Array.from({ length: 40 }, () => randomText(next, 30))];
    for (const text of texts) {
      let last = 0;
      for (let i = 0; i <= text.length; i++) {
        const count = estimateTokens(text.slice(0, i));
        expect(count, JSON.stringify(text.slice(0, i))).toBeGreaterThanOrEqual(last);
        last = count;
      }
    }
  });

  it('counts joined text as no more than its parts', () => {
    const next = generator(11);
    const texts = [...SAMPLES, ...Array.from({ length: 40 }, () => randomText(next, 30))];
    for (const text of texts) {
      for (let i = 0; i <= text.length; i++) {
        const head = text.slice(0, i);
        const tail = text.slice(i);
        expect(estimateTokens(text), JSON.stringify([head, tail])).toBeLessThanOrEqual(estimateTokens(head) + estimateTokens(tail));
      }
    }
  });

  it('stays within twice a generous count for English prose', () => {
    const words = PROSE.split(/\s+/u).length;
    expect(words).toBe(500);
    expect(estimateTokens(PROSE)).toBeLessThanOrEqual(2 * words * 1.4);
  });

  it('describes its rule in one paragraph', () => {
    expect(TOKEN_ESTIMATE_RULE).not.toContain('\n');
    expect(TOKEN_ESTIMATE_RULE).toMatch(/UTF-8/u);
  });
});
