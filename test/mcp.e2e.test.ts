// A real MCP SDK client against `physarum mcp` (stdio) and `physarum serve` (Streamable HTTP) on a real store.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'physarum-mcp-'));
const store = join(dir, 'p.db');

function env(extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('PHYSARUM_')) out[k] = v;
  return { ...out, PHYSARUM_STORE: store, PHYSARUM_USER: 'ren', ...extra };
}

function cli(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { env: env(), encoding: 'utf8' });
}

async function stdioClient(instance?: string): Promise<Client> {
  const client = new Client({ name: 'physarum-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], env: env(instance ? { PHYSARUM_INSTANCE: instance } : {}), stderr: 'pipe' }));
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function structured<T>(r: CallToolResult): T {
  expect(r.isError ?? false, JSON.stringify(r.content)).toBe(false);
  return r.structuredContent as T;
}

function errorCode(r: CallToolResult): string {
  expect(r.isError).toBe(true);
  const first = r.content[0];
  const text = first && first.type === 'text' ? first.text : '';
  return (JSON.parse(text) as { error: { code: string } }).error.code;
}

describe('MCP over stdio', () => {
  let a: Client;
  let b: Client;
  beforeAll(async () => {
    a = await stdioClient('aria-1');
    b = await stdioClient('bo-2');
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('lists every tool with input and output schemas and annotations, and none that approves', async () => {
    const { tools } = await a.listTools();
    const names = tools.map((t) => t.name);
    for (const name of [
      'deposit_trace', 'sense_place', 'search_traces', 'follow_trace', 'annotate_trace', 'forget_trace', 'get_history',
      'get_briefing', 'propose_identity_change', 'create_trail', 'get_trail', 'register_instance', 'check_in', 'claim',
      'release_claim', 'post_message', 'read_messages', 'write_handoff',
    ]) expect(names).toContain(name);
    for (const t of tools) {
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema?.type).toBe('object');
      expect(t.annotations).toBeDefined();
    }
    expect(tools.find((t) => t.name === 'search_traces')?.annotations?.readOnlyHint).toBe(true);
    expect(tools.find((t) => t.name === 'forget_trace')?.annotations?.destructiveHint).toBe(true);
    expect(names.some((n) => n.includes('approve'))).toBe(false);
  });

  it('deposits, senses, searches, follows and logs it all under the instance name', async () => {
    const dep = structured<{ id: string; trace: { author: { name: string; role: string }; trust: string; places: string[] } }>(
      await call(a, 'deposit_trace', { text: 'The importer buffers whole files; stream them', kind: 'warning', places: ['./src/../src/importer.ts'] }),
    );
    expect(dep.trace.author).toMatchObject({ name: 'aria-1', role: 'agent' });
    expect(dep.trace.trust).toBe('agent');
    expect(dep.trace.places).toEqual(['src/importer.ts']);
    const sensed = structured<{ results: Array<{ id: string }> }>(await call(b, 'sense_place', { place: 'src/importer.ts' }));
    expect(sensed.results.map((r) => r.id)).toContain(dep.id);
    const found = structured<{ results: Array<{ id: string; score: number; parts: { relevance: number } }> }>(
      await call(b, 'search_traces', { query: 'importer stream' }),
    );
    expect(found.results[0]?.id).toBe(dep.id);
    const followed = structured<{ trace: { follows: number; strength: number } }>(await call(b, 'follow_trace', { id: dep.id }));
    expect(followed.trace.follows).toBe(1);
    const history = structured<{ events: Array<{ type: string; actor: { name: string } }> }>(await call(a, 'get_history', { id: dep.id }));
    expect(history.events.map((e) => `${e.type}:${e.actor.name}`)).toEqual(['trace.follow:bo-2', 'trace.deposit:aria-1']);
  });

  it('returns domain errors as tool errors with stable codes, storing nothing', async () => {
    const before = structured<{ events: unknown[] }>(await call(a, 'get_history', { limit: 1000 })).events.length;
    expect(errorCode(await call(a, 'follow_trace', { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }))).toBe('NOT_FOUND');
    expect(errorCode(await call(a, 'deposit_trace', { text: 'x', places: ['ftp://example.org/x'] }))).toBe('INVALID_INPUT');
    // Input that breaks the tool's schema is refused by the SDK's own validation, naming the field.
    const blank = await call(a, 'deposit_trace', { text: '   ' });
    expect(blank.isError).toBe(true);
    expect(JSON.stringify(blank.content)).toContain('text');
    const human = await call(a, 'deposit_trace', { text: 'pretend a person wrote this', trust: 'human' });
    expect(human.isError).toBe(true);
    const after = structured<{ events: unknown[] }>(await call(a, 'get_history', { limit: 1000 })).events.length;
    expect(after).toBe(before);
  });

  it('keeps identity proposals out of briefings until a person approves them at the CLI', async () => {
    const p = structured<{ proposalId: string }>(
      await call(a, 'propose_identity_change', { doc: 'who-we-are', text: 'We write a careful essay on entropy.', reason: 'first draft' }),
    );
    const before = structured<{ text: string }>(await call(a, 'get_briefing', { weight: 'light' }));
    expect(before.text).not.toContain('careful essay on entropy');
    const approved = cli(['identity', 'approve', p.proposalId]);
    expect(approved.status, approved.stderr).toBe(0);
    const after = structured<{ text: string; tokens: number }>(await call(a, 'get_briefing', { weight: 'light' }));
    expect(after.text.startsWith('# Physarum briefing')).toBe(true);
    expect(after.text).toContain('careful essay on entropy');
    expect(after.tokens).toBeLessThanOrEqual(1000);
    const resource = await a.readResource({ uri: 'physarum://identity' });
    expect(JSON.stringify(resource.contents)).toContain('careful essay on entropy');
  });

  it('coordinates two instances: a conflicting claim names the holder, messages reach the briefing', async () => {
    structured(await call(a, 'claim', { place: 'src/parser.ts', lease: '10m' }));
    const conflict = await call(b, 'claim', { place: 'src/parser.ts' });
    expect(errorCode(conflict)).toBe('CONFLICT');
    expect(JSON.stringify(conflict.content)).toContain('aria-1');
    structured(await call(a, 'post_message', { to: 'bo-2', text: 'parser is mine until noon' }));
    const welcome = structured<{ briefing: string }>(await call(b, 'register_instance', { name: 'bo-2' }));
    expect(welcome.briefing).toContain('parser is mine until noon');
    expect(structured<{ messages: unknown[] }>(await call(b, 'read_messages', {})).messages).toHaveLength(1);
    expect(structured<{ messages: unknown[] }>(await call(b, 'read_messages', {})).messages).toHaveLength(0);
    structured(await call(a, 'write_handoff', { summary: 'Parser half done; tests pending.', openThreads: ['error recovery'] }));
    const next = structured<{ text: string }>(await call(b, 'get_briefing', {}));
    expect(next.text.indexOf('## Latest handoffs')).toBeGreaterThan(next.text.indexOf('## Identity'));
  });
});

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

async function startServe(args: string[], extraEnv: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), ...args], { env: env(extraEnv), stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((ready, fail) => {
    let err = '';
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      err += s;
      if (err.includes('/mcp')) ready();
    });
    child.on('exit', (code) => fail(new Error(`serve exited ${code}: ${err}`)));
  });
  return { child, port };
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => (body += s));
      res.on('end', () => done({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('MCP over Streamable HTTP', () => {
  let server: { child: ChildProcess; port: number };
  beforeAll(async () => {
    server = await startServe([]);
  });
  afterAll(() => {
    server.child.kill();
  });

  it('serves the same tools to an SDK client', async () => {
    const client = new Client({ name: 'physarum-http-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${server.port}/mcp`)));
    const dep = structured<{ id: string }>(await call(client, 'deposit_trace', { text: 'HTTP clients leave traces too', places: ['topic:transport'] }));
    const found = structured<{ results: Array<{ id: string }> }>(await call(client, 'search_traces', { query: 'http clients traces' }));
    expect(found.results.map((r) => r.id)).toContain(dep.id);
    await client.close();
  });

  it('refuses a hostile Origin and a hostile Host with 403, and never allows any origin', async () => {
    const ok = await get(server.port, '/api/info');
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBeUndefined();
    expect((await get(server.port, '/api/info', { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(server.port, '/mcp', { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(server.port, '/api/info', { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get(server.port, '/api/info', { Origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
  });

  it('answers the JSON API with statuses from the error table', async () => {
    const search = await get(server.port, '/api/search?query=traces');
    expect(search.status).toBe(200);
    expect(JSON.parse(search.body)).toHaveProperty('results');
    const missing = await get(server.port, '/api/traces/01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error.code).toBe('NOT_FOUND');
    expect((await get(server.port, '/api/search?query=x&limit=abc')).status).toBe(400);
  });

  it('requires the bearer token when one is set', async () => {
    const guarded = await startServe(['--token', 's3cret']);
    try {
      expect((await get(guarded.port, '/api/info')).status).toBe(401);
      expect((await get(guarded.port, '/api/info', { Authorization: 'Bearer s3cret' })).status).toBe(200);
      const client = new Client({ name: 't', version: '1' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${guarded.port}/mcp`), { requestInit: { headers: { Authorization: 'Bearer s3cret' } } }),
      );
      expect((await client.listTools()).tools.length).toBeGreaterThan(10);
      await client.close();
    } finally {
      guarded.child.kill();
    }
  });

  it('refuses to listen beyond loopback without a token', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--port', '0'], { env: env(), encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--token');
  });
});
