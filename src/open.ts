// Finding and opening a store: the one place where a backend is chosen; and `init`, which sets one up.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Clock } from './clock.js';
import { Physarum } from './physarum.js';
import { SqliteStorage, type Durability } from './storage/sqlite/index.js';
import type { Actor } from './traces/schema.js';
import { DEFAULT_STRENGTH, parseDuration } from './strength/index.js';
import { loadStrengthConfig, saveStrengthConfig } from './strength/config.js';
import { currentIdentity } from './identity/index.js';
import { newId } from './ids.js';
import { PhysarumError } from './errors/index.js';

export const STORE_DIR = '.physarum';
export const STORE_FILE = 'physarum.db';

export interface LocateOptions {
  /** An explicit store path (the `--store` flag). */
  store?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface Located {
  path: string;
  /** How the store was found, for `physarum where` and error messages. */
  how: 'flag' | 'env' | 'found' | 'git-root' | 'cwd';
}

function findUp(start: string, name: string, isDir: boolean): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, name);
    try {
      if (existsSync(candidate) && statSync(candidate).isDirectory() === isDir) return dir;
    } catch {
      // Unreadable: keep climbing.
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Zero-configuration store discovery: `--store`, else $PHYSARUM_STORE, else the nearest `.physarum/`
 * folder above the working directory, else `.physarum/` at the git root, else `.physarum/` here.
 */
export function locateStore(options: LocateOptions = {}): Located {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.store) return { path: resolve(cwd, options.store), how: 'flag' };
  if (env['PHYSARUM_STORE']) return { path: resolve(cwd, env['PHYSARUM_STORE']), how: 'env' };
  const found = findUp(cwd, STORE_DIR, true);
  if (found) return { path: join(found, STORE_DIR, STORE_FILE), how: 'found' };
  const git = findUp(cwd, '.git', true) ?? findUp(cwd, '.git', false);
  if (git) return { path: join(git, STORE_DIR, STORE_FILE), how: 'git-root' };
  return { path: join(resolve(cwd), STORE_DIR, STORE_FILE), how: 'cwd' };
}

/** The project root for a store: $PHYSARUM_ROOT, else the folder holding `.physarum/`, else the working directory. */
export function projectRoot(storePath: string, options: { root?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.root) return resolve(cwd, options.root);
  if (env['PHYSARUM_ROOT']) return resolve(cwd, env['PHYSARUM_ROOT']);
  if (basename(dirname(storePath)) === STORE_DIR) return dirname(dirname(storePath));
  return resolve(cwd);
}

export interface OpenOptions extends LocateOptions {
  root?: string;
  clock?: Clock;
  durability?: Durability;
}

/**
 * How commits are made safe: `full` (the default) syncs every commit to disk, so an acknowledged write survives
 * a killed process and a power cut; `normal` survives a killed process but may lose the last commits to a power
 * cut or an OS crash (never corrupting the store). The option, else $PHYSARUM_DURABILITY, else `full`.
 */
export function durabilityOf(options: { durability?: Durability; env?: NodeJS.ProcessEnv } = {}): Durability {
  if (options.durability) return options.durability;
  const raw = (options.env ?? process.env)['PHYSARUM_DURABILITY'];
  if (raw === undefined || raw === '') return 'full';
  const value = raw.trim().toLowerCase();
  if (value === 'full' || value === 'normal') return value;
  throw new PhysarumError('INVALID_INPUT', `PHYSARUM_DURABILITY must be "full" or "normal" (it is ${JSON.stringify(raw)}); unset it for the default, full.`, {
    field: 'PHYSARUM_DURABILITY',
  });
}

export async function openPhysarum(options: OpenOptions = {}): Promise<Physarum> {
  const located = locateStore(options);
  const storage = SqliteStorage.open({ path: located.path, durability: durabilityOf(options) });
  return new Physarum({
    storage,
    root: projectRoot(located.path, options),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

export const DEFAULT_IDENTITY_DOC = 'how-memory-works';
export const DEFAULT_IDENTITY_TEXT = `This project keeps a shared memory in Physarum. Leave small traces where the work happens:
deposit a note at the file, URL or topic you are working on (kinds: note, insight, question, decision,
warning, todo, instruction). Sense a place before working there, and follow a trace when it helped you:
used traces grow stronger, unused ones fade. Annotate to endorse or challenge another instance's reading.
Never paste secrets. This identity is changed only by a person: propose changes, don't assume them.`;

export interface InitResult {
  created: boolean;
  path: string;
  halfLifeMs: number;
}

/** Sets up a store once: strength settings and a starting identity document approved by the person running it. */
export async function initStore(physarum: Physarum, actor: Actor, options: { halfLife?: string } = {}): Promise<InitResult> {
  const ctx = physarum.ctx;
  const halfLifeMs = options.halfLife === undefined ? DEFAULT_STRENGTH.halfLifeMs : parseDuration(options.halfLife, 'halfLife');
  return ctx.storage.write(async (w) => {
    const info = await w.info();
    // Already set up: report the half-life the store keeps, not the one asked for (it is not applied).
    if ((await w.getSetting('initialized_at')) !== undefined) return { created: false, path: info.location, halfLifeMs: (await loadStrengthConfig(w)).halfLifeMs };
    const now = ctx.clock.now();
    await w.setSetting('initialized_at', String(now));
    await saveStrengthConfig(w, { ...DEFAULT_STRENGTH, halfLifeMs });
    if (!(await currentIdentity(w)).some((v) => v.doc === DEFAULT_IDENTITY_DOC)) {
      await w.insertIdentityVersion({
        id: newId(now),
        doc: DEFAULT_IDENTITY_DOC,
        version: 1,
        baseVersion: 0,
        text: DEFAULT_IDENTITY_TEXT,
        status: 'approved',
        reason: 'initial identity written by physarum init',
        proposedBy: actor,
        proposedAt: now,
        decidedBy: actor,
        decidedAt: now,
        decisionNote: null,
      });
    }
    await w.appendEvent({ type: 'store.init', at: now, actor, data: { halfLifeMs } });
    return { created: true, path: info.location, halfLifeMs };
  });
}
