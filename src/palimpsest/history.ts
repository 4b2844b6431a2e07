// Reading the palimpsest (one trace's history or the whole store's) and reverting an event, itself logged.
import * as z from 'zod';
import type { Context } from '../context.js';
import { EVENT_TYPES, type PalimpsestEvent } from './events.js';
import { PhysarumError, notFound } from '../errors/index.js';
import { parseInput } from '../errors/parse.js';
import { redactSecrets } from '../secrets/index.js';
import { type Actor, type Trace, limitSchema } from '../traces/schema.js';
import { indexingOf } from '../traces/operations.js';
import { loadStrengthConfig } from '../strength/config.js';
import { parseSince } from '../search/index.js';

export const historyInput = z.strictObject({
  /** One trace's history; absent for the whole store. */
  id: z.string().trim().min(1).optional(),
  actor: z.string().optional(),
  type: z.union([z.enum(EVENT_TYPES), z.array(z.enum(EVENT_TYPES))], { error: `type must be one of: ${EVENT_TYPES.join(', ')}` }).optional(),
  /** Epoch ms, a date ("2026-01-31") or a duration back from now ("7d"). */
  since: z.union([z.number().int(), z.string()]).optional(),
  /** Page back: only events before this position in the log. */
  before: z.number().int().positive().optional(),
  /** Follow the log: only events after this position, oldest first. */
  after: z.number().int().nonnegative().optional(),
  limit: limitSchema(1000, 50),
});
export type HistoryInput = z.input<typeof historyInput>;

export async function history(ctx: Context, raw: HistoryInput): Promise<PalimpsestEvent[]> {
  const input = parseInput(historyInput, raw);
  const since = typeof input.since === 'string' ? parseSince(input.since, ctx.clock.now()) : input.since;
  return ctx.storage.read(async (r) => {
    if (input.id !== undefined && !(await r.getTrace(input.id))) throw notFound('trace', input.id);
    return r.listEvents({
      limit: input.limit,
      ...(input.id !== undefined ? { traceId: input.id } : {}),
      ...(input.actor !== undefined ? { actorName: input.actor } : {}),
      ...(input.type !== undefined ? { types: Array.isArray(input.type) ? input.type : [input.type] } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(input.before !== undefined ? { beforeSeq: input.before } : {}),
      ...(input.after !== undefined ? { afterSeq: input.after } : {}),
    });
  });
}

export const revertInput = z.strictObject({
  event: z.string().trim().min(1, 'event is empty; pass an event id from history'),
  reason: z.string().refine((s) => s.trim().length > 0, 'reason is empty; say why the change is undone'),
});
export type RevertInput = z.input<typeof revertInput>;

/** What a revert of each kind of event does to the trace; absent kinds cannot be reverted. */
function undo(event: PalimpsestEvent, trace: Trace): Partial<Trace> | string {
  const data = event.data;
  switch (event.type) {
    case 'trace.deposit':
      return { status: 'archived' };
    case 'trace.archive':
    case 'trace.restore':
      return { status: data['from'] === 'archived' ? 'archived' : 'live' };
    case 'trace.retag': {
      const before = data['before'] as { tags: string[]; places: string[] } | undefined;
      return before ? { tags: before.tags, places: before.places } : 'the event does not record the earlier tags';
    }
    case 'trace.forget':
      return 'forgetting erased the text; it cannot be brought back';
    default:
      return `${event.type} events cannot be reverted; ${trace.id} can be archived instead`;
  }
}

/** Undoes one event on a trace (a person's action), recording the revert as a new event. */
export async function revert(ctx: Context, raw: RevertInput, actor: Actor): Promise<{ trace: Trace; event: PalimpsestEvent }> {
  const input = parseInput(revertInput, raw);
  if (actor.role !== 'human') {
    throw new PhysarumError('FORBIDDEN', 'Only a person can revert changes; ask the person you work with to run `physarum revert`.');
  }
  const reason = redactSecrets(input.reason).text;
  return ctx.storage.write(async (w) => {
    const target = await w.getEvent(input.event);
    if (!target) throw notFound('event', input.event);
    const trace = target.traceId === null ? undefined : await w.getTrace(target.traceId);
    if (!trace) throw new PhysarumError('CONFLICT', `event ${target.id} (${target.type}) is not about a trace; it cannot be reverted here.`);
    if (trace.status === 'forgotten') throw new PhysarumError('CONFLICT', `trace ${trace.id} was forgotten; its events cannot be reverted.`);
    const change = undo(target, trace);
    if (typeof change === 'string') throw new PhysarumError('CONFLICT', `Cannot revert ${target.id}: ${change}.`);
    // Reverting twice, or reverting a change already undone by hand, would only log a change that changes nothing.
    if (Object.entries(change).every(([k, v]) => JSON.stringify(trace[k as keyof Trace]) === JSON.stringify(v))) {
      throw new PhysarumError('CONFLICT', `Nothing to revert: trace ${trace.id} is already as it was before ${target.id} (${target.type}).`, {
        details: { event: target.id, trace: trace.id },
      });
    }
    const now = ctx.clock.now();
    const next: Trace = { ...trace, ...change, version: trace.version + 1, updatedAt: now };
    await w.updateTrace(next, indexingOf(next, await loadStrengthConfig(w)));
    const event = await w.appendEvent({
      type: 'event.revert',
      at: now,
      actor,
      traceId: trace.id,
      subject: target.id,
      reason,
      data: {
        reverted: target.type,
        before: { status: trace.status, tags: trace.tags, places: trace.places },
        after: { status: next.status, tags: next.tags, places: next.places },
      },
    });
    return { trace: next, event };
  });
}
