// The one error type every layer throws: a stable string code, a message that says how to fix it, and the cause.

export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN',
  'STORAGE_UNAVAILABLE',
  'STORAGE_CORRUPT',
  'STORAGE_FULL',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface PhysarumErrorOptions {
  /** The input field at fault, for INVALID_INPUT. */
  field?: string;
  /** Extra machine-readable facts (e.g. the holder of a conflicting claim). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class PhysarumError extends Error {
  override readonly name = 'PhysarumError';
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: PhysarumErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.field === undefined ? {} : { field: this.field }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function invalidInput(field: string, message: string, details?: Record<string, unknown>): PhysarumError {
  return new PhysarumError('INVALID_INPUT', `${field}: ${message}`, { field, ...(details ? { details } : {}) });
}

/** Where the ids of each kind of thing are listed, for the hint a NOT_FOUND gives. */
const LISTED_BY: Record<string, string> = {
  trace: 'ids are shown by search, sense and history',
  event: 'history shows each event\'s id after the word "event"; the #number it starts each line with is not one',
  trail: 'trail names and ids are shown by trail list',
  'identity proposal': 'proposals are shown by identity show',
  claim: 'claims are shown by board',
};

export function notFound(what: string, id: string): PhysarumError {
  const hint = LISTED_BY[what] ?? 'ids are shown by search, sense and history';
  return new PhysarumError('NOT_FOUND', `${what} ${JSON.stringify(id)} does not exist. Check the id (${hint}).`, {
    details: { id },
  });
}

export function isPhysarumError(e: unknown): e is PhysarumError {
  return e instanceof PhysarumError;
}

/** Wraps anything thrown into a PhysarumError, keeping the original as cause. */
export function toPhysarumError(e: unknown): PhysarumError {
  if (e instanceof PhysarumError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new PhysarumError('INTERNAL', `Unexpected error: ${message}`, { cause: e });
}
