// The public JSON shape of a trace (CLI --json, MCP output schemas, the JSON API) and the mapping to it.
import * as z from 'zod';
import { iso } from '../clock.js';
import { ANNOTATION_STANCES, type Annotation, type Trace } from './schema.js';

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
  updatedAt: z.string().describe('ISO 8601'),
  strength: z.number().describe('strength as of the last reinforcement; results also carry the current, decayed strength'),
  follows: z.number(),
  version: z.number(),
  meta: z.record(z.string(), z.unknown()),
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
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
    strength: t.strength,
    follows: t.follows,
    version: t.version,
    meta: t.meta,
  };
}

export const redactionView = z.object({ kind: z.string(), count: z.number() });

export const annotationView = z.object({
  id: z.string(),
  traceId: z.string(),
  stance: z.enum(ANNOTATION_STANCES),
  text: z.string(),
  author: authorView,
  createdAt: z.string().describe('ISO 8601'),
});
export type AnnotationView = z.infer<typeof annotationView>;

export function toAnnotationView(a: Annotation): AnnotationView {
  return { id: a.id, traceId: a.traceId, stance: a.stance, text: a.text, author: a.author, createdAt: iso(a.createdAt) };
}

/** One trace with its annotations, as `show` and `GET /api/traces/<id>` give it. */
export function toTraceWithAnnotationsView(r: { trace: Trace; annotations: Annotation[] }): { trace: TraceView; annotations: AnnotationView[] } {
  return { trace: toTraceView(r.trace), annotations: r.annotations.map(toAnnotationView) };
}
