// Runs `physarum hook` from the one-file bundle (dist/hook.cjs) with a V8 code cache, so a hook call costs
// little more than starting Node. Falls back to the plain modules when the bundle is missing. CommonJS, so the
// binary's hook path never starts the ES module loader.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';

interface HookBundle {
  main(argv: string[]): Promise<number>;
}

function loadBundle(): HookBundle | undefined {
  const file = join(__dirname, '..', 'hook.cjs');
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // The cache is keyed by the bundle's content, so a rebuilt bundle never meets a stale cache.
  const cacheFile = join(tmpdir(), `physarum-hook-${createHash('sha1').update(source).digest('hex').slice(0, 16)}.v8cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} as HookBundle };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, join(file, '..'));
  if (!cachedData || script.cachedDataRejected) {
    try {
      writeFileSync(cacheFile, script.createCachedData());
    } catch {
      // A read-only temp folder only costs speed.
    }
  }
  return module.exports;
}

/** Never harms the agent: whatever fails here becomes one line on stderr and exit code 0. */
export async function runBundledHook(argv: string[]): Promise<number> {
  try {
    const bundle = loadBundle();
    if (bundle) return await bundle.main(argv);
    const { main } = await import('../claude-code/entry.js');
    return await main(argv);
  } catch (e) {
    process.stderr.write(`physarum hook: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}\n`);
    return 0;
  }
}
