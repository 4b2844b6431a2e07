// A conservative token count for briefing budgets: never fewer tokens than common BPE tokenizers produce.

export const TOKEN_ESTIMATE_RULE =
  'Runs of ASCII letters count one token per 4 characters (at least 1); runs of digits one per 3; each ASCII punctuation or symbol character 1; ' +
  'a single space before a word is free, any other whitespace run 1; each non-ASCII character as many tokens as its UTF-8 bytes.';

/**
 * Estimates tokens conservatively (see TOKEN_ESTIMATE_RULE). Byte-level BPE never uses more tokens than UTF-8
 * bytes, so non-ASCII text is counted at that worst case; English words, which real tokenizers merge into
 * pieces of about four characters, are counted at one token per four letters, rounded up.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (!((d >= 65 && d <= 90) || (d >= 97 && d <= 122))) break;
        j++;
      }
      tokens += Math.ceil((j - i) / 4);
      i = j;
    } else if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (!(d >= 48 && d <= 57)) break;
        j++;
      }
      tokens += Math.ceil((j - i) / 3);
      i = j;
    } else if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (!(d === 32 || d === 9 || d === 10 || d === 13 || d === 11 || d === 12)) break;
        j++;
      }
      // A lone space is merged into the following word by every BPE tokenizer we know; anything else is a token.
      if (!(j - i === 1 && c === 32)) tokens += 1;
      i = j;
    } else if (c < 128) {
      tokens += 1;
      i += 1;
    } else {
      const cp = text.codePointAt(i) ?? c;
      tokens += cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      i += cp >= 0x10000 ? 2 : 1;
    }
  }
  return tokens;
}
