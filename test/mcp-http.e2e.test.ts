// `physarum serve` end to end: MCP over Streamable HTTP with the real SDK client, the security checks, and the JSON API.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, cli, snapshotBin } from './helpers/processes.js';
import { httpRequest, jsonBody, startServe, type HttpResponse, type ServeProcess } from './helpers/http.js';
import { structured, toolError } from './helpers/tool-results.js';
import { timeFields } from './helpers/times.js';

const dir = mkdtempSync(join(tmpdir(), 'physarum-mcp-http-'));
const store = join(dir, 'physarum.db');
const root = join(dir, 'project');
let bin = '';

const env = (extra: Record<string, string> = {}) => childEnv({ PHYSARUM_STORE: store, ...extra });

const servers: ServeProcess[] = [];
const clients: Client[] = [];
/** Every response the raw requests got, to check none of them opens CORS. */
const seen: HttpResponse[] = [];

async function serveOn(args: string[] = [], extraEnv: Record<string, string> = {}): Promise<ServeProcess> {
  const s = await startServe(['--port', '0', ...args], { env: env(extraEnv), cwd: root, bin });
  servers.push(s);
  return s;
}

async function connect(s: ServeProcess, headers?: Record<string, string>, name = 'physarum-e2e-http'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), headers ? { requestInit: { headers } } : undefined);
  await client.connect(transport);
  clients.push(client);
  return client;
}

function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
}

async function req(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpResponse> {
  const r = await httpRequest({ port, path, ...options });
  seen.push(r);
  return r;
}

async function get<T = Record<string, unknown>>(port: number, path: string, status = 200): Promise<T> {
  const r = await req(port, path);
  expect(r.status, `${path}: ${r.body}`).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/json/u);
  return jsonBody<T>(r);
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('MCP over Streamable HTTP', () => {
  let server: ServeProcess;

  beforeAll(async () => {
    // A private copy of dist/, so a rebuild by someone else meanwhile cannot swap files under these servers.
    bin = snapshotBin(join(dir, 'build'));
    mkdirSync(root, { recursive: true });
    server = await serveOn();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 at the port it prints', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/u);
    expect(server.port).toBeGreaterThan(0);
    expect(server.stderr()).toContain(`${server.url}/api/info`);
  });

  it('serves the same tools to an SDK client: deposit, search, briefing', async () => {
    const client = await connect(server);
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(20);
    expect(tools.some((t) => t.name.includes('approve'))).toBe(false);

    const dep = structured<{ id: string; author: { name: string; role: string }; places: string[] }>(
      await call(client, 'deposit_trace', { text: 'HTTP clients leave traces through the Streamable transport', kind: 'insight', places: ['src/http/server.ts'] }),
    );
    expect(dep.author.name).toMatch(/^physarum-e2e-http-[0-9a-f]{6}$/u);
    expect(dep.author.role).toBe('agent');
    expect(dep.places).toEqual(['src/http/server.ts']);

    const found = structured<{ results: Array<{ id: string }> }>(await call(client, 'search_traces', { query: 'streamable transport traces' }));
    expect(found.results[0]?.id).toBe(dep.id);

    const brief = structured<{ text: string; tokens: number; traceIds: string[] }>(await call(client, 'get_briefing', { weight: 'light' }));
    expect(brief.text.startsWith('# Physarum briefing')).toBe(true);
    expect(brief.tokens).toBeLessThanOrEqual(1000);
    expect(brief.traceIds).toContain(dep.id);

    expect(toolError(await call(client, 'follow_trace', { id: 'missing' })).code).toBe('NOT_FOUND');
    expect(toolError(await call(client, 'deposit_trace', { text: '' })).field).toBe('text');

    // A second session is a second agent, seeing the same store.
    const other = await connect(server, undefined, 'second-http');
    const sensed = structured<{ results: Array<{ id: string }> }>(await call(other, 'sense_place', { place: 'src/http/server.ts' }));
    expect(sensed.results.map((r) => r.id)).toEqual([dep.id]);
  });

  it('refuses a hostile Origin or Host with 403 and accepts its own origin', async () => {
    const { port } = server;
    const evil = 'http://evil.example';

    const mcpFromEvil = await req(port, '/mcp', { method: 'POST', headers: { ...MCP_HEADERS, origin: evil }, body: INITIALIZE });
    expect(mcpFromEvil.status).toBe(403);
    expect(jsonBody<{ error: { code: string } }>(mcpFromEvil).error.code).toBe('FORBIDDEN');
    const preflight = await req(port, '/mcp', { method: 'OPTIONS', headers: { origin: evil, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect((await req(port, '/api/info', { headers: { origin: evil } })).status).toBe(403);
    // A look-alike of the server's own origin on another host or port is not its origin.
    expect((await req(port, '/api/info', { headers: { origin: `http://127.0.0.1:${port + 1}` } })).status).toBe(403);
    expect((await req(port, '/api/info', { headers: { origin: `https://127.0.0.1:${port}` } })).status).toBe(403);

    // DNS rebinding: the browser talks to our port but names another host.
    expect((await req(port, '/api/info', { headers: { host: `evil.example:${port}` } })).status).toBe(403);
    expect((await req(port, '/mcp', { method: 'POST', headers: { ...MCP_HEADERS, host: `evil.example:${port}` }, body: INITIALIZE })).status).toBe(403);
    expect((await req(port, '/api/info', { headers: { host: '127.0.0.1' } })).status).toBe(403);

    expect((await req(port, '/api/info', { headers: { origin: `http://127.0.0.1:${port}` } })).status).toBe(200);
    expect((await req(port, '/api/info', { headers: { host: `localhost:${port}`, origin: `http://localhost:${port}` } })).status).toBe(200);
    const own = await req(port, '/mcp', { method: 'POST', headers: { ...MCP_HEADERS, origin: `http://127.0.0.1:${port}` }, body: INITIALIZE });
    expect(own.status, own.body).toBe(200);
    expect(own.headers['mcp-session-id']).toBeTruthy();

    for (const r of seen) expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });

  // Linux routes all of 127.0.0.0/8 to loopback; other systems may only have 127.0.0.1.
  it.skipIf(process.platform !== 'linux')('accepts the Host it prints when listening on another loopback address', async () => {
    const other = await serveOn(['--host', '127.0.0.2']);
    expect(other.url).toBe(`http://127.0.0.2:${other.port}`);
    const direct = await httpRequest({ address: '127.0.0.2', port: other.port, path: '/api/info', headers: { origin: other.url } });
    seen.push(direct);
    expect(direct.status, direct.body).toBe(200);
  });

  it('beyond loopback (with a token) accepts the loopback names and the token, and still refuses a foreign Host', async () => {
    const wide = await serveOn(['--host', '0.0.0.0', '--token', 'w1de-open']);
    const auth = { authorization: 'Bearer w1de-open' };
    expect((await req(wide.port, '/api/info', { headers: auth })).status).toBe(200);
    expect((await req(wide.port, '/api/info', { headers: { ...auth, host: `localhost:${wide.port}` } })).status).toBe(200);
    expect((await req(wide.port, '/api/info', { headers: { ...auth, host: `evil.example:${wide.port}` } })).status).toBe(403);
    expect((await req(wide.port, '/api/info')).status).toBe(401);
  });

  it('answers /mcp without a session with 400 and with an unknown session with 404', async () => {
    expect((await req(server.port, '/mcp')).status).toBe(400);
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect((await req(server.port, '/mcp', { method: 'POST', headers: MCP_HEADERS, body: list })).status).toBe(400);
    const unknown = await req(server.port, '/mcp', { method: 'POST', headers: { ...MCP_HEADERS, 'mcp-session-id': 'no-such-session' }, body: list });
    expect(unknown.status).toBe(404);
  });

  it('requires the bearer token on /mcp and /api when one is set', async () => {
    const guarded = await serveOn(['--token', 's3cret']);
    const { port } = guarded;
    const noToken = await req(port, '/api/info');
    expect(noToken.status).toBe(401);
    expect(noToken.body).not.toContain('s3cret');
    expect((await req(port, '/api/info', { headers: { authorization: 'Bearer wrong!' } })).status).toBe(401);
    expect((await req(port, '/api/info', { headers: { authorization: 'Bearer s3cret-and-more' } })).status).toBe(401);
    expect((await req(port, '/api/info', { headers: { authorization: 'Basic s3cret' } })).status).toBe(401);
    expect((await req(port, '/mcp', { method: 'POST', headers: MCP_HEADERS, body: INITIALIZE })).status).toBe(401);
    expect((await req(port, '/api/info', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    expect((await req(port, '/mcp', { method: 'POST', headers: { ...MCP_HEADERS, authorization: 'Bearer s3cret' }, body: INITIALIZE })).status).toBe(200);

    await expect(connect(guarded)).rejects.toThrow();
    const client = await connect(guarded, { Authorization: 'Bearer s3cret' });
    expect((await client.listTools()).tools).toHaveLength(20);
    const dep = structured<{ id: string }>(await call(client, 'deposit_trace', { text: 'Guarded servers still take traces', places: ['topic:auth'] }));
    expect(structured<{ results: Array<{ id: string }> }>(await call(client, 'sense_place', { place: 'topic:auth' })).results.map((r) => r.id)).toEqual([dep.id]);
  });

  it('takes the token from PHYSARUM_TOKEN too', async () => {
    const guarded = await serveOn([], { PHYSARUM_TOKEN: 'env-s3cret' });
    expect((await req(guarded.port, '/api/info')).status).toBe(401);
    expect((await req(guarded.port, '/api/info', { headers: { authorization: 'Bearer env-s3cret' } })).status).toBe(200);
  });

  it('refuses to listen beyond loopback without a token, exiting with 2 and naming --token', async () => {
    const r = await cli(['serve', '--host', '0.0.0.0', '--port', '0'], { bin, cwd: root, env: { PHYSARUM_STORE: store } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('--token');
    expect(r.stderr).not.toContain('MCP (Streamable HTTP)');
  });

  it('answers the read-only JSON API', async () => {
    const { port } = server;
    const client = await connect(server, undefined, 'api-seeder');
    const dep = structured<{ id: string }>(
      await call(client, 'deposit_trace', { text: 'The JSON API mirrors the CLI shapes for scripts', kind: 'decision', places: ['docs/http.md'], tags: ['api'] }),
    );
    structured(await call(client, 'follow_trace', { id: dep.id }));
    structured(await call(client, 'annotate_trace', { id: dep.id, stance: 'challenge', text: 'Except for times, which are ISO here' }));
    const created = structured(await call(client, 'create_trail', { name: 'start-here', description: 'Read first', steps: [{ trace: dep.id }, { place: 'docs/http.md', note: 'the reference' }] }));
    structured(await call(client, 'propose_identity_change', { doc: 'who-we-are', text: 'We expose memory to scripts.', reason: 'api test' }));

    const info = await get<{ backend: string; location: string; traces: number; events: number }>(port, '/api/info');
    expect(info.backend).toBe('sqlite');
    expect(info.location).toBe(store);
    expect(info.traces).toBeGreaterThanOrEqual(1);
    expect(info.events).toBeGreaterThanOrEqual(4);

    const search = await get<{ terms: string[]; results: Array<{ id: string; parts: object }> }>(port, `/api/search?query=${encodeURIComponent('json api shapes')}`);
    expect(search.results[0]?.id).toBe(dep.id);
    expect(search.results[0]?.parts).toBeDefined();
    expect((await get<{ results: unknown[] }>(port, '/api/search?query=json&kind=note')).results).toEqual([]);
    expect((await get<{ results: Array<{ id: string }> }>(port, '/api/search?query=json&tag=api&limit=1')).results.map((r) => r.id)).toEqual([dep.id]);

    const sense = await get<{ place: string; results: Array<{ id: string }> }>(port, '/api/sense?place=docs/http.md');
    expect(sense.place).toBe('docs/http.md');
    expect(sense.results.map((r) => r.id)).toEqual([dep.id]);
    expect((await get<{ results: Array<{ id: string }> }>(port, '/api/sense?place=docs&parents=true')).results).toEqual([]);

    const one = await get<{ trace: { id: string; follows: number; createdAt: string }; annotations: Array<{ stance: string }> }>(port, `/api/traces/${dep.id}`);
    expect(one.trace.id).toBe(dep.id);
    expect(one.trace.follows).toBe(1);
    expect(one.trace.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/u);
    expect(one.annotations.map((a) => a.stance)).toEqual(['challenge']);

    const hist = await get<{ events: Array<{ type: string; traceId: string | null; actor: { name: string } }> }>(port, `/api/history?id=${dep.id}`);
    expect(hist.events.map((e) => e.type)).toEqual(['trace.annotate', 'trace.follow', 'trace.deposit']);
    expect(hist.events.every((e) => e.actor.name.startsWith('api-seeder-'))).toBe(true);
    expect((await get<{ events: unknown[] }>(port, '/api/history?limit=2')).events).toHaveLength(2);

    const brief = await get<{ text: string; tokens: number; budget: number }>(port, '/api/brief?weight=light');
    expect(brief.text.startsWith('# Physarum briefing')).toBe(true);
    expect(brief.budget).toBe(1000);
    expect(brief.tokens).toBeLessThanOrEqual(1000);

    const identity = await get<{ current: unknown[]; pending: Array<{ doc: string; status: string }> }>(port, '/api/identity');
    expect(identity.current).toEqual([]);
    expect(identity.pending).toContainEqual(expect.objectContaining({ doc: 'who-we-are', status: 'proposed' }));

    const trails = await get<{ trails: Array<{ name: string }> }>(port, '/api/trails');
    expect(trails.trails.map((t) => t.name)).toEqual(['start-here']);
    const trail = await get<{ name: string; steps: unknown[] }>(port, '/api/trails/start-here');
    expect(trail.name).toBe('start-here');
    expect(trail.steps).toHaveLength(2);

    expect((await get<{ ok: boolean }>(port, '/healthz')).ok).toBe(true);

    // Every time the API sends is an ISO string, as in the CLI's --json and in MCP results.
    structured(await call(client, 'claim', { place: 'docs/http.md', note: 'documenting' }));
    structured(await call(client, 'post_message', { text: 'times are ISO' }));
    const handoff = structured(await call(client, 'write_handoff', { summary: 'API shapes checked', end: false }));
    const board = await get<Record<'instances' | 'claims' | 'messages' | 'handoffs', unknown[]>>(port, '/api/board');
    for (const list of ['instances', 'claims', 'messages', 'handoffs'] as const) expect(board[list].length, list).toBeGreaterThan(0);
    for (const [name, out] of Object.entries({ created, handoff, got: structured(await call(client, 'get_trail', { name: 'start-here' })) })) {
      expect(timeFields(out).bad, name).toEqual([]);
      expect(timeFields(out).seen, `${name} has time fields`).toBeGreaterThan(0);
    }
    for (const path of ['/api/board', '/api/identity', '/api/trails', '/api/trails/start-here', `/api/traces/${dep.id}`, `/api/traces/${dep.id}/strength`, '/api/map', `/api/history?id=${dep.id}`, '/api/search?query=json', '/api/sense?place=docs/http.md']) {
      const { bad, seen } = timeFields(await get(port, path), { at: !path.startsWith('/api/sense') });
      expect(bad, path).toEqual([]);
      expect(seen, `${path} has time fields`).toBeGreaterThan(0);
    }
  });

  it('shuts down cleanly and at once on SIGTERM, even right after printing its URL or with a request in flight', async () => {
    // Stopped the moment it says it is ready.
    const eager = await serveOn();
    expect(await eager.stop()).toEqual({ code: 0, signal: null });

    // Stopped with a connected client and a request whose body never finishes arriving.
    const busy = await serveOn();
    const client = await connect(busy);
    structured(await call(client, 'deposit_trace', { text: 'Written just before shutdown', places: ['topic:shutdown'] }));
    const stalled = httpRequest({ port: busy.port, path: '/mcp', method: 'POST', headers: { ...MCP_HEADERS, 'content-length': '10000' }, body: '{"jsonrpc":' });
    const cut = stalled.then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    expect(await busy.stop()).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await cut).toBe('cut');

    // Nothing was lost: the next server on the store sees the trace.
    const after = await get<{ results: Array<{ text: string }> }>(server.port, '/api/sense?place=topic:shutdown');
    expect(after.results.map((r) => r.text)).toEqual(['Written just before shutdown']);
  });

  it('maps API errors to statuses from the error table', async () => {
    const { port } = server;
    const missing = await get<{ error: { code: string; message: string } }>(port, '/api/traces/01ARZ3NDEKTSV4RRFFQ69G5FAV', 404);
    expect(missing.error.code).toBe('NOT_FOUND');
    expect((await get<{ error: { code: string } }>(port, '/api/trails/no-such-trail', 404)).error.code).toBe('NOT_FOUND');
    for (const path of ['/api/search?query=x&limit=abc', '/api/search?query=x&limit=0', '/api/brief?weight=heavy', '/api/sense?place=ftp://x', '/api/search?query=x&since=someday']) {
      const bad = await get<{ error: { code: string; field?: string } }>(port, path, 400);
      expect(bad.error.code, path).toBe('INVALID_INPUT');
    }
    expect((await get<{ error: { code: string } }>(port, '/api/nothing-here', 404)).error.code).toBe('NOT_FOUND');
    expect((await req(port, '/api/info', { method: 'POST', body: '{}' })).status).toBe(405);
    for (const r of seen) expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });
});
