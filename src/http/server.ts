// `physarum serve`: MCP over Streamable HTTP at /mcp, the JSON API at /api and the web viewer at /, on 127.0.0.1 by default.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Physarum } from '../physarum.js';
import { PhysarumError, invalidInput, toPhysarumError } from '../errors/index.js';
import { createMcpServer } from '../mcp/server.js';
import { SessionActor } from '../mcp/actor.js';
import { type AccessPolicy, checkRequest, isLoopback } from './security.js';
import { HTTP_STATUS, matchApi } from './api.js';
import { PersonSessions } from './person.js';
import { asBody, matchWrite, requireJson, serveAsset, streamEvents } from './viewer.js';
import type { Actor } from '../traces/schema.js';

export interface ServeOptions {
  physarum: Physarum;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  allowedHosts?: string[];
  allowedOrigins?: string[];
  version: string;
  log?: (line: string) => void;
  /** Who a signed-in viewer acts as (role "human"). */
  person?: Actor;
  /** The viewer's sign-in key; a random one when absent. */
  viewerKey?: string;
  /** An MCP session with no request for this long is closed (a client that vanished without DELETE). Default 30 min. */
  sessionIdleMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  /** The key a person types into the viewer to act as themselves. */
  viewerKey: string;
  close(): Promise<void>;
}

const MAX_BODY = 4 * 1024 * 1024;
const DEFAULT_SESSION_IDLE_MS = 30 * 60_000;

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new PhysarumError('INVALID_INPUT', `request body is larger than ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (size === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (e) {
        reject(new PhysarumError('INVALID_INPUT', 'request body is not valid JSON', { cause: e }));
      }
    });
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

function sendError(res: ServerResponse, e: unknown): void {
  const err = toPhysarumError(e);
  if (!res.headersSent) sendJson(res, HTTP_STATUS[err.code], { error: err.toJSON() });
  else res.end();
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  // Security: beyond loopback anyone on the network could read and write the memory; demand a token.
  if (!isLoopback(host) && !options.token) {
    throw new PhysarumError(
      'INVALID_INPUT',
      `refusing to listen on ${host} without an auth token; pass --token <secret> (or PHYSARUM_TOKEN), or listen on 127.0.0.1`,
      { field: 'host' },
    );
  }
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const lastSeen = new Map<string, number>();
  const idleMs = options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
  // Clients that vanish without ending their session would otherwise keep a server and transport each forever.
  const sweep = setInterval(() => {
    const cutoff = Date.now() - idleMs;
    for (const [id, seen] of lastSeen) {
      if (seen >= cutoff) continue;
      lastSeen.delete(id);
      void sessions.get(id)?.close().catch(() => undefined);
      sessions.delete(id);
    }
  }, Math.max(10, Math.min(60_000, Math.floor(idleMs / 2))));
  sweep.unref();
  const policy: AccessPolicy = { host, port: options.port ?? 0 };
  const persons = new PersonSessions(options.person ?? { name: 'person', role: 'human' }, options.viewerKey, () => policy.port);

  async function handleSession(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'POST') {
      requireJson(req);
      const { cookie, csrf } = persons.signIn(asBody(await readJson(req))['key']);
      res.setHeader('set-cookie', cookie);
      return sendJson(res, 200, { person: persons.person, csrf });
    }
    if (req.method === 'DELETE') {
      res.setHeader('set-cookie', persons.signOut(req));
      return sendJson(res, 200, { person: null });
    }
    const csrf = persons.csrfOf(req);
    return sendJson(res, 200, csrf ? { person: persons.person, csrf } : { person: null });
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (url.pathname === '/api/session') return handleSession(req, res);
    if (req.method === 'GET' && url.pathname === '/api/live') return streamEvents(options.physarum, req, res, url);
    if (req.method === 'POST') {
      const write = matchWrite(url.pathname);
      if (write) {
        requireJson(req);
        return sendJson(res, 200, await write(options.physarum, persons, req, asBody(await readJson(req))));
      }
    }
    const route = req.method === 'GET' ? matchApi(url.pathname) : undefined;
    if (!route) return sendJson(res, req.method === 'GET' ? 404 : 405, { error: { code: 'NOT_FOUND', message: `no API route ${req.method} ${url.pathname}` } });
    return sendJson(res, 200, await route(options.physarum, url.searchParams));
  }

  async function handleMcp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sessionId = req.headers['mcp-session-id'];
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    let transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (transport && typeof sessionId === 'string') lastSeen.set(sessionId, Date.now());
    if (!transport) {
      if (sessionId !== undefined || req.method !== 'POST' || !isInitializeRequest(body)) {
        sendJson(res, sessionId === undefined ? 400 : 404, {
          jsonrpc: '2.0',
          error: { code: -32000, message: sessionId === undefined ? 'No session: send an initialize request first' : 'Unknown or expired session; initialize again' },
          id: null,
        });
        return;
      }
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, created);
          lastSeen.set(id, Date.now());
        },
      });
      created.onclose = () => {
        if (!created.sessionId) return;
        sessions.delete(created.sessionId);
        lastSeen.delete(created.sessionId);
      };
      const mcp = createMcpServer({ physarum: options.physarum, actor: new SessionActor(() => mcp.server.getClientVersion()), version: options.version });
      await mcp.connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res, body);
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const isApi = url.pathname.startsWith('/api/');
      // Security: the viewer's files hold no data and sign-in checks its own key; a signed-in person needs no token.
      const tokenWaived = (!isApi && url.pathname !== '/mcp') || url.pathname === '/api/session' || (isApi && persons.signedIn(req));
      const verdict = checkRequest(req, policy, { tokenWaived });
      if (!verdict.ok) return sendJson(res, verdict.status, { error: { code: 'FORBIDDEN', message: verdict.message } });
      if (url.pathname === '/mcp') return handleMcp(req, res);
      if (url.pathname === '/healthz') return sendJson(res, 200, { ok: true });
      if (isApi) return handleApi(req, res, url);
      if (req.method === 'GET' && serveAsset(url.pathname, res)) return;
      sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `nothing at ${url.pathname}` } });
    })().catch((e: unknown) => {
      log(`physarum serve: ${String(e)}`);
      sendError(res, e);
    });
  });

  const port0 = options.port ?? 0;
  if (!Number.isInteger(port0) || port0 < 0 || port0 > 65535) {
    throw invalidInput('port', `${port0} is not a port; give one from 1 to 65535, or 0 to pick a free one`);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(listenError(e, host, port0)));
    server.listen(port0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  Object.assign(policy, {
    port,
    ...(options.token ? { token: options.token } : {}),
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
  });
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    viewerKey: persons.key,
    close: async () => {
      clearInterval(sweep);
      for (const t of sessions.values()) await t.close().catch(() => undefined);
      // close() waits for every connection to end; drop the remaining (keep-alive, streams) ones now rather than
      // after their timeouts.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Why the server could not listen, as the error a person can act on. */
function listenError(e: unknown, host: string, port: number): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  const at = `${host}:${port}`;
  if (code === 'EADDRINUSE') {
    return new PhysarumError('CONFLICT', `another program is already listening on ${at}; stop it, or choose another port with --port (0 picks a free one)`, {
      details: { host, port },
      cause: e,
    });
  }
  if (code === 'EACCES') {
    return new PhysarumError('FORBIDDEN', `this user may not listen on ${at}; choose a port above 1023 with --port`, { details: { host, port }, cause: e });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return invalidInput('host', `cannot listen on ${host}: no such address on this machine; give one of its addresses, or 127.0.0.1`);
  }
  return e;
}
