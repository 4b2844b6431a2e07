// Portable writes on the SQLite backend: routed to the store's committer (or applied here), exactly once
// wherever they are applied, thanks to a receipt kept in the same transaction.
import type Database from 'better-sqlite3';
import type { PortableWrite, StorageWriter } from '../types.js';
import { newId } from '../../ids.js';
import { Committer, type CommitRequest, type Sent } from './committer.js';

/** Receipts answer a write repeated after its committer died; an hour is far longer than any retry takes. */
const RECEIPT_TTL_MS = 60 * 60 * 1000;

export interface SharedWritesOptions {
  db: Database.Database;
  /** The store's file; its committer listens on `<file>.sock`. */
  location: string;
  /** false: never send or take writes from other processes. */
  share: boolean;
  durability: 'full' | 'normal';
  busyTimeoutMs: number;
  /** The storage's write(): group-committed, each call in its own savepoint. */
  write<T>(fn: (w: StorageWriter) => Promise<T>): Promise<T>;
  /** Runs `fn` holding the store's write lock (the committer election). */
  elect<T>(fn: () => Promise<T>): Promise<T>;
}

/** The committer's answer: its result, or its refusal. It ran this same op (same name, same code version), so the value has its result's shape. */
function answered<R>(sent: Exclude<Sent, 'lost'>): R {
  if ('error' in sent) throw sent.error;
  return sent.ok as R;
}

export class SharedWrites {
  private readonly committer: Committer | undefined;
  /** Portable writes this process knows, by name: the ones it may apply for other processes. */
  private readonly known = new Map<string, PortableWrite<unknown, unknown>>();
  private readonly inflight = new Set<Promise<unknown>>();
  private nextReceiptPrune = 0;
  private closing = false;
  /** Prepared on first use: the receipts table exists only once the store is migrated. */
  private receiptSql: Record<'seen' | 'insert' | 'prune', Database.Statement> | undefined;
  /**
   * Portable writes sent to the committer; those it did not answer; and of those, the ones sent again to the
   * committer that took over (the rest were applied here).
   */
  readonly routed = { sent: 0, lost: 0, resent: 0 };

  constructor(private readonly o: SharedWritesOptions) {
    // One committer per durability: a write asked to be synced is never committed by a process that does not sync.
    const socketPath = o.durability === 'full' ? `${o.location}.sock` : `${o.location}.normal.sock`;
    this.committer =
      o.share && Committer.usable(socketPath)
        ? new Committer({ socketPath, apply: (r) => this.applyFor(r), replyTimeoutMs: o.busyTimeoutMs + 5000, elect: o.elect })
        : undefined;
  }

  get isCommitter(): boolean {
    return this.committer?.isCommitter ?? false;
  }

  write<P, R>(op: PortableWrite<P, R>, payload: P): Promise<R> {
    this.known.set(op.name, op as PortableWrite<unknown, unknown>);
    const done = this.sendOrApply(op, payload);
    this.inflight.add(done);
    const forget = () => this.inflight.delete(done);
    done.then(forget, forget);
    return done;
  }

  private async sendOrApply<P, R>(op: PortableWrite<P, R>, payload: P): Promise<R> {
    // The key makes the write recognisable wherever it is applied, so a retry never applies it twice.
    const key = newId();
    const route = this.committer && !this.closing ? await this.committer.route() : { direct: true as const };
    if ('via' in route) {
      this.routed.sent += 1;
      const sent = await route.via.send(op.name, key, payload);
      if (sent !== 'lost') return answered(sent);
      this.routed.lost += 1;
      // No answer. When the committer left (its connection closed), every process that wrote through it is here
      // at once: send the write on to whichever of them takes over, rather than each taking the write lock for
      // its own. Otherwise (it does not know the op, it stalled, or this process took over) apply it here. Either
      // way its receipt says if it was applied already.
      const next = this.committer && !this.closing ? await this.committer.route() : undefined;
      if (next && 'via' in next && next.via !== route.via) {
        this.routed.resent += 1;
        const resent = await next.via.send(op.name, key, payload);
        if (resent !== 'lost') return answered(resent);
      }
      return this.apply(op, key, payload, { receipt: true });
    }
    // Never left this process, so nobody else can apply it: no receipt needed.
    return this.apply(op, key, payload, { receipt: false });
  }

  /** Applies a request sent by another process; undefined (so it applies it itself) if we cannot. */
  private applyFor(r: CommitRequest): Promise<unknown> | undefined {
    const op = this.known.get(r.op);
    if (!op || this.closing) return undefined;
    return this.apply(op, r.key, r.payload, { receipt: true });
  }

  /** With `receipt`, the write may be attempted elsewhere too: it is applied once, and a repeat replays it. */
  private apply<P, R>(op: PortableWrite<P, R>, key: string, payload: P, o: { receipt: boolean }): Promise<R> {
    if (!o.receipt) return this.o.write((w) => op.apply(w, payload));
    const { db } = this.o;
    const sql = (this.receiptSql ??= {
      seen: db.prepare('SELECT data FROM write_receipts WHERE key = ?'),
      insert: db.prepare('INSERT INTO write_receipts (key, op, at, data) VALUES (?, ?, ?, ?)'),
      prune: db.prepare('DELETE FROM write_receipts WHERE at < ?'),
    });
    return this.o.write(async (w) => {
      const seen = sql.seen.get(key) as { data: string } | undefined;
      if (seen !== undefined) return op.replay(w, JSON.parse(seen.data));
      const result = await op.apply(w, payload);
      const now = Date.now();
      sql.insert.run(key, op.name, now, JSON.stringify(op.receipt(result) ?? null));
      if (now >= this.nextReceiptPrune) {
        sql.prune.run(now - RECEIPT_TTL_MS);
        this.nextReceiptPrune = now + 60_000;
      }
      return result;
    });
  }

  /** Stops taking writes from other processes (they fall back to writing themselves) and waits for our own. */
  async drain(): Promise<void> {
    this.closing = true;
    this.committer?.stopAccepting();
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Closes the committer's connections; call after every write has settled. */
  close(): void {
    this.committer?.close();
  }
}
