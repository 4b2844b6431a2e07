// The embedded backend: one SQLite file (WAL), safe for many processes, implementing the storage interface.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { HealthCheck, Neighbour, PortableWrite, SourceEntry, Storage, StorageInfo, StorageReader, StorageWriter, TextHit, TraceFilters, TraceHead, TraceIndexing } from '../types.js';
import type { EventQuery, NewEvent, PalimpsestEvent } from '../../palimpsest/events.js';
import type { Annotation, Trace, TraceStatus } from '../../traces/schema.js';
import type { IdentityVersion, IdentityVersionStatus } from '../../identity/types.js';
import type { Trail } from '../../trails/types.js';
import { PhysarumError } from '../../errors/index.js';
import { newId } from '../../ids.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import {
  type Row,
  authorToJson,
  identityVersionToRow,
  rowToAnnotation,
  rowToEvent,
  rowToIdentityVersion,
  rowToIndexedText,
  rowToTrace,
  rowToTrail,
  traceToRow,
  rowToClaim,
  rowToHandoff,
  rowToInstance,
  rowToMessage,
  rowToMovement,
  rowToSourceEntry,
  valuesToTraceHead,
} from './rows.js';
import type { Movement } from '../../trails/types.js';
import type { Claim, Handoff, Instance, Message } from '../../board/types.js';
import { Mutex } from './mutex.js';
import { mapSqliteError } from './errors.js';
import { GroupCommit } from './group-commit.js';
import { SharedWrites } from './shared-writes.js';
import { Checkpointer } from './checkpointer.js';
import { NO_COUNTS, rankText, rescore, TokenCountCache, type Ranked, type TokenCounts } from './search.js';

export type Durability = 'full' | 'normal';

export interface SqliteOptions {
  /** Path of the database file; created with its folder if missing. ':memory:' for a throwaway store. */
  path: string;
  /**
   * 'full' (default): every acknowledged write is on disk before it is acknowledged (fsync per commit),
   * surviving power loss. 'normal': survives a killed process but may lose the last commits on power loss.
   */
  durability?: Durability;
  /** How long a writer waits for another process's write lock before giving up, in ms. */
  busyTimeoutMs?: number;
  readonly?: boolean;
  /**
   * true (default): portable writes (deposits, follows) of every process on this file with the same
   * durability are committed together by one of them, over a Unix socket beside the file (`<file>.sock`,
   * `<file>.normal.sock`). false: this process commits its own.
   */
  sharedCommits?: boolean;
  /**
   * true (default): a worker thread with its own connection checkpoints the WAL into the database file, so
   * no write waits for it. false: SQLite does it inside the commit that crosses its threshold.
   */
  backgroundCheckpoints?: boolean;
}

const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

const TRACE_COLS =
  't.seq, t.id, t.text, t.kind, t.source, t.trust, t.status, t.author_name, t.author_role, t.author_model, t.created_at, t.updated_at, t.strength, t.strength_at, t.follows, t.version, t.places, t.tags, t.meta';

/** The columns valuesToTraceHead() reads, in its order. */
const HEAD_COLS = 't.seq, t.id, t.author_name, t.created_at, t.strength, t.strength_at';

/**
 * New traces join the full-text index in batches, after their own commit: at most this long after it (ms),
 * sooner when a search needs them (searchable()) or when INDEX_BATCH are waiting. One index flush per
 * batch instead of one per deposit takes about a third off a lone deposit.
 */
const INDEX_DELAY_MS = 20;
const INDEX_BATCH = 512;
/** Traces read at a time while catching the index up. */
const INDEX_CHUNK = 1000;

const FTS_INSERT = 'INSERT INTO traces_fts (rowid, text, tags, places, author) VALUES (?, ?, ?, ?, ?)';
const FTS_DELETE = "INSERT INTO traces_fts (traces_fts, rowid, text, tags, places, author) VALUES ('delete', ?, ?, ?, ?, ?)";

/** How much memory rescoring's token counts may take: some thousands of traces, the candidates of many searches. */
const TOKEN_COUNTS_BYTES = 16 * 2 ** 20;

/** A key that determines a trace's indexed values exactly, from its stored columns: lengths first, so no two differ only in where one ends. */
function indexedKey(row: Row): string {
  const text = String(row['text']);
  const tags = String(row['tags']);
  const places = String(row['places']);
  return `${text.length},${tags.length},${places.length}:${text}${tags}${places}${String(row['author_name'])}`;
}

/**
 * Traces whose source starts with a prefix (two parameters: the prefix and its end). A range instead of LIKE,
 * so no character in the prefix acts as a wildcard; for ingested sources, the literal GLOB term lets SQLite use
 * the index that holds only those (traces_ingest_source).
 */
function sourcePrefixClause(prefix: string): string {
  const range = 't.source >= ? AND t.source < ?';
  return prefix.startsWith('ingest:') ? `${range} AND t.source GLOB 'ingest:*'` : range;
}

/** Builds the WHERE clauses for trace filters; `t` is the traces alias. */
function filterClauses(f: TraceFilters): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  clauses.push(`t.status IN (${f.statuses.map(() => '?').join(', ')})`);
  params.push(...f.statuses);
  if (f.kinds && f.kinds.length > 0) {
    clauses.push(`t.kind IN (${f.kinds.map(() => '?').join(', ')})`);
    params.push(...f.kinds);
  }
  if (f.author !== undefined) {
    clauses.push('t.author_name = ?');
    params.push(f.author);
  }
  if (f.since !== undefined) {
    clauses.push('t.created_at >= ?');
    params.push(f.since);
  }
  if (f.minStrengthKey !== undefined) {
    clauses.push('t.decay_key >= ?');
    params.push(f.minStrengthKey);
  }
  for (const tag of f.tags ?? []) {
    clauses.push('EXISTS (SELECT 1 FROM trace_tags g WHERE g.trace_seq = t.seq AND g.tag = ?)');
    params.push(tag);
  }
  if (f.place !== undefined) {
    // "At or below": the place itself, anything under it as a folder/URL/topic, and its sections.
    const base = f.place.endsWith('/') ? f.place : `${f.place}/`;
    clauses.push(
      `EXISTS (SELECT 1 FROM trace_places p WHERE p.trace_seq = t.seq AND (p.place = ? OR (p.place >= ? AND p.place < ?) OR (p.place >= ? AND p.place < ?)))`,
    );
    params.push(f.place, base, `${base}\u{10FFFF}`, `${f.place}#`, `${f.place}$`);
  }
  return { sql: clauses.join(' AND '), params };
}

export class SqliteStorage implements Storage, StorageWriter {
  readonly backend = 'sqlite';
  readonly location: string;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly rawStatements = new Map<string, Database.Statement>();
  private readonly mutex = new Mutex();
  private readonly group: GroupCommit;
  private readonly shared: SharedWrites;
  private readonly checkpointer: Checkpointer | undefined;
  private erasedInThisWrite = false;
  /** What rescoring derives from candidates' text, by their indexed values (see TokenCountCache). */
  private readonly tokenCounts = new TokenCountCache(TOKEN_COUNTS_BYTES);
  /** True only while a write transaction runs: reads must not write, even though they hold a transaction. */
  private writing = false;
  private readonly readonlyStore: boolean;
  /** Traces this process inserted since it last caught the full-text index up: a hint; the tables are the truth. */
  private unindexed = 0;
  private indexTimer: NodeJS.Timeout | undefined;
  private closing = false;

  private constructor(
    db: Database.Database,
    location: string,
    o: { busyTimeoutMs: number; sharedCommits: boolean; durability: Durability; backgroundCheckpoints: boolean; readonly: boolean },
  ) {
    this.db = db;
    this.location = location;
    this.readonlyStore = o.readonly;
    this.checkpointer = o.backgroundCheckpoints
      ? new Checkpointer({ db, path: location, synchronous: o.durability === 'normal' ? 'NORMAL' : 'FULL' })
      : undefined;
    this.group = new GroupCommit({
      db,
      lockTimeoutMs: o.busyTimeoutMs,
      busyTimeoutMs: o.busyTimeoutMs,
      exclusive: (fn) => this.mutex.run(fn),
      onBatch: (active) => {
        this.writing = active;
        if (active) this.erasedInThisWrite = false;
      },
      afterCommit: (writes) => {
        if (this.erasedInThisWrite) this.scrubWal();
        this.checkpointer?.committed(writes);
        this.scheduleIndexing();
      },
      mapError: (e) => mapSqliteError(e, this.location),
    });
    this.shared = new SharedWrites({
      db,
      location,
      share: o.sharedCommits,
      durability: o.durability,
      busyTimeoutMs: o.busyTimeoutMs,
      write: (fn) => this.write(fn),
      // Nothing is written: the write lock only serialises the election.
      elect: (fn) => this.group.locked(fn),
    });
  }

  /** Group-commit counters of this process (transactions, writes in them, retries for the lock) and its role. */
  commitStats(): { batches: number; writes: number; lockRetries: number; committer: boolean; sent: number; lost: number; resent: number } {
    return { ...this.group.stats, ...this.shared.routed, committer: this.shared.isCommitter };
  }

  static open(options: SqliteOptions): SqliteStorage {
    const { path } = options;
    if (path !== ':memory:') {
      if (isFolder(path)) {
        throw new PhysarumError('STORAGE_UNAVAILABLE', `${path} is a folder, not a store file; give the path of the file, e.g. ${join(path, 'physarum.db')}.`);
      }
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (e) {
        // A folder that cannot be made (a file in the way, no permission) is an unusable store, not a bug.
        const mapped = mapSqliteError(e, path);
        throw mapped instanceof PhysarumError
          ? mapped
          : new PhysarumError('STORAGE_UNAVAILABLE', `Cannot create the folder for the store at ${path} (${e instanceof Error ? e.message : String(e)}). Check that the path is right and writable.`, { cause: e });
      }
    }
    let db: Database.Database | undefined;
    try {
      const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
      db = new Database(path, { readonly: options.readonly ?? false, timeout: busyTimeoutMs });
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        // When the WAL starts over it is cut back to this size, so a burst does not leave its largest WAL
        // behind for good. Above what it reaches while checkpoint rounds keep up (measured: ~20 MiB over MCP,
        // up to ~55 MiB with deposits back to back in one process): a commit that extends the file syncs
        // slower than one that overwrites it (0.75 -> 0.9 ms per deposit with a limit of 8 MiB).
        db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
      }
      db.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
      // Security: zero the bytes of deleted content so forgotten text does not linger in free pages.
      db.pragma('secure_delete = ON');
      db.pragma('foreign_keys = ON');
      // Savepoints (one per write in a group commit) keep the pages they change in a sub-journal: in memory
      // it costs a fraction of a temporary file (measured: 0.30 -> 0.24 ms per deposit).
      db.pragma('temp_store = MEMORY');
      const sharedCommits = (options.sharedCommits ?? true) && !options.readonly && path !== ':memory:';
      const backgroundCheckpoints = (options.backgroundCheckpoints ?? true) && !options.readonly && path !== ':memory:';
      const storage = new SqliteStorage(db, path, { busyTimeoutMs, sharedCommits, durability: options.durability ?? 'full', backgroundCheckpoints, readonly: options.readonly ?? false });
      if (!options.readonly) storage.migrate();
      else storage.checkVersion();
      return storage;
    } catch (e) {
      db?.close();
      throw mapSqliteError(e, path);
    }
  }

  private migrate(): void {
    const current = this.userVersion();
    if (current === SCHEMA_VERSION) return;
    this.checkVersion();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      // Another process may have migrated while we waited for the lock.
      for (let v = this.userVersion(); v < SCHEMA_VERSION; v++) {
        this.db.exec(MIGRATIONS[v] ?? '');
        this.db.pragma(`user_version = ${v + 1}`);
      }
      this.db.exec('COMMIT');
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }

  private checkVersion(): void {
    const v = this.userVersion();
    if (v > SCHEMA_VERSION) {
      throw new PhysarumError(
        'STORAGE_UNAVAILABLE',
        `This store was written by a newer Physarum (schema ${v}; this version knows ${SCHEMA_VERSION}). Upgrade physarum to open it.`,
      );
    }
  }

  private userVersion(): number {
    return Number(this.db.pragma('user_version', { simple: true }));
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private all(sql: string, params: unknown[] = []): Row[] {
    return this.stmt(sql).all(...params) as Row[];
  }
  /**
   * Rows as arrays of their values in the order selected. better-sqlite3 builds an object per row at about a
   * microsecond each; this is for the reads of many rows on every search.
   */
  private values(sql: string, params: unknown[] = []): unknown[][] {
    let s = this.rawStatements.get(sql);
    if (!s) {
      s = this.db.prepare(sql).raw(true);
      this.rawStatements.set(sql, s);
    }
    return s.all(...params) as unknown[][];
  }
  private get(sql: string, params: unknown[] = []): Row | undefined {
    return this.stmt(sql).get(...params) as Row | undefined;
  }
  private run(sql: string, params: unknown[] = []): Database.RunResult {
    return this.stmt(sql).run(...params);
  }

  // ---- transactions -------------------------------------------------------------------------

  read<T>(fn: (r: StorageReader) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      try {
        this.db.exec('BEGIN');
        try {
          return await fn(this);
        } finally {
          if (this.db.inTransaction) this.db.exec('COMMIT');
        }
      } catch (e) {
        throw mapSqliteError(e, this.location);
      }
    });
  }

  write<T>(fn: (w: StorageWriter) => Promise<T>): Promise<T> {
    // Committed together with whatever other writes are queued meanwhile, each in its own savepoint.
    return this.group.submit(() => fn(this));
  }

  writePortable<P, R>(op: PortableWrite<P, R>, payload: P): Promise<R> {
    return this.shared.write(op, payload);
  }

  /** Security: old page images in the WAL may still hold erased text; fold them into the main file (zeroed there) and truncate the WAL. */
  private scrubWal(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Busy readers can keep the WAL alive; the next checkpoint overwrites it. Nothing is lost either way.
    }
  }

  /** Background checkpoint rounds run, the WAL's frames after the last one, and its last error (undefined when off). */
  get checkpoints(): Readonly<Checkpointer['stats']> | undefined {
    return this.checkpointer?.stats;
  }

  async close(): Promise<void> {
    // Stop taking writes from other processes (they fall back to writing themselves), finish our own, then close.
    await this.shared.drain();
    await this.group.idle();
    // Leave the index complete, so the next reader of the file has nothing to catch up.
    this.closing = true;
    clearTimeout(this.indexTimer);
    try {
      await this.searchable();
    } catch {
      // The traces stay committed; the next search on the file catches the index up.
    }
    this.shared.close();
    await this.checkpointer?.close();
    await this.mutex.run(async () => {
      if (this.db.open) this.db.close();
    });
  }

  // ---- the full-text index ------------------------------------------------------------------

  /**
   * Makes every committed trace findable by searchText(), this process's and other processes' alike: traces
   * join the index shortly after their commit, so a search catches it up first. Costs one lookup when it is
   * complete. A read-only store cannot write the index: it finds what its writers have flushed (they do
   * within INDEX_DELAY_MS, and when they close).
   */
  async searchable(): Promise<void> {
    if (this.readonlyStore) return;
    if (this.unindexed === 0 && !(await this.read(async () => this.indexBehind()))) return;
    await this.write(async () => {
      this.indexPending();
    });
  }

  private indexBehind(): boolean {
    const row = this.get('SELECT (SELECT coalesce(max(seq), 0) FROM traces) > indexed_seq AS behind FROM text_index_state WHERE id = 1');
    return Number(row?.['behind'] ?? 0) === 1;
  }

  private scheduleIndexing(): void {
    if (this.unindexed === 0 || this.closing) return;
    if (this.unindexed >= INDEX_BATCH) {
      clearTimeout(this.indexTimer);
      this.indexTimer = undefined;
      void this.catchUpIndex();
      return;
    }
    // unref: a pending flush never keeps a process alive; close() flushes, and searches catch up.
    this.indexTimer ??= setTimeout(() => {
      this.indexTimer = undefined;
      void this.catchUpIndex();
    }, INDEX_DELAY_MS).unref();
  }

  /** Flushes the traces waiting for the index. A failure leaves them waiting: the next flush or search takes them. */
  private async catchUpIndex(): Promise<void> {
    try {
      await this.searchable();
    } catch {
      // Nothing is lost: the traces are committed, and every search catches the index up before it runs.
    }
  }

  /**
   * Adds every trace above the index's high-water mark to the full-text index, in the write transaction that
   * is running. Runs before any index entry is changed or removed, so only entries that exist are removed.
   */
  private indexPending(): void {
    this.requireWrite();
    const state = this.get('SELECT indexed_seq AS done, (SELECT coalesce(max(seq), 0) FROM traces) AS top FROM text_index_state WHERE id = 1');
    const top = Number(state?.['top'] ?? 0);
    let done = Number(state?.['done'] ?? 0);
    this.unindexed = 0;
    if (top <= done) return;
    while (done < top) {
      const rows = this.all("SELECT seq, text, tags, places, author_name FROM traces WHERE seq > ? AND seq <= ? AND status <> 'forgotten' ORDER BY seq LIMIT ?", [
        done,
        top,
        INDEX_CHUNK,
      ]);
      for (const r of rows) this.run(FTS_INSERT, [Number(r['seq']), ...SqliteStorage.ftsValues(rowToIndexedText(r))]);
      done = rows.length < INDEX_CHUNK ? top : Number(rows[rows.length - 1]?.['seq']);
    }
    this.run('UPDATE text_index_state SET indexed_seq = ? WHERE id = 1', [top]);
  }

  // ---- reads --------------------------------------------------------------------------------

  async getSetting(key: string): Promise<string | undefined> {
    const row = this.get('SELECT value FROM settings WHERE key = ?', [key]);
    return row === undefined ? undefined : String(row['value']);
  }

  async getTrace(id: string): Promise<Trace | undefined> {
    const row = this.get(`SELECT ${TRACE_COLS} FROM traces t WHERE t.id = ?`, [id]);
    return row === undefined ? undefined : rowToTrace(row);
  }

  async getTraces(ids: string[]): Promise<Trace[]> {
    if (ids.length === 0) return [];
    const rows = this.all(`SELECT ${TRACE_COLS} FROM traces t WHERE t.id IN (SELECT value FROM json_each(?))`, [JSON.stringify(ids)]);
    const byId = new Map(rows.map((r) => [String(r['id']), rowToTrace(r)]));
    return ids.flatMap((id) => {
      const t = byId.get(id);
      return t ? [t] : [];
    });
  }

  async tracesBySourcePrefix(prefix: string): Promise<Trace[]> {
    return this.all(`SELECT ${TRACE_COLS} FROM traces t WHERE ${sourcePrefixClause(prefix)} ORDER BY t.seq`, [prefix, `${prefix}\u{10FFFF}`]).map(
      rowToTrace,
    );
  }

  async sourceEntries(prefix: string): Promise<SourceEntry[]> {
    const rows = this.all(
      `SELECT t.id, t.source, t.status, t.places, t.tags, json_extract(t.meta, '$.hash') AS hash, json_extract(t.meta, '$.format') AS format
       FROM traces t WHERE ${sourcePrefixClause(prefix)} ORDER BY t.seq`,
      [prefix, `${prefix}\u{10FFFF}`],
    );
    return rows.map(rowToSourceEntry);
  }

  async tracesByContentHash(hash: string, statuses: TraceStatus[]): Promise<Trace[]> {
    return this.all(
      `SELECT ${TRACE_COLS} FROM traces t WHERE t.content_hash = ? AND t.status IN (SELECT value FROM json_each(?)) ORDER BY t.seq`,
      [hash, JSON.stringify(statuses)],
    ).map(rowToTrace);
  }

  async tracesAtPlaces(places: string[], filters: TraceFilters, limit: number): Promise<Trace[]> {
    if (places.length === 0) return [];
    const f = filterClauses(filters);
    const rows = this.all(
      `SELECT ${TRACE_COLS} FROM traces t
       WHERE t.seq IN (SELECT trace_seq FROM trace_places WHERE place IN (SELECT value FROM json_each(?)))
         AND ${f.sql}
       ORDER BY t.decay_key DESC, t.seq DESC LIMIT ?`,
      [JSON.stringify(places), ...f.params, limit],
    );
    return rows.map(rowToTrace);
  }

  async strongestTraces(filters: TraceFilters, limit: number): Promise<Trace[]> {
    const f = filterClauses(filters);
    const rows = this.all(`SELECT ${TRACE_COLS} FROM traces t WHERE ${f.sql} ORDER BY t.decay_key DESC, t.seq DESC LIMIT ?`, [
      ...f.params,
      limit,
    ]);
    return rows.map(rowToTrace);
  }

  async authorsAmong(names: string[]): Promise<string[]> {
    if (names.length === 0) return [];
    return this.all('SELECT DISTINCT author_name FROM traces WHERE author_name IN (SELECT value FROM json_each(?))', [JSON.stringify(names)]).map((r) =>
      String(r['author_name']),
    );
  }

  async searchText(terms: string[], filters: TraceFilters, limit: number): Promise<TextHit[]> {
    if (terms.length === 0) return [];
    const f = filterClauses(filters);
    const query = (sql: string, params: unknown[]): Row[] => this.all(sql, params);
    // First the best rows from the index alone (no join per match), then their heads through the filters.
    // If the filters leave too few, the ranking runs again with the filters joined in.
    // A quarter more than asked, for the few traces the filters usually drop.
    const best = rankText(query, terms, { pool: limit + Math.ceil(limit / 4) });
    const found = this.rankedHits(best, f);
    if (found.length >= limit || best.exhaustive) return found.slice(0, limit);
    return this.rankedHits(rankText(query, terms, { pool: limit, filter: f }), f).slice(0, limit);
  }

  /** The heads of ranked candidates that pass the filters, with their final scores, best first. */
  private rankedHits(ranked: Ranked, f: { sql: string; params: unknown[] }): TextHit[] {
    // Only common words are scored from the candidates' text (rescore()); without them no text is read.
    const texts = ranked.common.length > 0 ? ', t.text, t.tags, t.places' : '';
    // NOT INDEXED: fetch the few candidates by rowid; the planner would otherwise scan every live trace by status.
    const rows = this.values(`SELECT ${HEAD_COLS}${texts} FROM traces t NOT INDEXED WHERE t.seq IN (SELECT value FROM json_each(?)) AND ${f.sql}`, [
      JSON.stringify(ranked.hits.map((h) => h.seq)),
      ...f.params,
    ]);
    const heads = new Map<number, TraceHead>();
    const counts = new Map<number, TokenCounts>();
    for (const r of rows) {
      const seq = Number(r[0]);
      heads.set(seq, valuesToTraceHead(r));
      // HEAD_COLS, then the texts.
      const [, , author_name, , , , text, tags, places] = r;
      const stored = { text, tags, places, author_name };
      counts.set(seq, texts === '' ? NO_COUNTS : this.tokenCounts.of(indexedKey(stored), () => rowToIndexedText(stored)));
    }
    return rescore(ranked, counts).flatMap(({ seq, score }) => {
      const head = heads.get(seq);
      return head === undefined ? [] : [{ head, textScore: score }];
    });
  }

  async neighbours(ids: string[], o: { span: number; withinMs: number; filters: TraceFilters }): Promise<Neighbour[]> {
    if (ids.length === 0) return [];
    const f = filterClauses(o.filters);
    const rows = this.values(
      // NOT INDEXED: read the few neighbours by row-number range; the planner would otherwise scan every live trace by status.
      `SELECT ${HEAD_COLS}, h.id AS of_id, t.seq - h.seq AS distance
       FROM traces h JOIN traces t NOT INDEXED ON t.seq BETWEEN h.seq - ? AND h.seq + ? AND t.seq <> h.seq
       WHERE h.id IN (SELECT value FROM json_each(?)) AND abs(t.created_at - h.created_at) <= ? AND ${f.sql}`,
      [o.span, o.span, JSON.stringify(ids), o.withinMs, ...f.params],
    );
    // The six HEAD_COLS, then of_id and distance.
    return rows.map((r) => ({ of: String(r[6]), distance: Number(r[7]), head: valuesToTraceHead(r) }));
  }

  async annotationsOf(traceId: string): Promise<Annotation[]> {
    return this.all('SELECT * FROM annotations WHERE trace_id = ? ORDER BY created_at, id', [traceId]).map(rowToAnnotation);
  }

  async listEvents(q: EventQuery): Promise<PalimpsestEvent[]> {
    const clauses: string[] = ['1 = 1'];
    const params: unknown[] = [];
    if (q.traceId !== undefined) (clauses.push('trace_id = ?'), params.push(q.traceId));
    if (q.subject !== undefined) (clauses.push('subject = ?'), params.push(q.subject));
    if (q.actorName !== undefined) (clauses.push('actor_name = ?'), params.push(q.actorName));
    if (q.types && q.types.length > 0) (clauses.push(`type IN (${q.types.map(() => '?').join(', ')})`), params.push(...q.types));
    if (q.since !== undefined) (clauses.push('at >= ?'), params.push(q.since));
    if (q.beforeSeq !== undefined) (clauses.push('seq < ?'), params.push(q.beforeSeq));
    if (q.afterSeq !== undefined) (clauses.push('seq > ?'), params.push(q.afterSeq));
    const order = q.afterSeq !== undefined ? 'ASC' : 'DESC';
    return this.all(`SELECT * FROM events WHERE ${clauses.join(' AND ')} ORDER BY seq ${order} LIMIT ?`, [...params, q.limit]).map(
      rowToEvent,
    );
  }

  async getEvent(id: string): Promise<PalimpsestEvent | undefined> {
    const row = this.get('SELECT * FROM events WHERE id = ?', [id]);
    return row === undefined ? undefined : rowToEvent(row);
  }

  async identityVersions(q: { doc?: string; statuses?: IdentityVersionStatus[]; id?: string }): Promise<IdentityVersion[]> {
    const clauses: string[] = ['1 = 1'];
    const params: unknown[] = [];
    if (q.id !== undefined) (clauses.push('id = ?'), params.push(q.id));
    if (q.doc !== undefined) (clauses.push('doc = ?'), params.push(q.doc));
    if (q.statuses && q.statuses.length > 0)
      (clauses.push(`status IN (${q.statuses.map(() => '?').join(', ')})`), params.push(...q.statuses));
    return this.all(`SELECT * FROM identity_versions WHERE ${clauses.join(' AND ')} ORDER BY doc, proposed_at, id`, params).map(
      rowToIdentityVersion,
    );
  }

  async getTrail(nameOrId: string): Promise<Trail | undefined> {
    const row = this.get('SELECT * FROM trails WHERE name = ? OR id = ?', [nameOrId, nameOrId]);
    return row === undefined ? undefined : rowToTrail(row);
  }

  async listTrails(): Promise<Trail[]> {
    return this.all('SELECT * FROM trails ORDER BY name').map(rowToTrail);
  }

  async info(): Promise<StorageInfo> {
    const pages = Number(this.db.pragma('page_count', { simple: true }));
    const pageSize = Number(this.db.pragma('page_size', { simple: true }));
    let walBytes = 0;
    try {
      walBytes = statSync(`${this.location}-wal`).size;
    } catch {
      // No WAL file (memory store, or fully checkpointed).
    }
    return {
      backend: this.backend,
      location: this.location,
      schemaVersion: this.userVersion(),
      traces: Number(this.get('SELECT count(*) AS n FROM traces')?.['n'] ?? 0),
      events: Number(this.get('SELECT count(*) AS n FROM events')?.['n'] ?? 0),
      bytes: pages * pageSize + walBytes,
    };
  }

  // ---- board reads --------------------------------------------------------------------------

  async getInstance(name: string): Promise<Instance | undefined> {
    const row = this.get('SELECT * FROM instances WHERE name = ?', [name]);
    return row === undefined ? undefined : rowToInstance(row);
  }

  async listInstances(): Promise<Instance[]> {
    return this.all('SELECT * FROM instances ORDER BY last_seen_at DESC, name').map(rowToInstance);
  }

  async activeClaims(q: { now: number; target?: string; holder?: string }): Promise<Claim[]> {
    const clauses = ['released_at IS NULL', 'expires_at > ?'];
    const params: unknown[] = [q.now];
    if (q.target !== undefined) (clauses.push('target = ?'), params.push(q.target));
    if (q.holder !== undefined) (clauses.push('holder = ?'), params.push(q.holder));
    return this.all(`SELECT * FROM claims WHERE ${clauses.join(' AND ')} ORDER BY expires_at, id`, params).map(rowToClaim);
  }

  async getClaim(id: string): Promise<Claim | undefined> {
    const row = this.get('SELECT * FROM claims WHERE id = ?', [id]);
    return row === undefined ? undefined : rowToClaim(row);
  }

  async messagesFor(q: { reader: string; unreadOnly: boolean; limit: number }): Promise<Message[]> {
    const unread = q.unreadOnly ? 'AND NOT EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.reader = ?)' : '';
    return this.all(
      `SELECT m.* FROM messages m WHERE (m.to_name IS NULL OR m.to_name = ?) AND m.from_name <> ? ${unread} ORDER BY m.created_at DESC, m.id DESC LIMIT ?`,
      [q.reader, q.reader, ...(q.unreadOnly ? [q.reader] : []), q.limit],
    ).map(rowToMessage);
  }

  async recentMessages(limit: number): Promise<Message[]> {
    return this.all('SELECT * FROM messages ORDER BY created_at DESC, id DESC LIMIT ?', [limit]).map(rowToMessage);
  }

  async latestHandoffs(limit: number): Promise<Handoff[]> {
    return this.all('SELECT * FROM handoffs ORDER BY created_at DESC, id DESC LIMIT ?', [limit]).map(rowToHandoff);
  }

  async getMovement(from: string, to: string): Promise<Movement | undefined> {
    const row = this.get('SELECT * FROM movements WHERE from_place = ? AND to_place = ?', [from, to]);
    return row === undefined ? undefined : rowToMovement(row);
  }

  async movements(q: { from?: string; to?: string; minStrengthKey?: number; limit: number }): Promise<Movement[]> {
    const clauses = ['1 = 1'];
    const params: unknown[] = [];
    if (q.from !== undefined) (clauses.push('from_place = ?'), params.push(q.from));
    if (q.to !== undefined) (clauses.push('to_place = ?'), params.push(q.to));
    if (q.minStrengthKey !== undefined) (clauses.push('decay_key >= ?'), params.push(q.minStrengthKey));
    return this.all(`SELECT * FROM movements WHERE ${clauses.join(' AND ')} ORDER BY decay_key DESC, last_at DESC LIMIT ?`, [...params, q.limit]).map(
      rowToMovement,
    );
  }

  // ---- writes -------------------------------------------------------------------------------

  private requireWrite(): void {
    if (!this.writing) {
      throw new PhysarumError('INTERNAL', 'A storage write was attempted outside write(); wrap it in storage.write().');
    }
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.requireWrite();
    this.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async insertTrace(trace: Trace, indexing: TraceIndexing): Promise<void> {
    this.requireWrite();
    const row = traceToRow(trace, indexing);
    const cols = Object.keys(row);
    const info = this.run(
      `INSERT INTO traces (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
      cols.map((c) => row[c]),
    );
    // The full-text index takes it after the commit, with others (see INDEX_DELAY_MS).
    this.indexPlaces(Number(info.lastInsertRowid), trace.places, trace.tags);
    this.unindexed += 1;
  }

  /** The values a trace is indexed under; removing it from the index needs exactly these again. */
  private static ftsValues(t: { text: string; tags: string[]; places: string[]; author: string }): unknown[] {
    return [t.text, t.tags.join(' '), t.places.join(' '), t.author];
  }

  private indexPlaces(seq: number, places: string[], tags: string[]): void {
    for (const place of new Set(places)) this.run('INSERT INTO trace_places (place, trace_seq) VALUES (?, ?)', [place, seq]);
    for (const tag of new Set(tags)) this.run('INSERT INTO trace_tags (tag, trace_seq) VALUES (?, ?)', [tag, seq]);
  }

  private unindexPlaces(seq: number): void {
    this.run('DELETE FROM trace_places WHERE trace_seq = ?', [seq]);
    this.run('DELETE FROM trace_tags WHERE trace_seq = ?', [seq]);
  }

  /**
   * Takes a trace's stored (old) values out of the full-text index. The index must have caught up first
   * (indexPending()), so that the entry exists.
   * The token counts cached under the old values stay: keyed by content, they can never score the new
   * values, another trace may hold the same ones, and unused entries age out.
   * Security: with secure-delete on, this removes the terms from the index pages, not just hides them.
   */
  private unindexText(seq: number, old: Row): void {
    if (old['status'] !== 'forgotten') this.run(FTS_DELETE, [seq, ...SqliteStorage.ftsValues(rowToIndexedText(old))]);
  }

  /** The columns a trace is indexed under, as stored. */
  private indexedRow(id: string): Row & { seq: number } {
    const row = this.get('SELECT seq, text, tags, places, author_name, status FROM traces WHERE id = ?', [id]);
    if (row === undefined) throw new PhysarumError('NOT_FOUND', `trace ${JSON.stringify(id)} does not exist`);
    return { ...row, seq: Number(row['seq']) };
  }

  async updateTrace(trace: Trace, indexing: TraceIndexing): Promise<void> {
    this.requireWrite();
    const old = this.indexedRow(trace.id);
    const row = traceToRow(trace, indexing);
    const cols = Object.keys(row).filter((c) => c !== 'id');
    // A follow or a reinforcement changes nothing indexed: the index entries stay as they are.
    const forgotten = (r: Row) => r['status'] === 'forgotten';
    const forgettingChanged = forgotten(old) !== forgotten(row);
    const textChanged = forgettingChanged || indexedKey(old) !== indexedKey(row);
    const placesChanged = forgettingChanged || old['places'] !== row['places'] || old['tags'] !== row['tags'];
    if (textChanged) this.indexPending();
    this.run(`UPDATE traces SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE seq = ?`, [...cols.map((c) => row[c]), old.seq]);
    if (placesChanged) {
      this.unindexPlaces(old.seq);
      if (!forgotten(row)) this.indexPlaces(old.seq, trace.places, trace.tags);
    }
    if (textChanged) {
      this.unindexText(old.seq, old);
      if (!forgotten(row)) this.run(FTS_INSERT, [old.seq, ...SqliteStorage.ftsValues(rowToIndexedText(row))]);
    }
  }

  async eraseTrace(id: string, tombstone: string, at: number): Promise<void> {
    this.requireWrite();
    const old = this.indexedRow(id);
    const seq = old.seq;
    this.indexPending();
    this.unindexPlaces(seq);
    this.unindexText(seq, old);
    this.run("UPDATE traces SET text = ?, content_hash = '', status = 'forgotten', updated_at = ?, version = version + 1 WHERE seq = ?", [tombstone, at, seq]);
    this.run("UPDATE annotations SET text = '[forgotten with the trace]' WHERE trace_id = ?", [id]);
    this.erasedInThisWrite = true;
    // Security: keep nothing derived from the erased text (its words' stems included) for later searches.
    this.tokenCounts.clear();
  }

  async rekeyStrength(halfLifeMs: number): Promise<void> {
    this.requireWrite();
    this.run('UPDATE traces SET decay_key = log2(max(strength, 1e-12)) + strength_at / ?', [halfLifeMs]);
    this.run('UPDATE movements SET decay_key = log2(max(strength, 1e-12)) + strength_at / ?', [halfLifeMs]);
  }

  async insertAnnotation(a: Annotation): Promise<void> {
    this.requireWrite();
    this.run(
      'INSERT INTO annotations (id, trace_id, stance, text, author_name, author_role, author_model, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [a.id, a.traceId, a.stance, a.text, a.author.name, a.author.role, a.author.model ?? null, a.createdAt],
    );
  }

  async appendEvent(e: NewEvent): Promise<PalimpsestEvent> {
    this.requireWrite();
    const id = newId(e.at);
    const info = this.run(
      'INSERT INTO events (id, at, type, actor_name, actor_role, actor_model, trace_id, subject, reason, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        id,
        e.at,
        e.type,
        e.actor.name,
        e.actor.role,
        e.actor.model ?? null,
        e.traceId ?? null,
        e.subject ?? null,
        e.reason ?? null,
        JSON.stringify(e.data ?? {}),
      ],
    );
    return {
      seq: Number(info.lastInsertRowid),
      id,
      at: e.at,
      type: e.type,
      actor: e.actor,
      traceId: e.traceId ?? null,
      subject: e.subject ?? null,
      reason: e.reason ?? null,
      data: e.data ?? {},
    };
  }

  async insertIdentityVersion(v: IdentityVersion): Promise<void> {
    this.requireWrite();
    const row = identityVersionToRow(v);
    const cols = Object.keys(row);
    this.run(`INSERT INTO identity_versions (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, cols.map((c) => row[c]));
  }

  async updateIdentityVersion(v: IdentityVersion): Promise<void> {
    this.requireWrite();
    const row = identityVersionToRow(v);
    const cols = Object.keys(row).filter((c) => c !== 'id');
    this.run(`UPDATE identity_versions SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`, [...cols.map((c) => row[c]), v.id]);
  }

  async insertTrail(trail: Trail): Promise<void> {
    this.requireWrite();
    this.run('INSERT INTO trails (id, name, description, steps, author, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      trail.id,
      trail.name,
      trail.description,
      JSON.stringify(trail.steps),
      authorToJson(trail.author),
      trail.createdAt,
    ]);
  }

  // ---- board writes -------------------------------------------------------------------------

  async putInstance(i: Instance): Promise<void> {
    this.requireWrite();
    this.run(
      `INSERT INTO instances (name, model, project, host, pid, registered_at, last_seen_at, ended_at, places, last_check_in, last_place, last_place_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET model = excluded.model, project = excluded.project, host = excluded.host, pid = excluded.pid,
         registered_at = excluded.registered_at, last_seen_at = excluded.last_seen_at, ended_at = excluded.ended_at,
         places = excluded.places, last_check_in = excluded.last_check_in, last_place = excluded.last_place, last_place_at = excluded.last_place_at`,
      [i.name, i.model, i.project, i.host, i.pid, i.registeredAt, i.lastSeenAt, i.endedAt, JSON.stringify(i.places), i.lastCheckIn, i.lastPlace, i.lastPlaceAt],
    );
  }

  async putMovement(m: Movement, decayKey: number): Promise<void> {
    this.requireWrite();
    this.run(
      `INSERT INTO movements (from_place, to_place, strength, strength_at, decay_key, count, first_at, last_at, last_instance)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (from_place, to_place) DO UPDATE SET strength = excluded.strength, strength_at = excluded.strength_at,
         decay_key = excluded.decay_key, count = excluded.count, last_at = excluded.last_at, last_instance = excluded.last_instance`,
      [m.from, m.to, m.strength, m.strengthAt, decayKey, m.count, m.firstAt, m.lastAt, m.lastInstance],
    );
  }

  async insertClaim(c: Claim): Promise<void> {
    this.requireWrite();
    this.run('INSERT INTO claims (id, target, holder, note, acquired_at, expires_at, released_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      c.id,
      c.target,
      c.holder,
      c.note,
      c.acquiredAt,
      c.expiresAt,
      c.releasedAt,
    ]);
  }

  async updateClaim(c: Claim): Promise<void> {
    this.requireWrite();
    this.run('UPDATE claims SET note = ?, expires_at = ?, released_at = ? WHERE id = ?', [c.note, c.expiresAt, c.releasedAt, c.id]);
  }

  async insertMessage(m: Message): Promise<void> {
    this.requireWrite();
    this.run('INSERT INTO messages (id, from_author, from_name, to_name, text, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      m.id,
      authorToJson(m.from),
      m.from.name,
      m.to,
      m.text,
      m.createdAt,
    ]);
  }

  async markMessagesRead(ids: string[], reader: string, at: number): Promise<void> {
    this.requireWrite();
    for (const id of ids) this.run('INSERT OR IGNORE INTO message_reads (message_id, reader, read_at) VALUES (?, ?, ?)', [id, reader, at]);
  }

  async insertHandoff(h: Handoff): Promise<void> {
    this.requireWrite();
    this.run('INSERT INTO handoffs (id, instance, summary, open_threads, trace_ids, trails, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      h.id,
      h.instance,
      h.summary,
      JSON.stringify(h.openThreads),
      JSON.stringify(h.traceIds),
      JSON.stringify(h.trails),
      h.createdAt,
    ]);
  }

  async check(): Promise<HealthCheck[]> {
    // Each check is its own statement, outside any transaction: on a damaged file a statement may fail by throwing
    // (SQLITE_CORRUPT) rather than by reporting, and a transaction around it could then fail to end. A check that
    // throws has that for its answer, and the others still run, so the doctor reports on everything it can read.
    return this.mutex.run(async () => {
      const checks: HealthCheck[] = [];
      const attempt = (name: string, run: () => { ok: boolean; detail: string }): void => {
        try {
          checks.push({ name, ...run() });
        } catch (e) {
          checks.push({ name, ok: false, detail: e instanceof Error ? e.message : String(e) });
        }
      };
      attempt('sqlite integrity', () => {
        const integrity = (this.db.pragma('integrity_check') as Row[]).map((r) => String(r['integrity_check']));
        return { ok: integrity.length === 1 && integrity[0] === 'ok', detail: integrity.slice(0, 5).join('; ') };
      });
      attempt('full-text index', () => {
        this.db.exec("INSERT INTO traces_fts (traces_fts, rank) VALUES ('integrity-check', 1)");
        return { ok: true, detail: 'ok' };
      });
      // Traces above the high-water mark are waiting for the next index flush, not missing.
      attempt('every trace indexed', () => {
        const counts = this.get(
          `SELECT count(*) FILTER (WHERE t.seq <= s.indexed_seq AND NOT EXISTS (SELECT 1 FROM traces_fts f WHERE f.rowid = t.seq)) AS missing,
                  count(*) FILTER (WHERE t.seq > s.indexed_seq) AS waiting
           FROM traces t, text_index_state s WHERE t.status <> 'forgotten'`,
        );
        const missing = Number(counts?.['missing'] ?? 0);
        const waiting = Number(counts?.['waiting'] ?? 0);
        const wait = waiting > 0 ? ` (${waiting} new traces join it at the next flush)` : '';
        return { ok: missing === 0, detail: missing === 0 ? `ok${wait}` : `${missing} traces missing from the full-text index${wait}` };
      });
      attempt('every trace logged', () => {
        const orphans = Number(
          this.get(`SELECT count(*) AS n FROM traces t WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.trace_id = t.id AND e.type = 'trace.deposit')`)?.['n'] ?? 0,
        );
        return { ok: orphans === 0, detail: orphans === 0 ? 'ok' : `${orphans} traces without a deposit event` };
      });
      return checks;
    });
  }

  async backup(destination: string): Promise<{ bytes: number }> {
    if (existsSync(destination)) {
      throw new PhysarumError('INVALID_INPUT', `${destination} already exists; back up to a new file, or delete it first.`, { field: 'file' });
    }
    if (!isFolder(dirname(destination))) {
      throw new PhysarumError('INVALID_INPUT', `the folder ${dirname(destination)} does not exist; create it first, or back up to a file in a folder that exists.`, {
        field: 'file',
      });
    }
    await this.mutex.run(async () => {
      try {
        // VACUUM INTO copies one consistent snapshot (a read transaction), so writers in other processes keep going.
        this.db.prepare('VACUUM INTO ?').run(destination);
      } catch (e) {
        throw mapSqliteError(e, destination);
      }
    });
    // The copy is whole: traces that were still waiting for the full-text index join it there.
    const copy = SqliteStorage.open({ path: destination, sharedCommits: false, backgroundCheckpoints: false });
    await copy.close();
    return { bytes: statSync(destination).size };
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
