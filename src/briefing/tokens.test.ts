import { describe, expect, it } from 'vitest';
import { estimateTokens } from './tokens.js';

describe('estimateTokens()', () => {
  it('counts nothing for empty text', () => {
    expect(estimateTokens('')).toBe(0);
  });

  // Lower bounds: what real BPE tokenizers (cl100k) produce; the estimate must never be below them.
  it.each([
    ['hello world', 2],
    ['The quick brown fox jumps over the lazy dog.', 10],
    ['1234567890', 4],
    ['こんにちは世界', 5],
    ['🙂🙂🙂', 6],
    ['{"id": "01J9ZQ", "kind": "note"}', 14],
    ['https://example.com/path/to/a/page?query=1&x=2', 15],
    ['const answer = compute(values.map((v) => v * 2));', 16],
  ])('never counts fewer tokens than a real tokenizer for %j', (text, real) => {
    expect(estimateTokens(text)).toBeGreaterThanOrEqual(real);
  });

  it('never decreases as text grows', () => {
    const text = 'Physarum leaves trails: 42 traces, ünïcödé, emoji 🦠, and {"json": [1, 2, 3]}.\nSecond line.';
    let last = 0;
    for (let i = 0; i <= text.length; i++) {
      const n = estimateTokens(text.slice(0, i));
      expect(n).toBeGreaterThanOrEqual(last);
      last = n;
    }
  });

  it('stays within twice a typical count for English prose', () => {
    const words = 'the memory keeps small notes where the work happens and lets used trails grow stronger'.split(' ');
    const prose = Array.from({ length: 500 }, (_, i) => words[i % words.length]).join(' ');
    expect(estimateTokens(prose)).toBeLessThanOrEqual(2 * 500 * 1.4);
  });
});
