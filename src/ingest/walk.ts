// Which files an ingest reads: the paths given, folders walked recursively (.git, node_modules and .physarum
// skipped), filtered by --include and --exclude globs.
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { invalidInput } from '../errors/index.js';
import type { Problem } from './types.js';

export const SKIPPED_FOLDERS = new Set(['.git', 'node_modules', '.physarum']);

/**
 * A glob as a regular expression: `**` any folders, `*` anything but `/`, `?` one character, `[abc]`, `{a,b}`.
 * Matched against the path below the folder given; a pattern without `/` is matched against the name alone.
 */
export function globToRegExp(glob: string, field: 'include' | 'exclude' = 'include'): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close === -1) re += '\\[';
      else {
        const body = glob.slice(i + 1, close).replace(/^!/u, '^').replace(/\\/gu, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += c.replace(/[.+^${}()|\\]/gu, '\\$&');
  }
  try {
    return new RegExp(`^${re}$`, 'u');
  } catch {
    throw invalidInput(field, `the glob ${JSON.stringify(glob)} is not valid (check its brackets and braces)`, { glob });
  }
}

export class GlobSet {
  private readonly patterns: Array<{ re: RegExp; nameOnly: boolean }>;
  constructor(globs: string[], field: 'include' | 'exclude' = 'include') {
    this.patterns = globs.map((g) => {
      const clean = g.replace(/^\.\//u, '').replace(/\/+$/u, '');
      return { re: globToRegExp(clean, field), nameOnly: !clean.includes('/') };
    });
  }
  get empty(): boolean {
    return this.patterns.length === 0;
  }
  /** `rel` uses `/` and is relative to the folder being walked. */
  matches(rel: string): boolean {
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    return this.patterns.some((p) => p.re.test(p.nameOnly ? name : rel));
  }
}

export interface FoundFile {
  path: string;
  size: number;
  /** The path given on the command line that led here (a folder, or the file itself). */
  root: string;
  /** The path below `root` (the file name when a file was given). */
  rel: string;
}

export interface WalkResult {
  files: FoundFile[];
  skipped: Problem[];
  /** The folders given, for noticing files that were removed since the last ingest. */
  folders: string[];
}

/** Resolves the paths (relative to `cwd`) and lists the files to read. A path that does not exist is INVALID_INPUT. */
export async function findFiles(paths: string[], options: { cwd: string; include?: string[]; exclude?: string[] }): Promise<WalkResult> {
  if (paths.length === 0) throw invalidInput('paths', 'give at least one file or folder to ingest');
  const include = new GlobSet(options.include ?? [], 'include');
  const exclude = new GlobSet(options.exclude ?? [], 'exclude');
  const files: FoundFile[] = [];
  const skipped: Problem[] = [];
  const folders: string[] = [];
  const seen = new Set<string>();
  const roots: Array<{ abs: string; isDir: boolean }> = [];
  for (const p of paths) {
    const abs = resolve(options.cwd, p);
    try {
      roots.push({ abs, isDir: (await stat(abs)).isDirectory() });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw invalidInput('paths', code === 'ENOENT' || code === 'ENOTDIR' ? `${p} does not exist (${abs}); check the path` : `${p} cannot be read (${code ?? String(e)})`, { path: p });
    }
  }
  const add = (file: FoundFile): void => {
    if (seen.has(file.path)) return;
    seen.add(file.path);
    files.push(file);
  };
  for (const root of roots) {
    if (!root.isDir) {
      add({ path: root.abs, size: (await stat(root.abs)).size, root: root.abs, rel: basename(root.abs) });
      continue;
    }
    folders.push(root.abs);
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        skipped.push({ file: dir, reason: `folder cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const abs = join(dir, entry.name);
        const rel = relative(root.abs, abs).split(sep).join('/');
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        if (entry.isSymbolicLink()) {
          try {
            const target = await stat(abs);
            // Security and sanity: linked folders are not followed (no cycles, nothing outside the tree by surprise).
            if (target.isDirectory()) {
              skipped.push({ file: abs, reason: 'symbolic link to a folder (not followed)' });
              continue;
            }
            // Security: a linked file is read only if it lies inside the folder given, so a link planted in a
            // cloned tree (notes/x.md -> ~/.aws/credentials) cannot pull a private file into shared memory.
            const real = relative(await realpath(root.abs), await realpath(abs));
            if (real.startsWith('..') || isAbsolute(real)) {
              skipped.push({ file: abs, reason: 'symbolic link to a file outside the folder (not followed)' });
              continue;
            }
            isFile = target.isFile();
            isDir = false;
          } catch {
            skipped.push({ file: abs, reason: 'broken symbolic link' });
            continue;
          }
        }
        if (isDir) {
          if (SKIPPED_FOLDERS.has(entry.name) || exclude.matches(rel)) continue;
          await walk(abs);
        } else if (isFile) {
          if (exclude.matches(rel) || (!include.empty && !include.matches(rel))) continue;
          try {
            add({ path: abs, size: (await stat(abs)).size, root: root.abs, rel });
          } catch (e) {
            skipped.push({ file: abs, reason: `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
          }
        }
      }
    };
    await walk(root.abs);
  }
  return { files, skipped, folders };
}
