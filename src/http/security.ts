// Security: who may talk to the HTTP server. Loopback by default; Host and Origin checked against DNS rebinding
// and cross-site requests; a bearer token required when configured (and always beyond loopback).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { invalidInput } from '../errors/index.js';

export interface AccessPolicy {
  host: string;
  port: number;
  token?: string;
  /** Extra Host values accepted (e.g. a name the server is reached by behind a proxy). */
  allowedHosts?: string[];
  /** Extra Origins accepted (e.g. a viewer served elsewhere). */
  allowedOrigins?: string[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

function hostsFor(p: AccessPolicy): Set<string> {
  const own = p.host.includes(':') && !p.host.startsWith('[') ? `[${p.host}]` : p.host;
  // The address it listens on, and the loopback names whenever loopback reaches it (a loopback address, or all addresses).
  const names = isLoopback(p.host) || WILDCARD.has(p.host) ? ['127.0.0.1', 'localhost', '[::1]', own] : [own];
  return new Set([...names.map((n) => `${n}:${p.port}`), ...(p.allowedHosts ?? [])].map((h) => h.toLowerCase()));
}

function originsFor(p: AccessPolicy): Set<string> {
  return new Set([...[...hostsFor(p)].map((h) => `http://${h}`), ...(p.allowedOrigins ?? [])].map((o) => o.toLowerCase()));
}

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

/** Compares two secrets in constant time: digests first, so the time does not depend on the lengths either. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * `tokenWaived`: the viewer's own files (which hold no data), its sign-in, and requests of a signed-in person do
 * not need the bearer token; Host and Origin are checked for every request all the same.
 */
export function checkRequest(req: IncomingMessage, policy: AccessPolicy, options: { tokenWaived?: boolean } = {}): Verdict {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hostsFor(policy).has(host)) {
    return { ok: false, status: 403, message: `Host ${JSON.stringify(host)} is not allowed; connect to http://127.0.0.1:${policy.port}` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !originsFor(policy).has(origin.toLowerCase())) {
    return { ok: false, status: 403, message: `Origin ${JSON.stringify(origin)} is not allowed` };
  }
  if (policy.token !== undefined && !options.tokenWaived) {
    const given = /^Bearer\s+(.+)$/iu.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!sameSecret(given, policy.token)) {
      return { ok: false, status: 401, message: 'Missing or wrong bearer token; send Authorization: Bearer <token>' };
    }
  }
  return { ok: true };
}

/** A path segment decoded; a malformed escape (`%E0`) is the client's mistake (400), not a server failure. */
export function decodeSegment(segment: string | undefined, field = 'path'): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    throw invalidInput(field, `${JSON.stringify(segment)} is not a valid URL-encoded path segment; encode it with encodeURIComponent`);
  }
}
