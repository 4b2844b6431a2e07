// One-shot synchronous runs of the `physarum` binary, with the output parsed the way scripts would read it.
import { spawnSync } from 'node:child_process';
import { BIN, childEnv } from './processes.js';

export interface RunCliOptions {
  /** Working directory of the child (discovery starts here). */
  cwd: string;
  /** Added to the child's environment, which otherwise has no PHYSARUM_* variables but PHYSARUM_USER=ren. */
  env?: Record<string, string>;
  /** Written to the child's stdin (then closed). */
  input?: string | Buffer;
  /** The binary to run (default: the build, dist/cli/main.js). */
  bin?: string;
  /** Killed after this long (default 30 s), so a hang fails the test instead of stalling the run. */
  timeoutMs?: number;
}

export interface CliJsonError {
  code: string;
  message: string;
  field?: string;
  details?: Record<string, unknown>;
}

export interface RunCliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json); throws with both streams shown if it is not JSON. */
  json<T = unknown>(): T;
  /** The `{"error": {...}}` of a refused --json run: stderr must be that JSON and nothing else. */
  error(): CliJsonError;
}

function parse<T>(text: string, what: string, r: { code: number | null; stdout: string; stderr: string }): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${what} is not JSON (exit ${String(r.code)})\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  }
}

/** Runs `physarum ...args` to completion. */
export function runCli(args: string[], options: RunCliOptions): RunCliResult {
  const r = spawnSync(process.execPath, [options.bin ?? BIN, ...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
  });
  if (r.error) throw r.error;
  const base = { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  return {
    ...base,
    json: <T>() => parse<T>(base.stdout, 'stdout', base),
    error: () => parse<{ error: CliJsonError }>(base.stderr, 'stderr', base).error,
  };
}
