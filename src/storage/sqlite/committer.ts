// Cross-process group commit: one process per store (the committer) listens on a Unix socket beside the
// database and commits the portable writes of every process in shared transactions; the others send theirs.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { chmodSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { ERROR_CODES, PhysarumError, type ErrorCode } from '../../errors/index.js';

/** What a process asks the committer: apply `op` with `payload`, once, recognised by `key`. */
export interface CommitRequest {
  id: number;
  op: string;
  key: string;
  payload: unknown;
}

/** `unknown`: the committer does not know the op (another version); `closing`: it is leaving and takes no more writes. */
type Reply = { id: number; ok: unknown } | { id: number; error: Record<string, unknown> } | { id: number; unknown: true } | { id: number; closing: true };

/** The outcome at the sending side; `lost` means "no answer, apply it yourself" (safe: receipts make it once). */
export type Sent = { ok: unknown } | { error: PhysarumError } | 'lost';

export interface CommitterOptions {
  socketPath: string;
  /** Applies a request in this process; undefined when the op is unknown here (another version). */
  apply(request: CommitRequest): Promise<unknown> | undefined;
  /** Give up on a silent committer after this long and write directly. */
  replyTimeoutMs: number;
  /**
   * Runs `fn` holding the store's write lock: taking over happens under it, so processes starting at once
   * elect one committer instead of each listening.
   */
  elect<T>(fn: () => Promise<T>): Promise<T>;
}

/** Unix socket paths are limited to about 104 bytes (with room for the suffix used while listening). */
const MAX_SOCKET_PATH = 92;

/** The longest a writer of a committer that left waits, at random, for another to take over before trying itself (ms). */
const SUCCESSOR_WAIT_MS = 40;

/** The longest line either side accepts: a batch of deposits at their largest, with room to spare. */
const MAX_LINE_CHARS = 64 * 1024 * 1024;

/** Calls `onMessage` with each newline-delimited JSON message; anything else is not our protocol: the connection is dropped. */
function messages<T>(socket: Socket, onMessage: (message: T) => void): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    // A peer that never ends its line must not grow this process's memory without bound.
    if (buffer.length > MAX_LINE_CHARS && !buffer.includes('\n')) {
      socket.destroy();
      buffer = '';
      return;
    }
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.length === 0) continue;
      let message: T;
      try {
        message = JSON.parse(line) as T;
      } catch {
        socket.destroy();
        return;
      }
      onMessage(message);
    }
  });
}

function errorToJson(e: unknown): Record<string, unknown> {
  return e instanceof PhysarumError ? e.toJSON() : { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

function errorFromJson(j: Record<string, unknown>): PhysarumError {
  const code = (ERROR_CODES as readonly string[]).includes(String(j['code'])) ? (String(j['code']) as ErrorCode) : 'INTERNAL';
  const details = typeof j['details'] === 'object' && j['details'] !== null ? (j['details'] as Record<string, unknown>) : undefined;
  return new PhysarumError(code, String(j['message'] ?? 'the committing process failed'), {
    ...(typeof j['field'] === 'string' ? { field: j['field'] } : {}),
    ...(details ? { details } : {}),
  });
}

/** One connection to the committer, multiplexing requests by id. */
class Connection {
  private readonly pending = new Map<number, (s: Sent) => void>();
  private next = 1;
  closed = false;

  constructor(private readonly socket: Socket, private readonly timeoutMs: number, private readonly onSilent: () => void) {
    // The connection alone must not keep a finished process alive; it is ref'd while requests wait.
    socket.unref();
    // A connection dropped for a message that is not ours leaves every waiting write to its own process.
    messages<Reply>(socket, (reply) => this.onReply(reply));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const settle of this.pending.values()) settle('lost');
      this.pending.clear();
    });
  }

  send(op: string, key: string, payload: unknown): Promise<Sent> {
    if (this.closed) return Promise.resolve('lost');
    const id = this.next++;
    return new Promise<Sent>((resolve) => {
      const timer = setTimeout(() => {
        // A committer that stopped answering (stopped, swapped out): stop using it; the caller writes itself.
        this.onSilent();
        this.socket.destroy();
      }, this.timeoutMs);
      this.pending.set(id, (s) => {
        clearTimeout(timer);
        this.pending.delete(id);
        if (this.pending.size === 0) this.socket.unref();
        resolve(s);
      });
      this.socket.ref();
      this.socket.write(`${JSON.stringify({ id, op, key, payload } satisfies CommitRequest)}\n`);
    });
  }

  private onReply(r: Reply): void {
    const settle = this.pending.get(r.id);
    if (!settle) return;
    // A committer that is leaving: this connection takes no more writes, whether or not its close has arrived.
    if ('closing' in r) this.closed = true;
    if ('ok' in r) settle({ ok: r.ok });
    else if ('error' in r) settle({ error: errorFromJson(r.error) });
    else settle('lost');
  }

  close(): void {
    this.socket.destroy();
  }
}

const connect = (path: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.removeListener('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });

export type Route = { self: true } | { via: Connection } | { direct: true };

/** Finds or becomes the committer for one store. Correctness never depends on it: SQLite's lock does that. */
export class Committer {
  private server: Server | undefined;
  private serverInode: number | undefined;
  /** Accepted writers and how many of their requests are being applied. */
  private readonly accepted = new Map<Socket, { pending: number }>();
  private connection: Connection | undefined;
  private routing: Promise<Route> | undefined;
  /** After a failure to connect or listen, write directly until then rather than retry on every write. */
  private directUntil = 0;
  private watch: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: CommitterOptions) {}

  static usable(socketPath: string): boolean {
    return process.platform !== 'win32' && Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH;
  }

  get isCommitter(): boolean {
    return this.server !== undefined;
  }

  /** Where this process's next portable write goes. */
  route(): Promise<Route> {
    if (this.closed || Date.now() < this.directUntil) return Promise.resolve({ direct: true });
    if (this.server) return Promise.resolve({ self: true });
    if (this.connection && !this.connection.closed) return Promise.resolve({ via: this.connection });
    // A connection that closed: the committer left, and every process that wrote through it is looking for the next.
    const successor = this.connection !== undefined;
    this.routing ??= this.establish(successor).finally(() => (this.routing = undefined));
    return this.routing;
  }

  private async establish(successor: boolean): Promise<Route> {
    try {
      return { via: await this.dial() };
    } catch {
      // Nobody listening (no socket, or one left by a killed committer): take over, unless someone else does first.
    }
    if (successor) {
      // The writers of a committer that left all get here together. Each waits a moment at random and dials
      // again: the first to wake takes over and the rest find it, instead of all polling the write lock at once
      // (each try of which starts a read of the WAL that SQLite retries, sleeping, while a committer is writing).
      await new Promise((resolve) => setTimeout(resolve, Math.random() * SUCCESSOR_WAIT_MS));
      try {
        return { via: await this.dial() };
      } catch {
        // Still nobody: take over.
      }
    }
    try {
      return await this.o.elect(async (): Promise<Route> => {
        try {
          return { via: await this.dial() };
        } catch {
          await this.listen();
          return { self: true };
        }
      });
    } catch {
      this.directUntil = Date.now() + 1000;
      return { direct: true };
    }
  }

  private async dial(): Promise<Connection> {
    // Security: deposits carry their text and author; only a socket of this user's own may receive them.
    const owner = statSync(this.o.socketPath).uid;
    if (typeof process.getuid === 'function' && owner !== process.getuid()) {
      throw new PhysarumError('STORAGE_UNAVAILABLE', `${this.o.socketPath} belongs to another user; remove it so this store's writers can elect a committer of their own`);
    }
    const socket = await connect(this.o.socketPath);
    this.connection = new Connection(socket, this.o.replyTimeoutMs, () => (this.directUntil = Date.now() + 10_000));
    return this.connection;
  }

  private async listen(): Promise<void> {
    const path = this.o.socketPath;
    // Listen on a name of our own, then rename it into place: the rename atomically replaces a socket left
    // by a killed committer, and closing the server later (which unlinks the name it listened on) can never
    // remove a successor's socket.
    // Random, not the pid: processes in other PID namespaces may share the folder.
    const own = `${path}.${randomBytes(4).toString('hex')}`;
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(own, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    try {
      // Security: only this user may connect and hand the committer writes (which carry their author and trust).
      chmodSync(own, 0o600);
      renameSync(own, path);
    } catch (e) {
      server.close();
      throw e;
    }
    server.unref();
    this.server = server;
    this.serverInode = statSync(path).ino;
    // Two processes taking over at once can both listen, the later one replacing the file: the earlier one
    // notices and steps down, so writers converge on one committer. (Two committers are merely slower.)
    this.watch = setInterval(() => {
      let inode: number | undefined;
      try {
        inode = statSync(path).ino;
      } catch {
        inode = undefined;
      }
      if (inode !== this.serverInode) this.stepDown(false);
    }, 1000);
    this.watch.unref();
  }

  private serve(socket: Socket): void {
    const state = { pending: 0 };
    this.accepted.set(socket, state);
    socket.unref();
    socket.on('error', () => undefined);
    socket.on('close', () => this.accepted.delete(socket));
    messages<CommitRequest>(socket, (request) => {
      const reply = (r: Reply) => {
        if (socket.destroyed) return;
        // A batch settles all its writes in one tick: their answers to one writer leave in one system call.
        if (socket.writableCorked === 0) {
          socket.cork();
          process.nextTick(() => socket.uncork());
        }
        socket.write(`${JSON.stringify(r)}\n`);
      };
      const applied = this.o.apply(request);
      if (!applied) return reply(this.closed ? { id: request.id, closing: true } : { id: request.id, unknown: true });
      state.pending += 1;
      socket.ref();
      applied
        .then(
          (ok) => reply({ id: request.id, ok }),
          (e: unknown) => reply({ id: request.id, error: errorToJson(e) }),
        )
        .finally(() => {
          state.pending -= 1;
          if (state.pending > 0) return;
          socket.unref();
          // Stepped down: once its answers are out, send the writer on to the current committer.
          if (!this.server) socket.end();
        });
    });
  }

  /** Stops accepting new writers; with `unlink`, removes the socket if it is still ours. */
  private stepDown(unlink: boolean): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = undefined;
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.close();
    for (const [socket, { pending }] of this.accepted) if (pending === 0) socket.end();
    if (unlink) {
      try {
        if (statSync(this.o.socketPath).ino === this.serverInode) unlinkSync(this.o.socketPath);
      } catch {
        // Already gone.
      }
    }
  }

  /** Stops accepting writers and routing; writes already accepted are still answered. */
  stopAccepting(): void {
    this.closed = true;
    this.stepDown(true);
  }

  /** Closes every connection; call after every accepted request has been answered. */
  close(): void {
    this.stopAccepting();
    for (const socket of this.accepted.keys()) socket.end();
    this.connection?.close();
  }
}
