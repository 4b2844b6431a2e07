import { describe, expect, it } from 'vitest';
import { type Cut, Locators, MAX_CHARS, MIN_CHARS, Splitter, TARGET_CHARS, locatorOf } from './split.js';

function cutLines(lines: string[]): Cut[] {
  const cuts: Cut[] = [];
  const s = new Splitter((c) => cuts.push(c));
  lines.forEach((l, i) => s.line(l, i + 1));
  s.end();
  return cuts;
}

const words = (n: number, seed = 1): string => {
  const vocab = ['tide', 'marsh', 'lantern', 'kettle', 'ledger', 'harbour', 'willow', 'signal', 'copper', 'ember', 'orchard', 'meadow'];
  let x = seed;
  return Array.from({ length: n }, () => vocab[(x = (x * 1103515245 + 12345) % 2147483648) % vocab.length]).join(' ');
};
const para = (i: number): string => `${words(20 + (i % 15), i + 1)}. ${words(10 + (i % 7), i + 100)}.`;

describe('Splitter', () => {
  it('keeps a short text as one piece with its line range', () => {
    const cuts = cutLines(['First paragraph here.', '', 'Second one, on', 'two lines.']);
    expect(cuts).toHaveLength(1);
    expect(cuts[0]).toMatchObject({ text: 'First paragraph here.\n\nSecond one, on\ntwo lines.', start: 1, end: 4, index: 0 });
  });

  it('packs paragraphs into pieces between the minimum and the maximum, aiming at the target', () => {
    const lines = Array.from({ length: 200 }, (_, i) => [para(i), '']).flat();
    const cuts = cutLines(lines);
    expect(cuts.length).toBeGreaterThan(10);
    for (const c of cuts) expect(c.text.length).toBeLessThanOrEqual(MAX_CHARS);
    for (const c of cuts.slice(0, -1)) expect(c.text.length).toBeGreaterThanOrEqual(MIN_CHARS);
    const mean = cuts.reduce((n, c) => n + c.text.length, 0) / cuts.length;
    expect(mean).toBeGreaterThan(MIN_CHARS);
    expect(mean).toBeLessThan(TARGET_CHARS * 1.5);
    // Nothing is lost or reordered.
    expect(cuts.map((c) => c.text).join('\n\n')).toBe(lines.filter((l) => l !== '').join('\n\n'));
  });

  it('cuts a very long paragraph at sentence ends, never inside a word', () => {
    const long = Array.from({ length: 120 }, (_, i) => `${words(12, i + 7)}.`).join(' ');
    const cuts = cutLines([long]);
    expect(cuts.length).toBeGreaterThan(1);
    for (const c of cuts) {
      expect(c.text.length).toBeLessThanOrEqual(MAX_CHARS);
      expect(c.text.endsWith('.')).toBe(true);
    }
    expect(cuts.map((c) => c.text).join(' ')).toBe(long);
  });

  it('cuts a sentence longer than the maximum at whitespace, and only a giant word mid-word', () => {
    const sentence = words(900, 3); // ~6,000 characters, no full stop
    const cuts = cutLines([sentence]);
    for (const c of cuts) expect(c.text.length).toBeLessThanOrEqual(MAX_CHARS);
    expect(cuts.map((c) => c.text).join(' ')).toBe(sentence);
    const blob = 'x'.repeat(5000);
    const blobCuts = cutLines([blob]);
    expect(blobCuts.map((c) => c.text.length)).toEqual([2000, 2000, 1000]);
  });

  it('streams a paragraph far larger than memory would like in bounded steps', () => {
    const cuts: Cut[] = [];
    const s = new Splitter((c) => cuts.push(c));
    let emittedDuringStream = 0;
    for (let i = 0; i < 3000; i++) {
      s.line(`${words(14, i)} line ${i} ends here.`, i + 1);
      emittedDuringStream = cuts.length;
    }
    expect(emittedDuringStream).toBeGreaterThan(50); // pieces leave before the paragraph ends
    s.end();
    expect(cuts.at(-1)?.end).toBe(3000);
    expect(cuts[0]?.start).toBe(1);
  });

  it('re-cuts only the pieces near an edit (content-defined boundaries)', () => {
    const paras = Array.from({ length: 120 }, (_, i) => para(i));
    const before = cutLines(paras.flatMap((p) => [p, '']));
    const edited = [...paras];
    edited.splice(5, 0, 'A brand new paragraph inserted near the top of the document, long enough to matter a little.');
    const after = cutLines(edited.flatMap((p) => [p, '']));
    const beforeTexts = new Set(before.map((c) => c.text));
    const changed = after.filter((c) => !beforeTexts.has(c.text));
    expect(changed.length).toBeLessThanOrEqual(3);
    const beforeAnchors = new Set(before.map((c) => c.anchor));
    expect(after.filter((c) => !beforeAnchors.has(c.anchor)).length).toBeLessThanOrEqual(3);
  });

  it('accepts whole paragraphs with places and times, uniting them per piece', () => {
    const cuts: Cut[] = [];
    const s = new Splitter((c) => cuts.push(c));
    s.paragraph('Read the file.', { start: 3, places: ['src/a.ts'], at: 1000 });
    s.paragraph('Edit src/a.ts → ok', { start: 4, sep: '\n', places: ['src/a.ts', 'src/b.ts'], at: 2000 });
    s.end();
    expect(cuts).toEqual([expect.objectContaining({ text: 'Read the file.\nEdit src/a.ts → ok', places: ['src/a.ts', 'src/b.ts'], at: 1000, start: 3, end: 4 })]);
  });
});

describe('locatorOf() and Locators', () => {
  it('names the first piece by its key and later ones by key and anchor', () => {
    const cut = (index: number): Cut => ({ text: 't', start: 1, end: 1, anchor: 'abc', index, places: [] });
    expect(locatorOf('Part One', cut(0))).toBe('Part One');
    expect(locatorOf('Part One', cut(1))).toBe('Part One @abc');
    expect(locatorOf(undefined, cut(0))).toBe('@abc');
  });

  it('numbers repeated locators in order', () => {
    const l = new Locators();
    expect(['Notes', 'Notes', 'Other', 'Notes'].map((x) => l.unique(x))).toEqual(['Notes', 'Notes (2)', 'Other', 'Notes (3)']);
  });
});
