// Background checkpoints: copying the WAL back into the database file (and syncing it) takes milliseconds
// every few dozen writes. SQLite does it inside the COMMIT that crosses its threshold, so one write in forty
// waits for it; here a worker thread with its own connection does it while writes go on.
import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';

/**
 * The worker: a plain script (evaluated, so it runs the same from the sources and the build) that opens its
 * own connection and checkpoints on request: in PASSIVE mode, which never blocks a writer, and past a cap in
 * RESTART mode, which holds writes off while it copies the rest.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.path, { timeout: 0 });
  db.pragma('synchronous = ' + workerData.synchronous);
  db.pragma('wal_autocheckpoint = 0');
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message || e) });
  process.exit(0);
}
parentPort.on('message', (m) => {
  if (m === 'close') { db.close(); parentPort.close(); return; }
  const out = { round: null };
  try {
    let r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    // Writes go on meanwhile: copy what they added, until a pass finds nothing new.
    for (let i = 0, log = -1; i < 4 && r.log !== log; i++) (log = r.log), (r = db.pragma('wal_checkpoint(PASSIVE)')[0]);
    // The WAL starts over at the first write after a pass that caught up; writes that never pause would keep
    // it growing, so past the cap RESTART holds them off while it copies the rest (a few milliseconds, rarely).
    if (r.log > workerData.capFrames) {
      db.pragma('busy_timeout = ' + workerData.restartWaitMs);
      r = db.pragma('wal_checkpoint(RESTART)')[0];
      db.pragma('busy_timeout = 0');
    }
    out.round = r;
  } catch (e) {
    out.error = String(e && e.message || e);
  }
  parentPort.postMessage(out);
});
parentPort.postMessage({ ready: true });
`;

export interface CheckpointerOptions {
  db: Database.Database;
  path: string;
  synchronous: 'FULL' | 'NORMAL';
  /** Checkpoint after this many committed writes (about SQLite's own 1000 pages at a deposit's ~25). */
  everyWrites?: number;
  /** And when writing has paused this long with writes not yet checkpointed. */
  idleMs?: number;
  /** A round that finds more frames than this in the WAL holds writes off until it has copied them all. */
  capFrames?: number;
  /** How long such a round waits for a write in progress before leaving it to the next round. */
  restartWaitMs?: number;
  /** The SQLite driver module the worker loads (better-sqlite3, resolved from here, unless told otherwise). */
  driver?: string;
}

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

/** SQLite's own threshold, restored when the worker cannot run. */
const AUTOCHECKPOINT_PAGES = 1000;

export class Checkpointer {
  private worker: Worker | undefined;
  private inFlight = false;
  private failed = false;
  private closed = false;
  private sinceLast = 0;
  private exited: Promise<void> | undefined;
  /**
   * A pause in writing is the best time: a round that catches up then lets the next write start the WAL over.
   * Armed with the worker, so a short-lived process that writes a little never starts one.
   */
  private idle: NodeJS.Timeout | undefined;
  /** For diagnostics and tests: rounds run, whether one is running, the WAL's frames after the last one. */
  readonly stats = { rounds: 0, inRound: false, walFrames: 0, lastError: undefined as string | undefined };

  constructor(private readonly o: CheckpointerOptions) {}

  /** Called after each commit with the number of writes in it. */
  committed(writes: number): void {
    if (this.failed || this.closed) return;
    this.sinceLast += writes;
    if (this.sinceLast >= (this.o.everyWrites ?? 40)) this.round();
    else this.idle?.refresh();
  }

  private round(): void {
    if (this.inFlight || this.failed || this.closed || this.sinceLast === 0) return;
    this.sinceLast = 0;
    this.inFlight = this.stats.inRound = true;
    if (this.worker) this.worker.postMessage('round');
    else this.start();
  }

  private start(): void {
    let worker: Worker;
    try {
      // Loaded only here: most short-lived processes (a hook call, a CLI command) never start a worker, and
      // loading the module costs each of them a few milliseconds.
      const { Worker } = process.getBuiltinModule('node:worker_threads');
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          driver: this.o.driver ?? createRequire(import.meta.url).resolve('better-sqlite3'),
          path: this.o.path,
          synchronous: this.o.synchronous,
          capFrames: this.o.capFrames ?? 4 * AUTOCHECKPOINT_PAGES,
          restartWaitMs: this.o.restartWaitMs ?? 5,
        },
        // A checkpointing thread needs little: keep its heap small.
        resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
      });
    } catch (e) {
      this.fail(e);
      return;
    }
    this.worker = worker;
    worker.unref();
    this.idle = setTimeout(() => this.round(), this.o.idleMs ?? 1_000).unref();
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (m: { ready?: true; error?: string; round?: CheckpointRow | null }) => {
      if (m.ready) {
        // Only now does the worker take over: until then (and in a process that never starts one, such as a
        // command that writes a little while a long-running server only reads) SQLite checkpoints as usual.
        if (this.closed || !this.o.db.open) return;
        this.o.db.pragma('wal_autocheckpoint = 0');
        worker.postMessage('round');
        return;
      }
      if (m.round === undefined) {
        // It could not open the database.
        this.fail(new Error(m.error ?? 'the checkpoint worker did not start'));
        return;
      }
      // A failed round (the file busy or unreadable for a moment) is retried by the next one.
      this.inFlight = this.stats.inRound = false;
      this.stats.rounds += 1;
      if (m.round) this.stats.walFrames = m.round.log;
      this.stats.lastError = m.error;
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', () => {
      if (!this.closed) this.fail(new Error('the checkpoint worker stopped'));
    });
  }

  /** Without a worker, SQLite checkpoints inside commits again, as it does by default. */
  private fail(e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.inFlight = this.stats.inRound = false;
    this.stats.lastError = e instanceof Error ? e.message : String(e);
    this.worker = undefined;
    clearTimeout(this.idle);
    if (this.o.db.open && !this.closed) this.o.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }

  /** Stops the worker (after the round it is in, if any); the database closes its WAL itself. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idle);
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    // Held by the worker (unreferenced while it runs) until it has closed its connection and exited.
    worker.ref();
    worker.postMessage('close');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, 5_000, 'timeout').unref());
    if ((await Promise.race([this.exited, timeout])) === 'timeout') await worker.terminate();
  }
}
