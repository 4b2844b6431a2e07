// Validates input against a schema at the core's boundary, turning schema failures into INVALID_INPUT.
import type { z } from 'zod';
import { PhysarumError } from './index.js';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = issue ? issue.path.map(String) : [];
  // An unknown key is named as the field itself, so the fix ("remove colour") points at it.
  if (issue?.code === 'unrecognized_keys' && issue.keys.length > 0) at.push(String(issue.keys[0]));
  const field = at.length > 0 ? at.join('.') : 'input';
  let message = issue?.message ?? 'is not valid';
  if (issue?.code === 'unrecognized_keys') {
    message = `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}; remove them (see --help for the accepted fields)`;
  } else if (issue?.code === 'invalid_type' && issue.input === undefined) {
    message = `is required`;
  }
  const text = message.startsWith(`${field} `) ? message : `${field}: ${message}`;
  return failWith(text, field, result.error);
}

function failWith(message: string, field: string, cause: unknown): never {
  throw new PhysarumError('INVALID_INPUT', message, { field, cause });
}
