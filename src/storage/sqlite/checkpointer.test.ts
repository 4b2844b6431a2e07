// Background checkpoints on real SQLite files: the worker copies the WAL into the database while the store
// stays open, the WAL starts over, nothing written is lost, and a worker that cannot run changes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStorage } from './index.js';
import { Checkpointer } from './checkpointer.js';
import { Physarum } from '../../physarum.js';

const agent = { name: 'aria-1', role: 'agent' as const };

let dir: string;
let file: string;
const closers: Array<() => Promise<void> | void> = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'physarum-ckpt-'));
  file = path.join(dir, 'store.db');
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function openStore(o: { backgroundCheckpoints?: boolean } = {}): { storage: SqliteStorage; physarum: Physarum } {
  const storage = SqliteStorage.open({ path: file, durability: 'normal', sharedCommits: false, ...o });
  const physarum = new Physarum({ storage, root: dir });
  closers.push(() => physarum.close());
  return { storage, physarum };
}

async function deposit(physarum: Physarum, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i++) {
    await physarum.deposit({ text: `note ${i}: the retry loop in the cache layer needs a jittered backoff`, places: [`src/cache/part-${i % 17}.ts`] }, agent);
  }
}

/** Frames in the WAL since it last started over, asked of a connection of its own. */
function walFrames(): number {
  const raw = new Database(file);
  try {
    raw.pragma('busy_timeout = 2000');
    return Number((raw.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]!.log);
  } finally {
    raw.close();
  }
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('background checkpoints', () => {
  it('copy the WAL into the database while the store stays open, and the WAL starts over after a pause', async () => {
    const { storage, physarum } = openStore();
    await deposit(physarum, 10);
    const sizeBefore = fs.statSync(file).size;
    await deposit(physarum, 290, 10);
    await until('a checkpoint round', () => (storage.checkpoints?.rounds ?? 0) > 0);
    expect(storage.checkpoints?.lastError).toBeUndefined();
    // A second after writing pauses, a round catches up, and the next write starts the WAL from the beginning.
    await new Promise((r) => setTimeout(r, 1_300));
    await until('the round in the pause', () => !storage.checkpoints!.inRound);
    await deposit(physarum, 1, 300);
    expect(fs.statSync(file).size).toBeGreaterThan(sizeBefore);
    // One deposit's pages, not the ~300 deposits' thousands of frames.
    expect(walFrames()).toBeLessThan(200);
    expect((await storage.info()).traces).toBe(301);
    expect((await storage.check()).filter((c) => !c.ok)).toEqual([]);
  });

  it('keep every write under a steady stream of writes, with the WAL bounded', async () => {
    const { storage, physarum } = openStore();
    // No pause at all: only the cap (and RESTART) can start the WAL over.
    await deposit(physarum, 1_200);
    await until('the last round', () => storage.checkpoints!.rounds > 0);
    expect(storage.checkpoints?.lastError).toBeUndefined();
    // 1,200 deposits write ~30,000 frames; what stays in the WAL is a cap's worth at most, plus a round's writes.
    expect(walFrames()).toBeLessThan(4_000 + 2_000);
    expect((await storage.info()).traces).toBe(1_200);
    const hits = await physarum.search({ query: 'jittered backoff', limit: 5 });
    expect(hits.results.length).toBe(5);
    expect((await storage.check()).filter((c) => !c.ok)).toEqual([]);
  });

  it('are off when asked: SQLite checkpoints inside commits, as it does by default', async () => {
    const { storage, physarum } = openStore({ backgroundCheckpoints: false });
    expect(storage.checkpoints).toBeUndefined();
    await deposit(physarum, 300);
    // Its threshold is 1000 pages: the WAL never holds much more than that.
    expect(walFrames()).toBeLessThan(1_000 + 200);
    expect((await storage.info()).traces).toBe(300);
  });

  it('fall back to SQLite checkpointing inside commits when the worker cannot run', async () => {
    const db = new Database(file);
    closers.push(() => void db.close());
    db.pragma('journal_mode = WAL');
    const ckpt = new Checkpointer({ db, path: file, synchronous: 'NORMAL', everyWrites: 1, driver: path.join(dir, 'no-such-driver.js') });
    closers.push(() => ckpt.close());
    db.exec('CREATE TABLE t (x)');
    ckpt.committed(1);
    await until('the worker to fail', () => ckpt.stats.lastError !== undefined);
    expect(ckpt.stats.lastError).toMatch(/no-such-driver/);
    // SQLite's own checkpoints never went off.

    expect(Number(db.pragma('wal_autocheckpoint', { simple: true }))).toBe(1000);
    // Nothing else changes: writes go on, and later commits do not try the worker again.
    db.prepare('INSERT INTO t VALUES (?)').run(1);
    ckpt.committed(1);
    expect(ckpt.stats.rounds).toBe(0);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
  });

  it('hand checkpoints back to SQLite when the worker stops', async () => {
    const db = new Database(file);
    closers.push(() => void db.close());
    db.pragma('journal_mode = WAL');
    const ckpt = new Checkpointer({ db, path: file, synchronous: 'NORMAL', everyWrites: 1 });
    closers.push(() => ckpt.close());
    db.exec('CREATE TABLE t (x)');
    ckpt.committed(1);
    await until('a round', () => ckpt.stats.rounds > 0);
    // Running, the worker has SQLite's checkpoints off on the writing connection.
    expect(Number(db.pragma('wal_autocheckpoint', { simple: true }))).toBe(0);
    await (ckpt as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await until('the stop to be noticed', () => ckpt.stats.lastError !== undefined);
    expect(Number(db.pragma('wal_autocheckpoint', { simple: true }))).toBe(1000);
  });

  it('stop with the store: close waits for the worker, and the file reopens whole', async () => {
    const { storage, physarum } = openStore();
    await deposit(physarum, 120);
    await until('a checkpoint round', () => (storage.checkpoints?.rounds ?? 0) > 0);
    await physarum.close();
    closers.pop();
    const again = openStore();
    expect((await again.storage.info()).traces).toBe(120);
    expect((await again.storage.check()).filter((c) => !c.ok)).toEqual([]);
  });
});
