// The hook's bundle entry: `physarum hook <event>` loads only this (bundled, with a V8 code cache) for speed.
import { readFileSync } from 'node:fs';
import { runHook } from './hook.js';

export async function main(argv: string[]): Promise<number> {
  let input = '';
  try {
    input = readFileSync(0, 'utf8');
  } catch {
    // No stdin: runHook reports it.
  }
  return runHook(argv[0], input, (s) => process.stdout.write(s), (s) => process.stderr.write(`${s}\n`));
}
