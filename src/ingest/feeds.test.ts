import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { feedItems, parseFeed, parseXml } from './feeds.js';
import type { ParseContext, Piece, Problem } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'physarum-feeds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function parse(xml: string, format: 'rss' | 'atom'): Promise<{ pieces: Piece[]; skipped: Array<Omit<Problem, 'file'>>; warnings: Array<Omit<Problem, 'file'>> }> {
  const path = join(dir, `feed-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(path, xml);
  const skipped: Array<Omit<Problem, 'file'>> = [];
  const warnings: Array<Omit<Problem, 'file'>> = [];
  const ctx: ParseContext = { path, uri: 'feeds/f.xml', place: 'feeds/f.xml', skip: (p) => skipped.push(p), warn: (p) => warnings.push(p), onBytes: () => undefined };
  const pieces: Piece[] = [];
  for await (const p of parseFeed(ctx, { invalid: 0, repairedLines: 0 }, format)) pieces.push(p);
  return { pieces, skipped, warnings };
}

describe('parseXml()', () => {
  it('keeps CDATA as written and decodes character data', () => {
    const { root, problems } = parseXml('<a x="1 &amp; 2"><b><![CDATA[<p>raw &amp; kept</p>]]></b><c>x &lt; y &#x263A;</c></a>');
    const a = root.children[0];
    expect(problems).toEqual([]);
    expect(a?.attrs).toEqual({ x: '1 & 2' });
    expect(a?.children.map((c) => c.text)).toEqual(['<p>raw &amp; kept</p>', 'x < y ☺']);
  });

  it('reports unterminated sections and stray end tags with their lines', () => {
    expect(parseXml('<a>\n</b>\n<![CDATA[never').problems).toEqual([
      { line: 2, reason: '</b> closes nothing that is open' },
      { line: 3, reason: 'CDATA section is never closed (no "]]>")' },
    ]);
  });
});

describe('parseFeed() on RSS', () => {
  const rss = `<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Tide &amp; Time</title>
<item>
  <title><![CDATA[Knots &amp; splices]]></title>
  <link>https://sea.example.com/knots?utm_medium=feed&amp;id=7</link>
  <guid isPermaLink="false">knots-7</guid>
  <dc:creator>Ada Roper</dc:creator>
  <pubDate>Mon, 02 Mar 2026 06:30:00 +0000</pubDate>
  <category>rope work</category>
  <description>&lt;p&gt;A bowline &amp;amp; a reef knot.&lt;/p&gt;&lt;script&gt;evil()&lt;/script&gt;</description>
</item>
<item><title>No link here</title><description>Just text, in &#8220;quotes&#8221;.</description><pubDate>not a date</pubDate></item>
</channel></rss>`;

  it('makes one source item per <item> with title, link as place, author, date and decoded text', async () => {
    const { pieces, warnings } = await parse(rss, 'rss');
    expect(pieces).toHaveLength(2);
    expect(pieces[0]).toMatchObject({
      locator: 'knots-7',
      text: 'Knots & splices\n\nA bowline & a reef knot.',
      places: ['https://sea.example.com/knots?utm_medium=feed&id=7'],
      tags: ['rope-work'],
      at: Date.UTC(2026, 2, 2, 6, 30),
      meta: { title: 'Knots & splices', author: 'Ada Roper', id: 'knots-7', feed: 'Tide & Time', date: '2026-03-02T06:30:00.000Z' },
    });
    // Without guid or link, the item is named by a hash of its title and date; its place is the feed file.
    expect(pieces[1]?.locator).toMatch(/^item-[0-9a-f]{10}$/);
    expect(pieces[1]).toMatchObject({ text: 'No link here\n\nJust text, in “quotes”.', places: ['feeds/f.xml'] });
    expect(pieces[1]?.at).toBeUndefined();
    expect(warnings).toEqual([{ line: 12, reason: 'date "not a date" could not be read; the item keeps the time of ingest' }]);
  });

  it('skips an item that is never closed, with its line, and keeps the rest', async () => {
    const broken = `<rss><channel>
<item><title>Good</title><guid>g1</guid><description>fine</description></item>
<item><title>Broken</title><description>no end
<item><title>Also good</title><guid>g3</guid></item>
</channel></rss>`;
    const { pieces, skipped } = await parse(broken, 'rss');
    expect(pieces.map((p) => p.locator)).toEqual(['g1', 'g3']);
    expect(skipped).toEqual([{ line: 3, reason: '<item> is never closed; skipped' }]);
  });

  it('reports a document without items', async () => {
    const { pieces, skipped } = await parse('<rss><channel><title>Empty</title></channel></rss>', 'rss');
    expect(pieces).toEqual([]);
    expect(skipped).toEqual([{ reason: 'no <item> elements found' }]);
  });
});

describe('parseFeed() on Atom', () => {
  it('reads entries with html, xhtml and text content, alternate links and author names', async () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">Notes</title>
<entry><title type="html">A &amp;amp; B</title><link rel="self" href="https://x.example/self"/><link rel="alternate" href="https://x.example/a"/>
<id>tag:x,2026:1</id><updated>2026-01-02T03:04:05Z</updated><author><name>Kim</name></author>
<content type="html">&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;</content></entry>
<entry><title>Two</title><id>tag:x,2026:2</id><summary>plain &lt;text&gt;</summary></entry>
<entry><title>Three</title><id>tag:x,2026:3</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One.</p><p>Two &amp; more.</p></div></content></entry>
</feed>`;
    const { pieces } = await parse(atom, 'atom');
    expect(pieces.map((p) => [p.locator, p.text, p.places[0], p.meta['author'] ?? null])).toEqual([
      ['tag:x,2026:1', 'A & B\n\nHello world', 'https://x.example/a', 'Kim'],
      ['tag:x,2026:2', 'Two\n\nplain <text>', 'feeds/f.xml', null],
      ['tag:x,2026:3', 'Three\n\nOne.\n\nTwo & more.', 'feeds/f.xml', null],
    ]);
    expect(pieces[0]?.at).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
  });

  it('splits a long entry into several pieces named by id and anchor', async () => {
    const body = Array.from({ length: 40 }, (_, i) => `<p>Paragraph ${i} says something about lighthouses and the sea at some length, again and again.</p>`).join('');
    const { pieces } = await parse(`<feed><entry><id>long-1</id><title>Long</title><content type="html"><![CDATA[${body}]]></content></entry></feed>`, 'atom');
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces[0]?.locator).toBe('long-1');
    for (const p of pieces.slice(1)) expect(p.locator).toMatch(/^long-1 @[0-9a-f]{10}$/);
    for (const p of pieces) expect(p.text.startsWith('Long\n\n')).toBe(true);
  });
});

describe('feedItems()', () => {
  it('finds RSS 1.0 items by rdf:about', () => {
    const { root } = parseXml('<rdf:RDF><item rdf:about="https://r.example/1"><title>One</title></item></rdf:RDF>');
    expect(feedItems(root, 'rss').items[0]).toMatchObject({ id: 'https://r.example/1', link: 'https://r.example/1', title: 'One' });
  });
});
