// The public JSON shape of a change-log event, with ISO times.
import * as z from 'zod';
import type { PalimpsestEvent } from './events.js';
import { authorView } from '../traces/view.js';

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

export type EventView = z.infer<typeof eventView>;

export function toEventView(e: PalimpsestEvent): EventView {
  return { ...e, at: new Date(e.at).toISOString() };
}

