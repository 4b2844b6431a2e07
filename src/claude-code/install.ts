// `physarum init claude-code` / `uninstall claude-code`: adds our MCP server to .mcp.json and our hooks to
// .claude/settings.json, merging with what is there, and removes exactly what it added.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PhysarumError } from '../errors/index.js';
import { PATH_TOOL_MATCHER } from './payload.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface PlannedFile {
  path: string;
  before: string | null;
  after: string;
  changed: boolean;
}

export interface InstallOptions {
  /** The project folder (holding .claude/ and .mcp.json). */
  project: string;
  /** Where our own bookkeeping goes (the store's folder). */
  stateDir: string;
  /** The command that runs physarum; default: this Node and this installation's binary. */
  command?: string[];
  dryRun?: boolean;
}

const HOOK_EVENTS: Array<{ event: string; matcher?: string; timeout: number }> = [
  { event: 'SessionStart', timeout: 10 },
  { event: 'PreToolUse', matcher: PATH_TOOL_MATCHER, timeout: 5 },
  { event: 'PostToolUse', matcher: PATH_TOOL_MATCHER, timeout: 5 },
  { event: 'PreCompact', timeout: 10 },
  { event: 'Stop', timeout: 10 },
  { event: 'SessionEnd', timeout: 10 },
];

export function defaultCommand(): string[] {
  return [process.execPath, fileURLToPath(new URL('../cli/bin.cjs', import.meta.url))];
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/u.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readJson(path: string): { text: string | null; value: JsonObject } {
  if (!existsSync(path)) return { text: null, value: {} };
  const text = readFileSync(path, 'utf8');
  try {
    const value = JSON.parse(text) as Json;
    if (!isObject(value)) throw new Error('not an object');
    return { text, value };
  } catch (e) {
    throw new PhysarumError('INVALID_INPUT', `${path} is not a JSON object (${e instanceof Error ? e.message : String(e)}); fix it by hand, then rerun.`, {
      field: 'settings',
      cause: e,
    });
  }
}

/** Keeps the file's own indentation when we rewrite it. */
function indentOf(text: string | null): string {
  const m = text === null ? null : /^[ \t]+(?=")/mu.exec(text);
  return m?.[0] ?? '  ';
}

function serialise(value: JsonObject, like: string | null): string {
  return `${JSON.stringify(value, null, indentOf(like))}\n`;
}

/** A hook command is ours when it runs `... hook <Event>` through a physarum binary. */
function isOurs(command: Json | undefined): boolean {
  return typeof command === 'string' && /(physarum|dist\/cli\/(main\.js|bin\.cjs))\S*'?\s+hook\s+\w+$/u.test(command);
}

function withHooks(settings: JsonObject, command: string[]): JsonObject {
  const next: JsonObject = structuredClone(settings);
  const hooks: JsonObject = isObject(next['hooks']) ? next['hooks'] : {};
  for (const { event, matcher, timeout } of HOOK_EVENTS) {
    const groups: Json[] = Array.isArray(hooks[event]) ? (hooks[event] as Json[]) : [];
    const present = groups.some((g) => isObject(g) && Array.isArray(g['hooks']) && g['hooks'].some((h) => isObject(h) && isOurs(h['command'])));
    if (!present) {
      const entry: JsonObject = { type: 'command', command: [...command, 'hook', event].map(quote).join(' '), timeout };
      groups.push(matcher === undefined ? { hooks: [entry] } : { matcher, hooks: [entry] });
    }
    hooks[event] = groups;
  }
  next['hooks'] = hooks;
  return next;
}

function withoutHooks(settings: JsonObject): JsonObject {
  const next: JsonObject = structuredClone(settings);
  const hooks = next['hooks'];
  if (!isObject(hooks)) return next;
  for (const event of Object.keys(hooks)) {
    const groups = hooks[event];
    if (!Array.isArray(groups)) continue;
    const kept = groups.flatMap((g): Json[] => {
      if (!isObject(g) || !Array.isArray(g['hooks'])) return [g];
      const inner = g['hooks'].filter((h) => !(isObject(h) && isOurs(h['command'])));
      if (inner.length === g['hooks'].length) return [g];
      return inner.length === 0 ? [] : [{ ...g, hooks: inner }];
    });
    if (kept.length === 0) delete hooks[event];
    else hooks[event] = kept;
  }
  if (Object.keys(hooks).length === 0) delete next['hooks'];
  return next;
}

function withServer(mcp: JsonObject, command: string[]): JsonObject {
  const next: JsonObject = structuredClone(mcp);
  const servers: JsonObject = isObject(next['mcpServers']) ? next['mcpServers'] : {};
  if (!isObject(servers['physarum'])) servers['physarum'] = { command: command[0] ?? 'physarum', args: [...command.slice(1), 'mcp'] };
  next['mcpServers'] = servers;
  return next;
}

function withoutServer(mcp: JsonObject): JsonObject {
  const next: JsonObject = structuredClone(mcp);
  const servers = next['mcpServers'];
  if (isObject(servers)) {
    delete servers['physarum'];
    if (Object.keys(servers).length === 0) delete next['mcpServers'];
  }
  return next;
}

function files(project: string): { mcp: string; settings: string } {
  return { mcp: join(project, '.mcp.json'), settings: join(project, '.claude', 'settings.json') };
}

function backupPath(stateDir: string, project: string, file: string): string {
  return join(stateDir, 'claude-code', `${relative(project, file).replace(/[/\\]/gu, '__')}.orig.json`);
}

function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function installClaudeCode(o: InstallOptions): PlannedFile[] {
  const command = o.command ?? defaultCommand();
  const f = files(o.project);
  const plans: PlannedFile[] = [];
  for (const [path, change] of [
    [f.mcp, (v: JsonObject) => withServer(v, command)],
    [f.settings, (v: JsonObject) => withHooks(v, command)],
  ] as const) {
    const { text, value } = readJson(path);
    const nextValue = change(value);
    const changed = !deepEqual(nextValue, value) || text === null;
    const after = changed ? serialise(nextValue, text) : (text ?? '');
    plans.push({ path, before: text, after, changed });
    if (!o.dryRun && changed) {
      // Remember the exact bytes we started from, so uninstall can give them back.
      const backup = backupPath(o.stateDir, o.project, path);
      if (!existsSync(backup)) {
        mkdirSync(dirname(backup), { recursive: true });
        writeFileSync(backup, JSON.stringify({ existed: text !== null, text }));
      }
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, after);
    }
  }
  return plans;
}

export function uninstallClaudeCode(o: InstallOptions): PlannedFile[] {
  const f = files(o.project);
  const plans: PlannedFile[] = [];
  for (const [path, strip] of [
    [f.mcp, withoutServer],
    [f.settings, withoutHooks],
  ] as const) {
    if (!existsSync(path)) continue;
    const { text, value } = readJson(path);
    const cleaned = strip(value);
    const backup = backupPath(o.stateDir, o.project, path);
    let original: { existed: boolean; text: string | null } | undefined;
    try {
      original = JSON.parse(readFileSync(backup, 'utf8')) as { existed: boolean; text: string | null };
    } catch {
      original = undefined;
    }
    const originalValue = original?.text ? (JSON.parse(original.text) as Json) : {};
    // Unchanged since install apart from our entries: give back the original bytes (or remove a file we created).
    const restore = original !== undefined && deepEqual(cleaned, originalValue);
    const after = restore ? (original?.existed ? (original.text ?? '') : null) : serialise(cleaned, text);
    const changed = after !== text;
    plans.push({ path, before: text, after: after ?? '', changed });
    if (!o.dryRun) {
      if (after === null) {
        rmSync(path);
        // The folder too, if install created it and it is now empty.
        if (readdirSync(dirname(path)).length === 0 && dirname(path) !== o.project) rmdirSync(dirname(path));
      } else if (changed) writeFileSync(path, after);
      rmSync(backup, { force: true });
    }
  }
  return plans;
}

/** A small line diff for --dry-run: lines only in `before` with -, only in `after` with +. */
export function lineDiff(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) (out.push(`  ${a[i]}`), i++, j++);
    else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  return out.join('\n');
}
