// The trail map: every place with its traces' count and current strength, grouped, and the trails between places.
import * as z from 'zod';
import type { Context } from '../context.js';
import { parseInput } from '../errors/parse.js';
import { currentStrength } from '../strength/index.js';
import { loadStrengthConfig } from '../strength/config.js';
import { routesFrom } from './emergent.js';
import type { MapEdge, MapPlace, TrailMap } from './types.js';

export type { MapEdge, MapPlace, TrailMap };

export const trailMapInput = z.strictObject({
  /** Most traces read (strongest first); beyond it the weakest are left off the map. */
  traces: z.number().int().min(1).max(50_000).default(20_000),
  /** Most emergent edges drawn (strongest first). */
  edges: z.number().int().min(1).max(20_000).default(5_000),
});
export type TrailMapInput = z.input<typeof trailMapInput>;

export function placeKind(key: string): MapPlace['kind'] {
  return key.startsWith('topic:') ? 'topic' : /^https?:\/\//u.test(key) ? 'url' : 'file';
}

export function placeGroup(key: string): string {
  const kind = placeKind(key);
  if (kind === 'topic') return `topic:${key.slice(6).split('/')[0] ?? ''}`;
  if (kind === 'url') return new URL(key).host;
  const folders = (key.split('#')[0] ?? key).split('/').slice(0, -1);
  return folders.length === 0 ? '.' : folders.slice(0, 2).join('/');
}

export async function trailMap(ctx: Context, raw: TrailMapInput = {}): Promise<TrailMap> {
  const input = parseInput(trailMapInput, raw);
  const now = ctx.clock.now();
  return ctx.storage.read(async (r) => {
    const config = await loadStrengthConfig(r);
    const traces = await r.strongestTraces({ statuses: ['live'] }, input.traces + 1);
    const byKey = new Map<string, MapPlace>();
    const place = (key: string): MapPlace => {
      let p = byKey.get(key);
      if (!p) byKey.set(key, (p = { key, kind: placeKind(key), group: placeGroup(key), traces: 0, strength: 0 }));
      return p;
    };
    for (const t of traces.slice(0, input.traces)) {
      const s = currentStrength(t.strength, t.strengthAt, now, config.halfLifeMs);
      for (const key of t.places) {
        const p = place(key);
        p.traces += 1;
        p.strength += s;
      }
    }
    const edges: MapEdge[] = (await routesFrom(r, { limit: input.edges, now })).map((m) => {
      place(m.from);
      place(m.to);
      return { from: m.from, to: m.to, kind: 'emergent', strength: m.current, count: m.count };
    });
    const trails = await r.listTrails();
    // A trace step stands at the trace's first place; steps without a place are skipped. One read for all trails.
    const stepTraces = await r.getTraces([...new Set(trails.flatMap((t) => t.steps.flatMap((s) => (s.traceId ? [s.traceId] : []))))]);
    const placeOf = new Map(stepTraces.map((t) => [t.id, t.places[0]]));
    for (const trail of trails) {
      const keys = trail.steps.map((s) => s.place ?? (s.traceId ? placeOf.get(s.traceId) : undefined)).filter((k): k is string => k !== undefined);
      for (let i = 1; i < keys.length; i++) {
        const from = keys[i - 1] as string;
        const to = keys[i] as string;
        if (from === to) continue;
        place(from);
        place(to);
        edges.push({ from, to, kind: 'authored', strength: 1, trail: trail.name });
      }
    }
    const places = [...byKey.values()].map((p) => ({ ...p, strength: Math.round(p.strength * 1000) / 1000 }));
    return { now, places, edges, truncated: traces.length > input.traces };
  });
}
