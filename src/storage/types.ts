// The storage interface the core is written against; every backend (SQLite now, PostgreSQL later) implements it.
import type { EventQuery, NewEvent, PalimpsestEvent } from '../palimpsest/events.js';
import type { Annotation, Trace, TraceKind, TraceStatus } from '../traces/schema.js';
import type { IdentityVersion, IdentityVersionStatus } from '../identity/types.js';
import type { Movement, Trail } from '../trails/types.js';
import type { Claim, Handoff, Instance, Message } from '../board/types.js';

/** Filters shared by search and listing. All are optional; an absent filter matches everything. */
export interface TraceFilters {
  /** Traces at this place or anywhere below it (a folder, a file's sections, a URL's sub-paths, a sub-topic). */
  place?: string;
  kinds?: TraceKind[];
  tags?: string[];
  author?: string;
  since?: number;
  statuses: TraceStatus[];
  /** Only traces whose decay key is at least this (see strength/): a floor that needs no clock arithmetic in SQL. */
  minStrengthKey?: number;
}

/**
 * What ranking reads of a trace: enough to score and order it. Search ranks many more traces than it returns,
 * so only the returned ones are loaded whole (getTraces).
 */
export interface TraceHead {
  id: string;
  authorName: string;
  createdAt: number;
  strength: number;
  strengthAt: number;
}

export interface TextHit {
  /** The matching trace; getTraces() reads it whole. */
  head: TraceHead;
  /** Full-text relevance, larger is better (for SQLite: the negated FTS5 bm25()). */
  textScore: number;
}

/** Values the core derives for a trace that the backend stores alongside it, to order, filter and deduplicate. */
export interface TraceIndexing {
  /** strength/decayKey() of the trace: ordering by it is ordering by current strength. */
  decayKey: number;
  /** traces/contentHash() of the trace: equal for duplicates. */
  contentHash: string;
}

/** A trace's identity and fingerprint as a source sees it: see StorageReader.sourceEntries. */
export interface SourceEntry {
  id: string;
  source: string;
  status: TraceStatus;
  places: string[];
  tags: string[];
  /** `meta.hash` and `meta.format` when they are strings. */
  hash?: string;
  format?: string;
}

export interface Neighbour {
  /** The trace this one neighbours. */
  of: string;
  /** Positions away in insertion order: negative before, positive after. */
  distance: number;
  head: TraceHead;
}

export interface StorageInfo {
  backend: string;
  location: string;
  schemaVersion: number;
  traces: number;
  events: number;
  bytes: number;
}

/** Reads. Every method sees one consistent snapshot when called inside `read()` or `write()`. */
export interface StorageReader {
  getSetting(key: string): Promise<string | undefined>;
  getTrace(id: string): Promise<Trace | undefined>;
  getTraces(ids: string[]): Promise<Trace[]>;
  /** Every trace whose source starts with `prefix` (any status), oldest first. */
  tracesBySourcePrefix(prefix: string): Promise<Trace[]>;
  /**
   * What a source already holds, without the texts: one entry per trace whose source starts with `prefix` (any
   * status), oldest first. Ingest compares a source with these, so its memory does not grow with the texts.
   */
  sourceEntries(prefix: string): Promise<SourceEntry[]>;
  /** Traces with this content hash and one of these statuses, oldest first. */
  tracesByContentHash(hash: string, statuses: TraceStatus[]): Promise<Trace[]>;
  /** Traces at exactly these places, strongest first. */
  tracesAtPlaces(places: string[], filters: TraceFilters, limit: number): Promise<Trace[]>;
  /** Traces matching the filters, strongest first. */
  strongestTraces(filters: TraceFilters, limit: number): Promise<Trace[]>;
  /** Which of these names (compared exactly) are authors of some trace. */
  authorsAmong(names: string[]): Promise<string[]>;
  /** Full-text search; `terms` are plain words (no query syntax), matched with OR; best first, as heads. */
  searchText(terms: string[], filters: TraceFilters, limit: number): Promise<TextHit[]>;
  /**
   * Traces written just before or after each given trace (within `span` positions in the store's insertion
   * order and `withinMs` of its time), matching the filters, as heads: the conversation or work around a hit.
   */
  neighbours(ids: string[], options: { span: number; withinMs: number; filters: TraceFilters }): Promise<Neighbour[]>;
  annotationsOf(traceId: string): Promise<Annotation[]>;
  listEvents(query: EventQuery): Promise<PalimpsestEvent[]>;
  getEvent(id: string): Promise<PalimpsestEvent | undefined>;
  identityVersions(query: { doc?: string; statuses?: IdentityVersionStatus[]; id?: string }): Promise<IdentityVersion[]>;
  getTrail(nameOrId: string): Promise<Trail | undefined>;
  listTrails(): Promise<Trail[]>;
  info(): Promise<StorageInfo>;

  // The board
  getInstance(name: string): Promise<Instance | undefined>;
  listInstances(): Promise<Instance[]>;
  /** Claims not released whose lease ends after `now`, optionally for one target or holder; soonest expiry first. */
  activeClaims(query: { now: number; target?: string; holder?: string }): Promise<Claim[]>;
  getClaim(id: string): Promise<Claim | undefined>;
  /** Messages to `reader` or to everyone, not sent by `reader`, newest first; `unreadOnly` skips those it has read. */
  messagesFor(query: { reader: string; unreadOnly: boolean; limit: number }): Promise<Message[]>;
  recentMessages(limit: number): Promise<Message[]>;
  latestHandoffs(limit: number): Promise<Handoff[]>;

  // Emergent trails
  getMovement(from: string, to: string): Promise<Movement | undefined>;
  /** Edges strongest first, optionally only those leaving `from` or reaching `to`, above a decay key. */
  movements(query: { from?: string; to?: string; minStrengthKey?: number; limit: number }): Promise<Movement[]>;
}

/** Writes, always inside `write()`: all of a call's changes commit together or not at all. */
export interface StorageWriter extends StorageReader {
  setSetting(key: string, value: string): Promise<void>;
  insertTrace(trace: Trace, indexing: TraceIndexing): Promise<void>;
  /** Replaces the stored trace (text, places, tags and all). */
  updateTrace(trace: Trace, indexing: TraceIndexing): Promise<void>;
  /** Erases text and annotation text of a trace everywhere it is stored (table, full-text index, free pages). */
  eraseTrace(id: string, tombstone: string, at: number): Promise<void>;
  /** Re-derives every trace's and movement's decay key after the half-life changed. */
  rekeyStrength(halfLifeMs: number): Promise<void>;
  insertAnnotation(annotation: Annotation): Promise<void>;
  appendEvent(event: NewEvent): Promise<PalimpsestEvent>;
  insertIdentityVersion(version: IdentityVersion): Promise<void>;
  updateIdentityVersion(version: IdentityVersion): Promise<void>;
  insertTrail(trail: Trail): Promise<void>;

  // The board
  putInstance(instance: Instance): Promise<void>;
  insertClaim(claim: Claim): Promise<void>;
  updateClaim(claim: Claim): Promise<void>;
  insertMessage(message: Message): Promise<void>;
  markMessagesRead(ids: string[], reader: string, at: number): Promise<void>;
  insertHandoff(handoff: Handoff): Promise<void>;
  /** Inserts or replaces an edge; `decayKey` as for traces. */
  putMovement(movement: Movement, decayKey: number): Promise<void>;
}

/**
 * A write described by a name and a JSON payload instead of a function, so that whichever process commits
 * for the store can apply it (cross-process group commit), and so that a repeat of it is recognised.
 */
export interface PortableWrite<P, R> {
  /** Unique and versioned (`trace.deposit/1`): a process only applies writes whose name it knows. */
  readonly name: string;
  apply(w: StorageWriter, payload: P): Promise<R>;
  /** What is kept to answer a repeat of an applied write: JSON, and no text that forgetting must erase. */
  receipt(result: R): unknown;
  /** The result of an already applied write, rebuilt from its receipt. */
  replay(r: StorageReader, receipt: unknown): Promise<R>;
}

export interface HealthCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Storage {
  readonly backend: string;
  /** Where the data lives (a file path, a connection string without its password). */
  readonly location: string;
  /** Runs `fn` in a read snapshot. */
  read<T>(fn: (r: StorageReader) => Promise<T>): Promise<T>;
  /**
   * Makes every committed trace findable by `searchText()` in the reads that start after it resolves. A
   * backend may add new traces to its text index after their commit (in batches); search calls this first.
   */
  searchable(): Promise<void>;
  /**
   * Runs `fn` in one write transaction, holding the write lock from the start, serialised with every
   * other writer (in this process and others). Commits when `fn` resolves, rolls back when it throws.
   */
  write<T>(fn: (w: StorageWriter) => Promise<T>): Promise<T>;
  /**
   * Applies a portable write exactly once, like `write()`, but possibly committed by another process that
   * batches the writes of every process on the store. Resolves only after the commit.
   */
  writePortable<P, R>(op: PortableWrite<P, R>, payload: P): Promise<R>;
  close(): Promise<void>;
  /** Checks the store's integrity: the backend's own checks plus every trace having its index entries and its event. */
  check(): Promise<HealthCheck[]>;
  /** Writes a consistent copy of the whole store to `destination` while writers keep running. */
  backup(destination: string): Promise<{ bytes: number }>;
}
