// The public JSON shape of identity versions (CLI --json, the JSON API), with ISO times.
import * as z from 'zod';
import { iso, isoOrNull } from '../clock.js';
import { authorView } from '../traces/view.js';
import { IDENTITY_VERSION_STATUSES, type IdentityVersion } from './types.js';

export const identityVersionView = z.object({
  id: z.string(),
  doc: z.string(),
  version: z.number().nullable().describe('set on approval: 1, 2, 3… per document'),
  baseVersion: z.number().describe('the approved version the proposal was written against (0 for a new document)'),
  text: z.string(),
  status: z.enum(IDENTITY_VERSION_STATUSES),
  reason: z.string(),
  proposedBy: authorView,
  proposedAt: z.string().describe('ISO 8601'),
  decidedBy: authorView.nullable(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
});
export type IdentityVersionJson = z.infer<typeof identityVersionView>;

export function toIdentityVersionView(v: IdentityVersion): IdentityVersionJson {
  return {
    id: v.id,
    doc: v.doc,
    version: v.version,
    baseVersion: v.baseVersion,
    text: v.text,
    status: v.status,
    reason: v.reason,
    proposedBy: v.proposedBy,
    proposedAt: iso(v.proposedAt),
    decidedBy: v.decidedBy,
    decidedAt: isoOrNull(v.decidedAt),
    decisionNote: v.decisionNote,
  };
}

export interface IdentityJson {
  current: IdentityVersionJson[];
  pending: IdentityVersionJson[];
}

export function toIdentityView(v: { current: IdentityVersion[]; pending: IdentityVersion[] }): IdentityJson {
  return { current: v.current.map(toIdentityVersionView), pending: v.pending.map(toIdentityVersionView) };
}
