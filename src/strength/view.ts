// The public JSON shape of a trace's strength over time (the JSON API), with ISO times.
import { iso } from '../clock.js';

export interface StrengthSeriesJson {
  id: string;
  now: string;
  points: Array<{ at: string; strength: number }>;
}

export function toStrengthSeriesView(s: { id: string; now: number; points: Array<{ at: number; strength: number }> }): StrengthSeriesJson {
  return { id: s.id, now: iso(s.now), points: s.points.map((p) => ({ at: iso(p.at), strength: p.strength })) };
}
