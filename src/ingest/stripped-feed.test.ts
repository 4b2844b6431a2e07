import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { looksLikeStrippedFeed, strippedFeedItems } from './stripped-feed.js';
import { detectFormat } from './detect.js';

const FIXTURE = join(import.meta.dirname, '../../test/fixtures/ingest/feeds/stripped.txt');
const text = readFileSync(FIXTURE, 'utf8');

describe('strippedFeedItems()', () => {
  it('recovers each item with its title, link, guid, date and body, and the channel title', () => {
    const { title, items } = strippedFeedItems(text);
    expect(title).toBe('Kite Club');
    expect(items.map((i) => [i.title, i.link, i.id, i.date])).toEqual([
      ['Flying in sea wind', 'https://kites.example.com/posts/a1B2c3D4e5/flying-in-sea-wind', 'a1B2c3D4e5', Date.UTC(2026, 2, 3, 9, 30)],
      ['Repairing a torn sail', 'https://kites.example.com/posts/f6G7h8I9j0/repairing-a-torn-sail', 'f6G7h8I9j0', Date.UTC(2026, 2, 2, 18, 5)],
    ]);
    expect(items[0]?.html).toBe('<p>Onshore wind is steady in the afternoon, so the club meets at four.</p>\n<p>Bring a spare line &amp; a reel.</p>\n<p>Discuss</p>');
    expect(items[1]?.html).toContain('stitch it &lt;properly> in winter');
    expect(items.map((i) => i.line)).toEqual([1, 9]);
  });

  it('keeps a link whole when no guid is glued to it', () => {
    const { items } = strippedFeedItems('<![CDATA[Note]]>Body text.]]>\nhttps://example.org/a/bThu, 05 Mar 2026 08:00:00 +0100\n');
    expect(items).toMatchObject([{ title: 'Note', link: 'https://example.org/a/b', id: 'https://example.org/a/b', date: Date.UTC(2026, 2, 5, 7) }]);
  });

  it('finds nothing in text that merely mentions CDATA', () => {
    const prose = 'XML lets you write <![CDATA[raw text]]> inside an element.\nThat is all.]]>\nno link here\n';
    expect(strippedFeedItems(prose).items).toEqual([]);
    expect(looksLikeStrippedFeed(prose)).toBe(false);
  });
});

describe('detectFormat() on a stripped feed', () => {
  it('reads it as RSS and says why', async () => {
    expect(await detectFormat(FIXTURE)).toEqual({ format: 'rss', why: '.txt, RSS with its tags stripped (CDATA titles, link and date lines)' });
  });

  it('leaves plain text with a CDATA mention as text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'physarum-detect-'));
    const path = join(dir, 'x.txt');
    writeFileSync(path, 'A note about <![CDATA[sections]]> in XML.\n');
    expect(await detectFormat(path)).toMatchObject({ format: 'text' });
  });
});
