import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { join } from 'node:path';
import { Physarum } from '../physarum.js';
import { DAY_MS, DEFAULT_STRENGTH } from '../strength/index.js';
import type { DepositInput } from '../traces/schema.js';
import { NAMED_AUTHOR_BONUS, STRENGTH_WEIGHT } from './index.js';
import { agent, person, refusal, openTestStore, closeTestStore, type TestStore } from '../../test/helpers/core.js';

const other = { name: 'bo-2', role: 'agent' as const, model: 'claude-test' };
const HOUR = 3_600_000;

let s: TestStore;
beforeEach(() => (s = openTestStore()));
afterEach(() => closeTestStore(s));


async function put(input: DepositInput, actor: typeof agent | typeof person = agent): Promise<string> {
  return (await s.p.deposit(input, actor)).trace.id;
}

/** Ids found by a search, in result order. */
async function ids(input: Parameters<Physarum['search']>[0]): Promise<string[]> {
  return (await s.p.search(input)).results.map((r) => r.trace.id);
}

describe('search()', () => {
  it('ranks the more relevant trace first', async () => {
    const weak = await put({ text: 'Notes from the meeting: lunch, parking, the budget, and one remark about entropy near the end.' });
    s.clock.advance(7 * HOUR);
    const strong = await put({ text: 'Entropy: Gibbs entropy versus Shannon entropy.' });
    s.clock.advance(7 * HOUR);
    await put({ text: 'Unrelated: the parking garage closes at nine.' });
    const { results, terms } = await s.p.search({ query: 'entropy' });
    expect(terms).toEqual(['entropy']);
    expect(results.map((r) => r.trace.id)).toEqual([strong, weak]);
    expect(results[0]?.parts.relevance).toBe(1);
    expect(results[1]?.parts.relevance).toBeGreaterThan(0);
    expect(results[1]?.parts.relevance).toBeLessThan(1);
  });

  it('lets strength lift one of two equally relevant traces, and the score is the sum of its parts', async () => {
    const older = await put({ text: 'Cache invalidation happens on deploy.', kind: 'note' });
    s.clock.advance(7 * HOUR); // beyond the context window, so neither lends the other context
    const newer = await put({ text: 'Cache invalidation happens on deploy.', kind: 'todo' });
    s.clock.advance(HOUR);

    const before = (await s.p.search({ query: 'cache invalidation' })).results;
    expect(before.map((r) => r.trace.id)).toEqual([newer, older]);
    expect(before[0]?.parts.relevance).toBeCloseTo(before[1]?.parts.relevance ?? NaN, 12);

    await s.p.follow({ id: older }, person);
    const { results } = await s.p.search({ query: 'cache invalidation' });
    expect(results.map((r) => r.trace.id)).toEqual([older, newer]);
    for (const r of results) {
      expect(r.parts.context).toBe(0);
      expect(r.parts.relevance).toBe(1);
      expect(r.parts.strengthBonus).toBeCloseTo((STRENGTH_WEIGHT * r.parts.strength) / (r.parts.strength + 1), 12);
      expect(r.score).toBeCloseTo(r.parts.relevance + r.parts.strengthBonus, 12);
      expect(r.parts.strengthBonus).toBeLessThan(STRENGTH_WEIGHT);
    }
    expect(results[0]?.parts.strength).toBeGreaterThan(results[1]?.parts.strength ?? Infinity);
  });

  it('lends context to the traces written just before and after a hit', async () => {
    const question = await put({ text: 'Why does the importer hang on large files?' });
    const answer = await put({ text: 'Because it buffers everything; stream it instead.' });
    const { results } = await s.p.search({ query: 'importer hang' });
    const found = new Map(results.map((r) => [r.trace.id, r]));
    expect(found.get(question)?.parts.relevance).toBe(1);
    expect(found.get(answer)?.parts.relevance).toBe(0);
    expect(found.get(answer)?.parts.context).toBeCloseTo(0.6, 12);
    const a = found.get(answer);
    if (a) expect(a.score).toBeCloseTo(a.parts.relevance + a.parts.context + a.parts.strengthBonus, 12);
  });

  it('favours traces by an author the query names', async () => {
    const mira = { name: 'Mira', role: 'human' as const };
    const tobias = { name: 'Tobias', role: 'human' as const };
    const hers = (await s.p.deposit({ text: 'I went to the pottery workshop on Sunday' }, mira)).trace.id;
    s.clock.advance(DAY_MS);
    const other = (await s.p.deposit({ text: 'I went to the pottery workshop on Sunday too' }, tobias)).trace.id;
    s.clock.advance(DAY_MS);
    const { results } = await s.p.search({ query: 'What workshop did Mira go to?' });
    expect(results[0]?.trace.id).toBe(hers);
    expect(results[0]?.parts.author).toBe(NAMED_AUTHOR_BONUS);
    expect(results.find((r) => r.trace.id === other)?.parts.author).toBe(0);
    const first = results[0];
    if (first) expect(first.score).toBeCloseTo(first.parts.relevance + first.parts.context + first.parts.author + first.parts.strengthBonus, 12);
  });

  describe('filters', () => {
    it('place matches the place and everything below it', async () => {
      const file = await put({ text: 'kiwi file', places: ['src/a.ts'] });
      const section = await put({ text: 'kiwi section', places: ['src/a.ts#Setup'] });
      const nested = await put({ text: 'kiwi nested', places: ['src/lib/b.ts'] });
      const sibling = await put({ text: 'kiwi sibling prefix', places: ['srcx/c.ts'] });
      const elsewhere = await put({ text: 'kiwi elsewhere', places: ['lib/d.ts'] });
      const unplaced = await put({ text: 'kiwi nowhere' });
      expect(new Set(await ids({ query: 'kiwi', place: 'src' }))).toEqual(new Set([file, section, nested]));
      expect(new Set(await ids({ query: 'kiwi', place: './src/a.ts' }))).toEqual(new Set([file, section]));
      expect(new Set(await ids({ query: 'kiwi', place: join(s.dir, 'src', 'lib') }))).toEqual(new Set([nested]));
      expect(new Set(await ids({ query: 'kiwi' }))).toEqual(new Set([file, section, nested, sibling, elsewhere, unplaced]));
    });

    it('place matches sub-topics and URL sub-paths', async () => {
      const sub = await put({ text: 'kiwi sub-topic', places: ['topic:physics/entropy'] });
      const top = await put({ text: 'kiwi topic', places: ['topic:physics'] });
      await put({ text: 'kiwi other topic', places: ['topic:physiology'] });
      const page = await put({ text: 'kiwi page', places: ['https://example.com/docs/a'] });
      await put({ text: 'kiwi other page', places: ['https://example.com/blog'] });
      expect(new Set(await ids({ query: 'kiwi', place: 'topic:Physics' }))).toEqual(new Set([sub, top]));
      expect(await ids({ query: 'kiwi', place: 'https://example.com/docs' })).toEqual([page]);
    });

    it('kind keeps only the given kinds', async () => {
      const note = await put({ text: 'kiwi note', kind: 'note' });
      const warning = await put({ text: 'kiwi warning', kind: 'warning' });
      const todo = await put({ text: 'kiwi todo', kind: 'todo' });
      expect(await ids({ query: 'kiwi', kind: 'warning' })).toEqual([warning]);
      expect(new Set(await ids({ query: 'kiwi', kind: ['note', 'todo'] }))).toEqual(new Set([note, todo]));
    });

    it('tag keeps only traces with every given tag', async () => {
      const both = await put({ text: 'kiwi both', tags: ['perf', 'db'] });
      const perf = await put({ text: 'kiwi perf', tags: ['perf'] });
      await put({ text: 'kiwi db', tags: ['db'] });
      expect(new Set(await ids({ query: 'kiwi', tag: 'perf' }))).toEqual(new Set([both, perf]));
      expect(await ids({ query: 'kiwi', tag: ['perf', 'db'] })).toEqual([both]);
      expect(await ids({ query: 'kiwi', tag: 'missing' })).toEqual([]);
    });

    it('author keeps only traces by that author', async () => {
      const mine = await put({ text: 'kiwi mine' }, agent);
      const theirs = (await s.p.deposit({ text: 'kiwi theirs' }, other)).trace.id;
      expect(await ids({ query: 'kiwi', author: 'aria-1' })).toEqual([mine]);
      expect(await ids({ query: 'kiwi', author: 'bo-2' })).toEqual([theirs]);
      expect(await ids({ query: 'kiwi', author: 'nobody' })).toEqual([]);
    });

    it('since accepts a date or a duration back from now', async () => {
      const old = await put({ text: 'kiwi old' });
      s.clock.advance(10 * DAY_MS);
      const recent = await put({ text: 'kiwi recent' });
      expect(await ids({ query: 'kiwi', since: '7d' })).toEqual([recent]);
      expect(await ids({ query: 'kiwi', since: '2026-01-05' })).toEqual([recent]);
      expect(new Set(await ids({ query: 'kiwi', since: '2025-12-31' }))).toEqual(new Set([old, recent]));
      expect(new Set(await ids({ query: 'kiwi', since: '30d' }))).toEqual(new Set([old, recent]));
      expect(new Set(await ids({ query: 'kiwi', since: '2025' }))).toEqual(new Set([old, recent]));
      expect(await ids({ query: 'kiwi', since: '2027' })).toEqual([]);
    });

    it('since refuses something that is neither a date nor a duration', async () => {
      expect((await refusal(s.p.search({ query: 'kiwi', since: '2026000' }))).field).toBe('since');
      const e = await refusal(s.p.search({ query: 'kiwi', since: 'last tuesday' }));
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.field).toBe('since');
    });

    it('status defaults to live and can ask for archived or both', async () => {
      const live = await put({ text: 'kiwi live' });
      const archived = await put({ text: 'kiwi archived' });
      await s.p.archive({ id: archived, reason: 'old' }, person);
      expect(await ids({ query: 'kiwi' })).toEqual([live]);
      expect(await ids({ query: 'kiwi', status: 'archived' })).toEqual([archived]);
      expect(new Set(await ids({ query: 'kiwi', status: ['live', 'archived'] }))).toEqual(new Set([live, archived]));
    });

    it('limit caps the number of results, keeping the best', async () => {
      for (let i = 0; i < 15; i++) await put({ text: `kiwi number ${i}` });
      const best = await put({ text: 'kiwi kiwi kiwi' });
      expect(await ids({ query: 'kiwi' })).toHaveLength(10);
      const three = await ids({ query: 'kiwi', limit: 3 });
      expect(three).toHaveLength(3);
      expect(three[0]).toBe(best);
      expect(await ids({ query: 'kiwi', limit: 200 })).toHaveLength(16);
      expect((await refusal(s.p.search({ query: 'kiwi', limit: 201 }))).field).toBe('limit');
      expect((await refusal(s.p.search({ query: 'kiwi', limit: 0 }))).code).toBe('INVALID_INPUT');
    });
  });

  describe('odd queries', () => {
    beforeEach(async () => {
      await put({ text: 'The unbalanced parser drops a term near the column boundary.' });
      s.clock.advance(7 * HOUR);
      await put({ text: 'A table of traces: drop in strength after a month.' });
      s.clock.advance(7 * HOUR);
    });

    const sensible: Array<[string, string]> = [
      ['"unbalanced', 'unbalanced'],
      ['NEAR(parser boundary)', 'parser'],
      ['col:term', 'term'],
      ["'); DROP TABLE traces; --", 'table'],
    ];
    for (const [query, word] of sensible) {
      it(`treats ${JSON.stringify(query)} as plain words`, async () => {
        const { results, terms } = await s.p.search({ query });
        expect(terms).toContain(word);
        expect(results.length).toBeGreaterThan(0);
        expect(results.some((r) => r.trace.text.toLowerCase().includes(word))).toBe(true);
      });
    }

    it('keeps working after an SQL-looking query', async () => {
      await s.p.search({ query: "'); DROP TABLE traces; --" });
      expect((await s.p.info()).traces).toBe(2);
      expect(await ids({ query: 'unbalanced' })).toHaveLength(1);
    });

    it('searches stopwords when a query has nothing else', async () => {
      const { terms } = await s.p.search({ query: 'a AND OR NOT' });
      expect(terms).toEqual(['a', 'and', 'or', 'not']);
    });

    for (const query of ['*', '()', '🦠🧠', '', '   ', '!@#$%^&*()'.repeat(400), '-'.repeat(4000)]) {
      it(`returns no results for ${JSON.stringify(query.slice(0, 12))}${query.length > 12 ? ` (${query.length} chars)` : ''}`, async () => {
        const { results, terms } = await s.p.search({ query });
        expect(terms).toEqual([]);
        expect(results).toEqual([]);
      });
    }

    it('refuses a query over 4,000 characters with INVALID_INPUT on query', async () => {
      const e = await refusal(s.p.search({ query: 'a'.repeat(4001) }));
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.field).toBe('query');
    });

    it('refuses an unknown field', async () => {
      const e = await refusal(s.p.search({ query: 'x', sort: 'asc' } as never));
      expect(e.code).toBe('INVALID_INPUT');
    });
  });

  it('matches word forms through stemming', async () => {
    const runs = await put({ text: 'The job runs nightly.' });
    s.clock.advance(7 * HOUR);
    await put({ text: 'The jog is daily.' });
    expect(await ids({ query: 'running' })).toEqual([runs]);
  });

  it('folds diacritics', async () => {
    const cafe = await put({ text: 'Meet at the café.' });
    expect(await ids({ query: 'cafe' })).toEqual([cafe]);
  });

  it('matches tags and places as well as text', async () => {
    const tagged = await put({ text: 'something', tags: ['hippogriff'] });
    expect(await ids({ query: 'hippogriff' })).toEqual([tagged]);
  });
});

describe('sense()', () => {
  it('returns what lies at a place, strongest first', async () => {
    const weak = await put({ text: 'a note', places: ['src/a.ts'] }, agent);
    const strong = await put({ text: 'a decision', kind: 'decision', places: ['src/a.ts'] }, person);
    const middle = await put({ text: 'a warning', kind: 'warning', places: ['src/a.ts'] }, agent);
    await put({ text: 'elsewhere', places: ['src/b.ts'] }, agent);
    const { place, results } = await s.p.sense({ place: './src/a.ts' });
    expect(place).toBe('src/a.ts');
    expect(results.map((r) => r.trace.id)).toEqual([strong, middle, weak]);
    expect(results[0]?.strength).toBeCloseTo(2.25, 12);
    expect(results.every((r) => r.at === 'src/a.ts')).toBe(true);
  });

  it('orders by current strength, so a followed older trace can pass a newer stronger one', async () => {
    const older = await put({ text: 'older', places: ['x.ts'] });
    s.clock.advance(30 * DAY_MS);
    const newer = await put({ text: 'newer', kind: 'decision', places: ['x.ts'] }, person);
    expect((await s.p.sense({ place: 'x.ts' })).results.map((r) => r.trace.id)).toEqual([newer, older]);
    await s.p.follow({ id: older }, agent);
    await s.p.follow({ id: older }, agent);
    expect((await s.p.sense({ place: 'x.ts' })).results.map((r) => r.trace.id)).toEqual([older, newer]);
  });

  it('with parents, includes the file of a section and its folders, saying where each was found', async () => {
    const section = await put({ text: 'section', places: ['docs/essay.md#Entropy'] });
    const file = await put({ text: 'file', places: ['docs/essay.md'] });
    const folder = await put({ text: 'folder', places: ['docs'] });
    await put({ text: 'other section', places: ['docs/essay.md#Intro'] });
    await put({ text: 'other folder', places: ['src'] });

    const exact = await s.p.sense({ place: 'docs/essay.md#Entropy' });
    expect(exact.results.map((r) => r.trace.id)).toEqual([section]);

    const withParents = await s.p.sense({ place: 'docs/essay.md#Entropy', parents: true });
    const at = new Map(withParents.results.map((r) => [r.trace.id, r.at]));
    expect(new Set(at.keys())).toEqual(new Set([section, file, folder]));
    expect(at.get(section)).toBe('docs/essay.md#Entropy');
    expect(at.get(file)).toBe('docs/essay.md');
    expect(at.get(folder)).toBe('docs');
  });

  it('with parents, includes a topic’s parent topics', async () => {
    const sub = await put({ text: 'sub', places: ['topic:physics/entropy'] });
    const top = await put({ text: 'top', places: ['topic:physics'] });
    const { results } = await s.p.sense({ place: 'topic:physics/entropy', parents: true });
    expect(new Set(results.map((r) => r.trace.id))).toEqual(new Set([sub, top]));
  });

  it('leaves out faded traces unless asked, while search still finds them', async () => {
    const faded = await put({ text: 'an ancient axolotl remark', places: ['src/a.ts'] });
    s.clock.advance(4 * DEFAULT_STRENGTH.halfLifeMs); // 1.0 → 0.0625, below the 0.1 floor
    const fresh = await put({ text: 'fresh note', places: ['src/a.ts'] });
    expect((await s.p.sense({ place: 'src/a.ts' })).results.map((r) => r.trace.id)).toEqual([fresh]);
    const all = await s.p.sense({ place: 'src/a.ts', includeFaded: true });
    expect(all.results.map((r) => r.trace.id)).toEqual([fresh, faded]);
    expect(all.results[1]?.strength).toBeCloseTo(0.0625, 12);
    const found = await s.p.search({ query: 'axolotl' });
    expect(found.results.map((r) => r.trace.id)).toEqual([faded]);
    expect(found.results[0]?.parts.strength).toBeCloseTo(0.0625, 12);
  });

  it('keeps a trace just above the floor', async () => {
    const id = await put({ text: 'borderline', places: ['b.ts'] });
    s.clock.advance(3.3 * DEFAULT_STRENGTH.halfLifeMs); // 1.0 → ~0.1015
    expect((await s.p.sense({ place: 'b.ts' })).results.map((r) => r.trace.id)).toEqual([id]);
  });

  it('leaves out archived traces', async () => {
    const id = await put({ text: 'archived', places: ['a.ts'] });
    await s.p.archive({ id, reason: 'old' }, person);
    expect((await s.p.sense({ place: 'a.ts', includeFaded: true })).results).toEqual([]);
  });

  it('refuses a malformed place', async () => {
    const e = await refusal(s.p.sense({ place: 'ftp://x' }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.field).toBe('place');
  });
});
