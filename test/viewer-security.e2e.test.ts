// The viewer's HTTP defences without a browser: Host and Origin checks, the person's session, CSRF, and the token.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, snapshotBin } from './helpers/processes.js';
import { httpRequest, jsonBody, startServe, type HttpResponse, type ServeProcess } from './helpers/http.js';
import { seedStore, type Seeded } from './helpers/viewer.js';

const dir = mkdtempSync(join(tmpdir(), 'physarum-viewer-sec-'));
const store = join(dir, 'physarum.db');
const root = join(dir, 'project');
const KEY = 'viewer-key-for-tests-0123456789';
const TOKEN = 'agent-token-0123456789';
let open: ServeProcess;
let guarded: ServeProcess;
let seeded: Seeded;
const seen: HttpResponse[] = [];

async function req(s: ServeProcess, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpResponse> {
  const r = await httpRequest({ port: s.port, path, ...options, headers: { host: `127.0.0.1:${s.port}`, ...options.headers } });
  seen.push(r);
  return r;
}

/** Signs in with the key; returns the cookie and CSRF token a browser would hold. */
async function signIn(s: ServeProcess): Promise<{ cookie: string; csrf: string }> {
  const r = await req(s, '/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: KEY }) });
  expect(r.status, r.body).toBe(200);
  const set = String(r.headers['set-cookie']);
  expect(set).toMatch(new RegExp(`^physarum_session_${s.port}=[\\w-]+; HttpOnly; SameSite=Strict; Path=/`, 'u'));
  return { cookie: set.split(';')[0] ?? '', csrf: jsonBody<{ csrf: string }>(r).csrf };
}

const pending = async (s: ServeProcess, headers: Record<string, string> = {}) =>
  jsonBody<{ pending: Array<{ id: string }> }>(await req(s, '/api/identity', { headers })).pending.map((p) => p.id);

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  seeded = await seedStore(store, root);
  const bin = snapshotBin(join(dir, 'build'));
  const env = childEnv({ PHYSARUM_STORE: store, PHYSARUM_ROOT: root, PHYSARUM_VIEWER_KEY: KEY });
  [open, guarded] = await Promise.all([
    startServe(['--port', '0'], { env, cwd: root, bin }),
    startServe(['--port', '0', '--token', TOKEN], { env, cwd: root, bin }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([open?.stop(), guarded?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('the viewer over HTTP', () => {
  it('serves its page with a strict content security policy and no framing', async () => {
    const r = await req(open, '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/u);
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.body).toContain('<script src="/app.js" defer></script>');
    expect((await req(open, '/app.js')).status).toBe(200);
  });

  it('refuses a hostile Host or Origin with 403 on the viewer, its API and /mcp', async () => {
    for (const path of ['/', '/api/map', '/api/session', '/api/live', '/mcp']) {
      expect((await req(open, path, { headers: { host: 'evil.example:80' } })).status, `Host on ${path}`).toBe(403);
      expect((await req(open, path, { headers: { origin: 'http://evil.example' } })).status, `Origin on ${path}`).toBe(403);
    }
    const s = await signIn(open);
    const r = await req(open, `/api/identity/${seeded.proposals[0]}/approve`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', cookie: s.cookie, 'x-physarum-csrf': s.csrf, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(r.status).toBe(403);
    expect(await pending(open)).toContain(seeded.proposals[0]);
  });

  it('refuses the wrong sign-in key', async () => {
    const r = await req(open, '/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'guess' }) });
    expect(r.status).toBe(403);
    expect(jsonBody<{ error: { code: string } }>(r).error.code).toBe('FORBIDDEN');
    expect(r.headers['set-cookie']).toBeUndefined();
  });

  it('changes nothing without the session cookie, the CSRF header, or a JSON body', async () => {
    const s = await signIn(open);
    const path = `/api/identity/${seeded.proposals[0]}/approve`;
    const attempts: Array<[Record<string, string>, number]> = [
      [{ 'content-type': 'application/json' }, 403],
      [{ 'content-type': 'application/json', cookie: s.cookie }, 403],
      [{ 'content-type': 'application/json', cookie: s.cookie, 'x-physarum-csrf': 'wrong' }, 403],
      [{ 'content-type': 'text/plain', cookie: s.cookie, 'x-physarum-csrf': s.csrf }, 400],
    ];
    for (const [headers, status] of attempts) {
      const r = await req(open, path, { method: 'POST', headers, body: '{}' });
      expect(r.status, JSON.stringify(headers)).toBe(status);
    }
    const revert = await req(open, `/api/events/${seeded.archiveEvent}/revert`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'x' }) });
    expect(revert.status).toBe(403);
    expect(await pending(open)).toContain(seeded.proposals[0]);
    const ok = await req(open, path, { method: 'POST', headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-physarum-csrf': s.csrf }, body: JSON.stringify({ note: 'fine' }) });
    expect(ok.status, ok.body).toBe(200);
    expect(jsonBody<{ status: string; decidedBy: { role: string } }>(ok)).toMatchObject({ status: 'approved', decidedBy: { name: 'ren', role: 'human' } });
    // Its times are ISO strings, as everywhere in the API.
    expect(jsonBody<{ proposedAt: unknown; decidedAt: unknown }>(ok)).toMatchObject({ proposedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/u), decidedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/u) });
  });

  it('answers a core refusal with the status from the one error table', async () => {
    const s = await signIn(open);
    const headers = { 'content-type': 'application/json', cookie: s.cookie, 'x-physarum-csrf': s.csrf };
    const again = await req(open, `/api/identity/${seeded.proposals[0]}/approve`, { method: 'POST', headers, body: '{}' });
    expect([again.status, jsonBody<{ error: { code: string } }>(again).error.code]).toEqual([409, 'CONFLICT']);
    const missing = await req(open, '/api/events/nope/revert', { method: 'POST', headers, body: JSON.stringify({ reason: 'x' }) });
    expect(missing.status).toBe(404);
    const noReason = await req(open, `/api/events/${seeded.archiveEvent}/revert`, { method: 'POST', headers, body: JSON.stringify({ reason: ' ' }) });
    expect(noReason.status).toBe(400);
    const malformed = await req(open, '/api/traces/%E0%A4%A', {});
    expect([malformed.status, jsonBody<{ error: { code: string } }>(malformed).error.code]).toEqual([400, 'INVALID_INPUT']);
  });

  it('with --token: the bearer token reads but cannot act as the person; the signed-in person needs no token', async () => {
    expect((await req(guarded, '/')).status).toBe(200);
    expect((await req(guarded, '/api/map')).status).toBe(401);
    const bearer = { authorization: `Bearer ${TOKEN}` };
    expect((await req(guarded, '/api/map', { headers: bearer })).status).toBe(200);
    const r = await req(guarded, `/api/identity/${seeded.proposals[1]}/reject`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(403);
    expect(await pending(guarded, bearer)).toContain(seeded.proposals[1]);
    const s = await signIn(guarded);
    expect((await req(guarded, '/api/map', { headers: { cookie: s.cookie } })).status).toBe(200);
    expect((await req(guarded, '/mcp', { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
  });

  it('never sends Access-Control-Allow-Origin', () => {
    expect(seen.length).toBeGreaterThan(20);
    for (const r of seen) expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });
});
