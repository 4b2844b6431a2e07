// Authored trails: named, ordered paths through traces and places.
import { z } from 'zod';
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
