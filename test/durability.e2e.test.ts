// Durability with real processes on a real file: many MCP servers writing at once, servers killed mid-write,
// concurrent edits of one trace, a full disk, damaged files, and backups taken while writers run.
// Needs `npm run build` first (it runs dist/cli/main.js).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Physarum } from '../src/physarum.js';
import { SqliteStorage } from '../src/storage/sqlite/index.js';
import { isPhysarumError } from '../src/errors/index.js';
import { BIN, McpProcess, inspect, cli as runCli, cliError, resultText, snapshotBin } from './helpers/processes.js';
import { person, prng } from './helpers/core.js';

const SERVERS = 8;
const STREAMS = 4;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Every deposit's text carries this word, so the full-text index can be counted against the table. */
const MARK = 'durablemark';

let dir: string;
let bin: string;
beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`);
  dir = mkdtempSync(join(tmpdir(), 'physarum-durability-'));
  // Others may rebuild dist/ while this runs; every process here runs one consistent copy of it.
  bin = snapshotBin(join(dir, 'build'));
});

const cli = (args: string[]) => runCli(args, { bin });
const serve = (store: string, instance: string) => McpProcess.start(store, instance, { bin });
afterAll(() => rmSync(dir, { recursive: true, force: true }));


const count = (db: Database.Database, sql: string, ...params: unknown[]): number => Number((db.prepare(sql).get(...params) as { n: number }).n);

function integrity(file: string): string[] {
  return inspect(file, (db) => (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check));
}

/** The cross-table facts every store must keep after any crash: each trace has its full-text entry and its deposit event. */
function consistency(file: string): { traces: number; indexed: number; depositEvents: number; unlogged: number } {
  return inspect(file, (db) => ({
    traces: count(db, 'SELECT count(*) AS n FROM traces'),
    indexed: count(db, 'SELECT count(*) AS n FROM traces_fts WHERE traces_fts MATCH ?', MARK),
    depositEvents: count(db, "SELECT count(*) AS n FROM events e WHERE e.type = 'trace.deposit' AND e.trace_id IN (SELECT id FROM traces)"),
    unlogged: count(db, "SELECT count(*) AS n FROM traces t WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.trace_id = t.id AND e.type = 'trace.deposit')"),
  }));
}

function storedTexts(file: string): Map<string, string> {
  return inspect(file, (db) => new Map((db.prepare('SELECT id, text FROM traces').all() as Array<{ id: string; text: string }>).map((r) => [r.id, r.text])));
}

/** Deposits through an MCP server; returns the id, or throws with the tool error's text. */
async function mcpDeposit(srv: McpProcess, text: string): Promise<string> {
  const r = await srv.call('deposit_trace', { text, places: ['topic:durability'] });
  if (r.isError) throw new ToolError(resultText(r));
  const out = r.structuredContent as { id: string; deduplicated: boolean };
  if (out.deduplicated) throw new ToolError(`deposit of unique text was deduplicated: ${text}`);
  return out.id;
}

class ToolError extends Error {}

const BUSY = /SQLITE_BUSY|locked/iu;

describe.sequential('durability with real processes on one file', () => {
  it('stores exactly the acknowledged deposits of 8 MCP servers with 4 concurrent streams each', { timeout: 180_000 }, async () => {
    const store = join(dir, 'many.db');
    const perStream = 30;
    // Eight processes open a new file at once: they also race to create and migrate it.
    const servers = await Promise.all(range(SERVERS).map((i) => serve(store, `writer-${i}`)));
    const acked: string[] = [];
    const toolErrors: string[] = [];
    try {
      await Promise.all(
        servers.flatMap((srv, i) =>
          range(STREAMS).map(async (k) => {
            for (let n = 0; n < perStream; n++) {
              try {
                acked.push(await mcpDeposit(srv, `${MARK} server ${i} stream ${k} deposit ${n} s${i}k${k}n${n}`));
              } catch (e) {
                if (!(e instanceof ToolError)) throw e;
                toolErrors.push(e.message);
              }
            }
          }),
        ),
      );
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
    expect(toolErrors).toEqual([]);
    expect(acked).toHaveLength(SERVERS * STREAMS * perStream);
    expect(new Set(acked).size).toBe(acked.length);
    for (const s of servers) expect(s.stderr).not.toMatch(BUSY);

    const stored = storedTexts(store);
    expect(stored.size).toBe(acked.length);
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    expect(consistency(store)).toEqual({ traces: acked.length, indexed: acked.length, depositEvents: acked.length, unlogged: 0 });
    expect(integrity(store)).toEqual(['ok']);
  });

  it('keeps every acknowledged deposit, whole, while a random server is killed with SIGKILL every 200-400 ms', { timeout: 180_000 }, async () => {
    const store = join(dir, 'killed.db');
    expect((await cli(['init', '--store', store])).code).toBe(0);
    const slots = await Promise.all(range(SERVERS).map((i) => serve(store, `crashy-${i}`)));
    const everyProcess = [...slots];
    const restarting = new Set<number>();
    const acked = new Map<string, string>();
    const toolErrors: string[] = [];
    const startErrors: unknown[] = [];
    let attempted = 0;
    let interrupted = 0;
    let kills = 0;
    let stop = false;
    const rand = prng(20260101);

    const stream = async (i: number, k: number): Promise<void> => {
      for (let n = 0; !stop; n++) {
        const srv = slots[i];
        if (!srv || srv.closed || restarting.has(i)) {
          await sleep(10);
          continue;
        }
        const text = `${MARK} crash test server ${i} stream ${k} deposit ${n} ${randomBytes(6).toString('hex')}`;
        attempted += 1;
        try {
          acked.set(await mcpDeposit(srv, text), text);
        } catch (e) {
          if (e instanceof ToolError) toolErrors.push(e.message);
          // Otherwise the server died under the call: not acknowledged, may or may not be stored.
          else interrupted += 1;
        }
      }
    };

    const restart = async (i: number): Promise<void> => {
      try {
        const fresh = await serve(store, `crashy-${i}`);
        everyProcess.push(fresh);
        slots[i] = fresh;
      } catch (e) {
        startErrors.push(e);
      } finally {
        restarting.delete(i);
      }
    };

    const killer = async (): Promise<void> => {
      const pending: Promise<void>[] = [];
      const until = Date.now() + 12_000;
      while (Date.now() < until) {
        await sleep(200 + Math.floor(rand() * 200));
        const alive = range(SERVERS).filter((i) => !restarting.has(i) && !slots[i]?.closed);
        const victim = alive[Math.floor(rand() * alive.length)];
        if (victim === undefined) continue;
        restarting.add(victim);
        slots[victim]?.kill('SIGKILL');
        kills += 1;
        pending.push(restart(victim));
      }
      await Promise.all(pending);
    };

    try {
      const writers = range(SERVERS).flatMap((i) => range(STREAMS).map((k) => stream(i, k)));
      await killer();
      // Let the last restarted servers take some writes too.
      await sleep(300);
      stop = true;
      await Promise.all(writers);
    } finally {
      await Promise.all(everyProcess.map((s) => s.close()));
    }

    expect(startErrors).toEqual([]);
    expect(toolErrors).toEqual([]);
    for (const s of everyProcess) expect(s.stderr).not.toMatch(BUSY);
    expect(kills).toBeGreaterThanOrEqual(20);
    // Kills did land on writes in flight, and writes were acknowledged around them.
    expect(interrupted).toBeGreaterThan(0);
    expect(acked.size).toBeGreaterThan(100);

    const stored = storedTexts(store);
    const lost = [...acked].filter(([id, text]) => stored.get(id) !== text);
    expect(lost).toEqual([]);
    // Unacknowledged writes may or may not be there; nothing else is.
    expect(stored.size).toBeGreaterThanOrEqual(acked.size);
    expect(stored.size).toBeLessThanOrEqual(attempted);

    // A killed server may leave its newest traces waiting for the full-text index: the first search takes them.
    expect((await cli(['search', MARK, '--json', '--store', store])).code).toBe(0);
    const c = consistency(store);
    expect(c).toEqual({ traces: stored.size, indexed: stored.size, depositEvents: stored.size, unlogged: 0 });
    const doctor = await cli(['doctor', '--json', '--store', store]);
    expect(doctor.stderr).toBe('');
    expect(doctor.code).toBe(0);
    const report = JSON.parse(doctor.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean }> };
    expect(report.ok).toBe(true);
    expect(report.checks.map((x) => x.name)).toEqual(expect.arrayContaining(['sqlite integrity', 'every trace indexed', 'every trace logged']));
    expect(integrity(store)).toEqual(['ok']);
  });

  it('finds a deposit whose writer was killed before the full-text index took it', { timeout: 60_000 }, async () => {
    const store = join(dir, 'killed-before-index.db');
    // New traces join the index shortly after their commit: a writer killed at once leaves its deposit waiting.
    const index = pathToFileURL(join(dirname(dirname(bin)), 'index.js')).href;
    const script = `
      const { openPhysarum } = await import(${JSON.stringify(index)});
      const p = await openPhysarum({ store: ${JSON.stringify(store)}, root: ${JSON.stringify(dir)} });
      const r = await p.deposit({ text: '${MARK} left by a writer that died' }, { name: 'doomed', role: 'agent' });
      process.stdout.write(r.trace.id, () => process.kill(process.pid, 'SIGKILL'));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    const id = child.stdout;
    expect(storedTexts(store).get(id)).toBe(`${MARK} left by a writer that died`);
    expect(consistency(store)).toEqual({ traces: 1, indexed: 0, depositEvents: 1, unlogged: 0 });
    // The doctor sees a trace waiting for the index, not a missing one.
    const doctor = await cli(['doctor', '--json', '--store', store]);
    expect(doctor.code).toBe(0);
    const report = JSON.parse(doctor.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> };
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === 'every trace indexed')?.detail).toMatch(/1 new traces join it/u);
    // Another process's search catches the index up and finds it.
    const found = await cli(['search', MARK, '--json', '--store', store]);
    expect(found.code).toBe(0);
    expect((JSON.parse(found.stdout) as { results: Array<{ id: string }> }).results.map((r) => r.id)).toEqual([id]);
    expect(consistency(store)).toEqual({ traces: 1, indexed: 1, depositEvents: 1, unlogged: 0 });
    expect(integrity(store)).toEqual(['ok']);
  });

  it('counts all 100 concurrent follows of one trace from 4 server processes', { timeout: 120_000 }, async () => {
    const store = join(dir, 'follows.db');
    const made = await cli(['deposit', 'the trace everyone follows', '--json', '--store', store]);
    expect(made.code).toBe(0);
    const { id } = JSON.parse(made.stdout) as { id: string };
    const servers = await Promise.all(range(4).map((i) => serve(store, `follower-${i}`)));
    let results;
    try {
      results = await Promise.all(servers.flatMap((srv) => range(25).map(() => srv.call('follow_trace', { id }))));
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
    expect(results.filter((r) => r.isError).map(resultText)).toEqual([]);
    const follows = results.map((r) => (r.structuredContent as { trace: { follows: number } }).trace.follows).sort((a, b) => a - b);
    // Each follow saw all earlier ones: no two read the same count.
    expect(follows).toEqual(range(100).map((n) => n + 1));
    inspect(store, (db) => {
      expect(count(db, 'SELECT follows AS n FROM traces WHERE id = ?', id)).toBe(100);
      expect(count(db, "SELECT count(*) AS n FROM events WHERE trace_id = ? AND type = 'trace.follow'", id)).toBe(100);
    });
  });

  it('lets exactly one of several concurrent retags with the same expectedVersion succeed and refuses the rest with CONFLICT', { timeout: 120_000 }, async () => {
    const store = join(dir, 'retags.db');
    const made = await cli(['deposit', 'the trace everyone retags', '--json', '--store', store]);
    const { id } = JSON.parse(made.stdout) as { id: string };

    // Round 1: six CLI processes.
    const round1 = await Promise.all(
      range(6).map((i) => cli(['retag', id, '--add', `cli-${i}`, '--reason', `race ${i}`, '--expected-version', '1', '--json', '--store', store])),
    );
    const won1 = round1.flatMap((r, i) => (r.code === 0 ? [i] : []));
    expect(won1).toHaveLength(1);
    for (const r of round1.filter((x) => x.code !== 0)) {
      expect(r.code).toBe(4);
      expect(cliError(r)?.code).toBe('CONFLICT');
    }

    // Round 2: four MCP servers, against version 2.
    const servers = await Promise.all(range(4).map((i) => serve(store, `tagger-${i}`)));
    let round2;
    try {
      round2 = await Promise.all(
        servers.map((srv, i) => srv.call('retag_trace', { id, addTags: [`mcp-${i}`], reason: `race ${i}`, expectedVersion: 2 })),
      );
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
    const won2 = round2.flatMap((r, i) => (r.isError ? [] : [i]));
    expect(won2).toHaveLength(1);
    for (const r of round2.filter((x) => x.isError)) {
      expect((JSON.parse(resultText(r)) as { error: { code: string } }).error.code).toBe('CONFLICT');
    }

    // Nothing was silently lost or overwritten: the trace holds exactly the two winners' tags.
    inspect(store, (db) => {
      const row = db.prepare('SELECT version, tags FROM traces WHERE id = ?').get(id) as { version: number; tags: string };
      expect(row.version).toBe(3);
      expect(JSON.parse(row.tags)).toEqual([`cli-${won1[0]}`, `mcp-${won2[0]}`]);
      expect(count(db, "SELECT count(*) AS n FROM events WHERE trace_id = ? AND type = 'trace.retag'", id)).toBe(2);
    });
  });

  describe('a full disk', () => {
    const mountProblem = probeTmpfs();
    let mnt: string | undefined;
    let p: Physarum | undefined;

    beforeAll(() => {
      if (mountProblem) return;
      mnt = mkdtempSync(join(tmpdir(), 'physarum-full-'));
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mount failed after the probe succeeded: ${r.stderr}`);
    });

    afterAll(async () => {
      await p?.close().catch(() => undefined);
      if (mnt) {
        spawnSync('umount', [mnt]);
        rmSync(mnt, { recursive: true, force: true });
      }
    });

    it.skipIf(mountProblem !== undefined)(
      `fails a write with STORAGE_FULL (CLI exit 8), keeps every earlier trace, and writes again once space is freed, without a restart${mountProblem ? ` [skipped: ${mountProblem}]` : ''}`,
      { timeout: 120_000 },
      async () => {
        if (!mnt) throw new Error('no tmpfs');
        const store = join(mnt, 'store', 'physarum.db');
        const filler = join(mnt, 'filler.bin');
        writeFileSync(filler, randomBytes(1024 * 1024));
        // One long-lived process-local Physarum, as a server would hold.
        p = new Physarum({ storage: SqliteStorage.open({ path: store }), root: mnt });
        const acked = new Map<string, string>();
        let failure: unknown;
        for (let i = 0; i < 10_000 && failure === undefined; i++) {
          const text = `${MARK} filling ${i} ${randomBytes(1_200).toString('base64')}`;
          try {
            const r = await p.deposit({ text }, person);
            acked.set(r.trace.id, text);
          } catch (e) {
            failure = e;
          }
        }
        expect(acked.size).toBeGreaterThan(5);
        expect(isPhysarumError(failure) && failure.code).toBe('STORAGE_FULL');

        // A bigger write from another process fails the same way, with exit code 8, and writes nothing. A
        // checkpoint that completes meanwhile lets the WAL start over in the space it already holds, so a write
        // may still fit: each one that does is kept like any other, until one is refused.
        const refusedTexts: string[] = [];
        let refused: Awaited<ReturnType<typeof cli>> | undefined;
        for (let i = 0; i < 50 && refused === undefined; i++) {
          const big = `${MARK} too big ${i} ${randomBytes(9_000).toString('base64')}`;
          const r = await cli(['deposit', big, '--json', '--store', store]);
          if (r.code === 0) acked.set((JSON.parse(r.stdout) as { id: string }).id, big);
          else {
            refused = r;
            refusedTexts.push(big);
          }
        }
        expect(refused?.code).toBe(8);
        expect(cliError(refused!)?.code).toBe('STORAGE_FULL');
        expect(refused?.stderr).not.toMatch(/\n\s+at /u);
        let failedAgain: unknown;
        for (let i = 0; i < 50 && failedAgain === undefined; i++) {
          const big = `${MARK} too big here ${i} ${randomBytes(9_000).toString('base64')}`;
          try {
            acked.set((await p.deposit({ text: big }, person)).trace.id, big);
          } catch (e) {
            failedAgain = e;
            refusedTexts.push(big);
          }
        }
        expect(isPhysarumError(failedAgain) && failedAgain.code).toBe('STORAGE_FULL');

        // Every acknowledged trace is intact and readable, through the same Physarum.
        for (const [id, text] of acked) expect((await p.get(id)).trace.text).toBe(text);
        expect((await p.info()).traces).toBe(acked.size);

        // Freeing space makes the same process write again.
        rmSync(filler);
        const after = await p.deposit({ text: `${MARK} after freeing space` }, person);
        expect(after.deduplicated).toBe(false);
        expect((await p.get(after.trace.id)).trace.text).toBe(`${MARK} after freeing space`);
        const cliAfter = await cli(['deposit', `${MARK} from the CLI after freeing space`, '--json', '--store', store]);
        expect(cliAfter.code).toBe(0);
        await p.close();
        p = undefined;

        const stored = storedTexts(store);
        expect([...acked].filter(([id, text]) => stored.get(id) !== text)).toEqual([]);
        expect(stored.size).toBe(acked.size + 2);
        expect(refusedTexts.filter((t) => [...stored.values()].includes(t))).toEqual([]);
        expect(consistency(store)).toMatchObject({ indexed: stored.size, depositEvents: stored.size, unlogged: 0 });
        expect(integrity(store)).toEqual(['ok']);
      },
    );
  });

  describe('a damaged file', () => {
    let healthy: string;
    beforeAll(async () => {
      healthy = join(dir, 'damage', 'healthy.db');
      const p = new Physarum({ storage: SqliteStorage.open({ path: healthy }), root: dir });
      for (let i = 0; i < 150; i++) await p.deposit({ text: `${MARK} a trace worth keeping ${i} ${randomBytes(300).toString('hex')}`, places: [`notes/${i % 7}.md`] }, person);
      await p.close();
      // Closed cleanly: the WAL is folded in, so the main file is the whole store.
      expect(existsSync(`${healthy}-wal`)).toBe(false);
    });

    function damaged(name: string, damage: (file: string) => void): string {
      const file = join(dir, 'damage', `${name}.db`);
      copyFileSync(healthy, file);
      damage(file);
      return file;
    }

    async function expectRefusedAsCorrupt(file: string): Promise<void> {
      // The library refuses to open it.
      let opened: SqliteStorage | undefined;
      let error: unknown;
      try {
        opened = SqliteStorage.open({ path: file });
      } catch (e) {
        error = e;
      }
      await opened?.close();
      expect(isPhysarumError(error) && error.code).toBe('STORAGE_CORRUPT');

      // The CLI: exit 7, one clear line, no stack trace; in JSON too; and the MCP server will not start on it.
      for (const args of [['deposit', 'hello'], ['search', 'trace'], ['brief'], ['mcp']]) {
        const r = await cli([...args, '--store', file]);
        expect(r.code, args.join(' ')).toBe(7);
        expect(r.stderr).toMatch(/^physarum: STORAGE_CORRUPT: The store at .* is damaged .*physarum doctor/u);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).not.toMatch(/\n\s+at /u);
      }
      const json = await cli(['deposit', 'hello', '--json', '--store', file]);
      expect(json.code).toBe(7);
      expect(cliError(json)?.code).toBe('STORAGE_CORRUPT');

      // The doctor says how to recover.
      for (const flags of [[], ['--json']]) {
        const doctor = await cli(['doctor', ...flags, '--store', file]);
        expect(doctor.code).toBe(7);
        const said = flags.length ? (cliError(doctor)?.message ?? '') : doctor.stderr;
        expect(said).toContain('To recover');
        expect(said).toContain('physarum backup');
        expect(said).toContain('.recover');
        expect(doctor.stderr).not.toMatch(/\n\s+at /u);
      }
    }

    it('passes the doctor when undamaged', async () => {
      const r = await cli(['doctor', '--json', '--store', healthy]);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { ok: boolean }).ok).toBe(true);
    });

    it('refuses a store truncated to half its size with STORAGE_CORRUPT, and the doctor says how to recover', { timeout: 60_000 }, async () => {
      const file = damaged('truncated', (f) => truncateSync(f, Math.floor(statSync(f).size / 2)));
      await expectRefusedAsCorrupt(file);
    });

    it('refuses a store whose first page is garbage with STORAGE_CORRUPT, and the doctor says how to recover', { timeout: 60_000 }, async () => {
      const file = damaged('garbage-head', (f) => {
        const fd = openSync(f, 'r+');
        try {
          writeSync(fd, randomBytes(4096), 0, 4096, 0);
        } finally {
          closeSync(fd);
        }
      });
      await expectRefusedAsCorrupt(file);
    });
  });

  it('makes a backup that passes integrity_check and opens as a store while 4 writer processes deposit', { timeout: 120_000 }, async () => {
    const store = join(dir, 'live.db');
    const servers = await Promise.all(range(4).map((i) => serve(store, `live-${i}`)));
    const acked = new Set<string>();
    const toolErrors: string[] = [];
    let stop = false;
    const writers = servers.flatMap((srv, i) =>
      range(2).map(async (k) => {
        for (let n = 0; !stop; n++) {
          try {
            acked.add(await mcpDeposit(srv, `${MARK} live ${i} ${k} ${n}`));
          } catch (e) {
            if (!(e instanceof ToolError)) throw e;
            toolErrors.push(e.message);
          }
        }
      }),
    );
    const copies: Array<{ file: string; ackedBefore: string[] }> = [];
    try {
      mkdirSync(join(dir, 'backups'), { recursive: true });
      for (let b = 0; b < 3; b++) {
        while (acked.size < 100 * (b + 1)) await sleep(20);
        const file = join(dir, 'backups', `copy-${b}.db`);
        const ackedBefore = [...acked];
        const r = await cli(['backup', file, '--json', '--store', store]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        copies.push({ file, ackedBefore });
      }
    } finally {
      stop = true;
      await Promise.all(writers);
      await Promise.all(servers.map((s) => s.close()));
    }
    expect(toolErrors).toEqual([]);
    for (const s of servers) expect(s.stderr).not.toMatch(BUSY);
    const total = storedTexts(store).size;
    for (const { file, ackedBefore } of copies) {
      expect(integrity(file)).toEqual(['ok']);
      // A consistent snapshot: everything acknowledged before the backup began, each trace whole.
      const inCopy = storedTexts(file);
      expect(ackedBefore.filter((id) => !inCopy.has(id))).toEqual([]);
      expect(inCopy.size).toBeLessThanOrEqual(total);
      expect(consistency(file)).toEqual({ traces: inCopy.size, indexed: inCopy.size, depositEvents: inCopy.size, unlogged: 0 });
      // It opens as a store, for the doctor and for writing.
      const doctor = await cli(['doctor', '--json', '--store', file]);
      expect(doctor.code).toBe(0);
      expect((JSON.parse(doctor.stdout) as { ok: boolean }).ok).toBe(true);
      const where = await cli(['where', '--json', '--store', file]);
      expect((JSON.parse(where.stdout) as { traces: number }).traces).toBe(inCopy.size);
      expect((await cli(['deposit', 'written to the restored copy', '--store', file])).code).toBe(0);
    }
  });
});

/** Whether a tmpfs can be mounted here (root, and a kernel and container that allow it); the reason if not. */
function probeTmpfs(): string | undefined {
  if (process.platform !== 'linux') return `tmpfs needs Linux, this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = mkdtempSync(join(tmpdir(), 'physarum-probe-'));
  try {
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { encoding: 'utf8' });
    if (r.error) return `cannot run mount: ${r.error.message}`;
    if (r.status !== 0) return `mount -t tmpfs failed: ${r.stderr.trim() || `exit ${r.status}`}`;
    spawnSync('umount', [probe]);
    return undefined;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
