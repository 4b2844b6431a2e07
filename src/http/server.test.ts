import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeTestStore, openTestStore, type TestStore } from '../../test/helpers/core.js';
import { httpRequest, jsonBody } from '../../test/helpers/http.js';
import { serve, type RunningServer } from './server.js';

let s: TestStore;
let running: RunningServer;
beforeEach(() => (s = openTestStore()));
afterEach(async () => {
  await running?.close();
  closeTestStore(s);
});

describe('serve() MCP sessions', () => {
  it('closes a session that sends nothing for the idle time, and keeps one that is in use', async () => {
    running = await serve({ physarum: s.p, port: 0, version: 'test', sessionIdleMs: 1_000, log: () => undefined });
    const connect = async () => {
      const client = new Client({ name: 'idle-test', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(`${running.url}/mcp`));
      await client.connect(transport);
      return { client, id: transport.sessionId ?? '' };
    };
    const idle = await connect();
    const busy = await connect();
    const ping = (id: string) =>
      httpRequest({
        port: running.port,
        path: '/mcp',
        method: 'POST',
        headers: { host: `127.0.0.1:${running.port}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
    // The busy session keeps talking for three idle times; the idle one says nothing (asking would be activity).
    const end = Date.now() + 3_000;
    while (Date.now() < end) {
      expect(await busy.client.ping()).toEqual({});
      await new Promise((r) => setTimeout(r, 100));
    }
    const gone = await ping(idle.id);
    expect(jsonBody<{ error: { message: string } }>(gone).error.message).toMatch(/expired session; initialize again/u);
    expect(await busy.client.ping()).toEqual({});
    await busy.client.close();
  });
});
