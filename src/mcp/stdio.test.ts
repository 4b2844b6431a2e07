import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StdioTransport, jsonRpcProblem } from './stdio.js';

function harness() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const transport = new StdioTransport(stdin, stdout);
  const messages: unknown[] = [];
  const errors: string[] = [];
  let closed = 0;
  transport.onmessage = (m) => messages.push(m);
  transport.onerror = (e) => errors.push(e.message);
  transport.onclose = () => (closed += 1);
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { stdin, stdout, transport, messages, errors, closed: () => closed, settle };
}

describe('StdioTransport', () => {
  it('delivers one message per line, however the bytes arrive', async () => {
    const h = harness();
    await h.transport.start();
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    h.stdin.write(ping.slice(0, 7));
    h.stdin.write(`${ping.slice(7)}\n{"jsonrpc":"2.0","method":"notifications/initialized"}\r\n`);
    h.stdin.write(Buffer.from('{"jsonrpc":"2.0","id":"a","result":{"text":"héllo ✓"}}\n', 'utf8').subarray(0, 40));
    await h.settle();
    expect(h.messages).toHaveLength(2);
    h.stdin.write(Buffer.from('{"jsonrpc":"2.0","id":"a","result":{"text":"héllo ✓"}}\n', 'utf8').subarray(40));
    await h.settle();
    expect(h.messages).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 'a', result: { text: 'héllo ✓' } },
    ]);
    expect(h.errors).toEqual([]);
  });

  it('reports a line that is not JSON or not JSON-RPC, and goes on with the next', async () => {
    const h = harness();
    await h.transport.start();
    h.stdin.write('not json\n{"jsonrpc":"1.0","id":1,"method":"ping"}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
    await h.settle();
    expect(h.errors).toHaveLength(2);
    expect(h.errors[0]).toContain('not JSON');
    expect(h.errors[1]).toContain('jsonrpc must be "2.0"');
    expect(h.messages).toEqual([{ jsonrpc: '2.0', id: 2, method: 'ping' }]);
    expect(h.closed()).toBe(0);
  });

  it('refuses a message past 10 MiB and closes', async () => {
    const h = harness();
    await h.transport.start();
    h.stdin.write(Buffer.alloc(10 * 1024 * 1024 + 1, 0x20));
    await h.settle();
    expect(h.errors[0]).toContain('exceeded');
    expect(h.closed()).toBe(1);
    h.stdin.write('{"jsonrpc":"2.0","id":3,"method":"ping"}\n');
    await h.settle();
    expect(h.messages).toEqual([]);
  });

  it('writes each message sent as one line of JSON', async () => {
    const h = harness();
    const out: string[] = [];
    h.stdout.on('data', (c: Buffer) => out.push(c.toString('utf8')));
    await h.transport.send({ jsonrpc: '2.0', id: 7, result: { ok: true } });
    await h.settle();
    expect(out.join('')).toBe('{"jsonrpc":"2.0","id":7,"result":{"ok":true}}\n');
  });

  it('stops reading on close and refuses a second start', async () => {
    const h = harness();
    await h.transport.start();
    await expect(h.transport.start()).rejects.toThrow('already started');
    await h.transport.close();
    expect(h.closed()).toBe(1);
    expect(h.stdin.listenerCount('data')).toBe(0);
    expect(h.stdin.isPaused()).toBe(true);
  });
});

describe('jsonRpcProblem()', () => {
  it.each([
    [{ jsonrpc: '2.0', id: 1, method: 'ping' }],
    [{ jsonrpc: '2.0', id: 'x', method: 'tools/call', params: { name: 'a' } }],
    [{ jsonrpc: '2.0', method: 'notifications/cancelled', params: {} }],
    [{ jsonrpc: '2.0', id: 1, result: {} }],
    [{ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } }],
    [{ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' } }],
  ])('accepts %j', (m) => {
    expect(jsonRpcProblem(m)).toBeUndefined();
  });

  it.each([
    [[{ jsonrpc: '2.0', id: 1, method: 'ping' }], 'batches'],
    [null, 'JSON object'],
    [{ id: 1, method: 'ping' }, 'jsonrpc'],
    [{ jsonrpc: '2.0', id: 1.5, method: 'ping' }, 'id must be'],
    [{ jsonrpc: '2.0', id: { a: 1 }, method: 'ping' }, 'id must be'],
    [{ jsonrpc: '2.0', id: 1, method: 7 }, 'method must be'],
    [{ jsonrpc: '2.0', id: 1, method: 'ping', params: [1] }, 'params must be'],
    [{ jsonrpc: '2.0', result: {} }, 'id of its request'],
    [{ jsonrpc: '2.0', id: 1, result: 'ok' }, 'result must be'],
    [{ jsonrpc: '2.0', id: 1, error: { message: 'no code' } }, 'integer code'],
    [{ jsonrpc: '2.0', id: 1 }, 'result or an error'],
  ])('refuses %j', (m, problem) => {
    expect(jsonRpcProblem(m)).toContain(problem);
  });
});
