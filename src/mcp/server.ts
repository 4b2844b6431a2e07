// The MCP server: each tool parses (the SDK does), calls the core once, and formats; errors are mapped in one place.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';
import type { Physarum } from '../physarum.js';
import type { SessionActor } from './actor.js';
import { registerBoardTools } from './board.js';
import { depositInput, annotateInput, followInput, retagInput, statusChangeInput } from '../traces/schema.js';
import { searchInput, senseInput } from '../search/index.js';
import { historyInput } from '../palimpsest/history.js';
import { briefInput } from '../briefing/index.js';
import { proposeIdentityInput } from '../identity/types.js';
import { createTrailInput } from '../trails/types.js';
import { DESTRUCTIVE, READ, WRITE, answer, withOwnValidation } from './tool.js';
import { authorView, redactionView, toTraceView, traceView } from '../traces/view.js';
import { eventView, toEventView } from '../palimpsest/view.js';
import { toTrailView, trailView } from '../trails/view.js';

export const SERVER_NAME = 'physarum';

export interface McpServerOptions {
  physarum: Physarum;
  /** Who the connected agent is; resolved at call time so it can use the client's name and registration. */
  actor: SessionActor;
  version: string;
}

const json = (v: unknown) => JSON.stringify(v);

export function createMcpServer({ physarum, actor: session, version }: McpServerOptions): McpServer {
  const actor = () => session.get();
  // Agents may write with agent or external trust only; the core refuses "human" from them too.
  const depositShape = depositInput.pick({ text: true, kind: true, places: true, tags: true, meta: true }).extend({
    trust: z.enum(['agent', 'external']).optional().describe('defaults to agent; use external for text copied from outside'),
  }).shape;
  // physarum.deposit() parses its input itself: the MCP layer only keeps the fields the tool takes.
  const server = withOwnValidation(
    new McpServer(
      { name: SERVER_NAME, version },
      {
        instructions:
          'Physarum is the shared memory of this project. Call get_briefing first. Before working on a file, URL or topic, call sense_place on it. ' +
          'Leave small traces with deposit_trace where the work happens; call follow_trace when a trace helped. Identity changes are proposals a person approves.',
      },
    ),
    { deposit_trace: Object.keys(depositShape) },
  );

  server.registerTool(
    'deposit_trace',
    {
      title: 'Deposit a trace',
      description: 'Leave a small note where the work happens (a file path, URL or topic:name). Identical notes at the same place reinforce instead of duplicating. Secrets are redacted before storage.',
      inputSchema: depositShape,
      // What the caller did not already know, not an echo of what it sent: a deposit's reply stays a few dozen
      // tokens however long the text (sense_place and search_traces show traces whole).
      outputSchema: {
        id: z.string(),
        deduplicated: z.boolean().describe('true when an identical live trace at the same places was reinforced instead'),
        places: z.array(z.string()).describe('the places as stored (canonical keys)'),
        strength: z.number(),
        author: authorView.describe('who the change log names'),
        redactions: z.array(redactionView),
        text: z.string().optional().describe('the text as stored; present, with tags, only when secrets were redacted'),
        tags: z.array(z.string()).optional().describe('the tags as stored; present, with text, only when secrets were redacted'),
      },
      annotations: { title: 'Deposit a trace', ...WRITE },
    },
    async (args) =>
      answer(
        async () => {
          const { trace, deduplicated, redactions } = await physarum.deposit(args, actor());
          return {
            id: trace.id,
            deduplicated,
            places: trace.places,
            strength: trace.strength,
            author: trace.author,
            redactions,
            ...(redactions.length > 0 ? { text: trace.text, tags: trace.tags } : {}),
          };
        },
        (o) => `${o.deduplicated ? 'Reinforced existing trace' : 'Deposited'} ${o.id}${o.redactions.length ? ` (redacted: ${json(o.redactions)})` : ''}`,
      ),
  );

  const senseResult = traceView.extend({ score: z.number(), currentStrength: z.number(), at: z.string() });
  server.registerTool(
    'sense_place',
    {
      title: 'Sense a place',
      description: 'The traces left at a place (file path, URL or topic:name), strongest first; parents=true adds its folders.',
      inputSchema: senseInput.shape,
      outputSchema: {
        place: z.string(),
        results: z.array(senseResult),
        next: z.array(z.object({ place: z.string(), strength: z.number(), count: z.number() })).describe('where instances who worked here went on to'),
      },
      annotations: { title: 'Sense a place', ...READ },
    },
    async (args) =>
      answer(
        async () => {
          const r = await physarum.sense(args);
          return { place: r.place, next: r.next, results: r.results.map((x) => ({ ...toTraceView(x.trace), score: x.score, currentStrength: x.strength, at: x.at })) };
        },
        (o) => json(o),
      ),
  );

  const searchResult = traceView.extend({
    score: z.number(),
    parts: z.object({ bm25: z.number(), relevance: z.number(), context: z.number(), author: z.number(), strength: z.number(), strengthBonus: z.number() }),
  });
  server.registerTool(
    'search_traces',
    {
      title: 'Search traces',
      description: 'Full-text search over traces, ranked by relevance plus strength; each result shows its score parts. Filters: place (at or below), kind, tag, author, since (date or 7d), status.',
      inputSchema: searchInput.shape,
      outputSchema: { terms: z.array(z.string()), results: z.array(searchResult) },
      annotations: { title: 'Search traces', ...READ },
    },
    async (args) =>
      answer(
        async () => {
          const r = await physarum.search(args);
          return { terms: r.terms, results: r.results.map((x) => ({ ...toTraceView(x.trace), score: x.score, parts: x.parts })) };
        },
        (o) => json(o),
      ),
  );

  server.registerTool(
    'follow_trace',
    {
      title: 'Follow a trace',
      description: 'Say a trace helped you: it grows stronger (capped) and lasts longer in briefings.',
      inputSchema: followInput.shape,
      outputSchema: { trace: traceView },
      annotations: { title: 'Follow a trace', ...WRITE },
    },
    async (args) => answer(async () => ({ trace: toTraceView(await physarum.follow(args, actor())) }), (o) => `Followed ${o.trace.id}; strength ${o.trace.strength.toFixed(2)}`),
  );

  server.registerTool(
    'annotate_trace',
    {
      title: 'Annotate a trace',
      description: "Endorse, challenge or comment on another trace's interpretation. Endorsing reinforces it a little.",
      inputSchema: annotateInput.shape,
      outputSchema: { annotationId: z.string(), trace: traceView },
      annotations: { title: 'Annotate a trace', ...WRITE },
    },
    async (args) =>
      answer(
        async () => {
          const r = await physarum.annotate(args, actor());
          return { annotationId: r.annotation.id, trace: toTraceView(r.trace) };
        },
        (o) => `Annotated ${o.trace.id} (${o.annotationId})`,
      ),
  );

  server.registerTool(
    'retag_trace',
    {
      title: 'Retag or move a trace',
      description: 'Add or remove tags or places of a trace, with a reason kept in its history. expectedVersion guards against concurrent edits.',
      inputSchema: retagInput.shape,
      outputSchema: { trace: traceView },
      annotations: { title: 'Retag or move a trace', ...WRITE, idempotentHint: true },
    },
    async (args) => answer(async () => ({ trace: toTraceView(await physarum.retag(args, actor())) }), (o) => `Retagged ${o.trace.id} (v${o.trace.version})`),
  );

  server.registerTool(
    'forget_trace',
    {
      title: 'Forget a trace',
      description: 'Erase a trace\'s text for good (for mistakes and leaked secrets). A tombstone with the reason stays in the history.',
      inputSchema: statusChangeInput.shape,
      outputSchema: { trace: traceView },
      annotations: { title: 'Forget a trace', ...DESTRUCTIVE },
    },
    async (args) => answer(async () => ({ trace: toTraceView(await physarum.forget(args, actor())) }), (o) => `Forgot ${o.trace.id}`),
  );

  server.registerTool(
    'get_history',
    {
      title: 'Get history',
      description: 'The change log (who, when, why), newest first: of one trace (id) or of the whole store.',
      inputSchema: historyInput.shape,
      outputSchema: { events: z.array(eventView) },
      annotations: { title: 'Get history', ...READ },
    },
    async (args) => answer(async () => ({ events: (await physarum.history(args)).map(toEventView) }), (o) => json(o)),
  );

  server.registerTool(
    'get_briefing',
    {
      title: 'Get the briefing',
      description: 'Read this first: the human-approved identity, then the strongest relevant traces and trails, within a token budget (weight light ~1k, standard ~4k, deep ~16k, or an exact budget). Optional focus query or place.',
      inputSchema: briefInput.shape,
      outputSchema: { text: z.string(), tokens: z.number(), budget: z.number(), traceIds: z.array(z.string()), omitted: z.number() },
      annotations: { title: 'Get the briefing', ...READ },
    },
    async (args) => answer(async () => ({ ...(await physarum.brief(args, actor())) }), (o) => o.text),
  );

  server.registerTool(
    'propose_identity_change',
    {
      title: 'Propose an identity change',
      description: 'Propose a new version of an identity document. Only a person can approve it (from the CLI or the viewer); until then nothing changes.',
      inputSchema: proposeIdentityInput.shape,
      outputSchema: { proposalId: z.string(), doc: z.string(), status: z.string(), baseVersion: z.number() },
      annotations: { title: 'Propose an identity change', ...WRITE },
    },
    async (args) =>
      answer(
        async () => {
          const p = await physarum.proposeIdentity(args, actor());
          return { proposalId: p.id, doc: p.doc, status: p.status, baseVersion: p.baseVersion };
        },
        (o) => `Proposed ${o.proposalId} for ${o.doc}; a person must approve it.`,
      ),
  );

  server.registerTool(
    'create_trail',
    {
      title: 'Create a trail',
      description: 'Author a named, ordered path through traces and places ("read these in this order"). Name "start-here" for newcomers.',
      inputSchema: createTrailInput.shape,
      outputSchema: { trail: trailView },
      annotations: { title: 'Create a trail', ...WRITE },
    },
    async (args) =>
      answer(
        async () => {
          return { trail: toTrailView(await physarum.createTrail(args, actor())) };
        },
        (o) => `Created trail ${o.trail.name}`,
      ),
  );

  server.registerTool(
    'get_trail',
    {
      title: 'Get a trail',
      description: 'An authored trail by name or id, with the traces its steps point to.',
      inputSchema: { name: z.string().min(1).describe('trail name or id') },
      outputSchema: { trail: trailView, traces: z.array(traceView) },
      annotations: { title: 'Get a trail', ...READ },
    },
    async (args) =>
      answer(
        async () => {
          const t = await physarum.trail(args.name);
          return { trail: toTrailView(t), traces: Object.values(t.traces).map(toTraceView) };
        },
        (o) => json(o),
      ),
  );

  registerBoardTools(server, physarum, session);

  server.registerResource(
    'identity',
    'physarum://identity',
    { title: 'Identity', description: 'The human-approved identity documents every briefing starts with.', mimeType: 'text/markdown' },
    async (uri) => {
      const view = await physarum.identity();
      const text = view.current.map((v) => `## ${v.doc} (v${v.version})\n\n${v.text}`).join('\n\n') || 'No identity approved yet.';
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text }] };
    },
  );

  return server;
}
