// Real `physarum` processes for end-to-end tests: one-shot CLI runs, and MCP servers over stdio driven by an SDK client.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The built binary; run `npm run build` first. */
export const BIN = resolve('dist/cli/main.js');

/**
 * Copies the build (dist/, package.json, node_modules linked) into `into` and returns the copy's main.js, so a
 * rebuild running meanwhile in this shared tree cannot swap files under the processes a long test starts. The
 * copy is checked by loading its entry points; a copy caught mid-rebuild is taken again.
 */
export function snapshotBin(into: string): string {
  const entries = ['index.js', 'cli/program.js', 'mcp/server.js', 'http/server.js'];
  let failure = '';
  for (let attempt = 0; attempt < 10; attempt++) {
    rmSync(into, { recursive: true, force: true });
    mkdirSync(into, { recursive: true });
    cpSync(resolve('dist'), join(into, 'dist'), { recursive: true });
    copyFileSync(resolve('package.json'), join(into, 'package.json'));
    symlinkSync(resolve('node_modules'), join(into, 'node_modules'), 'dir');
    const load = entries.map((e) => `await import(${JSON.stringify(pathToFileURL(join(into, 'dist', e)).href)});`).join(' ');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', load], { encoding: 'utf8' });
    if (r.status === 0) return join(into, 'dist', 'cli', 'main.js');
    failure = r.stderr;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_000);
  }
  throw new Error(`could not take a loadable copy of dist/ (is a build broken?): ${failure}`);
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment a child `physarum` gets: ours, without anything that would pick another store, root or identity. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('PHYSARUM_')) env[k] = v;
  return { ...env, PHYSARUM_USER: 'ren', ...extra };
}

/** Runs `physarum ...args` to completion without blocking the event loop (so several can run at once). */
export function cli(args: string[], options: { cwd?: string; input?: string; env?: Record<string, string>; bin?: string } = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [options.bin ?? BIN, ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** The parsed `{"error": {...}}` a refused CLI call prints on stderr with --json. */
export function cliError(r: CliResult): { code: string; message: string } | undefined {
  const line = r.stderr.split('\n').find((l) => l.startsWith('{"error"'));
  return line ? (JSON.parse(line) as { error: { code: string; message: string } }).error : undefined;
}

/** One `physarum mcp` server process with its SDK client; stderr is collected. */
export class McpProcess {
  readonly client: Client;
  private readonly transport: StdioClientTransport;
  private stderrText = '';
  private exited = false;

  private constructor(store: string, instance: string, env: Record<string, string>, bin: string) {
    this.transport = new StdioClientTransport({
      command: process.execPath,
      args: [bin, 'mcp', '--store', store, '--instance', instance],
      env: childEnv(env),
      stderr: 'pipe',
    });
    this.transport.stderr?.on('data', (b: Buffer) => (this.stderrText += b.toString('utf8')));
    this.client = new Client({ name: 'physarum-e2e', version: '0.0.0' });
    this.client.onclose = () => (this.exited = true);
  }

  static async start(store: string, instance: string, options: { env?: Record<string, string>; bin?: string } = {}): Promise<McpProcess> {
    const p = new McpProcess(store, instance, options.env ?? {}, options.bin ?? BIN);
    try {
      await p.client.connect(p.transport);
    } catch (e) {
      await p.close();
      const why = e instanceof Error ? e.message : String(e);
      throw new Error(`physarum mcp did not start (${why}); its stderr: ${p.stderrText.trim() || '(empty)'}`, { cause: e });
    }
    return p;
  }

  get pid(): number | null {
    return this.transport.pid;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** True once the connection closed (the server exited or was killed). */
  get closed(): boolean {
    return this.exited;
  }

  call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    return this.client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
  }

  /** Kills the server process at once, as a crash would. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    const pid = this.transport.pid;
    if (pid !== null) process.kill(pid, signal);
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }
}

/** The text of a tool result's first content item. */
export function resultText(r: CallToolResult): string {
  const first = r.content[0];
  return first && first.type === 'text' ? first.text : '';
}

/** A plain better-sqlite3 connection to a store, bypassing Physarum, for checks; closed by `fn`'s end. */
export function inspect<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file, { fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
