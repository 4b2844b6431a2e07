#!/usr/bin/env node
// Entry point of the `physarum` binary. `hook` takes a lean path (Claude Code waits on it for every tool call);
// everything else goes through the full command-line programme.
const argv = process.argv.slice(2);

if (argv[0] === 'hook') {
  const { runBundledHook } = await import('./hook-loader.cjs');
  process.exitCode = await runBundledHook(argv.slice(1));
} else {
  const { run } = await import('./program.js');
  // Long-running commands (mcp, serve) keep the process alive themselves; the rest exit with their code.
  process.exitCode = await run(argv);
}
