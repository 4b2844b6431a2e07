// `physarum serve` processes for end-to-end tests, and raw HTTP requests whose headers (Host included) are exactly as given.
import { spawn, type ChildProcess } from 'node:child_process';
import { request, type IncomingHttpHeaders } from 'node:http';
import { BIN } from './processes.js';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpRequest {
  /** The address to dial; 127.0.0.1 unless given. */
  address?: string;
  port: number;
  path: string;
  method?: string;
  /** Sent as given; a `Host` here replaces the one Node would derive from the address. */
  headers?: Record<string, string>;
  body?: string;
}

/** One request with node:http (to 127.0.0.1 by default), so any header (Host, Origin) can be set explicitly. */
export function httpRequest({ address = '127.0.0.1', port, path, method = 'GET', headers = {}, body }: HttpRequest): Promise<HttpResponse> {
  return new Promise((done, fail) => {
    const req = request({ host: address, port, path, method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (s: string) => (text += s));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** The JSON body of a response; fails with the raw body when it is not JSON. */
export function jsonBody<T = Record<string, unknown>>(r: HttpResponse): T {
  try {
    return JSON.parse(r.body) as T;
  } catch {
    throw new Error(`expected a JSON body, got ${r.status}: ${r.body.slice(0, 500)}`);
  }
}

export interface ServeProcess {
  child: ChildProcess;
  /** e.g. http://127.0.0.1:43121, as the server printed it. */
  url: string;
  port: number;
  stderr(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s; resolves, once it has exited, with how it exited. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

// Safety net: a server still running when the test process exits (a crash, a timeout) is killed with it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((done) => child.once('exit', () => done()));
}

/**
 * Starts `physarum serve ...args` and resolves once it prints its URL (pass `--port 0` to let it pick a free
 * port: the printed URL tells which). Rejects, with the server's stderr, if it exits or is silent for `timeoutMs`.
 */
export function startServe(
  args: string[],
  options: { env: Record<string, string>; cwd?: string; bin?: string; timeoutMs?: number },
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [options.bin ?? BIN, 'serve', ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let stderr = '';
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited(child);
      clearTimeout(timer);
    }
    return { code: child.exitCode, signal: child.signalCode };
  };
  return new Promise((ready, fail) => {
    const timer = setTimeout(() => {
      void stop();
      fail(new Error(`physarum serve printed no URL within ${options.timeoutMs ?? 20_000} ms; stderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`physarum serve exited (${code ?? signal}) before it was ready; stderr: ${stderr}; stdout: ${stdout}`));
    });
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      const m = /MCP \(Streamable HTTP\): (http:\/\/\S+?)\/mcp\s/u.exec(stderr);
      if (m?.[1]) {
        clearTimeout(timer);
        const url = m[1];
        ready({ child, url, port: Number(new URL(url).port), stderr: () => stderr, stop });
      }
    });
  });
}
