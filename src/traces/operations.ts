// Depositing and changing traces: every change is one transaction with its event in the palimpsest.
import { hash } from 'node:crypto';
import type { Context } from '../context.js';
import type { PortableWrite, StorageReader, StorageWriter } from '../storage/types.js';
import type { PalimpsestEvent } from '../palimpsest/events.js';
import { PhysarumError, invalidInput, notFound } from '../errors/index.js';
import { parseInput } from '../errors/parse.js';
import { newId } from '../ids.js';
import { redactSecrets, type Redaction } from '../secrets/index.js';
import { normalizePlace } from '../places/index.js';
import { decayKey, initialStrength, reinforce, type StrengthConfig } from '../strength/index.js';
import { loadStrengthConfig } from '../strength/config.js';
import {
  type Actor,
  type Annotation,
  type AnnotateInput,
  type DepositInput,
  type FollowInput,
  type RetagInput,
  type ReviseInput,
  type StatusChangeInput,
  type Trace,
  type Trust,
  TRUST_LEVELS,
  annotateInput,
  depositInput,
  followInput,
  retagInput,
  reviseInput,
  statusChangeInput,
} from './schema.js';

export interface DepositResult {
  trace: Trace;
  /** True when an identical live trace already existed: it was reinforced instead of duplicated. */
  deduplicated: boolean;
  redactions: Redaction[];
}

const ASCII = /^[\x00-\x7f]*$/;

/** Equal for traces that say the same thing, of the same kind, from the same source and metadata, at the same places. */
export function contentHash(t: Pick<Trace, 'text' | 'kind' | 'places' | 'source' | 'meta'>): string {
  // ASCII text is already in NFC; checking is cheaper than normalising.
  const text = ASCII.test(t.text) ? t.text : t.text.normalize('NFC');
  const normal = text.trim().replace(/\s+/gu, ' ').toLowerCase();
  return hash('sha256', [t.kind, t.source, [...t.places].sort().join('\u0001'), JSON.stringify(t.meta), normal].join('\u0000'), 'hex');
}

export function indexingOf(trace: Trace, config: StrengthConfig): { decayKey: number; contentHash: string } {
  return { decayKey: decayKey(trace.strength, trace.strengthAt, config.halfLifeMs), contentHash: contentHash(trace) };
}

function mergeRedactions(...lists: Redaction[][]): Redaction[] {
  const counts = new Map<string, number>();
  for (const list of lists) for (const r of list) counts.set(r.kind, (counts.get(r.kind) ?? 0) + r.count);
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([kind, count]) => ({ kind, count }) as Redaction);
}

/** Redacts secrets from a free-text field, collecting what was redacted. */
export function redactField(text: string, into: Redaction[][]): string {
  const r = redactSecrets(text);
  into.push(r.redactions);
  return r.text;
}

function resolveTrust(requested: Trust | undefined, source: string, actor: Actor): Trust {
  const fallback: Trust = source.startsWith('ingest:') ? 'external' : actor.role === 'human' ? 'human' : 'agent';
  const trust = requested ?? fallback;
  // Security: an agent can lower its trust but never claim a person's.
  if (actor.role !== 'human' && TRUST_LEVELS.indexOf(trust) < TRUST_LEVELS.indexOf('agent')) {
    throw invalidInput('trust', `an agent cannot deposit with "${trust}" trust; use "agent" or "external", or ask a person to deposit it`);
  }
  return trust;
}

function resolveSource(requested: string | undefined, actor: Actor): string {
  const source = requested ?? (actor.role === 'human' ? 'human' : 'agent');
  if (source === 'human' && actor.role !== 'human') {
    throw invalidInput('source', 'an agent cannot deposit with source "human"; use "agent" or "ingest:<uri>"');
  }
  return source;
}

function toTime(at: string | number | undefined, now: number): number {
  if (at === undefined) return now;
  return typeof at === 'number' ? at : Date.parse(at);
}

/** A deposit validated, redacted and normalised, ready to be written inside a transaction. */
export interface PreparedDeposit {
  text: string;
  kind: Trace['kind'];
  places: string[];
  tags: string[];
  source: string;
  trust: Trust;
  meta: Record<string, unknown>;
  createdAt: number;
  /** When its strength starts to decay; `createdAt` unless set (ingest starts an old item's trail when it is read). */
  strengthAt?: number;
  actor: Actor;
  redactions: Redaction[];
}

/** Everything a deposit checks before touching storage; throws INVALID_INPUT on bad input. */
export function prepareDeposit(ctx: Context, raw: DepositInput, actor: Actor): PreparedDeposit {
  const input = parseInput(depositInput, raw);
  const found: Redaction[][] = [];
  const text = redactField(input.text, found);
  const places = [...new Set(input.places.map((p, i) => normalizePlace(p, { root: ctx.root }, `places.${i}`).key))];
  const tags = [...new Set(input.tags.map((t) => redactField(t, found)))];
  const source = resolveSource(input.source, actor);
  const trust = resolveTrust(input.trust, source, actor);
  return {
    text,
    kind: input.kind,
    places,
    tags,
    source,
    trust,
    meta: input.meta,
    createdAt: toTime(input.at, ctx.clock.now()),
    actor,
    redactions: mergeRedactions(...found),
  };
}

/** Writes a prepared deposit (or reinforces its live duplicate) inside the caller's transaction. */
export async function applyDeposit(w: StorageWriter, d: PreparedDeposit, now: number, extra: Record<string, unknown> = {}): Promise<DepositResult> {
  const config = await loadStrengthConfig(w);
  const { actor } = d;
  const draft: Trace = {
    id: newId(d.createdAt),
    text: d.text,
    kind: d.kind,
    places: d.places,
    tags: d.tags,
    author: { name: actor.name, role: actor.role, ...(actor.model ? { model: actor.model } : {}) },
    source: d.source,
    trust: d.trust,
    status: 'live',
    createdAt: d.createdAt,
    updatedAt: d.createdAt,
    strength: initialStrength(d.kind, d.trust, config),
    strengthAt: d.strengthAt ?? d.createdAt,
    follows: 0,
    version: 1,
    meta: d.meta,
  };
  const indexing = indexingOf(draft, config);
  const [existing] = await w.tracesByContentHash(indexing.contentHash, ['live']);
  if (existing) {
    // Saying the same thing again at the same place is a follow, not a new trace: no duplicates, no bloat.
    const trace = await applyFollow(w, existing, actor, now, config, { deduplicated: true });
    return { trace, deduplicated: true, redactions: d.redactions };
  }
  await w.insertTrace(draft, indexing);
  await w.appendEvent({
    type: 'trace.deposit',
    at: now,
    actor,
    traceId: draft.id,
    data: {
      kind: draft.kind,
      places: d.places,
      tags: d.tags,
      trust: d.trust,
      source: d.source,
      ...(d.redactions.length > 0 ? { redactions: d.redactions } : {}),
      ...extra,
    },
  });
  return { trace: draft, deduplicated: false, redactions: d.redactions };
}

/**
 * A deposit as data (validated and redacted by the depositing process), so that whichever process commits
 * for the store can apply it: deposits are the write many instances make at once.
 */
export const depositWrite: PortableWrite<{ deposit: PreparedDeposit; now: number }, DepositResult> = {
  name: 'trace.deposit/1',
  apply: (w, p) => applyDeposit(w, p.deposit, p.now),
  // The id only: the text must not outlive a forget in a receipt.
  receipt: (r) => ({ id: r.trace.id, deduplicated: r.deduplicated, redactions: r.redactions }),
  async replay(r, receipt) {
    const { id, deduplicated, redactions } = receipt as { id: string; deduplicated: boolean; redactions: Redaction[] };
    const trace = await r.getTrace(id);
    if (!trace) throw notFound('trace', id);
    return { trace, deduplicated, redactions };
  },
};

export async function deposit(ctx: Context, raw: DepositInput, actor: Actor): Promise<DepositResult> {
  const deposit = prepareDeposit(ctx, raw, actor);
  return ctx.storage.writePortable(depositWrite, { deposit, now: ctx.clock.now() });
}

async function requireTrace(w: StorageReader, id: string): Promise<Trace> {
  const trace = await w.getTrace(id);
  if (!trace) throw notFound('trace', id);
  return trace;
}

function requireNotForgotten(trace: Trace, action: string): void {
  if (trace.status === 'forgotten') {
    throw new PhysarumError('CONFLICT', `trace ${trace.id} was forgotten; it cannot be ${action}. Deposit a new trace instead.`, {
      details: { id: trace.id, status: trace.status },
    });
  }
}

function requireVersion(trace: Trace, expected: number | undefined): void {
  if (expected !== undefined && trace.version !== expected) {
    throw new PhysarumError(
      'CONFLICT',
      `trace ${trace.id} changed since you read it (version ${trace.version}, you expected ${expected}). Read it again and retry.`,
      { details: { id: trace.id, version: trace.version, expectedVersion: expected } },
    );
  }
}

async function applyFollow(
  w: StorageWriter,
  trace: Trace,
  actor: Actor,
  now: number,
  config: StrengthConfig,
  data: Record<string, unknown> = {},
  boost: number = config.followBoost,
): Promise<Trace> {
  const next = { ...trace, ...reinforce(trace.strength, trace.strengthAt, now, boost, config), follows: trace.follows + 1 };
  await w.updateTrace(next, indexingOf(next, config));
  await w.appendEvent({
    type: 'trace.follow',
    at: now,
    actor,
    traceId: trace.id,
    data: { before: trace.strength, beforeAt: trace.strengthAt, after: next.strength, ...data },
  });
  return next;
}

/** A follow as data, like a deposit: many instances follow the same useful traces at once. */
export const followWrite: PortableWrite<{ id: string; actor: Actor; now: number }, Trace> = {
  name: 'trace.follow/1',
  async apply(w, p) {
    const trace = await requireTrace(w, p.id);
    requireNotForgotten(trace, 'followed');
    return applyFollow(w, trace, p.actor, p.now, await loadStrengthConfig(w));
  },
  receipt: (t) => ({ id: t.id }),
  async replay(r, receipt) {
    return requireTrace(r, (receipt as { id: string }).id);
  },
};

export async function follow(ctx: Context, raw: FollowInput, actor: Actor): Promise<Trace> {
  const input = parseInput(followInput, raw);
  return ctx.storage.writePortable(followWrite, { id: input.id, actor, now: ctx.clock.now() });
}

export async function annotate(ctx: Context, raw: AnnotateInput, actor: Actor): Promise<{ annotation: Annotation; trace: Trace }> {
  const input = parseInput(annotateInput, raw);
  const found: Redaction[][] = [];
  const text = redactField(input.text, found);
  const redactions = mergeRedactions(...found);
  return ctx.storage.write(async (w) => {
    let trace = await requireTrace(w, input.id);
    requireNotForgotten(trace, 'annotated');
    const now = ctx.clock.now();
    const annotation: Annotation = {
      id: newId(now),
      traceId: trace.id,
      stance: input.stance,
      text,
      author: { name: actor.name, role: actor.role, ...(actor.model ? { model: actor.model } : {}) },
      createdAt: now,
    };
    await w.insertAnnotation(annotation);
    // An endorsement reinforces; the event records the strength change as a follow does (for strength over time).
    let strength: Record<string, number> = {};
    if (input.stance === 'endorse') {
      const config = await loadStrengthConfig(w);
      const next = { ...trace, ...reinforce(trace.strength, trace.strengthAt, now, config.endorseBoost, config) };
      await w.updateTrace(next, indexingOf(next, config));
      strength = { before: trace.strength, beforeAt: trace.strengthAt, after: next.strength };
      trace = next;
    }
    await w.appendEvent({
      type: 'trace.annotate',
      at: now,
      actor,
      traceId: trace.id,
      subject: annotation.id,
      data: { stance: input.stance, ...strength, ...(redactions.length > 0 ? { redactions } : {}) },
    });
    return { annotation, trace };
  });
}

export async function retag(ctx: Context, raw: RetagInput, actor: Actor): Promise<Trace> {
  const input = parseInput(retagInput, raw);
  const found: Redaction[][] = [];
  const reason = redactField(input.reason, found);
  const norm = (list: string[], field: string) => list.map((p, i) => normalizePlace(p, { root: ctx.root }, `${field}.${i}`).key);
  const addPlaces = norm(input.addPlaces, 'addPlaces');
  const removePlaces = new Set(norm(input.removePlaces, 'removePlaces'));
  const addTags = input.addTags.map((t) => redactField(t, found));
  const removeTags = new Set(input.removeTags);
  return ctx.storage.write(async (w) => {
    const trace = await requireTrace(w, input.id);
    requireNotForgotten(trace, 'retagged');
    requireVersion(trace, input.expectedVersion);
    const tags = [...new Set([...trace.tags.filter((t) => !removeTags.has(t)), ...addTags])];
    const places = [...new Set([...trace.places.filter((p) => !removePlaces.has(p)), ...addPlaces])];
    if (sameList(tags, trace.tags) && sameList(places, trace.places)) return trace;
    const now = ctx.clock.now();
    const next: Trace = { ...trace, tags, places, version: trace.version + 1, updatedAt: now };
    await w.updateTrace(next, indexingOf(next, await loadStrengthConfig(w)));
    await w.appendEvent({
      type: 'trace.retag',
      at: now,
      actor,
      traceId: trace.id,
      reason,
      data: { before: { tags: trace.tags, places: trace.places }, after: { tags, places } },
    });
    return next;
  });
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Archive (leave briefings and default search) or restore (back to live). */
export async function setStatus(
  ctx: Context,
  raw: StatusChangeInput,
  actor: Actor,
  to: 'archived' | 'live',
): Promise<{ trace: Trace; event: PalimpsestEvent | null }> {
  const input = parseInput(statusChangeInput, raw);
  const reason = redactSecrets(input.reason).text;
  return ctx.storage.write(async (w) => {
    const trace = await requireTrace(w, input.id);
    requireNotForgotten(trace, to === 'live' ? 'restored (its text is gone)' : 'archived');
    requireVersion(trace, input.expectedVersion);
    if (trace.status === to) return { trace, event: null };
    const now = ctx.clock.now();
    const next: Trace = { ...trace, status: to, version: trace.version + 1, updatedAt: now };
    await w.updateTrace(next, indexingOf(next, await loadStrengthConfig(w)));
    const event = await w.appendEvent({
      type: to === 'archived' ? 'trace.archive' : 'trace.restore',
      at: now,
      actor,
      traceId: trace.id,
      reason,
      data: { from: trace.status, to },
    });
    return { trace: next, event };
  });
}

/**
 * Replaces a trace's text (and optionally metadata), for sources that changed upstream (ingest). The event
 * records the reason and the content hashes before and after, never the text.
 */
export async function revise(ctx: Context, raw: ReviseInput, actor: Actor): Promise<Trace> {
  const input = parseInput(reviseInput, raw);
  const found: Redaction[][] = [];
  const text = redactField(input.text, found);
  const reason = redactSecrets(input.reason).text;
  const redactions = mergeRedactions(...found);
  return ctx.storage.write(async (w) => {
    const trace = await requireTrace(w, input.id);
    requireNotForgotten(trace, 'revised');
    requireVersion(trace, input.expectedVersion);
    const next: Trace = { ...trace, text, meta: input.meta ?? trace.meta };
    if (next.text === trace.text && JSON.stringify(next.meta) === JSON.stringify(trace.meta)) return trace;
    const now = ctx.clock.now();
    const revised: Trace = { ...next, version: trace.version + 1, updatedAt: now };
    const config = await loadStrengthConfig(w);
    const indexing = indexingOf(revised, config);
    await w.updateTrace(revised, indexing);
    await w.appendEvent({
      type: 'trace.revise',
      at: now,
      actor,
      traceId: trace.id,
      reason,
      data: { before: { contentHash: indexingOf(trace, config).contentHash }, after: { contentHash: indexing.contentHash }, ...(redactions.length ? { redactions } : {}) },
    });
    return revised;
  });
}

export const FORGOTTEN_TEXT = '[forgotten]';

/** Erases a trace's text everywhere; a tombstone with the reason stays. */
export async function forget(ctx: Context, raw: StatusChangeInput, actor: Actor): Promise<Trace> {
  const input = parseInput(statusChangeInput, raw);
  const reason = redactSecrets(input.reason).text;
  return ctx.storage.write(async (w) => {
    const trace = await requireTrace(w, input.id);
    // Forgetting twice is harmless, whatever version the caller last saw.
    if (trace.status === 'forgotten') return trace;
    requireVersion(trace, input.expectedVersion);
    const now = ctx.clock.now();
    await w.eraseTrace(trace.id, FORGOTTEN_TEXT, now);
    await w.appendEvent({ type: 'trace.forget', at: now, actor, traceId: trace.id, reason, data: { from: trace.status } });
    const after = await w.getTrace(trace.id);
    if (!after) throw notFound('trace', trace.id);
    return after;
  });
}

export async function getTrace(ctx: Context, id: string): Promise<{ trace: Trace; annotations: Annotation[] }> {
  return ctx.storage.read(async (r) => {
    const trace = await r.getTrace(id);
    if (!trace) throw notFound('trace', id);
    return { trace, annotations: await r.annotationsOf(id) };
  });
}
