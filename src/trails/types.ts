// Authored trails: named, ordered paths through traces and places.
import * as z from 'zod';
import type { Author } from '../traces/schema.js';

export interface TrailStep {
  traceId: string | null;
  place: string | null;
  note: string | null;
}

export interface Trail {
  id: string;
  name: string;
  description: string;
  steps: TrailStep[];
  author: Author;
  createdAt: number;
}

export const MAX_TRAIL_STEPS = 200;

const step = z
  .strictObject({
    trace: z.string().trim().min(1).optional(),
    place: z.string().optional(),
    note: z.string().max(2_000).optional(),
  })
  .refine((s) => (s.trace === undefined) !== (s.place === undefined), 'each step names exactly one of trace or place');

export const createTrailInput = z.strictObject({
  name: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/u, 'name is a short lowercase slug with hyphens, such as "start-here"'),
  description: z.string().max(4_000).default(''),
  steps: z.array(step).min(1, 'a trail needs at least one step').max(MAX_TRAIL_STEPS),
});
export type CreateTrailInput = z.input<typeof createTrailInput>;

/** An emergent trail edge: instances went from one place to the next; reinforced each time, decaying like a trace. */
export interface Movement {
  from: string;
  to: string;
  strength: number;
  strengthAt: number;
  count: number;
  firstAt: number;
  lastAt: number;
  lastInstance: string;
}

// The trail map's shapes (see map.ts); the web viewer reads the same types.
export interface MapPlace {
  key: string;
  kind: 'file' | 'url' | 'topic';
  /** What the map groups it under: a file's folder (two levels at most), a URL's host, a topic's first segment. */
  group: string;
  traces: number;
  /** Sum of its live traces' current strength. */
  strength: number;
}

export interface MapEdge {
  from: string;
  to: string;
  kind: 'emergent' | 'authored';
  strength: number;
  /** The authored trail's name; for emergent edges, how many moves made it. */
  trail?: string;
  count?: number;
}

export interface TrailMap {
  now: number;
  places: MapPlace[];
  edges: MapEdge[];
  /** True when `traces` cut some traces off. */
  truncated: boolean;
}
