// The identity: approved documents that open every briefing; anyone may propose, only a person decides.
import type { Context } from '../context.js';
import type { StorageReader } from '../storage/types.js';
import { PhysarumError, notFound } from '../errors/index.js';
import { parseInput } from '../errors/parse.js';
import { newId } from '../ids.js';
import { redactSecrets } from '../secrets/index.js';
import type { Actor } from '../traces/schema.js';
import {
  type DecideIdentityInput,
  type IdentityVersion,
  type ProposeIdentityInput,
  decideIdentityInput,
  proposeIdentityInput,
} from './types.js';

export interface IdentityView {
  /** The approved version of each document, by document name. */
  current: IdentityVersion[];
  pending: IdentityVersion[];
}

/** The newest approved version of each document. */
export async function currentIdentity(r: StorageReader): Promise<IdentityVersion[]> {
  const approved = await r.identityVersions({ statuses: ['approved'] });
  const latest = new Map<string, IdentityVersion>();
  for (const v of approved) {
    const seen = latest.get(v.doc);
    if (!seen || (v.version ?? 0) > (seen.version ?? 0)) latest.set(v.doc, v);
  }
  return [...latest.values()].sort((a, b) => a.doc.localeCompare(b.doc));
}

export async function showIdentity(ctx: Context): Promise<IdentityView> {
  return ctx.storage.read(async (r) => ({
    current: await currentIdentity(r),
    pending: await r.identityVersions({ statuses: ['proposed'] }),
  }));
}

export async function proposeIdentity(ctx: Context, raw: ProposeIdentityInput, actor: Actor): Promise<IdentityVersion> {
  const input = parseInput(proposeIdentityInput, raw);
  const text = redactSecrets(input.text);
  const reason = redactSecrets(input.reason).text;
  return ctx.storage.write(async (w) => {
    const now = ctx.clock.now();
    const base = (await currentIdentity(w)).find((v) => v.doc === input.doc);
    const proposal: IdentityVersion = {
      id: newId(now),
      doc: input.doc,
      version: null,
      baseVersion: base?.version ?? 0,
      text: text.text,
      status: 'proposed',
      reason,
      proposedBy: actor,
      proposedAt: now,
      decidedBy: null,
      decidedAt: null,
      decisionNote: null,
    };
    await w.insertIdentityVersion(proposal);
    await w.appendEvent({
      type: 'identity.propose',
      at: now,
      actor,
      subject: proposal.id,
      reason,
      data: { doc: input.doc, baseVersion: proposal.baseVersion, ...(text.redactions.length > 0 ? { redactions: text.redactions } : {}) },
    });
    return proposal;
  });
}

/** Approve or reject a proposal. Security: refuses anyone but a person, whatever door the call came through. */
export async function decideIdentity(
  ctx: Context,
  raw: DecideIdentityInput,
  actor: Actor,
  decision: 'approved' | 'rejected',
): Promise<IdentityVersion> {
  const input = parseInput(decideIdentityInput, raw);
  if (actor.role !== 'human') {
    throw new PhysarumError(
      'FORBIDDEN',
      'Only a person can approve or reject identity changes. Ask the person you work with to run `physarum identity approve`.',
    );
  }
  return ctx.storage.write(async (w) => {
    const [proposal] = await w.identityVersions({ id: input.proposal });
    if (!proposal) throw notFound('identity proposal', input.proposal);
    if (proposal.status !== 'proposed') {
      throw new PhysarumError('CONFLICT', `proposal ${proposal.id} was already ${proposal.status}; nothing changed.`);
    }
    const current = (await currentIdentity(w)).find((v) => v.doc === proposal.doc);
    const currentVersion = current?.version ?? 0;
    if (decision === 'approved' && currentVersion !== proposal.baseVersion && !input.force) {
      throw new PhysarumError(
        'CONFLICT',
        `proposal ${proposal.id} was written against ${proposal.doc} v${proposal.baseVersion}, but v${currentVersion} has been approved since. Read the current version, then approve with --force or ask for a new proposal.`,
        { details: { baseVersion: proposal.baseVersion, currentVersion } },
      );
    }
    const now = ctx.clock.now();
    const decided: IdentityVersion = {
      ...proposal,
      status: decision,
      version: decision === 'approved' ? currentVersion + 1 : null,
      decidedBy: actor,
      decidedAt: now,
      decisionNote: input.note === undefined ? null : redactSecrets(input.note).text,
    };
    await w.updateIdentityVersion(decided);
    await w.appendEvent({
      type: decision === 'approved' ? 'identity.approve' : 'identity.reject',
      at: now,
      actor,
      subject: proposal.id,
      ...(decided.decisionNote !== null ? { reason: decided.decisionNote } : {}),
      data: { doc: proposal.doc, version: decided.version, previousVersion: currentVersion },
    });
    return decided;
  });
}
