// The real `physarum` binary: zero-config discovery, --json shapes, and exit codes from the one table.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve('dist/cli/main.js');

function run(args: string[], opts: { cwd: string; input?: string; env?: Record<string, string> }) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('PHYSARUM_')) env[k] = v;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd, input: opts.input ?? '', env: { ...env, PHYSARUM_USER: 'ren', ...opts.env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: <T>() => JSON.parse(r.stdout) as T, error: () => (JSON.parse(r.stderr) as { error: { code: string; field?: string; message: string } }).error };
}

const fresh = () => mkdtempSync(join(tmpdir(), 'physarum-cli-'));

describe('physarum CLI', () => {
  it('prints help and version with exit 0, and refuses an unknown command with exit 2', () => {
    const cwd = fresh();
    expect(run(['--help'], { cwd }).code).toBe(0);
    expect(run(['--version'], { cwd }).stdout).toMatch(/\d+\.\d+\.\d+/);
    expect(run(['frobnicate'], { cwd }).code).toBe(2);
  });

  describe('store discovery', () => {
    it('creates .physarum/ here on first use and finds it again from a subfolder', () => {
      const cwd = fresh();
      expect(run(['deposit', 'first trace here'], { cwd }).code).toBe(0);
      expect(existsSync(join(cwd, '.physarum', 'physarum.db'))).toBe(true);
      mkdirSync(join(cwd, 'a', 'b'), { recursive: true });
      const found = run(['search', 'first', '--json'], { cwd: join(cwd, 'a', 'b') }).json<{ results: Array<{ text: string }> }>();
      expect(found.results[0]?.text).toBe('first trace here');
      expect(run(['where', '--json'], { cwd: join(cwd, 'a', 'b') }).json<{ how: string; path: string }>()).toMatchObject({ how: 'found', path: join(cwd, '.physarum', 'physarum.db') });
    });

    it('puts the store at the git root when there is no .physarum/ yet', () => {
      const cwd = fresh();
      mkdirSync(join(cwd, '.git'));
      mkdirSync(join(cwd, 'src'));
      run(['deposit', 'at the root'], { cwd: join(cwd, 'src') });
      expect(existsSync(join(cwd, '.physarum', 'physarum.db'))).toBe(true);
    });

    it('lets --store and PHYSARUM_STORE choose the file', () => {
      const cwd = fresh();
      run(['deposit', 'by flag', '--store', join(cwd, 'flag.db')], { cwd });
      run(['deposit', 'by env'], { cwd, env: { PHYSARUM_STORE: join(cwd, 'env.db') } });
      expect(run(['search', 'flag', '--json', '--store', join(cwd, 'flag.db')], { cwd }).json<{ results: unknown[] }>().results).toHaveLength(1);
      expect(run(['search', 'env', '--json'], { cwd, env: { PHYSARUM_STORE: join(cwd, 'env.db') } }).json<{ results: unknown[] }>().results).toHaveLength(1);
      expect(existsSync(join(cwd, '.physarum'))).toBe(false);
    });
  });

  it('deposits from arguments or stdin and answers --json with the id', () => {
    const cwd = fresh();
    const a = run(['deposit', 'from', 'arguments', '-k', 'decision', '-p', './src/../lib/a.ts', '-t', 'x', '--json'], { cwd }).json<{ id: string; trace: { places: string[]; kind: string; trust: string } }>();
    expect(a.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(a.trace).toMatchObject({ places: ['lib/a.ts'], kind: 'decision', trust: 'human' });
    const b = run(['deposit', '-', '--json'], { cwd, input: 'from stdin\nsecond line' }).json<{ trace: { text: string } }>();
    expect(b.trace.text).toBe('from stdin\nsecond line');
  });

  it('returns search and sense results as {"results": [{"id", "text", "score", …}]}', () => {
    const cwd = fresh();
    const { id } = run(['deposit', 'the parser drops byte order marks', '-p', 'src/parse.ts', '--json'], { cwd }).json<{ id: string }>();
    const search = run(['search', 'parser', '--json'], { cwd }).json<{ results: Array<{ id: string; text: string; score: number; parts: object }> }>();
    expect(search.results[0]).toMatchObject({ id, text: 'the parser drops byte order marks' });
    expect(typeof search.results[0]?.score).toBe('number');
    const sense = run(['sense', 'src/parse.ts', '--json'], { cwd }).json<{ results: Array<{ id: string; score: number }> }>();
    expect(sense.results[0]?.id).toBe(id);
  });

  it('maps every error class to its exit code, with a JSON error on stderr', () => {
    const cwd = fresh();
    const { id } = run(['deposit', 'to be forgotten', '--json'], { cwd }).json<{ id: string }>();
    const empty = run(['deposit', '   ', '--json'], { cwd });
    expect(empty.code).toBe(2);
    expect(empty.error()).toMatchObject({ code: 'INVALID_INPUT', field: 'text' });
    expect(run(['deposit', 'x', '-k', 'rumour', '--json'], { cwd }).error().field).toBe('kind');
    expect(run(['deposit', 'x', '-p', 'ftp://x', '--json'], { cwd }).error().code).toBe('INVALID_INPUT');
    const missing = run(['follow', '01ARZ3NDEKTSV4RRFFQ69G5FAV', '--json'], { cwd });
    expect([missing.code, missing.error().code]).toEqual([3, 'NOT_FOUND']);
    run(['forget', id, '--reason', 'mistake'], { cwd });
    const conflict = run(['follow', id, '--json'], { cwd });
    expect([conflict.code, conflict.error().code]).toEqual([4, 'CONFLICT']);
    const p = run(['identity', 'propose', '--doc', 'who-we-are', '--text', 'We are', '--reason', 'r', '--json'], { cwd }).json<{ id: string }>();
    const forbidden = run(['identity', 'approve', p.id, '--instance', 'aria-1', '--json'], { cwd });
    expect([forbidden.code, forbidden.error().code]).toEqual([5, 'FORBIDDEN']);
    expect(run(['forget', id], { cwd }).code).toBe(2); // --reason is required
  });

  it('reports a damaged store with exit 7 and recovery advice, without a stack trace', () => {
    const cwd = fresh();
    writeFileSync(join(cwd, 'bad.db'), Buffer.alloc(8192, 7));
    for (const args of [['deposit', 'x'], ['doctor']]) {
      const r = run([...args, '--store', join(cwd, 'bad.db')], { cwd });
      expect(r.code).toBe(7);
      expect(r.stderr).toMatch(/doctor|recover/);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    expect(run(['doctor', '--store', join(cwd, 'nowhere.db')], { cwd }).code).toBe(3);
    expect(existsSync(join(cwd, 'nowhere.db'))).toBe(false);
  });

  it('keeps the change log: history, revert and the briefing', () => {
    const cwd = fresh();
    run(['init'], { cwd });
    const { id } = run(['deposit', 'tagged note', '--json'], { cwd }).json<{ id: string }>();
    run(['retag', id, '--add', 'draft', '--reason', 'sorting'], { cwd });
    const events = run(['history', id, '--json'], { cwd }).json<{ events: Array<{ id: string; type: string; reason: string | null }> }>().events;
    expect(events.map((e) => e.type)).toEqual(['trace.retag', 'trace.deposit']);
    expect(events[0]?.reason).toBe('sorting');
    expect(run(['revert', events[0]?.id ?? '', '--reason', 'undo', '--json'], { cwd }).json<{ trace: { tags: string[] } }>().trace.tags).toEqual([]);
    const brief = run(['brief', '--weight', 'light', '--json'], { cwd }).json<{ text: string; tokens: number }>();
    expect(brief.text).toContain('## Identity (human-approved)');
    expect(brief.tokens).toBeLessThanOrEqual(1000);
  });
});
