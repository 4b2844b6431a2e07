// What every MCP tool shares: its annotation presets, and the one place errors become tool results.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { toPhysarumError } from '../errors/index.js';
import { parseInput } from '../errors/parse.js';

export type Annotations = { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: false };
export const READ: Annotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
export const WRITE: Annotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };
export const DESTRUCTIVE: Annotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false };

/** The one place domain errors become MCP tool errors the model can read and act on. */
export async function answer<T extends Record<string, unknown>>(run: () => Promise<T>, summary: (out: T) => string): Promise<CallToolResult> {
  try {
    const out = await run();
    return { content: [{ type: 'text', text: summary(out) }], structuredContent: out };
  } catch (e) {
    const err = toPhysarumError(e);
    return { isError: true, content: [{ type: 'text', text: JSON.stringify({ error: err.toJSON() }) }] };
  }
}

/**
 * Tunes the SDK's checks of tool calls to this server's tools:
 * - Inputs: the SDK refuses arguments that break a tool's input schema as plain text ("MCP error -32602: Input
 *   validation error: ..."). This gives those refusals the documented `{"error": {code, message, field}}` text too
 *   (INVALID_INPUT naming the field), by validating with the same schema. Arguments are parsed once: the SDK's own
 *   check runs only for what ours does not do (a limit on the number of input elements, when one is set). A
 *   tool named in `parsedByCore` hands its core call the arguments its schema names, unparsed: the core parses
 *   them with the same rules (and the same error JSON), so they are parsed once, not twice.
 * - Outputs: every result is built by this server from its typed views (src/traces/view.ts and the like), so
 *   the SDK's parse of each result against the tool's output schema would only repeat what the compiler checked.
 *   Clients that list the tools still validate results against the published schemas (the end-to-end tests'
 *   client does).
 */
export function withOwnValidation(server: McpServer, parsedByCore: Readonly<Record<string, readonly string[]>> = {}): McpServer {
  type Validate = (tool: { inputSchema?: z.ZodType }, args: unknown, name: string) => Promise<unknown>;
  type ValidateOutput = (tool: unknown, result: unknown, name: string) => Promise<void>;
  const sdk = server as unknown as { validateToolInput?: Validate; validateToolOutput?: ValidateOutput; _maxToolInputElements?: number };
  const validate = sdk.validateToolInput;
  if (typeof validate === 'function') {
    sdk.validateToolInput = async (tool, args, name) => {
      if (!tool.inputSchema || sdk._maxToolInputElements !== undefined) return validate.call(server, tool, args, name);
      const fields = Object.hasOwn(parsedByCore, name) ? parsedByCore[name] : undefined;
      if (fields && isPlainObject(args)) {
        // Like the SDK's parse, fields the tool does not take are dropped (an agent cannot pass the core's others).
        return Object.fromEntries(fields.filter((f) => Object.hasOwn(args, f)).map((f) => [f, args[f]]));
      }
      try {
        return parseInput(tool.inputSchema, args);
      } catch (e) {
        // The SDK turns a thrown error's message into the text of an isError result.
        throw new Error(JSON.stringify({ error: toPhysarumError(e).toJSON() }));
      }
    };
  }
  if (typeof sdk.validateToolOutput === 'function') sdk.validateToolOutput = async () => undefined;
  return server;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
