// Turns whatever a person or agent types into plain search terms: no query syntax reaches the index.

// Common English function words; they match almost everything and only add noise to BM25.
const STOPWORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both but by
  can could did do does doing down during each few for from further had has have having he her here hers herself him
  himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other
  our ours ourselves out over own same she should so some such than that the their theirs them themselves then there
  these they this those through to too under until up very was we were what when where which while who whom why will
  with would you your yours yourself yourselves s t don`.split(/\s+/u),
);

export const MAX_QUERY_TERMS = 32;

/**
 * Lowercased word and number tokens of the query, stopwords dropped (unless nothing else is left),
 * deduplicated, at most MAX_QUERY_TERMS. Quotes, operators, emoji and punctuation are ignored,
 * so no input can make the full-text engine fail.
 */
export function queryTerms(query: string): string[] {
  // Split exactly where the index's tokenizer does (apostrophes too: "won't" is "won" + "t"), so every term can match.
  const cleaned = query.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const content = cleaned.filter((w) => !STOPWORDS.has(w));
  const chosen = content.length > 0 ? content : cleaned;
  return [...new Set(chosen)].slice(0, MAX_QUERY_TERMS);
}
