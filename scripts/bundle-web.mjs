// Build step: bundles the web viewer (src/web/client) into dist/web/app.js and copies its static files beside it.
// Everything the viewer needs is served by `physarum serve` itself; nothing is fetched from the internet.
import { build } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';

mkdirSync('dist/web', { recursive: true });
await build({
  entryPoints: ['src/web/client/main.ts'],
  outfile: 'dist/web/app.js',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: true,
  logLevel: 'warning',
});
cpSync('src/web/static', 'dist/web', { recursive: true });
