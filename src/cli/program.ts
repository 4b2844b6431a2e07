// The `physarum` command's programme: parses arguments, runs one command against the core, maps errors to exit codes.
import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { PhysarumError, toPhysarumError } from '../errors/index.js';
import { EXIT_CODES, EXIT_OK } from './exit.js';
import { type GlobalOptions, cliActor, withStore } from './context.js';
import { makeOut } from './output.js';
import { registerTraceCommands } from './traces.js';
import { registerPalimpsestCommands } from './palimpsest.js';
import { registerServerCommands } from './servers.js';
import { registerBoardCommands } from './board.js';
import { registerIngestCommand } from './ingest.js';
import { dirname } from 'node:path';
import { initStore, locateStore, projectRoot } from '../open.js';
import { installClaudeCode, lineDiff, uninstallClaudeCode } from '../claude-code/install.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function buildProgram(): Command {
  const program = new Command('physarum')
    .description('A shared trail memory for AI agents and the people who work with them.')
    .version(version())
    .option('--store <path>', 'the store file (default: $PHYSARUM_STORE, else the nearest .physarum/ folder, else .physarum/ at the git root or here)')
    .option('--json', 'print results as JSON')
    .option('--as <name>', 'your name in the change log (default: $PHYSARUM_USER or your OS user)')
    .option('--instance <name>', 'act as this agent instance instead of as a person (for scripts and hooks)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('init')
    .description('set up a store here (optional: any command creates one on first use) with a starting identity; `init claude-code` also wires Claude Code')
    .argument('[target]', '"claude-code": add the MCP server to .mcp.json and hooks to .claude/settings.json')
    .option('--half-life <duration>', 'how fast unused traces fade, e.g. 30d, 2w, 12h', '30d')
    .option('--dry-run', 'with claude-code: show the changes without writing them')
    .action(async (target: string | undefined, o, cmd: Command) => {
      if (target !== undefined && target !== 'claude-code') {
        throw new PhysarumError('INVALID_INPUT', `init: unknown target ${JSON.stringify(target)}; the only target is claude-code`, { field: 'target' });
      }
      await withStore(cmd, async ({ physarum, actor, out }) => {
        const r = o.dryRun ? undefined : await initStore(physarum, actor, { halfLife: o.halfLife });
        const plans = target ? installClaudeCode({ project: physarum.ctx.root, stateDir: dirname(physarum.storage.location), dryRun: o.dryRun === true }) : [];
        out.print({ ...(r ? { store: r } : {}), ...(target ? { files: plans } : {}) }, () =>
          [
            ...(r ? [r.created ? `initialised ${r.path} (half-life ${(r.halfLifeMs / 86_400_000).toFixed(1)} days)` : `${r.path} was already initialised; nothing changed`] : []),
            ...plans.map((p) =>
              !p.changed ? `${p.path}: already set up` : o.dryRun ? `${p.path} would change:\n${lineDiff(p.before ?? '', p.after)}` : `${p.path}: updated`,
            ),
          ].join('\n'),
        );
      });
    });

  program
    .command('uninstall')
    .description('remove what `init claude-code` added (other settings are left exactly as they were)')
    .argument('<target>', 'claude-code')
    .option('--dry-run', 'show the changes without writing them')
    .action(async (target: string, o, cmd: Command) => {
      if (target !== 'claude-code') throw new PhysarumError('INVALID_INPUT', `uninstall: unknown target ${JSON.stringify(target)}; the only target is claude-code`, { field: 'target' });
      await withStore(cmd, async ({ physarum, out }) => {
        const plans = uninstallClaudeCode({ project: physarum.ctx.root, stateDir: dirname(physarum.storage.location), dryRun: o.dryRun === true });
        out.print({ files: plans }, () =>
          plans.map((p) => (!p.changed ? `${p.path}: nothing of ours` : o.dryRun ? `${p.path} would change:\n${lineDiff(p.before ?? '', p.after)}` : `${p.path}: restored`)).join('\n') ||
          'nothing to remove',
        );
      });
    });

  program
    .command('hook')
    .description('run a Claude Code hook: reads the hook JSON on stdin (installed by `init claude-code`)')
    .argument('<event>', 'SessionStart, PreToolUse, PostToolUse, PreCompact, Stop or SessionEnd')
    .action(async (event: string) => {
      const { readFileSync } = await import('node:fs');
      const { runHook } = await import('../claude-code/hook.js');
      await runHook(event, readFileSync(0, 'utf8'), (s) => process.stdout.write(s), (s) => process.stderr.write(`${s}\n`));
    });

  program
    .command('where')
    .description('which store this directory uses, how it was found, and what it holds')
    .action(async (_o, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const located = locateStore(g.store ? { store: g.store } : {});
      // Asking where the store is must not create one: say where it would be.
      if (!existsSync(located.path)) {
        const root = projectRoot(located.path);
        makeOut(g.json === true).print({ ...located, exists: false, root, actor: cliActor(g) }, () =>
          [`store: ${located.path} (found by ${located.how}; not created yet: the first write creates it)`, `project root: ${root}`].join('\n'),
        );
        return;
      }
      await withStore(cmd, async ({ physarum, out }) => {
        const info = await physarum.info();
        out.print({ ...located, exists: true, root: physarum.ctx.root, ...info, actor: cliActor(g) }, () =>
          [
            `store: ${located.path} (found by ${located.how})`,
            `project root: ${physarum.ctx.root}`,
            `${info.traces} traces, ${info.events} events, ${(info.bytes / 1024).toFixed(0)} KiB`,
          ].join('\n'),
        );
      });
    });

  registerTraceCommands(program);
  registerPalimpsestCommands(program);
  registerBoardCommands(program);
  registerIngestCommand(program);
  registerServerCommands(program);
  return program;
}

/** Runs the CLI; resolves to the exit code. Errors are reported here and only here. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  const json = argv.includes('--json');
  // With --json, stderr carries only the JSON error below: silence commander's own error text and usage hint.
  if (json) silenceUsageErrors(program);
  else labelUsageErrors(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      if (e.exitCode === 0) return EXIT_OK;
      // 'commander.help': a command group ran without a subcommand; its help went to (silenced) stderr.
      const message = e.code === 'commander.help' ? 'a subcommand is missing; run with --help to list them' : e.message;
      if (json) process.stderr.write(`${JSON.stringify({ error: { code: 'INVALID_INPUT', message } })}\n`);
      return EXIT_CODES.INVALID_INPUT;
    }
    const err: PhysarumError = toPhysarumError(e);
    if (json) process.stderr.write(`${JSON.stringify({ error: err.toJSON() })}\n`);
    else process.stderr.write(`physarum: ${err.code}: ${err.message}\n`);
    if (err.code === 'INTERNAL' && process.env['PHYSARUM_DEBUG']) process.stderr.write(`${String((err.cause as Error | undefined)?.stack ?? '')}\n`);
    return EXIT_CODES[err.code];
  }
}

/** Without --json, commander's own usage errors read like every other error: `physarum: INVALID_INPUT: …`. */
function labelUsageErrors(command: Command): void {
  command.configureOutput({ outputError: (text, write) => write(`physarum: INVALID_INPUT: ${text.replace(/^error: /u, '')}`) });
  for (const sub of command.commands) labelUsageErrors(sub);
}

function silenceUsageErrors(command: Command): void {
  command.configureOutput({ writeErr: () => undefined });
  for (const sub of command.commands) silenceUsageErrors(sub);
}
