import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { join } from 'node:path';
import { PhysarumError } from '../errors/index.js';
import { DAY_MS, DEFAULT_STRENGTH, reinforce } from '../strength/index.js';
import { FORGOTTEN_TEXT } from './operations.js';
import type { DepositInput } from './schema.js';
import { agent, person, refusal, openTestStore, closeTestStore, type TestStore } from '../../test/helpers/core.js';

const HALF = DEFAULT_STRENGTH.halfLifeMs;
const ANTHROPIC_KEY = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';

let s: TestStore;
beforeEach(() => (s = openTestStore()));
afterEach(() => closeTestStore(s));

/** Awaits a call that must fail and returns its PhysarumError. */

/** What a user can observe of the store: every event, and what a search for `query` finds. */
async function snapshot(query: string) {
  const events = await s.p.history({ limit: 1000 });
  const found = await s.p.search({ query, status: ['live', 'archived'] });
  const info = await s.p.info();
  return { events: events.map((e) => e.id), found: found.results.map((r) => r.trace.id), traces: info.traces };
}

describe('deposit()', () => {
  it('defaults an agent to agent source and trust, with its model as author', async () => {
    const { trace, deduplicated } = await s.p.deposit({ text: 'the build needs node 20' }, agent);
    expect(deduplicated).toBe(false);
    expect(trace).toMatchObject({
      kind: 'note',
      source: 'agent',
      trust: 'agent',
      status: 'live',
      version: 1,
      follows: 0,
      strength: 1,
      author: { name: 'aria-1', role: 'agent', model: 'claude-test' },
    });
    const stored = (await s.p.get(trace.id)).trace;
    expect(stored).toEqual(trace);
  });

  it('defaults a person to human source and trust', async () => {
    const { trace } = await s.p.deposit({ text: 'we write in British English', kind: 'decision' }, person);
    expect(trace.source).toBe('human');
    expect(trace.trust).toBe('human');
    expect(trace.author).toEqual({ name: 'ren', role: 'human' });
    expect(trace.strength).toBeCloseTo(2.25, 12);
  });

  it('lets an agent lower its trust to external', async () => {
    const { trace } = await s.p.deposit({ text: 'pasted from a forum', trust: 'external' }, agent);
    expect(trace.trust).toBe('external');
    expect(trace.strength).toBe(0.5);
  });

  it('gives ingested text external trust by default', async () => {
    const { trace } = await s.p.deposit({ text: 'feed item', source: 'ingest:https://example.org/feed' }, person);
    expect(trace.trust).toBe('external');
  });

  it('refuses an agent asking for human trust with INVALID_INPUT on trust', async () => {
    const e = await refusal(s.p.deposit({ text: 'trust me', trust: 'human' }, agent));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.field).toBe('trust');
  });

  it('refuses an agent asking for human source with INVALID_INPUT on source', async () => {
    const e = await refusal(s.p.deposit({ text: 'I am a person', source: 'human' }, agent));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.field).toBe('source');
  });

  it('normalises places: relative paths resolved, absolute paths inside the root made relative', async () => {
    const { trace } = await s.p.deposit(
      { text: 'places', places: ['./src/../lib/a.ts', join(s.dir, 'docs', 'b.md'), 'topic:Heat Death', 'HTTPS://Example.com:443/x?utm_source=y'] },
      agent,
    );
    expect(trace.places).toEqual(['lib/a.ts', 'docs/b.md', 'topic:heat-death', 'https://example.com/x']);
  });

  it('stores the same place given two ways once', async () => {
    const { trace } = await s.p.deposit({ text: 'one place', places: ['lib/a.ts', './lib/./a.ts', join(s.dir, 'lib/a.ts')] }, agent);
    expect(trace.places).toEqual(['lib/a.ts']);
  });

  const refused: Array<[string, DepositInput, string]> = [
    ['empty text', { text: '' }, 'text'],
    ['whitespace-only text', { text: ' \n\t ' }, 'text'],
    ['text over 20,000 characters', { text: 'a'.repeat(20_001) }, 'text'],
    ['an unknown kind', { text: 'x', kind: 'rumour' as never }, 'kind'],
    ['an ftp: place', { text: 'x', places: ['ftp://x'] }, 'places.0'],
    ['a topic without a name', { text: 'x', places: ['lib/a.ts', 'topic:'] }, 'places.1'],
    ['a javascript: place', { text: 'x', places: ['javascript:alert(1)'] }, 'places.0'],
    ['a tag with spaces', { text: 'x', tags: ['ok', 'two words'] }, 'tags.1'],
  ];
  for (const [what, input, field] of refused) {
    it(`refuses ${what} with INVALID_INPUT naming ${field}`, async () => {
      const e = await refusal(s.p.deposit(input, agent));
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.field).toBe(field);
      expect(e.message.length).toBeGreaterThan(field.length + 5);
    });
  }

  it('accepts text of exactly 20,000 characters', async () => {
    const { trace } = await s.p.deposit({ text: 'a'.repeat(20_000) }, agent);
    expect(trace.text).toHaveLength(20_000);
  });

  it('refuses an unknown field with INVALID_INPUT naming it in the message', async () => {
    const e = await refusal(s.p.deposit({ text: 'x', colour: 'blue' } as DepositInput, agent));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.field).toBe('colour');
    expect(e.message).toContain('"colour"');
  });

  it('stores nothing after a refused deposit', async () => {
    await s.p.deposit({ text: 'an existing zebra note' }, agent);
    const before = await snapshot('zebra');
    const attempts: DepositInput[] = [
      { text: 'zebra with a bad place', places: ['lib/ok.ts', 'ftp://x'] },
      { text: 'zebra with a bad tag', tags: ['fine', 'not fine'] },
      { text: 'zebra claiming trust', trust: 'human' },
      { text: 'zebra'.repeat(5000) },
    ];
    for (const input of attempts) await refusal(s.p.deposit(input, agent));
    expect(await snapshot('zebra')).toEqual(before);
  });

  it('reinforces an identical live trace instead of adding one', async () => {
    const first = await s.p.deposit({ text: 'Run the migrations before the tests', places: ['db/schema.sql'] }, agent);
    const again = await s.p.deposit({ text: '  run the   MIGRATIONS before the tests ', places: ['./db/schema.sql'] }, agent);
    expect(again.deduplicated).toBe(true);
    expect(again.trace.id).toBe(first.trace.id);
    expect(again.trace.follows).toBe(1);
    expect(again.trace.strength).toBe(2);
    expect((await s.p.info()).traces).toBe(1);
    const found = await s.p.search({ query: 'migrations' });
    expect(found.results).toHaveLength(1);
  });

  it('adds a new trace when the same text is left at another place or as another kind', async () => {
    await s.p.deposit({ text: 'check the cache', places: ['a.ts'] }, agent);
    const otherPlace = await s.p.deposit({ text: 'check the cache', places: ['b.ts'] }, agent);
    const otherKind = await s.p.deposit({ text: 'check the cache', places: ['a.ts'], kind: 'todo' }, agent);
    expect(otherPlace.deduplicated).toBe(false);
    expect(otherKind.deduplicated).toBe(false);
    expect((await s.p.info()).traces).toBe(3);
  });

  it('redacts secrets in text and records them in the deposit event without the secret', async () => {
    const { trace, redactions } = await s.p.deposit(
      { text: `use ${ANTHROPIC_KEY} and postgres://app:hunter2hunter2@db.local/x`, tags: ['creds'] },
      agent,
    );
    expect(trace.text).not.toContain(ANTHROPIC_KEY);
    expect(trace.text).not.toContain('hunter2hunter2');
    expect(trace.text).toContain('[REDACTED:anthropic_key]');
    expect(trace.text).toContain('postgres://app:[REDACTED:url_password]@db.local/x');
    expect(redactions).toEqual([
      { kind: 'anthropic_key', count: 1 },
      { kind: 'url_password', count: 1 },
    ]);
    expect((await s.p.get(trace.id)).trace.text).toBe(trace.text);
    const [event] = await s.p.history({ id: trace.id });
    expect(event?.type).toBe('trace.deposit');
    expect(event?.data['redactions']).toEqual(redactions);
    const everything = JSON.stringify(await s.p.history({ limit: 1000 }));
    expect(everything).not.toContain(ANTHROPIC_KEY);
    expect(everything).not.toContain('hunter2hunter2');
  });
});

describe('follow()', () => {
  it('adds the follow boost to the decayed strength at the current time', async () => {
    const { trace } = await s.p.deposit({ text: 'follow me', kind: 'insight' }, agent);
    s.clock.advance(10 * DAY_MS);
    const followed = await s.p.follow({ id: trace.id }, person);
    const expected = 1.2 * Math.pow(2, -(10 * DAY_MS) / HALF) + 1;
    expect(followed.strength).toBeCloseTo(expected, 12);
    expect(followed.strengthAt).toBe(s.clock.now());
    expect(followed.follows).toBe(1);
    expect((await s.p.get(trace.id)).trace.strength).toBeCloseTo(expected, 12);
    const [event] = await s.p.history({ id: trace.id });
    expect(event).toMatchObject({ type: 'trace.follow', actor: { name: 'ren' } });
  });

  it('never lifts strength above the cap', async () => {
    const { trace } = await s.p.deposit({ text: 'popular', kind: 'decision' }, person);
    let last = trace;
    for (let i = 0; i < 12; i++) last = await s.p.follow({ id: trace.id }, agent);
    expect(last.strength).toBe(DEFAULT_STRENGTH.cap);
    expect(last.follows).toBe(12);
  });

  it('refuses an unknown id with NOT_FOUND', async () => {
    const e = await refusal(s.p.follow({ id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }, agent));
    expect(e.code).toBe('NOT_FOUND');
  });

  it('refuses a forgotten trace with CONFLICT', async () => {
    const { trace } = await s.p.deposit({ text: 'soon gone' }, agent);
    await s.p.forget({ id: trace.id, reason: 'mistake' }, person);
    const e = await refusal(s.p.follow({ id: trace.id }, agent));
    expect(e.code).toBe('CONFLICT');
    expect((await s.p.get(trace.id)).trace.follows).toBe(0);
  });

  it('counts every one of 50 concurrent follows', async () => {
    await s.p.configureStrength({ ...DEFAULT_STRENGTH, cap: 1000 }, person);
    const { trace } = await s.p.deposit({ text: 'hot path' }, agent);
    s.clock.advance(3 * DAY_MS);
    await Promise.all(Array.from({ length: 50 }, () => s.p.follow({ id: trace.id }, agent)));
    let expected = { strength: trace.strength, strengthAt: trace.strengthAt };
    for (let i = 0; i < 50; i++) expected = reinforce(expected.strength, expected.strengthAt, s.clock.now(), 1, { halfLifeMs: HALF, cap: 1000 });
    const after = (await s.p.get(trace.id)).trace;
    expect(after.follows).toBe(50);
    expect(after.strength).toBeCloseTo(expected.strength, 9);
    expect(after.strength).toBeGreaterThan(50);
    expect(await s.p.history({ id: trace.id, type: 'trace.follow', limit: 100 })).toHaveLength(50);
  });
});

describe('annotate()', () => {
  it('reinforces by the endorse boost when endorsing', async () => {
    const { trace } = await s.p.deposit({ text: 'good idea' }, agent);
    const { trace: after, annotation } = await s.p.annotate({ id: trace.id, stance: 'endorse', text: 'agreed, this worked' }, person);
    expect(after.strength).toBeCloseTo(1 + DEFAULT_STRENGTH.endorseBoost, 12);
    expect(annotation.stance).toBe('endorse');
    expect((await s.p.get(trace.id)).trace.strength).toBeCloseTo(1.5, 12);
  });

  it('leaves strength alone when challenging', async () => {
    const { trace } = await s.p.deposit({ text: 'questionable claim' }, agent);
    const { trace: after } = await s.p.annotate({ id: trace.id, stance: 'challenge', text: 'this is wrong since v2' }, person);
    expect(after.strength).toBe(1);
    expect((await s.p.get(trace.id)).trace.strength).toBe(1);
  });

  it('makes the annotation visible with the trace', async () => {
    const { trace } = await s.p.deposit({ text: 'annotated' }, agent);
    await s.p.annotate({ id: trace.id, stance: 'challenge', text: 'not any more' }, person);
    const { annotations } = await s.p.get(trace.id);
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatchObject({ traceId: trace.id, stance: 'challenge', text: 'not any more', author: { name: 'ren', role: 'human' } });
    const [event] = await s.p.history({ id: trace.id });
    expect(event).toMatchObject({ type: 'trace.annotate', subject: annotations[0]?.id });
  });

  it('refuses to annotate a forgotten trace with CONFLICT', async () => {
    const { trace } = await s.p.deposit({ text: 'gone' }, agent);
    await s.p.forget({ id: trace.id, reason: 'wrong' }, person);
    const e = await refusal(s.p.annotate({ id: trace.id, text: 'hello?' }, agent));
    expect(e.code).toBe('CONFLICT');
  });
});

describe('retag()', () => {
  it('changes tags and places and logs before and after with the reason', async () => {
    const { trace } = await s.p.deposit({ text: 'moving note', tags: ['old', 'keep'], places: ['src/a.ts'] }, agent);
    const after = await s.p.retag(
      { id: trace.id, addTags: ['new'], removeTags: ['old'], addPlaces: ['./lib/../src/b.ts'], removePlaces: ['src/a.ts'], reason: 'file moved' },
      person,
    );
    expect(after.tags).toEqual(['keep', 'new']);
    expect(after.places).toEqual(['src/b.ts']);
    expect(after.version).toBe(2);
    expect((await s.p.get(trace.id)).trace).toMatchObject({ tags: ['keep', 'new'], places: ['src/b.ts'] });
    const [event] = await s.p.history({ id: trace.id });
    expect(event).toMatchObject({
      type: 'trace.retag',
      reason: 'file moved',
      data: { before: { tags: ['old', 'keep'], places: ['src/a.ts'] }, after: { tags: ['keep', 'new'], places: ['src/b.ts'] } },
    });
    expect((await s.p.sense({ place: 'src/b.ts' })).results.map((r) => r.trace.id)).toEqual([trace.id]);
    expect((await s.p.sense({ place: 'src/a.ts' })).results).toEqual([]);
  });

  it('requires a reason', async () => {
    const { trace } = await s.p.deposit({ text: 'x', tags: ['a'] }, agent);
    const missing = await refusal(s.p.retag({ id: trace.id, addTags: ['b'] } as never, person));
    expect(missing.code).toBe('INVALID_INPUT');
    expect(missing.field).toBe('reason');
    const blank = await refusal(s.p.retag({ id: trace.id, addTags: ['b'], reason: '   ' }, person));
    expect(blank.code).toBe('INVALID_INPUT');
    expect(blank.field).toBe('reason');
    expect((await s.p.get(trace.id)).trace.tags).toEqual(['a']);
  });

  it('refuses a stale expectedVersion with CONFLICT and changes nothing', async () => {
    const { trace } = await s.p.deposit({ text: 'contended', tags: ['a'] }, agent);
    await s.p.retag({ id: trace.id, addTags: ['b'], reason: 'first edit', expectedVersion: 1 }, person);
    const eventsBefore = await s.p.history({ id: trace.id });
    const e = await refusal(s.p.retag({ id: trace.id, addTags: ['c'], reason: 'second edit', expectedVersion: 1 }, agent));
    expect(e.code).toBe('CONFLICT');
    const now = (await s.p.get(trace.id)).trace;
    expect(now.tags).toEqual(['a', 'b']);
    expect(now.version).toBe(2);
    expect(await s.p.history({ id: trace.id })).toEqual(eventsBefore);
  });

  it('adds no event and no version when nothing changes', async () => {
    const { trace } = await s.p.deposit({ text: 'stable', tags: ['a'], places: ['x.ts'] }, agent);
    const same = await s.p.retag({ id: trace.id, addTags: ['a'], removeTags: ['missing'], addPlaces: ['./x.ts'], reason: 'tidy' }, person);
    expect(same.version).toBe(1);
    expect(await s.p.history({ id: trace.id })).toHaveLength(1);
  });

  it('refuses a malformed place with INVALID_INPUT naming it', async () => {
    const { trace } = await s.p.deposit({ text: 'x' }, agent);
    const e = await refusal(s.p.retag({ id: trace.id, addPlaces: ['ok.ts', 'ftp://x'], reason: 'move' }, person));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.field).toBe('addPlaces.1');
  });
});

describe('archive() and restore()', () => {
  it('takes an archived trace out of default search and sense, and keeps it findable as archived', async () => {
    const { trace } = await s.p.deposit({ text: 'obsolete flamingo approach', places: ['src/old.ts'] }, agent);
    const { trace: archived, event } = await s.p.archive({ id: trace.id, reason: 'superseded by v2' }, person);
    expect(archived.status).toBe('archived');
    expect(event).toMatchObject({ type: 'trace.archive', reason: 'superseded by v2', data: { from: 'live', to: 'archived' } });
    expect((await s.p.search({ query: 'flamingo' })).results).toEqual([]);
    expect((await s.p.sense({ place: 'src/old.ts' })).results).toEqual([]);
    const asArchived = await s.p.search({ query: 'flamingo', status: 'archived' });
    expect(asArchived.results.map((r) => r.trace.id)).toEqual([trace.id]);
  });

  it('brings a trace back with restore, logged with its reason', async () => {
    const { trace } = await s.p.deposit({ text: 'flamingo approach', places: ['src/old.ts'] }, agent);
    await s.p.archive({ id: trace.id, reason: 'superseded' }, person);
    const { trace: restored, event } = await s.p.restore({ id: trace.id, reason: 'v2 was reverted' }, person);
    expect(restored.status).toBe('live');
    expect(event).toMatchObject({ type: 'trace.restore', reason: 'v2 was reverted', data: { from: 'archived', to: 'live' } });
    expect((await s.p.search({ query: 'flamingo' })).results.map((r) => r.trace.id)).toEqual([trace.id]);
    expect((await s.p.sense({ place: 'src/old.ts' })).results.map((r) => r.trace.id)).toEqual([trace.id]);
    const types = (await s.p.history({ id: trace.id })).map((e) => e.type);
    expect(types).toEqual(['trace.restore', 'trace.archive', 'trace.deposit']);
  });

  it('does nothing and logs nothing when the trace already has that status', async () => {
    const { trace } = await s.p.deposit({ text: 'live already' }, agent);
    const r = await s.p.restore({ id: trace.id, reason: 'just in case' }, person);
    expect(r.event).toBeNull();
    expect(r.trace.version).toBe(1);
    expect(await s.p.history({ id: trace.id })).toHaveLength(1);
  });

  it('requires a reason to archive', async () => {
    const { trace } = await s.p.deposit({ text: 'keep me' }, agent);
    const e = await refusal(s.p.archive({ id: trace.id, reason: '' }, person));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.field).toBe('reason');
    expect((await s.p.get(trace.id)).trace.status).toBe('live');
  });
});

describe('forget()', () => {
  it('replaces the text by a tombstone and removes it from search, keeping the reason', async () => {
    const { trace } = await s.p.deposit({ text: 'the wifi password is pelican-sunrise', tags: ['wifi'], places: ['topic:office'] }, agent);
    await s.p.annotate({ id: trace.id, stance: 'note', text: 'pelican-sunrise still works' }, person);
    const forgotten = await s.p.forget({ id: trace.id, reason: 'should never have been written down' }, person);
    expect(forgotten.status).toBe('forgotten');
    expect(forgotten.text).toBe(FORGOTTEN_TEXT);
    const { trace: stored, annotations } = await s.p.get(trace.id);
    expect(stored.text).toBe(FORGOTTEN_TEXT);
    expect(JSON.stringify(annotations)).not.toContain('pelican');
    for (const status of ['live', 'archived', 'forgotten'] as const) {
      expect((await s.p.search({ query: 'pelican sunrise', status })).results).toEqual([]);
    }
    expect((await s.p.sense({ place: 'topic:office', includeFaded: true })).results).toEqual([]);
    const [event] = await s.p.history({ id: trace.id });
    expect(event).toMatchObject({ type: 'trace.forget', reason: 'should never have been written down' });
    expect(JSON.stringify(await s.p.history({ limit: 1000 }))).not.toContain('pelican');
  });

  it('refuses to restore a forgotten trace with CONFLICT', async () => {
    const { trace } = await s.p.deposit({ text: 'gone for good' }, agent);
    await s.p.archive({ id: trace.id, reason: 'old' }, person);
    await s.p.forget({ id: trace.id, reason: 'wrong' }, person);
    const e = await refusal(s.p.restore({ id: trace.id, reason: 'bring it back' }, person));
    expect(e.code).toBe('CONFLICT');
    expect((await s.p.get(trace.id)).trace.status).toBe('forgotten');
  });

  it('is harmless when repeated', async () => {
    const { trace } = await s.p.deposit({ text: 'twice forgotten' }, agent);
    const first = await s.p.forget({ id: trace.id, reason: 'once' }, person);
    const second = await s.p.forget({ id: trace.id, reason: 'twice', expectedVersion: trace.version }, person);
    expect(second).toEqual(first);
    const types = (await s.p.history({ id: trace.id })).map((e) => e.type);
    expect(types).toEqual(['trace.forget', 'trace.deposit']);
  });

  it('lets the same text be deposited again as a new trace after forgetting', async () => {
    const { trace } = await s.p.deposit({ text: 'say it again' }, agent);
    await s.p.forget({ id: trace.id, reason: 'oops' }, person);
    const again = await s.p.deposit({ text: 'say it again' }, agent);
    expect(again.deduplicated).toBe(false);
    expect(again.trace.id).not.toBe(trace.id);
  });

  it('refuses an unknown id with NOT_FOUND', async () => {
    const e = await refusal(s.p.forget({ id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', reason: 'x' }, person));
    expect(e.code).toBe('NOT_FOUND');
  });
});
