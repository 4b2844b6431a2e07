// The append-only change log ("palimpsest"): what an event records and the kinds of event there are.
import type { Actor } from '../traces/schema.js';

export const EVENT_TYPES = [
  'store.init',
  'store.configure',
  'trace.deposit',
  'trace.follow',
  'trace.annotate',
  'trace.retag',
  'trace.archive',
  'trace.restore',
  'trace.forget',
  'trace.revise',
  'trail.create',
  'identity.propose',
  'identity.approve',
  'identity.reject',
  'event.revert',
  'instance.register',
  'instance.end',
  'claim.acquire',
  'claim.renew',
  'claim.release',
  'message.post',
  'handoff.write',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface NewEvent {
  type: EventType;
  at: number;
  actor: Actor;
  /** The trace this event changed, if any. */
  traceId?: string;
  /** Another subject (trail id, identity proposal id, event id) when the event is not about a trace. */
  subject?: string;
  reason?: string;
  /** Event-specific facts: before/after values, redactions, strength change. Never trace text. */
  data?: Record<string, unknown>;
}

export interface PalimpsestEvent extends Required<Pick<NewEvent, 'type' | 'at' | 'actor'>> {
  /** Position in the log; increases with every event. */
  seq: number;
  id: string;
  traceId: string | null;
  subject: string | null;
  reason: string | null;
  data: Record<string, unknown>;
}

export interface EventQuery {
  traceId?: string;
  subject?: string;
  actorName?: string;
  types?: EventType[];
  since?: number;
  /** Only events with seq below this (for paging back through the log). */
  beforeSeq?: number;
  /** Only events with seq above this (for following the log live). */
  afterSeq?: number;
  limit: number;
}
