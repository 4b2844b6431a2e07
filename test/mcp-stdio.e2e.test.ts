// `physarum mcp` end to end: real server processes over stdio on one temp store, driven by the real MCP SDK client.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, snapshotBin } from './helpers/processes.js';
import { structured, toolError } from './helpers/tool-results.js';
import { timeFields } from './helpers/times.js';

const ALL_TOOLS = [
  'deposit_trace', 'sense_place', 'search_traces', 'follow_trace', 'annotate_trace', 'retag_trace', 'forget_trace',
  'get_history', 'get_briefing', 'propose_identity_change', 'create_trail', 'get_trail', 'register_instance',
  'check_in', 'claim', 'release_claim', 'post_message', 'read_messages', 'write_handoff', 'get_board',
];
const READ_TOOLS = ['sense_place', 'search_traces', 'get_history', 'get_briefing', 'get_trail', 'get_board'];
const IDENTITY_HEADING = '## Identity (human-approved)';

interface TraceView {
  id: string;
  text: string;
  places: string[];
  author: { name: string; role: string; model?: string };
  trust: string;
  source: string;
  createdAt: string;
  strength: number;
  follows: number;
}
interface EventView {
  type: string;
  actor: { name: string; role: string };
  traceId: string | null;
}
interface Briefing {
  text: string;
  tokens: number;
  budget: number;
  traceIds: string[];
  omitted: number;
}

const dir = mkdtempSync(join(tmpdir(), 'physarum-mcp-stdio-'));
const store = join(dir, 'physarum.db');
/** The project root of the servers (their working directory): places are relative to it. */
const root = join(dir, 'project');
let bin = '';

const env = (extra: Record<string, string> = {}) => childEnv({ PHYSARUM_STORE: store, ...extra });

interface Connected {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
}
const connected: Connected[] = [];

/** A `physarum mcp` server process on the shared store, with an SDK client connected to it. */
async function connect(extraEnv: Record<string, string> = {}, clientName = 'physarum-e2e'): Promise<Connected> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp'], env: env(extraEnv), cwd: root, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const client = new Client({ name: clientName, version: '1.0.0' });
  const c = { client, transport, stderr: () => stderr };
  connected.push(c);
  try {
    await client.connect(transport);
  } catch (e) {
    throw new Error(`physarum mcp did not start: ${e instanceof Error ? e.message : String(e)}; stderr: ${stderr || '(empty)'}`, { cause: e });
  }
  return c;
}

function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
}

/** The change log, newest first. */
async function history(client: Client, args: Record<string, unknown> = {}): Promise<EventView[]> {
  return structured<{ events: EventView[] }>(await call(client, 'get_history', { limit: 1000, ...args })).events;
}

/** The identity section of a briefing: from its heading to the next "## " heading. */
function identitySection(text: string): string {
  const start = text.indexOf(IDENTITY_HEADING);
  expect(start, 'the briefing has an identity section').toBeGreaterThanOrEqual(0);
  const next = text.indexOf('\n## ', start + IDENTITY_HEADING.length);
  return text.slice(start, next === -1 ? undefined : next);
}

const headings = (text: string) => text.split('\n').filter((l) => l.startsWith('## '));

describe('MCP over stdio', () => {
  let aria: Client;

  beforeAll(async () => {
    // A private copy of dist/, so a rebuild by someone else meanwhile cannot swap files under these servers.
    bin = snapshotBin(join(dir, 'build'));
    mkdirSync(root, { recursive: true });
    aria = (await connect({ PHYSARUM_INSTANCE: 'aria-1', PHYSARUM_MODEL: 'claude-test' })).client;
  });

  afterAll(async () => {
    await Promise.all(connected.map((c) => c.client.close().catch(() => undefined)));
    // client.close() ends stdin, then SIGTERM, then SIGKILL; make sure nothing is left behind.
    for (const c of connected) {
      const pid = c.transport.pid;
      if (pid !== null) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every tool with an input schema, an output schema and annotations, and none that approves', async () => {
    const { tools } = await aria.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...ALL_TOOLS].sort());
    for (const t of tools) {
      expect(t.inputSchema.type, t.name).toBe('object');
      expect(t.outputSchema?.type, t.name).toBe('object');
      expect(t.description, t.name).toBeTruthy();
      expect(t.annotations, t.name).toBeDefined();
      expect(t.annotations?.readOnlyHint, t.name).toBe(READ_TOOLS.includes(t.name));
      expect(t.annotations?.destructiveHint, t.name).toBe(t.name === 'forget_trace');
      expect(t.annotations?.openWorldHint, t.name).toBe(false);
      expect(t.name).not.toMatch(/approve/iu);
    }
    const deposit = tools.find((t) => t.name === 'deposit_trace');
    expect(deposit?.inputSchema.required).toEqual(['text']);
    expect(JSON.stringify(deposit?.inputSchema.properties?.['trust'])).not.toContain('human');
    const { resources } = await aria.listResources();
    expect(resources.map((r) => r.uri)).toContain('physarum://identity');
  });

  it('deposits, senses, searches, follows, annotates and logs it all under the instance name', async () => {
    const text = 'The tokenizer drops combining accents; normalise to NFC before splitting';
    const dep = structured<{ id: string; deduplicated: boolean; places: string[]; strength: number; author: TraceView['author']; redactions: unknown[] }>(
      await call(aria, 'deposit_trace', { text, kind: 'warning', places: ['./src/../src/tokenizer.ts'], tags: ['unicode'] }),
    );
    // The reply says what the caller did not know, without echoing the text back.
    expect(dep).toEqual({
      id: expect.any(String),
      deduplicated: false,
      places: ['src/tokenizer.ts'],
      strength: expect.any(Number),
      author: { name: 'aria-1', role: 'agent', model: 'claude-test' },
      redactions: [],
    });

    const sensed = structured<{ place: string; results: Array<TraceView & { currentStrength: number }> }>(
      await call(aria, 'sense_place', { place: 'src/tokenizer.ts' }),
    );
    expect(sensed.place).toBe('src/tokenizer.ts');
    expect(sensed.results.map((r) => r.id)).toEqual([dep.id]);
    expect(sensed.results[0]).toMatchObject({ text, kind: 'warning', tags: ['unicode'], trust: 'agent', strength: dep.strength, author: dep.author });


    const found = structured<{ terms: string[]; results: Array<TraceView & { score: number; parts: { relevance: number } }> }>(
      await call(aria, 'search_traces', { query: 'combining accents tokenizer' }),
    );
    expect(found.results[0]?.id).toBe(dep.id);
    expect(found.results[0]?.parts.relevance).toBeGreaterThan(0);

    const followed = structured<{ trace: TraceView }>(await call(aria, 'follow_trace', { id: dep.id }));
    expect(followed.trace.id).toBe(dep.id);
    expect(followed.trace.follows).toBe(1);
    expect(followed.trace.strength).toBeGreaterThan(dep.strength);

    const annotated = structured<{ annotationId: string; trace: TraceView }>(
      await call(aria, 'annotate_trace', { id: dep.id, stance: 'endorse', text: 'Confirmed with the Vietnamese corpus' }),
    );
    expect(annotated.trace.id).toBe(dep.id);
    expect(annotated.annotationId).toBeTruthy();

    const events = await history(aria, { id: dep.id });
    expect(events.map((e) => e.type)).toEqual(['trace.annotate', 'trace.follow', 'trace.deposit']);
    for (const e of events) {
      expect(e.actor).toMatchObject({ name: 'aria-1', role: 'agent' });
      expect(e.traceId).toBe(dep.id);
    }
  });

  it('answers a repeated deposit with the reinforced trace, and shows the stored text only when secrets were redacted', async () => {
    const text = 'Repeated notes reinforce the first one instead of piling up';
    const first = structured<{ id: string; strength: number }>(await call(aria, 'deposit_trace', { text, places: ['topic:replies'] }));
    const again = structured<{ id: string; deduplicated: boolean; strength: number; text?: string }>(
      await call(aria, 'deposit_trace', { text, places: ['topic:replies'] }),
    );
    expect(again).toMatchObject({ id: first.id, deduplicated: true });
    expect(again.strength).toBeGreaterThan(first.strength);
    expect(again.text).toBeUndefined();

    const key = ['sk-', 'proj-', 'Zy9xWv8uTs7rQp6oNm5lKj4iHg3f'].join('');
    const redacted = structured<{ id: string; text?: string; tags?: string[]; redactions: unknown[] }>(
      await call(aria, 'deposit_trace', { text: `The staging key is ${key}; rotate it monthly`, places: ['topic:replies'], tags: ['ops'] }),
    );
    expect(redacted.redactions).toEqual([{ kind: 'openai_key', count: 1 }]);
    expect(redacted.text).toBe('The staging key is [REDACTED:openai_key]; rotate it monthly');
    expect(redacted.tags).toEqual(['ops']);

    // Fields the tool does not take are dropped, as the SDK drops them: an agent cannot backdate or pose as ingest.
    const posing = structured<{ id: string }>(
      await call(aria, 'deposit_trace', { text: 'Posing as an old ingested note', places: ['topic:posing'], source: 'ingest:x.md', at: '2001-01-01T00:00:00Z' }),
    );
    const stored = structured<{ results: TraceView[] }>(await call(aria, 'sense_place', { place: 'topic:posing' })).results[0];
    expect(stored).toMatchObject({ id: posing.id, source: 'agent', trust: 'agent' });
    expect(stored?.createdAt).not.toMatch(/^2001-/u);
  });

  it('names the agent by PHYSARUM_INSTANCE, by the client otherwise, and by its registered name after register_instance', async () => {
    const unnamed = (await connect({}, 'scratch-client')).client;
    const before = structured<{ author: TraceView['author'] }>(await call(unnamed, 'deposit_trace', { text: 'Written before registering', places: ['topic:naming'] }));
    expect(before.author.name).toMatch(/^scratch-client-[0-9a-f]{6}$/u);
    expect(before.author.role).toBe('agent');

    const named = (await connect({ PHYSARUM_INSTANCE: 'aria-3' })).client;
    const early = structured<{ author: TraceView['author'] }>(await call(named, 'deposit_trace', { text: 'Written as aria-3', places: ['topic:naming'] }));
    expect(early.author.name).toBe('aria-3');

    const reg = structured<{ instance: { name: string; status: string }; resumed: boolean; briefing: string }>(
      await call(named, 'register_instance', { name: 'aria-7', model: 'claude-test-2' }),
    );
    expect(reg.instance.name).toBe('aria-7');
    expect(reg.resumed).toBe(false);
    expect(reg.briefing.startsWith('# Physarum briefing')).toBe(true);
    const later = structured<{ id: string; author: TraceView['author'] }>(await call(named, 'deposit_trace', { text: 'Written after registering', places: ['topic:naming'] }));
    expect(later.author).toEqual({ name: 'aria-7', role: 'agent', model: 'claude-test-2' });
    const logged = (await history(aria, { id: later.id }))[0];
    expect(logged?.actor.name).toBe('aria-7');
  });

  it('refuses bad calls with isError and the documented error JSON, storing nothing', async () => {
    const eventsBefore = (await history(aria)).length;

    const missing = toolError(await call(aria, 'follow_trace', { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.details).toEqual({ id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' });

    for (const text of ['', '   ']) {
      const empty = toolError(await call(aria, 'deposit_trace', { text }));
      expect(empty.code).toBe('INVALID_INPUT');
      expect(empty.field).toBe('text');
    }

    const ftp = toolError(await call(aria, 'deposit_trace', { text: 'quarantined refusal probe', places: ['ftp://x'] }));
    expect(ftp.code).toBe('INVALID_INPUT');
    expect(ftp.field).toMatch(/^places/u);
    expect(ftp.message).toContain('ftp:');

    const human = toolError(await call(aria, 'deposit_trace', { text: 'quarantined refusal probe as a person', trust: 'human' }));
    expect(human.code).toBe('INVALID_INPUT');
    expect(human.field).toBe('trust');
    const notList = toolError(await call(aria, 'deposit_trace', { text: 'quarantined refusal probe', places: 'src/a.ts' }));
    expect(notList).toMatchObject({ code: 'INVALID_INPUT', field: 'places' });
    expect(toolError(await call(aria, 'deposit_trace', { text: 'quarantined refusal probe', kind: 'rumour' })).field).toBe('kind');

    const noReason = toolError(await call(aria, 'forget_trace', { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', reason: '' }));
    expect(noReason.code).toBe('INVALID_INPUT');
    expect(noReason.field).toBe('reason');
    expect(toolError(await call(aria, 'get_trail', { name: 'no-such-trail' })).code).toBe('NOT_FOUND');

    expect((await history(aria)).length).toBe(eventsBefore);
    const probe = structured<{ results: unknown[] }>(await call(aria, 'search_traces', { query: 'quarantined refusal probe' }));
    expect(probe.results).toEqual([]);
  });

  it('keeps an identity proposal out of briefings until a person approves it with the CLI', async () => {
    const text = 'We build a tokenizer for historical Vietnamese texts; accuracy beats speed.';
    const proposal = structured<{ proposalId: string; doc: string; status: string; baseVersion: number }>(
      await call(aria, 'propose_identity_change', { doc: 'who-we-are', text, reason: 'first draft of our purpose' }),
    );
    expect(proposal).toMatchObject({ doc: 'who-we-are', status: 'proposed', baseVersion: 0 });

    const pending = structured<Briefing>(await call(aria, 'get_briefing', {}));
    expect(pending.text).not.toContain(text);
    const pendingResource = await aria.readResource({ uri: 'physarum://identity' });
    expect(JSON.stringify(pendingResource.contents)).not.toContain(text);

    const approved = spawnSync(process.execPath, [bin, 'identity', 'approve', proposal.proposalId], { env: env(), cwd: root, encoding: 'utf8' });
    expect(approved.status, approved.stderr).toBe(0);

    const after = structured<Briefing>(await call(aria, 'get_briefing', {}));
    expect(after.text.startsWith('# Physarum briefing')).toBe(true);
    expect(headings(after.text)[0]).toBe(IDENTITY_HEADING);
    expect(identitySection(after.text)).toContain('### who-we-are (v1, approved by ren)');
    expect(identitySection(after.text)).toContain(text);

    const resource = await aria.readResource({ uri: 'physarum://identity' });
    expect(resource.contents).toHaveLength(1);
    expect(resource.contents[0]).toMatchObject({ uri: 'physarum://identity', mimeType: 'text/markdown' });
    expect((resource.contents[0] as { text: string }).text).toContain(text);

    const log = await history(aria, { type: 'identity.approve' });
    expect(log.map((e) => e.actor)).toEqual([{ name: 'ren', role: 'human' }]);
  });

  it('fits a light briefing into 1000 tokens', async () => {
    for (let i = 0; i < 40; i++) {
      structured(
        await call(aria, 'deposit_trace', {
          text: `Finding ${i}: the segmenter splits compound syllable ${i} wrongly when a tone mark follows a hook above; see fixture ${i}.`,
          kind: 'insight',
          places: [`src/segmenter/rule-${i}.ts`],
        }),
      );
    }
    const light = structured<Briefing>(await call(aria, 'get_briefing', { weight: 'light' }));
    expect(light.text.startsWith('# Physarum briefing')).toBe(true);
    expect(light.budget).toBe(1000);
    expect(light.tokens).toBeLessThanOrEqual(1000);
    expect(light.omitted).toBeGreaterThan(0);
    expect(headings(light.text)[0]).toBe(IDENTITY_HEADING);
    const standard = structured<Briefing>(await call(aria, 'get_briefing', { weight: 'standard' }));
    expect(standard.tokens).toBeGreaterThan(light.tokens);
  });

  it('coordinates two instances on one store: claims, messages, read state and handoffs', async () => {
    const a = (await connect({ PHYSARUM_INSTANCE: 'ana-1' })).client;
    const b = (await connect({ PHYSARUM_INSTANCE: 'ben-2' })).client;

    const held = structured<{ claim: { target: string; holder: string }; renewed: boolean }>(await call(a, 'claim', { place: 'src/a.ts', lease: '10m' }));
    expect(held.claim).toMatchObject({ target: 'src/a.ts', holder: 'ana-1' });
    expect(held.renewed).toBe(false);
    expect(structured<{ renewed: boolean }>(await call(a, 'claim', { place: 'src/a.ts' })).renewed).toBe(true);

    const conflict = toolError(await call(b, 'claim', { place: 'src/a.ts' }));
    expect(conflict.code).toBe('CONFLICT');
    expect(conflict.message).toContain('ana-1');

    const message = 'src/a.ts is mine until the parser lands; take the lexer meanwhile';
    const posted = structured<{ message: { to: string; from: { name: string } } }>(await call(a, 'post_message', { to: 'ben-2', text: message }));
    expect(posted.message).toMatchObject({ to: 'ben-2', from: { name: 'ana-1' } });

    const welcome = structured<{ instance: { name: string }; briefing: string }>(await call(b, 'register_instance', { name: 'ben-2' }));
    expect(welcome.instance.name).toBe('ben-2');
    const unread = welcome.briefing.indexOf('## Unread messages for ben-2');
    expect(unread, welcome.briefing).toBeGreaterThan(0);
    expect(welcome.briefing.slice(unread)).toContain(message);

    const first = structured<{ messages: Array<{ text: string; from: { name: string } }> }>(await call(b, 'read_messages'));
    expect(first.messages.map((m) => [m.from.name, m.text])).toEqual([['ana-1', message]]);
    expect(structured<{ messages: unknown[] }>(await call(b, 'read_messages')).messages).toEqual([]);
    expect(structured<{ messages: unknown[] }>(await call(b, 'read_messages', { all: true })).messages).toHaveLength(1);

    const board = structured<{ claims: Array<{ target: string; holder: string }>; messages: unknown[] }>(await call(b, 'get_board'));
    expect(board.claims).toContainEqual(expect.objectContaining({ target: 'src/a.ts', holder: 'ana-1' }));
    expect(board.messages).toHaveLength(1);
    // Times are ISO strings on every instance field, as on every door.
    for (const [name, out] of Object.entries({ held, posted, welcome, first, board })) {
      const { bad, seen } = timeFields(out);
      expect(bad, name).toEqual([]);
      expect(seen, `${name} has time fields`).toBeGreaterThan(0);
    }

    const summary = 'Parser half done: statements parse, expressions do not yet.';
    const handoff = structured<{ id: string; instance: string }>(await call(a, 'write_handoff', { summary, openThreads: ['operator precedence'] }));
    expect(handoff.instance).toBe('ana-1');
    const after = structured<{ handoffs: Array<{ instance: string; summary: string; openThreads: string[] }> }>(await call(b, 'get_board'));
    expect(after.handoffs).toEqual([expect.objectContaining({ instance: 'ana-1', summary, openThreads: ['operator precedence'] })]);

    // The handoff ended ana-1 and released its claim.
    expect(structured<{ claim: { holder: string } }>(await call(b, 'claim', { place: 'src/a.ts' })).claim.holder).toBe('ben-2');

    const newcomer = (await connect({ PHYSARUM_INSTANCE: 'cy-3' })).client;
    const brief = structured<Briefing>(await call(newcomer, 'get_briefing', {}));
    const hs = headings(brief.text);
    expect(hs[0]).toBe(IDENTITY_HEADING);
    expect(hs[1]).toBe('## Latest handoffs');
    expect(brief.text.slice(brief.text.indexOf('## Latest handoffs'))).toContain(summary);
  });

  it('writes only protocol messages to stdout and exits when stdin closes', async () => {
    const child = spawn(process.execPath, [bin, 'mcp'], { env: env({ PHYSARUM_INSTANCE: 'raw-1' }), cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      const lines = (): string[] => stdout.split('\n').filter((l) => l.length > 0);
      const responded = (id: number) => lines().some((l) => l.includes(`"id":${id}`));
      let wake: () => void = () => undefined;
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        stdout += s;
        wake();
      });
      const waitFor = (id: number) =>
        new Promise<void>((done, fail) => {
          const timer = setTimeout(() => fail(new Error(`no response ${id}; stdout: ${stdout}; stderr: ${stderr}`)), 20_000);
          const check = () => {
            if (responded(id)) {
              clearTimeout(timer);
              done();
            }
          };
          wake = check;
          check();
        });
      const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);

      send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });
      await waitFor(1);
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
      send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'deposit_trace', arguments: { text: 'Raw protocol traces count too', places: ['topic:raw'] } } });
      send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'follow_trace', arguments: { id: 'missing' } } });
      await waitFor(4);
      await waitFor(3);
      await waitFor(2);

      const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      child.stdin.end();
      const code = await Promise.race([exit, new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), 10_000))]);
      expect(code, stderr).toBe(0);

      const messages = lines().map((l) => {
        try {
          return JSON.parse(l) as { jsonrpc: string; id?: number; result?: Record<string, unknown> };
        } catch {
          throw new Error(`stdout carries a line that is not JSON-RPC: ${l}`);
        }
      });
      for (const m of messages) expect(m.jsonrpc).toBe('2.0');
      expect(messages.map((m) => m.id).sort()).toEqual([1, 2, 3, 4]);
      const init = messages.find((m) => m.id === 1)?.result as { serverInfo: { name: string } };
      expect(init.serverInfo.name).toBe('physarum');
      const refused = messages.find((m) => m.id === 4)?.result as { isError: boolean };
      expect(refused.isError).toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
