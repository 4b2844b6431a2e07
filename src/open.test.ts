import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { durabilityOf, openPhysarum } from './open.js';
import { PhysarumError } from './errors/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function fresh(): string {
  const d = mkdtempSync(join(tmpdir(), 'physarum-open-'));
  dirs.push(d);
  return d;
}

/** SQLite's synchronous setting on the store's own connection: 1 NORMAL, 2 FULL. */
function synchronous(p: Awaited<ReturnType<typeof openPhysarum>>): number {
  const db = (p.ctx.storage as unknown as { db: Database.Database }).db;
  return Number(db.pragma('synchronous', { simple: true }));
}

describe('durability', () => {
  it('is full unless the option or PHYSARUM_DURABILITY says normal; the option wins', () => {
    expect(durabilityOf({ env: {} })).toBe('full');
    expect(durabilityOf({ env: { PHYSARUM_DURABILITY: '' } })).toBe('full');
    expect(durabilityOf({ env: { PHYSARUM_DURABILITY: 'normal' } })).toBe('normal');
    expect(durabilityOf({ env: { PHYSARUM_DURABILITY: ' Normal ' } })).toBe('normal');
    expect(durabilityOf({ env: { PHYSARUM_DURABILITY: 'normal' }, durability: 'full' })).toBe('full');
  });

  it('refuses any other value with INVALID_INPUT naming the variable', () => {
    const err = (() => {
      try {
        durabilityOf({ env: { PHYSARUM_DURABILITY: 'fast' } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(PhysarumError);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'PHYSARUM_DURABILITY' });
    expect((err as Error).message).toContain('"full" or "normal"');
  });

  it('opens the store with the chosen commit mode, and touches nothing when the value is bad', async () => {
    const dir = fresh();
    const store = join(dir, 'p.db');
    const normal = await openPhysarum({ store, env: { PHYSARUM_DURABILITY: 'normal' } });
    expect(synchronous(normal)).toBe(1);
    await normal.close();
    const full = await openPhysarum({ store, env: {} });
    expect(synchronous(full)).toBe(2);
    await full.close();
    const other = join(dir, 'other.db');
    await expect(openPhysarum({ store: other, env: { PHYSARUM_DURABILITY: 'off' } })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(existsSync(other)).toBe(false);
  });
});
