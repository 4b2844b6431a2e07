// The one core API: every interface (library, CLI, MCP, HTTP, web) is a thin door onto this class.
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { Context } from './context.js';
import type { Storage, StorageInfo } from './storage/types.js';
import type { Actor, AnnotateInput, Annotation, DepositInput, FollowInput, RetagInput, ReviseInput, StatusChangeInput, Trace } from './traces/schema.js';
import * as traces from './traces/operations.js';
import { type SearchInput, type SenseInput, search, sense } from './search/index.js';
import { type HistoryInput, type RevertInput, history, revert } from './palimpsest/history.js';
import type { PalimpsestEvent } from './palimpsest/events.js';
import { type IdentityView, decideIdentity, proposeIdentity, showIdentity } from './identity/index.js';
import type { DecideIdentityInput, IdentityVersion, ProposeIdentityInput } from './identity/types.js';
import { type TrailView, createTrail, getTrail, listTrails } from './trails/index.js';
import type { CreateTrailInput, Trail } from './trails/types.js';
import { type EmergentInput, type RouteView, type VisitInput, emergentTrails, visit } from './trails/emergent.js';
import { type BriefInput, type Briefing, type BriefingProvider, brief } from './briefing/index.js';
import { type StrengthConfig } from './strength/index.js';
import { loadStrengthConfig, saveStrengthConfig } from './strength/config.js';
import * as board from './board/index.js';
import { type TrailMap, type TrailMapInput, trailMap } from './trails/map.js';
import { type StrengthPoint, type StrengthSeriesInput, strengthSeries } from './strength/series.js';
import { boardBriefing } from './board/briefing.js';
import type { CheckInInput, Claim, ClaimInput, Handoff, HandoffInput, Message, PostMessageInput, RegisterInput, ReleaseInput } from './board/types.js';

export interface PhysarumOptions {
  storage: Storage;
  /** Absolute project root; file places are stored relative to it. */
  root: string;
  clock?: Clock;
}

export class Physarum {
  readonly ctx: Context;
  private readonly providers: BriefingProvider[] = [boardBriefing];

  constructor(options: PhysarumOptions) {
    this.ctx = { storage: options.storage, root: options.root, clock: options.clock ?? systemClock };
  }

  get storage(): Storage {
    return this.ctx.storage;
  }

  // Traces
  deposit(input: DepositInput, actor: Actor): Promise<traces.DepositResult> {
    return traces.deposit(this.ctx, input, actor);
  }
  get(id: string): Promise<{ trace: Trace; annotations: Annotation[] }> {
    return traces.getTrace(this.ctx, id);
  }
  follow(input: FollowInput, actor: Actor): Promise<Trace> {
    return traces.follow(this.ctx, input, actor);
  }
  annotate(input: AnnotateInput, actor: Actor): Promise<{ annotation: Annotation; trace: Trace }> {
    return traces.annotate(this.ctx, input, actor);
  }
  retag(input: RetagInput, actor: Actor): Promise<Trace> {
    return traces.retag(this.ctx, input, actor);
  }
  /** Replaces a trace's text, logged with a reason (used when an ingested source changed). */
  revise(input: ReviseInput, actor: Actor): Promise<Trace> {
    return traces.revise(this.ctx, input, actor);
  }
  archive(input: StatusChangeInput, actor: Actor): Promise<{ trace: Trace; event: PalimpsestEvent | null }> {
    return traces.setStatus(this.ctx, input, actor, 'archived');
  }
  restore(input: StatusChangeInput, actor: Actor): Promise<{ trace: Trace; event: PalimpsestEvent | null }> {
    return traces.setStatus(this.ctx, input, actor, 'live');
  }
  forget(input: StatusChangeInput, actor: Actor): Promise<Trace> {
    return traces.forget(this.ctx, input, actor);
  }
  /** Reads files and folders (Markdown, text, HTML, RSS/Atom, transcripts) into traces of external trust; see docs/ingest.md. */
  async ingest(input: import('./ingest/types.js').IngestInput, actor: Actor): Promise<import('./ingest/types.js').IngestSummary> {
    return (await import('./ingest/index.js')).ingest(this, input, actor);
  }

  // Finding
  search(input: SearchInput): ReturnType<typeof search> {
    return search(this.ctx, input);
  }
  sense(input: SenseInput): ReturnType<typeof sense> {
    return sense(this.ctx, input);
  }
  brief(input: BriefInput = {}, actor?: Actor): Promise<Briefing> {
    return brief(this.ctx, input, { providers: this.providers, ...(actor ? { actor } : {}) });
  }
  /** Lets another part (the board) add sections to every briefing after the identity. */
  addBriefingProvider(provider: BriefingProvider): void {
    this.providers.push(provider);
  }

  /** A trace's strength over time, rebuilt from its change log. */
  strengthSeries(input: StrengthSeriesInput): Promise<{ id: string; now: number; points: StrengthPoint[] }> {
    return strengthSeries(this.ctx, input);
  }

  // Palimpsest
  history(input: HistoryInput = {}): Promise<PalimpsestEvent[]> {
    return history(this.ctx, input);
  }
  revert(input: RevertInput, actor: Actor): Promise<{ trace: Trace; event: PalimpsestEvent }> {
    return revert(this.ctx, input, actor);
  }

  // Identity
  identity(): Promise<IdentityView> {
    return showIdentity(this.ctx);
  }
  proposeIdentity(input: ProposeIdentityInput, actor: Actor): Promise<IdentityVersion> {
    return proposeIdentity(this.ctx, input, actor);
  }
  approveIdentity(input: DecideIdentityInput, actor: Actor): Promise<IdentityVersion> {
    return decideIdentity(this.ctx, input, actor, 'approved');
  }
  rejectIdentity(input: DecideIdentityInput, actor: Actor): Promise<IdentityVersion> {
    return decideIdentity(this.ctx, input, actor, 'rejected');
  }

  // Trails
  createTrail(input: CreateTrailInput, actor: Actor): Promise<Trail> {
    return createTrail(this.ctx, input, actor);
  }
  trail(nameOrId: string): Promise<TrailView> {
    return getTrail(this.ctx, nameOrId);
  }
  trails(): Promise<Trail[]> {
    return listTrails(this.ctx);
  }
  /** Records that an instance is at a place; the move from its previous place reinforces an emergent trail. */
  visit(input: VisitInput, actor: Actor): Promise<{ place: string; edge: RouteView | null }> {
    return visit(this.ctx, input, actor);
  }
  /** Every place with its traces' strength, and the authored and emergent trails between places. */
  trailMap(input: TrailMapInput = {}): Promise<TrailMap> {
    return trailMap(this.ctx, input);
  }
  emergentTrails(input: EmergentInput = {}): Promise<{ from: string | null; routes: RouteView[] }> {
    return emergentTrails(this.ctx, input);
  }

  // Board
  /** Registers an instance (or resumes one with the same name) and returns its welcome briefing. */
  async register(input: RegisterInput, actor: Actor, briefing: BriefInput = {}): Promise<{ instance: board.InstanceView; resumed: boolean; briefing: Briefing }> {
    const r = await board.register(this.ctx, input, actor);
    const who: Actor = { ...actor, name: r.instance.name, ...(r.instance.model ? { model: r.instance.model } : {}) };
    return { ...r, briefing: await this.brief(briefing, who) };
  }
  heartbeat(actor: Actor): Promise<board.InstanceView> {
    return board.heartbeat(this.ctx, actor);
  }
  instances(): Promise<board.InstanceView[]> {
    return board.listInstances(this.ctx);
  }
  claim(input: ClaimInput, actor: Actor): Promise<{ claim: Claim; renewed: boolean }> {
    return board.claim(this.ctx, input, actor);
  }
  release(input: ReleaseInput, actor: Actor): Promise<Claim> {
    return board.release(this.ctx, input, actor);
  }
  postMessage(input: PostMessageInput, actor: Actor): Promise<Message> {
    return board.postMessage(this.ctx, input, actor);
  }
  readMessages(options: { unreadOnly?: boolean; limit?: number; peek?: boolean }, actor: Actor): Promise<Message[]> {
    return board.readMessages(this.ctx, options, actor);
  }
  checkIn(input: CheckInInput, actor: Actor): Promise<traces.DepositResult> {
    return board.checkIn(this.ctx, input, actor);
  }
  writeHandoff(input: HandoffInput, actor: Actor): Promise<Handoff> {
    return board.writeHandoff(this.ctx, input, actor);
  }
  board(): Promise<board.BoardView> {
    return board.board(this.ctx);
  }

  // Store
  strengthConfig(): Promise<StrengthConfig> {
    return this.ctx.storage.read((r) => loadStrengthConfig(r));
  }
  configureStrength(config: StrengthConfig, actor: Actor): Promise<void> {
    return this.ctx.storage.write(async (w) => {
      await saveStrengthConfig(w, config);
      await w.appendEvent({ type: 'store.configure', at: this.ctx.clock.now(), actor, data: { strength: config } });
    });
  }
  info(): Promise<StorageInfo> {
    return this.ctx.storage.read((r) => r.info());
  }
  close(): Promise<void> {
    return this.ctx.storage.close();
  }
}
