// Shared setup for core behaviour tests: a fresh real store per test, the usual actors, and small utilities.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Physarum } from '../../src/physarum.js';
import { SqliteStorage } from '../../src/storage/sqlite/index.js';
import { ManualClock } from '../../src/clock.js';
import { type PhysarumError, isPhysarumError } from '../../src/errors/index.js';

export const agent = { name: 'aria-1', role: 'agent' as const, model: 'claude-test' };
export const person = { name: 'ren', role: 'human' as const };

export interface TestStore {
  dir: string;
  clock: ManualClock;
  p: Physarum;
}

/** A real SQLite store in a fresh temp folder, with a manual clock at 2026-01-01. */
export function openTestStore(): TestStore {
  const dir = mkdtempSync(join(tmpdir(), 'physarum-'));
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  return { dir, clock, p: new Physarum({ storage: SqliteStorage.open({ path: join(dir, 'p.db') }), root: dir, clock }) };
}

export async function closeTestStore(s: TestStore): Promise<void> {
  await s.p.close();
  rmSync(s.dir, { recursive: true, force: true });
}

/** The PhysarumError a call is refused with; fails the test if it succeeds. */
export async function refusal(call: Promise<unknown>): Promise<PhysarumError> {
  try {
    await call;
  } catch (e) {
    if (isPhysarumError(e)) return e;
    throw e;
  }
  throw new Error('expected the call to be refused');
}

/** A small seeded generator (mulberry32), so "random" tests repeat exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
