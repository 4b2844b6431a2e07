// RSS whose tags were stripped (a feed copied out of a viewer or a scraper, CDATA sections left in): items are
// recovered from what survives, a `<![CDATA[title]]>` opening each item and a `…]]>` line ending it, followed by
// the item's link, guid and date run together on one line.
import type { FeedItem } from './feeds.js';

// A CDATA section on one line, short enough to be a title.
const TITLE = /<!\[CDATA\[([^\]\n]{1,300})\]\]>/gu;
// The line after an item's body: link, guid and date with nothing between them.
const TRAILER = /^(https?:\/\/\S+?)((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}(?::\d{2})? (?:GMT|UT|UTC|Z|[+-]\d{4}))\s*$/u;
// The end of an item's body: "]]>" closing a line, the trailer on the next.
const BODY_END = /\]\]>[ \t]*\r?\n([^\n]*)/gu;

interface Marker {
  index: number;
  end: number;
  title: string;
}

/** The line number (1-based) of a position. */
function lineOf(text: string, pos: number, from: { pos: number; line: number }): number {
  for (let k = text.indexOf('\n', from.pos); k !== -1 && k < pos; k = text.indexOf('\n', k + 1)) from.line++;
  from.pos = Math.max(from.pos, pos);
  return from.line;
}

/**
 * Splits "https://site/posts/ID/slugID" into the link and the guid glued to it: the longest ending that is also a
 * whole path segment earlier in the URL. Without one, the URL is taken as it is.
 */
function splitLinkAndGuid(run: string): { link: string; guid?: string } {
  for (let len = Math.min(64, Math.floor(run.length / 2)); len >= 6; len--) {
    const guid = run.slice(-len);
    if (!/^[\w-]+$/u.test(guid)) continue;
    const link = run.slice(0, -len);
    if (link.includes(`/${guid}/`)) return { link, guid };
  }
  return { link: run };
}

/** True when the text reads as a feed with its tags stripped: an item with a title, a body end and its trailer. */
export function looksLikeStrippedFeed(text: string): boolean {
  return text.includes('<![CDATA[') && strippedFeedItems(text).items.length >= 1;
}

/** The items of a tag-stripped RSS text, in order, and the feed's title (the first CDATA title before any item). */
export function strippedFeedItems(text: string): { title?: string; items: FeedItem[] } {
  const markers: Marker[] = [...text.matchAll(TITLE)].map((m) => ({ index: m.index, end: m.index + m[0].length, title: (m[1] ?? '').trim() }));
  const items: FeedItem[] = [];
  const cursor = { pos: 0, line: 1 };
  let from = 0;
  let next = 0;
  let feedTitle: string | undefined;
  for (const end of text.matchAll(BODY_END)) {
    const trailer = TRAILER.exec((end[1] ?? '').trim());
    if (!trailer) continue;
    // The item's title is the last title opened since the previous item ended; earlier ones belong to the channel.
    // Markers are in text order, so those opened since `from` are a run starting at `next`.
    while (next < markers.length && (markers[next]?.index ?? Infinity) < from) next++;
    let last = next;
    while (last < markers.length && (markers[last]?.end ?? Infinity) <= end.index) last++;
    const own = last > next ? markers[last - 1] : undefined;
    if (!own) continue;
    if (items.length === 0 && last - next > 1) feedTitle = markers[next]?.title;
    const { link, guid } = splitLinkAndGuid(trailer[1] ?? '');
    const date = Date.parse(trailer[2] ?? '');
    const body = text.slice(own.end, end.index).replace(/\r\n?/gu, '\n');
    items.push({
      id: guid ?? link,
      title: own.title,
      link,
      ...(Number.isFinite(date) ? { date } : { badDate: trailer[2] ?? '' }),
      // The body is plain text by now; paragraphs become HTML blocks, so it is cut like any feed item.
      html: body
        .split(/\n[ \t]*\n/u)
        .map((p) => p.trim())
        .filter((p) => p !== '')
        .map((p) => `<p>${p.replace(/&/gu, '&amp;').replace(/</gu, '&lt;')}</p>`)
        .join('\n'),
      categories: [],
      line: lineOf(text, own.index, cursor),
      closed: true,
    });
    from = end.index + end[0].length;
  }
  return { ...(feedTitle !== undefined ? { title: feedTitle } : {}), items };
}
