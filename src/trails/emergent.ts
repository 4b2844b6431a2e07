// Emergent trails: each move of an instance from one place to another reinforces that directed edge,
// with the same decay as traces, so well-trodden routes stand out and abandoned ones fade.
import * as z from 'zod';
import type { Context } from '../context.js';
import type { StorageReader } from '../storage/types.js';
import { parseInput } from '../errors/parse.js';
import { normalizePlace } from '../places/index.js';
import { currentStrength, decayKey, floorKey, reinforce, type StrengthConfig } from '../strength/index.js';
import { loadStrengthConfig } from '../strength/config.js';
import { touch } from '../board/index.js';
import { type Actor, limitSchema } from '../traces/schema.js';
import type { Movement } from './types.js';

/** A visit this long after the previous one starts a new route instead of extending the old one. */
export const ROUTE_GAP_MS = 2 * 60 * 60_000;

export const visitInput = z.strictObject({ place: z.string({ error: 'place must be a path, URL or topic:name' }) });
export type VisitInput = z.input<typeof visitInput>;

export const emergentInput = z.strictObject({
  from: z.string().optional(),
  includeFaded: z.boolean().default(false),
  limit: limitSchema(500, 20),
});
export type EmergentInput = z.input<typeof emergentInput>;

export interface RouteView extends Movement {
  /** Strength now, after decay. */
  current: number;
}

/** Records that `actor` is now at `place`; reinforces the edge from its previous place. Returns that edge, if any. */
export async function visit(ctx: Context, raw: VisitInput, actor: Actor): Promise<{ place: string; edge: RouteView | null }> {
  const input = parseInput(visitInput, raw);
  const place = normalizePlace(input.place, { root: ctx.root }).key;
  return ctx.storage.write(async (w) => {
    const now = ctx.clock.now();
    const config = await loadStrengthConfig(w);
    const instance = await w.getInstance(actor.name);
    const from = instance?.lastPlace ?? null;
    let edge: RouteView | null = null;
    if (from !== null && from !== place && instance?.lastPlaceAt != null && now - instance.lastPlaceAt <= ROUTE_GAP_MS) {
      const old = await w.getMovement(from, place);
      const next: Movement = old
        ? { ...old, ...reinforce(old.strength, old.strengthAt, now, config.followBoost, config), count: old.count + 1, lastAt: now, lastInstance: actor.name }
        : { from, to: place, strength: config.followBoost, strengthAt: now, count: 1, firstAt: now, lastAt: now, lastInstance: actor.name };
      await w.putMovement(next, decayKey(next.strength, next.strengthAt, config.halfLifeMs));
      edge = { ...next, current: next.strength };
    }
    await touch(w, actor, now, { lastPlace: place, lastPlaceAt: now });
    return { place, edge };
  });
}

function view(m: Movement, now: number, config: StrengthConfig): RouteView {
  return { ...m, current: currentStrength(m.strength, m.strengthAt, now, config.halfLifeMs) };
}

/** Where instances went next from a place (or anywhere), strongest first; faded edges left out unless asked. */
export async function routesFrom(
  r: StorageReader,
  options: { from?: string; includeFaded?: boolean; limit: number; now: number },
): Promise<RouteView[]> {
  const config = await loadStrengthConfig(r);
  const edges = await r.movements({
    ...(options.from !== undefined ? { from: options.from } : {}),
    ...(options.includeFaded ? {} : { minStrengthKey: floorKey(config.floor, options.now, config.halfLifeMs) }),
    limit: options.limit,
  });
  return edges.map((m) => view(m, options.now, config));
}

export async function emergentTrails(ctx: Context, raw: EmergentInput): Promise<{ from: string | null; routes: RouteView[] }> {
  const input = parseInput(emergentInput, raw);
  const from = input.from === undefined ? undefined : normalizePlace(input.from, { root: ctx.root }).key;
  const now = ctx.clock.now();
  const routes = await ctx.storage.read((r) =>
    routesFrom(r, { ...(from !== undefined ? { from } : {}), includeFaded: input.includeFaded, limit: input.limit, now }),
  );
  return { from: from ?? null, routes };
}
