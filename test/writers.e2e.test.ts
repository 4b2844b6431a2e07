// Many writer processes on one store through the library: deposits committed together by one elected
// committer, no SQLITE_BUSY reaching a writer, and no acknowledged deposit lost or applied twice when the
// committer is killed with SIGKILL mid-batch. Needs `npm run build` first (the writers load dist/index.js).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, McpProcess, inspect, snapshotBin } from './helpers/processes.js';

const MARK = 'writersmark';
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let dir: string;
let writerScript: string;
let bin: string;

/** One writer: deposits unique texts until `count` or until told to stop on stdin, printing one JSON line per outcome. */
const WRITER = (index: string) => `
const { SqliteStorage, Physarum } = await import(${JSON.stringify(index)});
const [store, name, count] = process.argv.slice(2);
const p = new Physarum({ storage: SqliteStorage.open({ path: store }), root: process.cwd() });
let stop = false;
process.stdin.on('data', (d) => (stop ||= String(d).includes('stop')));
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
let announced = false;
for (let n = 0; n < Number(count) && !stop; n++) {
  const text = '${MARK} ' + name + ' deposit ' + n + ' ' + Math.random().toString(36).slice(2);
  try {
    const r = await p.deposit({ text, places: ['topic:writers'] }, { name, role: 'agent' });
    say({ ack: r.trace.id, text, deduplicated: r.deduplicated });
  } catch (e) {
    say({ error: e?.code ?? String(e), message: String(e?.message ?? e) });
  }
  if (!announced && p.storage.commitStats().committer) {
    announced = true;
    say({ committer: process.pid });
  }
}
say({ stats: p.storage.commitStats() });
await p.close();
`;

interface Writer {
  child: ChildProcess;
  acks: Map<string, string>;
  errors: string[];
  stats: { sent: number; lost: number; writes: number; batches: number } | undefined;
  committer: boolean;
  exited: Promise<void>;
}

function startWriter(store: string, name: string, count: number): Writer {
  const child = spawn(process.execPath, [writerScript, store, name, String(count)], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  const w: Writer = { child, acks: new Map(), errors: [], stats: undefined, committer: false, exited: Promise.resolve() };
  let buffer = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const m = JSON.parse(line) as { ack?: string; text?: string; deduplicated?: boolean; error?: string; message?: string; committer?: number; stats?: Writer['stats'] };
      if (m.ack !== undefined) {
        w.acks.set(m.ack, m.text ?? '');
        if (m.deduplicated) w.errors.push(`deduplicated: ${m.text}`);
      } else if (m.error !== undefined) w.errors.push(`${m.error}: ${m.message}`);
      else if (m.committer !== undefined) w.committer = true;
      else if (m.stats) w.stats = m.stats;
    }
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  w.exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL') w.errors.push(`exited with ${code ?? signal}: ${stderr}`);
      resolve();
    }),
  );
  return w;
}


/** What a double-applied deposit would leave: the same text twice, or a deduplicating follow. */
function storeFacts(file: string) {
  return inspect(file, (db) => {
    const n = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
    return {
      texts: new Map((db.prepare('SELECT id, text FROM traces').all() as Array<{ id: string; text: string }>).map((r) => [r.id, r.text])),
      repeatedTexts: n('SELECT count(*) AS n FROM (SELECT text FROM traces GROUP BY text HAVING count(*) > 1)'),
      follows: n("SELECT count(*) AS n FROM events WHERE type = 'trace.follow'") + n('SELECT count(*) AS n FROM traces WHERE follows > 0'),
      unlogged: n("SELECT count(*) AS n FROM traces t WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.trace_id = t.id AND e.type = 'trace.deposit')"),
      integrity: (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check),
    };
  });
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`);
  dir = mkdtempSync(join(tmpdir(), 'physarum-writers-'));
  // Others may rebuild dist/ while this runs; every writer runs one consistent copy of it.
  bin = snapshotBin(join(dir, 'build'));
  writerScript = join(dir, 'writer.mjs');
  writeFileSync(writerScript, WRITER(pathToFileURL(join(bin, '..', '..', 'index.js')).href));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.sequential('many writer processes on one store', () => {
  it('stores every deposit of 32 writer processes once, with no SQLITE_BUSY, committed through a shared committer', { timeout: 180_000 }, async () => {
    const store = join(dir, 'many.db');
    const perWriter = 25;
    // 32 processes open a new file at once: they also race to migrate it and to become its committer.
    const writers = range(32).map((i) => startWriter(store, `writer-${i}`, perWriter));
    for (const w of writers) w.child.stdin!.end();
    await Promise.all(writers.map((w) => w.exited));

    expect(writers.flatMap((w) => w.errors)).toEqual([]);
    const acked = new Map(writers.flatMap((w) => [...w.acks]));
    expect(acked.size).toBe(32 * perWriter);
    // Deposits went over the socket to a committer rather than each process committing its own.
    expect(writers.reduce((sum, w) => sum + (w.stats?.sent ?? 0), 0)).toBeGreaterThan(0);
    expect(writers.some((w) => w.committer)).toBe(true);

    const facts = storeFacts(store);
    expect(facts.texts.size).toBe(acked.size);
    expect([...acked].filter(([id, text]) => facts.texts.get(id) !== text)).toEqual([]);
    expect(facts).toMatchObject({ repeatedTexts: 0, follows: 0, unlogged: 0, integrity: ['ok'] });
    expect(existsSync(`${store}.sock`)).toBe(false);
  });

  it('loses no acknowledged deposit and applies none twice while the committer is killed with SIGKILL again and again', { timeout: 180_000 }, async () => {
    const store = join(dir, 'killed.db');
    const slots = range(8).map((i) => startWriter(store, `writer-${i}`, 1_000_000));
    const every = [...slots];
    let kills = 0;
    const until = Date.now() + 8_000;
    while (Date.now() < until) {
      await sleep(250);
      const victim = slots.findIndex((w) => w.committer && w.child.exitCode === null && w.child.signalCode === null);
      if (victim < 0) continue;
      slots[victim]!.child.kill('SIGKILL');
      kills += 1;
      await slots[victim]!.exited;
      const fresh = startWriter(store, `writer-${victim}-${kills}`, 1_000_000);
      slots[victim] = fresh;
      every.push(fresh);
    }
    for (const w of slots) w.child.stdin!.end('stop\n');
    await Promise.all(every.map((w) => w.exited));

    expect(every.flatMap((w) => w.errors)).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(5);
    // Kills landed on deposits in flight at the committer: writers that lived on had to write theirs themselves.
    expect(every.reduce((sum, w) => sum + (w.stats?.lost ?? 0), 0)).toBeGreaterThan(0);
    const acked = new Map(every.flatMap((w) => [...w.acks]));
    expect(acked.size).toBeGreaterThan(100);

    const facts = storeFacts(store);
    expect([...acked].filter(([id, text]) => facts.texts.get(id) !== text)).toEqual([]);
    expect(facts).toMatchObject({ repeatedTexts: 0, follows: 0, unlogged: 0, integrity: ['ok'] });
  });

  it('answers reads over MCP while its deposit waits for a write lock another process holds, then stores it', { timeout: 60_000 }, async () => {
    const store = join(dir, 'locked.db');
    const srv = await McpProcess.start(store, 'patient', { bin });
    const other = new Database(store);
    try {
      const first = await srv.call('deposit_trace', { text: 'before the lock is taken', places: ['src/parser.ts'] });
      expect(first.isError).toBeFalsy();
      other.exec('BEGIN IMMEDIATE');
      let deposited = false;
      const waiting = srv.call('deposit_trace', { text: 'written once the lock is free', places: ['src/parser.ts'] }).then((r) => {
        deposited = true;
        return r;
      });
      // The server's event loop and connection stay free: reads are answered while the deposit waits.
      for (let i = 0; i < 3; i++) {
        const sensed = await srv.call('sense_place', { place: 'src/parser.ts' });
        expect(sensed.isError).toBeFalsy();
        expect(JSON.stringify(sensed.structuredContent)).toContain('before the lock is taken');
        await sleep(100);
      }
      expect(deposited).toBe(false);
      other.exec('COMMIT');
      const r = await waiting;
      expect(r.isError).toBeFalsy();
      const facts = storeFacts(store);
      expect([...facts.texts.values()].sort()).toEqual(['before the lock is taken', 'written once the lock is free']);
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      await srv.close();
    }
    expect(srv.stderr).not.toMatch(/SQLITE_BUSY|locked/iu);
  });
});
