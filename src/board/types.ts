// The board's shapes: instances, claims (leases), messages and handoffs, and the inputs that change them.
import * as z from 'zod';
import type { Author } from '../traces/schema.js';

export type InstanceStatus = 'active' | 'idle' | 'gone' | 'ended';

export interface Instance {
  name: string;
  model: string | null;
  project: string | null;
  host: string | null;
  pid: number | null;
  registeredAt: number;
  lastSeenAt: number;
  endedAt: number | null;
  /** Places the instance said it is working at (set by check-ins). */
  places: string[];
  /** The last check-in's text, if any. */
  lastCheckIn: string | null;
  /** The last place it visited (recorded by visit()), the start of its next movement. */
  lastPlace: string | null;
  lastPlaceAt: number | null;
}

/** An instance with its status now (active, idle, gone or ended), as the board shows it. */
export interface InstanceView extends Instance {
  status: InstanceStatus;
}

export interface Claim {
  id: string;
  /** A place key, or "task:<name>" for a named task. */
  target: string;
  holder: string;
  note: string | null;
  acquiredAt: number;
  expiresAt: number;
  releasedAt: number | null;
}

export interface Message {
  id: string;
  from: Author;
  /** null: to everyone. */
  to: string | null;
  text: string;
  createdAt: number;
}

export interface Handoff {
  id: string;
  instance: string;
  summary: string;
  openThreads: string[];
  traceIds: string[];
  trails: string[];
  createdAt: number;
}

/** What is happening now: every instance, live claims, recent messages and handoffs, read at `now`. */
export interface BoardView {
  now: number;
  instances: InstanceView[];
  claims: Claim[];
  messages: Message[];
  handoffs: Handoff[];
}

/** Default lease of a claim: long enough for a focused piece of work, short enough that a crash frees it soon. */
export const DEFAULT_LEASE_MS = 15 * 60_000;
export const MAX_LEASE_MS = 24 * 60 * 60_000;
/** Seen within this: active; within IDLE_AFTER_MS * 6: idle; beyond: gone. */
export const ACTIVE_WINDOW_MS = 5 * 60_000;
export const IDLE_WINDOW_MS = 60 * 60_000;

const name = z
  .string({ error: 'name must be a string' })
  .trim()
  .regex(/^[\w.@-]{1,64}$/u, 'name is 1-64 letters, digits, ".", "-", "_" or "@", such as "aria-2"');

export const registerInput = z.strictObject({
  name: name.optional(),
  model: z.string().max(100).optional(),
  project: z.string().max(500).optional(),
  host: z.string().max(255).optional(),
  pid: z.number().int().nonnegative().optional(),
});
export type RegisterInput = z.input<typeof registerInput>;

export const claimInput = z
  .strictObject({
    place: z.string().optional().describe('a path, URL or topic:name to claim'),
    task: z.string().trim().min(1).max(200).optional().describe('a named task to claim instead of a place'),
    /** Lease length: ms, or a duration such as "15m". */
    lease: z.union([z.number().int().positive(), z.string()]).optional(),
    note: z.string().max(1_000).optional(),
  })
  .refine((c) => (c.place === undefined) !== (c.task === undefined), { message: 'claim exactly one of place or task' });
export type ClaimInput = z.input<typeof claimInput>;

export const releaseInput = z
  .strictObject({ place: z.string().optional(), task: z.string().trim().min(1).max(200).optional(), id: z.string().optional() })
  .refine((c) => [c.place, c.task, c.id].filter((v) => v !== undefined).length === 1, { message: 'release exactly one of id, place or task' });
export type ReleaseInput = z.input<typeof releaseInput>;

export const postMessageInput = z.strictObject({
  text: z
    .string()
    .refine((s) => s.trim().length > 0, 'text is empty; write the message')
    .refine((s) => s.length <= 8_000, 'text is longer than 8000 characters'),
  to: name.optional().describe('an instance name; omit to post to everyone'),
});
export type PostMessageInput = z.input<typeof postMessageInput>;

export const checkInInput = z.strictObject({
  done: z.string().max(4_000).optional(),
  next: z.string().max(4_000).optional(),
  places: z.array(z.string()).max(32).optional().describe('where you are working now; replaces the previous set'),
}).refine((c) => (c.done ?? '').trim() !== '' || (c.next ?? '').trim() !== '', { message: 'say what was done or what is next' });
export type CheckInInput = z.input<typeof checkInInput>;

export const handoffInput = z.strictObject({
  summary: z
    .string()
    .refine((s) => s.trim().length > 0, 'summary is empty; say what you did and where things stand')
    .refine((s) => s.length <= 8_000, 'summary is longer than 8000 characters'),
  openThreads: z.array(z.string().max(1_000)).max(50).default([]),
  traces: z.array(z.string()).max(100).default([]),
  trails: z.array(z.string()).max(20).default([]),
  /** End the instance (release its claims) as well. */
  end: z.boolean().default(true),
});
export type HandoffInput = z.input<typeof handoffInput>;
