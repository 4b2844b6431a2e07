// The coordination board through the core API on a real SQLite file: instances, claims, messages, check-ins, handoffs and the welcome briefing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { estimateTokens } from '../briefing/tokens.js';
import type { Actor } from '../traces/schema.js';
import { ACTIVE_WINDOW_MS, IDLE_WINDOW_MS } from './types.js';
import { START_HERE_TRAIL } from './briefing.js';
import { closeTestStore, openTestStore, person, refusal, type TestStore } from '../../test/helpers/core.js';

const MINUTE = 60_000;
const IDENTITY_HEADING = '## Identity (human-approved)';

const aria: Actor = { name: 'aria-1', role: 'agent', model: 'claude-test' };
const bo: Actor = { name: 'bo-2', role: 'agent', model: 'claude-test' };
const cy: Actor = { name: 'cy-3', role: 'agent' };

let s: TestStore;
beforeEach(() => (s = openTestStore()));
afterEach(() => closeTestStore(s));

async function statusOf(name: string): Promise<string | undefined> {
  return (await s.p.instances()).find((i) => i.name === name)?.status;
}

/** The "## " headings of a briefing, in order. */
function headings(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('## '));
}

async function approveIdentity(text: string): Promise<void> {
  const proposal = await s.p.proposeIdentity({ doc: 'who-we-are', text, reason: 'setup' }, person);
  await s.p.approveIdentity({ proposal: proposal.id }, person);
}

describe('register()', () => {
  it('resumes an instance registered again under the same name instead of duplicating it', async () => {
    const first = await s.p.register({ name: 'aria-1', project: 'essay' }, aria);
    s.clock.advance(MINUTE);
    const again = await s.p.register({ name: 'aria-1' }, aria);
    expect(first.resumed).toBe(false);
    expect(again.resumed).toBe(true);
    const instances = await s.p.instances();
    expect(instances.filter((i) => i.name === 'aria-1')).toHaveLength(1);
    expect(again.instance.registeredAt).toBe(first.instance.registeredAt);
    expect(again.instance.lastSeenAt).toBe(first.instance.registeredAt + MINUTE);
    expect(again.instance.project).toBe('essay');
  });

  it('registers under the name given, falling back to the actor name', async () => {
    const named = await s.p.register({ name: 'scribe-7' }, aria);
    const unnamed = await s.p.register({}, bo);
    expect(named.instance.name).toBe('scribe-7');
    expect(unnamed.instance.name).toBe('bo-2');
    expect((await s.p.instances()).map((i) => i.name).sort()).toEqual(['bo-2', 'scribe-7']);
  });

  it('moves from active to idle to gone as the clock advances without a heartbeat', async () => {
    await s.p.register({}, aria);
    expect(await statusOf('aria-1')).toBe('active');
    s.clock.advance(ACTIVE_WINDOW_MS);
    expect(await statusOf('aria-1')).toBe('active');
    s.clock.advance(1);
    expect(await statusOf('aria-1')).toBe('idle');
    s.clock.advance(IDLE_WINDOW_MS - ACTIVE_WINDOW_MS - 1);
    expect(await statusOf('aria-1')).toBe('idle');
    s.clock.advance(1);
    expect(await statusOf('aria-1')).toBe('gone');
  });

  it('becomes active again after any board call counts as a heartbeat', async () => {
    await s.p.register({}, aria);
    s.clock.advance(2 * IDLE_WINDOW_MS);
    expect(await statusOf('aria-1')).toBe('gone');
    await s.p.claim({ place: 'src/a.ts' }, aria);
    expect(await statusOf('aria-1')).toBe('active');
    s.clock.advance(2 * IDLE_WINDOW_MS);
    await s.p.heartbeat(aria);
    expect(await statusOf('aria-1')).toBe('active');
  });

  it('reports an instance as ended after its handoff, and active again when it registers anew', async () => {
    await s.p.register({}, aria);
    s.clock.advance(MINUTE);
    await s.p.writeHandoff({ summary: 'drafted section 2' }, aria);
    expect(await statusOf('aria-1')).toBe('ended');
    s.clock.advance(2 * IDLE_WINDOW_MS);
    expect(await statusOf('aria-1')).toBe('ended');
    const back = await s.p.register({}, aria);
    expect(back.resumed).toBe(true);
    expect(back.instance.status).toBe('active');
  });
});

describe('claim() and release()', () => {
  it('refuses a place held by another instance with CONFLICT naming the holder and the end of the lease', async () => {
    const { claim } = await s.p.claim({ place: './src/../src/parser.ts', lease: '30m', note: 'rewriting the lexer' }, aria);
    expect(claim.target).toBe('src/parser.ts');
    const end = new Date(claim.expiresAt).toISOString();
    expect(end).toBe(new Date(Date.UTC(2026, 0, 1) + 30 * MINUTE).toISOString());
    s.clock.advance(MINUTE);
    const e = await refusal(s.p.claim({ place: 'src/parser.ts' }, bo));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toContain('aria-1');
    expect(e.message).toContain(end);
    expect(e.details).toEqual({ target: 'src/parser.ts', holder: 'aria-1', expiresAt: end, claimId: claim.id });
    const live = (await s.p.board()).claims;
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ id: claim.id, holder: 'aria-1' });
  });

  it('renews the holder\'s own claim instead of refusing it', async () => {
    const first = await s.p.claim({ place: 'src/parser.ts', lease: '10m' }, aria);
    s.clock.advance(8 * MINUTE);
    const again = await s.p.claim({ place: 'src/parser.ts', lease: '10m' }, aria);
    expect(again.renewed).toBe(true);
    expect(again.claim.id).toBe(first.claim.id);
    expect(again.claim.expiresAt).toBe(s.clock.now() + 10 * MINUTE);
    expect(again.claim.note).toBeNull();
    s.clock.advance(5 * MINUTE);
    // Past the first lease's end, still held thanks to the renewal.
    expect((await refusal(s.p.claim({ place: 'src/parser.ts' }, bo))).code).toBe('CONFLICT');
    expect((await s.p.board()).claims).toHaveLength(1);
  });

  it('frees an expired lease without anything running to clean it up', async () => {
    const { claim } = await s.p.claim({ place: 'src/parser.ts', lease: '10m' }, aria);
    s.clock.advance(10 * MINUTE - 1);
    expect((await refusal(s.p.claim({ place: 'src/parser.ts' }, bo))).code).toBe('CONFLICT');
    s.clock.advance(1);
    expect((await s.p.board()).claims).toEqual([]);
    const taken = await s.p.claim({ place: 'src/parser.ts' }, bo);
    expect(taken.renewed).toBe(false);
    expect(taken.claim.holder).toBe('bo-2');
    expect(taken.claim.id).not.toBe(claim.id);
    expect((await refusal(s.p.claim({ place: 'src/parser.ts' }, aria))).details?.['holder']).toBe('bo-2');
  });

  it('lets the holder release its claim, after which another instance can take it', async () => {
    await s.p.claim({ place: 'topic:intro' }, aria);
    s.clock.advance(MINUTE);
    const released = await s.p.release({ place: 'topic:intro' }, aria);
    expect(released.releasedAt).toBe(s.clock.now());
    expect((await s.p.board()).claims).toEqual([]);
    expect((await s.p.claim({ place: 'topic:intro' }, bo)).claim.holder).toBe('bo-2');
  });

  it('refuses an agent releasing another instance\'s claim with FORBIDDEN and keeps the claim', async () => {
    const { claim } = await s.p.claim({ place: 'topic:intro' }, aria);
    const byPlace = await refusal(s.p.release({ place: 'topic:intro' }, bo));
    expect(byPlace.code).toBe('FORBIDDEN');
    expect(byPlace.message).toContain('aria-1');
    expect((await refusal(s.p.release({ id: claim.id }, bo))).code).toBe('FORBIDDEN');
    expect((await s.p.board()).claims.map((c) => c.id)).toEqual([claim.id]);
    expect((await refusal(s.p.claim({ place: 'topic:intro' }, bo))).code).toBe('CONFLICT');
  });

  it('lets a person release any instance\'s claim', async () => {
    const { claim } = await s.p.claim({ place: 'topic:intro' }, aria);
    const released = await s.p.release({ id: claim.id }, person);
    expect(released.releasedAt).not.toBeNull();
    expect((await s.p.board()).claims).toEqual([]);
    const [event] = await s.p.history({ type: ['claim.release'] });
    expect(event).toMatchObject({ actor: { name: 'ren', role: 'human' }, subject: claim.id, data: { holder: 'aria-1' } });
  });

  it('reports NOT_FOUND when releasing an unclaimed place or an unknown claim id', async () => {
    expect((await refusal(s.p.release({ place: 'src/free.ts' }, aria))).code).toBe('NOT_FOUND');
    expect((await refusal(s.p.release({ id: 'no-such-claim' }, aria))).code).toBe('NOT_FOUND');
  });

  it('claims named tasks as task:<name>, apart from places of the same name', async () => {
    const { claim } = await s.p.claim({ task: '  rewrite-section-3 ' }, aria);
    expect(claim.target).toBe('task:rewrite-section-3');
    const e = await refusal(s.p.claim({ task: 'rewrite-section-3' }, bo));
    expect(e.code).toBe('CONFLICT');
    expect(e.details).toMatchObject({ target: 'task:rewrite-section-3', holder: 'aria-1' });
    // A file called rewrite-section-3 is a different target.
    expect((await s.p.claim({ place: 'rewrite-section-3' }, bo)).claim.target).toBe('rewrite-section-3');
    await s.p.release({ task: 'rewrite-section-3' }, aria);
    expect((await s.p.claim({ task: 'rewrite-section-3' }, bo)).claim.holder).toBe('bo-2');
  });

  it('refuses a claim naming both or neither of place and task, and a lease over 24h', async () => {
    expect((await refusal(s.p.claim({ place: 'a.ts', task: 'x' }, aria))).code).toBe('INVALID_INPUT');
    expect((await refusal(s.p.claim({}, aria))).code).toBe('INVALID_INPUT');
    const e = await refusal(s.p.claim({ place: 'a.ts', lease: '25h' }, aria));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.field).toBe('lease');
    expect((await s.p.board()).claims).toEqual([]);
  });

  it('gives one place to exactly one of 16 instances claiming it at once', async () => {
    const actors: Actor[] = Array.from({ length: 16 }, (_, i) => ({ name: `racer-${i}`, role: 'agent' }));
    const results = await Promise.allSettled(actors.map((a) => s.p.claim({ place: 'src/hot.ts' }, a)));
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { code?: string; details?: Record<string, unknown> }] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(15);
    const winner = won[0]?.claim.holder;
    for (const e of lost) {
      expect(e.code).toBe('CONFLICT');
      expect(e.details?.['holder']).toBe(winner);
    }
    const live = (await s.p.board()).claims;
    expect(live).toHaveLength(1);
    expect(live[0]?.holder).toBe(winner);
    expect(await s.p.history({ type: ['claim.acquire'] })).toHaveLength(1);
  });
});

describe('messages', () => {
  it('delivers a message to its one recipient only, and a broadcast to everyone else', async () => {
    await s.p.postMessage({ text: 'bo, please review section 2', to: 'bo-2' }, aria);
    await s.p.postMessage({ text: 'I am renaming the glossary file', }, aria);
    const forBo = await s.p.readMessages({ peek: true }, bo);
    const forCy = await s.p.readMessages({ peek: true }, cy);
    expect(forBo.map((m) => m.text).sort()).toEqual(['I am renaming the glossary file', 'bo, please review section 2']);
    expect(forCy.map((m) => m.text)).toEqual(['I am renaming the glossary file']);
    expect(forCy[0]).toMatchObject({ to: null, from: { name: 'aria-1', role: 'agent' } });
  });

  it('does not show an instance its own messages', async () => {
    await s.p.postMessage({ text: 'heads up, everyone' }, aria);
    await s.p.postMessage({ text: 'note to self', to: 'aria-1' }, aria);
    expect(await s.p.readMessages({}, aria)).toEqual([]);
    expect(await s.p.readMessages({ unreadOnly: false }, aria)).toEqual([]);
    expect(await s.p.readMessages({}, bo)).toHaveLength(1);
  });

  it('keeps read state per instance', async () => {
    await s.p.postMessage({ text: 'broadcast one' }, aria);
    expect((await s.p.readMessages({}, bo)).map((m) => m.text)).toEqual(['broadcast one']);
    expect(await s.p.readMessages({}, bo)).toEqual([]);
    // cy has not read it yet.
    expect((await s.p.readMessages({}, cy)).map((m) => m.text)).toEqual(['broadcast one']);
    // Read messages stay available when asking for all of them.
    expect((await s.p.readMessages({ unreadOnly: false }, bo)).map((m) => m.text)).toEqual(['broadcast one']);
  });

  it('leaves messages unread when peeking', async () => {
    await s.p.postMessage({ text: 'peek at me' }, aria);
    expect(await s.p.readMessages({ peek: true }, bo)).toHaveLength(1);
    expect(await s.p.readMessages({ peek: true }, bo)).toHaveLength(1);
    expect(await s.p.readMessages({}, bo)).toHaveLength(1);
    expect(await s.p.readMessages({}, bo)).toHaveLength(0);
  });

  it('shows unread messages in the reader\'s briefing until it reads them', async () => {
    await s.p.postMessage({ text: 'the bibliography moved to refs.bib', to: 'bo-2' }, aria);
    const before = await s.p.brief({}, bo);
    expect(headings(before.text)).toContain('## Unread messages for bo-2');
    expect(before.text).toContain('the bibliography moved to refs.bib');
    expect(before.text).toContain('from aria-1');
    // Not in someone else's briefing.
    expect((await s.p.brief({}, cy)).text).not.toContain('the bibliography moved to refs.bib');
    await s.p.readMessages({}, bo);
    const after = await s.p.brief({}, bo);
    expect(after.text).not.toContain('the bibliography moved to refs.bib');
    expect(headings(after.text).some((h) => h.startsWith('## Unread messages'))).toBe(false);
  });

  it('redacts secrets in messages before storing them', async () => {
    const key = `sk-ant-api03-${'a1B2'.repeat(20)}`;
    await s.p.postMessage({ text: `use ${key} for the eval run` }, aria);
    const [m] = await s.p.readMessages({}, bo);
    expect(m?.text).not.toContain(key);
    expect(m?.text).toContain('[REDACTED:');
  });
});

describe('checkIn()', () => {
  it('keeps the check-in as a trace tagged check-in at the given places and updates the instance', async () => {
    await s.p.register({}, aria);
    s.clock.advance(MINUTE);
    const { trace } = await s.p.checkIn({ done: 'drafted the intro', next: 'tighten section 2', places: ['./essay/draft.md', 'topic:intro'] }, aria);
    expect(trace.tags).toEqual(['check-in']);
    expect(trace.places).toEqual(['essay/draft.md', 'topic:intro']);
    expect(trace.text).toBe('Done: drafted the intro\nNext: tighten section 2');
    expect(trace.author).toMatchObject({ name: 'aria-1', role: 'agent' });
    const sensed = await s.p.sense({ place: 'essay/draft.md' });
    expect(sensed.results.map((r) => r.trace.id)).toContain(trace.id);
    const [event] = await s.p.history({ id: trace.id });
    expect(event).toMatchObject({ type: 'trace.deposit', data: { checkIn: true } });
    const me = (await s.p.instances()).find((i) => i.name === 'aria-1');
    expect(me).toMatchObject({ places: ['essay/draft.md', 'topic:intro'], lastCheckIn: trace.text, lastSeenAt: s.clock.now(), status: 'active' });
  });

  it('keeps the previous places when a check-in names none, and replaces them when it names some', async () => {
    await s.p.checkIn({ done: 'one', places: ['a.md'] }, aria);
    const second = await s.p.checkIn({ next: 'two' }, aria);
    expect(second.trace.places).toEqual(['a.md']);
    await s.p.checkIn({ done: 'three', places: ['b.md'] }, aria);
    expect((await s.p.instances()).find((i) => i.name === 'aria-1')?.places).toEqual(['b.md']);
  });

  it('refuses a check-in that says nothing', async () => {
    expect((await refusal(s.p.checkIn({ done: '  ', next: '' }, aria))).code).toBe('INVALID_INPUT');
    expect(await s.p.instances()).toEqual([]);
  });
});

describe('writeHandoff()', () => {
  it('refuses unknown trace and trail pointers with NOT_FOUND and writes nothing', async () => {
    await s.p.register({}, aria);
    await s.p.claim({ place: 'src/a.ts' }, aria);
    const { trace } = await s.p.deposit({ text: 'a real trace' }, aria);
    const badTrace = await refusal(s.p.writeHandoff({ summary: 'done', traces: [trace.id, 'no-such-trace'] }, aria));
    expect(badTrace.code).toBe('NOT_FOUND');
    expect(badTrace.message).toContain('no-such-trace');
    const badTrail = await refusal(s.p.writeHandoff({ summary: 'done', trails: ['no-such-trail'] }, aria));
    expect(badTrail.code).toBe('NOT_FOUND');
    expect(badTrail.message).toContain('no-such-trail');
    const b = await s.p.board();
    expect(b.handoffs).toEqual([]);
    expect(b.claims).toHaveLength(1);
    expect(await statusOf('aria-1')).toBe('active');
  });

  it('ends the instance and releases its claims, and no one else\'s', async () => {
    await s.p.register({}, aria);
    await s.p.claim({ place: 'src/a.ts' }, aria);
    await s.p.claim({ task: 'index' }, aria);
    await s.p.claim({ place: 'src/b.ts' }, bo);
    const { trace } = await s.p.deposit({ text: 'parser notes' }, aria);
    await s.p.createTrail({ name: 'parser-tour', steps: [{ trace: trace.id }] }, aria);
    s.clock.advance(MINUTE);
    const h = await s.p.writeHandoff({ summary: 'parser half done', openThreads: ['BOM handling'], traces: [trace.id], trails: ['parser-tour'] }, aria);
    expect(h).toMatchObject({ instance: 'aria-1', traceIds: [trace.id], trails: ['parser-tour'], openThreads: ['BOM handling'] });
    expect(await statusOf('aria-1')).toBe('ended');
    const b = await s.p.board();
    expect(b.claims.map((c) => c.holder)).toEqual(['bo-2']);
    expect(b.handoffs.map((x) => x.id)).toEqual([h.id]);
    // Its places are free for others now.
    expect((await s.p.claim({ place: 'src/a.ts' }, cy)).claim.holder).toBe('cy-3');
    expect((await s.p.claim({ task: 'index' }, cy)).claim.holder).toBe('cy-3');
  });

  it('keeps the instance and its claims with end: false', async () => {
    await s.p.claim({ place: 'src/a.ts' }, aria);
    await s.p.writeHandoff({ summary: 'context nearly full, continuing', end: false }, aria);
    expect(await statusOf('aria-1')).toBe('active');
    expect((await s.p.board()).claims.map((c) => c.holder)).toEqual(['aria-1']);
  });

  it('puts the latest handoffs right after the identity in the next briefing', async () => {
    await approveIdentity('We write an essay on entropy.');
    await s.p.deposit({ text: 'Gibbs, not Shannon, in section 3', kind: 'decision' }, person);
    await s.p.postMessage({ text: 'for whoever comes next' }, aria);
    await s.p.writeHandoff({ summary: 'Section 2 drafted.\n## not a heading', openThreads: ['check the citations'] }, aria);
    const { text } = await s.p.brief({}, bo);
    const hs = headings(text);
    expect(hs[0]).toBe(IDENTITY_HEADING);
    expect(hs[1]).toBe('## Latest handoffs');
    const section = text.slice(text.indexOf('## Latest handoffs'));
    expect(section).toContain('from aria-1');
    expect(section).toContain('Section 2 drafted.');
    expect(section).toContain('check the citations');
    // The summary is quoted: its lines cannot start a heading.
    expect(hs).not.toContain('## not a heading');
  });
});

describe('the welcome briefing of register()', () => {
  async function populate(): Promise<{ first: string; second: string }> {
    await approveIdentity('We write an essay on entropy for a general audience.');
    const first = (await s.p.deposit({ text: 'Read the outline before drafting', kind: 'instruction' }, person)).trace.id;
    const second = (await s.p.deposit({ text: 'Section 3 uses the Gibbs definition', kind: 'decision' }, person)).trace.id;
    await s.p.createTrail({ name: START_HERE_TRAIL, description: 'read these first', steps: [{ trace: first }, { place: 'essay/outline.md', note: 'the plan' }, { trace: second }] }, person);
    // An earlier instance that handed off, one still working with a claim, and one long gone.
    await s.p.register({}, cy);
    await s.p.claim({ place: 'essay/old.md' }, cy);
    s.clock.advance(2 * IDLE_WINDOW_MS);
    await s.p.register({}, aria);
    await s.p.writeHandoff({ summary: 'Outline agreed; section 1 drafted', openThreads: ['figures for section 2'] }, aria);
    await s.p.register({}, bo);
    await s.p.checkIn({ done: 'read the outline', next: 'draft section 2', places: ['essay/draft.md'] }, bo);
    await s.p.claim({ place: 'essay/draft.md', note: 'drafting section 2' }, bo);
    await s.p.postMessage({ text: 'welcome, dee: section 4 is yours', to: 'dee-4' }, bo);
    await s.p.postMessage({ text: 'a note for someone else', to: 'cy-3' }, bo);
    s.clock.advance(MINUTE);
    return { first, second };
  }

  it('contains the identity, latest handoffs, who is active with their claims, unread messages and the start-here trail, in that order', async () => {
    const { first, second } = await populate();
    const dee: Actor = { name: 'dee-4', role: 'agent', model: 'claude-test' };
    const { briefing, instance, resumed } = await s.p.register({}, dee);
    expect(instance).toMatchObject({ name: 'dee-4', status: 'active' });
    expect(resumed).toBe(false);
    const { text } = briefing;
    const hs = headings(text);
    expect(hs.slice(0, 5)).toEqual([
      IDENTITY_HEADING,
      '## Latest handoffs',
      '## Unread messages for dee-4',
      '## Who is working now',
      '## Start here: read these first',
    ]);
    expect(text).toContain('We write an essay on entropy for a general audience.');
    expect(text).toContain('Outline agreed; section 1 drafted');
    expect(text).toContain('figures for section 2');
    expect(text).toContain('welcome, dee: section 4 is yours');
    expect(text).not.toContain('a note for someone else');
    const who = text.slice(text.indexOf('## Who is working now'), text.indexOf('## Start here'));
    expect(who).toMatch(/- bo-2 \(claude-test\) · active, .* · at essay\/draft\.md · last check-in: Done: read the outline Next: draft section 2/u);
    expect(who).toContain('- claim: essay/draft.md held by bo-2 for 14m more (drafting section 2)');
    // Gone and ended instances, and expired claims, are not "working now"; nor is the newcomer itself.
    expect(who).not.toContain('cy-3');
    expect(who).not.toContain('- aria-1');
    expect(who).not.toContain('- dee-4');
    const start = text.slice(text.indexOf('## Start here'));
    expect(start).toContain(`1. [${first}] Read the outline before drafting`);
    expect(start).toContain('2. essay/outline.md (the plan)');
    expect(start).toContain(`3. [${second}] Section 3 uses the Gibbs definition`);
  });

  it('fits its budget', async () => {
    await populate();
    for (let i = 0; i < 40; i++) {
      await s.p.deposit({ text: `Trace ${i}: ${'a remark about the essay and its sections '.repeat(6)}`, places: [`essay/part-${i}.md`] }, person);
      await s.p.postMessage({ text: `message ${i}: ${'please look at the figures '.repeat(5)}`, to: 'dee-4' }, bo);
    }
    const dee: Actor = { name: 'dee-4', role: 'agent' };
    for (const request of [{ weight: 'light' as const }, { budget: 300 }, { weight: 'standard' as const }]) {
      const { briefing } = await s.p.register({}, dee, request);
      expect(briefing.budget).toBe(request.budget ?? (request.weight === 'light' ? 1_000 : 4_000));
      expect(estimateTokens(briefing.text)).toBeLessThanOrEqual(briefing.budget);
      expect(briefing.tokens).toBe(estimateTokens(briefing.text));
      expect(headings(briefing.text)[0]).toBe(IDENTITY_HEADING);
      expect(briefing.omitted).toBeGreaterThan(0);
    }
  });

  it('holds only the identity section in an empty store', async () => {
    const { briefing } = await s.p.register({}, aria);
    expect(headings(briefing.text)).toEqual([IDENTITY_HEADING]);
    expect(briefing.text).toContain('No identity has been approved');
  });
});
