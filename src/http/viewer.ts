// The web viewer's HTTP side: its built files, the person's sign-in, the routes that act as the person, and live events.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Physarum } from '../physarum.js';
import { opt } from './api.js';
import { PhysarumError, invalidInput } from '../errors/index.js';
import { toEventView } from '../palimpsest/view.js';
import { toTraceView } from '../traces/view.js';
import { toIdentityVersionView } from '../identity/view.js';
import type { PersonSessions } from './person.js';
import { decodeSegment } from './security.js';

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

// Security: scripts, styles and connections only from this server; no inline script, no framing by other sites.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const cache = new Map<string, Buffer>();

/** Serves a file of the built viewer (dist/web); false when the path is not one. */
export function serveAsset(path: string, res: ServerResponse): boolean {
  const asset = ASSETS[path];
  if (!asset) return false;
  let body = cache.get(asset.file);
  if (!body) {
    try {
      body = readFileSync(new URL(`../web/${asset.file}`, import.meta.url));
    } catch (e) {
      throw new PhysarumError('INTERNAL', `the viewer's files are missing (${asset.file}); run \`npm run build\``, { cause: e });
    }
    cache.set(asset.file, body);
  }
  res.writeHead(200, {
    'content-type': asset.type,
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  });
  res.end(body);
  return true;
}

type Body = Record<string, unknown>;
type Write = (p: Physarum, person: PersonSessions, req: IncomingMessage, body: Body, m: RegExpExecArray) => Promise<unknown>;

const str = (b: Body, key: string): string | undefined => (typeof b[key] === 'string' ? (b[key] as string) : undefined);

/** Routes that change the store, each acting as the signed-in person: one core call each. */
const writes: Array<[RegExp, Write]> = [
  [
    /^\/api\/events\/([^/]+)\/revert$/u,
    async (p, s, req, b, m) => {
      const r = await p.revert({ event: decodeSegment(m[1]), reason: str(b, 'reason') ?? '' }, s.requirePerson(req));
      return { trace: toTraceView(r.trace), event: toEventView(r.event) };
    },
  ],
  [
    /^\/api\/identity\/([^/]+)\/(approve|reject)$/u,
    async (p, s, req, b, m) => {
      const input = { proposal: decodeSegment(m[1]), ...opt('note', str(b, 'note')), ...opt('force', b['force'] === true ? true : undefined) };
      return toIdentityVersionView(await (m[2] === 'approve' ? p.approveIdentity(input, s.requirePerson(req)) : p.rejectIdentity(input, s.requirePerson(req))));
    },
  ],
];

export function matchWrite(path: string): ((p: Physarum, s: PersonSessions, req: IncomingMessage, body: Body) => Promise<unknown>) | undefined {
  for (const [re, route] of writes) {
    const m = re.exec(path);
    if (m) return (p, s, req, body) => route(p, s, req, body, m);
  }
  return undefined;
}

/** Security: state changes accept only JSON bodies, which a cross-site form cannot send without a CORS preflight. */
export function requireJson(req: IncomingMessage): void {
  if (!/^application\/json\b/iu.test(req.headers['content-type'] ?? '')) {
    throw new PhysarumError('INVALID_INPUT', 'send the request body as JSON with Content-Type: application/json', { field: 'content-type' });
  }
}

export function asBody(v: unknown): Body {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidInput('body', 'must be a JSON object');
  return v as Body;
}

/** How often the live stream reads the change log: other processes (MCP over stdio, the CLI) write to the same file. */
const POLL_MS = 750;
const PING_MS = 15_000;

/** Server-sent events: every new change-log event, oldest first, from `after` (or Last-Event-ID) on. */
export async function streamEvents(p: Physarum, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  // Listened for before any await: a client gone while the stream starts must not leave its timers running.
  const closed = new Promise<void>((done) => res.once('close', () => done()));
  const from = req.headers['last-event-id'] ?? url.searchParams.get('after');
  let after = Number(from ?? NaN);
  if (!Number.isInteger(after) || after < 0) after = (await p.history({ limit: 1 }))[0]?.seq ?? 0;
  if (res.destroyed || req.destroyed) return;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.write(`retry: 2000\n: following the change log after ${after}\n\n`);
  let busy = false;
  const poll = setInterval(() => {
    if (busy) return;
    busy = true;
    p.history({ after, limit: 200 })
      .then((events) => {
        for (const e of events) {
          after = Math.max(after, e.seq);
          res.write(`id: ${e.seq}\nevent: change\ndata: ${JSON.stringify(toEventView(e))}\n\n`);
        }
      })
      .catch((e: unknown) => res.write(`event: failure\ndata: ${JSON.stringify({ message: String(e) })}\n\n`))
      .finally(() => (busy = false));
  }, POLL_MS);
  const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
  await closed;
  clearInterval(poll);
  clearInterval(ping);
}
