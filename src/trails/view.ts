// The public JSON shapes of trails (CLI --json, the JSON API, MCP results), with ISO times.
import * as z from 'zod';
import { iso } from '../clock.js';
import { authorView, toTraceView, type TraceView } from '../traces/view.js';
import type { TrailView as TrailWithTraces } from './index.js';
import type { RouteView } from './emergent.js';
import type { Trail, TrailMap } from './types.js';

export const trailView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  steps: z.array(z.object({ traceId: z.string().nullable(), place: z.string().nullable(), note: z.string().nullable() })),
  author: authorView,
  createdAt: z.string().describe('ISO 8601'),
});
export type TrailJson = z.infer<typeof trailView>;

export function toTrailView(t: Trail): TrailJson {
  return { id: t.id, name: t.name, description: t.description, steps: t.steps, author: t.author, createdAt: iso(t.createdAt) };
}

/** A trail with the traces its steps point to, by id. */
export function toTrailWithTracesView(t: TrailWithTraces): TrailJson & { traces: Record<string, TraceView> } {
  return { ...toTrailView(t), traces: Object.fromEntries(Object.entries(t.traces).map(([id, trace]) => [id, toTraceView(trace)])) };
}

export interface RouteJson {
  from: string;
  to: string;
  strength: number;
  strengthAt: string;
  /** Strength now, after decay. */
  current: number;
  count: number;
  firstAt: string;
  lastAt: string;
  lastInstance: string;
}

export function toRouteView(r: RouteView): RouteJson {
  return {
    from: r.from,
    to: r.to,
    strength: r.strength,
    strengthAt: iso(r.strengthAt),
    current: r.current,
    count: r.count,
    firstAt: iso(r.firstAt),
    lastAt: iso(r.lastAt),
    lastInstance: r.lastInstance,
  };
}

export function toTrailMapView(m: TrailMap): Omit<TrailMap, 'now'> & { now: string } {
  return { ...m, now: iso(m.now) };
}
