// The shapes of traces and of the inputs that create and change them: the single source of those types.
import * as z from 'zod';

export const TRACE_KINDS = ['note', 'insight', 'question', 'decision', 'warning', 'todo', 'instruction'] as const;
export type TraceKind = (typeof TRACE_KINDS)[number];

/** Ordered from most to least trusted. */
export const TRUST_LEVELS = ['human', 'agent', 'external'] as const;
export type Trust = (typeof TRUST_LEVELS)[number];

export const TRACE_STATUSES = ['live', 'archived', 'forgotten'] as const;
export type TraceStatus = (typeof TRACE_STATUSES)[number];

export const ANNOTATION_STANCES = ['endorse', 'challenge', 'note'] as const;
export type AnnotationStance = (typeof ANNOTATION_STANCES)[number];

/** Longest trace text accepted, in characters. Traces are notes, not documents: ingest splits documents. */
export const MAX_TEXT_CHARS = 20_000;
export const MAX_TAGS = 32;
export const MAX_PLACES = 32;
export const MAX_REASON_CHARS = 2_000;

/** Who does something: an agent instance (with its model) or a person. */
export interface Actor {
  /** Instance name for agents ("aria-2"), the person's name for humans. */
  name: string;
  role: 'human' | 'agent';
  /** The model behind an agent instance, e.g. "claude-opus-4"; absent for people. */
  model?: string;
}

export interface Author {
  name: string;
  role: 'human' | 'agent';
  model?: string;
}

export interface Trace {
  id: string;
  text: string;
  kind: TraceKind;
  places: string[];
  tags: string[];
  author: Author;
  /** "agent", "human" or "ingest:<uri>". */
  source: string;
  trust: Trust;
  status: TraceStatus;
  createdAt: number;
  updatedAt: number;
  /** Strength as of `strengthAt`; the current value decays from there (see strength/). */
  strength: number;
  strengthAt: number;
  follows: number;
  /** Bumped by every change; used for optimistic concurrency (`expectedVersion`). */
  version: number;
  meta: Record<string, unknown>;
}

export interface Annotation {
  id: string;
  traceId: string;
  stance: AnnotationStance;
  text: string;
  author: Author;
  createdAt: number;
}

const text = (field: string, max: number, what = "the note's text") =>
  z
    .string({ error: `${field} must be a string` })
    .refine((s) => s.trim().length > 0, { message: `${field} is empty; write ${what}` })
    .refine((s) => s.length <= max, {
      message: `${field} is longer than ${max} characters; split it into several traces (or use ingest for documents)`,
    });

const tag = z
  .string()
  .trim()
  .min(1, 'tags must not be empty')
  .max(64, 'a tag is at most 64 characters')
  .regex(/^[^\s,#]+$/u, 'a tag is one word without spaces, commas or #; use hyphens (e.g. "open-question")');

export const reasonSchema = text('reason', MAX_REASON_CHARS, 'why the change is made');
/** A result count: a whole number from 1 to `max`, `dflt` when absent. */
export const limitSchema = (max: number, dflt: number) =>
  z.number().int('limit must be a whole number').min(1, 'limit must be at least 1').max(max, `limit is at most ${max}`).default(dflt);
export const idSchema = z.string({ error: 'id must be a string' }).trim().min(1, 'id is empty; pass a trace id');

const AT_FORMAT = 'at must be an ISO 8601 date and time with its offset, e.g. 2026-03-01T09:30:00Z, or epoch milliseconds';

export const depositInput = z.strictObject({
  text: text('text', MAX_TEXT_CHARS),
  kind: z.enum(TRACE_KINDS, { error: `kind must be one of: ${TRACE_KINDS.join(', ')}` }).default('note'),
  places: z.array(z.string(), { error: 'places must be a list of places' }).max(MAX_PLACES).default([]),
  tags: z.array(tag).max(MAX_TAGS).default([]),
  /** Only people may deposit with human trust; agents are capped at agent trust. */
  trust: z.enum(TRUST_LEVELS, { error: `trust must be one of: ${TRUST_LEVELS.join(', ')}` }).optional(),
  source: z
    .string()
    .regex(/^(agent|human|ingest:.+)$/u, 'source is "agent", "human" or "ingest:<uri>"')
    .optional(),
  /** When the trace was made (ISO 8601 or epoch ms); defaults to now. For imports and ingest. */
  at: z
    .union([z.number().int(AT_FORMAT).nonnegative(AT_FORMAT), z.iso.datetime({ offset: true, error: AT_FORMAT })], AT_FORMAT)
    .optional(),
  meta: z.record(z.string(), z.unknown()).default({}),
});
export type DepositInput = z.input<typeof depositInput>;

export const followInput = z.strictObject({ id: idSchema });
export type FollowInput = z.input<typeof followInput>;

export const annotateInput = z.strictObject({
  id: idSchema,
  stance: z.enum(ANNOTATION_STANCES, { error: `stance must be one of: ${ANNOTATION_STANCES.join(', ')}` }).default('note'),
  text: text('text', MAX_TEXT_CHARS),
});
export type AnnotateInput = z.input<typeof annotateInput>;

export const retagInput = z.strictObject({
  id: idSchema,
  addTags: z.array(tag).max(MAX_TAGS).default([]),
  removeTags: z.array(z.string()).max(MAX_TAGS).default([]),
  /** Reorganising: move the trace to other places. */
  addPlaces: z.array(z.string()).max(MAX_PLACES).default([]),
  removePlaces: z.array(z.string()).max(MAX_PLACES).default([]),
  reason: reasonSchema,
  expectedVersion: z.number().int().positive().optional(),
});
export type RetagInput = z.input<typeof retagInput>;

export const statusChangeInput = z.strictObject({
  id: idSchema,
  reason: reasonSchema,
  expectedVersion: z.number().int().positive().optional(),
});
export type StatusChangeInput = z.input<typeof statusChangeInput>;

export const reviseInput = z.strictObject({
  id: idSchema,
  text: text('text', MAX_TEXT_CHARS),
  meta: z.record(z.string(), z.unknown()).optional(),
  reason: reasonSchema,
  expectedVersion: z.number().int().positive().optional(),
});
export type ReviseInput = z.input<typeof reviseInput>;
