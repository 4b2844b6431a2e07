// The briefing: identity first, then what other parts contribute (board, handoffs), then the strongest
// relevant traces and trails, fitted into a token budget.
import * as z from 'zod';
import type { Context } from '../context.js';
import type { StorageReader } from '../storage/types.js';
import { parseInput } from '../errors/parse.js';
import { currentIdentity } from '../identity/index.js';
import { floorKey, type StrengthConfig } from '../strength/index.js';
import { loadStrengthConfig } from '../strength/config.js';
import { search, sense, strengthNow } from '../search/index.js';
import type { Actor, Trace } from '../traces/schema.js';
import { estimateTokens } from './tokens.js';
import { fenceExternal, oneLine, quoteBlock } from './quote.js';

export const WEIGHTS = { light: 1_000, standard: 4_000, deep: 16_000 } as const;
export type Weight = keyof typeof WEIGHTS;

export const briefInput = z.strictObject({
  weight: z.enum(['light', 'standard', 'deep'], { error: 'weight must be light (~1k tokens), standard (~4k) or deep (~16k)' }).default('standard'),
  /** An exact token budget; overrides weight. */
  budget: z.number().int().min(200, 'budget is at least 200 tokens').max(200_000, 'budget is at most 200000 tokens').optional(),
  /** Focus on traces relevant to this query. */
  focus: z.string().max(4_000).optional(),
  /** Focus on traces at this place and its parents. */
  place: z.string().optional(),
});
export type BriefInput = z.input<typeof briefInput>;

export interface BriefingSection {
  /** Shown as a "## title" heading. */
  title: string;
  /** Entries in priority order; as many as fit are shown. */
  entries: string[];
  /** Ids of traces behind the entries, same order (null where an entry is not a trace). */
  traceIds?: (string | null)[];
}

/** Something that adds sections to a briefing after the identity (the board adds handoffs, messages and claims). */
export interface BriefingProvider {
  sections(r: StorageReader, request: { input: z.output<typeof briefInput>; actor: Actor | undefined; now: number }): Promise<BriefingSection[]>;
}

export interface Briefing {
  text: string;
  tokens: number;
  budget: number;
  /** Traces shown, in order. */
  traceIds: string[];
  /** Entries considered but left out because the budget was spent (up to 200 traces are considered). */
  omitted: number;
}

const NO_IDENTITY =
  'No identity has been approved for this store yet. A person can write one: `physarum identity propose --doc who-we-are --text …` then `physarum identity approve <id>`.';

export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const units: Array<[number, string]> = [
    [86_400 * 365, 'y'],
    [86_400 * 30, 'mo'],
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'm'],
  ];
  for (const [size, unit] of units) if (s >= size) return `${Math.floor(s / size)}${unit} ago`;
  return 'just now';
}

/** One trace as a briefing entry: a header line with provenance, then its text, quoted (and fenced if external). */
export function renderTrace(trace: Trace, now: number, config: StrengthConfig): string {
  const author = oneLine(`${trace.author.name}${trace.author.model ? ` (${trace.author.model})` : ''}`, 80);
  const where = trace.places.length > 0 ? trace.places.slice(0, 3).map((p) => oneLine(p, 120)).join(', ') : 'no place';
  const strength = strengthNow(trace, now, config).toFixed(2);
  const header = `- [${trace.id}] ${trace.kind} · ${where} · by ${author} · ${trace.trust} · ${formatAge(now - trace.createdAt)} · strength ${strength}`;
  const body = trace.trust === 'external' ? fenceExternal(trace.text, trace.source) : quoteBlock(trace.text);
  return `${header}\n${body}`;
}

async function relevantTraces(
  ctx: Context,
  input: z.output<typeof briefInput>,
  config: StrengthConfig,
): Promise<{ traces: Trace[]; routes: string[] }> {
  const now = ctx.clock.now();
  const chosen = new Map<string, Trace>();
  const aboveFloor = (t: Trace) => strengthNow(t, now, config) >= config.floor;
  const focus = input.focus?.trim() ?? '';
  let routes: string[] = [];
  if (input.place !== undefined) {
    const sensed = await sense(ctx, { place: input.place, parents: true, limit: 100 });
    for (const { trace } of sensed.results) chosen.set(trace.id, trace);
    routes = sensed.next.map((n) => `- ${oneLine(n.place, 120)} (${n.count}×, strength ${n.strength.toFixed(2)})`);
  }
  if (focus !== '') {
    for (const { trace } of (await search(ctx, { query: focus, limit: 100 })).results) if (aboveFloor(trace)) chosen.set(trace.id, trace);
  }
  if (input.place === undefined && focus === '') {
    const strongest = await ctx.storage.read((r) =>
      r.strongestTraces({ statuses: ['live'], minStrengthKey: floorKey(config.floor, now, config.halfLifeMs) }, 200),
    );
    for (const t of strongest) chosen.set(t.id, t);
  }
  return { traces: [...chosen.values()], routes };
}

export async function brief(
  ctx: Context,
  raw: BriefInput,
  options: { actor?: Actor; providers?: BriefingProvider[] } = {},
): Promise<Briefing> {
  const input = parseInput(briefInput, raw);
  const budget = input.budget ?? WEIGHTS[input.weight];
  const now = ctx.clock.now();
  const { identity, config, extra, trails } = await ctx.storage.read(async (r) => ({
    identity: await currentIdentity(r),
    config: await loadStrengthConfig(r),
    extra: (await Promise.all((options.providers ?? []).map((p) => p.sections(r, { input, actor: options.actor, now })))).flat(),
    trails: await r.listTrails(),
  }));
  const { traces, routes } = await relevantTraces(ctx, input, config);

  const out: string[] = [];
  let used = 0;
  const add = (s: string, limit = budget): boolean => {
    const cost = estimateTokens(`${s}\n\n`);
    if (used + cost > limit) return false;
    out.push(s);
    used += cost;
    return true;
  };

  add(`# Physarum briefing · ${new Date(now).toISOString().slice(0, 16).replace('T', ' ')} UTC · budget ${budget} tokens`);
  // Identity first. Security: its heading is the only "## Identity" line; trace text below is quoted line by line.
  const identityText =
    identity.length === 0
      ? NO_IDENTITY
      : identity.map((v) => `### ${v.doc} (v${v.version}, approved by ${oneLine(v.decidedBy?.name ?? 'unknown', 60)})\n${v.text.trim()}`).join('\n\n');
  const identityBlock = `## Identity (human-approved)\n${identityText}`;
  if (!add(identityBlock)) {
    const note = '\n[identity truncated to fit the budget; run `physarum identity show`]';
    add(truncateToBudget(identityBlock, budget - used - estimateTokens(`${note}\n\n`)) + note);
  }

  const shownIds: string[] = [];
  let omitted = 0;
  const sections: BriefingSection[] = [
    ...extra,
    {
      title: input.focus || input.place ? 'Relevant traces (strongest first)' : 'Strongest traces',
      entries: traces.map((t) => renderTrace(t, now, config)),
      traceIds: traces.map((t) => t.id),
    },
    { title: 'Instances who worked here went on to', entries: routes },
    {
      title: 'Trails',
      entries: trails.map(
        (t) =>
          `- ${oneLine(t.name, 80)} (${t.steps.length} steps)${t.description ? `: ${oneLine(t.description, 200)}` : ''}; read it with \`physarum trail show ${oneLine(t.name, 80)}\``,
      ),
    },
  ];
  // Room is kept for the notice of what was left out, so a reader always learns that more exists.
  const entryLimit = budget - estimateTokens(`${leftOutNotice(99_999)}\n\n`);
  for (const section of sections) {
    if (section.entries.length === 0) continue;
    if (!add(`## ${oneLine(section.title, 80)}`, entryLimit)) {
      omitted += section.entries.length;
      continue;
    }
    section.entries.forEach((entry, i) => {
      if (add(entry, entryLimit)) {
        const id = section.traceIds?.[i];
        if (id) shownIds.push(id);
      } else omitted += 1;
    });
  }
  if (omitted > 0) add(leftOutNotice(omitted));
  const text = out.join('\n\n');
  return { text, tokens: estimateTokens(text), budget, traceIds: shownIds, omitted };
}

const leftOutNotice = (n: number): string => `(${n} more entries left out to fit the budget; ask for a deeper briefing or search.)`;

/** Cuts text at a line boundary so its estimate fits `budget` tokens. */
function truncateToBudget(text: string, budget: number): string {
  const kept: string[] = [];
  let used = 0;
  for (const line of text.split('\n')) {
    const cost = estimateTokens(`${line}\n`);
    if (used + cost > budget) break;
    kept.push(line);
    used += cost;
  }
  return kept.join('\n');
}
