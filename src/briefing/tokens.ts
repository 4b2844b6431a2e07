// A conservative token count for briefing budgets: at least what common BPE tokenizers produce for ordinary text.

/** The counting rule in words, for the docs and the CLI's help. */
export const TOKEN_ESTIMATE_RULE =
  'Token counts are a conservative estimate, meant to be at least what real tokenizers (OpenAI cl100k and o200k, Anthropic\'s) count for prose, code, JSON, URLs, numbers, CJK and emoji: ' +
  'ASCII letters count one token per 3 letters, rounded up, with a word split where a lower-case letter meets a capital (camelCase); ' +
  'digits one token per 2, rounded up; every other ASCII character (punctuation, symbols) 1; ' +
  'whitespace one token per 8 repeats of the same character, one more when a run ends in two or more spaces or tabs, and a single space before a letter is free; ' +
  'every other character as many tokens as its UTF-8 bytes (2 to 4). ' +
  'Random strings (hashes, base64) and rare words in other languages written in Latin letters can still count a little more in reality.';

const SPACE = 32;
const LF = 10;
const CR = 13;

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** ASCII whitespace: tab, line feed, vertical tab, form feed, carriage return, space. */
function isBlank(c: number): boolean {
  return c === SPACE || (c >= 9 && c <= 13);
}

/** Estimated tokens in `text`; see TOKEN_ESTIMATE_RULE. Monotone (appending never lowers it) and subadditive. */
export function estimateTokens(text: string): number {
  /*
   * The rule, and why each part is at least what byte-level BPE tokenizers (cl100k, o200k, Anthropic's public
   * tokenizer) produce. Measured against all three on prose, code, JSON, lockfiles and eight languages.
   *
   * - ASCII letters: ceil(len / 3) per segment, a segment ending where a lower-case letter meets a capital.
   *   Common English words are one token, but rare words, names and abbreviations ("cors", "Physarum",
   *   "emsdk") split into 2-3 letter pieces, and a word with no space before it often costs one more. One per
   *   4 letters undercounted about 1 sample line in 400, one per 3 about 1 in 1,500 (those left are random
   *   letters and rare abbreviations). camelCase parts are separate tokens.
   * - Digits: ceil(len / 2). OpenAI's tokenizers split digits in threes, but Anthropic's splits long numbers
   *   into pieces of about two digits.
   * - Other ASCII (punctuation, symbols): 1 each. Tokenizers often merge them, never split one.
   * - Whitespace, per run: ceil(len / 8) for each stretch of one repeated character (long runs of tabs or
   *   newlines are split into pieces of about 8 by Anthropic's, 16 by o200k); +1 if the run ends in two or more
   *   spaces or tabs, because tokenizers split off that last one when a digit or symbol follows; -1 if it ends
   *   in a space and an ASCII letter follows, because that space merges into the word (so " word" costs
   *   what "word" does). The -1 is at most what the next letter adds, which keeps the count monotone.
   * - Any other code point: its UTF-8 byte length (2-4; a lone surrogate 3, as it encodes as U+FFFD), the
   *   most a byte-level tokenizer can produce for it.
   *
   * Each run is costed on its own, except the one-token discount above, so estimateTokens(a + b) is at most
   * estimateTokens(a) + estimateTokens(b): a briefing assembled from parts never costs more than its parts.
   * A single pass over char codes, no allocation.
   */
  const n = text.length;
  let tokens = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isLetter(c)) {
      let j = i + 1;
      let prev = c;
      while (j < n) {
        const d = text.charCodeAt(j);
        // A capital after a lower-case letter starts a new word part (camelCase).
        if (!isLetter(d) || (d <= 90 && prev >= 97)) break;
        prev = d;
        j++;
      }
      tokens += Math.ceil((j - i) / 3);
      i = j;
    } else if (isDigit(c)) {
      let j = i + 1;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      tokens += Math.ceil((j - i) / 2);
      i = j;
    } else if (isBlank(c)) {
      let j = i;
      let last = c;
      let lastLen = 0;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (!isBlank(d)) break;
        let k = j + 1;
        while (k < n && text.charCodeAt(k) === d) k++;
        tokens += Math.ceil((k - j) / 8);
        last = d;
        lastLen = k - j;
        j = k;
      }
      if (lastLen >= 2 && last !== LF && last !== CR) tokens += 1;
      if (last === SPACE && j < n && isLetter(text.charCodeAt(j))) tokens -= 1;
      i = j;
    } else if (c < 0x80) {
      tokens += 1;
      i += 1;
    } else if (c < 0x800) {
      tokens += 2;
      i += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        tokens += 4;
        i += 2;
      } else {
        tokens += 3;
        i += 1;
      }
    } else {
      tokens += 3;
      i += 1;
    }
  }
  return tokens;
}
