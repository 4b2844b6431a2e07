// Search (full text combined with strength, with each score part shown) and sense (what lies at a place).
import * as z from 'zod';
import type { Context } from '../context.js';
import type { TraceFilters, TraceHead } from '../storage/types.js';
import { parseInput } from '../errors/parse.js';
import { invalidInput } from '../errors/index.js';
import { normalizePlace, parentPlaces } from '../places/index.js';
import { currentStrength, floorKey, parseDuration, type StrengthConfig } from '../strength/index.js';
import { loadStrengthConfig } from '../strength/config.js';
import { TRACE_KINDS, TRACE_STATUSES, type Trace, limitSchema } from '../traces/schema.js';
import { queryTerms } from './query.js';
import { routesFrom } from '../trails/emergent.js';

/** How much current strength can add to a text match (relevance is in 0..1). */
export const STRENGTH_WEIGHT = 0.25;
/** Added to traces by an author the query names ("what did Mira say about…", "aria's decision on…"). */
export const NAMED_AUTHOR_BONUS = 0.2;
export const MAX_LIMIT = 200;

const filters = {
  place: z.string().optional(),
  kind: z.union([z.enum(TRACE_KINDS), z.array(z.enum(TRACE_KINDS))], { error: `kind must be one of: ${TRACE_KINDS.join(', ')}` }).optional(),
  tag: z.union([z.string(), z.array(z.string())]).optional(),
  author: z.string().optional(),
  /** An ISO date, or a duration back from now such as "7d". */
  since: z.string().optional(),
  status: z
    .union([z.enum(TRACE_STATUSES), z.array(z.enum(TRACE_STATUSES))], { error: `status must be one of: ${TRACE_STATUSES.join(', ')}` })
    .optional(),
  limit: limitSchema(MAX_LIMIT, 10),
};

export const searchInput = z.strictObject({
  query: z.string({ error: 'query must be a string' }).max(4_000, 'query is longer than 4000 characters; shorten it'),
  ...filters,
});
export type SearchInput = z.input<typeof searchInput>;

export const senseInput = z.strictObject({
  place: z.string({ error: 'place must be a string such as "src/app.ts", "https://…" or "topic:name"' }),
  /** Also return traces at the place's parent folders (URL paths, parent topics), nearer first. */
  parents: z.boolean().default(false),
  /** Include traces that have faded below the floor. */
  includeFaded: z.boolean().default(false),
  limit: limitSchema(MAX_LIMIT, 20),
});
export type SenseInput = z.input<typeof senseInput>;

export interface ScoreParts {
  /** Raw full-text score (negated BM25; larger is better). */
  bm25: number;
  /** bm25 relative to the best match in this result set, 0..1. */
  relevance: number;
  /** A share of the relevance of hits written just before or after this trace (its context). */
  context: number;
  /** NAMED_AUTHOR_BONUS when the query names this trace's author, else 0. */
  author: number;
  /** Current strength after decay. */
  strength: number;
  /** What strength adds: STRENGTH_WEIGHT · strength / (strength + 1). */
  strengthBonus: number;
}

export interface SearchResult {
  trace: Trace;
  score: number;
  parts: ScoreParts;
}

export interface SenseResult {
  trace: Trace;
  /** Current strength; results are ordered by it. */
  score: number;
  strength: number;
  /** The place (the one sensed, or a parent) where the trace was found. */
  at: string;
}

function asList<T>(v: T | T[] | undefined): T[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}

/** `since` is a date ("2026", "2026-01-31", an ISO time) or a duration back from now with a unit ("7d", "12h"). */
export function parseSince(since: string | undefined, now: number): number | undefined {
  if (since === undefined) return undefined;
  const text = since.trim();
  if (/^\d{4}$/u.test(text)) return Date.UTC(Number(text), 0, 1);
  if (/^\d{4}-\d{2}/u.test(text) && !Number.isNaN(Date.parse(text))) return Date.parse(text);
  if (/^\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w)$/u.test(text)) return now - parseDuration(text, 'since');
  throw invalidInput('since', `${JSON.stringify(since)} is neither a date (2026-01-31) nor a duration back from now with a unit (7d, 12h)`);
}

function toFilters(ctx: Context, input: z.output<typeof searchInput>): TraceFilters {
  const since = parseSince(input.since, ctx.clock.now());
  return {
    statuses: asList(input.status) ?? ['live'],
    ...(input.place !== undefined ? { place: normalizePlace(input.place, { root: ctx.root }).key } : {}),
    ...(input.kind !== undefined ? { kinds: asList(input.kind) ?? [] } : {}),
    ...(input.tag !== undefined ? { tags: asList(input.tag) ?? [] } : {}),
    ...(input.author !== undefined ? { author: input.author } : {}),
    ...(since !== undefined ? { since } : {}),
  };
}

export function strengthNow(trace: Pick<Trace, 'strength' | 'strengthAt'>, now: number, config: StrengthConfig): number {
  return currentStrength(trace.strength, trace.strengthAt, now, config.halfLifeMs);
}

/** Context: a share of a strong hit's relevance flows to the traces written just before and after it. */
export const CONTEXT: { hits: number; span: number; share: number; decay: number; withinMs: number } = {
  /** How many of the best hits lend context. */
  hits: 30,
  /** How many positions before and after. */
  span: 2,
  /** Share of the hit's relevance given to its immediate neighbour; times `decay` for each further position. */
  share: 0.6,
  decay: 0.7,
  /** Only traces written within this time of the hit count as its context. */
  withinMs: 6 * 60 * 60_000,
};

export async function search(ctx: Context, raw: SearchInput): Promise<{ results: SearchResult[]; terms: string[] }> {
  const input = parseInput(searchInput, raw);
  const terms = queryTerms(input.query);
  const f = toFilters(ctx, input);
  if (terms.length === 0) return { results: [], terms };
  await ctx.storage.searchable();
  const now = ctx.clock.now();
  return ctx.storage.read(async (r) => {
    const config = await loadStrengthConfig(r);
    // Re-rank a generous candidate pool so strength and context can lift a slightly weaker text match.
    const poolSize = Math.max(input.limit * 5, 50);
    const hits = await r.searchText(terms, f, poolSize);
    const best = Math.max(...hits.map((h) => h.textScore), Number.MIN_VALUE);
    // The pool is ranked by the traces' heads; only the returned traces are loaded whole.
    const pool = new Map<string, { head: TraceHead; bm25: number; relevance: number; context: number }>();
    for (const { head, textScore } of hits) pool.set(head.id, { head, bm25: textScore, relevance: Math.max(0, textScore) / best, context: 0 });
    const lenders = [...pool.values()].slice(0, CONTEXT.hits);
    if (CONTEXT.share > 0 && lenders.length > 0) {
      const around = await r.neighbours(
        lenders.map((l) => l.head.id),
        { span: CONTEXT.span, withinMs: CONTEXT.withinMs, filters: f },
      );
      for (const n of around) {
        const lender = pool.get(n.of);
        if (!lender) continue;
        const gift = lender.relevance * CONTEXT.share * Math.pow(CONTEXT.decay, Math.abs(n.distance) - 1);
        const entry = pool.get(n.head.id) ?? { head: n.head, bm25: 0, relevance: 0, context: 0 };
        entry.context = Math.max(entry.context, gift);
        pool.set(n.head.id, entry);
      }
    }
    // Names are matched as written or capitalised ("mira" finds Mira's traces).
    const named = new Set(
      (await r.authorsAmong(terms.flatMap((t) => [t, t.charAt(0).toUpperCase() + t.slice(1)]))).map((a) => a.toLowerCase()),
    );
    const ranked = [...pool.values()].map(({ head, bm25, relevance, context }) => {
      const strength = strengthNow(head, now, config);
      const strengthBonus = (STRENGTH_WEIGHT * strength) / (strength + 1);
      const author = named.has(head.authorName.toLowerCase()) ? NAMED_AUTHOR_BONUS : 0;
      return { head, score: relevance + context + author + strengthBonus, parts: { bm25, relevance, context, author, strength, strengthBonus } };
    });
    ranked.sort((a, b) => b.score - a.score || b.head.createdAt - a.head.createdAt);
    const top = ranked.slice(0, input.limit);
    // Read in the same snapshot as the heads, so every one is found.
    const traces = new Map((await r.getTraces(top.map((x) => x.head.id))).map((t) => [t.id, t]));
    const results = top.flatMap(({ head, score, parts }) => {
      const trace = traces.get(head.id);
      return trace === undefined ? [] : [{ trace, score, parts }];
    });
    return { results, terms };
  });
}

export interface NextPlace {
  place: string;
  /** Current strength of the route. */
  strength: number;
  /** How many times instances took it. */
  count: number;
}

/** How many well-trodden onward routes sense reports. */
export const NEXT_PLACES = 3;

export async function sense(ctx: Context, raw: SenseInput): Promise<{ place: string; results: SenseResult[]; next: NextPlace[] }> {
  const input = parseInput(senseInput, raw);
  const place = normalizePlace(input.place, { root: ctx.root });
  const places = [place.key, ...(input.parents ? parentPlaces(place).map((p) => p.key) : [])];
  const now = ctx.clock.now();
  return ctx.storage.read(async (r) => {
    const config = await loadStrengthConfig(r);
    const f: TraceFilters = {
      statuses: ['live'],
      ...(input.includeFaded ? {} : { minStrengthKey: floorKey(config.floor, now, config.halfLifeMs) }),
    };
    const traces = await r.tracesAtPlaces(places, f, input.limit);
    const rank = new Map(places.map((p, i) => [p, i]));
    const routes = await routesFrom(r, { from: place.key, limit: NEXT_PLACES, now });
    return {
      place: place.key,
      next: routes.map((m) => ({ place: m.to, strength: m.current, count: m.count })),
      results: traces.map((trace) => {
        const strength = strengthNow(trace, now, config);
        const at = trace.places.filter((p) => rank.has(p)).sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0))[0] ?? place.key;
        return { trace, score: strength, strength, at };
      }),
    };
  });
}
