import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTag, parseFrontmatter, parseMarkdown, plainHeading } from './markdown.js';
import type { ParseContext, Piece } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'physarum-md-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function parse(text: string): Promise<Piece[]> {
  const path = join(dir, `doc-${Math.random().toString(36).slice(2)}.md`);
  writeFileSync(path, text);
  const ctx: ParseContext = { path, uri: 'notes/doc.md', place: 'notes/doc.md', skip: () => undefined, warn: () => undefined, onBytes: () => undefined };
  const pieces: Piece[] = [];
  for await (const p of parseMarkdown(ctx, { invalid: 0, repairedLines: 0 })) pieces.push(p);
  return pieces;
}

describe('parseFrontmatter()', () => {
  it('reads tags as a YAML list, an inline list or a comma string', () => {
    expect(parseFrontmatter(['tags:', '  - alpha', '  - "beta gamma"']).tags).toEqual(['alpha', 'beta-gamma']);
    expect(parseFrontmatter(['tags: [alpha, "beta", #gamma]']).tags).toEqual(['alpha', 'beta', 'gamma']);
    expect(parseFrontmatter(['tags: alpha, beta,  gamma delta']).tags).toEqual(['alpha', 'beta', 'gamma-delta']);
    expect(parseFrontmatter(['keywords: one', 'title: "A Title"', 'date: 2026-02-03']).tags).toEqual(['one']);
  });

  it('reads the title and the date', () => {
    expect(parseFrontmatter(['title: "A Title"', 'date: 2026-02-03'])).toEqual({ tags: [], title: 'A Title', date: Date.UTC(2026, 1, 3) });
    expect(parseFrontmatter(['date: someday']).date).toBeUndefined();
  });

  it('makes any tag acceptable to a trace', () => {
    expect(cleanTag('  #open question, maybe ')).toBe('open-question-maybe');
    expect(cleanTag('   ')).toBeUndefined();
    expect(cleanTag('x'.repeat(80))).toHaveLength(64);
  });
});

describe('plainHeading()', () => {
  it('drops inline markup', () => {
    expect(plainHeading('The **bold** `code` [link](http://x) _em_ {#anchor}')).toBe('The bold code link em');
  });
});

describe('parseMarkdown()', () => {
  const doc = `---
title: Heat
tags: [physics, essay]
date: 2026-01-12
---
Intro before any heading.

# Heat and Order

Kettles.

## Part One

Everyday picture.

### Entropy

Boltzmann counted.

\`\`\`sh
# not a heading inside a fence
\`\`\`

## Part Two
Second part.

Setext Title
============

Under a setext heading.

# Empty Section
# After Empty

Text.
`;

  it('splits at headings, keeping the heading path as the place section and the locator', async () => {
    const pieces = await parse(doc);
    expect(pieces.map((p) => [p.locator, p.places[0]])).toEqual([
      [expect.stringMatching(/^@[0-9a-f]{10}$/), 'notes/doc.md'],
      ['Heat and Order', 'notes/doc.md#Heat and Order'],
      ['Heat and Order > Part One', 'notes/doc.md#Heat and Order > Part One'],
      ['Heat and Order > Part One > Entropy', 'notes/doc.md#Heat and Order > Part One > Entropy'],
      ['Heat and Order > Part Two', 'notes/doc.md#Heat and Order > Part Two'],
      ['Setext Title', 'notes/doc.md#Setext Title'],
      ['After Empty', 'notes/doc.md#After Empty'],
    ]);
    expect(pieces[3]?.text).toBe('### Entropy\n\nBoltzmann counted.\n\n```sh\n# not a heading inside a fence\n```');
    expect(pieces[3]).toMatchObject({ tags: ['physics', 'essay'], at: Date.UTC(2026, 0, 12), meta: { title: 'Heat', section: 'Heat and Order > Part One > Entropy', lines: 'L16-L22' } });
  });

  it('splits a long section into pieces named by the section and an anchor', async () => {
    const body = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} of a long section about tides, harbours and the habits of gulls.`).join('\n\n');
    const pieces = await parse(`# Long\n\n${body}\n`);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces[0]?.locator).toBe('Long');
    for (const p of pieces.slice(1)) {
      expect(p.locator).toMatch(/^Long @[0-9a-f]{10}$/);
      expect(p.places).toEqual(['notes/doc.md#Long']);
    }
  });

  it('treats an unclosed frontmatter as text', async () => {
    const pieces = await parse('---\ntitle: x\n\nno closing line here\n');
    expect(pieces.map((p) => p.text).join('\n')).toContain('no closing line here');
  });
});
