// A copy of the built library with a proposed change applied, in a temporary folder, to measure the
// change end to end without touching src/ or dist/. Each patch is a literal replacement in one built file;
// a patch whose text is no longer found is reported as not applicable (the source moved on).
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './common.mjs';

export const PATCHES = [
  {
    name: 'neighbours: read the ±span rows by rowid range (NOT INDEXED), not through traces_status_key',
    file: 'storage/sqlite/index.js',
    find: 'FROM traces h JOIN traces t ON t.seq BETWEEN h.seq - ? AND h.seq + ?',
    replace: 'FROM traces h JOIN traces t NOT INDEXED ON t.seq BETWEEN h.seq - ? AND h.seq + ?',
  },
];

/** Copies dist/ to a temporary folder (node_modules linked), applies the patches; returns the entry URL and what applied. */
export function proposedDist(patches = PATCHES) {
  const root = mkdtempSync(join(tmpdir(), 'physarum-proposed-'));
  cpSync(join(PROJECT_ROOT, 'dist'), join(root, 'dist'), { recursive: true });
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  const applied = [];
  for (const patch of patches) {
    const file = join(root, 'dist', patch.file);
    const text = readFileSync(file, 'utf8');
    if (!text.includes(patch.find)) {
      applied.push({ name: patch.name, applied: false });
      continue;
    }
    writeFileSync(file, text.replace(patch.find, patch.replace));
    applied.push({ name: patch.name, applied: true });
  }
  return { root, index: pathToFileURL(join(root, 'dist', 'index.js')).href, applied };
}
