#!/usr/bin/env node
// The `physarum` binary. `hook` takes a lean CommonJS path (Claude Code waits on it for every tool call);
// everything else loads the full command-line programme.
import { runBundledHook } from './hook-loader.cjs';

const argv = process.argv.slice(2);
if (argv[0] === 'hook') {
  void runBundledHook(argv.slice(1)).then((code) => {
    process.exitCode = code;
  });
} else {
  void import('./main.js');
}
