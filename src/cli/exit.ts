// Exit codes of the `physarum` command, one per error code; the compiler checks the table is complete.
import type { ErrorCode } from '../errors/index.js';

export const EXIT_OK = 0;

export const EXIT_CODES: Record<ErrorCode, number> = {
  INTERNAL: 1,
  INVALID_INPUT: 2,
  NOT_FOUND: 3,
  CONFLICT: 4,
  FORBIDDEN: 5,
  STORAGE_UNAVAILABLE: 6,
  STORAGE_CORRUPT: 7,
  STORAGE_FULL: 8,
};
