// Claude Code hooks through the real `physarum hook` binary against a real store, and settings install/uninstall.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';

const BIN = resolve('dist/cli/bin.cjs');

function physarum(args: string[], opts: { cwd: string; input?: string; env?: Record<string, string> }) {
  const env: NodeJS.ProcessEnv = { ...process.env, PHYSARUM_USER: 'ren', ...opts.env };
  delete env['PHYSARUM_STORE'];
  delete env['PHYSARUM_ROOT'];
  delete env['CLAUDE_PROJECT_DIR'];
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd, input: opts.input ?? '', env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A hook payload in Claude Code's documented shape. */
function payload(project: string, event: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    session_id: 'f3b1c2d4-5e6f-7a8b-9c0d-112233445566',
    transcript_path: join(project, 'transcript.jsonl'),
    cwd: project,
    permission_mode: 'default',
    hook_event_name: event,
    ...extra,
  });
}

function hook(project: string, event: string, extra: Record<string, unknown> = {}) {
  return physarum(['hook', event], { cwd: project, input: payload(project, event, extra) });
}

function context(stdout: string): string {
  const out = JSON.parse(stdout) as { hookSpecificOutput: { additionalContext: string } };
  return out.hookSpecificOutput.additionalContext;
}

let project: string;
beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'physarum-cc-'));
  mkdirSync(join(project, '.git'));
  mkdirSync(join(project, 'src'));
  expect(physarum(['init'], { cwd: project }).code).toBe(0);
});

describe('physarum hook', () => {
  it('briefs at SessionStart with the identity and registers the instance', () => {
    const r = hook(project, 'SessionStart', { source: 'startup', model: 'claude-sonnet-test' });
    expect(r.code).toBe(0);
    const text = context(r.stdout);
    expect(text).toContain('## Identity (human-approved)');
    expect(text).toContain('claude-f3b1c2d4');
    const board = JSON.parse(physarum(['board', '--json'], { cwd: project }).stdout) as { instances: Array<{ name: string; model: string; status: string }> };
    expect(board.instances).toContainEqual(expect.objectContaining({ name: 'claude-f3b1c2d4', model: 'claude-sonnet-test', status: 'active' }));
  });

  it('surfaces the traces at a file before a Read, once per place per session', () => {
    physarum(['deposit', 'The tokenizer drops a BOM silently', '-k', 'warning', '-p', 'src/lexer.ts'], { cwd: project });
    physarum(['deposit', 'Everything in src is generated from the grammar', '-p', 'src'], { cwd: project });
    const first = hook(project, 'PreToolUse', { tool_name: 'Read', tool_input: { file_path: join(project, 'src/lexer.ts') } });
    expect(first.code).toBe(0);
    const text = context(first.stdout);
    expect(text).toContain('src/lexer.ts');
    expect(text).toContain('The tokenizer drops a BOM silently');
    expect(text).toContain('Everything in src is generated');
    const again = hook(project, 'PreToolUse', { tool_name: 'Edit', tool_input: { file_path: join(project, 'src/lexer.ts'), old_string: 'a', new_string: 'b' } });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
  });

  it('keeps what PreToolUse adds within its small budget', () => {
    for (let i = 0; i < 30; i++) physarum(['deposit', `Note ${i}: ${'a fairly long remark about this file '.repeat(8)}`, '-p', 'src/big.ts'], { cwd: project });
    const r = hook(project, 'PreToolUse', { tool_name: 'Read', tool_input: { file_path: 'src/big.ts' } });
    const text = context(r.stdout);
    // The conservative estimate (never under real tokenizers) stays within about 400 tokens.
    expect(text.length).toBeLessThan(400 * 4);
    expect(text).toContain('Note');
  });

  it('prints nothing for tools without a path and for places with no traces', () => {
    expect(hook(project, 'PreToolUse', { tool_name: 'Bash', tool_input: { command: 'ls' } }).stdout).toBe('');
    expect(hook(project, 'PreToolUse', { tool_name: 'Read', tool_input: { file_path: 'src/empty.ts' } }).stdout).toBe('');
  });

  it('records movement as emergent trails at PostToolUse without storing file contents', () => {
    const secretContent = 'UNIQUE-CONTENT-MARKER-9931';
    for (const f of ['src/a.ts', 'src/b.ts', 'src/a.ts', 'src/b.ts']) {
      const r = hook(project, 'PostToolUse', { tool_name: 'Write', tool_input: { file_path: join(project, f), content: secretContent }, tool_response: { success: true } });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
    }
    const routes = JSON.parse(physarum(['trail', 'emergent', '--json'], { cwd: project }).stdout) as { routes: Array<{ from: string; to: string; count: number }> };
    expect(routes.routes[0]).toMatchObject({ from: 'src/a.ts', to: 'src/b.ts', count: 2 });
    const db = readFileSync(join(project, '.physarum', 'physarum.db')).toString('latin1');
    const wal = existsSync(join(project, '.physarum', 'physarum.db-wal')) ? readFileSync(join(project, '.physarum', 'physarum.db-wal')).toString('latin1') : '';
    expect(db + wal).not.toContain(secretContent);
    const sense = JSON.parse(physarum(['sense', 'src/a.ts', '--json'], { cwd: project }).stdout) as { next: Array<{ place: string }> };
    expect(sense.next[0]?.place).toBe('src/b.ts');
  });

  it('asks once for a handoff at Stop after edits, and not while a stop hook is active', () => {
    for (const f of ['src/a.ts', 'src/b.ts', 'src/c.ts']) hook(project, 'PostToolUse', { tool_name: 'Edit', tool_input: { file_path: f } });
    expect(hook(project, 'Stop', { stop_hook_active: true }).stdout).toBe('');
    const asked = hook(project, 'Stop', { stop_hook_active: false });
    expect(JSON.parse(asked.stdout)).toMatchObject({ decision: 'block' });
    expect(asked.stdout).toContain('write_handoff');
    expect(hook(project, 'Stop', { stop_hook_active: false }).stdout).toBe('');
  });

  it('records an automatic handoff at PreCompact and at SessionEnd when the agent wrote none', () => {
    hook(project, 'SessionStart', { source: 'startup' });
    hook(project, 'PostToolUse', { tool_name: 'Edit', tool_input: { file_path: 'src/parser.ts' } });
    expect(hook(project, 'PreCompact', { trigger: 'auto', custom_instructions: '' }).code).toBe(0);
    expect(hook(project, 'SessionEnd', { reason: 'exit' }).code).toBe(0);
    const board = JSON.parse(physarum(['board', '--json'], { cwd: project }).stdout) as {
      handoffs: Array<{ instance: string; summary: string }>;
      instances: Array<{ name: string; status: string }>;
    };
    const mine = board.handoffs.filter((h) => h.instance === 'claude-f3b1c2d4');
    expect(mine.length).toBe(2);
    expect(mine.map((h) => h.summary).join('\n')).toContain('src/parser.ts');
    expect(board.instances.find((i) => i.name === 'claude-f3b1c2d4')?.status).toBe('ended');
    // The next session's briefing leads with it.
    const next = context(physarum(['hook', 'SessionStart'], { cwd: project, input: payload(project, 'SessionStart').replace('f3b1c2d4', 'aaaabbbb') }).stdout);
    expect(next.indexOf('## Latest handoffs')).toBeGreaterThan(next.indexOf('## Identity'));
  });

  it('never harms the agent: malformed input exits 0 with one line on stderr and nothing on stdout', () => {
    for (const [event, input] of [
      ['PreToolUse', 'not json'],
      ['PreToolUse', '[]'],
      ['PreToolUse', '{}'],
      ['SessionStart', ''],
      ['NoSuchEvent', payload(project, 'NoSuchEvent')],
      ['PostToolUse', JSON.stringify({ session_id: 's', tool_name: 'Read', tool_input: { file_path: 'ftp://bad' } })],
    ] as const) {
      const r = physarum(['hook', event], { cwd: project, input });
      expect(r.code, `${event} ${input}`).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('physarum hook:');
    }
  });
});

describe('physarum init claude-code', () => {
  const userSettings = `{
    "permissions": {
        "allow": ["Bash(npm test)"],
        "deny": ["Read(./.env)"]
    },
    "hooks": {
        "PreToolUse": [
            { "matcher": "Bash", "hooks": [ { "type": "command", "command": "./scripts/check-bash.sh" } ] }
        ],
        "Stop": [ { "hooks": [ { "type": "command", "command": "notify-send done" } ] } ]
    },
    "model": "opus"
}
`;
  const userMcp = `{"mcpServers":{"other":{"command":"other-server","args":["--x"]}}}\n`;

  function setUp(): void {
    mkdirSync(join(project, '.claude'), { recursive: true });
    writeFileSync(join(project, '.claude', 'settings.json'), userSettings);
    writeFileSync(join(project, '.mcp.json'), userMcp);
  }

  it('shows the change with --dry-run and writes nothing', () => {
    setUp();
    const r = physarum(['init', 'claude-code', '--dry-run'], { cwd: project });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+ ');
    expect(r.stdout).toContain('hook SessionStart');
    expect(readFileSync(join(project, '.claude', 'settings.json'), 'utf8')).toBe(userSettings);
    expect(readFileSync(join(project, '.mcp.json'), 'utf8')).toBe(userMcp);
  });

  it('merges our server and hooks with the user\'s, keeping their hooks, permissions and settings', () => {
    setUp();
    expect(physarum(['init', 'claude-code'], { cwd: project }).code).toBe(0);
    const settings = JSON.parse(readFileSync(join(project, '.claude', 'settings.json'), 'utf8')) as {
      permissions: unknown;
      model: string;
      hooks: Record<string, Array<{ matcher?: string; hooks: Array<{ command: string }> }>>;
    };
    expect(settings.permissions).toEqual({ allow: ['Bash(npm test)'], deny: ['Read(./.env)'] });
    expect(settings.model).toBe('opus');
    expect(settings.hooks['PreToolUse']?.[0]).toEqual({ matcher: 'Bash', hooks: [{ type: 'command', command: './scripts/check-bash.sh' }] });
    expect(settings.hooks['Stop']?.[0]?.hooks[0]?.command).toBe('notify-send done');
    for (const event of ['SessionStart', 'PreToolUse', 'PostToolUse', 'PreCompact', 'Stop', 'SessionEnd']) {
      expect(settings.hooks[event]?.some((g) => g.hooks.some((h) => h.command.endsWith(`hook ${event}`)))).toBe(true);
    }
    const mcp = JSON.parse(readFileSync(join(project, '.mcp.json'), 'utf8')) as { mcpServers: Record<string, { command: string; args: string[] }> };
    expect(mcp.mcpServers['other']).toEqual({ command: 'other-server', args: ['--x'] });
    expect(mcp.mcpServers['physarum']?.args.at(-1)).toBe('mcp');
  });

  it('is idempotent: a second run changes nothing', () => {
    setUp();
    physarum(['init', 'claude-code'], { cwd: project });
    const once = readFileSync(join(project, '.claude', 'settings.json'), 'utf8');
    physarum(['init', 'claude-code'], { cwd: project });
    expect(readFileSync(join(project, '.claude', 'settings.json'), 'utf8')).toBe(once);
  });

  it('uninstall leaves the user\'s files byte-identical to before install', () => {
    setUp();
    physarum(['init', 'claude-code'], { cwd: project });
    const r = physarum(['uninstall', 'claude-code'], { cwd: project });
    expect(r.code).toBe(0);
    expect(readFileSync(join(project, '.claude', 'settings.json'), 'utf8')).toBe(userSettings);
    expect(readFileSync(join(project, '.mcp.json'), 'utf8')).toBe(userMcp);
  });

  it('uninstall removes files it created and keeps later user edits when files changed since', () => {
    physarum(['init', 'claude-code'], { cwd: project });
    expect(existsSync(join(project, '.mcp.json'))).toBe(true);
    const path = join(project, '.claude', 'settings.json');
    const edited = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    edited['model'] = 'sonnet';
    writeFileSync(path, JSON.stringify(edited, null, 2));
    physarum(['uninstall', 'claude-code'], { cwd: project });
    expect(existsSync(join(project, '.mcp.json'))).toBe(false);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ model: 'sonnet' });
  });

  it('refuses a settings file that is not JSON, changing nothing', () => {
    mkdirSync(join(project, '.claude'), { recursive: true });
    writeFileSync(join(project, '.claude', 'settings.json'), '{ not json');
    const r = physarum(['init', 'claude-code'], { cwd: project });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('settings.json');
    expect(readFileSync(join(project, '.claude', 'settings.json'), 'utf8')).toBe('{ not json');
  });
});

// Claude Code waits on every hook call, so what the bundle loads at start-up is part of its cost.
describe('the hook bundle', () => {
  const bundle = readFileSync(resolve('dist/hook.cjs'), 'utf8');

  it('carries only the English error messages of zod', () => {
    expect(bundle).toContain('Invalid input');
    // Dutch and Italian, two of the locales zod ships (ASCII phrases: the bundle escapes other characters).
    expect(bundle).not.toContain('Ongeldige invoer');
    expect(bundle).not.toContain('Input non valido');
  });
});
