import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { PalimpsestEvent } from './events.js';
import { agent, person, refusal, openTestStore, closeTestStore, type TestStore } from '../../test/helpers/core.js';

const MINUTE = 60_000;

let s: TestStore;
beforeEach(() => (s = openTestStore()));
afterEach(() => closeTestStore(s));


/** Does `count` operations across several traces and kinds of change; returns how many events they should log. */
async function busyStore(count: number): Promise<number> {
  const ids: string[] = [];
  let logged = 0;
  for (let i = 0; i < count; i++) {
    s.clock.advance(MINUTE);
    const step = i % 5;
    const target = ids[i % Math.max(1, ids.length)];
    if (step === 0 || target === undefined) {
      ids.push((await s.p.deposit({ text: `note number ${i}`, tags: [`t${i}`] }, agent)).trace.id);
    } else if (step === 1) {
      await s.p.follow({ id: target }, agent);
    } else if (step === 2) {
      await s.p.annotate({ id: target, stance: 'note', text: `remark ${i}` }, person);
    } else if (step === 3) {
      await s.p.retag({ id: target, addTags: [`extra-${i}`], reason: `retag ${i}` }, person);
    } else {
      await s.p.archive({ id: target, reason: `archive ${i}` }, person);
      await s.p.restore({ id: target, reason: `restore ${i}` }, person);
      logged += 1;
    }
    logged += 1;
  }
  return logged;
}

describe('history()', () => {
  it('lists one trace’s events newest first, with actor and reason', async () => {
    const { trace } = await s.p.deposit({ text: 'history of me', tags: ['a'] }, agent);
    s.clock.advance(MINUTE);
    await s.p.follow({ id: trace.id }, agent);
    s.clock.advance(MINUTE);
    await s.p.retag({ id: trace.id, addTags: ['b'], reason: 'more precise' }, person);
    s.clock.advance(MINUTE);
    await s.p.archive({ id: trace.id, reason: 'done with it' }, person);
    await s.p.deposit({ text: 'someone else' }, agent);

    const events = await s.p.history({ id: trace.id });
    expect(events.map((e) => e.type)).toEqual(['trace.archive', 'trace.retag', 'trace.follow', 'trace.deposit']);
    expect(events.every((e) => e.traceId === trace.id)).toBe(true);
    expect(events.map((e) => e.actor.name)).toEqual(['ren', 'ren', 'aria-1', 'aria-1']);
    expect(events[3]?.actor).toEqual(agent);
    expect(events.map((e) => e.reason)).toEqual(['done with it', 'more precise', null, null]);
    const times = events.map((e) => e.at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('refuses an unknown trace with NOT_FOUND', async () => {
    const e = await refusal(s.p.history({ id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }));
    expect(e.code).toBe('NOT_FOUND');
  });

  it('pages back through the whole store with before', async () => {
    await busyStore(23);
    const all = await s.p.history({ limit: 1000 });
    expect(all.length).toBeGreaterThan(20);
    const paged: PalimpsestEvent[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await s.p.history({ limit: 7, ...(before !== undefined ? { before } : {}) });
      if (page.length === 0) break;
      expect(page.length).toBeLessThanOrEqual(7);
      paged.push(...page);
      before = page[page.length - 1]?.seq;
    }
    expect(paged.map((e) => e.seq)).toEqual(all.map((e) => e.seq));
  });

  it('follows the log oldest first with after', async () => {
    await busyStore(12);
    const all = await s.p.history({ limit: 1000 });
    const oldestFirst = [...all].reverse();
    const cut = oldestFirst[4]?.seq ?? NaN;
    const after = await s.p.history({ after: cut, limit: 3 });
    expect(after.map((e) => e.seq)).toEqual(oldestFirst.slice(5, 8).map((e) => e.seq));
    expect(await s.p.history({ after: 0, limit: 1000 })).toEqual(oldestFirst);
  });

  it('filters by actor and type', async () => {
    await busyStore(10);
    const byPerson = await s.p.history({ actor: 'ren', limit: 1000 });
    expect(byPerson.length).toBeGreaterThan(0);
    expect(byPerson.every((e) => e.actor.name === 'ren')).toBe(true);
    const deposits = await s.p.history({ type: 'trace.deposit', limit: 1000 });
    expect(deposits.length).toBeGreaterThan(0);
    expect(deposits.every((e) => e.type === 'trace.deposit')).toBe(true);
  });

  it('is complete and strictly ordered after many operations', async () => {
    const expected = await busyStore(60);
    const all = await s.p.history({ limit: 1000 });
    expect(all).toHaveLength(expected);
    expect((await s.p.info()).events).toBe(expected);
    const seqs = all.map((e) => e.seq).reverse();
    for (let i = 1; i < seqs.length; i++) expect(seqs[i] ?? 0).toBeGreaterThan(seqs[i - 1] ?? Infinity);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  });
});

describe('revert()', () => {
  it('undoes a retag, restoring the earlier tags and places, and logs the revert', async () => {
    const { trace } = await s.p.deposit({ text: 'tagged', tags: ['a'], places: ['src/a.ts'] }, agent);
    const retagged = await s.p.retag({ id: trace.id, addTags: ['b'], removeTags: ['a'], addPlaces: ['src/b.ts'], reason: 'reorganise' }, agent);
    expect(retagged.tags).toEqual(['b']);
    const [retagEvent] = await s.p.history({ id: trace.id });
    if (!retagEvent) throw new Error('no retag event');
    s.clock.advance(MINUTE);

    const { trace: reverted, event } = await s.p.revert({ event: retagEvent.id, reason: 'the old tags were right' }, person);
    expect(reverted.tags).toEqual(['a']);
    expect(reverted.places).toEqual(['src/a.ts']);
    expect(reverted.version).toBe(retagged.version + 1);
    expect((await s.p.get(trace.id)).trace).toMatchObject({ tags: ['a'], places: ['src/a.ts'] });
    expect((await s.p.search({ query: 'tagged', tag: 'a' })).results).toHaveLength(1);
    expect((await s.p.search({ query: 'tagged', tag: 'b' })).results).toHaveLength(0);

    expect(event).toMatchObject({ type: 'event.revert', subject: retagEvent.id, reason: 'the old tags were right', actor: person, traceId: trace.id });
    const [latest] = await s.p.history({ id: trace.id });
    expect(latest?.id).toBe(event.id);
    expect(latest?.data['reverted']).toBe('trace.retag');
  });

  it('refuses with CONFLICT to revert a change that is already undone, logging nothing', async () => {
    const { trace } = await s.p.deposit({ text: 'tagged twice', tags: ['a'] }, agent);
    await s.p.retag({ id: trace.id, addTags: ['b'], reason: 'more' }, agent);
    const [retagEvent] = await s.p.history({ id: trace.id });
    if (!retagEvent) throw new Error('no retag event');
    await s.p.revert({ event: retagEvent.id, reason: 'first time' }, person);
    const events = (await s.p.info()).events;
    const e = await refusal(s.p.revert({ event: retagEvent.id, reason: 'second time' }, person));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(/Nothing to revert: .* is already as it was before/);
    expect((await s.p.info()).events).toBe(events);
    // Changed again since, the same event can be reverted again.
    await s.p.retag({ id: trace.id, addTags: ['c'], reason: 'again' }, agent);
    expect((await s.p.revert({ event: retagEvent.id, reason: 'back to a' }, person)).trace.tags).toEqual(['a']);
  });

  it('undoes an archive', async () => {
    const { trace } = await s.p.deposit({ text: 'archived by mistake' }, agent);
    const { event: archive } = await s.p.archive({ id: trace.id, reason: 'looks old' }, agent);
    if (!archive) throw new Error('no archive event');
    const { trace: after } = await s.p.revert({ event: archive.id, reason: 'still useful' }, person);
    expect(after.status).toBe('live');
    expect((await s.p.search({ query: 'mistake' })).results.map((r) => r.trace.id)).toEqual([trace.id]);
  });

  it('undoes a restore by archiving again', async () => {
    const { trace } = await s.p.deposit({ text: 'x' }, agent);
    await s.p.archive({ id: trace.id, reason: 'old' }, person);
    const { event: restore } = await s.p.restore({ id: trace.id, reason: 'maybe' }, agent);
    if (!restore) throw new Error('no restore event');
    const { trace: after } = await s.p.revert({ event: restore.id, reason: 'no, it is old' }, person);
    expect(after.status).toBe('archived');
  });

  it('undoes a deposit by archiving the trace', async () => {
    const { trace } = await s.p.deposit({ text: 'spam from a confused agent' }, agent);
    const [deposit] = await s.p.history({ id: trace.id });
    if (!deposit) throw new Error('no deposit event');
    const { trace: after, event } = await s.p.revert({ event: deposit.id, reason: 'noise' }, person);
    expect(after.status).toBe('archived');
    expect(after.text).toBe('spam from a confused agent');
    expect(event.data['reverted']).toBe('trace.deposit');
    expect((await s.p.search({ query: 'spam' })).results).toEqual([]);
  });

  it('refuses to revert a forget with CONFLICT', async () => {
    const { trace } = await s.p.deposit({ text: 'erased' }, agent);
    const forgotten = await s.p.forget({ id: trace.id, reason: 'secret' }, person);
    const [forget] = await s.p.history({ id: trace.id });
    expect(forget?.type).toBe('trace.forget');
    const before = await s.p.history({ limit: 1000 });
    const e = await refusal(s.p.revert({ event: forget?.id ?? '', reason: 'undo' }, person));
    expect(e.code).toBe('CONFLICT');
    expect((await s.p.get(trace.id)).trace).toEqual(forgotten);
    expect(await s.p.history({ limit: 1000 })).toEqual(before);
  });

  it('refuses an agent with FORBIDDEN and changes nothing', async () => {
    const { trace } = await s.p.deposit({ text: 'mine', tags: ['a'] }, agent);
    await s.p.retag({ id: trace.id, addTags: ['b'], reason: 'add b' }, agent);
    const [retag] = await s.p.history({ id: trace.id });
    const before = await s.p.history({ limit: 1000 });
    const e = await refusal(s.p.revert({ event: retag?.id ?? '', reason: 'agent wants it back' }, agent));
    expect(e.code).toBe('FORBIDDEN');
    expect((await s.p.get(trace.id)).trace.tags).toEqual(['a', 'b']);
    expect(await s.p.history({ limit: 1000 })).toEqual(before);
  });

  it('refuses an unknown event with NOT_FOUND and a missing reason with INVALID_INPUT', async () => {
    expect((await refusal(s.p.revert({ event: '01ARZ3NDEKTSV4RRFFQ69G5FAV', reason: 'x' }, person))).code).toBe('NOT_FOUND');
    const { trace } = await s.p.deposit({ text: 'x' }, agent);
    const [deposit] = await s.p.history({ id: trace.id });
    const e = await refusal(s.p.revert({ event: deposit?.id ?? '', reason: ' ' }, person));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.field).toBe('reason');
    expect((await s.p.get(trace.id)).trace.status).toBe('live');
  });

  it('refuses events that cannot be reverted with CONFLICT', async () => {
    const { trace } = await s.p.deposit({ text: 'followed' }, agent);
    const followed = await s.p.follow({ id: trace.id }, agent);
    const [follow] = await s.p.history({ id: trace.id });
    expect(follow?.type).toBe('trace.follow');
    expect((await refusal(s.p.revert({ event: follow?.id ?? '', reason: 'x' }, person))).code).toBe('CONFLICT');
    expect((await s.p.get(trace.id)).trace).toEqual(followed);
  });
});
