// Group commit: writes that arrive while a transaction runs are committed together in the next one, each in
// its own savepoint, so one disk sync covers many writes and a write that fails fails alone.
import type Database from 'better-sqlite3';
import { isBusyError } from './errors.js';

interface Pending {
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  db: Database.Database;
  /** How long to wait for another process's write lock before failing (the store's busy timeout). */
  lockTimeoutMs: number;
  /** The connection's busy timeout, restored after the lock is taken. */
  busyTimeoutMs: number;
  /** Runs `fn` with the connection to itself (the storage's mutex, shared with reads). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Called around each batch: the writer is usable only in between. */
  onBatch(active: boolean): void;
  /** Called after a commit, outside the transaction, with the number of writes it held. */
  afterCommit(writes: number): void;
  mapError(e: unknown): unknown;
}

/** At most this many writes share one transaction, so one batch never holds the lock for long. */
const MAX_BATCH = 512;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class GroupCommit {
  private queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  /** Whether the event loop has run a turn since the last batch was taken, and how many writes that batch held. */
  private turned = true;
  private lastBatch = 0;
  private readonly turn = (): void => {
    this.turned = true;
  };
  /** Transactions committed and writes in them, for diagnostics and tests. */
  readonly stats = { batches: 0, writes: 0, lockRetries: 0 };

  /** Prepared once: compiling them for every write costs more than running them. */
  private readonly sql: Record<'savepoint' | 'release' | 'rollbackTo' | 'noWait' | 'wait', Database.Statement>;

  constructor(private readonly o: GroupCommitOptions) {
    this.sql = {
      savepoint: o.db.prepare('SAVEPOINT write'),
      release: o.db.prepare('RELEASE write'),
      rollbackTo: o.db.prepare('ROLLBACK TO write'),
      // pluck(): the value alone, no row object, for statements run twice per transaction.
      noWait: o.db.prepare('PRAGMA busy_timeout = 0').pluck(),
      wait: o.db.prepare(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(o.busyTimeoutMs))}`).pluck(),
    };
  }

  submit<T>(run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
      this.draining ??= this.drain();
    });
  }

  /** Resolves when every submitted write has settled. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // One turn of the event loop first: writes from other processes arrive as socket input, which a caller
        // depositing in a tight loop (all promise continuations) would otherwise never let in, and writes that
        // arrive together then share the commit. A write alone since the last lone write, with the loop turned
        // in between (one request at a time), has nothing to wait for and commits at once.
        if (!this.turned || this.lastBatch > 1) await new Promise((resolve) => setImmediate(resolve));
        this.turned = false;
        setImmediate(this.turn);
        let taken: Pending[] | undefined;
        try {
          // Taken only once the lock is ours: everything that queued meanwhile joins this batch.
          await this.locked(() => {
            taken = this.queue.splice(0, MAX_BATCH);
            this.lastBatch = taken.length;
            return this.commit(taken);
          });
        } catch (e) {
          // The lock stayed out of reach for the whole busy timeout (or the file is unusable): the writes that
          // were taken fail (those already settled stay as they are); if none were taken, the next ones do.
          const mapped = this.o.mapError(e);
          for (const p of taken ?? this.queue.splice(0, MAX_BATCH)) p.reject(mapped);
        }
      }
    } finally {
      this.draining = undefined;
    }
  }

  /**
   * Runs `fn` holding the connection inside a transaction that holds the write lock; `fn` ends it. The lock
   * is taken without SQLite's busy handler, which sleeps inside the call and so blocks this process's event
   * loop: try, and while another process holds it, wait briefly with jitter, until the busy timeout.
   * Between tries the connection is free, so this process's reads go on (an MCP server keeps answering).
   */
  async locked<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.o.lockTimeoutMs;
    let wait = 1;
    for (;;) {
      const got = await this.o.exclusive(async (): Promise<{ value: T } | undefined> => {
        if (!this.tryBegin(deadline)) return undefined;
        try {
          return { value: await fn() };
        } finally {
          if (this.o.db.inTransaction) this.o.db.exec('ROLLBACK');
        }
      });
      if (got) return got.value;
      this.stats.lockRetries += 1;
      // Jittered and growing, but short: on a busy machine many pollers would starve the lock holder of CPU.
      await sleep(wait * (0.5 + Math.random()));
      wait = Math.min(wait * 2, 20);
    }
  }

  /** One try for the write lock: true when taken; false when another process holds it; throws past the deadline. */
  private tryBegin(deadline: number): boolean {
    this.sql.noWait.get();
    try {
      // IMMEDIATE takes the write lock now, so two writers never deadlock upgrading read locks.
      this.o.db.exec('BEGIN IMMEDIATE');
      return true;
    } catch (e) {
      if (!isBusyError(e) || Date.now() >= deadline) throw e;
      return false;
    } finally {
      this.sql.wait.get();
    }
  }

  /** Runs a batch in the transaction `locked()` began, and commits it. */
  private async commit(batch: Pending[]): Promise<void> {
    const { db } = this.o;
    const done: Array<{ p: Pending; value: unknown }> = [];
    const failed = new Set<Pending>();
    this.o.onBatch(true);
    try {
      // A write alone in its transaction needs no savepoint: rolling the transaction back is the same.
      const isolate = batch.length > 1;
      for (const p of batch) {
        if (isolate) this.sql.savepoint.run();
        try {
          const value = await p.run();
          if (isolate) this.sql.release.run();
          done.push({ p, value });
        } catch (e) {
          // SQLite itself rolled the whole transaction back (disk full, I/O error): nothing in this batch stands.
          if (!db.inTransaction || !isolate) throw e;
          this.sql.rollbackTo.run();
          this.sql.release.run();
          failed.add(p);
          p.reject(this.o.mapError(e));
        }
      }
      db.exec('COMMIT');
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      const mapped = this.o.mapError(e);
      for (const p of batch) if (!failed.has(p)) p.reject(mapped);
      return;
    } finally {
      this.o.onBatch(false);
    }
    this.stats.batches += 1;
    this.stats.writes += done.length;
    try {
      this.o.afterCommit(done.length);
    } finally {
      // Acknowledged only now: the commit (and with durability full, its sync) is done.
      for (const { p, value } of done) p.resolve(value);
    }
  }
}
