// The real `physarum` binary, one process per command: zero-config discovery, every command's --json shape,
// and the exit codes of the one table (docs/cli.md).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunCliOptions, type RunCliResult, runCli } from './helpers/cli.js';
import { snapshotBin } from './helpers/processes.js';
import { timeFields } from './helpers/times.js';

interface TraceView {
  id: string;
  text: string;
  kind: string;
  places: string[];
  tags: string[];
  author: { name: string; role: string };
  trust: string;
  status: string;
  strength: number;
  follows: number;
  version: number;
  createdAt: string;
}
interface Deposited {
  id: string;
  deduplicated: boolean;
  redactions: Array<{ kind: string; count: number }>;
  trace: TraceView;
}
interface SearchResult extends TraceView {
  score: number;
  parts: { bm25: number; relevance: number; strength: number; strengthBonus: number };
}
interface SenseResult extends TraceView {
  score: number;
  currentStrength: number;
  at: string;
}
interface EventView {
  seq: number;
  id: string;
  type: string;
  traceId: string | null;
  reason: string | null;
  actor: { name: string; role: string };
}
interface Proposal {
  id: string;
  doc: string;
  status: string;
  version: number | null;
  text: string;
}

const ULID_NOT_THERE = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const DAY_MS = 86_400_000;

const temps: string[] = [];
let bin = '';

beforeAll(() => {
  // A private copy of the build: a rebuild in this shared tree cannot swap files under the running tests.
  const dir = mkdtempSync(join(tmpdir(), 'physarum-cli-bin-'));
  temps.push(dir);
  bin = snapshotBin(join(dir, 'build'));
});

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A fresh, empty working directory. */
function fresh(): string {
  const dir = mkdtempSync(join(tmpdir(), 'physarum-cli-'));
  temps.push(dir);
  return dir;
}

function run(args: string[], options: Omit<RunCliOptions, 'bin'>): RunCliResult {
  return runCli(args, { ...options, bin });
}

/** Runs a command that must succeed and returns its --json output. */
function ok<T>(args: string[], options: Omit<RunCliOptions, 'bin'>): T {
  const r = run([...args, '--json'], options);
  if (r.code !== 0) throw new Error(`physarum ${args.join(' ')} exited ${String(r.code)}: ${r.stderr}`);
  return r.json<T>();
}

/** Runs a command that must fail with --json; returns the exit code and the error's code, for one comparison. */
function refused(args: string[], options: Omit<RunCliOptions, 'bin'>): { exit: number | null; code: string; field?: string; message: string } {
  const r = run([...args, '--json'], options);
  const e = r.error();
  return { exit: r.code, code: e.code, message: e.message, ...(e.field !== undefined ? { field: e.field } : {}) };
}

function deposit(cwd: string, text: string, ...extra: string[]): string {
  return ok<Deposited>(['deposit', text, ...extra], { cwd }).id;
}

const headings = (text: string) => text.split('\n').filter((l) => l.startsWith('## '));

/** The body of a briefing's `## title` section, up to the next `## `. */
function section(text: string, title: string): string {
  const start = text.indexOf(`## ${title}\n`);
  if (start < 0) return '';
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

describe('physarum CLI', () => {
  describe('usage', () => {
    it('prints help and the version with exit 0', () => {
      const cwd = fresh();
      const help = run(['--help'], { cwd });
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Usage: physarum');
      expect(help.stdout).toContain('deposit');
      const version = run(['--version'], { cwd });
      expect(version.code).toBe(0);
      expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
      expect(run(['deposit', '--help'], { cwd }).code).toBe(0);
    });

    it('refuses an unknown command with exit 2 and says so on stderr', () => {
      const r = run(['frobnicate'], { cwd: fresh() });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
      expect(r.stdout).toBe('');
    });

    it('refuses a missing required option with exit 2 and names it on stderr', () => {
      const cwd = fresh();
      const r = run(['forget', ULID_NOT_THERE], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/required option.*--reason/);
      expect(run(['identity', 'propose', '--text', 'x', '--reason', 'r'], { cwd }).stderr).toMatch(/--doc/);
    });

    it('reports usage errors without --json in the same form as every other error', () => {
      const cwd = fresh();
      for (const args of [['frobnicate'], ['forget', ULID_NOT_THERE]]) {
        const r = run(args, { cwd });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^physarum: INVALID_INPUT: /u);
      }
    });

    it('reports usage errors with --json as a JSON INVALID_INPUT error and nothing else on stderr', () => {
      const cwd = fresh();
      for (const args of [['frobnicate'], ['forget', ULID_NOT_THERE], ['search', 'x', '--limit', 'many'], ['identity']]) {
        const r = run([...args, '--json'], { cwd });
        expect(r.code).toBe(2);
        expect(r.error().code).toBe('INVALID_INPUT');
      }
    });
  });

  describe('store discovery', () => {
    it('creates .physarum/physarum.db in an empty working directory on first use', () => {
      const cwd = fresh();
      expect(existsSync(join(cwd, '.physarum'))).toBe(false);
      expect(run(['deposit', 'the first trace'], { cwd }).code).toBe(0);
      expect(existsSync(join(cwd, '.physarum', 'physarum.db'))).toBe(true);
    });

    it('uses the nearest .physarum/ from a nested subfolder', () => {
      const cwd = fresh();
      const id = deposit(cwd, 'left in the parent folder');
      const child = join(cwd, 'a', 'b', 'c');
      mkdirSync(child, { recursive: true });
      const found = ok<{ results: SearchResult[] }>(['search', 'parent'], { cwd: child });
      expect(found.results.map((r) => r.id)).toEqual([id]);
      expect(existsSync(join(child, '.physarum'))).toBe(false);
      expect(ok<{ path: string; how: string; root: string }>(['where'], { cwd: child })).toMatchObject({
        path: join(cwd, '.physarum', 'physarum.db'),
        how: 'found',
        root: cwd,
      });
    });

    it('puts the store at the git repository root when there is no .physarum/', () => {
      const cwd = fresh();
      mkdirSync(join(cwd, '.git'));
      const src = join(cwd, 'src', 'deep');
      mkdirSync(src, { recursive: true });
      expect(ok<{ how: string; path: string }>(['where'], { cwd: src })).toMatchObject({ how: 'git-root', path: join(cwd, '.physarum', 'physarum.db') });
      deposit(src, 'at the repository root');
      expect(existsSync(join(cwd, '.physarum', 'physarum.db'))).toBe(true);
      expect(existsSync(join(src, '.physarum'))).toBe(false);
    });

    it('uses the file given by --store, ahead of PHYSARUM_STORE and any .physarum/', () => {
      const cwd = fresh();
      deposit(cwd, 'in the discovered store');
      const env = { PHYSARUM_STORE: join(cwd, 'env.db') };
      expect(ok<{ how: string; path: string }>(['where', '--store', 'flag.db'], { cwd, env })).toMatchObject({ how: 'flag', path: join(cwd, 'flag.db') });
      ok(['deposit', 'chosen by flag', '--store', 'flag.db'], { cwd, env });
      expect(ok<{ results: SearchResult[] }>(['search', 'chosen', '--store', join(cwd, 'flag.db')], { cwd }).results).toHaveLength(1);
      expect(ok<{ results: SearchResult[] }>(['search', 'chosen'], { cwd }).results).toHaveLength(0);
      expect(existsSync(join(cwd, 'env.db'))).toBe(false);
    });

    it('uses PHYSARUM_STORE ahead of any .physarum/', () => {
      const cwd = fresh();
      deposit(cwd, 'in the discovered store');
      const env = { PHYSARUM_STORE: join(cwd, 'elsewhere', 'env.db') };
      expect(ok<{ how: string; path: string }>(['where'], { cwd, env })).toMatchObject({ how: 'env', path: join(cwd, 'elsewhere', 'env.db') });
      ok(['deposit', 'chosen by environment'], { cwd, env });
      expect(ok<{ results: SearchResult[] }>(['search', 'environment'], { cwd, env }).results).toHaveLength(1);
      expect(ok<{ results: SearchResult[] }>(['search', 'environment'], { cwd }).results).toHaveLength(0);
    });

    it('commits with PHYSARUM_DURABILITY=normal, and refuses another value before creating the store', () => {
      const cwd = fresh();
      const id = ok<Deposited>(['deposit', 'written without a disk sync'], { cwd, env: { PHYSARUM_DURABILITY: 'normal' } }).id;
      expect(ok<{ results: SearchResult[] }>(['search', 'sync'], { cwd }).results.map((r) => r.id)).toEqual([id]);
      const elsewhere = fresh();
      expect(refused(['deposit', 'never stored'], { cwd: elsewhere, env: { PHYSARUM_DURABILITY: 'sometimes' } })).toMatchObject({
        exit: 2,
        code: 'INVALID_INPUT',
        field: 'PHYSARUM_DURABILITY',
      });
      expect(existsSync(join(elsewhere, '.physarum'))).toBe(false);
    });

    it('reports with where --json the path, how it was found, and what the store holds', () => {
      const cwd = fresh();
      const first = ok<{ path: string; how: string; root: string; exists: boolean; actor: { name: string; role: string } }>(['where'], { cwd });
      expect(first).toMatchObject({ path: join(cwd, '.physarum', 'physarum.db'), how: 'cwd', root: cwd, exists: false, actor: { name: 'ren', role: 'human' } });
      // Asking where the store is creates nothing.
      expect(existsSync(join(cwd, '.physarum'))).toBe(false);
      expect(run(['where'], { cwd }).stdout).toMatch(/not created yet/u);
      deposit(cwd, 'one trace');
      expect(ok<{ how: string; traces: number; exists: boolean }>(['where'], { cwd })).toMatchObject({ how: 'found', traces: 1, exists: true });
      expect(run(['where'], { cwd }).stdout).toContain(`store: ${join(cwd, '.physarum', 'physarum.db')} (found by found)`);
    });
  });

  describe('init', () => {
    it('reports created true the first time and false the second, keeping the first half-life', () => {
      const cwd = fresh();
      const first = ok<{ store: { created: boolean; path: string; halfLifeMs: number } }>(['init', '--half-life', '10d'], { cwd });
      expect(first.store).toEqual({ created: true, path: join(cwd, '.physarum', 'physarum.db'), halfLifeMs: 10 * DAY_MS });
      const second = ok<{ store: { created: boolean; halfLifeMs: number } }>(['init'], { cwd });
      expect(second.store).toMatchObject({ created: false, halfLifeMs: 10 * DAY_MS });
      expect(run(['init'], { cwd }).stdout).toMatch(/already initialised; nothing changed/);
    });

    it('makes traces fade with the chosen half-life', () => {
      const cwd = fresh();
      ok(['init', '--half-life', '10d'], { cwd });
      const tenDaysAgo = new Date(Date.now() - 10 * DAY_MS).toISOString();
      const old = deposit(cwd, 'noted ten days ago', '--place', 'topic:fading', '--at', tenDaysAgo);
      const now = deposit(cwd, 'noted just now', '--place', 'topic:fading');
      const sensed = ok<{ results: SenseResult[] }>(['sense', 'topic:fading'], { cwd }).results;
      expect(sensed.map((r) => r.id)).toEqual([now, old]);
      const [young, aged] = sensed;
      expect((aged?.currentStrength ?? 0) / (young?.currentStrength ?? 1)).toBeCloseTo(0.5, 3);
    });

    it('writes a first identity document that brief shows', () => {
      const cwd = fresh();
      ok(['init'], { cwd });
      const brief = ok<{ text: string }>(['brief'], { cwd }).text;
      expect(headings(brief)[0]).toBe('## Identity (human-approved)');
      expect(brief).toContain('### how-memory-works (v1, approved by ren)');
      expect(brief).toContain('This project keeps a shared memory in Physarum.');
    });

    it('refuses an unknown half-life with exit 2', () => {
      expect(refused(['init', '--half-life', 'soon'], { cwd: fresh() })).toMatchObject({ exit: 2, code: 'INVALID_INPUT' });
    });
  });

  describe('deposit', () => {
    it('leaves a trace from the arguments with its kind, places and tags, and answers --json with the id', () => {
      const cwd = fresh();
      const r = ok<Deposited>(['deposit', 'Section', '3', 'uses', 'Gibbs', '-k', 'decision', '-p', './src/../lib/a.ts', '--place', 'topic:entropy', '-t', 'terms', '--tag', 'essay'], { cwd });
      expect(r.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(r).toMatchObject({ deduplicated: false, redactions: [] });
      expect(r.trace).toMatchObject({
        id: r.id,
        text: 'Section 3 uses Gibbs',
        kind: 'decision',
        places: ['lib/a.ts', 'topic:entropy'],
        tags: ['terms', 'essay'],
        author: { name: 'ren', role: 'human' },
        trust: 'human',
        status: 'live',
      });
      expect(run(['deposit', 'plain text output'], { cwd }).stdout).toMatch(/^deposited [0-9A-Z]{26}\n$/);
    });

    it('reads the text from stdin when the only argument is -', () => {
      const cwd = fresh();
      const r = ok<Deposited>(['deposit', '-', '--kind', 'warning'], { cwd, input: 'from stdin\nsecond line\n' });
      expect(r.trace).toMatchObject({ text: 'from stdin\nsecond line', kind: 'warning' });
      expect(ok<{ trace: TraceView }>(['show', r.id], { cwd }).trace.text).toBe('from stdin\nsecond line');
    });

    it('reinforces an identical trace at the same place instead of duplicating it', () => {
      const cwd = fresh();
      const a = ok<Deposited>(['deposit', 'Same note', '-p', 'src/a.ts'], { cwd });
      const b = ok<Deposited>(['deposit', 'same   note', '-p', 'src/a.ts'], { cwd });
      expect(b).toMatchObject({ id: a.id, deduplicated: true });
      expect(run(['deposit', 'Same note', '-p', 'src/a.ts'], { cwd }).stdout).toMatch(/^reinforced existing /);
    });

    it('redacts a secret before storing it and reports the redaction', () => {
      const cwd = fresh();
      const key = 'sk-' + 'ant-' + 'api03-' + 'Zq7xVb2Lk9Pw4Rt6Yh3Mn8Jc5Fd1Gs0A';
      const r = ok<Deposited>(['deposit', `the staging key is ${key} for now`], { cwd });
      expect(r.redactions).toEqual([{ kind: 'anthropic_key', count: 1 }]);
      expect(r.trace.text).toBe('the staging key is [REDACTED:anthropic_key] for now');
      expect(ok<{ trace: TraceView }>(['show', r.id], { cwd }).trace.text).not.toContain(key);
      const human = run(['deposit', `another ${key}`], { cwd });
      expect(human.stdout).toContain('redacted 1 anthropic_key');
      expect(human.stdout + human.stderr).not.toContain(key);
      const deposits = ok<{ events: Array<EventView & { data: Record<string, unknown> }> }>(['history', r.id], { cwd }).events;
      expect(JSON.stringify(deposits)).toContain('anthropic_key');
      for (const f of readdirSync(join(cwd, '.physarum'))) expect(readFileSync(join(cwd, '.physarum', f)).includes(key)).toBe(false);
    });

    it('refuses empty text, an unknown kind and an unsupported place with exit 2, naming the field', () => {
      const cwd = fresh();
      expect(refused(['deposit', '   '], { cwd })).toMatchObject({ exit: 2, code: 'INVALID_INPUT', field: 'text' });
      expect(refused(['deposit', '-'], { cwd, input: '' })).toMatchObject({ exit: 2, code: 'INVALID_INPUT', field: 'text' });
      expect(refused(['deposit', 'x', '--kind', 'rumour'], { cwd })).toMatchObject({ exit: 2, code: 'INVALID_INPUT', field: 'kind' });
      const place = refused(['deposit', 'x', '--place', 'ftp://x'], { cwd });
      expect(place).toMatchObject({ exit: 2, code: 'INVALID_INPUT' });
      expect(place.message).toMatch(/ftp/);
      expect(ok<{ traces: number }>(['where'], { cwd }).traces).toBe(0);
    });
  });

  describe('sense', () => {
    it('lists the traces at a place strongest first as {"place", "results": [{"id", "text", "score", …}]}', () => {
      const cwd = fresh();
      const weak = deposit(cwd, 'a passing note', '-p', 'src/parse.ts');
      const strong = deposit(cwd, 'the parser drops byte order marks', '-p', 'src/parse.ts', '-k', 'warning');
      deposit(cwd, 'somewhere else entirely', '-p', 'src/other.ts');
      const r = ok<{ place: string; results: SenseResult[] }>(['sense', './src/parse.ts'], { cwd });
      expect(r.place).toBe('src/parse.ts');
      expect(r.results.map((x) => x.id)).toEqual([strong, weak]);
      expect(r.results[0]).toMatchObject({ id: strong, text: 'the parser drops byte order marks', kind: 'warning', at: 'src/parse.ts' });
      expect(typeof r.results[0]?.score).toBe('number');
      expect(r.results[0]?.score).toBeGreaterThan(r.results[1]?.score ?? Infinity);
      expect(ok<{ results: SenseResult[] }>(['sense', 'src/parse.ts', '--limit', '1'], { cwd }).results.map((x) => x.id)).toEqual([strong]);
    });

    it('adds the traces at parent places with --parents', () => {
      const cwd = fresh();
      const folder = deposit(cwd, 'everything in src is generated', '-p', 'src');
      const file = deposit(cwd, 'the entry point', '-p', 'src/main.ts');
      expect(ok<{ results: SenseResult[] }>(['sense', 'src/main.ts'], { cwd }).results.map((x) => x.id)).toEqual([file]);
      expect(ok<{ results: SenseResult[] }>(['sense', 'src/main.ts', '--parents'], { cwd }).results.map((x) => x.id).sort()).toEqual([file, folder].sort());
    });

    it('says so when nothing was left at a place', () => {
      const r = run(['sense', 'src/empty.ts'], { cwd: fresh() });
      expect([r.code, r.stdout]).toEqual([0, 'no traces at src/empty.ts\n']);
    });
  });

  describe('search', () => {
    it('returns {"terms", "results": [{"id", "text", "score", "parts"}]}', () => {
      const cwd = fresh();
      const id = deposit(cwd, 'Gibbs entropy is the definition we use', '-p', 'essay/draft.md');
      const r = ok<{ terms: string[]; results: SearchResult[] }>(['search', 'gibbs', 'entropy'], { cwd });
      expect(r.terms.length).toBeGreaterThan(0);
      expect(r.results).toHaveLength(1);
      const [hit] = r.results;
      expect(hit).toMatchObject({ id, text: 'Gibbs entropy is the definition we use' });
      expect(typeof hit?.score).toBe('number');
      for (const part of ['bm25', 'relevance', 'strength', 'strengthBonus'] as const) expect(typeof hit?.parts[part]).toBe('number');
      expect(run(['search', 'gibbs'], { cwd }).stdout).toMatch(/score \d+\.\d+ \(relevance/);
    });

    it('filters by kind, tag, place, age and count', () => {
      const cwd = fresh();
      const old = new Date(Date.now() - 3 * DAY_MS).toISOString();
      const decision = deposit(cwd, 'parser decision: keep the tokenizer', '-k', 'decision', '-p', 'src/parser/a.ts', '-t', 'design', '-t', 'parser', '--at', old);
      const warning = deposit(cwd, 'parser warning: the tokenizer is slow', '-k', 'warning', '-p', 'src/parser/b.ts', '-t', 'parser');
      const note = deposit(cwd, 'parser note: the docs mention the tokenizer', '-p', 'docs/parser.md');
      const ids = (...args: string[]) => ok<{ results: SearchResult[] }>(['search', 'tokenizer', ...args], { cwd }).results.map((r) => r.id).sort();
      expect(ids()).toEqual([decision, warning, note].sort());
      expect(ids('--kind', 'decision')).toEqual([decision]);
      expect(ids('-k', 'decision', '-k', 'warning')).toEqual([decision, warning].sort());
      expect(ids('--tag', 'parser')).toEqual([decision, warning].sort());
      expect(ids('-t', 'parser', '-t', 'design')).toEqual([decision]);
      expect(ids('--place', 'src/parser')).toEqual([decision, warning].sort());
      expect(ids('--since', '1d')).toEqual([warning, note].sort());
      expect(ids('--limit', '2')).toHaveLength(2);
      expect(ids('-n', '1')).toHaveLength(1);
    });

    it('says so when nothing matches', () => {
      const r = run(['search', 'nothing'], { cwd: fresh() });
      expect([r.code, r.stdout]).toEqual([0, 'no matches\n']);
    });
  });

  describe('follow', () => {
    it('reinforces a trace', () => {
      const cwd = fresh();
      const d = ok<Deposited>(['deposit', 'a helpful note'], { cwd });
      const followed = ok<TraceView>(['follow', d.id], { cwd });
      expect(followed.follows).toBe(1);
      expect(followed.strength).toBeGreaterThan(d.trace.strength);
      expect(run(['follow', d.id], { cwd }).stdout).toMatch(new RegExp(`^followed ${d.id}: strength \\d+\\.\\d\\d, 2 follows`));
    });
  });

  describe('annotate', () => {
    it('endorses a trace, which show lists and which reinforces it', () => {
      const cwd = fresh();
      const d = ok<Deposited>(['deposit', 'the cache is per process'], { cwd });
      const r = ok<{ annotation: { id: string; stance: string; text: string; traceId: string }; trace: TraceView }>(
        ['annotate', d.id, 'confirmed', 'in', 'production', '--stance', 'endorse'],
        { cwd },
      );
      expect(r.annotation).toMatchObject({ stance: 'endorse', text: 'confirmed in production', traceId: d.id });
      expect(r.trace.strength).toBeGreaterThan(d.trace.strength);
      const shown = ok<{ trace: TraceView; annotations: Array<{ stance: string; text: string }> }>(['show', d.id], { cwd });
      expect(shown.annotations).toEqual([expect.objectContaining({ stance: 'endorse', text: 'confirmed in production' })]);
      expect(run(['show', d.id], { cwd }).stdout).toContain('endorse by ren: confirmed in production');
    });

    it('refuses an unknown stance with exit 2', () => {
      const cwd = fresh();
      const id = deposit(cwd, 'x marks the spot');
      expect(refused(['annotate', id, 'hm', '-s', 'love'], { cwd })).toMatchObject({ exit: 2, code: 'INVALID_INPUT', field: 'stance' });
    });
  });

  describe('retag', () => {
    it('adds a tag with a reason and bumps the version', () => {
      const cwd = fresh();
      const id = deposit(cwd, 'tag me', '-t', 'old');
      const t = ok<TraceView>(['retag', id, '--add', 'x', '--remove', 'old', '--add-place', 'topic:tags', '--reason', 'r'], { cwd });
      expect(t).toMatchObject({ id, tags: ['x'], places: ['topic:tags'], version: 2 });
      const [latest] = ok<{ events: EventView[] }>(['history', id], { cwd }).events;
      expect(latest).toMatchObject({ type: 'trace.retag', reason: 'r' });
    });

    it('refuses a stale --expected-version with CONFLICT (exit 4) and a missing --reason with exit 2', () => {
      const cwd = fresh();
      const id = deposit(cwd, 'versioned');
      ok(['retag', id, '--add', 'a', '--reason', 'first'], { cwd });
      expect(refused(['retag', id, '--add', 'b', '--reason', 'second', '--expected-version', '1'], { cwd })).toMatchObject({ exit: 4, code: 'CONFLICT' });
      expect(run(['retag', id, '--add', 'b'], { cwd }).code).toBe(2);
    });
  });

  describe('archive, restore and forget', () => {
    it('archives a trace out of default search and restores it', () => {
      const cwd = fresh();
      const id = deposit(cwd, 'temporarily irrelevant');
      expect(ok<TraceView>(['archive', id, '--reason', 'out of date'], { cwd }).status).toBe('archived');
      expect(ok<{ results: SearchResult[] }>(['search', 'irrelevant'], { cwd }).results).toEqual([]);
      expect(ok<{ results: SearchResult[] }>(['search', 'irrelevant', '--status', 'archived'], { cwd }).results.map((r) => r.id)).toEqual([id]);
      expect(run(['restore', id, '--reason', 'relevant again'], { cwd }).stdout).toBe(`${id} is live\n`);
      expect(ok<{ results: SearchResult[] }>(['search', 'irrelevant'], { cwd }).results.map((r) => r.id)).toEqual([id]);
    });

    it('forgets a trace: the text is gone from search, show and the store files, and the reason stays', () => {
      const cwd = fresh();
      const secretish = 'xylophonist' + 'quagmire';
      const id = deposit(cwd, `the ${secretish} was a mistake`);
      const forgotten = ok<TraceView>(['forget', id, '--reason', 'pasted by mistake'], { cwd });
      expect(forgotten.status).toBe('forgotten');
      expect(forgotten.text).not.toContain(secretish);
      expect(ok<{ trace: TraceView }>(['show', id], { cwd }).trace.text).not.toContain(secretish);
      expect(ok<{ results: SearchResult[] }>(['search', secretish, '--status', 'forgotten'], { cwd }).results).toEqual([]);
      const [latest] = ok<{ events: EventView[] }>(['history', id], { cwd }).events;
      expect(latest).toMatchObject({ type: 'trace.forget', reason: 'pasted by mistake' });
      for (const f of readdirSync(join(cwd, '.physarum'))) expect(readFileSync(join(cwd, '.physarum', f)).includes(secretish)).toBe(false);
    });

    it('requires --reason for archive, restore and forget (exit 2)', () => {
      const cwd = fresh();
      const id = deposit(cwd, 'needs a reason');
      for (const verb of ['archive', 'restore', 'forget']) {
        const r = run([verb, id], { cwd });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/--reason/);
      }
      expect(ok<{ trace: TraceView }>(['show', id], { cwd }).trace.status).toBe('live');
    });
  });

  describe('show', () => {
    it('shows one trace with its version, trust and source', () => {
      const cwd = fresh();
      const id = deposit(cwd, 'look at me', '-p', 'src/a.ts', '-t', 'x');
      const shown = ok<{ trace: TraceView; annotations: unknown[] }>(['show', id], { cwd });
      expect(shown).toMatchObject({ trace: { id, text: 'look at me', places: ['src/a.ts'], tags: ['x'] }, annotations: [] });
      const text = run(['show', id], { cwd }).stdout;
      expect(text).toContain(`${id} note · src/a.ts · #x · ren`);
      expect(text).toContain('v1 · trust human · source human');
      expect(text).toContain('    look at me');
    });
  });

  describe('history', () => {
    it('shows the events of one trace, newest first, in text and JSON', () => {
      const cwd = fresh();
      const id = deposit(cwd, 'a trace with a past');
      const other = deposit(cwd, 'an unrelated trace');
      ok(['follow', id], { cwd });
      ok(['retag', id, '--add', 'x', '--reason', 'sorting'], { cwd });
      ok(['archive', id, '--reason', 'done'], { cwd });
      const events = ok<{ events: EventView[] }>(['history', id], { cwd }).events;
      expect(events.map((e) => e.type)).toEqual(['trace.archive', 'trace.retag', 'trace.follow', 'trace.deposit']);
      expect(events.every((e) => e.traceId === id && e.actor.name === 'ren' && e.actor.role === 'human')).toBe(true);
      expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => b - a));
      const text = run(['history', id], { cwd }).stdout.trim().split('\n');
      expect(text).toHaveLength(4);
      expect(text[0]).toMatch(/trace\.archive .* by ren \(human\) · why: done · event /);
      expect(text[3]).toMatch(/trace\.deposit/);
      const all = ok<{ events: EventView[] }>(['history'], { cwd }).events;
      expect(all).toHaveLength(5);
      expect(all.some((e) => e.traceId === other)).toBe(true);
      expect(ok<{ events: EventView[] }>(['history', '--type', 'trace.retag'], { cwd }).events.map((e) => e.traceId)).toEqual([id]);
      expect(ok<{ events: EventView[] }>(['history', '-n', '2'], { cwd }).events).toHaveLength(2);
    });
  });

  describe('revert', () => {
    it('undoes a retag and an archive, logging the revert', () => {
      const cwd = fresh();
      const id = deposit(cwd, 'revert me');
      ok(['retag', id, '--add', 'draft', '--reason', 'sorting'], { cwd });
      const [retag] = ok<{ events: EventView[] }>(['history', id], { cwd }).events;
      const r = ok<{ trace: TraceView; event: EventView }>(['revert', retag?.id ?? '', '--reason', 'r'], { cwd });
      expect(r.trace.tags).toEqual([]);
      expect(r.event.reason).toBe('r');
      ok(['archive', id, '--reason', 'tidy'], { cwd });
      const [archive] = ok<{ events: EventView[] }>(['history', id, '--type', 'trace.archive'], { cwd }).events;
      expect(ok<{ trace: TraceView }>(['revert', archive?.id ?? '', '--reason', 'still needed'], { cwd }).trace.status).toBe('live');
    });

    it('refuses a forget (CONFLICT, exit 4), an agent (FORBIDDEN, exit 5) and a missing reason (exit 2)', () => {
      const cwd = fresh();
      const id = deposit(cwd, 'cannot come back');
      const [deposited] = ok<{ events: EventView[] }>(['history', id], { cwd }).events;
      expect(refused(['revert', deposited?.id ?? '', '--reason', 'r', '--instance', 'aria-1'], { cwd })).toMatchObject({ exit: 5, code: 'FORBIDDEN' });
      expect(run(['revert', deposited?.id ?? ''], { cwd }).code).toBe(2);
      ok(['forget', id, '--reason', 'gone'], { cwd });
      const [forget] = ok<{ events: EventView[] }>(['history', id], { cwd }).events;
      expect(refused(['revert', forget?.id ?? '', '--reason', 'r'], { cwd })).toMatchObject({ exit: 4, code: 'CONFLICT' });
    });
  });

  describe('identity', () => {
    const propose = (cwd: string, doc: string, text: string, ...extra: string[]) =>
      ok<Proposal>(['identity', 'propose', '--doc', doc, '--text', text, '--reason', 'first draft', ...extra], { cwd });

    it('lists a proposal as pending, and once approved the briefing starts with it', () => {
      const cwd = fresh();
      const p = propose(cwd, 'who-we-are', 'We are writing an essay on entropy.');
      expect(p).toMatchObject({ doc: 'who-we-are', status: 'proposed', version: null });
      const shown = ok<{ current: Proposal[]; pending: Proposal[] }>(['identity', 'show'], { cwd });
      expect(shown.current).toEqual([]);
      expect(shown.pending.map((x) => x.id)).toEqual([p.id]);
      expect(ok<{ pending: Proposal[] }>(['identity', 'show', '--pending'], { cwd }).pending.map((x) => x.id)).toEqual([p.id]);
      const approved = ok<Proposal>(['identity', 'approve', p.id], { cwd });
      expect(approved).toMatchObject({ id: p.id, status: 'approved', version: 1 });
      expect(ok<{ current: Proposal[]; pending: Proposal[] }>(['identity', 'show'], { cwd })).toMatchObject({ current: [{ doc: 'who-we-are' }], pending: [] });
      const brief = ok<{ text: string }>(['brief'], { cwd }).text;
      const lines = brief.split('\n').filter((l) => l.startsWith('#'));
      expect(lines.slice(1, 3)).toEqual(['## Identity (human-approved)', '### who-we-are (v1, approved by ren)']);
      expect(section(brief, 'Identity (human-approved)')).toContain('We are writing an essay on entropy.');
    });

    it('rejects a proposal, which leaves the identity unchanged', () => {
      const cwd = fresh();
      const p = propose(cwd, 'style', 'Write in short sentences.');
      expect(ok<Proposal>(['identity', 'reject', p.id, '--note', 'not now'], { cwd })).toMatchObject({ id: p.id, status: 'rejected' });
      expect(ok<{ current: Proposal[]; pending: Proposal[] }>(['identity', 'show'], { cwd })).toEqual({ current: [], pending: [] });
      expect(ok<{ text: string }>(['brief'], { cwd }).text).not.toContain('Write in short sentences.');
    });

    it('refuses to decide a proposal twice with CONFLICT (exit 4)', () => {
      const cwd = fresh();
      const p = propose(cwd, 'who-we-are', 'We are.');
      ok(['identity', 'approve', p.id], { cwd });
      expect(refused(['identity', 'approve', p.id], { cwd })).toMatchObject({ exit: 4, code: 'CONFLICT' });
      expect(refused(['identity', 'reject', p.id], { cwd })).toMatchObject({ exit: 4, code: 'CONFLICT' });
    });

    it('lets an agent propose but not approve (FORBIDDEN, exit 5)', () => {
      const cwd = fresh();
      const p = propose(cwd, 'who-we-are', 'Proposed by an agent.', '--instance', 'aria-1');
      expect(refused(['identity', 'approve', p.id, '--instance', 'aria-1'], { cwd })).toMatchObject({ exit: 5, code: 'FORBIDDEN' });
      expect(refused(['identity', 'reject', p.id, '--instance', 'aria-1'], { cwd })).toMatchObject({ exit: 5, code: 'FORBIDDEN' });
      expect(ok<{ pending: Proposal[] }>(['identity', 'show'], { cwd }).pending.map((x) => x.id)).toEqual([p.id]);
    });

    it('reads the proposed text from --file', () => {
      const cwd = fresh();
      writeFileSync(join(cwd, 'doc.md'), 'From a file.\n');
      expect(ok<Proposal>(['identity', 'propose', '--doc', 'who-we-are', '--file', 'doc.md', '--reason', 'r'], { cwd }).text).toMatch(/^From a file\./);
    });

    it('refuses a --file it cannot read, or --file with --text, with exit 2 naming the file, proposing nothing', () => {
      const cwd = fresh();
      writeFileSync(join(cwd, 'doc.md'), 'From a file.\n');
      const missing = refused(['identity', 'propose', '--doc', 'who-we-are', '--file', 'nope.md', '--reason', 'r'], { cwd });
      expect(missing).toMatchObject({ exit: 2, code: 'INVALID_INPUT', field: 'file' });
      expect(missing.message).toMatch(/cannot read "nope\.md" \(no such file\)/u);
      const both = refused(['identity', 'propose', '--doc', 'who-we-are', '--file', 'doc.md', '--text', 'inline', '--reason', 'r'], { cwd });
      expect(both).toMatchObject({ exit: 2, code: 'INVALID_INPUT', field: 'file' });
      expect(ok<{ pending: Proposal[] }>(['identity', 'show', '--pending'], { cwd }).pending).toEqual([]);
    });
  });

  describe('trail', () => {
    it('creates a trail of a trace and a place, shows it and lists it', () => {
      const cwd = fresh();
      const id = deposit(cwd, 'read the parser before anything else');
      const created = ok<{ name: string; steps: unknown[] }>(['trail', 'create', 'start-here', id, 'src/a.ts', '-d', 'read first'], { cwd });
      expect(created).toMatchObject({ name: 'start-here', steps: [{ traceId: id, place: null }, { traceId: null, place: 'src/a.ts' }] });
      const shown = ok<{ name: string; description: string; steps: Array<{ traceId: string | null; place: string | null }>; traces: Record<string, { text: string }> }>(
        ['trail', 'show', 'start-here'],
        { cwd },
      );
      expect(shown).toMatchObject({ name: 'start-here', description: 'read first', steps: [{ traceId: id }, { place: 'src/a.ts' }] });
      expect(shown.traces[id]?.text).toBe('read the parser before anything else');
      expect(run(['trail', 'show', 'start-here'], { cwd }).stdout).toBe(`start-here: read first\n1. ${id} note: read the parser before anything else\n2. src/a.ts\n`);
      expect(ok<{ trails: Array<{ name: string }> }>(['trail', 'list'], { cwd }).trails.map((t) => t.name)).toEqual(['start-here']);
      expect(run(['trail', 'list'], { cwd }).stdout).toBe('start-here (2 steps): read first\n');
    });

    it('answers NOT_FOUND (exit 3) for an unknown trail or a step naming a missing trace', () => {
      const cwd = fresh();
      expect(refused(['trail', 'show', 'nowhere'], { cwd })).toMatchObject({ exit: 3, code: 'NOT_FOUND' });
      expect(refused(['trail', 'create', 'broken', ULID_NOT_THERE], { cwd })).toMatchObject({ exit: 3, code: 'NOT_FOUND' });
      expect(run(['trail', 'list'], { cwd }).stdout).toBe('no trails\n');
    });
  });

  describe('board', () => {
    it('refuses a claim held by someone else with CONFLICT (exit 4) naming the holder, until it is released', () => {
      const cwd = fresh();
      expect(run(['claim', 'src/a.ts', '--as', 'ren'], { cwd }).stdout).toMatch(/^claimed src\/a\.ts until /);
      const taken = run(['claim', 'src/a.ts', '--instance', 'other'], { cwd });
      expect(taken.code).toBe(4);
      expect(taken.stderr).toMatch(/claimed by ren/);
      const json = run(['claim', 'src/a.ts', '--instance', 'other', '--json'], { cwd });
      expect(json.code).toBe(4);
      expect(json.error()).toMatchObject({ code: 'CONFLICT', details: { holder: 'ren', target: 'src/a.ts' } });
      expect(ok<{ target: string }>(['release', 'src/a.ts', '--as', 'ren'], { cwd }).target).toBe('src/a.ts');
      expect(ok<{ claim: { holder: string } }>(['claim', 'src/a.ts', '--instance', 'other'], { cwd }).claim.holder).toBe('other');
      expect(refused(['release', 'src/b.ts'], { cwd })).toMatchObject({ exit: 3, code: 'NOT_FOUND' });
    });

    it('delivers a message once to the instance it is for', () => {
      const cwd = fresh();
      expect(ok<{ to: string; text: string }>(['message', 'hello', 'there', '--to', 'aria-1'], { cwd })).toMatchObject({ to: 'aria-1', text: 'hello there' });
      expect(ok<{ messages: unknown[] }>(['messages', '--instance', 'aria-2'], { cwd }).messages).toEqual([]);
      const first = run(['messages', '--instance', 'aria-1'], { cwd });
      expect(first.stdout).toBe('ren → aria-1: hello there\n');
      expect(ok<{ messages: unknown[] }>(['messages', '--instance', 'aria-1'], { cwd }).messages).toEqual([]);
      expect(run(['messages', '--instance', 'aria-1'], { cwd }).stdout).toBe('no unread messages\n');
      expect(ok<{ messages: Array<{ text: string }> }>(['messages', '--all', '--instance', 'aria-1'], { cwd }).messages.map((m) => m.text)).toEqual(['hello there']);
    });

    it('shows check-ins, claims, messages and handoffs on the board, and the next briefing leads with the handoff', () => {
      const cwd = fresh();
      ok(['init'], { cwd });
      const checkin = ok<{ id: string; trace: TraceView }>(['checkin', '--done', 'x', '--next', 'y', '-p', 'src/a.ts', '--instance', 'aria-1'], { cwd });
      expect(checkin.trace).toMatchObject({ text: 'Done: x\nNext: y', places: ['src/a.ts'], author: { name: 'aria-1', role: 'agent' } });
      ok(['claim', 'src/b.ts', '--instance', 'aria-3', '--note', 'refactoring'], { cwd });
      ok(['message', 'hello', '--to', 'aria-1'], { cwd });
      const handoff = ok<{ instance: string; summary: string; openThreads: string[] }>(['handoff', 'summary', 'of', 'the', 'parser', 'work', '--instance', 'aria-1', '--open', 'thread'], { cwd });
      expect(handoff).toMatchObject({ instance: 'aria-1', summary: 'summary of the parser work', openThreads: ['thread'] });
      const board = ok<{
        instances: Array<{ name: string; status: string; places: string[]; lastCheckIn: string | null }>;
        claims: Array<{ target: string; holder: string; note: string | null }>;
        messages: Array<{ to: string | null; text: string; from: { name: string } }>;
        handoffs: Array<{ instance: string; summary: string; openThreads: string[] }>;
      }>(['board'], { cwd });
      expect(board.instances).toContainEqual(expect.objectContaining({ name: 'aria-1', status: 'ended', places: ['src/a.ts'], lastCheckIn: 'Done: x\nNext: y' }));
      expect(board.claims).toEqual([expect.objectContaining({ target: 'src/b.ts', holder: 'aria-3', note: 'refactoring' })]);
      expect(board.messages).toEqual([expect.objectContaining({ to: 'aria-1', text: 'hello', from: expect.objectContaining({ name: 'ren' }) })]);
      expect(board.handoffs).toEqual([expect.objectContaining({ instance: 'aria-1', summary: 'summary of the parser work', openThreads: ['thread'] })]);
      const text = run(['board'], { cwd }).stdout;
      expect(text).toMatch(/Claims:\n {2}src\/b\.ts · aria-3 · \d+m left · refactoring/);
      expect(text).toContain('Handoffs:\n  aria-1 · ');

      const brief = ok<{ text: string }>(['brief', '--instance', 'aria-2'], { cwd }).text;
      expect(headings(brief).slice(0, 2)).toEqual(['## Identity (human-approved)', '## Latest handoffs']);
      const handoffs = brief.slice(brief.indexOf('## Latest handoffs'));
      expect(handoffs).toContain('from aria-1');
      expect(handoffs).toContain('summary of the parser work');
      expect(handoffs).toContain('thread');
    });

    it('gives every time in its JSON as an ISO string: board, claims, messages, handoffs, identity, trails, routes, annotations', () => {
      const cwd = fresh();
      ok(['init'], { cwd });
      const d = ok<{ id: string }>(['deposit', 'times are ISO on every door', '-p', 'src/a.ts'], { cwd });
      const outputs: Record<string, unknown> = {
        claim: ok(['claim', 'src/b.ts', '--instance', 'aria-3'], { cwd }),
        message: ok(['message', 'hello', '--to', 'aria-1'], { cwd }),
        messages: ok(['messages', '--instance', 'aria-1', '--peek'], { cwd }),
        handoff: ok(['handoff', 'wrapped up', '--instance', 'aria-1', '--keep-going'], { cwd }),
        board: ok(['board'], { cwd }),
        release: ok(['release', 'src/b.ts', '--instance', 'aria-3'], { cwd }),
        annotate: ok(['annotate', d.id, 'seen it', '--stance', 'endorse'], { cwd }),
        show: ok(['show', d.id], { cwd }),
        propose: ok(['identity', 'propose', '-d', 'who-we-are', '--text', 'We keep times readable.', '-r', 'times'], { cwd }),
        approve: ok(['identity', 'approve', ok<{ id: string }>(['identity', 'propose', '-d', 'how-we-work', '--text', 'Small traces.', '-r', 'times'], { cwd }).id], { cwd }),
        identity: ok(['identity', 'show'], { cwd }),
        trailCreate: ok(['trail', 'create', 'start-here', d.id, 'src/a.ts'], { cwd }),
        trailShow: ok(['trail', 'show', 'start-here'], { cwd }),
        trailList: ok(['trail', 'list'], { cwd }),
        // The second visit makes a route from the first place, with its times.
        visit: (ok(['visit', 'src/a.ts', '--instance', 'aria-2'], { cwd }), ok(['visit', 'src/b.ts', '--instance', 'aria-2'], { cwd })),
        emergent: ok(['trail', 'emergent'], { cwd }),
      };
      for (const [name, out] of Object.entries(outputs)) {
        const { bad, seen } = timeFields(out);
        expect(bad, name).toEqual([]);
        expect(seen, `${name} has time fields`).toBeGreaterThan(0);
      }
      // Each list held something, so its items' times were checked too.
      const board = outputs['board'] as Record<'instances' | 'claims' | 'messages' | 'handoffs', unknown[]>;
      for (const list of ['instances', 'claims', 'messages', 'handoffs'] as const) expect(board[list].length, list).toBeGreaterThan(0);
      const identity = outputs['identity'] as { current: Array<{ doc: string; decidedAt: string | null }> };
      expect(identity.current).toContainEqual(expect.objectContaining({ doc: 'how-we-work', decidedAt: expect.any(String) }));
    });

    it('ends the instance and releases its claims with a handoff, unless --keep-going', () => {
      const cwd = fresh();
      ok(['claim', 'src/a.ts', '--instance', 'aria-1'], { cwd });
      ok(['handoff', 'still here', '--keep-going', '--instance', 'aria-1'], { cwd });
      expect(ok<{ claims: Array<{ holder: string }> }>(['board'], { cwd }).claims.map((c) => c.holder)).toEqual(['aria-1']);
      ok(['handoff', 'done now', '--instance', 'aria-1'], { cwd });
      const board = ok<{ claims: unknown[]; instances: Array<{ name: string; status: string }> }>(['board'], { cwd });
      expect(board.claims).toEqual([]);
      expect(board.instances).toContainEqual(expect.objectContaining({ name: 'aria-1', status: 'ended' }));
    });

    it('refuses a claim of neither a place nor a task with exit 2', () => {
      expect(refused(['claim', '--instance', 'aria-1'], { cwd: fresh() })).toMatchObject({ exit: 2, code: 'INVALID_INPUT' });
    });
  });

  describe('brief', () => {
    it('fits the light weight and an explicit budget, and lists the trace ids it used', () => {
      const cwd = fresh();
      ok(['init'], { cwd });
      const id = deposit(cwd, 'the strongest warning about the parser', '-k', 'warning');
      const light = ok<{ text: string; tokens: number; budget: number; traceIds: string[] }>(['brief', '--weight', 'light'], { cwd });
      expect(light.tokens).toBeLessThanOrEqual(light.budget);
      expect(light.budget).toBeLessThanOrEqual(1000);
      expect(light.traceIds).toContain(id);
      expect(ok<{ budget: number }>(['brief', '--budget', '500'], { cwd }).budget).toBe(500);
      expect(refused(['brief', '--weight', 'heavy'], { cwd })).toMatchObject({ exit: 2, code: 'INVALID_INPUT', field: 'weight' });
    });
  });

  describe('exit codes', () => {
    it('maps each error class to its code from the table, with {"error": {"code"}} on stderr', () => {
      const cwd = fresh();
      expect(refused(['deposit', ''], { cwd })).toMatchObject({ exit: 2, code: 'INVALID_INPUT' });
      expect(refused(['deposit', 'x', '-k', 'rumour'], { cwd })).toMatchObject({ exit: 2, code: 'INVALID_INPUT' });
      expect(refused(['deposit', 'x', '-p', 'ftp://x'], { cwd })).toMatchObject({ exit: 2, code: 'INVALID_INPUT' });
      expect(refused(['follow', ULID_NOT_THERE], { cwd })).toMatchObject({ exit: 3, code: 'NOT_FOUND' });
      expect(refused(['show', ULID_NOT_THERE], { cwd })).toMatchObject({ exit: 3, code: 'NOT_FOUND' });
      expect(refused(['revert', ULID_NOT_THERE, '--reason', 'r'], { cwd })).toMatchObject({ exit: 3, code: 'NOT_FOUND' });
      const id = deposit(cwd, 'soon forgotten');
      ok(['forget', id, '--reason', 'mistake'], { cwd });
      expect(refused(['follow', id], { cwd })).toMatchObject({ exit: 4, code: 'CONFLICT' });
      const p = ok<Proposal>(['identity', 'propose', '--doc', 'who-we-are', '--text', 'We are', '--reason', 'r'], { cwd });
      expect(refused(['identity', 'approve', p.id, '--instance', 'aria-1'], { cwd })).toMatchObject({ exit: 5, code: 'FORBIDDEN' });
    });

    it('reports without --json the code and message on stderr and nothing on stdout', () => {
      const r = run(['follow', ULID_NOT_THERE], { cwd: fresh() });
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^physarum: NOT_FOUND: trace "01ARZ3NDEKTSV4RRFFQ69G5FAV" does not exist/);
    });

    it('answers STORAGE_UNAVAILABLE (exit 6) for a store from a newer version or a path that cannot be created', () => {
      const cwd = fresh();
      deposit(cwd, 'x', '--store', 'p.db');
      const db = new Database(join(cwd, 'p.db'));
      db.pragma('user_version = 999');
      db.close();
      const newer = refused(['deposit', 'y', '--store', 'p.db'], { cwd });
      expect(newer).toMatchObject({ exit: 6, code: 'STORAGE_UNAVAILABLE' });
      expect(newer.message).toMatch(/newer/);
      writeFileSync(join(cwd, 'a-file'), 'not a folder');
      expect(refused(['deposit', 'y', '--store', join('a-file', 'sub', 'p.db')], { cwd })).toMatchObject({ exit: 6, code: 'STORAGE_UNAVAILABLE' });
      mkdirSync(join(cwd, 'a-folder'));
      const folder = refused(['search', 'y', '--store', 'a-folder'], { cwd });
      expect(folder).toMatchObject({ exit: 6, code: 'STORAGE_UNAVAILABLE' });
      expect(folder.message).toMatch(/is a folder, not a store file; give the path of the file, e\.g\. .*a-folder\/physarum\.db/u);
    });

    it('answers STORAGE_CORRUPT (exit 7) for a file of random bytes, with recovery advice and no stack trace', () => {
      const cwd = fresh();
      writeFileSync(join(cwd, 'bad.db'), randomBytes(16_384));
      const dep = run(['deposit', 'x', '--store', 'bad.db'], { cwd });
      expect(dep.code).toBe(7);
      expect(dep.stderr).toMatch(/STORAGE_CORRUPT/);
      expect(dep.stderr).toMatch(/physarum doctor/);
      const doctor = run(['doctor', '--store', 'bad.db'], { cwd });
      expect(doctor.code).toBe(7);
      expect(doctor.stderr).toMatch(/To recover/);
      expect(doctor.stderr).toMatch(/physarum backup/);
      expect(doctor.stderr).toMatch(/\.recover/);
      for (const r of [dep, doctor]) {
        expect(r.stderr).not.toContain('    at ');
        expect(r.stdout).toBe('');
      }
      expect(refused(['doctor', '--store', 'bad.db'], { cwd })).toMatchObject({ exit: 7, code: 'STORAGE_CORRUPT' });
      expect(refused(['search', 'x', '--store', 'bad.db'], { cwd })).toMatchObject({ exit: 7, code: 'STORAGE_CORRUPT' });
    });
  });

  describe('doctor', () => {
    it('reports ok true with --json on a healthy store', () => {
      const cwd = fresh();
      deposit(cwd, 'healthy');
      const r = ok<{ ok: boolean; store: string; checks: Array<{ name: string; ok: boolean }> }>(['doctor'], { cwd });
      expect(r.ok).toBe(true);
      expect(r.store).toBe(join(cwd, '.physarum', 'physarum.db'));
      expect(r.checks.length).toBeGreaterThan(0);
      expect(r.checks.every((c) => c.ok)).toBe(true);
      expect(run(['doctor'], { cwd }).stdout).toMatch(/is healthy\n$/);
    });

    it('runs every check on a damaged store it can open, reporting the failed one with the steps to recover (exit 7)', () => {
      const cwd = fresh();
      for (let i = 0; i < 3; i++) deposit(cwd, `trace number ${i} with some words`, '--store', 'good.db');
      ok(['backup', 'copy.db', '--store', 'good.db'], { cwd });
      // Damage a page in the middle of the file; the header stays readable, so the store opens.
      const file = join(cwd, 'copy.db');
      const bytes = readFileSync(file);
      bytes.fill(0x5a, 8192, 8192 + 4096);
      writeFileSync(file, bytes);
      const text = run(['doctor', '--store', 'copy.db'], { cwd });
      expect(text.code).toBe(7);
      expect(text.stdout).toMatch(/^FAIL sqlite integrity: /mu);
      expect(text.stdout).toMatch(/^(ok  |FAIL) every trace logged/mu);
      expect(text.stdout).toMatch(/To recover: .*physarum backup.*\.recover/u);
      expect(text.stderr).not.toMatch(/Run `physarum doctor/);
      const json = run(['doctor', '--store', 'copy.db', '--json'], { cwd });
      expect(json.code).toBe(7);
      const report = json.json<{ ok: boolean; checks: Array<{ name: string; ok: boolean }> }>();
      expect(report.ok).toBe(false);
      expect(report.checks.map((c) => c.name)).toEqual(['sqlite integrity', 'full-text index', 'every trace indexed', 'every trace logged']);
    });

    it('answers NOT_FOUND (exit 3) for a store that does not exist, without creating it', () => {
      const cwd = fresh();
      expect(refused(['doctor', '--store', 'typo.db'], { cwd })).toMatchObject({ exit: 3, code: 'NOT_FOUND' });
      expect(existsSync(join(cwd, 'typo.db'))).toBe(false);
    });
  });

  describe('backup', () => {
    it('writes a copy that opens as a store with the same traces', () => {
      const cwd = fresh();
      const a = deposit(cwd, 'backed up trace one', '-p', 'src/a.ts');
      const b = deposit(cwd, 'backed up trace two', '-t', 'x');
      const r = ok<{ file: string; bytes: number }>(['backup', 'out.db'], { cwd });
      expect(r.file).toBe(join(cwd, 'out.db'));
      expect(r.bytes).toBeGreaterThan(0);
      expect(existsSync(join(cwd, 'out.db'))).toBe(true);
      const found = ok<{ results: SearchResult[] }>(['search', 'backed', '--store', 'out.db'], { cwd }).results.map((x) => x.id).sort();
      expect(found).toEqual([a, b].sort());
      expect(ok<{ ok: boolean }>(['doctor', '--store', 'out.db'], { cwd }).ok).toBe(true);
      expect(ok<{ events: EventView[] }>(['history', '--store', 'out.db'], { cwd }).events).toHaveLength(2);
    });

    it('refuses a file that exists or a folder that does not with exit 2 naming the file', () => {
      const cwd = fresh();
      deposit(cwd, 'backed up once');
      ok(['backup', 'out.db'], { cwd });
      expect(refused(['backup', 'out.db'], { cwd })).toMatchObject({ exit: 2, code: 'INVALID_INPUT', field: 'file' });
      const missing = refused(['backup', join('no-such-folder', 'out.db')], { cwd });
      expect(missing).toMatchObject({ exit: 2, code: 'INVALID_INPUT', field: 'file' });
      expect(missing.message).toMatch(/no-such-folder does not exist/u);
      expect(existsSync(join(cwd, 'no-such-folder'))).toBe(false);
    });
  });

  describe('serve', () => {
    it('refuses a port out of range with exit 2, and a port in use with CONFLICT (exit 4), naming --port', async () => {
      const cwd = fresh();
      expect(refused(['serve', '--port', '99999'], { cwd })).toMatchObject({ exit: 2, code: 'INVALID_INPUT', field: 'port' });
      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
      try {
        const port = String((taken.address() as AddressInfo).port);
        const busy = refused(['serve', '--port', port], { cwd });
        expect(busy).toMatchObject({ exit: 4, code: 'CONFLICT' });
        expect(busy.message).toMatch(/already listening.*--port/u);
        const text = run(['serve', '--port', port], { cwd, timeoutMs: 15_000 });
        expect(text.stderr).toMatch(/^physarum: CONFLICT: /u);
        expect(text.stderr).not.toContain('    at ');
      } finally {
        await new Promise<void>((resolve) => taken.close(() => resolve()));
      }
    });

    it('refuses to listen beyond loopback without a token, with exit 2 and a message naming --token', () => {
      const cwd = fresh();
      const r = run(['serve', '--host', '0.0.0.0', '--port', '0'], { cwd, timeoutMs: 15_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--token/);
      expect(r.stderr).not.toMatch(/serving/i);
      const json = run(['serve', '--host', '0.0.0.0', '--port', '0', '--json'], { cwd, timeoutMs: 15_000 });
      expect(json.code).toBe(2);
      expect(json.error()).toMatchObject({ code: 'INVALID_INPUT', field: 'host' });
    });
  });
});
