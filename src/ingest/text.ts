// Plain text, streamed line by line into pieces (see split.ts); each piece is named by the anchor of its first
// paragraph or sentence, so inserting text elsewhere leaves it alone.
import { type DecodeNotes, readLines } from './decode.js';
import { Splitter, locatorOf } from './split.js';
import type { ParseContext, Piece } from './types.js';

export async function* parseText(ctx: ParseContext, notes: DecodeNotes): AsyncGenerator<Piece> {
  const out: Piece[] = [];
  const splitter = new Splitter((cut) =>
    out.push({ locator: locatorOf(undefined, cut), text: cut.text, places: [ctx.place], meta: { lines: `L${cut.start}-L${cut.end}` }, line: cut.start }),
  );
  for await (const l of readLines(ctx.path, notes, (n) => ctx.onBytes(n))) {
    splitter.line(l.text, l.no);
    if (out.length > 0) yield* out.splice(0);
  }
  splitter.end();
  yield* out.splice(0);
}
