// A trace's strength over time, rebuilt from its change log: each reinforcement is a step up, decay in between.
import * as z from 'zod';
import type { Context } from '../context.js';
import { notFound } from '../errors/index.js';
import { parseInput } from '../errors/parse.js';
import { currentStrength } from './index.js';
import { loadStrengthConfig } from './config.js';

export const strengthSeriesInput = z.strictObject({
  id: z.string().trim().min(1, 'id is empty; pass a trace id'),
  /** Samples of the decay curve between the first and the last point. */
  samples: z.number().int().min(2).max(500).default(60),
});
export type StrengthSeriesInput = z.input<typeof strengthSeriesInput>;

export interface StrengthPoint {
  at: number;
  strength: number;
}

/** Strength at the deposit, then after each reinforcement (follow, endorsement), sampled up to now. */
export async function strengthSeries(ctx: Context, raw: StrengthSeriesInput): Promise<{ id: string; now: number; points: StrengthPoint[] }> {
  const input = parseInput(strengthSeriesInput, raw);
  const now = ctx.clock.now();
  return ctx.storage.read(async (r) => {
    const trace = await r.getTrace(input.id);
    if (!trace) throw notFound('trace', input.id);
    const { halfLifeMs } = await loadStrengthConfig(r);
    const events = (await r.listEvents({ traceId: trace.id, limit: 10_000 })).sort((a, b) => a.seq - b.seq);
    // Anchors: (time, strength just after it). A reinforcement event records the strength before and after.
    const anchors: StrengthPoint[] = [];
    for (const e of events) {
      const { before, beforeAt, after } = e.data as { before?: unknown; beforeAt?: unknown; after?: unknown };
      if (typeof after !== 'number') continue;
      if (anchors.length === 0 && typeof before === 'number' && typeof beforeAt === 'number') anchors.push({ at: beforeAt, strength: before });
      anchors.push({ at: e.at, strength: after });
    }
    // The stored strength is the truth; it ends the steps even when an older event did not record its change.
    if (anchors.length === 0 || (anchors.at(-1)?.at ?? 0) < trace.strengthAt) anchors.push({ at: trace.strengthAt, strength: trace.strength });
    const start = Math.min(trace.createdAt, anchors[0]?.at ?? trace.createdAt);
    const end = Math.max(now, trace.strengthAt);
    const at = (t: number): number => {
      let a = anchors[0] as StrengthPoint;
      for (const x of anchors) if (x.at <= t) a = x;
      return currentStrength(a.strength, a.at, t, halfLifeMs);
    };
    const times = new Set<number>(anchors.map((a) => a.at));
    // Just before each step, so a plot shows the jump rather than a slope.
    for (const a of anchors.slice(1)) times.add(a.at - 1);
    for (let i = 0; i < input.samples; i++) times.add(Math.round(start + ((end - start) * i) / (input.samples - 1)));
    const points = [...times].filter((t) => t >= start && t <= end).sort((a, b) => a - b).map((t) => ({ at: t, strength: Math.round(at(t) * 10_000) / 10_000 }));
    return { id: trace.id, now, points };
  });
}
