// Identity documents: the few human-approved texts every briefing starts with, and proposals to change them.
import * as z from 'zod';
import type { Author } from '../traces/schema.js';

export const IDENTITY_VERSION_STATUSES = ['proposed', 'approved', 'rejected'] as const;
export type IdentityVersionStatus = (typeof IDENTITY_VERSION_STATUSES)[number];

/** One version of one identity document; a proposal until a person approves or rejects it. */
export interface IdentityVersion {
  id: string;
  doc: string;
  /** Set on approval: 1, 2, 3… per document. */
  version: number | null;
  /** The approved version this proposal was written against (0 for a new document). */
  baseVersion: number;
  text: string;
  status: IdentityVersionStatus;
  reason: string;
  proposedBy: Author;
  proposedAt: number;
  decidedBy: Author | null;
  decidedAt: number | null;
  decisionNote: string | null;
}

export const MAX_IDENTITY_CHARS = 8_000;

export const docName = z
  .string({ error: 'doc must be a string' })
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/u, 'doc is a short lowercase name with hyphens, such as "who-we-are"');

export const proposeIdentityInput = z.strictObject({
  doc: docName,
  text: z
    .string()
    .refine((s) => s.trim().length > 0, 'text is empty; write the proposed document')
    .refine((s) => s.length <= MAX_IDENTITY_CHARS, `text is longer than ${MAX_IDENTITY_CHARS} characters; identity stays small, put details in traces`),
  reason: z.string().refine((s) => s.trim().length > 0, 'reason is empty; say why the identity should change'),
});
export type ProposeIdentityInput = z.input<typeof proposeIdentityInput>;

export const decideIdentityInput = z.strictObject({
  proposal: z.string().trim().min(1, 'proposal is empty; pass a proposal id from `identity show --pending`'),
  note: z.string().optional(),
  /** Approve even though another version was approved after this proposal was written. */
  force: z.boolean().default(false),
});
export type DecideIdentityInput = z.input<typeof decideIdentityInput>;
