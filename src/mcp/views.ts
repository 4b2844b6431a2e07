// The JSON shapes MCP tools return (their output schemas), and the mapping from core objects to them.
import { z } from 'zod';
import type { Trace } from '../traces/schema.js';
import type { PalimpsestEvent } from '../palimpsest/events.js';

export const authorView = z.object({ name: z.string(), role: z.enum(['human', 'agent']), model: z.string().optional() });

export const traceView = z.object({
  id: z.string(),
  text: z.string(),
  kind: z.string(),
  places: z.array(z.string()),
  tags: z.array(z.string()),
  author: authorView,
  source: z.string(),
  trust: z.string(),
  status: z.string(),
  createdAt: z.string().describe('ISO 8601'),
  strength: z.number().describe('strength as of the last reinforcement; results also carry the current, decayed strength'),
  follows: z.number(),
  version: z.number(),
});
export type TraceView = z.infer<typeof traceView>;

export function toTraceView(t: Trace): TraceView {
  return {
    id: t.id,
    text: t.text,
    kind: t.kind,
    places: t.places,
    tags: t.tags,
    author: t.author,
    source: t.source,
    trust: t.trust,
    status: t.status,
    createdAt: new Date(t.createdAt).toISOString(),
    strength: t.strength,
    follows: t.follows,
    version: t.version,
  };
}

export const eventView = z.object({
  seq: z.number(),
  id: z.string(),
  at: z.string(),
  type: z.string(),
  actor: authorView,
  traceId: z.string().nullable(),
  subject: z.string().nullable(),
  reason: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

export function toEventView(e: PalimpsestEvent): z.infer<typeof eventView> {
  return { ...e, at: new Date(e.at).toISOString() };
}

export const redactionView = z.object({ kind: z.string(), count: z.number() });
