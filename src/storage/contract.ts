// The behaviour every storage backend must show, as a vitest suite a backend's test file runs against itself.
// Written against the Storage interface only: nothing here may depend on how a backend stores things.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage, StorageReader, StorageWriter, TraceFilters, TraceHead, TraceIndexing } from './types.js';
import type { Annotation, Author, Trace, TraceStatus } from '../traces/schema.js';
import type { EventType, NewEvent, PalimpsestEvent } from '../palimpsest/events.js';
import type { IdentityVersion } from '../identity/types.js';
import type { Trail } from '../trails/types.js';
import { DAY_MS, decayKey } from '../strength/index.js';
import { newId } from '../ids.js';

/** A fresh, empty store and how to dispose of it. */
export interface OpenedStorage {
  storage: Storage;
  /** Runs after the suite has closed `storage`: remove its files, drop its database. */
  cleanup: () => Promise<void>;
}

const HALF_LIFE_MS = 30 * DAY_MS;
const T0 = Date.UTC(2024, 0, 1);
const ALL_STATUSES: TraceStatus[] = ['live', 'archived', 'forgotten'];
const LIVE: TraceFilters = { statuses: ['live'] };
const AGENT: Author = { name: 'aria-1', role: 'agent', model: 'claude-test' };
const HUMAN: Author = { name: 'Ada', role: 'human' };

/** A trace with plausible defaults; ids follow `createdAt` so later traces sort after earlier ones. */
export function makeTrace(over: Partial<Trace> = {}): Trace {
  const createdAt = over.createdAt ?? T0;
  return {
    id: newId(createdAt),
    text: 'a plain note',
    kind: 'note',
    places: [],
    tags: [],
    author: AGENT,
    source: 'agent',
    trust: 'agent',
    status: 'live',
    createdAt,
    updatedAt: createdAt,
    strength: 1,
    strengthAt: createdAt,
    follows: 0,
    version: 1,
    meta: {},
    ...over,
  };
}

/** The values the core would derive: decay key from strength/ (30-day half-life), any string as the content hash. */
export function traceIndexing(trace: Trace, over: Partial<TraceIndexing> = {}): TraceIndexing {
  return {
    decayKey: decayKey(trace.strength, trace.strengthAt, HALF_LIFE_MS),
    contentHash: `hash:${trace.text}`,
    ...over,
  };
}

function makeEvent(over: Partial<NewEvent> = {}): NewEvent {
  return { type: 'trace.deposit', at: T0, actor: AGENT, ...over };
}

function makeAnnotation(traceId: string, over: Partial<Annotation> = {}): Annotation {
  return { id: newId(T0), traceId, stance: 'note', text: 'an annotation', author: HUMAN, createdAt: T0 + 1, ...over };
}

function makeIdentityVersion(over: Partial<IdentityVersion> = {}): IdentityVersion {
  return {
    id: newId(T0),
    doc: 'who-we-are',
    version: null,
    baseVersion: 0,
    text: 'We are careful.',
    status: 'proposed',
    reason: 'a first version',
    proposedBy: AGENT,
    proposedAt: T0,
    decidedBy: null,
    decidedAt: null,
    decisionNote: null,
    ...over,
  };
}

function makeTrail(over: Partial<Trail> = {}): Trail {
  return {
    id: newId(T0),
    name: 'start-here',
    description: 'where to begin',
    steps: [
      { traceId: 'T1', place: null, note: 'read this first' },
      { traceId: null, place: 'src/a.ts', note: null },
    ],
    author: HUMAN,
    createdAt: T0,
    ...over,
  };
}

const ids = (traces: Array<{ id: string }>): string[] => traces.map((t) => t.id);
/** What the storage returns of a trace for ranking (a TraceHead). */
const head = (t: Trace): TraceHead => ({ id: t.id, authorName: t.author.name, createdAt: t.createdAt, strength: t.strength, strengthAt: t.strengthAt });

class DeliberateFailure extends Error {
  readonly marker = 'deliberate';
}

/**
 * Declares the storage behaviour suite for one backend. `open` is called before every test and must give a fresh,
 * empty store; the suite closes it after the test and then calls `cleanup`.
 */
export function storageContract(name: string, open: () => Promise<OpenedStorage>): void {
  describe(`storage contract: ${name}`, () => {
    let storage: Storage;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ storage, cleanup } = await open());
    });

    afterEach(async () => {
      await storage.close();
      await cleanup();
    });

    /** Inserts traces (with their default indexing) in one write; returns them. */
    async function deposit(...traces: Trace[]): Promise<Trace[]> {
      await storage.write(async (w) => {
        for (const t of traces) await w.insertTrace(t, traceIndexing(t));
      });
      return traces;
    }

    const read = <T>(fn: (r: StorageReader) => Promise<T>): Promise<T> => storage.read(fn);
    const strongest = (filters: TraceFilters, limit = 100) => read((r) => r.strongestTraces(filters, limit));
    const search = async (terms: string[], filters: TraceFilters = LIVE, limit = 100) => {
      await storage.searchable();
      return read((r) => r.searchText(terms, filters, limit));
    };
    const searchIds = async (terms: string[], filters: TraceFilters = LIVE, limit = 100) => ids((await search(terms, filters, limit)).map((h) => h.head));

    describe('traces', () => {
      it('round-trips every field of a trace through insertTrace and getTrace', async () => {
        const trace = makeTrace({
          text: 'Entropy never decreases in an isolated system — ünïcödé 🍄 and "quotes"',
          kind: 'insight',
          places: ['src/a.ts', 'docs/a.md#Intro', 'https://x.org/a', 'topic:physics/entropy'],
          tags: ['physics', 'open-question'],
          author: { name: 'aria-2', role: 'agent', model: 'claude-opus-4' },
          source: 'ingest:https://x.org/a',
          trust: 'external',
          status: 'archived',
          createdAt: T0 + 12_345,
          updatedAt: T0 + 99_999,
          strength: 1.2345678901234567,
          strengthAt: T0 + 55_555,
          follows: 7,
          version: 3,
          meta: { nested: { list: [1, 'two', null, true, 2.5], empty: {} }, unicode: 'ñ 🍄', n: -0.125, flag: false },
        });
        await deposit(trace);
        expect(await read((r) => r.getTrace(trace.id))).toStrictEqual(trace);
      });

      it('round-trips an author without a model and empty places, tags and meta', async () => {
        const trace = makeTrace({ author: HUMAN, source: 'human', trust: 'human', kind: 'decision' });
        await deposit(trace);
        const got = await read((r) => r.getTrace(trace.id));
        expect(got).toStrictEqual(trace);
        expect(got?.author).not.toHaveProperty('model');
      });

      it('returns getTraces in the requested order and skips unknown ids', async () => {
        const [a, b, c] = await deposit(makeTrace({ text: 'a' }), makeTrace({ text: 'b' }), makeTrace({ text: 'c' }));
        const got = await read((r) => r.getTraces([c!.id, 'NO-SUCH-ID', a!.id, b!.id]));
        expect(ids(got)).toEqual([c!.id, a!.id, b!.id]);
        expect(got[0]).toStrictEqual(c);
        expect(await read((r) => r.getTraces([]))).toEqual([]);
      });

      it('lists a source\'s entries without texts, any status, oldest first, matching the prefix literally', async () => {
        const [a, b] = await deposit(
          makeTrace({ source: 'ingest:notes/a%_.md#One', places: ['notes/a%_.md#One'], tags: ['x'], meta: { hash: 'h1', format: 'markdown', other: 1 } }),
          makeTrace({ source: 'ingest:notes/a%_.md#Two', status: 'archived', meta: { hash: 7 } }),
          makeTrace({ source: 'ingest:notes/aXY.md#One', meta: { hash: 'h3' } }),
          makeTrace({ source: 'agent' }),
        );
        const entries = await read((r) => r.sourceEntries('ingest:notes/a%_.md#'));
        expect(entries).toStrictEqual([
          { id: a?.id, source: 'ingest:notes/a%_.md#One', status: 'live', places: ['notes/a%_.md#One'], tags: ['x'], hash: 'h1', format: 'markdown' },
          { id: b?.id, source: 'ingest:notes/a%_.md#Two', status: 'archived', places: [], tags: [] },
        ]);
      });

      it('returns undefined from getTrace for an unknown id', async () => {
        await deposit(makeTrace());
        expect(await read((r) => r.getTrace(newId()))).toBeUndefined();
      });
    });

    describe('transactions', () => {
      it('refuses writes made through a writer after its write() has finished', async () => {
        let escaped = undefined as StorageWriter | undefined;
        await storage.write(async (w) => {
          escaped = w;
        });
        const trace = makeTrace();
        await expect(escaped!.setSetting('outside', 'yes')).rejects.toThrow();
        await expect(escaped!.insertTrace(trace, traceIndexing(trace))).rejects.toThrow();
        await expect(escaped!.appendEvent(makeEvent())).rejects.toThrow();
        expect(await read((r) => r.getSetting('outside'))).toBeUndefined();
        expect(await read((r) => r.getTrace(trace.id))).toBeUndefined();
        expect((await read((r) => r.info())).events).toBe(0);
      });

      it('returns what the write function returns', async () => {
        expect(await storage.write(async () => 42)).toBe(42);
      });

      it('leaves nothing behind when the write function throws', async () => {
        const trace = makeTrace({ text: 'never committed' });
        await expect(
          storage.write(async (w) => {
            await w.insertTrace(trace, traceIndexing(trace));
            await w.appendEvent(makeEvent({ traceId: trace.id }));
            await w.setSetting('half-written', 'yes');
            throw new DeliberateFailure('stop here');
          }),
        ).rejects.toThrow('stop here');
        await read(async (r) => {
          expect(await r.getTrace(trace.id)).toBeUndefined();
          expect(await r.listEvents({ traceId: trace.id, limit: 10 })).toEqual([]);
          expect(await r.getSetting('half-written')).toBeUndefined();
          expect(await r.searchText(['committed'], { statuses: ALL_STATUSES }, 10)).toEqual([]);
          const info = await r.info();
          expect(info.traces).toBe(0);
          expect(info.events).toBe(0);
        });
      });

      it('passes the error thrown by the write function to the caller unchanged', async () => {
        const error = new DeliberateFailure('exactly this error');
        const caught = await storage.write(async () => {
          throw error;
        }).catch((e: unknown) => e);
        expect(caught).toBe(error);
      });

      it('accepts writes again after a write failed', async () => {
        await storage.write(async () => {
          throw new DeliberateFailure('first');
        }).catch(() => undefined);
        await storage.write((w) => w.setSetting('after', 'ok'));
        expect(await read((r) => r.getSetting('after'))).toBe('ok');
      });

      it('serialises concurrent write() calls from one process', async () => {
        await storage.write((w) => w.setSetting('counter', '0'));
        const increments = Array.from({ length: 50 }, () =>
          storage.write(async (w) => {
            const n = Number(await w.getSetting('counter'));
            // Yield to the event loop between the read and the write, so interleaving would lose updates.
            await new Promise((resolve) => setTimeout(resolve, 0));
            await w.setSetting('counter', String(n + 1));
          }),
        );
        await Promise.all(increments);
        expect(await read((r) => r.getSetting('counter'))).toBe('50');
      });

      it('lets reads run while writes are queued and sees only committed data', async () => {
        await storage.write((w) => w.setSetting('k', 'before'));
        const writes = Array.from({ length: 5 }, (_, i) => storage.write((w) => w.setSetting('k', `v${i}`)));
        const reads = Array.from({ length: 5 }, () => read((r) => r.getSetting('k')));
        await Promise.all(writes);
        for (const v of await Promise.all(reads)) expect(['before', 'v0', 'v1', 'v2', 'v3', 'v4']).toContain(v);
        expect(await read((r) => r.getSetting('k'))).toBe('v4');
      });
    });

    describe('strongestTraces and tracesAtPlaces', () => {
      /** Four traces of distinct strength at one time: a strongest … d weakest. */
      async function ladder(): Promise<{ a: Trace; b: Trace; c: Trace; d: Trace }> {
        const a = makeTrace({ text: 'a', strength: 8, kind: 'decision', tags: ['x', 'y'], places: ['src/a.ts'] });
        const b = makeTrace({ text: 'b', strength: 4, kind: 'note', tags: ['x'], places: ['src/a.ts', 'src/b.ts'], author: HUMAN });
        const c = makeTrace({ text: 'c', strength: 2, kind: 'warning', tags: ['y'], places: ['src/b.ts'], createdAt: T0 + DAY_MS, strengthAt: T0 - 2 * HALF_LIFE_MS });
        const d = makeTrace({ text: 'd', strength: 1, kind: 'note', tags: ['x', 'y'], places: ['src'], createdAt: T0 + 2 * DAY_MS, strengthAt: T0 - 3 * HALF_LIFE_MS });
        // Insert out of strength order so insertion order cannot pass for strength order.
        await deposit(c, a, d, b);
        return { a, b, c, d };
      }

      it('returns the strongest traces first, by decay key', async () => {
        const { a, b, c, d } = await ladder();
        expect(ids(await strongest(LIVE))).toEqual(ids([a, b, c, d]));
      });

      it('ranks an old strong trace below a new weaker one when it has decayed further', async () => {
        // 8 at T0 - 4 half-lives is 0.5 at T0; 1 at T0 is 1 at T0.
        const old = makeTrace({ text: 'old', strength: 8, strengthAt: T0 - 4 * HALF_LIFE_MS });
        const fresh = makeTrace({ text: 'fresh', strength: 1, strengthAt: T0 });
        await deposit(old, fresh);
        expect(ids(await strongest(LIVE))).toEqual(ids([fresh, old]));
      });

      it('honours statuses', async () => {
        const live = makeTrace({ text: 'live' });
        const archived = makeTrace({ text: 'archived', status: 'archived', strength: 2 });
        const forgotten = makeTrace({ text: 'forgotten', status: 'forgotten', strength: 3 });
        await deposit(live, archived, forgotten);
        expect(ids(await strongest(LIVE))).toEqual([live.id]);
        expect(ids(await strongest({ statuses: ['archived'] }))).toEqual([archived.id]);
        expect(ids(await strongest({ statuses: ['live', 'archived'] }))).toEqual(ids([archived, live]));
        expect(ids(await strongest({ statuses: ALL_STATUSES }))).toEqual(ids([forgotten, archived, live]));
      });

      it('honours kinds', async () => {
        const { a, b, c, d } = await ladder();
        expect(ids(await strongest({ ...LIVE, kinds: ['note'] }))).toEqual(ids([b, d]));
        expect(ids(await strongest({ ...LIVE, kinds: ['decision', 'warning'] }))).toEqual(ids([a, c]));
        expect(ids(await strongest({ ...LIVE, kinds: [] }))).toEqual(ids([a, b, c, d]));
      });

      it('requires every listed tag', async () => {
        const { a, b, c, d } = await ladder();
        expect(ids(await strongest({ ...LIVE, tags: ['x'] }))).toEqual(ids([a, b, d]));
        expect(ids(await strongest({ ...LIVE, tags: ['y'] }))).toEqual(ids([a, c, d]));
        expect(ids(await strongest({ ...LIVE, tags: ['x', 'y'] }))).toEqual(ids([a, d]));
        expect(ids(await strongest({ ...LIVE, tags: ['x', 'nope'] }))).toEqual([]);
      });

      it('honours author', async () => {
        const { a, b, c, d } = await ladder();
        expect(ids(await strongest({ ...LIVE, author: HUMAN.name }))).toEqual([b.id]);
        expect(ids(await strongest({ ...LIVE, author: AGENT.name }))).toEqual(ids([a, c, d]));
        expect(await strongest({ ...LIVE, author: 'nobody' })).toEqual([]);
      });

      it('honours since, including traces made at that instant', async () => {
        const { c, d } = await ladder();
        expect(ids(await strongest({ ...LIVE, since: T0 + DAY_MS }))).toEqual(ids([c, d]));
        expect(ids(await strongest({ ...LIVE, since: T0 + DAY_MS + 1 }))).toEqual([d.id]);
      });

      it('honours minStrengthKey, including traces exactly at the key', async () => {
        const { a, b, c } = await ladder();
        const keyOf = (t: Trace) => traceIndexing(t).decayKey;
        expect(ids(await strongest({ ...LIVE, minStrengthKey: keyOf(c) }))).toEqual(ids([a, b, c]));
        expect(ids(await strongest({ ...LIVE, minStrengthKey: keyOf(b) + 1e-9 }))).toEqual([a.id]);
      });

      it('honours limit', async () => {
        const { a, b } = await ladder();
        expect(ids(await strongest(LIVE, 2))).toEqual(ids([a, b]));
        expect(ids(await read((r) => r.tracesAtPlaces(['src/a.ts', 'src/b.ts'], LIVE, 1)))).toEqual([a.id]);
      });

      it('returns traces at the given places strongest first', async () => {
        const { a, b, c } = await ladder();
        expect(ids(await read((r) => r.tracesAtPlaces(['src/b.ts'], LIVE, 10)))).toEqual(ids([b, c]));
        expect(ids(await read((r) => r.tracesAtPlaces(['src/b.ts', 'src/a.ts'], LIVE, 10)))).toEqual(ids([a, b, c]));
      });

      it('returns a trace at several of the places once', async () => {
        const { a, b } = await ladder();
        expect(ids(await read((r) => r.tracesAtPlaces(['src/a.ts', 'src/b.ts'], { ...LIVE, tags: ['x'], kinds: ['note', 'decision'] }, 10)))).toEqual(
          ids([a, b]),
        );
      });

      it('matches exact places only in tracesAtPlaces', async () => {
        const { d } = await ladder();
        expect(ids(await read((r) => r.tracesAtPlaces(['src'], LIVE, 10)))).toEqual([d.id]);
        expect(await read((r) => r.tracesAtPlaces(['src/a', 'src/a.ts#Intro', 'SRC/A.TS'], LIVE, 10))).toEqual([]);
        expect(await read((r) => r.tracesAtPlaces([], LIVE, 10))).toEqual([]);
      });

      it('applies the filters in tracesAtPlaces', async () => {
        const { a, b, c } = await ladder();
        const places = ['src/a.ts', 'src/b.ts'];
        expect(ids(await read((r) => r.tracesAtPlaces(places, { ...LIVE, kinds: ['warning'] }, 10)))).toEqual([c.id]);
        expect(ids(await read((r) => r.tracesAtPlaces(places, { ...LIVE, tags: ['x'] }, 10)))).toEqual(ids([a, b]));
        expect(ids(await read((r) => r.tracesAtPlaces(places, { ...LIVE, author: HUMAN.name }, 10)))).toEqual([b.id]);
        expect(ids(await read((r) => r.tracesAtPlaces(places, { ...LIVE, since: T0 + 1 }, 10)))).toEqual([c.id]);
        expect(ids(await read((r) => r.tracesAtPlaces(places, { ...LIVE, minStrengthKey: traceIndexing(b).decayKey }, 10)))).toEqual(ids([a, b]));
        expect(await read((r) => r.tracesAtPlaces(places, { statuses: ['archived'] }, 10))).toEqual([]);
      });
    });

    describe('the place filter', () => {
      /** Deposits one trace per place; returns the places whose trace `filterPlace` matches, in deposit order. */
      async function matching(filterPlace: string, places: string[]): Promise<string[]> {
        const traces = places.map((p, i) => makeTrace({ text: `at ${p}`, places: [p], strength: 10 - i * 0.1 }));
        await deposit(...traces);
        const got = new Set(ids(await strongest({ ...LIVE, place: filterPlace })));
        return traces.filter((t) => got.has(t.id)).map((t) => t.places[0]!);
      }

      it('matches the place itself and everything below a folder', async () => {
        expect(await matching('src', ['src', 'src/a.ts', 'src/lib/b.ts', 'srcs/x.ts', 'src-old/x.ts', 'sr', 'lib/src/a.ts'])).toEqual([
          'src',
          'src/a.ts',
          'src/lib/b.ts',
        ]);
      });

      it('matches the sections of a file', async () => {
        expect(await matching('docs/a.md', ['docs/a.md', 'docs/a.md#Intro', 'docs/a.md#Intro/Details', 'docs/a.mdx', 'docs/a.md.bak', 'docs/b.md#Intro'])).toEqual([
          'docs/a.md',
          'docs/a.md#Intro',
          'docs/a.md#Intro/Details',
        ]);
      });

      it('matches the sub-paths of a URL', async () => {
        expect(await matching('https://x.org/a', ['https://x.org/a', 'https://x.org/a/b', 'https://x.org/a/b/c', 'https://x.org/ab', 'https://x.org/b'])).toEqual([
          'https://x.org/a',
          'https://x.org/a/b',
          'https://x.org/a/b/c',
        ]);
      });

      it('matches sub-topics', async () => {
        expect(await matching('topic:physics', ['topic:physics', 'topic:physics/entropy', 'topic:physics/entropy/heat-death', 'topic:physicsx', 'topic:chemistry'])).toEqual([
          'topic:physics',
          'topic:physics/entropy',
          'topic:physics/entropy/heat-death',
        ]);
      });

      it('matches a trace when any of its places is at or below the filter', async () => {
        const t = makeTrace({ places: ['lib/x.ts', 'src/deep/y.ts'] });
        await deposit(t, makeTrace({ places: ['lib/x.ts'] }));
        expect(ids(await strongest({ ...LIVE, place: 'src' }))).toEqual([t.id]);
      });

      it('applies the place filter to search', async () => {
        const inside = makeTrace({ text: 'kumquat inside', places: ['src/lib/a.ts'] });
        const outside = makeTrace({ text: 'kumquat outside', places: ['srcs/a.ts'] });
        await deposit(inside, outside);
        expect(await searchIds(['kumquat'], { ...LIVE, place: 'src' })).toEqual([inside.id]);
      });
    });

    describe('searchText', () => {
      it('finds traces by words in their text', async () => {
        const hit = makeTrace({ text: 'The migration locks the accounts table for minutes.' });
        await deposit(hit, makeTrace({ text: 'Something else entirely.' }));
        expect(await searchIds(['accounts'])).toEqual([hit.id]);
        expect(await searchIds(['MIGRATION'])).toEqual([hit.id]);
      });

      it('finds inflected forms by their stem', async () => {
        const runs = makeTrace({ text: 'The job runs nightly.' });
        const run = makeTrace({ text: 'Do not run it twice.' });
        const walk = makeTrace({ text: 'We walk the tree.' });
        await deposit(runs, run, walk);
        expect((await searchIds(['running'])).sort()).toEqual(ids([runs, run]).sort());
      });

      it('matches any of several terms', async () => {
        const a = makeTrace({ text: 'kumquat season' });
        const b = makeTrace({ text: 'zebra crossing' });
        await deposit(a, b, makeTrace({ text: 'nothing relevant' }));
        expect((await searchIds(['kumquat', 'zebra'])).sort()).toEqual(ids([a, b]).sort());
      });

      it('finds traces by tag', async () => {
        const tagged = makeTrace({ text: 'about caching', tags: ['performance'] });
        await deposit(tagged, makeTrace({ text: 'about naming' }));
        expect(await searchIds(['performance'])).toEqual([tagged.id]);
      });

      it('finds traces by author name', async () => {
        const byAda = makeTrace({ text: 'a human note', author: { name: 'lovelace', role: 'human' } });
        await deposit(byAda, makeTrace({ text: 'an agent note' }));
        expect(await searchIds(['lovelace'])).toEqual([byAda.id]);
      });

      it('returns the larger textScore first', async () => {
        const weak = makeTrace({
          text: 'A long note about many things: build scripts, the deploy pipeline, flaky tests, naming, and once, entropy.',
          strength: 9,
        });
        const strong = makeTrace({ text: 'Entropy, entropy, entropy.', strength: 1 });
        await deposit(weak, strong, makeTrace({ text: 'unrelated filler text' }));
        const hits = await search(['entropy']);
        expect(ids(hits.map((h) => h.head))).toEqual(ids([strong, weak]));
        expect(hits[0]!.textScore).toBeGreaterThan(hits[1]!.textScore);
        for (const h of hits) expect(Number.isFinite(h.textScore)).toBe(true);
      });

      it('returns the head of each hit', async () => {
        const t = makeTrace({ text: 'kumquat', tags: ['fruit'], places: ['topic:food'], meta: { k: 1 }, strength: 3, strengthAt: T0 + 7 });
        await deposit(t);
        const [hit] = await search(['kumquat']);
        expect(hit?.head).toStrictEqual(head(t));
      });

      it('scores a trace by its current text, tags and places after each change', async () => {
        // Enough traces with the word for it to be weighed from each candidate's own text (see the backend's ranking).
        const many = Array.from({ length: 2_100 }, (_, i) => makeTrace({ text: `deploy step ${i}`, createdAt: T0 + i }));
        const t = makeTrace({ text: 'deploy once', createdAt: T0 + 3_000 });
        await deposit(...many, t);
        const scoreOf = async (): Promise<number | undefined> => (await search(['deploy'], LIVE, 10)).find((h) => h.head.id === t.id)?.textScore;
        const once = await scoreOf();
        const revised: Trace = { ...t, text: 'deploy, deploy, deploy', version: 2 };
        await storage.write((w) => w.updateTrace(revised, traceIndexing(revised)));
        const thrice = await scoreOf();
        expect(thrice).toBeGreaterThan(once ?? Infinity);
        const tagged: Trace = { ...revised, tags: ['deploy'], version: 3 };
        await storage.write((w) => w.updateTrace(tagged, traceIndexing(tagged)));
        expect(await scoreOf()).toBeGreaterThan(thrice ?? Infinity);
        await storage.write((w) => w.updateTrace(t, traceIndexing(t)));
        expect(await scoreOf()).toBe(once);
        await storage.write((w) => w.eraseTrace(t.id, '[forgotten]', T0 + 4_000));
        expect(await scoreOf()).toBeUndefined();
      });

      it('honours the filters', async () => {
        const a = makeTrace({ text: 'kumquat a', kind: 'warning', tags: ['x'], author: HUMAN, strength: 4 });
        const b = makeTrace({ text: 'kumquat b', kind: 'note', tags: ['x', 'y'], createdAt: T0 + DAY_MS, strength: 2 });
        const c = makeTrace({ text: 'kumquat c', status: 'archived' });
        await deposit(a, b, c);
        expect((await searchIds(['kumquat'])).sort()).toEqual(ids([a, b]).sort());
        expect(await searchIds(['kumquat'], { statuses: ['archived'] })).toEqual([c.id]);
        expect(await searchIds(['kumquat'], { ...LIVE, kinds: ['warning'] })).toEqual([a.id]);
        expect(await searchIds(['kumquat'], { ...LIVE, tags: ['x', 'y'] })).toEqual([b.id]);
        expect(await searchIds(['kumquat'], { ...LIVE, author: HUMAN.name })).toEqual([a.id]);
        expect(await searchIds(['kumquat'], { ...LIVE, since: T0 + 1 })).toEqual([b.id]);
        expect(await searchIds(['kumquat'], { ...LIVE, minStrengthKey: traceIndexing(a).decayKey })).toEqual([a.id]);
        expect(await searchIds(['kumquat'], LIVE, 1)).toHaveLength(1);
      });

      it('returns nothing for no terms', async () => {
        await deposit(makeTrace({ text: 'anything at all' }));
        expect(await search([])).toEqual([]);
      });

      it('treats quotes and query operators as plain words and never throws', async () => {
        const near = makeTrace({ text: 'Keep the cache NEAR the door and AND it with care.' });
        await deposit(near, makeTrace({ text: 'unrelated' }));
        const awkward = [
          'AND', 'OR', 'NOT', 'NEAR', 'NEAR(a b)', '*', 'cache*', '"', '""', '"cache', 'ca"che', '(', ')', '(cache', '^cache',
          'text:cache', 'tags:x', '-cache', '+cache', '{text}', ':', "'", '\\', ';', '%', '_', '', ' ', 'cache AND door', 'a"b"c',
        ];
        for (const term of awkward) {
          const hits = await search([term]);
          expect(Array.isArray(hits), `term ${JSON.stringify(term)}`).toBe(true);
        }
        expect(Array.isArray(await search(awkward))).toBe(true);
        expect(await searchIds(['NEAR'])).toEqual([near.id]);
        expect(await searchIds(['AND'])).toEqual([near.id]);
        expect(await searchIds(['"cache"'])).toEqual([near.id]);
      });
    });

    describe('neighbours', () => {
      const MINUTE = 60_000;
      const around = (ids: string[], span = 2, withinMs = 60 * MINUTE, filters: TraceFilters = LIVE) =>
        read((r) => r.neighbours(ids, { span, withinMs, filters }));
      const summary = (ns: Array<{ of: string; distance: number; head: { id: string } }>) =>
        ns.map((n) => `${n.of}:${n.distance}:${n.head.id}`).sort();

      it('returns the heads of the traces written just before and after each trace, with their distance', async () => {
        const [a, b, c, d, e] = await deposit(
          ...Array.from({ length: 5 }, (_, i) => makeTrace({ text: `step ${i}`, createdAt: T0 + i * MINUTE, strength: i + 1 })),
        );
        const of = c!.id;
        const found = await around([of]);
        expect(summary(found)).toEqual(
          summary([
            { of, distance: -2, head: a! },
            { of, distance: -1, head: b! },
            { of, distance: 1, head: d! },
            { of, distance: 2, head: e! },
          ]),
        );
        for (const n of found) expect(n.head).toStrictEqual(head([a!, b!, d!, e!].find((t) => t.id === n.head.id)!));
        expect(summary(await around([a!.id, e!.id], 1))).toEqual(
          summary([
            { of: a!.id, distance: 1, head: b! },
            { of: e!.id, distance: -1, head: d! },
          ]),
        );
        expect(await around([])).toEqual([]);
      });

      it('leaves out traces written too long before or after, and those the filters exclude', async () => {
        const [early, archived, hit, later] = await deposit(
          makeTrace({ text: 'early', createdAt: T0 }),
          makeTrace({ text: 'archived', createdAt: T0 + MINUTE, status: 'archived' }),
          makeTrace({ text: 'hit', createdAt: T0 + 2 * MINUTE }),
          makeTrace({ text: 'much later', kind: 'decision', createdAt: T0 + 10 * DAY_MS }),
        );
        const of = hit!.id;
        expect(summary(await around([of]))).toEqual(summary([{ of, distance: -2, head: early! }]));
        expect(summary(await around([of], 2, 60 * MINUTE, { statuses: ['live', 'archived'] }))).toEqual(
          summary([
            { of, distance: -2, head: early! },
            { of, distance: -1, head: archived! },
          ]),
        );
        expect(summary(await around([of], 2, 11 * DAY_MS))).toEqual(
          summary([
            { of, distance: -2, head: early! },
            { of, distance: 1, head: later! },
          ]),
        );
        expect(summary(await around([of], 2, 11 * DAY_MS, { ...LIVE, kinds: ['decision'] }))).toEqual(summary([{ of, distance: 1, head: later! }]));
      });
    });

    describe('updateTrace', () => {
      it('replaces tags, places and status, and the filters follow', async () => {
        const t = makeTrace({ text: 'a movable note', tags: ['old-tag'], places: ['src/old.ts'] });
        await deposit(t);
        const moved: Trace = { ...t, tags: ['new-tag'], places: ['lib/new.ts'], version: 2, updatedAt: T0 + 5 };
        await storage.write((w) => w.updateTrace(moved, traceIndexing(moved)));
        expect(await read((r) => r.getTrace(t.id))).toStrictEqual(moved);
        expect(await strongest({ ...LIVE, tags: ['old-tag'] })).toEqual([]);
        expect(ids(await strongest({ ...LIVE, tags: ['new-tag'] }))).toEqual([t.id]);
        expect(await strongest({ ...LIVE, place: 'src' })).toEqual([]);
        expect(ids(await strongest({ ...LIVE, place: 'lib' }))).toEqual([t.id]);
        expect(await read((r) => r.tracesAtPlaces(['src/old.ts'], LIVE, 10))).toEqual([]);
        expect(ids(await read((r) => r.tracesAtPlaces(['lib/new.ts'], LIVE, 10)))).toEqual([t.id]);
        expect(await searchIds(['old'])).toEqual([]);
        expect(await searchIds(['new'])).toEqual([t.id]);

        const archived: Trace = { ...moved, status: 'archived', version: 3 };
        await storage.write((w) => w.updateTrace(archived, traceIndexing(archived)));
        expect(await strongest(LIVE)).toEqual([]);
        expect(ids(await strongest({ statuses: ['archived'], tags: ['new-tag'] }))).toEqual([t.id]);
        expect(await searchIds(['movable'])).toEqual([]);
        expect(await searchIds(['movable'], { statuses: ['archived'] })).toEqual([t.id]);
      });

      it('searches the replaced text, not the old one', async () => {
        const t = makeTrace({ text: 'the kumquat is ripe' });
        await deposit(t);
        const edited: Trace = { ...t, text: 'the persimmon is ripe', version: 2 };
        await storage.write((w) => w.updateTrace(edited, traceIndexing(edited)));
        expect(await searchIds(['kumquat'])).toEqual([]);
        expect(await searchIds(['persimmon'])).toEqual([t.id]);
        expect(await read((r) => r.tracesByContentHash(traceIndexing(t).contentHash, ALL_STATUSES))).toEqual([]);
        expect(ids(await read((r) => r.tracesByContentHash(traceIndexing(edited).contentHash, ALL_STATUSES)))).toEqual([t.id]);
      });

      it('reorders a trace whose strength changed', async () => {
        const a = makeTrace({ text: 'a', strength: 2 });
        const b = makeTrace({ text: 'b', strength: 1 });
        await deposit(a, b);
        const boosted: Trace = { ...b, strength: 5, follows: 1, version: 2 };
        await storage.write((w) => w.updateTrace(boosted, traceIndexing(boosted)));
        expect(ids(await strongest(LIVE))).toEqual(ids([b, a]));
        expect((await read((r) => r.getTrace(b.id)))?.follows).toBe(1);
      });

      it('rejects an update of an unknown trace', async () => {
        const ghost = makeTrace();
        await expect(storage.write((w) => w.updateTrace(ghost, traceIndexing(ghost)))).rejects.toThrow();
        expect(await read((r) => r.getTrace(ghost.id))).toBeUndefined();
      });
    });

    describe('eraseTrace', () => {
      const TOMBSTONE = '[forgotten]';

      async function erase(id: string, at = T0 + 1_000): Promise<void> {
        await storage.write((w) => w.eraseTrace(id, TOMBSTONE, at));
      }

      it('replaces the text with the tombstone and marks the trace forgotten', async () => {
        const t = makeTrace({ text: 'the password is hunter2', tags: ['oops'], places: ['src/a.ts'] });
        await deposit(t);
        await erase(t.id, T0 + 1_000);
        const got = await read((r) => r.getTrace(t.id));
        expect(got?.text).toBe(TOMBSTONE);
        expect(got?.status).toBe('forgotten');
        expect(got?.id).toBe(t.id);
        expect(got?.updatedAt).toBe(T0 + 1_000);
        expect(got?.version).toBeGreaterThan(t.version);
        expect(JSON.stringify(got)).not.toContain('hunter2');
      });

      it('removes the trace from search, listings and content-hash lookups', async () => {
        const t = makeTrace({ text: 'the password is hunter2', tags: ['oops'], places: ['src/a.ts'] });
        const kept = makeTrace({ text: 'the password policy is documented', tags: ['oops'], places: ['src/a.ts'] });
        await deposit(t, kept);
        await erase(t.id);
        expect(await searchIds(['hunter2'], { statuses: ALL_STATUSES })).toEqual([]);
        expect(await searchIds(['password'], { statuses: ALL_STATUSES })).toEqual([kept.id]);
        expect(await searchIds(['oops'], { statuses: ALL_STATUSES })).toEqual([kept.id]);
        expect(await read((r) => r.tracesByContentHash(traceIndexing(t).contentHash, ALL_STATUSES))).toEqual([]);
        expect(ids(await strongest(LIVE))).toEqual([kept.id]);
        expect(ids(await read((r) => r.tracesAtPlaces(['src/a.ts'], LIVE, 10)))).toEqual([kept.id]);
      });

      it("erases the text of the trace's annotations and leaves others alone", async () => {
        const t = makeTrace({ text: 'secret-ish note' });
        const other = makeTrace({ text: 'another note' });
        await deposit(t, other);
        const note = makeAnnotation(t.id, { text: 'the secret is also in here: hunter2' });
        const challenge = makeAnnotation(t.id, { stance: 'challenge', text: 'hunter2 again', createdAt: T0 + 2 });
        const elsewhere = makeAnnotation(other.id, { text: 'unrelated annotation' });
        await storage.write(async (w) => {
          await w.insertAnnotation(note);
          await w.insertAnnotation(challenge);
          await w.insertAnnotation(elsewhere);
        });
        expect(await read((r) => r.annotationsOf(t.id))).toStrictEqual([note, challenge]);
        await erase(t.id);
        const after = await read((r) => r.annotationsOf(t.id));
        expect(ids(after)).toEqual(ids([note, challenge]));
        for (const a of after) expect(a.text).not.toContain('hunter2');
        expect(await read((r) => r.annotationsOf(other.id))).toStrictEqual([elsewhere]);
      });

      it('rejects erasing an unknown trace', async () => {
        await expect(erase(newId())).rejects.toThrow();
      });
    });

    describe('tracesByContentHash', () => {
      it('returns the traces with the hash and one of the statuses, oldest first', async () => {
        const first = makeTrace({ text: 'dup', createdAt: T0 });
        const second = makeTrace({ text: 'dup', createdAt: T0 + 1, status: 'archived' });
        const third = makeTrace({ text: 'dup', createdAt: T0 + 2, strength: 5 });
        const different = makeTrace({ text: 'not a dup' });
        await deposit(first, second, third, different);
        const hash = traceIndexing(first).contentHash;
        expect(ids(await read((r) => r.tracesByContentHash(hash, ['live'])))).toEqual(ids([first, third]));
        expect(ids(await read((r) => r.tracesByContentHash(hash, ['live', 'archived'])))).toEqual(ids([first, second, third]));
        expect(ids(await read((r) => r.tracesByContentHash(hash, ['archived'])))).toEqual([second.id]);
        expect(await read((r) => r.tracesByContentHash(hash, ['forgotten']))).toEqual([]);
        expect(await read((r) => r.tracesByContentHash('hash:nothing', ALL_STATUSES))).toEqual([]);
      });
    });

    describe('events', () => {
      it('appends events with increasing seq and returns them as stored', async () => {
        const appended = await storage.write(async (w) => {
          const out: PalimpsestEvent[] = [];
          for (let i = 0; i < 5; i++) out.push(await w.appendEvent(makeEvent({ at: T0 + i })));
          return out;
        });
        const more = await storage.write((w) => w.appendEvent(makeEvent({ at: T0 + 10 })));
        const seqs = [...appended, more].map((e) => e.seq);
        for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
        expect(new Set([...appended, more].map((e) => e.id)).size).toBe(6);
        for (const e of [...appended, more]) expect(await read((r) => r.getEvent(e.id))).toStrictEqual(e);
      });

      it('round-trips every field of an event', async () => {
        const full = await storage.write((w) =>
          w.appendEvent({
            type: 'trace.retag',
            at: T0 + 42,
            actor: { name: 'aria-3', role: 'agent', model: 'claude-opus-4' },
            traceId: 'T-1',
            subject: 'S-1',
            reason: 'tidying "tags" — ünïcödé',
            data: { before: ['a'], after: ['b', 'c'], nested: { n: 1.5, ok: true, none: null } },
          }),
        );
        const bare = await storage.write((w) => w.appendEvent({ type: 'store.init', at: T0, actor: HUMAN }));
        expect(full).toMatchObject({ type: 'trace.retag', at: T0 + 42, traceId: 'T-1', subject: 'S-1' });
        expect(bare).toMatchObject({ traceId: null, subject: null, reason: null, data: {} });
        expect(await read((r) => r.getEvent(full.id))).toStrictEqual(full);
        const gotBare = await read((r) => r.getEvent(bare.id));
        expect(gotBare).toStrictEqual(bare);
        expect(gotBare?.actor).not.toHaveProperty('model');
      });

      it('returns undefined from getEvent for an unknown id', async () => {
        await storage.write((w) => w.appendEvent(makeEvent()));
        expect(await read((r) => r.getEvent(newId()))).toBeUndefined();
      });

      /** Appends a mixed log: two traces, two actors, several types, times T0 … T0+5. */
      async function mixedLog() {
        return storage.write(async (w) => [
          await w.appendEvent(makeEvent({ type: 'store.init', at: T0, actor: HUMAN })),
          await w.appendEvent(makeEvent({ type: 'trace.deposit', at: T0 + 1, traceId: 'A' })),
          await w.appendEvent(makeEvent({ type: 'trace.follow', at: T0 + 2, traceId: 'A' })),
          await w.appendEvent(makeEvent({ type: 'trace.deposit', at: T0 + 3, traceId: 'B', actor: HUMAN })),
          await w.appendEvent(makeEvent({ type: 'trail.create', at: T0 + 4, subject: 'trail-1' })),
          await w.appendEvent(makeEvent({ type: 'trace.archive', at: T0 + 5, traceId: 'A', actor: HUMAN, reason: 'done' })),
        ]);
      }
      const list = (q: Parameters<StorageReader['listEvents']>[0]) => read((r) => r.listEvents(q));
      const seqs = (events: Array<{ seq: number }>) => events.map((e) => e.seq);

      it('lists events newest first', async () => {
        const log = await mixedLog();
        expect(seqs(await list({ limit: 100 }))).toEqual(seqs([...log].reverse()));
        expect(await list({ limit: 100 })).toStrictEqual([...log].reverse());
      });

      it('filters events by trace, subject, actor, type and time', async () => {
        const [init, depA, follow, depB, trail, archive] = await mixedLog();
        expect(seqs(await list({ traceId: 'A', limit: 100 }))).toEqual(seqs([archive!, follow!, depA!]));
        expect(seqs(await list({ subject: 'trail-1', limit: 100 }))).toEqual([trail!.seq]);
        expect(seqs(await list({ actorName: HUMAN.name, limit: 100 }))).toEqual(seqs([archive!, depB!, init!]));
        expect(seqs(await list({ types: ['trace.deposit'], limit: 100 }))).toEqual(seqs([depB!, depA!]));
        const types: EventType[] = ['trace.deposit', 'trace.archive'];
        expect(seqs(await list({ types, limit: 100 }))).toEqual(seqs([archive!, depB!, depA!]));
        expect(seqs(await list({ types: [], limit: 100 }))).toHaveLength(6);
        expect(seqs(await list({ since: T0 + 3, limit: 100 }))).toEqual(seqs([archive!, trail!, depB!]));
        expect(seqs(await list({ traceId: 'A', actorName: HUMAN.name, limit: 100 }))).toEqual([archive!.seq]);
        expect(await list({ traceId: 'nothing', limit: 100 })).toEqual([]);
      });

      it('pages back with beforeSeq, newest first, and honours limit', async () => {
        const log = await mixedLog();
        const [, , follow, depB, trail] = log;
        expect(seqs(await list({ limit: 2 }))).toEqual(seqs([log[5]!, trail!]));
        expect(seqs(await list({ beforeSeq: trail!.seq, limit: 2 }))).toEqual(seqs([depB!, follow!]));
        expect(seqs(await list({ beforeSeq: log[0]!.seq, limit: 10 }))).toEqual([]);
      });

      it('follows the log with afterSeq, oldest first, and honours limit', async () => {
        const log = await mixedLog();
        const [, depA, follow, depB, trail, archive] = log;
        expect(seqs(await list({ afterSeq: depA!.seq, limit: 2 }))).toEqual(seqs([follow!, depB!]));
        expect(seqs(await list({ afterSeq: depB!.seq, limit: 100 }))).toEqual(seqs([trail!, archive!]));
        expect(seqs(await list({ afterSeq: archive!.seq, limit: 100 }))).toEqual([]);
        expect(seqs(await list({ afterSeq: depA!.seq, traceId: 'A', limit: 100 }))).toEqual(seqs([follow!, archive!]));
      });
    });

    describe('identity versions', () => {
      it('inserts, updates and filters identity versions by doc, status and id', async () => {
        const who1 = makeIdentityVersion({ doc: 'who-we-are', proposedAt: T0 });
        const who2 = makeIdentityVersion({ doc: 'who-we-are', proposedAt: T0 + 10, text: 'We are careful and kind.', baseVersion: 1 });
        const how = makeIdentityVersion({ doc: 'how-we-work', proposedAt: T0 + 5, proposedBy: HUMAN });
        await storage.write(async (w) => {
          await w.insertIdentityVersion(who1);
          await w.insertIdentityVersion(who2);
          await w.insertIdentityVersion(how);
        });
        expect(await read((r) => r.identityVersions({ id: who1.id }))).toStrictEqual([who1]);
        expect(ids(await read((r) => r.identityVersions({ doc: 'who-we-are' }))).sort()).toEqual(ids([who1, who2]).sort());
        expect(ids(await read((r) => r.identityVersions({})))).toHaveLength(3);

        const approved: IdentityVersion = {
          ...who1,
          status: 'approved',
          version: 1,
          decidedBy: HUMAN,
          decidedAt: T0 + 20,
          decisionNote: 'yes',
        };
        const rejected: IdentityVersion = { ...how, status: 'rejected', decidedBy: { name: 'Grace', role: 'human' }, decidedAt: T0 + 21, decisionNote: null };
        await storage.write(async (w) => {
          await w.updateIdentityVersion(approved);
          await w.updateIdentityVersion(rejected);
        });
        expect(await read((r) => r.identityVersions({ id: who1.id }))).toStrictEqual([approved]);
        expect(await read((r) => r.identityVersions({ statuses: ['approved'] }))).toStrictEqual([approved]);
        expect(await read((r) => r.identityVersions({ statuses: ['rejected'] }))).toStrictEqual([rejected]);
        expect(await read((r) => r.identityVersions({ doc: 'who-we-are', statuses: ['proposed'] }))).toStrictEqual([who2]);
        expect(ids(await read((r) => r.identityVersions({ statuses: ['approved', 'proposed'] }))).sort()).toEqual(ids([who1, who2]).sort());
        expect(await read((r) => r.identityVersions({ doc: 'how-we-work', statuses: ['approved'] }))).toEqual([]);
        expect(await read((r) => r.identityVersions({ id: 'nope' }))).toEqual([]);
      });
    });

    describe('trails', () => {
      it('finds a trail by name and by id', async () => {
        const trail = makeTrail();
        await storage.write((w) => w.insertTrail(trail));
        expect(await read((r) => r.getTrail('start-here'))).toStrictEqual(trail);
        expect(await read((r) => r.getTrail(trail.id))).toStrictEqual(trail);
        expect(await read((r) => r.getTrail('no-such-trail'))).toBeUndefined();
      });

      it('lists trails sorted by name', async () => {
        const b = makeTrail({ id: newId(), name: 'beta' });
        const a = makeTrail({ id: newId(), name: 'alpha', author: AGENT, steps: [] });
        const c = makeTrail({ id: newId(), name: 'gamma' });
        await storage.write(async (w) => {
          await w.insertTrail(b);
          await w.insertTrail(c);
          await w.insertTrail(a);
        });
        expect(await read((r) => r.listTrails())).toStrictEqual([a, b, c]);
      });

      it('rejects a second trail with the same name and keeps the first', async () => {
        const first = makeTrail({ id: newId(), name: 'same' });
        const second = makeTrail({ id: newId(), name: 'same', description: 'the impostor' });
        await storage.write((w) => w.insertTrail(first));
        await expect(storage.write((w) => w.insertTrail(second))).rejects.toThrow();
        expect(await read((r) => r.getTrail('same'))).toStrictEqual(first);
        expect(await read((r) => r.getTrail(second.id))).toBeUndefined();
        expect(await read((r) => r.listTrails())).toHaveLength(1);
      });
    });

    describe('settings', () => {
      it('returns a setting after it is set', async () => {
        await storage.write((w) => w.setSetting('half-life', '30d'));
        expect(await read((r) => r.getSetting('half-life'))).toBe('30d');
      });

      it('overwrites a setting', async () => {
        await storage.write((w) => w.setSetting('k', 'one'));
        await storage.write((w) => w.setSetting('k', 'two'));
        expect(await read((r) => r.getSetting('k'))).toBe('two');
      });

      it('keeps values exactly, empty and multi-line ones included', async () => {
        const value = '{"json": ["ünï", 1]}\nsecond line\t';
        await storage.write(async (w) => {
          await w.setSetting('json', value);
          await w.setSetting('empty', '');
        });
        expect(await read((r) => r.getSetting('json'))).toBe(value);
        expect(await read((r) => r.getSetting('empty'))).toBe('');
      });

      it('returns undefined for an unknown key', async () => {
        expect(await read((r) => r.getSetting('never-set'))).toBeUndefined();
      });
    });

    describe('rekeyStrength', () => {
      it('re-derives the order when the half-life changes', async () => {
        // Strong but old: 8 at T0. Weaker but new: 1 at T0 + 10 days.
        // Half-life 30 days: keys 3 + T0/h vs 0 + T0/h + 1/3, so the old one leads.
        // Half-life 1 day: keys 3 + T0/h vs 0 + T0/h + 10, so the new one leads.
        const strongOld = makeTrace({ text: 'strong but old', strength: 8, strengthAt: T0 });
        const weakNew = makeTrace({ text: 'weaker but new', strength: 1, createdAt: T0 + 10 * DAY_MS, strengthAt: T0 + 10 * DAY_MS });
        await deposit(strongOld, weakNew);
        expect(ids(await strongest(LIVE))).toEqual(ids([strongOld, weakNew]));

        await storage.write((w) => w.rekeyStrength(DAY_MS));
        expect(ids(await strongest(LIVE))).toEqual(ids([weakNew, strongOld]));
        expect(ids(await read((r) => r.tracesAtPlaces(['nowhere'], LIVE, 10)))).toEqual([]);

        await storage.write((w) => w.rekeyStrength(HALF_LIFE_MS));
        expect(ids(await strongest(LIVE))).toEqual(ids([strongOld, weakNew]));
      });

      it('stores the key decayKey() computes for the new half-life', async () => {
        const t = makeTrace({ strength: 1.7, strengthAt: T0 + 12_345 });
        await deposit(t);
        await storage.write((w) => w.rekeyStrength(DAY_MS));
        const key = decayKey(t.strength, t.strengthAt, DAY_MS);
        expect(ids(await strongest({ ...LIVE, minStrengthKey: key - 1e-6 }))).toEqual([t.id]);
        expect(await strongest({ ...LIVE, minStrengthKey: key + 1e-6 })).toEqual([]);
      });

      it('leaves the traces themselves unchanged', async () => {
        const t = makeTrace({ strength: 3, tags: ['x'] });
        await deposit(t);
        await storage.write((w) => w.rekeyStrength(DAY_MS));
        expect(await read((r) => r.getTrace(t.id))).toStrictEqual(t);
      });
    });

    describe('check', () => {
      it('passes its health checks when every trace has its deposit event', async () => {
        const traces = [makeTrace({ text: 'one' }), makeTrace({ text: 'two' })];
        await storage.write(async (w) => {
          for (const t of traces) {
            await w.insertTrace(t, traceIndexing(t));
            await w.appendEvent(makeEvent({ traceId: t.id }));
          }
        });
        await storage.write((w) => w.eraseTrace(traces[0]!.id, '[forgotten]', T0 + 1));
        const checks = await storage.check();
        expect(checks.length).toBeGreaterThan(0);
        for (const c of checks) expect(c, c.name).toMatchObject({ ok: true });
      });

      it('reports a trace that has no deposit event', async () => {
        await deposit(makeTrace({ text: 'never logged' }));
        const checks = await storage.check();
        expect(checks.some((c) => !c.ok)).toBe(true);
      });
    });

    describe('info', () => {
      it('counts traces and events', async () => {
        const empty = await read((r) => r.info());
        expect(empty.traces).toBe(0);
        expect(empty.events).toBe(0);
        expect(empty.backend).toBe(storage.backend);
        expect(empty.location).toBe(storage.location);
        expect(empty.schemaVersion).toBeGreaterThan(0);

        const traces = [makeTrace({ text: '1' }), makeTrace({ text: '2' }), makeTrace({ text: '3', status: 'archived' })];
        await storage.write(async (w) => {
          for (const t of traces) {
            await w.insertTrace(t, traceIndexing(t));
            await w.appendEvent(makeEvent({ traceId: t.id }));
          }
          await w.appendEvent(makeEvent({ type: 'store.configure' }));
        });
        const info = await read((r) => r.info());
        expect(info.traces).toBe(3);
        expect(info.events).toBe(4);
        expect(info.bytes).toBeGreaterThan(0);
      });
    });
  });
}
