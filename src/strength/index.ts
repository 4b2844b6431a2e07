// Pheromone strength: initial strength by kind and trust, exponential decay, capped reinforcement.
//
// Strength is never updated in the background. A trace stores its strength `s` as of a time `t`;
// its strength at `now` is s · 2^(-(now - t) / halfLife). Because every trace decays at the same rate,
// ordering by current strength equals ordering by the time-free "decay key" log2(s) + t / halfLife,
// which a database can index; the floor becomes a key threshold that moves with the clock.
import type { TraceKind, Trust } from '../traces/schema.js';
import { invalidInput } from '../errors/index.js';

export interface StrengthConfig {
  halfLifeMs: number;
  /** Below this a trace leaves briefings (and sense by default) but stays searchable. */
  floor: number;
  /** Reinforcement never lifts a trace above this. */
  cap: number;
  /** Added by each follow. */
  followBoost: number;
  /** Added by an endorsing annotation. */
  endorseBoost: number;
  kindWeight: Record<TraceKind, number>;
  trustWeight: Record<Trust, number>;
}

export const DAY_MS = 86_400_000;

export const DEFAULT_STRENGTH: StrengthConfig = {
  halfLifeMs: 30 * DAY_MS,
  floor: 0.1,
  cap: 10,
  followBoost: 1,
  endorseBoost: 0.5,
  kindWeight: { instruction: 1.5, decision: 1.5, warning: 1.3, insight: 1.2, todo: 1, question: 1, note: 1 },
  trustWeight: { human: 1.5, agent: 1, external: 0.5 },
};

export function initialStrength(kind: TraceKind, trust: Trust, config: StrengthConfig): number {
  return Math.min(config.cap, config.kindWeight[kind] * config.trustWeight[trust]);
}

/** Strength at `now` of a trace that had strength `s` at time `at`. Never grows when the clock steps back. */
export function currentStrength(s: number, at: number, now: number, halfLifeMs: number): number {
  const elapsed = Math.max(0, now - at);
  return s * Math.pow(2, -elapsed / halfLifeMs);
}

/** Adds `boost` to the decayed strength, capped; the result is the new (strength, strengthAt). */
export function reinforce(
  s: number,
  at: number,
  now: number,
  boost: number,
  config: Pick<StrengthConfig, 'halfLifeMs' | 'cap'>,
): { strength: number; strengthAt: number } {
  const base = currentStrength(s, at, Math.max(now, at), config.halfLifeMs);
  return { strength: Math.min(config.cap, base + boost), strengthAt: Math.max(now, at) };
}

/** Time-free ordering key: larger means stronger now, at any `now`. */
export function decayKey(s: number, at: number, halfLifeMs: number): number {
  // Strength is never 0 (initial weights are positive), but guard against log2(0) = -Infinity anyway.
  return Math.log2(Math.max(s, 1e-12)) + at / halfLifeMs;
}

/** The decay key below which a trace is under `floor` at `now`. */
export function floorKey(floor: number, now: number, halfLifeMs: number): number {
  return Math.log2(floor) + now / halfLifeMs;
}

/** Parses a duration such as "30d", "12h", "90m" or a number of milliseconds. */
export function parseDuration(input: string | number, field: string): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input > 0) return input;
  } else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/u.exec(input);
    if (m) {
      const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS }[m[2] ?? 'ms'] ?? 1;
      const value = Number(m[1]) * unit;
      if (value > 0) return value;
    }
  }
  throw invalidInput(field, `${JSON.stringify(input)} is not a duration; write a number with a unit, such as "30d", "12h" or "90m"`);
}

/** Validates a strength configuration, naming the bad field. */
export function checkStrengthConfig(config: StrengthConfig): StrengthConfig {
  const positive: Array<[string, number]> = [
    ['halfLife', config.halfLifeMs],
    ['floor', config.floor],
    ['cap', config.cap],
  ];
  for (const [field, v] of positive) {
    if (!Number.isFinite(v) || v <= 0) throw invalidInput(field, `must be a positive number, got ${v}`);
  }
  if (config.floor >= config.cap) throw invalidInput('floor', `must be below the cap (${config.cap})`);
  if (!(config.followBoost >= 0)) throw invalidInput('followBoost', 'must be zero or more');
  return config;
}
