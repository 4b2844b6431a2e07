// Coordination between live instances: registry, claims (leases), messages, check-ins and handoffs.
import { hostname } from 'node:os';
import type { Context } from '../context.js';
import type { StorageReader, StorageWriter } from '../storage/types.js';
import { PhysarumError, notFound } from '../errors/index.js';
import { parseInput } from '../errors/parse.js';
import { newId } from '../ids.js';
import { normalizePlace } from '../places/index.js';
import { redactSecrets } from '../secrets/index.js';
import { parseDuration } from '../strength/index.js';
import { applyDeposit, prepareDeposit, type DepositResult } from '../traces/operations.js';
import type { Actor } from '../traces/schema.js';
import {
  ACTIVE_WINDOW_MS,
  type BoardView,
  type CheckInInput,
  type Claim,
  type ClaimInput,
  DEFAULT_LEASE_MS,
  type Handoff,
  type HandoffInput,
  IDLE_WINDOW_MS,
  type Instance,
  type InstanceStatus,
  type InstanceView,
  MAX_LEASE_MS,
  type Message,
  type PostMessageInput,
  type RegisterInput,
  type ReleaseInput,
  checkInInput,
  claimInput,
  handoffInput,
  postMessageInput,
  registerInput,
  releaseInput,
} from './types.js';

export type { BoardView, InstanceView };

export function instanceStatus(i: Instance, now: number): InstanceStatus {
  if (i.endedAt !== null && i.endedAt >= i.lastSeenAt) return 'ended';
  const quiet = now - i.lastSeenAt;
  return quiet <= ACTIVE_WINDOW_MS ? 'active' : quiet <= IDLE_WINDOW_MS ? 'idle' : 'gone';
}

/** Marks the instance as seen now (creating it if it never registered); every board write does this. */
export async function touch(w: StorageWriter, actor: Actor, now: number, patch: Partial<Instance> = {}): Promise<Instance> {
  const existing = await w.getInstance(actor.name);
  const next: Instance = {
    name: actor.name,
    model: actor.model ?? existing?.model ?? null,
    project: existing?.project ?? null,
    host: existing?.host ?? null,
    pid: existing?.pid ?? null,
    registeredAt: existing?.registeredAt ?? now,
    lastSeenAt: now,
    endedAt: existing?.endedAt ?? null,
    places: existing?.places ?? [],
    lastCheckIn: existing?.lastCheckIn ?? null,
    lastPlace: existing?.lastPlace ?? null,
    lastPlaceAt: existing?.lastPlaceAt ?? null,
    ...patch,
  };
  await w.putInstance(next);
  return next;
}

export async function register(ctx: Context, raw: RegisterInput, actor: Actor): Promise<{ instance: InstanceView; resumed: boolean }> {
  const input = parseInput(registerInput, raw);
  const name = input.name ?? actor.name;
  const who: Actor = { ...actor, name, ...(input.model ? { model: input.model } : {}) };
  return ctx.storage.write(async (w) => {
    const now = ctx.clock.now();
    const existing = await w.getInstance(name);
    const instance = await touch(w, who, now, {
      registeredAt: existing?.registeredAt ?? now,
      endedAt: null,
      project: input.project ?? existing?.project ?? ctx.root,
      host: input.host ?? existing?.host ?? hostname(),
      pid: input.pid ?? existing?.pid ?? null,
    });
    await w.appendEvent({ type: 'instance.register', at: now, actor: who, subject: name, data: { resumed: existing !== undefined } });
    return { instance: { ...instance, status: instanceStatus(instance, now) }, resumed: existing !== undefined };
  });
}

export async function heartbeat(ctx: Context, actor: Actor): Promise<InstanceView> {
  return ctx.storage.write(async (w) => {
    const now = ctx.clock.now();
    const instance = await touch(w, actor, now);
    return { ...instance, status: instanceStatus(instance, now) };
  });
}

export async function listInstances(ctx: Context): Promise<InstanceView[]> {
  const now = ctx.clock.now();
  return (await ctx.storage.read((r) => r.listInstances())).map((i) => ({ ...i, status: instanceStatus(i, now) }));
}

function claimTarget(ctx: Context, c: { place?: string | undefined; task?: string | undefined }): string {
  return c.task !== undefined ? `task:${c.task.trim()}` : normalizePlace(c.place ?? '', { root: ctx.root }).key;
}

function leaseMs(lease: string | number | undefined): number {
  const ms = lease === undefined ? DEFAULT_LEASE_MS : parseDuration(lease, 'lease');
  if (ms > MAX_LEASE_MS) throw new PhysarumError('INVALID_INPUT', `lease: at most 24h; renew the claim instead`, { field: 'lease' });
  return ms;
}

/** Claims a place or task, or renews one's own claim. Another holder's live lease is a CONFLICT. */
export async function claim(ctx: Context, raw: ClaimInput, actor: Actor): Promise<{ claim: Claim; renewed: boolean }> {
  const input = parseInput(claimInput, raw);
  const target = claimTarget(ctx, input);
  const lease = leaseMs(input.lease);
  const note = input.note === undefined ? null : redactSecrets(input.note).text;
  return ctx.storage.write(async (w) => {
    const now = ctx.clock.now();
    // The write lock is held from the start of this transaction, so check-then-insert cannot race.
    const [held] = await w.activeClaims({ now, target });
    if (held && held.holder !== actor.name) {
      throw new PhysarumError(
        'CONFLICT',
        `${target} is claimed by ${held.holder} until ${new Date(held.expiresAt).toISOString()}; message them, pick other work, or wait for the lease to end.`,
        { details: { target, holder: held.holder, expiresAt: new Date(held.expiresAt).toISOString(), claimId: held.id } },
      );
    }
    await touch(w, actor, now);
    if (held) {
      const renewed: Claim = { ...held, expiresAt: now + lease, note: note ?? held.note };
      await w.updateClaim(renewed);
      await w.appendEvent({ type: 'claim.renew', at: now, actor, subject: held.id, data: { target, expiresAt: renewed.expiresAt } });
      return { claim: renewed, renewed: true };
    }
    const c: Claim = { id: newId(now), target, holder: actor.name, note, acquiredAt: now, expiresAt: now + lease, releasedAt: null };
    await w.insertClaim(c);
    await w.appendEvent({ type: 'claim.acquire', at: now, actor, subject: c.id, data: { target, expiresAt: c.expiresAt } });
    return { claim: c, renewed: false };
  });
}

export async function release(ctx: Context, raw: ReleaseInput, actor: Actor): Promise<Claim> {
  const input = parseInput(releaseInput, raw);
  return ctx.storage.write(async (w) => {
    const now = ctx.clock.now();
    let c: Claim | undefined;
    if (input.id !== undefined) {
      c = await w.getClaim(input.id);
      if (!c) throw notFound('claim', input.id);
    } else {
      const target = claimTarget(ctx, input);
      [c] = await w.activeClaims({ now, target });
      if (!c) throw new PhysarumError('NOT_FOUND', `nothing is claimed at ${target}; there is nothing to release.`, { details: { target } });
    }
    if (c.releasedAt !== null || c.expiresAt <= now) return c;
    // People may release anyone's claim (to unstick work); agents only their own.
    if (c.holder !== actor.name && actor.role !== 'human') {
      throw new PhysarumError('FORBIDDEN', `${c.target} is claimed by ${c.holder}, not by you (${actor.name}); only the holder or a person can release it.`);
    }
    const released: Claim = { ...c, releasedAt: now };
    await w.updateClaim(released);
    await w.appendEvent({ type: 'claim.release', at: now, actor, subject: c.id, data: { target: c.target, holder: c.holder } });
    return released;
  });
}

export async function postMessage(ctx: Context, raw: PostMessageInput, actor: Actor): Promise<Message> {
  const input = parseInput(postMessageInput, raw);
  const text = redactSecrets(input.text);
  return ctx.storage.write(async (w) => {
    const now = ctx.clock.now();
    await touch(w, actor, now);
    const m: Message = { id: newId(now), from: actor, to: input.to ?? null, text: text.text, createdAt: now };
    await w.insertMessage(m);
    await w.appendEvent({
      type: 'message.post',
      at: now,
      actor,
      subject: m.id,
      data: { to: m.to, ...(text.redactions.length ? { redactions: text.redactions } : {}) },
    });
    return m;
  });
}

/** Messages for this instance (to it or to everyone), newest first; marks them read unless `peek`. */
export async function readMessages(
  ctx: Context,
  options: { unreadOnly?: boolean; limit?: number; peek?: boolean },
  actor: Actor,
): Promise<Message[]> {
  return ctx.storage.write(async (w) => {
    const now = ctx.clock.now();
    const messages = await w.messagesFor({ reader: actor.name, unreadOnly: options.unreadOnly ?? true, limit: Math.min(options.limit ?? 50, 500) });
    if (!options.peek) {
      await touch(w, actor, now);
      await w.markMessagesRead(messages.map((m) => m.id), actor.name, now);
    }
    return messages;
  });
}

/** A short status at a pause: kept as a trace at the instance's current places, and shown on the board. */
export async function checkIn(ctx: Context, raw: CheckInInput, actor: Actor): Promise<DepositResult> {
  const input = parseInput(checkInInput, raw);
  const text = [input.done?.trim() ? `Done: ${input.done.trim()}` : '', input.next?.trim() ? `Next: ${input.next.trim()}` : '']
    .filter(Boolean)
    .join('\n');
  const places = input.places?.map((p, i) => normalizePlace(p, { root: ctx.root }, `places.${i}`).key);
  return ctx.storage.write(async (w) => {
    const now = ctx.clock.now();
    const current = places ?? (await w.getInstance(actor.name))?.places ?? [];
    const prepared = prepareDeposit(ctx, { text, kind: 'note', places: current, tags: ['check-in'] }, actor);
    const result = await applyDeposit(w, prepared, now, { checkIn: true });
    await touch(w, actor, now, { places: current, lastCheckIn: result.trace.text });
    return result;
  });
}

export async function writeHandoff(ctx: Context, raw: HandoffInput, actor: Actor): Promise<Handoff> {
  const input = parseInput(handoffInput, raw);
  return ctx.storage.write(async (w) => {
    const now = ctx.clock.now();
    const known = new Set((await w.getTraces(input.traces)).map((t) => t.id));
    const missing = input.traces.find((id) => !known.has(id));
    if (missing !== undefined) throw notFound('trace', missing);
    for (const t of input.trails) if (!(await w.getTrail(t))) throw notFound('trail', t);
    const h: Handoff = {
      id: newId(now),
      instance: actor.name,
      summary: redactSecrets(input.summary).text,
      openThreads: input.openThreads.map((t) => redactSecrets(t).text),
      traceIds: input.traces,
      trails: input.trails,
      createdAt: now,
    };
    await w.insertHandoff(h);
    await w.appendEvent({ type: 'handoff.write', at: now, actor, subject: h.id, data: { traces: h.traceIds.length, trails: h.trails, end: input.end } });
    if (input.end) {
      await touch(w, actor, now, { endedAt: now });
      for (const c of await w.activeClaims({ now, holder: actor.name })) await w.updateClaim({ ...c, releasedAt: now });
      await w.appendEvent({ type: 'instance.end', at: now, actor, subject: actor.name, data: { handoff: h.id } });
    } else await touch(w, actor, now);
    return h;
  });
}

export async function boardView(r: StorageReader, now: number, options: { messages?: number; handoffs?: number } = {}): Promise<BoardView> {
  return {
    now,
    instances: (await r.listInstances()).map((i) => ({ ...i, status: instanceStatus(i, now) })),
    claims: await r.activeClaims({ now }),
    messages: await r.recentMessages(options.messages ?? 20),
    handoffs: await r.latestHandoffs(options.handoffs ?? 5),
  };
}

export async function board(ctx: Context): Promise<BoardView> {
  const now = ctx.clock.now();
  return ctx.storage.read((r) => boardView(r, now));
}
