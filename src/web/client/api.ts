// Talking to `physarum serve`: JSON reads, the person's session, and writes that carry the CSRF token.

// The wire shapes are the server's own types (type-only imports: nothing of the server is bundled).
import type { TraceView } from '../../traces/view.js';
import type { EventView } from '../../palimpsest/view.js';
export type { Author } from '../../traces/schema.js';
export type { AnnotationView as Annotation } from '../../traces/view.js';
export type { IdentityVersionJson as IdentityVersion } from '../../identity/view.js';
export type { BoardJson as BoardData } from '../../board/view.js';
export type { MapEdge, MapPlace } from '../../trails/types.js';
import type { Author } from '../../traces/schema.js';

/** A trace as the API sends it; search and sense results add their score. */
export type Trace = TraceView & { score?: number };
export type LogEvent = EventView;
export type { StrengthSeriesJson as StrengthSeries } from '../../strength/view.js';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

let csrf: string | undefined;
let person: Author | null = null;
const listeners = new Set<() => void>();

export function signedInAs(): Author | null {
  return person;
}
export function onSessionChange(fn: () => void): void {
  listeners.add(fn);
}
function setSession(body: { person: Author | null; csrf?: string }): void {
  person = body.person;
  csrf = body.csrf;
  for (const fn of listeners) fn();
}

async function parse<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!res.ok) throw new ApiError(body.error?.code ?? 'INTERNAL', body.error?.message ?? `HTTP ${res.status}`, res.status);
  return body as T;
}

export async function get<T>(path: string, params: Record<string, string | string[] | undefined> = {}): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined && one !== '') q.append(k, one);
  }
  const s = q.toString();
  return parse<T>(await fetch(`${path}${s ? `?${s}` : ''}`, { credentials: 'same-origin', headers: { accept: 'application/json' } }));
}

/** Security: every write sends JSON and the session's CSRF token; the server refuses writes without both. */
export async function post<T>(path: string, body: unknown, method = 'POST'): Promise<T> {
  return parse<T>(
    await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(csrf ? { 'x-physarum-csrf': csrf } : {}) },
      body: JSON.stringify(body),
    }),
  );
}

export async function loadSession(): Promise<void> {
  setSession(await get<{ person: Author | null; csrf?: string }>('/api/session'));
}
export async function signIn(key: string): Promise<void> {
  setSession(await post<{ person: Author; csrf: string }>('/api/session', { key }));
}
export async function signOut(): Promise<void> {
  setSession(await post<{ person: null }>('/api/session', {}, 'DELETE'));
}
