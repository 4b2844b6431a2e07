// Creating and reading authored trails.
import type { Context } from '../context.js';
import { PhysarumError, notFound } from '../errors/index.js';
import { parseInput } from '../errors/parse.js';
import { newId } from '../ids.js';
import { normalizePlace } from '../places/index.js';
import { redactSecrets } from '../secrets/index.js';
import type { Actor, Trace } from '../traces/schema.js';
import { type CreateTrailInput, type Trail, type TrailStep, createTrailInput } from './types.js';

export interface TrailView extends Trail {
  /** The traces the steps point to, by id (forgotten ones show their tombstone). */
  traces: Record<string, Trace>;
}

export async function createTrail(ctx: Context, raw: CreateTrailInput, actor: Actor): Promise<Trail> {
  const input = parseInput(createTrailInput, raw);
  const steps: TrailStep[] = input.steps.map((s, i) => ({
    traceId: s.trace ?? null,
    place: s.place === undefined ? null : normalizePlace(s.place, { root: ctx.root }, `steps.${i}.place`).key,
    note: s.note === undefined ? null : redactSecrets(s.note).text,
  }));
  return ctx.storage.write(async (w) => {
    if (await w.getTrail(input.name)) {
      throw new PhysarumError('CONFLICT', `a trail named ${JSON.stringify(input.name)} already exists; choose another name.`);
    }
    const ids = steps.flatMap((s) => (s.traceId === null ? [] : [s.traceId]));
    const found = new Set((await w.getTraces(ids)).map((t) => t.id));
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw notFound('trace', missing);
    const now = ctx.clock.now();
    const trail: Trail = {
      id: newId(now),
      name: input.name,
      description: redactSecrets(input.description).text,
      steps,
      author: actor,
      createdAt: now,
    };
    await w.insertTrail(trail);
    await w.appendEvent({ type: 'trail.create', at: now, actor, subject: trail.id, data: { name: trail.name, steps: steps.length } });
    return trail;
  });
}

export async function getTrail(ctx: Context, nameOrId: string): Promise<TrailView> {
  return ctx.storage.read(async (r) => {
    const trail = await r.getTrail(nameOrId.trim());
    if (!trail) throw notFound('trail', nameOrId);
    const ids = trail.steps.flatMap((s) => (s.traceId === null ? [] : [s.traceId]));
    const traces = Object.fromEntries((await r.getTraces(ids)).map((t) => [t.id, t]));
    return { ...trail, traces };
  });
}

export async function listTrails(ctx: Context): Promise<Trail[]> {
  return ctx.storage.read((r) => r.listTrails());
}
