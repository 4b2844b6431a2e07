// Bringing the store in line with one source: new pieces deposited (in batches), changed ones revised, pieces gone
// from the source archived, unchanged ones left alone, so ingesting the same input twice adds nothing.
import { createHash } from 'node:crypto';
import type { Physarum } from '../physarum.js';
import { isPhysarumError } from '../errors/index.js';
import { normalizePlace } from '../places/index.js';
import { redactSecrets } from '../secrets/index.js';
import { applyDeposit, prepareDeposit, type PreparedDeposit } from '../traces/operations.js';
import { MAX_PLACES, MAX_TAGS, MAX_TEXT_CHARS, type Actor, type TraceStatus } from '../traces/schema.js';
import { Locators } from './split.js';
import type { IngestFormat, IngestSummary, Piece, Problem } from './types.js';

/** Deposits written per transaction: large enough to make 100k pieces quick, small enough not to hold the lock long. */
export const BATCH = 500;
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]+/gu;
const TAG = /^[^\s,#]{1,64}$/u;

interface Known {
  id: string;
  status: TraceStatus;
  hash: string | undefined;
  places: string[];
  tags: string[];
}

type Counts = Pick<IngestSummary, 'items' | 'added' | 'updated' | 'restored' | 'archived' | 'unchanged'>;

export interface SyncOptions {
  physarum: Physarum;
  actor: Actor;
  uri: string;
  format: IngestFormat;
  /** The file's own place: used when none of a piece's places is valid. */
  place: string;
  counts: Counts;
  skip: (p: Omit<Problem, 'file'>) => void;
  warn: (p: Omit<Problem, 'file'>) => void;
}

/** `ingest:<uri>#` for a source URI: the prefix every one of its traces' sources starts with. */
export const sourcePrefix = (uri: string): string => `ingest:${uri}#`;

function redactMeta(meta: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) out[k] = typeof v === 'string' ? redactSecrets(v).text : v;
  return out;
}

const sameSet = (a: string[], b: string[]): boolean => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

export class SourceSync {
  private readonly locators = new Locators();
  private readonly seen = new Set<string>();
  private batch: Array<{ prepared: PreparedDeposit; line: number | undefined }> = [];

  private constructor(
    private readonly o: SyncOptions,
    private readonly known: Map<string, Known>,
  ) {}

  /** Reads what the store already holds from this source (any status). */
  static async open(o: SyncOptions): Promise<SourceSync> {
    const prefix = sourcePrefix(o.uri);
    const known = new Map<string, Known>();
    // Ids, fingerprints, places and tags only: the texts stay in the store, so memory does not grow with them.
    const entries = await o.physarum.storage.read((r) => r.sourceEntries(prefix));
    for (const e of entries) {
      const locator = e.source.slice(prefix.length);
      const previous = known.get(locator);
      // Should a locator have several traces, the live one (else the newest) stands for it.
      if (previous && previous.status === 'live' && e.status !== 'live') continue;
      known.set(locator, { id: e.id, status: e.status, hash: e.hash, places: e.places, tags: e.tags });
    }
    return new SourceSync(o, known);
  }

  async add(piece: Piece): Promise<void> {
    const { physarum, actor, counts } = this.o;
    const text = piece.text.replace(/\u0000/gu, '').trim();
    if (text === '') return;
    counts.items++;
    // Security: the source, places and metadata are stored as given (deposit redacts text and tags): redact them here.
    const locator = this.locators.unique(redactSecrets(piece.locator.replace(CONTROL, ' ').trim() || 'piece').text);
    const source = `${sourcePrefix(this.o.uri)}${locator}`;
    const places = this.places(piece);
    const tags = [...new Set((piece.tags ?? []).filter((t) => TAG.test(t)))].slice(0, MAX_TAGS);
    const at = piece.at !== undefined && Number.isFinite(piece.at) && piece.at >= 0 ? Math.floor(piece.at) : undefined;
    const facts = redactMeta({ ...piece.meta, format: this.o.format });
    const { lines: _lines, ...stable } = facts;
    // The hash leaves out line numbers: text moving down a file is not a change to the piece.
    const hash = createHash('sha256')
      .update(JSON.stringify([text, [...tags].sort(), at ?? null, stable]))
      .digest('hex')
      .slice(0, 32);
    const meta = { ...facts, hash };
    const clipped = text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text;
    // Only needed to find what left the source; a first ingest has nothing to compare with.
    if (this.known.size > 0) this.seen.add(locator);

    const known = this.known.get(locator);
    if (!known) {
      try {
        const prepared = prepareDeposit(
          physarum.ctx,
          { text: clipped, kind: 'note', places, tags, trust: 'external', source, meta, ...(at !== undefined ? { at } : {}) },
          actor,
        );
        // Its own date is when it was written; its trail in this store starts now, so an old item is not born faded.
        prepared.strengthAt = Math.max(prepared.createdAt, physarum.ctx.clock.now());
        this.batch.push({ prepared, line: piece.line });
      } catch (e) {
        if (!isPhysarumError(e)) throw e;
        this.o.skip({ ...(piece.line !== undefined ? { line: piece.line } : {}), reason: e.message });
        counts.items--;
        return;
      }
      if (this.batch.length >= BATCH) await this.flush();
      return;
    }
    if (known.status === 'forgotten') {
      // A person erased it: ingest does not bring it back.
      counts.unchanged++;
      return;
    }
    let changed = false;
    const reason = `source changed: ${this.o.uri}`;
    if (known.status === 'archived') {
      if (!(await this.archivedByIngest(known.id))) {
        counts.unchanged++; // archived by someone on purpose: left as it is
        return;
      }
      await physarum.restore({ id: known.id, reason: `back in ${this.o.uri}` }, actor);
      counts.restored++;
    }
    if (known.hash !== hash) {
      await physarum.revise({ id: known.id, text: clipped, meta, reason }, actor);
      changed = true;
    }
    if (!sameSet(places, known.places) || !sameSet(tags, known.tags)) {
      await physarum.retag(
        {
          id: known.id,
          reason,
          addPlaces: places.filter((p) => !known.places.includes(p)),
          removePlaces: known.places.filter((p) => !places.includes(p)),
          addTags: tags.filter((t) => !known.tags.includes(t)),
          removeTags: known.tags.filter((t) => !tags.includes(t)),
        },
        actor,
      );
      changed = true;
    }
    if (changed) counts.updated++;
    else if (known.status !== 'archived') counts.unchanged++;
  }

  /** Writes the queued deposits; then, if the source was read without problems, archives what it no longer holds. */
  async finish(options: { archiveMissing: boolean }): Promise<void> {
    await this.flush();
    if (!options.archiveMissing) return;
    for (const [locator, known] of this.known) {
      if (known.status !== 'live' || this.seen.has(locator)) continue;
      await this.o.physarum.archive({ id: known.id, reason: `no longer in ${this.o.uri}` }, this.o.actor);
      this.o.counts.archived++;
    }
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    const { physarum, counts } = this.o;
    const now = physarum.ctx.clock.now();
    // One transaction per batch through the core's deposit path (validation, redaction, event per trace).
    const results = await physarum.storage.write(async (w) => {
      const out: boolean[] = [];
      for (const { prepared } of batch) out.push((await applyDeposit(w, prepared, now)).deduplicated);
      return out;
    });
    for (const deduplicated of results) {
      if (deduplicated) counts.unchanged++;
      else counts.added++;
    }
  }

  private places(piece: Piece): string[] {
    const root = this.o.physarum.ctx.root;
    const keys: string[] = [];
    for (const raw of piece.places) {
      try {
        const key = normalizePlace(redactSecrets(raw).text, { root }).key;
        if (!keys.includes(key)) keys.push(key);
      } catch (e) {
        if (!isPhysarumError(e)) throw e;
        this.o.warn({ ...(piece.line !== undefined ? { line: piece.line } : {}), reason: `place ${JSON.stringify(raw.slice(0, 100))} dropped: ${e.message}` });
      }
    }
    if (keys.length === 0) keys.push(normalizePlace(this.o.place, { root }).key);
    return keys.slice(0, MAX_PLACES);
  }

  private async archivedByIngest(id: string): Promise<boolean> {
    const [last] = await this.o.physarum.history({ id, type: 'trace.archive', limit: 1 });
    return last?.reason?.startsWith('no longer in ') === true;
  }
}
