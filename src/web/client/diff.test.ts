import { describe, expect, it } from 'vitest';
import { diffLines } from './diff.js';

describe('diffLines()', () => {
  it('keeps shared lines and marks the changed ones', () => {
    expect(diffLines('a\nb\nc', 'a\nB\nc\nd')).toEqual([
      { op: 'same', text: 'a' },
      { op: 'add', text: 'B' },
      { op: 'remove', text: 'b' },
      { op: 'same', text: 'c' },
      { op: 'add', text: 'd' },
    ]);
  });

  it('shows a new document as all added lines', () => {
    expect(diffLines('', 'x\ny')).toEqual([
      { op: 'add', text: 'x' },
      { op: 'add', text: 'y' },
    ]);
  });

  it('rebuilds both texts from its output', () => {
    const before = 'one\ntwo\nthree\nfour\nfive';
    const after = 'zero\none\nthree\nfour!\nfive\nsix';
    const d = diffLines(before, after);
    expect(d.filter((l) => l.op !== 'add').map((l) => l.text).join('\n')).toBe(before);
    expect(d.filter((l) => l.op !== 'remove').map((l) => l.text).join('\n')).toBe(after);
  });
});
