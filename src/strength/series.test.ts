import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agent, closeTestStore, openTestStore, person, refusal, type TestStore } from '../../test/helpers/core.js';
import { DAY_MS, DEFAULT_STRENGTH, initialStrength } from './index.js';

let s: TestStore;
beforeEach(() => {
  s = openTestStore();
});
afterEach(() => closeTestStore(s));

describe('strengthSeries()', () => {
  it('starts at the initial strength, halves over a half-life, and steps up at each follow and endorsement', async () => {
    const { trace } = await s.p.deposit({ text: 'Use the Gibbs definition.', kind: 'decision', places: ['essay.md'] }, person);
    const start = s.clock.now();
    const initial = initialStrength('decision', 'human', DEFAULT_STRENGTH);
    s.clock.advance(30 * DAY_MS);
    await s.p.follow({ id: trace.id }, agent);
    s.clock.advance(10 * DAY_MS);
    await s.p.annotate({ id: trace.id, stance: 'endorse', text: 'agreed' }, agent);
    s.clock.advance(5 * DAY_MS);
    const { points } = await s.p.strengthSeries({ id: trace.id, samples: 10 });
    const at = (t: number) => points.find((p) => p.at === t)?.strength;
    expect(points[0]).toEqual({ at: start, strength: initial });
    expect(at(start + 30 * DAY_MS - 1)).toBeCloseTo(initial / 2, 3);
    expect(at(start + 30 * DAY_MS)).toBeCloseTo(initial / 2 + 1, 3);
    expect(at(start + 40 * DAY_MS)).toBeCloseTo((initial / 2 + 1) * 2 ** (-10 / 30) + 0.5, 3);
    expect(points.at(-1)?.at).toBe(s.clock.now());
    const [current] = (await s.p.sense({ place: 'essay.md' })).results;
    expect(points.at(-1)?.strength).toBeCloseTo(current?.strength ?? NaN, 3);
    expect(points.map((p) => p.at)).toEqual([...points.map((p) => p.at)].sort((a, b) => a - b));
  });

  it('refuses an unknown trace with NOT_FOUND', async () => {
    expect((await refusal(s.p.strengthSeries({ id: 'nope' }))).code).toBe('NOT_FOUND');
  });
});
