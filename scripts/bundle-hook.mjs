// Build step: bundles the Claude Code hook path into one CommonJS file (dist/hook.cjs). Claude Code starts a
// process per hook call, and one pre-compiled file loads several times faster than ~100 ES modules.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/claude-code/entry.js'],
  outfile: 'dist/hook.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  external: ['better-sqlite3'],
  logLevel: 'warning',
});
