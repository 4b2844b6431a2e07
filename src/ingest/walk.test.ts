import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GlobSet, findFiles, globToRegExp } from './walk.js';

const dir = mkdtempSync(join(tmpdir(), 'physarum-walk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('globToRegExp()', () => {
  it('supports *, **, ?, classes and braces', () => {
    const m = (glob: string, path: string) => globToRegExp(glob).test(path);
    expect(m('*.md', 'a.md')).toBe(true);
    expect(m('*.md', 'x/a.md')).toBe(false);
    expect(m('notes/**/*.md', 'notes/a.md')).toBe(true);
    expect(m('notes/**/*.md', 'notes/x/y/a.md')).toBe(true);
    expect(m('notes/**', 'notes/x/a.txt')).toBe(true);
    expect(m('a?.txt', 'ab.txt')).toBe(true);
    expect(m('[!x]*.txt', 'x1.txt')).toBe(false);
    expect(m('*.{md,txt}', 'a.txt')).toBe(true);
    expect(m('a.b', 'axb')).toBe(false);
  });

  it('matches a pattern without a slash against the name alone', () => {
    const set = new GlobSet(['*.md', 'drafts/']);
    expect(set.matches('deep/in/here.md')).toBe(true);
    expect(set.matches('x/drafts')).toBe(true);
    expect(set.matches('x/a.txt')).toBe(false);
  });
});

describe('findFiles()', () => {
  mkdirSync(join(dir, 'notes/sub'), { recursive: true });
  for (const skipped of ['.git', 'node_modules/pkg', '.physarum']) {
    mkdirSync(join(dir, 'notes', skipped), { recursive: true });
    writeFileSync(join(dir, 'notes', skipped, 'x.md'), 'hidden');
  }
  writeFileSync(join(dir, 'notes/a.md'), 'a');
  writeFileSync(join(dir, 'notes/b.txt'), 'b');
  writeFileSync(join(dir, 'notes/sub/c.md'), 'c');
  writeFileSync(join(dir, 'notes/sub/draft.md'), 'd');
  symlinkSync(join(dir, 'notes/sub'), join(dir, 'notes/linked-dir'));
  symlinkSync(join(dir, 'notes/gone.md'), join(dir, 'notes/sub/dangling.md'));
  writeFileSync(join(dir, 'private-key.txt'), 'outside the folder');
  symlinkSync(join(dir, 'private-key.txt'), join(dir, 'notes/sub/planted.md'));
  symlinkSync(join(dir, 'notes/a.md'), join(dir, 'notes/sub/alias.md'));

  it('walks folders recursively, skipping .git, node_modules and .physarum, and not following linked folders', async () => {
    const r = await findFiles(['notes'], { cwd: dir });
    expect(r.files.map((f) => f.rel)).toEqual(['a.md', 'b.txt', 'sub/alias.md', 'sub/c.md', 'sub/draft.md']);
    expect(r.skipped).toEqual([
      { file: join(dir, 'notes/linked-dir'), reason: 'symbolic link to a folder (not followed)' },
      { file: join(dir, 'notes/sub/dangling.md'), reason: 'broken symbolic link' },
      { file: join(dir, 'notes/sub/planted.md'), reason: 'symbolic link to a file outside the folder (not followed)' },
    ]);
    expect(r.folders).toEqual([join(dir, 'notes')]);
  });

  it('applies --include and --exclude to files found in folders, not to files named directly', async () => {
    const r = await findFiles(['notes', 'notes/b.txt'], { cwd: dir, include: ['*.md'], exclude: ['draft*', 'linked-dir'] });
    expect(r.files.map((f) => f.rel)).toEqual(['a.md', 'sub/alias.md', 'sub/c.md', 'b.txt']);
  });

  it('refuses a glob that is not valid with INVALID_INPUT naming the option', async () => {
    await expect(findFiles(['notes'], { cwd: dir, include: ['{a,b'] })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'include' });
    await expect(findFiles(['notes'], { cwd: dir, exclude: ['[z-a]'] })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'exclude', message: expect.stringContaining('[z-a]') });
  });

  it('refuses a path that does not exist, naming it', async () => {
    await expect(findFiles(['nope/missing.md'], { cwd: dir })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'paths', message: expect.stringContaining('nope/missing.md does not exist') });
  });
});
