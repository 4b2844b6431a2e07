// The public JSON shapes of the board (CLI --json, the JSON API, MCP results), with ISO times.
import * as z from 'zod';
import { iso, isoOrNull } from '../clock.js';
import { authorView } from '../traces/view.js';
import type { BoardView, Claim, Handoff, InstanceView, Message } from './types.js';

export const instanceView = z.object({
  name: z.string(),
  model: z.string().nullable(),
  project: z.string().nullable(),
  host: z.string().nullable(),
  pid: z.number().nullable(),
  status: z.enum(['active', 'idle', 'gone', 'ended']),
  registeredAt: z.string().describe('ISO 8601'),
  lastSeenAt: z.string().describe('ISO 8601'),
  endedAt: z.string().nullable(),
  places: z.array(z.string()).describe('where it said it is working'),
  lastCheckIn: z.string().nullable(),
  lastPlace: z.string().nullable().describe('the last place it visited'),
  lastPlaceAt: z.string().nullable(),
});
export type InstanceJson = z.infer<typeof instanceView>;

export function toInstanceView(i: InstanceView): InstanceJson {
  return {
    name: i.name,
    model: i.model,
    project: i.project,
    host: i.host,
    pid: i.pid,
    status: i.status,
    registeredAt: iso(i.registeredAt),
    lastSeenAt: iso(i.lastSeenAt),
    endedAt: isoOrNull(i.endedAt),
    places: i.places,
    lastCheckIn: i.lastCheckIn,
    lastPlace: i.lastPlace,
    lastPlaceAt: isoOrNull(i.lastPlaceAt),
  };
}

export const claimView = z.object({
  id: z.string(),
  target: z.string(),
  holder: z.string(),
  note: z.string().nullable(),
  acquiredAt: z.string().describe('ISO 8601'),
  expiresAt: z.string().describe('ISO 8601: when the lease ends unless renewed'),
  releasedAt: z.string().nullable(),
});
export type ClaimJson = z.infer<typeof claimView>;

export function toClaimView(c: Claim): ClaimJson {
  return {
    id: c.id,
    target: c.target,
    holder: c.holder,
    note: c.note,
    acquiredAt: iso(c.acquiredAt),
    expiresAt: iso(c.expiresAt),
    releasedAt: isoOrNull(c.releasedAt),
  };
}

export const messageView = z.object({ id: z.string(), from: authorView, to: z.string().nullable(), text: z.string(), createdAt: z.string().describe('ISO 8601') });
export type MessageJson = z.infer<typeof messageView>;

export function toMessageView(m: Message): MessageJson {
  return { id: m.id, from: m.from, to: m.to, text: m.text, createdAt: iso(m.createdAt) };
}

export const handoffView = z.object({
  id: z.string(),
  instance: z.string(),
  summary: z.string(),
  openThreads: z.array(z.string()),
  traceIds: z.array(z.string()),
  trails: z.array(z.string()),
  createdAt: z.string().describe('ISO 8601'),
});
export type HandoffJson = z.infer<typeof handoffView>;

export function toHandoffView(h: Handoff): HandoffJson {
  return { id: h.id, instance: h.instance, summary: h.summary, openThreads: h.openThreads, traceIds: h.traceIds, trails: h.trails, createdAt: iso(h.createdAt) };
}

export const boardJsonView = z.object({
  now: z.string().describe('ISO 8601: the server time the board was read at'),
  instances: z.array(instanceView),
  claims: z.array(claimView),
  messages: z.array(messageView),
  handoffs: z.array(handoffView),
});
export type BoardJson = z.infer<typeof boardJsonView>;

export function toBoardView(b: BoardView): BoardJson {
  return {
    now: iso(b.now),
    instances: b.instances.map(toInstanceView),
    claims: b.claims.map(toClaimView),
    messages: b.messages.map(toMessageView),
    handoffs: b.handoffs.map(toHandoffView),
  };
}
