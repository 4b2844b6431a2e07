// `physarum ingest` through the real binary against a real store: every fixture format, provenance, idempotence,
// revisions and archiving, robustness, secrets, the --json summary and exit codes.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IngestSummary } from '../src/ingest/types.js';

const BIN = resolve('dist/cli/main.js');
const FIXTURES = resolve('test/fixtures/ingest');
// The fixture transcript was recorded in this (made-up) project folder; each test project takes its place.
const RECORDED_ROOT = '/home/mira/projects/heatbook';

interface TraceView {
  id: string;
  text: string;
  places: string[];
  tags: string[];
  source: string;
  trust: string;
  status: string;
  createdAt: string;
  meta: Record<string, unknown>;
}
type Summary = Omit<IngestSummary, 'bytes' | 'ms'>;

function run(args: string[], cwd: string) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('PHYSARUM_')) env[k] = v;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...env, PHYSARUM_USER: 'ren' }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: <T>() => JSON.parse(r.stdout) as T };
}

/** A fresh project holding a copy of the fixtures, plus folders ingest must skip. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'physarum-ingest-'));
  cpSync(FIXTURES, dir, { recursive: true });
  const session = join(dir, 'sessions', 'kettle-timer.jsonl');
  writeFileSync(session, readFileSync(session, 'utf8').replaceAll(RECORDED_ROOT, dir));
  for (const skipped of ['node_modules/some-package', '.git']) {
    mkdirSync(join(dir, skipped), { recursive: true });
    writeFileSync(join(dir, skipped, 'README.md'), '# Not ours\n\nThis text must never be ingested: zanzibar.\n');
  }
  return dir;
}

const search = (cwd: string, query: string, extra: string[] = []) => run(['search', query, '--json', '-n', '50', ...extra], cwd).json<{ results: TraceView[] }>().results;
const where = (cwd: string) => {
  const { traces, events } = run(['where', '--json'], cwd).json<{ traces: number; events: number }>();
  return { traces, events };
};

describe('physarum ingest', () => {
  let dir: string;
  let first: ReturnType<typeof run>;
  beforeAll(() => {
    dir = project();
    first = run(['ingest', '.', '--json'], dir);
  });

  it('ingests every fixture, says which format it chose for each file, and exits 0 despite the broken inputs', () => {
    expect(first.code).toBe(0);
    expect(first.stderr).toBe(''); // not a terminal: no progress bar
    const s = first.json<Summary>();
    expect(Object.keys(s).sort()).toEqual(['added', 'archived', 'bytes', 'files', 'formats', 'items', 'ms', 'restored', 'skipped', 'unchanged', 'updated', 'warnings']);
    expect(s.formats).toEqual({
      'chat/interview.txt': 'transcript',
      'chat/terminal-export.txt': 'transcript',
      'feeds/broken.rss': 'rss',
      'feeds/forum.rss': 'rss',
      'feeds/releases.atom': 'atom',
      'feeds/stripped.txt': 'rss',
      'notes/essay.md': 'markdown',
      'notes/ideas/deep/todo.md': 'markdown',
      'notes/ideas/garden.md': 'markdown',
      'sessions/kettle-timer.jsonl': 'claude-code',
      'text/field-notes.txt': 'text',
      'text/invalid-utf8.txt': 'text',
      'text/mojibake.txt': 'text',
      'web/page.html': 'html',
    });
    expect(s).toMatchObject({ files: 14, updated: 0, archived: 0, unchanged: 0 });
    expect(s.added).toBe(s.items);
    expect(s.items).toBeGreaterThan(30);
    // Broken inputs are named with file and line; the rest of each file is still ingested.
    expect(s.skipped).toEqual([
      { file: 'feeds/broken.rss', line: 11, reason: '<item> is never closed; skipped' },
      { file: 'sessions/kettle-timer.jsonl', line: 11, reason: expect.stringMatching(/^not valid JSON/) },
    ]);
    expect(s.warnings).toEqual([
      { file: 'text/invalid-utf8.txt', line: 3, reason: '4 invalid UTF-8 byte sequence(s) replaced with U+FFFD' },
      { file: 'text/mojibake.txt', line: 1, reason: 'mojibake (UTF-8 read as Windows-1252) repaired on 2 line(s)' },
    ]);
    expect(search(dir, 'kites onshore wind')[0]?.source).toBe('ingest:feeds/broken.rss#kite-1');
    expect(search(dir, 'zanzibar')).toEqual([]); // node_modules and .git were skipped
  });

  it('keeps an RSS item’s title, link (its place), author and date, with CDATA and entities decoded', () => {
    const [starter] = search(dir, 'sourdough starter');
    expect(starter).toMatchObject({
      source: 'ingest:feeds/forum.rss#post-1001',
      trust: 'external',
      places: ['https://forum.example.org/posts/sourdough-starters'],
      tags: ['baking', 'Living-Cultures'],
      createdAt: '2026-02-03T09:15:00.000Z',
      meta: { title: 'Why sourdough starters outlive their bakers', author: 'Odile Marchetti', feed: 'Slow Thinking Forum', format: 'rss' },
    });
    expect(starter?.text).toBe(
      'Why sourdough starters outlive their bakers\n\nA starter is a community, not an ingredient. Feed it flour & water and it keeps going for decades.\n\nSome bakeries claim lineages older than their buildings.',
    );
    const [cafe] = search(dir, 'espresso regulars');
    expect(cafe).toMatchObject({ source: 'ingest:feeds/forum.rss#https://forum.example.org/posts/cafe-field-guide', createdAt: '2026-02-11T16:40:00.000Z', meta: { author: 'Ines Albrecht' } });
    expect(cafe?.text).toBe('Café culture – a field guide — part two\n\nRegulars sit by the window; newcomers take the bar. The espresso machine’s hiss sets the tempo.');
  });

  it('reads Atom entries with their link, id and published date', () => {
    const [entry] = search(dir, 'fog horn tide table');
    expect(entry).toMatchObject({
      source: 'ingest:feeds/releases.atom#urn:uuid:release-2-4',
      places: ['https://keeper.example.net/releases/2.4'],
      createdAt: '2026-03-01T10:30:00.000Z',
      tags: ['release'],
      meta: { title: 'Version 2.4 – fog horn scheduling', author: 'Tomasz Wren' },
    });
    expect(search(dir, 'battery reports hourly')[0]?.text).toBe('Version 2.3\n\nLamp rotation speed is configurable per season.\n\nBattery reports arrive hourly.');
  });

  it('splits Markdown at headings: the heading path is the place’s section, frontmatter tags and date carry over', () => {
    const [entropy] = search(dir, 'boltzmann microstates');
    expect(entropy).toMatchObject({
      source: 'ingest:notes/essay.md#Heat and Order > Part One > Entropy',
      places: ['notes/essay.md#Heat and Order > Part One > Entropy'],
      tags: ['thermodynamics', 'essay-draft'],
      createdAt: '2026-01-12T00:00:00.000Z',
      trust: 'external',
    });
    const [shelves] = search(dir, 'alcove brackets');
    expect(shelves).toMatchObject({ places: ['notes/ideas/deep/todo.md#Kitchen shelves'], tags: ['errands', 'house'] });
    expect(shelves?.text).toContain('# this line is a shell comment, not a heading');
    expect(search(dir, 'tomatoes watering')[0]).toMatchObject({ places: ['notes/ideas/garden.md#Watering'], tags: ['gardening', 'soil-health'] });
    // Sections are places. The notes are dated January 2026, so their strength has decayed since: sensing needs --include-faded.
    const sensed = run(['sense', 'notes/essay.md#Heat and Order > Part One > Entropy', '--include-faded', '--json'], dir).json<{ results: TraceView[] }>().results;
    expect(sensed.map((t) => t.id)).toEqual([entropy?.id]);
    const below = search(dir, 'entropy free energy gibbs', ['--place', 'notes/essay.md']);
    expect(below.every((t) => t.source.startsWith('ingest:notes/essay.md#'))).toBe(true);
  });

  it('reads a Claude Code session: turns with their own times, one line per tool call, touched files as places', () => {
    const [prompt] = search(dir, 'kettle timer shows');
    expect(prompt).toMatchObject({
      source: 'ingest:sessions/kettle-timer.jsonl#a0000000-0000-4000-8000-000000000001',
      createdAt: '2026-02-20T10:00:00.000Z',
      meta: { speaker: 'user', sessionId: '7d1c4e2a-5b3f-4a8e-9c61-2f0e8d7b6a15' },
    });
    const reply = search(dir, 'rounding minutes seconds split').find((t) => t.meta['speaker'] === 'assistant' && t.text.includes('→'));
    expect(reply).toMatchObject({ createdAt: '2026-02-20T10:00:05.000Z', places: ['sessions/kettle-timer.jsonl', 'src/timer.ts', '/etc/timezone'] });
    expect(reply?.text).toContain('Read src/timer.ts → ok\nEdit src/timer.ts → ok\nBash npm test -- timer → error: 1 test failed: formats 59.6 seconds as 1:00');
    expect(reply?.text).not.toContain('private scratch reasoning');
    const atFile = run(['sense', 'src/timer.ts', '--include-faded', '--json'], dir).json<{ results: TraceView[] }>().results;
    expect(atFile.map((t) => t.meta['speaker']).sort()).toEqual(['assistant', 'summary']);
  });

  it('keeps an HTML page’s text without scripts, styles or navigation, headings as sections', () => {
    const [uphill] = search(dir, 'windlass spindle');
    expect(uphill).toMatchObject({ places: ['web/page.html#Working a Lock > Going Uphill'], meta: { title: 'Canal Boats & Locks – a beginner\'s page' } });
    for (const boilerplate of ['tracking pixel', 'sponsored rope', 'members login', 'injected', 'privacy policy', 'calendar']) expect(search(dir, boilerplate)).toEqual([]);
  });

  it('splits chat transcripts at turns with the speaker in meta', () => {
    expect(search(dir, 'tobacco relief boat')[0]).toMatchObject({ source: 'ingest:chat/interview.txt#turn-3', meta: { speaker: 'assistant', turn: 3 } });
    expect(search(dir, 'greenhouse sensor midnight')[0]).toMatchObject({ meta: { speaker: 'user' }, text: 'Can you check why the greenhouse sensor reports minus forty degrees at night?\nIt only happens after midnight.' });
  });

  it('repairs mojibake and survives invalid UTF-8', () => {
    const [moji] = search(dir, 'crepe stand quay');
    expect(moji?.text).toBe(
      'The café on the quay was closed — it’s only open on market days.\nWe tried the crêpe stand instead; the owner said “back in five minutes” and meant half an hour.\nPlain ASCII lines stay as they are, and so does a correct é next to a naïve word.',
    );
    expect(search(dir, 'ferry timetable crossing')[0]?.text).toContain('cancelled \ufffd\ufffd because of fog');
  });

  it('adds nothing, not even an event, when the same input is ingested again', () => {
    const before = where(dir);
    const again = run(['ingest', '.', '--json'], dir);
    expect(again.code).toBe(0);
    const s = again.json<Summary>();
    expect(s).toMatchObject({ added: 0, updated: 0, restored: 0, archived: 0 });
    expect(s.unchanged).toBe(s.items);
    expect(where(dir)).toEqual(before);
  });

  it('revises exactly the section that changed and archives the one deleted', () => {
    const project = dir;
    const file = join(project, 'notes', 'essay.md');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('the logarithm keeps the numbers sane.', 'the logarithm keeps the numbers manageable.'));
    const before = where(project);
    const edited = run(['ingest', 'notes', '--json'], project).json<Summary>();
    expect(edited).toMatchObject({ added: 0, updated: 1, archived: 0 });
    const revisions = run(['history', '--type', 'trace.revise', '--json'], project).json<{ events: Array<{ traceId: string; reason: string }> }>().events;
    expect(revisions).toHaveLength(1);
    expect(revisions[0]?.reason).toBe('source changed: notes/essay.md');
    expect(where(project)).toEqual({ traces: before.traces, events: before.events + 1 });
    const [entropy] = search(project, 'boltzmann');
    expect(entropy?.id).toBe(revisions[0]?.traceId);
    expect(entropy?.text).toContain('manageable');

    const [freeEnergy] = search(project, 'battery shelf free energy');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/### Free Energy\n\n[^\n]*\n\n/u, ''));
    const removed = run(['ingest', 'notes', '--json'], project).json<Summary>();
    expect(removed).toMatchObject({ added: 0, updated: 0, archived: 1 });
    const shown = run(['show', freeEnergy?.id ?? '', '--json'], project).json<{ trace: TraceView }>().trace;
    expect(shown.status).toBe('archived');
    expect(search(project, 'battery shelf').map((t) => t.id)).not.toContain(freeEnergy?.id);
    expect(search(project, 'battery shelf', ['--status', 'archived']).map((t) => t.id)).toEqual([freeEnergy?.id]);
  });

  it('redacts secrets in ingested text exactly as deposits do', () => {
    const key = 'AKIA' + 'ZXCVBNMASDFGHJKL';
    writeFileSync(join(dir, 'notes', 'setup.md'), `# Deploy\n\nThe deploy box uses ${key} for uploads.\n`);
    const r = run(['ingest', 'notes/setup.md', '--json'], dir);
    expect(r.code).toBe(0);
    const [t] = search(dir, 'deploy uploads');
    expect(t?.text).toBe('# Deploy\n\nThe deploy box uses [REDACTED:aws_access_key] for uploads.');
    const events = run(['history', t?.id ?? '', '--json'], dir).json<{ events: Array<{ data: { redactions?: unknown } }> }>().events;
    expect(events[0]?.data.redactions).toEqual([{ kind: 'aws_access_key', count: 1 }]);
    expect(readFileSync(join(dir, '.physarum', 'physarum.db')).includes(key)).toBe(false);
  });

  it('prints a readable summary without --json', () => {
    const r = run(['ingest', 'feeds'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ingested 4 files, \d+ items: 0 added, 0 updated, 0 restored, 0 archived, \d+ unchanged/u);
    expect(r.stdout).toContain('feeds/forum.rss: rss');
    expect(r.stdout).toContain('skipped 1:\n  feeds/broken.rss line 11: <item> is never closed; skipped');
  });
});

describe('physarum ingest options', () => {
  it('exits 2 with INVALID_INPUT naming a path that does not exist, before reading anything', () => {
    const dir = project();
    const r = run(['ingest', 'notes', 'no/such/file.md', '--json'], dir);
    expect(r.code).toBe(2);
    const error = (JSON.parse(r.stderr) as { error: { code: string; message: string; field: string } }).error;
    expect(error).toMatchObject({ code: 'INVALID_INPUT', field: 'paths' });
    expect(error.message).toContain('no/such/file.md does not exist');
    expect(where(dir).traces).toBe(0);
  });

  it('refuses an unknown format with exit 2', () => {
    const dir = project();
    expect(run(['ingest', 'notes', '--format', 'docx', '--json'], dir).code).toBe(2);
  });

  it('filters folders with --include and --exclude, and forces a format with --format', () => {
    const dir = project();
    const s = run(['ingest', '.', '--include', '*.md', '--exclude', 'deep', '--json'], dir).json<Summary>();
    expect(Object.keys(s.formats)).toEqual(['notes/essay.md', 'notes/ideas/garden.md']);
    const forced = run(['ingest', 'chat/interview.txt', '--format', 'text', '--json'], dir).json<Summary>();
    expect(forced.formats).toEqual({ 'chat/interview.txt': 'text' });
    expect(search(dir, 'tobacco')[0]?.source).toMatch(/^ingest:chat\/interview\.txt#@[0-9a-f]{10}$/u);
  });

  it('names places under --place-prefix', () => {
    const dir = project();
    run(['ingest', 'notes/ideas', '--place-prefix', 'garden-notes', '--json'], dir);
    expect(search(dir, 'compost heap')[0]).toMatchObject({ source: 'ingest:notes/ideas/garden.md#Compost timing', places: ['garden-notes/garden.md#Compost timing'] });
  });

  it('lets an agent instance ingest with external trust', () => {
    const dir = project();
    expect(run(['ingest', 'chat/interview.txt', '--instance', 'aria-3', '--json'], dir).code).toBe(0);
    expect(search(dir, 'bread')[0]).toMatchObject({ trust: 'external', author: { name: 'aria-3', role: 'agent' } });
  });
});
