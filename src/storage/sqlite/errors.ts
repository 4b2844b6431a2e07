// Translates SQLite failures into Physarum errors with codes and advice, in one place.
import { PhysarumError } from '../../errors/index.js';

function sqliteCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const code = (e as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** True for SQLite's "another connection holds the lock" failures. */
export function isBusyError(e: unknown): boolean {
  const code = sqliteCode(e) ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

export function mapSqliteError(e: unknown, location: string): unknown {
  if (e instanceof PhysarumError) return e;
  const code = sqliteCode(e) ?? '';
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT')) {
    return new PhysarumError(
      'STORAGE_CORRUPT',
      `The store at ${location} is damaged or is not a Physarum store (${message}). Run \`physarum doctor --store ${location}\` for recovery steps, or restore from a backup.`,
      { cause: e },
    );
  }
  if (code === 'SQLITE_FULL' || /ENOSPC|disk is full|database or disk is full/iu.test(message)) {
    return new PhysarumError('STORAGE_FULL', `The disk holding ${location} is full; nothing was written. Free some space and retry.`, {
      cause: e,
    });
  }
  if (isBusyError(e)) {
    return new PhysarumError(
      'STORAGE_UNAVAILABLE',
      `The store at ${location} stayed locked by another writer for too long; nothing was written. Retry, or raise the busy timeout.`,
      { cause: e },
    );
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_IOERR') ||
    code === 'SQLITE_PERM' ||
    code === 'SQLITE_PROTOCOL'
  ) {
    return new PhysarumError(
      'STORAGE_UNAVAILABLE',
      `Cannot use the store at ${location} (${message}). Check that the path exists and is writable.`,
      { cause: e },
    );
  }
  return e;
}
