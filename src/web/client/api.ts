// Talking to `physarum serve`: JSON reads, the person's session, and writes that carry the CSRF token.

export interface Author {
  name: string;
  role: 'human' | 'agent';
  model?: string;
}
export interface Trace {
  id: string;
  text: string;
  kind: string;
  places: string[];
  tags: string[];
  author: Author;
  source: string;
  trust: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  strength: number;
  follows: number;
  version: number;
  score?: number;
}
export interface Annotation {
  id: string;
  stance: string;
  text: string;
  author: Author;
  createdAt: number;
}
export interface LogEvent {
  seq: number;
  id: string;
  at: string;
  type: string;
  actor: Author;
  traceId: string | null;
  subject: string | null;
  reason: string | null;
  data: Record<string, unknown>;
}
export interface IdentityVersion {
  id: string;
  doc: string;
  version: number | null;
  baseVersion: number;
  text: string;
  status: string;
  reason: string;
  proposedBy: Author;
  proposedAt: number;
  decidedBy: Author | null;
  decidedAt: number | null;
}
export interface MapPlace {
  key: string;
  kind: 'file' | 'url' | 'topic';
  group: string;
  traces: number;
  strength: number;
}
export interface MapEdge {
  from: string;
  to: string;
  kind: 'emergent' | 'authored';
  strength: number;
  trail?: string;
  count?: number;
}

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
