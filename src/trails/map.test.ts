import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agent, closeTestStore, openTestStore, person, type TestStore } from '../../test/helpers/core.js';
import { placeGroup } from './map.js';

let s: TestStore;
beforeEach(() => {
  s = openTestStore();
});
afterEach(() => closeTestStore(s));

describe('trailMap()', () => {
  it('sums live traces per place and draws authored and emergent trails between places', async () => {
    const a = (await s.p.deposit({ text: 'parser note', places: ['src/parser.ts'] }, agent)).trace;
    await s.p.deposit({ text: 'another parser note', places: ['src/parser.ts', 'topic:parsing'] }, agent);
    const gone = (await s.p.deposit({ text: 'archived note', places: ['docs/old.md'] }, agent)).trace;
    await s.p.archive({ id: gone.id, reason: 'outdated' }, person);
    await s.p.createTrail({ name: 'tour', steps: [{ trace: a.id }, { place: 'README.md' }] }, person);
    await s.p.visit({ place: 'src/lexer.ts' }, agent);
    s.clock.advance(60_000);
    await s.p.visit({ place: 'src/parser.ts' }, agent);
    const map = await s.p.trailMap();
    const byKey = new Map(map.places.map((p) => [p.key, p]));
    expect([...byKey.keys()].sort()).toEqual(['README.md', 'src/lexer.ts', 'src/parser.ts', 'topic:parsing']);
    expect(byKey.get('src/parser.ts')).toMatchObject({ kind: 'file', group: 'src', traces: 2 });
    expect(byKey.get('src/parser.ts')?.strength).toBeCloseTo(2, 3);
    expect(byKey.get('README.md')).toMatchObject({ group: '.', traces: 0, strength: 0 });
    expect(map.edges).toEqual([
      { from: 'src/lexer.ts', to: 'src/parser.ts', kind: 'emergent', strength: 1, count: 1 },
      { from: 'src/parser.ts', to: 'README.md', kind: 'authored', strength: 1, trail: 'tour' },
    ]);
    expect(map.truncated).toBe(false);
    expect((await s.p.trailMap({ traces: 1 })).truncated).toBe(true);
  });
});

describe('placeGroup()', () => {
  it('groups files by folder (two levels at most), URLs by host and topics by first segment', () => {
    expect(placeGroup('src/a.ts')).toBe('src');
    expect(placeGroup('src/a/b/c/d.ts')).toBe('src/a');
    expect(placeGroup('README.md#Intro')).toBe('.');
    expect(placeGroup('https://example.com/a/b')).toBe('example.com');
    expect(placeGroup('topic:physics/entropy')).toBe('topic:physics');
  });
});
