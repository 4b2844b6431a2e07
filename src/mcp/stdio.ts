// MCP over stdio: one JSON-RPC message per line on stdin and stdout, framed as the SDK's StdioServerTransport
// frames them. The SDK's transport parses each message against its protocol schemas, and its protocol layer
// parses it again to dispatch it (and a request's params once more, against the method's schema); this one
// checks the JSON-RPC shape by hand and leaves the schemas to the protocol layer, so they run once less.
import process from 'node:process';
import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** The SDK's own limit for one unread message. */
const MAX_BUFFER_BYTES = 10 * 1024 * 1024;
const NEWLINE = 0x0a;

/** Why a line is not a JSON-RPC 2.0 message, or undefined when it is one. */
export function jsonRpcProblem(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'a message must be a JSON object (batches are not part of MCP)';
  const o = m as Record<string, unknown>;
  if (o['jsonrpc'] !== '2.0') return 'jsonrpc must be "2.0"';
  const hasId = 'id' in o;
  if (hasId && typeof o['id'] !== 'string' && !Number.isInteger(o['id'])) return 'id must be a string or an integer';
  if ('params' in o && (typeof o['params'] !== 'object' || o['params'] === null || Array.isArray(o['params']))) return 'params must be an object';
  if ('method' in o) return typeof o['method'] === 'string' ? undefined : 'method must be a string';
  if ('result' in o) {
    if (!hasId) return 'a result needs the id of its request';
    return typeof o['result'] === 'object' && o['result'] !== null ? undefined : 'result must be an object';
  }
  if ('error' in o) {
    const e = o['error'] as Record<string, unknown> | null;
    return typeof e === 'object' && e !== null && Number.isInteger(e['code']) && typeof e['message'] === 'string'
      ? undefined
      : 'error must be an object with an integer code and a message';
  }
  return 'a response needs a result or an error';
}

export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private buffer: Buffer | undefined;
  private started = false;

  constructor(
    private readonly stdin: Readable = process.stdin,
    private readonly stdout: Writable = process.stdout,
  ) {}

  private readonly ondata = (chunk: Buffer): void => {
    const size = (this.buffer?.length ?? 0) + chunk.length;
    if (size > MAX_BUFFER_BYTES) {
      this.buffer = undefined;
      this.onerror?.(new Error(`a message exceeded ${MAX_BUFFER_BYTES} bytes`));
      void this.close();
      return;
    }
    this.buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const buffer: Buffer | undefined = this.buffer;
      const end: number = buffer ? buffer.indexOf(NEWLINE) : -1;
      if (!buffer || end === -1) return;
      const line = buffer.toString('utf8', 0, end > 0 && buffer[end - 1] === 0x0d ? end - 1 : end);
      this.buffer = end + 1 < buffer.length ? buffer.subarray(end + 1) : undefined;
      this.deliver(line);
    }
  };

  private readonly onstreamerror = (error: Error): void => {
    this.onerror?.(error);
  };

  private deliver(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch (e) {
      this.onerror?.(new Error(`a line on stdin is not JSON: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    const problem = jsonRpcProblem(message);
    if (problem) {
      this.onerror?.(new Error(`a line on stdin is not a JSON-RPC 2.0 message: ${problem}`));
      return;
    }
    this.onmessage?.(message as JSONRPCMessage);
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('the stdio transport is already started');
    this.started = true;
    this.stdin.on('data', this.ondata);
    this.stdin.on('error', this.onstreamerror);
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.stdout.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.stdout.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    this.stdin.off('data', this.ondata);
    this.stdin.off('error', this.onstreamerror);
    // Pause stdin only if nothing else reads it, so the process can exit.
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.buffer = undefined;
    this.onclose?.();
  }
}
