// Reading MCP tool results in tests: the structured content of a success, the documented error of a refusal.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'vitest';

/** The `{"error": {...}}` a refused Physarum tool call carries as text. */
export interface ToolError {
  code: string;
  message: string;
  field?: string;
  details?: Record<string, unknown>;
}

function firstText(r: CallToolResult): string {
  const first = r.content[0];
  return first && first.type === 'text' ? first.text : '';
}

/** The structured content of a successful call; fails the test (showing the text) if the call was refused. */
export function structured<T>(r: CallToolResult): T {
  expect(r.isError ?? false, firstText(r)).toBe(false);
  expect(r.structuredContent, 'a tool with an output schema answers with structuredContent').toBeDefined();
  return r.structuredContent as T;
}

/** The error of a refused call; fails the test if the call succeeded or the text is not the documented JSON. */
export function toolError(r: CallToolResult): ToolError {
  const text = firstText(r);
  expect(r.isError, `expected a refusal, got: ${text}`).toBe(true);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`a refused call's text is not the documented {"error": {...}} JSON: ${text}`);
  }
  const error = (parsed as { error?: ToolError }).error;
  expect(error, text).toBeDefined();
  return error as ToolError;
}
