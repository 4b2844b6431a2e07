import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agent, closeTestStore, openTestStore, person, type TestStore } from '../../test/helpers/core.js';
import type { IngestProgress } from './types.js';

// Built by concatenation so no scanner mistakes this test for a leak.
const AWS_KEY = 'AKIA' + 'QWERTYUIOPASDFGH';

let s: TestStore;
beforeEach(() => (s = openTestStore()));
afterEach(() => closeTestStore(s));

const write = (rel: string, text: string): string => {
  const path = join(s.dir, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
};
const counts = async () => {
  const info = await s.p.info();
  return { traces: info.traces, events: info.events };
};
const bySource = (prefix: string) => s.p.storage.read((r) => r.tracesBySourcePrefix(prefix));

const ESSAY = `---
tags: [heat]
---
# Heat

## Entropy

Boltzmann counted the ways.

## Free Energy

What can still do work.

## Memory

Ink flows one way.
`;

describe('ingest()', () => {
  it('deposits each section with its provenance: ingest source, external trust, place with section, tags', async () => {
    const path = write('notes/essay.md', ESSAY);
    const summary = await s.p.ingest({ paths: [path] }, person);
    expect(summary).toMatchObject({ files: 1, items: 3, added: 3, updated: 0, archived: 0, unchanged: 0, skipped: [], formats: { 'notes/essay.md': 'markdown' } });
    const traces = await bySource('ingest:notes/essay.md#');
    expect(traces.map((t) => [t.source, t.places, t.trust, t.tags, t.kind])).toEqual([
      ['ingest:notes/essay.md#Heat > Entropy', ['notes/essay.md#Heat > Entropy'], 'external', ['heat'], 'note'],
      ['ingest:notes/essay.md#Heat > Free Energy', ['notes/essay.md#Heat > Free Energy'], 'external', ['heat'], 'note'],
      ['ingest:notes/essay.md#Heat > Memory', ['notes/essay.md#Heat > Memory'], 'external', ['heat'], 'note'],
    ]);
    expect(traces[0]?.author).toEqual(person);
    expect(traces[0]?.meta).toMatchObject({ format: 'markdown', section: 'Heat > Entropy', lines: 'L6-L8', hash: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const found = await s.p.search({ query: 'boltzmann' });
    expect(found.results[0]?.trace.source).toBe('ingest:notes/essay.md#Heat > Entropy');
  });

  it('adds nothing when the input has not changed', async () => {
    const path = write('notes/essay.md', ESSAY);
    await s.p.ingest({ paths: [path] }, person);
    const before = await counts();
    const again = await s.p.ingest({ paths: [path] }, person);
    expect(again).toMatchObject({ items: 3, added: 0, updated: 0, archived: 0, unchanged: 3 });
    expect(await counts()).toEqual(before);
  });

  it('revises the one section that changed, archives the one removed, and restores it when it returns', async () => {
    const path = write('notes/essay.md', ESSAY);
    await s.p.ingest({ paths: [path] }, person);
    const before = await counts();
    write('notes/essay.md', ESSAY.replace('Boltzmann counted the ways.', 'Boltzmann counted the microstates.').replace('## Free Energy\n\nWhat can still do work.\n\n', ''));
    const changed = await s.p.ingest({ paths: [path] }, person);
    expect(changed).toMatchObject({ items: 2, added: 0, updated: 1, archived: 1, unchanged: 1 });
    expect(await counts()).toEqual({ traces: before.traces, events: before.events + 2 });
    const [revise] = await s.p.history({ type: 'trace.revise' });
    expect(revise?.reason).toBe('source changed: notes/essay.md');
    const traces = await bySource('ingest:notes/essay.md#');
    expect(traces.find((t) => t.id === revise?.traceId)?.text).toContain('microstates');
    const gone = traces.find((t) => t.source.endsWith('#Heat > Free Energy'));
    expect(gone?.status).toBe('archived');
    expect((await s.p.history({ id: gone?.id ?? '', type: 'trace.archive' }))[0]?.reason).toBe('no longer in notes/essay.md');

    write('notes/essay.md', ESSAY);
    const back = await s.p.ingest({ paths: [path] }, person);
    expect(back).toMatchObject({ added: 0, restored: 1, updated: 1, archived: 0 });
    expect((await bySource('ingest:notes/essay.md#')).every((t) => t.status === 'live')).toBe(true);
  });

  it('leaves traces a person archived or forgot alone', async () => {
    const path = write('notes/essay.md', ESSAY);
    await s.p.ingest({ paths: [path] }, person);
    const [a, b] = await bySource('ingest:notes/essay.md#');
    await s.p.archive({ id: a?.id ?? '', reason: 'not useful' }, person);
    await s.p.forget({ id: b?.id ?? '', reason: 'private' }, person);
    const before = await counts();
    const again = await s.p.ingest({ paths: [path] }, person);
    expect(again).toMatchObject({ added: 0, restored: 0, updated: 0, unchanged: 3 });
    expect(await counts()).toEqual(before);
  });

  it('retags when the frontmatter tags change', async () => {
    const path = write('notes/essay.md', ESSAY);
    await s.p.ingest({ paths: [path] }, person);
    write('notes/essay.md', ESSAY.replace('tags: [heat]', 'tags: [heat, physics]'));
    const r = await s.p.ingest({ paths: [path] }, person);
    expect(r).toMatchObject({ updated: 3 });
    expect((await bySource('ingest:notes/essay.md#')).map((t) => t.tags)).toEqual([['heat', 'physics'], ['heat', 'physics'], ['heat', 'physics']]);
  });

  it('redacts secrets in text, places, sources and metadata as deposits do', async () => {
    const path = write('notes/keys.md', `# Setup ${AWS_KEY}\n\nexport AWS_ACCESS_KEY_ID=${AWS_KEY}\n`);
    const feed = write(
      'feeds/f.rss',
      `<rss><channel><item><title>Key ${AWS_KEY}</title><guid>${AWS_KEY}</guid><link>https://u:hunter2secret@x.example/p</link><description>body</description></item></channel></rss>`,
    );
    await s.p.ingest({ paths: [path, feed] }, person);
    const all = JSON.stringify([...(await bySource('ingest:notes/keys.md#')), ...(await bySource('ingest:feeds/f.rss#'))]);
    expect(all).not.toContain(AWS_KEY);
    expect(all).not.toContain('hunter2secret');
    expect(all).toContain('[REDACTED:aws_access_key]');
    const [deposit] = await s.p.history({ type: 'trace.deposit' });
    expect(deposit?.data['redactions']).toEqual([{ kind: 'aws_access_key', count: 1 }]);
  });

  it('lets agents ingest, with external trust', async () => {
    const path = write('chat.txt', 'User: hello there\n\nAssistant: general greetings\n');
    const r = await s.p.ingest({ paths: [path] }, agent);
    expect(r.formats).toEqual({ 'chat.txt': 'transcript' });
    const traces = await bySource('ingest:chat.txt#');
    expect(traces.map((t) => [t.trust, t.author.name, t.meta['speaker']])).toEqual([
      ['external', 'aria-1', 'user'],
      ['external', 'aria-1', 'assistant'],
    ]);
  });

  it('names file places with --place-prefix, keeping the source as the real path', async () => {
    const folder = join(s.dir, 'export');
    write('export/deep/page.md', '# Title\n\nSome words.\n');
    await s.p.ingest({ paths: [folder], placePrefix: 'topic:reading' }, person);
    const [t] = await bySource('ingest:export/deep/page.md#');
    expect(t?.places).toEqual(['topic:reading/deep/page.md#title']);
  });

  it('archives the traces of a file removed from an ingested folder', async () => {
    const folder = join(s.dir, 'notes');
    write('notes/a.md', '# A\n\nalpha text\n');
    write('notes/b.md', '# B\n\nbeta text\n');
    await s.p.ingest({ paths: [folder] }, person);
    rmSync(join(folder, 'b.md'));
    const r = await s.p.ingest({ paths: [folder] }, person);
    expect(r).toMatchObject({ archived: 1, unchanged: 1 });
    expect((await bySource('ingest:notes/b.md#'))[0]?.status).toBe('archived');
  });

  it('archives nothing from a file read with problems, and reports them', async () => {
    const path = write('s.jsonl', [
      JSON.stringify({ type: 'user', sessionId: 's', uuid: 'u1', timestamp: '2026-01-01T00:00:00Z', message: { content: 'first' } }),
      JSON.stringify({ type: 'user', sessionId: 's', uuid: 'u2', timestamp: '2026-01-01T00:01:00Z', message: { content: 'second' } }),
    ].join('\n'));
    await s.p.ingest({ paths: [path] }, person);
    write('s.jsonl', [JSON.stringify({ type: 'user', sessionId: 's', uuid: 'u1', timestamp: '2026-01-01T00:00:00Z', message: { content: 'first' } }), '{broken'].join('\n'));
    const r = await s.p.ingest({ paths: [path] }, person);
    expect(r.skipped).toEqual([{ file: 's.jsonl', line: 2, reason: expect.stringMatching(/^not valid JSON/) }]);
    expect(r.archived).toBe(0);
  });

  it('dates items by their own time and reports progress and formats', async () => {
    const feed = write('f.atom', '<feed><entry><id>e1</id><title>Old news</title><updated>2020-05-06T07:08:09Z</updated><content>x</content></entry></feed>');
    const progress: IngestProgress[] = [];
    const formats: string[] = [];
    await s.p.ingest({ paths: [feed], onProgress: (p) => progress.push(p), onFormat: (f, format, why) => formats.push(`${f}: ${format} (${why})`) }, person);
    expect((await bySource('ingest:f.atom#'))[0]?.createdAt).toBe(Date.UTC(2020, 4, 6, 7, 8, 9));
    expect(formats).toEqual(['f.atom: atom (.atom)']);
    expect(progress.at(-1)).toMatchObject({ filesDone: 1, filesTotal: 1, items: 1, bytesDone: progress.at(-1)?.bytesTotal });
  });

  it('starts an old item\'s strength at the time of ingest, so it is briefed and sensed, not born faded', async () => {
    const feed = write('f.atom', '<feed><entry><id>e1</id><title>Kettle descaling</title><link href="https://example.org/kettle"/><updated>2019-01-02T00:00:00Z</updated><content>Citric acid descales the kettle.</content></entry></feed>');
    await s.p.ingest({ paths: [feed] }, person);
    const [trace] = await bySource('ingest:f.atom#');
    expect(trace?.createdAt).toBe(Date.UTC(2019, 0, 2));
    expect(trace?.strengthAt).toBe(s.clock.now());
    const sensed = await s.p.sense({ place: 'https://example.org/kettle' });
    expect(sensed.results.map((r) => r.trace.id)).toEqual([trace?.id]);
  });

  it('reads a feed with its tags stripped as one source item per post, placed at its link and dated', async () => {
    const path = write('dump.txt', readFileSync(join(import.meta.dirname, '../../test/fixtures/ingest/feeds/stripped.txt'), 'utf8'));
    const summary = await s.p.ingest({ paths: [path] }, person);
    expect(summary.formats).toEqual({ 'dump.txt': 'rss' });
    const traces = await bySource('ingest:dump.txt#');
    expect(traces.map((t) => [t.source, t.places, t.createdAt, t.meta['feed']])).toEqual([
      ['ingest:dump.txt#a1B2c3D4e5', ['https://kites.example.com/posts/a1B2c3D4e5/flying-in-sea-wind'], Date.UTC(2026, 2, 3, 9, 30), 'Kite Club'],
      ['ingest:dump.txt#f6G7h8I9j0', ['https://kites.example.com/posts/f6G7h8I9j0/repairing-a-torn-sail'], Date.UTC(2026, 2, 2, 18, 5), 'Kite Club'],
    ]);
    expect(traces[1]?.text).toBe('Repairing a torn sail\n\nRipstop tape holds a tear for a season; stitch it <properly> in winter.\n\nDiscuss');
  });

  it('lists at most 100 problems per file, then a count', async () => {
    const path = write('notes.txt', Array.from({ length: 150 }, (_, i) => `plain line ${i}`).join('\n'));
    const r = await s.p.ingest({ paths: [path], format: 'claude-code' }, person);
    expect(r.skipped).toHaveLength(101);
    expect(r.skipped.at(-1)).toEqual({ file: 'notes.txt', reason: '50 more skipped lines or items not listed' });
  });

  it('refuses an unknown format and a nonexistent path', async () => {
    await expect(s.p.ingest({ paths: [s.dir], format: 'docx' as never }, person)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'format' });
    await expect(s.p.ingest({ paths: [join(s.dir, 'missing')] }, person)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'paths' });
  });
});
