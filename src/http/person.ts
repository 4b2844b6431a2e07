// Security: the person's session in the viewer. `serve` prints a sign-in key; whoever types it in acts as the
// person (approve identity, revert), which no MCP session and no bearer token can do.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PhysarumError } from '../errors/index.js';
import type { Actor } from '../traces/schema.js';
import { sameSecret } from './security.js';

interface Session {
  csrf: string;
  createdAt: number;
}

export const CSRF_HEADER = 'x-physarum-csrf';
/** Sessions end on their own after this, and always when the server stops. */
const SESSION_MS = 12 * 60 * 60_000;
const MAX_SESSIONS = 100;

export class PersonSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(
    readonly person: Actor,
    readonly key: string = randomBytes(18).toString('base64url'),
    private readonly port: () => number = () => 0,
  ) {
    if (person.role !== 'human') throw new TypeError('the viewer acts for a person: pass an actor with role "human"');
  }

  // Security: the port is in the name because browsers share cookies across ports of one host.
  private cookieName(): string {
    return `physarum_session_${this.port()}`;
  }

  private find(req: IncomingMessage): [string, Session] | undefined {
    const name = this.cookieName();
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const [k, v] = part.trim().split('=');
      if (k !== name || !v) continue;
      const s = this.sessions.get(v);
      if (s && Date.now() - s.createdAt < SESSION_MS) return [v, s];
    }
    return undefined;
  }

  /** Exchanges the printed key for a session; returns the Set-Cookie value and the CSRF token for the page. */
  signIn(given: unknown): { cookie: string; csrf: string } {
    if (typeof given !== 'string' || !sameSecret(given, this.key)) {
      throw new PhysarumError('FORBIDDEN', 'Wrong sign-in key. Use the key `physarum serve` printed when it started.');
    }
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    const id = randomBytes(24).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    this.sessions.set(id, { csrf, createdAt: Date.now() });
    // Security: HttpOnly keeps it from scripts; SameSite=Strict keeps it off cross-site requests.
    return { cookie: `${this.cookieName()}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MS / 1000}`, csrf };
  }

  signOut(req: IncomingMessage): string {
    const found = this.find(req);
    if (found) this.sessions.delete(found[0]);
    return `${this.cookieName()}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
  }

  /** The signed-in person's CSRF token, or undefined when the request carries no live session. */
  csrfOf(req: IncomingMessage): string | undefined {
    return this.find(req)?.[1].csrf;
  }

  signedIn(req: IncomingMessage): boolean {
    return this.find(req) !== undefined;
  }

  /**
   * The person, for a state-changing request. Security: needs the session cookie and, against cross-site
   * requests, the CSRF token in a header that only the viewer's own pages can read and send.
   */
  requirePerson(req: IncomingMessage): Actor {
    const found = this.find(req);
    if (!found) throw new PhysarumError('FORBIDDEN', 'Only a signed-in person can do this. Sign in to the viewer with the key `physarum serve` printed.');
    const given = req.headers[CSRF_HEADER];
    if (typeof given !== 'string' || !sameSecret(given, found[1].csrf)) {
      throw new PhysarumError('FORBIDDEN', `Missing or wrong ${CSRF_HEADER} header; reload the viewer and try again.`);
    }
    return this.person;
  }
}
