// Realistic, varied synthetic traces from a seeded PRNG: notes agents leave while working on a code base
// and its documents, at ~2,000 places (files, sections, URLs, topics), with Zipf-like word and place use.

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const words = (s) => s.trim().split(/\s+/u);

// Content words, roughly by how often they turn up in engineering notes (earlier = more frequent).
export const NOUNS = words(`
  test build function module error config parser cache request response query index file schema migration type
  handler server client token session user account payload field value result list map buffer stream queue worker
  job task thread lock timeout retry limit budget latency memory disk network socket connection pool transaction
  commit branch release version dependency package bundle script hook event log metric trace span alert dashboard
  endpoint route middleware header cookie credential secret key certificate permission role policy rule check
  validation input output format encoding unicode string number date timezone clock timer interval deadline
  database table column row record document page section paragraph chapter draft outline essay argument claim
  citation reference source footnote figure diagram chart plot sample dataset experiment model baseline benchmark
  score ranking recall precision threshold weight feature vector embedding tokenizer stemmer stopword term phrase
  snippet summary note insight decision warning question answer todo instruction identity trail place topic
  folder path directory url link anchor heading markdown json yaml csv sqlite postgres redis kafka docker image
  container cluster node replica shard backup snapshot restore checkpoint wal fsync journal vacuum pragma
  compiler linter formatter typescript javascript python rust golang interface generic union enum constant
  variable parameter argument callback promise future async await closure iterator generator reducer selector
  component layout style theme color font icon button form modal dialog menu toolbar sidebar footer header
  browser window viewport screen mobile desktop terminal shell command flag option help usage manual tutorial
  customer invoice order payment refund subscription plan price discount coupon report export import upload
  download archive attachment email message notification reminder calendar meeting agenda minutes deadline
  entropy energy temperature pressure volume density gradient equation proof theorem lemma definition axiom
  hypothesis observation measurement error-bar variance mean median distribution histogram regression
`);
export const VERBS = words(`
  fix add remove rename refactor split merge move update upgrade downgrade pin bump revert rewrite simplify
  document explain clarify test verify validate check measure profile optimise cache index batch stream parse
  serialise encode decode escape sanitise normalise redact log trace monitor alert retry throttle debounce
  lock unlock migrate backfill seed rollback deploy release publish build bundle compile lint format review
  approve reject question challenge endorse follow read write open close flush sync compact vacuum prune
`);
export const ADJECTIVES = words(`
  slow fast flaky stable broken fixed missing stale fresh large small empty null duplicate invalid valid
  unicode legacy new old public private internal external shared global local nested recursive async
  blocking concurrent atomic durable lossy strict lenient verbose quiet noisy expensive cheap hidden
`);
const REASONS = [
  'because the test was flaky on CI',
  'since the old behaviour dropped the last row',
  'otherwise the cache returns stale values',
  'so that concurrent writers do not lose updates',
  'as the spec requires it',
  'after the reviewer asked for it',
  'to keep latency under the budget',
  'because users reported a crash',
  'which saves about 30% of the time',
  'so the briefing fits the token budget',
  'because the upstream API changed',
  'to avoid a deadlock between two transactions',
];
const TEMPLATES = [
  (g) => `${cap(g.verb())} the ${g.adj()} ${g.noun()} in ${g.ident()} ${g.reason()}.`,
  (g) => `The ${g.noun()} ${g.noun()} is ${g.adj()} when the ${g.noun()} is ${g.adj()}; ${g.verb()} it before the ${g.noun()} ${g.noun()}.`,
  (g) => `Don't ${g.verb()} ${g.ident()} directly: it ${g.verbs()} the ${g.noun()} and the ${g.noun()} ${g.noun()} goes ${g.adj()}.`,
  (g) => `Decided to ${g.verb()} the ${g.noun()} ${g.noun()} ${g.reason()}. Alternatives: ${g.verb()} the ${g.noun()}, or ${g.verb()} ${g.ident()}.`,
  (g) => `Why does ${g.ident()} ${g.verb()} the ${g.adj()} ${g.noun()} twice? Looks related to the ${g.noun()} ${g.noun()} (${g.num()} ms).`,
  (g) => `TODO: ${g.verb()} the ${g.noun()} for ${g.noun()} ${g.noun()}s; ${g.num()} of ${g.num()} cases still ${g.adj()}.`,
  (g) => `${cap(g.noun())} ${g.noun()}: ${g.verb()} with ${g.ident()} ${g.reason()}; measured ${g.num()} ${g.noun()}s per second.`,
  (g) => `Section on ${g.noun()} relies on the ${g.adj()} ${g.noun()} definition; don't switch to the ${g.noun()} one mid-${g.noun()}.`,
  (g) => `Found that the ${g.noun()} ${g.verbs()} ${g.adj()} ${g.noun()}s when ${g.ident()} is ${g.adj()}. ${cap(g.verb())} the ${g.noun()} first.`,
  (g) => `Warning: ${g.ident()} ${g.verbs()} the ${g.noun()} without a ${g.noun()}; a ${g.adj()} ${g.noun()} ${g.noun()} follows.`,
];
const KINDS = [
  ['note', 40],
  ['insight', 15],
  ['decision', 12],
  ['warning', 10],
  ['todo', 10],
  ['question', 10],
  ['instruction', 3],
];
const TAGS = words(`perf bug security api docs tests ci db search ui ux infra release refactor flaky urgent idea
  parser cache auth billing data ml writing review`);
const DIRS = words(`src lib app server client api core db search auth billing ui cli docs test scripts tools web worker`);
const SUBS = words(`storage parser cache routes models views utils hooks jobs events metrics config schema handlers`);
const EXTS = ['ts', 'ts', 'ts', 'js', 'md', 'json', 'py', 'sql', 'tsx', 'css'];

/** Third person singular: fix → fixes, verify → verifies, log → logs. */
function third(v) {
  if (/(s|x|z|ch|sh)$/u.test(v)) return `${v}es`;
  if (/[^aeiou]y$/u.test(v)) return `${v.slice(0, -1)}ies`;
  return `${v}s`;
}

function cap(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A Zipf-like pick: index i with weight 1/(i+1)^s, by inverse transform on a precomputed CDF. */
function zipfPicker(n, s, rand) {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cdf[i] = total += 1 / Math.pow(i + 1, s);
  return () => {
    const x = rand() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** ~2,000 places: files, sections of documents, URLs and topics. */
export function makePlaces(count = 2000, seed = 7) {
  const rand = prng(seed);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const out = new Set();
  while (out.size < count) {
    const r = rand();
    if (r < 0.7) out.add(`${pick(DIRS)}/${pick(SUBS)}/${pick(NOUNS)}${rand() < 0.5 ? `-${pick(NOUNS)}` : ''}.${pick(EXTS)}`);
    else if (r < 0.8) out.add(`docs/${pick(NOUNS)}.md#${cap(pick(NOUNS))} ${pick(NOUNS)}`);
    else if (r < 0.88) out.add(`https://docs.example.com/${pick(NOUNS)}/${pick(NOUNS)}`);
    else out.add(`topic:${pick(NOUNS)}${rand() < 0.5 ? `/${pick(NOUNS)}` : ''}`);
  }
  return [...out];
}

/**
 * A generator of deposit inputs: `next()` returns { input, actor }. Deterministic for a seed. The first
 * `count` traces are dated across the `spanMs` before `now`, in deposit order (as a store fills up over
 * months); later ones carry no date (the store's clock dates them).
 */
export function traceGenerator({ seed = 42, places = makePlaces(), now = Date.now(), spanMs = 180 * 86_400_000, count = 0 } = {}) {
  const rand = prng(seed);
  const noun = zipfPicker(NOUNS.length, 1.0, rand);
  const verb = zipfPicker(VERBS.length, 0.9, rand);
  const adj = zipfPicker(ADJECTIVES.length, 0.9, rand);
  const place = zipfPicker(places.length, 0.8, rand);
  const kindTotal = KINDS.reduce((a, [, w]) => a + w, 0);
  const agents = Array.from({ length: 24 }, (_, i) => ({ name: `agent-${i + 1}`, role: 'agent', model: i % 3 === 0 ? 'claude-opus-4' : 'claude-sonnet-4' }));
  const people = ['ada', 'grace', 'linus'].map((name) => ({ name, role: 'human' }));
  let n = 0;
  const g = {
    noun: () => NOUNS[noun()],
    verb: () => VERBS[verb()],
    verbs: () => third(VERBS[verb()]),
    adj: () => ADJECTIVES[adj()],
    num: () => String(Math.floor(rand() * (rand() < 0.5 ? 100 : 10_000))),
    ident: () => `${NOUNS[noun()]}${cap(NOUNS[noun()])}()`,
    reason: () => REASONS[Math.floor(rand() * REASONS.length)],
  };
  const kind = () => {
    let x = rand() * kindTotal;
    for (const [k, w] of KINDS) if ((x -= w) < 0) return k;
    return 'note';
  };
  return {
    places,
    next() {
      n += 1;
      const sentences = 1 + Math.floor(rand() * 3);
      const parts = [];
      for (let i = 0; i < sentences; i++) parts.push(TEMPLATES[Math.floor(rand() * TEMPLATES.length)](g));
      // A serial number keeps every text distinct, as real notes are (no deduplication skews the counts).
      const text = `${parts.join(' ')} (#${n})`;
      const at = n <= count ? Math.floor(now - spanMs + ((n - 1 + rand()) * spanMs) / count) : undefined;
      const p = [places[place()]];
      if (rand() < 0.15) p.push(places[place()]);
      const tags = rand() < 0.4 ? [TAGS[Math.floor(rand() * TAGS.length)]] : [];
      const actor = rand() < 0.9 ? agents[Math.floor(rand() * agents.length)] : people[Math.floor(rand() * people.length)];
      return { input: { text, kind: kind(), places: [...new Set(p)], tags, ...(at !== undefined ? { at } : {}) }, actor };
    },
    /** A search query of 1–4 content words, as an agent would type it. */
    query() {
      const k = 1 + Math.floor(rand() * 4);
      const q = [];
      for (let i = 0; i < k; i++) q.push(rand() < 0.3 ? VERBS[verb()] : NOUNS[noun()]);
      return q.join(' ');
    },
    /** A single content word (for servers that match a substring). */
    word() {
      return NOUNS[noun()];
    },
    place() {
      return places[place()];
    },
  };
}
