#!/usr/bin/env node
// Entry point of the `physarum` binary. `hook` takes a lean path (Claude Code waits on it for every tool call);
// everything else goes through the full command-line programme.
const argv = process.argv.slice(2);

if (argv[0] === 'hook') {
  const { readFileSync } = await import('node:fs');
  const { runHook } = await import('../claude-code/hook.js');
  let input = '';
  try {
    input = readFileSync(0, 'utf8');
  } catch {
    // No stdin: parsePayload reports it.
  }
  process.exitCode = await runHook(argv[1], input, (s) => process.stdout.write(s), (s) => process.stderr.write(`${s}\n`));
} else {
  const { run } = await import('./program.js');
  // Long-running commands (mcp, serve) keep the process alive themselves; the rest exit with their code.
  process.exitCode = await run(argv);
}
