// What every MCP tool shares: its annotation presets, and the one place errors become tool results.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toPhysarumError } from '../errors/index.js';

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

