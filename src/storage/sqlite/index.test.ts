import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStorage } from './index.js';
import { SCHEMA_VERSION } from './migrations.js';
import { makeTrace, storageContract, traceIndexing } from '../contract.js';
import type { StorageWriter } from '../types.js';
import type { Trace } from '../../traces/schema.js';
import { PhysarumError } from '../../errors/index.js';

const freshDir = (): string => fs.mkdtempSync(os.tmpdir() + '/physarum-');

storageContract('sqlite (file)', async () => {
  const dir = freshDir();
  const storage = SqliteStorage.open({ path: path.join(dir, 'store.db') });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStorage', () => {
  let dir: string;
  let file: string;
  const opened: SqliteStorage[] = [];
  const raws: Database.Database[] = [];

  beforeEach(() => {
    dir = freshDir();
    file = path.join(dir, 'store.db');
  });

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    for (const db of raws.splice(0)) if (db.open) db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function open(p: string = file): SqliteStorage {
    const s = SqliteStorage.open({ path: p });
    opened.push(s);
    return s;
  }

  /** A second, plain better-sqlite3 connection to the same file, bypassing the storage layer. */
  function raw(p: string = file, options: Database.Options = {}): Database.Database {
    const db = new Database(p, options);
    raws.push(db);
    return db;
  }

  function openError(p: string, options: { readonly?: boolean } = {}): PhysarumError {
    let s: SqliteStorage;
    try {
      s = SqliteStorage.open({ path: p, ...options });
    } catch (e) {
      if (e instanceof PhysarumError) return e;
      throw e;
    }
    opened.push(s);
    throw new Error(`expected opening ${p} to fail`);
  }

  async function deposit(storage: SqliteStorage, ...traces: Trace[]): Promise<void> {
    await storage.write(async (w) => {
      for (const t of traces) {
        await w.insertTrace(t, traceIndexing(t));
        await w.appendEvent({ type: 'trace.deposit', at: t.createdAt, actor: t.author, traceId: t.id });
      }
    });
  }

  /** Every byte the store has on disk: the main file and its WAL (the shared-memory index holds no content). */
  function bytesOnDisk(p: string = file): Buffer {
    const parts = [p, `${p}-wal`, `${p}-journal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f));
    return Buffer.concat(parts);
  }

  it('creates the file and its folder and keeps it in WAL mode', async () => {
    const nested = path.join(dir, 'a', 'b', 'store.db');
    const storage = open(nested);
    await storage.write((w) => w.setSetting('k', 'v'));
    expect(fs.existsSync(nested)).toBe(true);
    const db = raw(nested, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('keeps data across reopening', async () => {
    const first = open();
    const trace = makeTrace({ text: 'remember the kumquat', tags: ['fruit'], places: ['src/a.ts'], meta: { k: [1, 2] } });
    await deposit(first, trace);
    await first.write((w) => w.setSetting('half-life', '7d'));
    await first.close();

    const second = open();
    await second.read(async (r) => {
      expect(await r.getTrace(trace.id)).toStrictEqual(trace);
      expect(await r.getSetting('half-life')).toBe('7d');
      expect((await r.listEvents({ traceId: trace.id, limit: 10 })).map((e) => e.type)).toEqual(['trace.deposit']);
      expect((await r.searchText(['kumquat'], { statuses: ['live'] }, 10)).map((h) => h.head.id)).toEqual([trace.id]);
      expect((await r.strongestTraces({ statuses: ['live'], tags: ['fruit'], place: 'src' }, 10)).map((t) => t.id)).toEqual([trace.id]);
      const info = await r.info();
      expect(info).toMatchObject({ backend: 'sqlite', location: file, schemaVersion: SCHEMA_VERSION, traces: 1, events: 1 });
    });
  });

  it('refuses to change or delete events through a raw connection', async () => {
    const storage = open();
    const event = await storage.write((w) => w.appendEvent({ type: 'store.init', at: 1, actor: { name: 'Ada', role: 'human' }, reason: 'original' }));
    const db = raw();
    expect(() => db.prepare('UPDATE events SET reason = ?').run('rewritten')).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM events WHERE seq = ?').run(event.seq)).toThrow(/append-only/);
    db.close();
    expect(await storage.read((r) => r.getEvent(event.id))).toStrictEqual(event);
    expect((await storage.read((r) => r.info())).events).toBe(1);
  });

  it('fails to open a file of random bytes with STORAGE_CORRUPT and points at physarum doctor', () => {
    fs.writeFileSync(file, randomBytes(4096));
    const e = openError(file);
    expect(e.code).toBe('STORAGE_CORRUPT');
    expect(e.message).toContain('physarum doctor');
    expect(e.message).toContain(file);
  });

  it('fails to open a text file with STORAGE_CORRUPT and points at physarum doctor', () => {
    fs.writeFileSync(file, 'These are my notes, not a database.\n'.repeat(200));
    const e = openError(file);
    expect(e.code).toBe('STORAGE_CORRUPT');
    expect(e.message).toContain('physarum doctor');
    // The file is left as it was.
    expect(fs.readFileSync(file, 'utf8')).toBe('These are my notes, not a database.\n'.repeat(200));
  });

  it('migrates a store of schema 6, keeping its data, to indexes that hold only ingested sources and events with a subject', async () => {
    const first = open();
    const ingested = makeTrace({ text: 'from a document', source: 'ingest:notes/a.md#Intro' });
    await deposit(first, makeTrace({ text: 'an agent note' }), ingested);
    await first.write((w) => w.appendEvent({ type: 'trail.create', at: 1, actor: ingested.author, subject: 'trail-1' }));
    await first.close();
    opened.splice(0);
    const old = raw();
    old.exec(`DROP INDEX events_subject; CREATE INDEX events_subject ON events (subject, seq);
      DROP INDEX traces_ingest_source; CREATE INDEX traces_source ON traces (source); PRAGMA user_version = 6;`);
    old.close();

    const again = open();
    expect((await again.read((r) => r.tracesBySourcePrefix('ingest:notes/'))).map((t) => t.id)).toEqual([ingested.id]);
    expect((await again.read((r) => r.sourceEntries('ingest:'))).map((e) => e.id)).toEqual([ingested.id]);
    expect((await again.read((r) => r.listEvents({ subject: 'trail-1', limit: 10 }))).map((e) => e.type)).toEqual(['trail.create']);
    await again.close();
    opened.splice(0);

    const db = raw(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ('events_subject', 'traces_source', 'traces_ingest_source')").all();
    expect(indexes).toEqual([
      { name: 'events_subject', sql: 'CREATE INDEX events_subject ON events (subject, seq) WHERE subject IS NOT NULL' },
      { name: 'traces_ingest_source', sql: "CREATE INDEX traces_ingest_source ON traces (source) WHERE source GLOB 'ingest:*'" },
    ]);
    // Deposits leave both indexes alone; the lookups still use them.
    expect(db.prepare("SELECT count(*) AS n FROM traces INDEXED BY traces_ingest_source WHERE source GLOB 'ingest:*'").get()).toEqual({ n: 1 });
    const plan = (sql: string, ...args: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
    expect(plan("SELECT id FROM traces t WHERE t.source >= ? AND t.source < ? AND t.source GLOB 'ingest:*'", 'ingest:a', 'ingest:b')).toContain('traces_ingest_source');
    expect(plan('SELECT * FROM events WHERE subject = ? ORDER BY seq DESC LIMIT 5', 'trail-1')).toContain('events_subject');
  });

  it('refuses a store written by a newer schema with a clear message and leaves it unmigrated', async () => {
    const storage = open();
    await storage.write((w) => w.setSetting('k', 'v'));
    await storage.close();
    const db = raw();
    db.pragma('user_version = 999');
    db.close();

    for (const options of [{}, { readonly: true }]) {
      const e = openError(file, options);
      expect(e.code).toBe('STORAGE_UNAVAILABLE');
      expect(e.message).toMatch(/newer Physarum/);
      expect(e.message).toContain('999');
      expect(e.message).toMatch(/[Uu]pgrade/);
    }
    expect(raw(file, { readonly: true }).pragma('user_version', { simple: true })).toBe(999);
  });

  it('leaves no bytes of an erased trace or its annotations in the database file or its WAL', async () => {
    const storage = open();
    const secret = 'zanzibar-kumquat-7781';
    const annotationSecret = 'marmalade-quokka-5519';
    const erased = makeTrace({ text: `The launch code is ${secret}; never share it.`, tags: ['launch'], places: ['ops/launch.md'] });
    const kept = makeTrace({ text: 'The persimmon-ocelot-4412 runbook stays.', tags: ['launch'], places: ['ops/launch.md'] });
    await deposit(storage, erased, kept);
    await storage.write((w) =>
      w.insertAnnotation({
        id: 'A1',
        traceId: erased.id,
        stance: 'note',
        text: `also ${annotationSecret}`,
        author: { name: 'Ada', role: 'human' },
        createdAt: erased.createdAt + 1,
      }),
    );
    // The check below can see text: before the erasure both secrets are on disk.
    expect(bytesOnDisk().includes(secret)).toBe(true);
    expect(bytesOnDisk().includes(annotationSecret)).toBe(true);

    await storage.write((w) => w.eraseTrace(erased.id, '[forgotten]', erased.createdAt + 2));

    const disk = bytesOnDisk();
    expect(disk.includes(secret)).toBe(false);
    expect(disk.includes(annotationSecret)).toBe(false);
    expect(disk.includes('persimmon-ocelot-4412')).toBe(true);
    const hits = await storage.read((r) => r.searchText(['persimmon'], { statuses: ['live', 'archived', 'forgotten'] }, 10));
    expect(hits.map((h) => h.head.id)).toEqual([kept.id]);
    expect(await storage.read((r) => r.searchText(['zanzibar'], { statuses: ['live', 'archived', 'forgotten'] }, 10))).toEqual([]);
  });

  it('leaves no bytes of an erased long trace whose text spilled onto overflow pages', async () => {
    const storage = open();
    const secret = 'zanzibar-kumquat-7781';
    const filler = 'lorem ipsum dolor sit amet '.repeat(300);
    const erased = makeTrace({ text: `${filler}${secret} ${filler}${secret}` });
    const kept = makeTrace({ text: `${filler}persimmon-ocelot-4412` });
    await deposit(storage, erased, kept);
    expect(bytesOnDisk().includes(secret)).toBe(true);

    await storage.write((w) => w.eraseTrace(erased.id, '[forgotten]', erased.createdAt + 1));

    const disk = bytesOnDisk();
    expect(disk.includes(secret)).toBe(false);
    expect(disk.includes('persimmon-ocelot-4412')).toBe(true);
    expect((await storage.read((r) => r.getTrace(kept.id)))?.text).toBe(kept.text);
  });

  it('leaves no bytes of the erased words in the full-text index', async () => {
    const storage = open();
    // Words that stem to themselves and share no prefix with any other word in the store.
    const words = ['zanzibarx', 'quuxbarbaz', 'wyvernqqq'];
    const erased = makeTrace({ text: words.join(' ') });
    const kept = makeTrace({ text: 'plain kept words' });
    await deposit(storage, erased, kept);
    await storage.write((w) => w.eraseTrace(erased.id, '[forgotten]', erased.createdAt + 1));
    const disk = bytesOnDisk();
    for (const word of words) expect(disk.includes(word), word).toBe(false);
  });

  describe('the full-text index after the commit', () => {
    const matches = (db: Database.Database, word: string): number =>
      Number((db.prepare('SELECT count(*) AS n FROM traces_fts WHERE traces_fts MATCH ?').get(word) as { n: number }).n);

    it('takes new traces shortly after their commit, with no search asking for them', async () => {
      const storage = open();
      await deposit(storage, makeTrace({ text: 'gooseberry patch' }));
      const db = raw(file, { readonly: true });
      const until = Date.now() + 10_000;
      while (matches(db, 'gooseberry') === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect(matches(db, 'gooseberry')).toBe(1);
    });

    it('indexes a trace changed or erased before the index took it as it is now', async () => {
      const storage = open();
      const t = makeTrace({ text: 'loquat before' });
      const gone = makeTrace({ text: 'tamarillo erased' });
      await deposit(storage, t, gone);
      // Both still wait for the index: the change and the erasure catch it up first.
      const revised: Trace = { ...t, text: 'medlar after', version: 2 };
      await storage.write((w) => w.updateTrace(revised, traceIndexing(revised)));
      await storage.write((w) => w.eraseTrace(gone.id, '[forgotten]', gone.createdAt + 1));
      await storage.searchable();
      const db = raw(file, { readonly: true });
      expect([matches(db, 'loquat'), matches(db, 'medlar'), matches(db, 'tamarillo')]).toEqual([0, 1, 0]);
      raw().exec("INSERT INTO traces_fts (traces_fts, rank) VALUES ('integrity-check', 1)");
      expect((await storage.check()).filter((c) => !c.ok)).toEqual([]);
    });

    it('leaves the index entries alone when a change touches nothing indexed', async () => {
      const storage = open();
      const t = makeTrace({ text: 'quince jelly', tags: ['fruit'] });
      await deposit(storage, t);
      await storage.searchable();
      const db = raw(file, { readonly: true });
      const segments = (): number => Number((db.prepare('SELECT count(*) AS n FROM traces_fts_data').get() as { n: number }).n);
      const before = segments();
      const followed: Trace = { ...t, strength: t.strength + 1, follows: 1, version: 2 };
      await storage.write((w) => w.updateTrace(followed, traceIndexing(followed)));
      expect(segments()).toBe(before);
      const retagged: Trace = { ...followed, tags: ['fruit', 'preserve'], version: 3 };
      await storage.write((w) => w.updateTrace(retagged, traceIndexing(retagged)));
      expect(segments()).toBeGreaterThan(before);
      expect(matches(db, 'preserve')).toBe(1);
    });

    it('reports traces waiting for the index as waiting, not missing', async () => {
      const storage = open();
      await deposit(storage, makeTrace({ text: 'damson one' }), makeTrace({ text: 'damson two' }));
      const indexed = (await storage.check()).find((c) => c.name === 'every trace indexed');
      expect(indexed).toEqual({ name: 'every trace indexed', ok: true, detail: 'ok (2 new traces join it at the next flush)' });
      await storage.searchable();
      expect((await storage.check()).find((c) => c.name === 'every trace indexed')?.detail).toBe('ok');
    });
  });

  it('refuses writes made through the reader of read()', async () => {
    const storage = open();
    const error = await storage
      .read(async (r) => {
        // The reader is typed without write methods; a backend must not let a cast get around that.
        await (r as StorageWriter).setSetting('sneaky', 'yes');
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Error);
    expect(await storage.read((r) => r.getSetting('sneaky'))).toBeUndefined();
  });

  it('refuses to back up over an existing file, leaving it untouched', async () => {
    const storage = open();
    const target = path.join(dir, 'exists.db');
    fs.writeFileSync(target, 'keep me');
    await expect(storage.backup(target)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(fs.readFileSync(target, 'utf8')).toBe('keep me');
  });

  it('backs up to a file that opens as a store with the same data', async () => {
    const storage = open();
    const trace = makeTrace({ text: 'backed up kumquat', tags: ['fruit'] });
    await deposit(storage, trace);
    const copyPath = path.join(dir, 'copy.db');
    const { bytes } = await storage.backup(copyPath);
    expect(bytes).toBe(fs.statSync(copyPath).size);
    const copy = open(copyPath);
    // Whole as it opens: the trace was still waiting for the full-text index when the copy was taken.
    await copy.read(async (r) => {
      expect(await r.getTrace(trace.id)).toStrictEqual(trace);
      expect((await r.searchText(['kumquat'], { statuses: ['live'] }, 10)).map((h) => h.head.id)).toEqual([trace.id]);
      expect((await r.info()).events).toBe(1);
    });
    // The original keeps working after the backup.
    await storage.write((w) => w.setSetting('after-backup', 'yes'));
    expect(await storage.read((r) => r.getSetting('after-backup'))).toBe('yes');
  });
});
