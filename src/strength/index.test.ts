import { describe, it, expect } from 'vitest';
import { isPhysarumError } from '../errors/index.js';
import { TRACE_KINDS, TRUST_LEVELS } from '../traces/schema.js';
import { DAY_MS, DEFAULT_STRENGTH, currentStrength, decayKey, floorKey, initialStrength, parseDuration, reinforce } from './index.js';
import { agent, person, prng } from '../../test/helpers/core.js';

const HALF = DEFAULT_STRENGTH.halfLifeMs;
const T0 = Date.UTC(2026, 0, 1);

/** Mulberry32: a small seeded PRNG so the property loops are reproducible. */

describe('initialStrength()', () => {
  it('is the kind weight times the trust weight', () => {
    const expected: Record<string, number> = { instruction: 1.5, decision: 1.5, warning: 1.3, insight: 1.2, todo: 1, question: 1, note: 1 };
    const trust: Record<string, number> = { human: 1.5, agent: 1, external: 0.5 };
    for (const kind of TRACE_KINDS) {
      for (const t of TRUST_LEVELS) {
        expect(initialStrength(kind, t, DEFAULT_STRENGTH)).toBeCloseTo((expected[kind] ?? NaN) * (trust[t] ?? NaN), 12);
      }
    }
  });

  it('gives an agent note 1.0 and a person decision 2.25', () => {
    expect(initialStrength('note', 'agent', DEFAULT_STRENGTH)).toBe(1);
    expect(initialStrength('decision', 'human', DEFAULT_STRENGTH)).toBeCloseTo(2.25, 12);
    expect(initialStrength('note', 'external', DEFAULT_STRENGTH)).toBe(0.5);
  });

  it('never exceeds the cap', () => {
    const config = { ...DEFAULT_STRENGTH, cap: 2 };
    expect(initialStrength('decision', 'human', config)).toBe(2);
    expect(initialStrength('note', 'agent', config)).toBe(1);
  });
});

describe('currentStrength()', () => {
  it('keeps the stored value at the moment it was stored', () => {
    expect(currentStrength(3, T0, T0, HALF)).toBe(3);
  });

  it('halves after one half-life and quarters after two', () => {
    expect(currentStrength(4, T0, T0 + HALF, HALF)).toBeCloseTo(2, 12);
    expect(currentStrength(4, T0, T0 + 2 * HALF, HALF)).toBeCloseTo(1, 12);
  });

  it('decays continuously in between', () => {
    expect(currentStrength(1, T0, T0 + HALF / 2, HALF)).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('never grows when the clock goes back', () => {
    expect(currentStrength(2, T0, T0 - 10 * DAY_MS, HALF)).toBe(2);
    expect(currentStrength(2, T0, T0 - HALF * 5, HALF)).toBe(2);
  });
});

describe('reinforce()', () => {
  it('adds the boost to the decayed value and moves the timestamp to now', () => {
    const r = reinforce(2, T0, T0 + HALF, 1, DEFAULT_STRENGTH);
    expect(r.strength).toBeCloseTo(2, 12); // 2 decays to 1, plus 1
    expect(r.strengthAt).toBe(T0 + HALF);
  });

  it('caps the result', () => {
    const r = reinforce(9.8, T0, T0, 1, DEFAULT_STRENGTH);
    expect(r.strength).toBe(DEFAULT_STRENGTH.cap);
    expect(reinforce(10, T0, T0, 5, { halfLifeMs: HALF, cap: 3 }).strength).toBe(3);
  });

  it('does not move the timestamp back when the clock goes back', () => {
    const r = reinforce(1, T0, T0 - DAY_MS, 1, DEFAULT_STRENGTH);
    expect(r.strengthAt).toBe(T0);
    expect(r.strength).toBe(2);
  });
});

describe('decayKey()', () => {
  it('orders random traces the same way as currentStrength at several later times', () => {
    const rand = prng(20260101);
    const traces = Array.from({ length: 200 }, () => ({
      s: 0.05 + rand() * 9.95,
      at: T0 + Math.floor(rand() * 200 * DAY_MS),
    }));
    const byKey = [...traces].sort((a, b) => decayKey(b.s, b.at, HALF) - decayKey(a.s, a.at, HALF));
    for (const later of [200, 230, 365, 800, 3000]) {
      const now = T0 + later * DAY_MS;
      const strengths = byKey.map((t) => currentStrength(t.s, t.at, now, HALF));
      for (let i = 1; i < strengths.length; i++) {
        // Non-increasing, allowing for floating-point noise on near-ties.
        expect(strengths[i] ?? 0).toBeLessThanOrEqual((strengths[i - 1] ?? 0) * (1 + 1e-9));
      }
    }
  });

  it('ranks a fresh weak trace above an old strong one exactly when its current strength is higher', () => {
    const old = { s: 4, at: T0 };
    const fresh = { s: 1.5, at: T0 + HALF }; // old is 2 at T0 + HALF
    expect(decayKey(old.s, old.at, HALF)).toBeGreaterThan(decayKey(fresh.s, fresh.at, HALF));
    const fresher = { s: 2.5, at: T0 + HALF };
    expect(decayKey(fresher.s, fresher.at, HALF)).toBeGreaterThan(decayKey(old.s, old.at, HALF));
  });
});

describe('floorKey()', () => {
  it('agrees with currentStrength >= floor for random traces and times', () => {
    const rand = prng(7);
    let above = 0;
    let below = 0;
    for (let i = 0; i < 2000; i++) {
      const s = 0.01 + rand() * 10;
      const at = T0 + Math.floor(rand() * 100 * DAY_MS);
      const now = at + Math.floor(rand() * 400 * DAY_MS);
      const floor = [0.1, 0.25, 1][i % 3] ?? 0.1;
      const strength = currentStrength(s, at, now, HALF);
      // Skip values within rounding distance of the floor, where either answer is right.
      if (Math.abs(strength - floor) < 1e-9) continue;
      const byKey = decayKey(s, at, HALF) >= floorKey(floor, now, HALF);
      expect(byKey).toBe(strength >= floor);
      if (byKey) above++;
      else below++;
    }
    // The loop exercised both sides of the threshold.
    expect(above).toBeGreaterThan(100);
    expect(below).toBeGreaterThan(100);
  });

  it('puts an agent note below the 0.1 floor after about log2(10) half-lives', () => {
    const key = decayKey(1, T0, HALF);
    expect(key).toBeGreaterThanOrEqual(floorKey(0.1, T0 + 3.3 * HALF, HALF));
    expect(key).toBeLessThan(floorKey(0.1, T0 + 3.33 * HALF, HALF));
  });
});

describe('parseDuration()', () => {
  it('reads days, hours, minutes and other units', () => {
    expect(parseDuration('30d', 'halfLife')).toBe(30 * DAY_MS);
    expect(parseDuration('12h', 'halfLife')).toBe(12 * 3_600_000);
    expect(parseDuration('90m', 'halfLife')).toBe(90 * 60_000);
    expect(parseDuration('2w', 'halfLife')).toBe(14 * DAY_MS);
    expect(parseDuration('45s', 'halfLife')).toBe(45_000);
    expect(parseDuration(' 1.5d ', 'halfLife')).toBe(1.5 * DAY_MS);
  });

  it('takes a bare number as milliseconds', () => {
    expect(parseDuration(1000, 'halfLife')).toBe(1000);
    expect(parseDuration('250', 'halfLife')).toBe(250);
  });

  it('refuses bad input with INVALID_INPUT naming the field', () => {
    for (const bad of ['', 'abc', '30x', 'd30', '-5d', '0d', '1d2h', 'NaN', 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      let caught: unknown;
      try {
        parseDuration(bad, 'halfLife');
      } catch (e) {
        caught = e;
      }
      expect(isPhysarumError(caught), `input ${String(bad)}`).toBe(true);
      if (isPhysarumError(caught)) {
        expect(caught.code).toBe('INVALID_INPUT');
        expect(caught.field).toBe('halfLife');
      }
    }
  });
});
