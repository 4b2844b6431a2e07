import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { join } from 'node:path';
import { FORGOTTEN_TEXT } from '../traces/operations.js';
import type { CreateTrailInput } from './types.js';
import { agent, person, refusal, openTestStore, closeTestStore, type TestStore } from '../../test/helpers/core.js';


let s: TestStore;
beforeEach(() => (s = openTestStore()));
afterEach(() => closeTestStore(s));


/** Nothing about trails has been stored: no trail and no trail event. */
async function expectNoTrails(): Promise<void> {
  expect(await s.p.trails()).toEqual([]);
  expect(await s.p.history({ type: 'trail.create' })).toEqual([]);
}

describe('createTrail()', () => {
  it('creates an ordered trail of trace and place steps, with places normalised', async () => {
    const a = (await s.p.deposit({ text: 'read this first' }, agent)).trace;
    const b = (await s.p.deposit({ text: 'then this' }, agent)).trace;
    const trail = await s.p.createTrail(
      {
        name: 'start-here',
        description: 'the path into the project',
        steps: [
          { trace: a.id, note: 'why we exist' },
          { place: './src/../lib/a.ts' },
          { place: join(s.dir, 'docs', 'essay.md#Part  Two') },
          { place: 'topic:Heat Death' },
          { trace: b.id },
        ],
      },
      agent,
    );
    expect(trail).toMatchObject({ name: 'start-here', description: 'the path into the project', author: agent, createdAt: s.clock.now() });
    expect(trail.steps).toEqual([
      { traceId: a.id, place: null, note: 'why we exist' },
      { traceId: null, place: 'lib/a.ts', note: null },
      { traceId: null, place: 'docs/essay.md#Part Two', note: null },
      { traceId: null, place: 'topic:heat-death', note: null },
      { traceId: b.id, place: null, note: null },
    ]);
    const [event] = await s.p.history({ type: 'trail.create' });
    expect(event).toMatchObject({ subject: trail.id, actor: agent, data: { name: 'start-here', steps: 5 } });
  });

  it('refuses a duplicate name with CONFLICT and keeps the first trail', async () => {
    const t = (await s.p.deposit({ text: 'x' }, agent)).trace;
    const first = await s.p.createTrail({ name: 'start-here', steps: [{ trace: t.id }] }, agent);
    const e = await refusal(s.p.createTrail({ name: 'start-here', steps: [{ place: 'other.ts' }] }, person));
    expect(e.code).toBe('CONFLICT');
    expect((await s.p.trails()).map((x) => x.id)).toEqual([first.id]);
    expect((await s.p.trail('start-here')).steps).toEqual(first.steps);
  });

  it('refuses an unknown trace id with NOT_FOUND and creates nothing', async () => {
    const t = (await s.p.deposit({ text: 'x' }, agent)).trace;
    const e = await refusal(s.p.createTrail({ name: 'broken', steps: [{ trace: t.id }, { trace: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }] }, agent));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain('01ARZ3NDEKTSV4RRFFQ69G5FAV');
    await expectNoTrails();
  });

  const invalid: Array<[string, CreateTrailInput, string]> = [
    ['a step with both a trace and a place', { name: 'both', steps: [{ trace: '01ARZ3NDEKTSV4RRFFQ69G5FAV', place: 'a.ts' }] }, 'steps.0'],
    ['a step with neither a trace nor a place', { name: 'neither', steps: [{ place: 'a.ts' }, { note: 'just a note' }] }, 'steps.1'],
    ['no steps', { name: 'empty', steps: [] }, 'steps'],
    ['a name with spaces and capitals', { name: 'Start Here', steps: [{ place: 'a.ts' }] }, 'name'],
    ['an empty name', { name: '', steps: [{ place: 'a.ts' }] }, 'name'],
    ['a name over 80 characters', { name: 'a'.repeat(81), steps: [{ place: 'a.ts' }] }, 'name'],
    ['a malformed place', { name: 'bad-place', steps: [{ place: 'a.ts' }, { place: 'ftp://x' }] }, 'steps.1.place'],
  ];
  for (const [what, input, field] of invalid) {
    it(`refuses ${what} with INVALID_INPUT naming ${field} and creates nothing`, async () => {
      const e = await refusal(s.p.createTrail(input, agent));
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.field).toBe(field);
      await expectNoTrails();
    });
  }

  it('redacts secrets in the description and step notes', async () => {
    const key = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
    const trail = await s.p.createTrail({ name: 'secrets', description: `uses ${key}`, steps: [{ place: 'a.ts', note: `key ${key}` }] }, agent);
    expect(JSON.stringify(trail)).not.toContain(key);
    expect(JSON.stringify(await s.p.trail('secrets'))).not.toContain(key);
    expect(trail.steps[0]?.note).toBe('key [REDACTED:anthropic_key]');
  });
});

describe('trail()', () => {
  it('shows a trail by name and by id, with the traces its steps point to', async () => {
    const a = (await s.p.deposit({ text: 'step one' }, agent)).trace;
    const b = (await s.p.deposit({ text: 'step two', kind: 'decision' }, person)).trace;
    const created = await s.p.createTrail({ name: 'tour', steps: [{ trace: a.id }, { place: 'src' }, { trace: b.id }] }, agent);

    const byName = await s.p.trail('tour');
    const byId = await s.p.trail(created.id);
    expect(byId).toEqual(byName);
    expect(byName).toMatchObject({ id: created.id, name: 'tour', steps: created.steps });
    expect(Object.keys(byName.traces).sort()).toEqual([a.id, b.id].sort());
    expect(byName.traces[a.id]?.text).toBe('step one');
    expect(byName.traces[b.id]?.kind).toBe('decision');
  });

  it('shows a forgotten step trace as its tombstone', async () => {
    const a = (await s.p.deposit({ text: 'to be forgotten' }, agent)).trace;
    await s.p.createTrail({ name: 'tour', steps: [{ trace: a.id }] }, agent);
    await s.p.forget({ id: a.id, reason: 'wrong' }, person);
    const view = await s.p.trail('tour');
    expect(view.traces[a.id]?.text).toBe(FORGOTTEN_TEXT);
    expect(view.traces[a.id]?.status).toBe('forgotten');
  });

  it('refuses an unknown name with NOT_FOUND', async () => {
    const e = await refusal(s.p.trail('nowhere'));
    expect(e.code).toBe('NOT_FOUND');
  });
});

describe('trails()', () => {
  it('lists every trail by name', async () => {
    await s.p.createTrail({ name: 'zeta', steps: [{ place: 'z.ts' }] }, agent);
    await s.p.createTrail({ name: 'alpha', steps: [{ place: 'a.ts' }] }, person);
    expect((await s.p.trails()).map((t) => t.name)).toEqual(['alpha', 'zeta']);
  });
});
