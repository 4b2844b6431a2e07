// Group commit within a process and the shared committer between storages on one file, on real SQLite files.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStorage } from './index.js';
import { Physarum } from '../../physarum.js';
import { PhysarumError } from '../../errors/index.js';
import type { Trail } from '../../trails/types.js';

const agent = { name: 'aria-1', role: 'agent' as const };

function trail(name: string): Trail {
  return { id: `trail-${name}-${Math.random()}`, name, description: '', steps: [], author: agent, createdAt: 1 };
}

let dir: string;
let file: string;
const opened: SqliteStorage[] = [];
const open = (o: { sharedCommits?: boolean } = {}): SqliteStorage => {
  const s = SqliteStorage.open({ path: file, ...o });
  opened.push(s);
  return s;
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'physarum-group-'));
  file = path.join(dir, 'store.db');
});

afterEach(async () => {
  for (const s of opened.splice(0).reverse()) await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('write() group commit', () => {
  it('commits writes queued together in one transaction, each acknowledged', async () => {
    const storage = open({ sharedCommits: false });
    const before = storage.commitStats();
    await Promise.all(Array.from({ length: 20 }, (_, i) => storage.write((w) => w.setSetting(`k${i}`, String(i)))));
    const after = storage.commitStats();
    expect(after.writes - before.writes).toBe(20);
    expect(after.batches - before.batches).toBe(1);
    for (let i = 0; i < 20; i++) expect(await storage.read((r) => r.getSetting(`k${i}`))).toBe(String(i));
  });

  it('commits a lone write without waiting for a turn of the event loop, and yields one between back-to-back writes', async () => {
    const storage = open({ sharedCommits: false });
    await storage.write((w) => w.setSetting('warm', 'up'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    // A write arriving after the event loop has turned (one request at a time) commits at once.
    let turnedFirst = false;
    setImmediate(() => (turnedFirst = true));
    await storage.write((w) => w.setSetting('lone', 'write'));
    expect(turnedFirst).toBe(false);
    // Writes awaited back to back (all promise continuations) still let the event loop turn between commits,
    // so input from sockets (other processes' writes, other requests) gets in.
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    for (let i = 0; i < 20; i++) await storage.write((w) => w.setSetting(`loop${i}`, String(i)));
    ticking = false;
    expect(turns).toBeGreaterThanOrEqual(19);
    expect(await storage.read((r) => r.getSetting('loop19'))).toBe('19');
  });

  it('keeps batching writes that arrive in separate callbacks while writes come in together', async () => {
    const storage = open({ sharedCommits: false });
    await Promise.all(Array.from({ length: 5 }, (_, i) => storage.write((w) => w.setSetting(`together${i}`, String(i)))));
    const before = storage.commitStats();
    // Like requests read from several sockets in one turn: each callback submits one write.
    const writes = await Promise.all(
      Array.from({ length: 5 }, (_, i) => new Promise<void>((resolve, reject) => setImmediate(() => storage.write((w) => w.setSetting(`apart${i}`, String(i))).then(resolve, reject)))),
    );
    const after = storage.commitStats();
    expect(writes).toHaveLength(5);
    expect(after.writes - before.writes).toBe(5);
    expect(after.batches - before.batches).toBe(1);
  });

  it('fails a write that throws alone: its changes are rolled back and its batch-mates are stored', async () => {
    const storage = open({ sharedCommits: false });
    const before = storage.commitStats();
    const results = await Promise.allSettled([
      storage.write((w) => w.setSetting('first', 'stored')),
      storage.write(async (w) => {
        await w.setSetting('middle', 'half-written');
        await w.insertTrail(trail('never'));
        throw new PhysarumError('INVALID_INPUT', 'text: too long; shorten it');
      }),
      storage.write((w) => w.setSetting('last', 'stored')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'INVALID_INPUT' });
    expect(storage.commitStats().batches - before.batches).toBe(1);
    expect(await storage.read((r) => r.getSetting('first'))).toBe('stored');
    expect(await storage.read((r) => r.getSetting('last'))).toBe('stored');
    expect(await storage.read((r) => r.getSetting('middle'))).toBeUndefined();
    expect(await storage.read((r) => r.getTrail('never'))).toBeUndefined();
  });

  it('fails only the write that breaks a constraint in SQLite', async () => {
    const storage = open({ sharedCommits: false });
    await storage.write((w) => w.insertTrail(trail('start-here')));
    const results = await Promise.allSettled([
      storage.write((w) => w.insertTrail(trail('a'))),
      storage.write((w) => w.insertTrail(trail('start-here'))),
      storage.write((w) => w.insertTrail(trail('b'))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await storage.read((r) => r.listTrails())).map((t) => t.name).sort()).toEqual(['a', 'b', 'start-here']);
  });

  it('stores the valid deposits of a batch in which one deposit is refused', async () => {
    const p = new Physarum({ storage: open(), root: dir });
    const results = await Promise.allSettled([
      p.deposit({ text: 'the parser drops a byte order mark', places: ['src/parser.ts'] }, agent),
      p.deposit({ text: 'claims to be a person', trust: 'human' }, agent),
      p.deposit({ text: 'the lexer keeps line endings', places: ['src/lexer.ts'] }, agent),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'INVALID_INPUT', field: 'trust' });
    expect((await p.storage.read((r) => r.info())).traces).toBe(2);
  });

  it('waits for another process\'s write lock without blocking the event loop, then writes', async () => {
    const storage = open({ sharedCommits: false });
    const other = new Database(file);
    try {
      other.exec('BEGIN IMMEDIATE');
      let written = false;
      const write = storage.write((w) => w.setSetting('after-wait', 'yes')).then(() => (written = true));
      // A timer fires while the write waits: the process can still serve other work.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(written).toBe(false);
      expect(storage.commitStats().lockRetries).toBeGreaterThan(0);
      other.exec('COMMIT');
      await write;
      expect(await storage.read((r) => r.getSetting('after-wait'))).toBe('yes');
    } finally {
      other.close();
    }
  });
});

describe('writePortable() shared committer', () => {
  it('sends the deposits of a second storage on the file to the committer, which stores them', async () => {
    const first = new Physarum({ storage: open(), root: dir });
    const second = new Physarum({ storage: open(), root: dir });
    await first.deposit({ text: 'the first storage becomes the committer', places: ['topic:a'] }, agent);
    const sent = await second.deposit({ text: 'the second one sends its deposit', places: ['topic:b'] }, agent);
    expect((first.storage as SqliteStorage).commitStats()).toMatchObject({ committer: true, writes: 2 });
    expect((second.storage as SqliteStorage).commitStats()).toMatchObject({ committer: false, sent: 1, writes: 0 });
    expect(await first.get(sent.trace.id)).toMatchObject({ trace: { text: 'the second one sends its deposit', places: ['topic:b'] } });
  });

  it('listens on a socket only its own user may open', async () => {
    const first = new Physarum({ storage: open(), root: dir });
    await first.deposit({ text: 'the first storage becomes the committer', places: ['topic:a'] }, agent);
    const sock = fs.readdirSync(dir).find((n) => n.endsWith('.sock'));
    expect(sock).toBeDefined();
    expect(fs.statSync(path.join(dir, sock ?? '')).mode & 0o777).toBe(0o600);
  });

  it('returns the committer\'s refusal to the sender with its code and details', async () => {
    const first = new Physarum({ storage: open(), root: dir });
    const second = new Physarum({ storage: open(), root: dir });
    await first.deposit({ text: 'committer', places: ['topic:a'] }, agent);
    const refuse = {
      name: 'test.refuse/1',
      apply: () => Promise.reject(new PhysarumError('CONFLICT', 'held by aria-2', { details: { holder: 'aria-2' } })),
      receipt: () => null,
      replay: () => Promise.resolve(null),
    };
    // The committer knows the op once it has used it itself.
    await expect(first.storage.writePortable(refuse, {})).rejects.toMatchObject({ code: 'CONFLICT' });
    const refused = await second.storage.writePortable(refuse, {}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PhysarumError);
    expect(refused).toMatchObject({ code: 'CONFLICT', message: 'held by aria-2', details: { holder: 'aria-2' } });
    expect((second.storage as SqliteStorage).commitStats()).toMatchObject({ sent: 1, lost: 0, writes: 0 });
  });

  it('applies a write itself when the committer does not know it (another version)', async () => {
    const first = new Physarum({ storage: open(), root: dir });
    const second = new Physarum({ storage: open(), root: dir });
    await first.deposit({ text: 'committer', places: ['topic:a'] }, agent);
    const newer = {
      name: 'test.newer/1',
      apply: async (w: Parameters<Parameters<SqliteStorage['write']>[0]>[0]) => {
        await w.setSetting('newer', 'applied');
        return 'done';
      },
      receipt: () => null,
      replay: () => Promise.resolve('done'),
    };
    expect(await second.storage.writePortable(newer, {})).toBe('done');
    expect((second.storage as SqliteStorage).commitStats()).toMatchObject({ sent: 1, lost: 1, writes: 1 });
    expect(await first.storage.read((r) => r.getSetting('newer'))).toBe('applied');
  });

  it('takes over as committer when the committer closes, and loses no deposit', async () => {
    const first = new Physarum({ storage: open(), root: dir });
    const second = new Physarum({ storage: open(), root: dir });
    await first.deposit({ text: 'before the committer goes', places: ['topic:a'] }, agent);
    await second.deposit({ text: 'sent to the committer', places: ['topic:a'] }, agent);
    await first.close();
    // The first may still go to the closed connection (then it is written here); the next finds no committer.
    await second.deposit({ text: 'as the committer goes', places: ['topic:a'] }, agent);
    const after = await second.deposit({ text: 'after the committer went', places: ['topic:a'] }, agent);
    expect((second.storage as SqliteStorage).commitStats().committer).toBe(true);
    expect(await second.get(after.trace.id)).toMatchObject({ trace: { text: 'after the committer went' } });
    expect((await second.storage.read((r) => r.info())).traces).toBe(4);
  });

  it('sends the writes of a committer that leaves on to the one of its writers that takes over, once each', async () => {
    const first = new Physarum({ storage: open(), root: dir });
    const second = new Physarum({ storage: open(), root: dir });
    const third = new Physarum({ storage: open(), root: dir });
    await first.deposit({ text: 'the first storage becomes the committer', places: ['topic:a'] }, agent);
    await second.deposit({ text: 'the second connects', places: ['topic:a'] }, agent);
    await third.deposit({ text: 'the third connects', places: ['topic:a'] }, agent);
    // Both deposits are on their way when the committer starts to leave: it answers that it is closing.
    const inFlight = [
      second.deposit({ text: 'from the second as the committer leaves', places: ['topic:b'] }, agent),
      third.deposit({ text: 'from the third as the committer leaves', places: ['topic:b'] }, agent),
    ];
    const closing = first.close();
    const deposited = await Promise.all(inFlight);
    await closing;
    const stats = [second, third].map((p) => (p.storage as SqliteStorage).commitStats());
    // One of the two takes over; the other sends its write on to it rather than writing it itself.
    expect(stats.filter((s) => s.committer)).toHaveLength(1);
    const sender = stats.find((s) => !s.committer);
    expect(sender).toMatchObject({ sent: 2, lost: 1, resent: 1, writes: 0 });
    expect(stats.find((s) => s.committer)).toMatchObject({ lost: 1, resent: 0 });
    for (const r of deposited) expect(await second.get(r.trace.id)).toMatchObject({ trace: { id: r.trace.id } });
    const texts = await second.storage.read((r) => r.info());
    expect(texts.traces).toBe(5);
  });

  it('never has a deposit asked to be synced committed by a process opened with durability normal', async () => {
    const normal = new Physarum({ storage: SqliteStorage.open({ path: file, durability: 'normal' }), root: dir });
    opened.push(normal.storage as SqliteStorage);
    const full = new Physarum({ storage: open(), root: dir });
    await normal.deposit({ text: 'committed without a sync', places: ['topic:a'] }, agent);
    await full.deposit({ text: 'committed with a sync', places: ['topic:a'] }, agent);
    expect((normal.storage as SqliteStorage).commitStats()).toMatchObject({ committer: true, writes: 1 });
    expect((full.storage as SqliteStorage).commitStats()).toMatchObject({ committer: true, sent: 0, writes: 1 });
  });

  it('does not share commits for a read-only or in-memory store, or when turned off', async () => {
    const off = new Physarum({ storage: open({ sharedCommits: false }), root: dir });
    await off.deposit({ text: 'committed by this process itself' }, agent);
    expect((off.storage as SqliteStorage).commitStats()).toMatchObject({ committer: false, sent: 0, writes: 1 });
    expect(fs.existsSync(`${file}.sock`)).toBe(false);
    const memory = SqliteStorage.open({ path: ':memory:' });
    const p = new Physarum({ storage: memory, root: dir });
    await p.deposit({ text: 'in memory' }, agent);
    expect(memory.commitStats()).toMatchObject({ committer: false, sent: 0, writes: 1 });
    await memory.close();
  });
});
