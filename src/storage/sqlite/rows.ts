// Maps SQLite rows to domain objects: one function per table, validating what comes back.
import type { Annotation, AnnotationStance, Author, Trace, TraceKind, TraceStatus, Trust } from '../../traces/schema.js';
import type { EventType, PalimpsestEvent } from '../../palimpsest/events.js';
import type { IdentityVersion, IdentityVersionStatus } from '../../identity/types.js';
import type { Movement, Trail, TrailStep } from '../../trails/types.js';
import { PhysarumError } from '../../errors/index.js';
import type { SourceEntry, TraceHead, TraceIndexing } from '../types.js';
import type { IndexedText } from './search.js';
import type { Claim, Handoff, Instance, Message } from '../../board/types.js';

export type Row = Record<string, unknown>;

function str(row: Row, col: string): string {
  const v = row[col];
  if (typeof v !== 'string') throw corrupt(col, v);
  return v;
}
function optStr(row: Row, col: string): string | null {
  const v = row[col];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw corrupt(col, v);
  return v;
}
function num(row: Row, col: string): number {
  const v = row[col];
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'number') throw corrupt(col, v);
  return v;
}
function optNum(row: Row, col: string): number | null {
  const v = row[col];
  return v === null || v === undefined ? null : num(row, col);
}
function json<T>(row: Row, col: string): T {
  try {
    return JSON.parse(str(row, col)) as T;
  } catch (e) {
    throw corrupt(col, row[col], e);
  }
}
function corrupt(col: string, value: unknown, cause?: unknown): PhysarumError {
  return new PhysarumError(
    'STORAGE_CORRUPT',
    `Unexpected value in column ${col} (${typeof value}); the store may be damaged. Run \`physarum doctor\` to check it.`,
    { cause },
  );
}

function author(row: Row, prefix: string): Author {
  const model = optStr(row, `${prefix}_model`);
  const role = str(row, `${prefix}_role`);
  return {
    name: str(row, `${prefix}_name`),
    role: role === 'human' ? 'human' : 'agent',
    ...(model === null ? {} : { model }),
  };
}

export function authorToJson(a: Author): string {
  return JSON.stringify(a);
}
function authorFromJson(row: Row, col: string): Author {
  return json<Author>(row, col);
}

export function rowToTrace(row: Row): Trace {
  return {
    id: str(row, 'id'),
    text: str(row, 'text'),
    kind: str(row, 'kind') as TraceKind,
    places: json<string[]>(row, 'places'),
    tags: json<string[]>(row, 'tags'),
    author: author(row, 'author'),
    source: str(row, 'source'),
    trust: str(row, 'trust') as Trust,
    status: str(row, 'status') as TraceStatus,
    createdAt: num(row, 'created_at'),
    updatedAt: num(row, 'updated_at'),
    strength: num(row, 'strength'),
    strengthAt: num(row, 'strength_at'),
    follows: num(row, 'follows'),
    version: num(row, 'version'),
    meta: json<Record<string, unknown>>(row, 'meta'),
  };
}

/** A TraceHead from the values of a raw row that starts with seq, id, author_name, created_at, strength, strength_at. */
export function valuesToTraceHead(values: unknown[]): TraceHead {
  const [, id, author_name, created_at, strength, strength_at] = values;
  return rowToTraceHead({ id, author_name, created_at, strength, strength_at });
}

function rowToTraceHead(row: Row): TraceHead {
  return {
    id: str(row, 'id'),
    authorName: str(row, 'author_name'),
    createdAt: num(row, 'created_at'),
    strength: num(row, 'strength'),
    strengthAt: num(row, 'strength_at'),
  };
}

/** The values a trace is indexed under, from its `text`, `tags`, `places` and `author_name` columns. */
export function rowToIndexedText(row: Row): IndexedText {
  return { text: str(row, 'text'), tags: json<string[]>(row, 'tags'), places: json<string[]>(row, 'places'), author: str(row, 'author_name') };
}

export function rowToSourceEntry(row: Row): SourceEntry {
  const hash = row['hash'];
  const format = row['format'];
  return {
    id: str(row, 'id'),
    source: str(row, 'source'),
    status: str(row, 'status') as TraceStatus,
    places: json<string[]>(row, 'places'),
    tags: json<string[]>(row, 'tags'),
    ...(typeof hash === 'string' ? { hash } : {}),
    ...(typeof format === 'string' ? { format } : {}),
  };
}

export function traceToRow(t: Trace, indexing: TraceIndexing): Row {
  return {
    id: t.id,
    text: t.text,
    kind: t.kind,
    source: t.source,
    trust: t.trust,
    status: t.status,
    author_name: t.author.name,
    author_role: t.author.role,
    author_model: t.author.model ?? null,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    strength: t.strength,
    strength_at: t.strengthAt,
    decay_key: indexing.decayKey,
    content_hash: indexing.contentHash,
    follows: t.follows,
    version: t.version,
    places: JSON.stringify(t.places),
    tags: JSON.stringify(t.tags),
    meta: JSON.stringify(t.meta),
  };
}

export function rowToAnnotation(row: Row): Annotation {
  return {
    id: str(row, 'id'),
    traceId: str(row, 'trace_id'),
    stance: str(row, 'stance') as AnnotationStance,
    text: str(row, 'text'),
    author: author(row, 'author'),
    createdAt: num(row, 'created_at'),
  };
}

export function rowToEvent(row: Row): PalimpsestEvent {
  const a = author(row, 'actor');
  return {
    seq: num(row, 'seq'),
    id: str(row, 'id'),
    at: num(row, 'at'),
    type: str(row, 'type') as EventType,
    actor: a,
    traceId: optStr(row, 'trace_id'),
    subject: optStr(row, 'subject'),
    reason: optStr(row, 'reason'),
    data: json<Record<string, unknown>>(row, 'data'),
  };
}

export function rowToIdentityVersion(row: Row): IdentityVersion {
  const decidedBy = optStr(row, 'decided_by');
  return {
    id: str(row, 'id'),
    doc: str(row, 'doc'),
    version: optNum(row, 'version'),
    baseVersion: num(row, 'base_version'),
    text: str(row, 'text'),
    status: str(row, 'status') as IdentityVersionStatus,
    reason: str(row, 'reason'),
    proposedBy: authorFromJson(row, 'proposed_by'),
    proposedAt: num(row, 'proposed_at'),
    decidedBy: decidedBy === null ? null : (JSON.parse(decidedBy) as Author),
    decidedAt: optNum(row, 'decided_at'),
    decisionNote: optStr(row, 'decision_note'),
  };
}

export function identityVersionToRow(v: IdentityVersion): Row {
  return {
    id: v.id,
    doc: v.doc,
    version: v.version,
    base_version: v.baseVersion,
    text: v.text,
    status: v.status,
    reason: v.reason,
    proposed_by: authorToJson(v.proposedBy),
    proposed_at: v.proposedAt,
    decided_by: v.decidedBy === null ? null : authorToJson(v.decidedBy),
    decided_at: v.decidedAt,
    decision_note: v.decisionNote,
  };
}

export function rowToTrail(row: Row): Trail {
  return {
    id: str(row, 'id'),
    name: str(row, 'name'),
    description: str(row, 'description'),
    steps: json<TrailStep[]>(row, 'steps'),
    author: authorFromJson(row, 'author'),
    createdAt: num(row, 'created_at'),
  };
}

export function rowToInstance(row: Row): Instance {
  return {
    name: str(row, 'name'),
    model: optStr(row, 'model'),
    project: optStr(row, 'project'),
    host: optStr(row, 'host'),
    pid: optNum(row, 'pid'),
    registeredAt: num(row, 'registered_at'),
    lastSeenAt: num(row, 'last_seen_at'),
    endedAt: optNum(row, 'ended_at'),
    places: json<string[]>(row, 'places'),
    lastCheckIn: optStr(row, 'last_check_in'),
    lastPlace: optStr(row, 'last_place'),
    lastPlaceAt: optNum(row, 'last_place_at'),
  };
}

export function rowToClaim(row: Row): Claim {
  return {
    id: str(row, 'id'),
    target: str(row, 'target'),
    holder: str(row, 'holder'),
    note: optStr(row, 'note'),
    acquiredAt: num(row, 'acquired_at'),
    expiresAt: num(row, 'expires_at'),
    releasedAt: optNum(row, 'released_at'),
  };
}

export function rowToMessage(row: Row): Message {
  return {
    id: str(row, 'id'),
    from: authorFromJson(row, 'from_author'),
    to: optStr(row, 'to_name'),
    text: str(row, 'text'),
    createdAt: num(row, 'created_at'),
  };
}

export function rowToHandoff(row: Row): Handoff {
  return {
    id: str(row, 'id'),
    instance: str(row, 'instance'),
    summary: str(row, 'summary'),
    openThreads: json<string[]>(row, 'open_threads'),
    traceIds: json<string[]>(row, 'trace_ids'),
    trails: json<string[]>(row, 'trails'),
    createdAt: num(row, 'created_at'),
  };
}

export function rowToMovement(row: Row): Movement {
  return {
    from: str(row, 'from_place'),
    to: str(row, 'to_place'),
    strength: num(row, 'strength'),
    strengthAt: num(row, 'strength_at'),
    count: num(row, 'count'),
    firstAt: num(row, 'first_at'),
    lastAt: num(row, 'last_at'),
    lastInstance: str(row, 'last_instance'),
  };
}
