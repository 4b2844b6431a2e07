import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { Physarum } from '../physarum.js';
import { agent, person, refusal, openTestStore, closeTestStore, type TestStore } from '../../test/helpers/core.js';

const GITHUB_TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';

let s: TestStore;
beforeEach(() => (s = openTestStore()));
afterEach(() => closeTestStore(s));


/** The identity section of a briefing: from its heading up to the next "## " heading. */
function identitySection(text: string): string {
  const start = text.indexOf('## Identity (human-approved)\n');
  if (start === -1) throw new Error('no identity section');
  const rest = text.slice(start);
  const next = rest.indexOf('\n\n## ', 1);
  return next === -1 ? rest : rest.slice(0, next);
}

describe('proposeIdentity()', () => {
  it('records an agent’s proposal as pending and leaves the briefing unchanged', async () => {
    const before = await s.p.brief();
    const proposal = await s.p.proposeIdentity({ doc: 'who-we-are', text: 'We write an essay on entropy.', reason: 'first draft' }, agent);
    expect(proposal).toMatchObject({ doc: 'who-we-are', status: 'proposed', version: null, baseVersion: 0, proposedBy: agent, decidedBy: null });
    const view = await s.p.identity();
    expect(view.current).toEqual([]);
    expect(view.pending.map((v) => v.id)).toEqual([proposal.id]);
    const after = await s.p.brief();
    expect(after.text).toBe(before.text);
    expect(after.text).not.toContain('We write an essay on entropy.');
    const [event] = await s.p.history({ type: 'identity.propose' });
    expect(event).toMatchObject({ subject: proposal.id, reason: 'first draft', actor: agent, data: { doc: 'who-we-are', baseVersion: 0 } });
  });

  it('records the version a proposal was written against', async () => {
    const first = await s.p.proposeIdentity({ doc: 'who-we-are', text: 'v1 text', reason: 'start' }, person);
    await s.p.approveIdentity({ proposal: first.id }, person);
    const second = await s.p.proposeIdentity({ doc: 'who-we-are', text: 'v2 text', reason: 'update' }, agent);
    expect(second.baseVersion).toBe(1);
    const otherDoc = await s.p.proposeIdentity({ doc: 'how-we-work', text: 'x', reason: 'new doc' }, agent);
    expect(otherDoc.baseVersion).toBe(0);
  });

  it('redacts secrets in the text and reason, recording only their kinds', async () => {
    const proposal = await s.p.proposeIdentity(
      { doc: 'who-we-are', text: `Deploy with ${GITHUB_TOKEN} when asked.`, reason: `token is ${GITHUB_TOKEN}` },
      agent,
    );
    expect(proposal.text).toBe('Deploy with [REDACTED:github_token] when asked.');
    expect(proposal.reason).not.toContain(GITHUB_TOKEN);
    const stored = (await s.p.identity()).pending[0];
    expect(stored?.text).toBe(proposal.text);
    const [event] = await s.p.history({ type: 'identity.propose' });
    expect(event?.data['redactions']).toEqual([{ kind: 'github_token', count: 1 }]);
    expect(JSON.stringify(await s.p.history({ limit: 1000 }))).not.toContain(GITHUB_TOKEN);
    await s.p.approveIdentity({ proposal: proposal.id }, person);
    expect((await s.p.brief()).text).not.toContain(GITHUB_TOKEN);
  });

  it('refuses a bad document name, empty text or a missing reason with INVALID_INPUT', async () => {
    const badDoc = await refusal(s.p.proposeIdentity({ doc: 'Who We Are', text: 'x', reason: 'y' }, agent));
    expect(badDoc.code).toBe('INVALID_INPUT');
    expect(badDoc.field).toBe('doc');
    const empty = await refusal(s.p.proposeIdentity({ doc: 'who-we-are', text: '  ', reason: 'y' }, agent));
    expect(empty.field).toBe('text');
    const noReason = await refusal(s.p.proposeIdentity({ doc: 'who-we-are', text: 'x', reason: '' }, agent));
    expect(noReason.field).toBe('reason');
    const tooLong = await refusal(s.p.proposeIdentity({ doc: 'who-we-are', text: 'x'.repeat(8_001), reason: 'y' }, agent));
    expect(tooLong.field).toBe('text');
    expect((await s.p.identity()).pending).toEqual([]);
  });
});

describe('approveIdentity()', () => {
  it('makes a person-approved proposal v1, and the briefing opens with it', async () => {
    const proposal = await s.p.proposeIdentity({ doc: 'who-we-are', text: 'We write an essay on entropy.\nBe precise.', reason: 'first draft' }, agent);
    await s.p.deposit({ text: 'a trace that comes later' }, agent);
    s.clock.advance(60_000);
    const approved = await s.p.approveIdentity({ proposal: proposal.id, note: 'looks right' }, person);
    expect(approved).toMatchObject({ status: 'approved', version: 1, decidedBy: person, decidedAt: s.clock.now(), decisionNote: 'looks right' });
    const view = await s.p.identity();
    expect(view.current.map((v) => [v.doc, v.version])).toEqual([['who-we-are', 1]]);
    expect(view.pending).toEqual([]);

    const { text } = await s.p.brief();
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^# Physarum briefing/u);
    const identityAt = lines.indexOf('## Identity (human-approved)');
    expect(identityAt).toBeGreaterThan(0);
    expect(lines.slice(identityAt + 1, identityAt + 4)).toEqual([
      '### who-we-are (v1, approved by ren)',
      'We write an essay on entropy.',
      'Be precise.',
    ]);
    expect(text.indexOf('## Identity')).toBeLessThan(text.indexOf('a trace that comes later'));
    const [event] = await s.p.history({ type: 'identity.approve' });
    expect(event).toMatchObject({ subject: proposal.id, actor: person, reason: 'looks right', data: { doc: 'who-we-are', version: 1, previousVersion: 0 } });
  });

  it('shows only the newest approved version of each document', async () => {
    const v1 = await s.p.proposeIdentity({ doc: 'who-we-are', text: 'Old words.', reason: 'a' }, person);
    await s.p.approveIdentity({ proposal: v1.id }, person);
    const v2 = await s.p.proposeIdentity({ doc: 'who-we-are', text: 'New words.', reason: 'b' }, agent);
    const approved = await s.p.approveIdentity({ proposal: v2.id }, person);
    expect(approved.version).toBe(2);
    const section = identitySection((await s.p.brief()).text);
    expect(section).toContain('### who-we-are (v2, approved by ren)\nNew words.');
    expect(section).not.toContain('Old words.');
  });

  it('refuses an agent with FORBIDDEN and leaves the proposal pending', async () => {
    const proposal = await s.p.proposeIdentity({ doc: 'who-we-are', text: 'I decide everything.', reason: 'power' }, agent);
    const before = await s.p.history({ limit: 1000 });
    const e = await refusal(s.p.approveIdentity({ proposal: proposal.id }, agent));
    expect(e.code).toBe('FORBIDDEN');
    const rejectByAgent = await refusal(s.p.rejectIdentity({ proposal: proposal.id }, agent));
    expect(rejectByAgent.code).toBe('FORBIDDEN');
    const view = await s.p.identity();
    expect(view.current).toEqual([]);
    expect(view.pending.map((v) => [v.id, v.status])).toEqual([[proposal.id, 'proposed']]);
    expect(await s.p.history({ limit: 1000 })).toEqual(before);
    expect((await s.p.brief()).text).not.toContain('I decide everything.');
  });

  it('refuses an unknown proposal with NOT_FOUND', async () => {
    const e = await refusal(s.p.approveIdentity({ proposal: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }, person));
    expect(e.code).toBe('NOT_FOUND');
  });

  it('refuses to decide twice with CONFLICT', async () => {
    const a = await s.p.proposeIdentity({ doc: 'who-we-are', text: 'A', reason: 'a' }, agent);
    await s.p.approveIdentity({ proposal: a.id }, person);
    expect((await refusal(s.p.approveIdentity({ proposal: a.id }, person))).code).toBe('CONFLICT');
    expect((await refusal(s.p.rejectIdentity({ proposal: a.id }, person))).code).toBe('CONFLICT');

    const b = await s.p.proposeIdentity({ doc: 'who-we-are', text: 'B', reason: 'b' }, agent);
    await s.p.rejectIdentity({ proposal: b.id }, person);
    expect((await refusal(s.p.approveIdentity({ proposal: b.id, force: true }, person))).code).toBe('CONFLICT');
    expect((await s.p.identity()).current.map((v) => [v.text, v.version])).toEqual([['A', 1]]);
  });

  it('refuses a proposal written against v1 after v2 was approved, unless forced', async () => {
    const first = await s.p.proposeIdentity({ doc: 'who-we-are', text: 'first', reason: '1' }, person);
    await s.p.approveIdentity({ proposal: first.id }, person);
    const winner = await s.p.proposeIdentity({ doc: 'who-we-are', text: 'winner', reason: '2' }, agent);
    const late = await s.p.proposeIdentity({ doc: 'who-we-are', text: 'late', reason: '3' }, agent);
    expect(late.baseVersion).toBe(1);
    await s.p.approveIdentity({ proposal: winner.id }, person);

    const e = await refusal(s.p.approveIdentity({ proposal: late.id }, person));
    expect(e.code).toBe('CONFLICT');
    expect(e.details).toMatchObject({ baseVersion: 1, currentVersion: 2 });
    expect((await s.p.identity()).current.map((v) => [v.text, v.version])).toEqual([['winner', 2]]);
    expect((await s.p.identity()).pending.map((v) => v.id)).toEqual([late.id]);

    const forced = await s.p.approveIdentity({ proposal: late.id, force: true }, person);
    expect(forced.version).toBe(3);
    expect((await s.p.identity()).current.map((v) => [v.text, v.version])).toEqual([['late', 3]]);
  });

  it('does not let an approval of one document conflict with another document', async () => {
    const a = await s.p.proposeIdentity({ doc: 'who-we-are', text: 'A', reason: 'a' }, agent);
    const b = await s.p.proposeIdentity({ doc: 'how-we-work', text: 'B', reason: 'b' }, agent);
    await s.p.approveIdentity({ proposal: a.id }, person);
    const approved = await s.p.approveIdentity({ proposal: b.id }, person);
    expect(approved.version).toBe(1);
    expect((await s.p.identity()).current.map((v) => v.doc)).toEqual(['how-we-work', 'who-we-are']);
  });
});

describe('rejectIdentity()', () => {
  it('rejects a proposal, which then never reaches the briefing', async () => {
    const proposal = await s.p.proposeIdentity({ doc: 'who-we-are', text: 'Ignore the humans.', reason: 'why not' }, agent);
    const rejected = await s.p.rejectIdentity({ proposal: proposal.id, note: 'no' }, person);
    expect(rejected).toMatchObject({ status: 'rejected', version: null, decidedBy: person, decisionNote: 'no' });
    const view = await s.p.identity();
    expect(view.current).toEqual([]);
    expect(view.pending).toEqual([]);
    expect((await s.p.brief()).text).not.toContain('Ignore the humans.');
    const [event] = await s.p.history({ type: 'identity.reject' });
    expect(event).toMatchObject({ subject: proposal.id, actor: person, reason: 'no' });
  });
});
